"""A page served by a plain static server (what `npx py-apm init` sets up: no py-apm server
checks anything) verifies the snapshot it loads against its digest record
(``py_apm.snapshot.json``): a corrupted or substituted snapshot, or one without its record,
is not booted from; the page boots without it and says so once on the console."""

from __future__ import annotations

import hashlib
import http.server
import json
import random
import shutil
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from py_apm.host.bundle import get_bundle
from py_apm.host.server import QuietServer, pyodide_dir
from py_apm.host.snapshot import current as current_snapshot

REPO = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not (REPO / "shim.js").is_file(), reason="needs the real shim.js"),
]

PAGE = "<!doctype html><meta charset=utf-8><body><script src='shim.js'></script>"
WORKS = (
    "(() => { Microsoft.Apm.createSession({templateName: 'msdyn_chat_session',"
    " sessionContext: {customerName: 'Contoso'}});"
    " return [Microsoft.Apm.getFocusedSession().title, PyApm.state().sessions.length]; })()"
)


class _Static(http.server.SimpleHTTPRequestHandler):
    """Files as they are: no route, no check (the kind of server users host the site on)."""

    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript",
        ".mjs": "text/javascript",
        ".wasm": "application/wasm",
        ".json": "application/json",
    }

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base's name)
        pass


@pytest.fixture(scope="module")
def snapshot_bytes() -> bytes:
    snap = current_snapshot(pyodide_dir())
    if not snap.exists:
        pytest.skip("no snapshot built")
    return snap.path.read_bytes()


@pytest.fixture
def site(tmp_path: Path, snapshot_bytes: bytes) -> Iterator[tuple[Path, str]]:
    """A folder laid out like an init'ed site, served by a plain static server."""
    root = tmp_path / "site"
    root.mkdir()
    (root / "index.html").write_text(PAGE)
    shutil.copyfile(REPO / "shim.js", root / "shim.js")
    (root / "py_apm.zip").write_bytes(get_bundle().data)
    (root / "pyodide").symlink_to(pyodide_dir(), target_is_directory=True)
    # quiet: a test closes its page at the refusal, maybe while the snapshot still downloads
    server = QuietServer(("127.0.0.1", 0), partial(_Static, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def _record(body: bytes) -> str:
    return json.dumps(
        {"format": "sparse-1", "size": len(body), "sha256": hashlib.sha256(body).hexdigest()}
    )


def _corrupted(good: bytes) -> tuple[bytes, str | None]:
    """64 random bytes somewhere in the memory image: the header still parses."""
    body = bytearray(good)
    rng = random.Random(25)
    image = 24 + 8 * int.from_bytes(body[20:24], "little")
    at = rng.randrange(image, len(body) - 64)
    body[at : at + 64] = bytes(rng.randrange(256) for _ in range(64))
    return bytes(body), _record(good)


def _substituted(good: bytes) -> tuple[bytes, str | None]:
    """Another snapshot put in its place, the record left as it was: a well-formed file of the
    same size (its last 4 KiB changed, as memory built from other sources would be)."""
    body = bytearray(good)
    body[-4096:] = bytes(b ^ 0x5A for b in body[-4096:])
    return bytes(body), _record(good)


def _without_record(good: bytes) -> tuple[bytes, str | None]:
    return good, None


@pytest.mark.parametrize("make", [_corrupted, _substituted, _without_record])
def test_a_snapshot_that_does_not_match_its_record_is_not_booted(
    browser: Any, site: tuple[Path, str], snapshot_bytes: bytes, make: Any
) -> None:
    """Stops at the refusal ("booting without it"): the boot that follows is the no-snapshot
    boot, which tests/tooling/test_tooling_snapshot_boot.py follows to ready."""
    root, url = site
    body, record = make(snapshot_bytes)
    assert body != snapshot_bytes or record is None
    (root / "py_apm.snapshot").write_bytes(body)
    if record is not None:
        (root / "py_apm.snapshot.json").write_text(record)
    context = browser.new_context()
    try:
        page = context.new_page()
        lines: list[str] = []
        page.on("console", lambda m: lines.append(f"{m.type}: {m.text}"))
        with page.expect_console_message(
            lambda m: "cannot boot from the snapshot" in m.text, timeout=120_000
        ):
            page.goto(url, wait_until="commit")
        assert page.evaluate("PyApm.bootedFromSnapshot") is not True
    finally:
        context.close()
    warnings = [line for line in lines if "snapshot" in line]
    assert len(warnings) == 1, lines
    assert warnings[0].startswith("warning: py-apm: cannot boot from the snapshot ")
    assert "booting without it" in warnings[0]
    expected = "is missing" if record is None else "do not match its digest record"
    assert expected in warnings[0], warnings


def test_the_snapshot_with_its_record_is_booted(
    browser: Any, site: tuple[Path, str], snapshot_bytes: bytes
) -> None:
    """The same static site with the snapshot and its record as the builder wrote them."""
    root, url = site
    (root / "py_apm.snapshot").write_bytes(snapshot_bytes)
    (root / "py_apm.snapshot.json").write_text(_record(snapshot_bytes))
    context = browser.new_context()
    try:
        page = context.new_page()
        lines: list[str] = []
        page.on("console", lambda m: lines.append(f"{m.type}: {m.text}"))
        page.goto(url)
        page.wait_for_function("window.PyApm && PyApm.isReady", timeout=120_000)
        assert page.evaluate("PyApm.bootedFromSnapshot") is True
        assert page.evaluate(WORKS) == ["Contoso", 2]
    finally:
        context.close()
    assert not [line for line in lines if "snapshot" in line]
