"""The client side of the warm ``py-apm run`` (no browser): light imports, paths, options."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from py_apm.host import server, warm


def test_the_warm_path_imports_neither_playwright_nor_the_server() -> None:
    """Importing Playwright alone costs ~0.3 s; the warm path must not pay it."""
    code = (
        "import sys; import py_apm.host.runner; from py_apm.host import warm; warm.fingerprint();"
        "print(sorted(m for m in ('playwright', 'py_apm.host.server') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.replace("'", '"')) == []


def test_the_socket_follows_the_layout_the_server_uses(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """One resolver of where the files are (paths.find_layout): a root given by hand is another
    helper, as it is another server."""
    monkeypatch.delenv(warm.SOCKET_ENV, raising=False)
    default = warm.socket_path()
    monkeypatch.setenv("PY_APM_ROOT", str(tmp_path))
    assert server.repo_root() == tmp_path.resolve()
    assert warm.socket_path() != default
    assert not hasattr(warm, "_root") and not hasattr(warm, "_pyodide_dir")


def test_fingerprint_follows_the_files_pages_load(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    for rel in ("py_apm/model/a.py", "web/index.html", "shim.js"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x", encoding="utf-8")
    monkeypatch.setenv("PY_APM_ROOT", str(tmp_path))
    before = warm.fingerprint()
    assert warm.fingerprint() == before
    st = (tmp_path / "web/index.html").stat()
    os.utime(tmp_path / "web/index.html", ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    changed = warm.fingerprint()
    assert changed != before
    monkeypatch.setenv("PY_APM_BROWSER", "/usr/bin/another-chromium")
    assert warm.fingerprint() != changed


def test_socket_path_and_idle_timeout(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(warm.SOCKET_ENV, raising=False)
    default = warm.socket_path()
    assert default.parent.name == f"py-apm-{os.getuid()}" and default.suffix == ".sock"
    monkeypatch.setenv(warm.SOCKET_ENV, str(tmp_path / "s.sock"))
    assert warm.socket_path() == tmp_path / "s.sock"
    for value, want in (("", 600.0), ("abc", 600.0), ("-3", 600.0), ("2.5", 2.5)):
        monkeypatch.setenv(warm.IDLE_ENV, value)
        assert warm.idle_timeout() == want


def test_a_shared_socket_directory_is_refused(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o777)
    shared.chmod(0o777)
    with pytest.raises(warm.HelperUnavailable, match="not a private directory"):
        warm.private_dir(shared)
    assert warm.private_dir(tmp_path / "mine").stat().st_mode & 0o777 == 0o700


def test_helper_off_runs_cold(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(warm.HELPER_ENV, "off")
    assert not warm.wanted()
    monkeypatch.setenv(warm.HELPER_ENV, "")
    assert warm.wanted()
