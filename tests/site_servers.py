"""Both servers of the site over one folder of web resources, and raw HTTP exchanges with them:
`py-apm serve` in this process, the npm package's server (npm/lib/http.mjs) in a node process."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HAVE_NODE = shutil.which("node") is not None and (ROOT / "node_modules" / "pyodide").is_dir()

_NODE_SERVER = """
const [lib, options, limits] = process.argv.slice(1);
const { startServer } = await import(lib + "/http.mjs");
const { makeSite } = await import(lib + "/site.mjs");
const server = await startServer(makeSite(JSON.parse(options)), { keepAlive: true, limits: JSON.parse(limits) });
console.log(server.root);
"""


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes


def build_npm_stage(out: Path) -> Path:
    """The npm package folder, assembled by npm/build.py into `out`."""
    spec = importlib.util.spec_from_file_location("npm_build", ROOT / "npm" / "build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return Path(module.assemble(out))


@contextmanager
def node_site(
    stage: Path,
    webresources: Path | None = None,
    config: Path | None = None,
    snapshot: Path | None = None,
    limits: dict[str, float] | None = None,
) -> Iterator[int]:
    """The npm package's HTTP server over these files; yields its port. `limits` overrides
    site.json's connection limits (``{"idleSeconds": 1}``...)."""
    options = {
        "webResources": str(webresources) if webresources else None,
        "configFile": str(config) if config else None,
        "snapshotFile": str(snapshot) if snapshot else None,
    }
    proc = subprocess.Popen(
        [
            "node",
            "--input-type=module",
            "-e",
            _NODE_SERVER,
            str(stage / "lib"),
            json.dumps(options),
            json.dumps(limits or {}),
        ],
        env={**os.environ, "NODE_PATH": str(ROOT / "node_modules")},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        if not line.startswith("http://127.0.0.1:"):
            proc.kill()
            raise AssertionError(
                f"node server did not start: {line!r} {proc.communicate()[1][-2000:]}"
            )
        yield int(line.rstrip("/").rsplit(":", 1)[1])
    finally:
        proc.kill()
        proc.wait(timeout=10)


def exchange(port: int, payload: bytes, timeout: float = 10.0) -> bytes:
    """Send raw bytes (ending with a request that says ``Connection: close``; no half-close,
    on which node drops the answers in flight), return all the server answered."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(payload)
        chunks = []
        try:
            while data := sock.recv(65536):
                chunks.append(data)
        except (TimeoutError, ConnectionResetError):
            pass
    return b"".join(chunks)


def replies(answer: bytes, head: bool = False) -> list[Reply]:
    """The responses in `answer` (bodies by Content-Length; none after a HEAD)."""
    out = []
    while answer.startswith(b"HTTP/"):
        top, _, rest = answer.partition(b"\r\n\r\n")
        lines = top.decode("latin-1").split("\r\n")
        headers = {
            k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in lines[1:])
        }
        size = 0 if head else int(headers.get("content-length", "0"))
        out.append(Reply(int(lines[0].split()[1]), headers, rest[:size]))
        answer = rest[size:]
    return out


def ask(
    port: int,
    target: str,
    method: str = "GET",
    headers: list[tuple[str, str]] | None = None,
    host: str | None = "127.0.0.1:{port}",
    version: str = "HTTP/1.1",
) -> Reply:
    """One request with exactly these headers (Host formatted with the port; None: no Host)."""
    lines = [f"{method} {target} {version}"]
    if host is not None:
        lines.append(f"Host: {host.format(port=port)}")
    lines += [f"{k}: {v.format(port=port)}" for k, v in headers or []]
    lines.append("Connection: close")
    got = replies(exchange(port, ("\r\n".join(lines) + "\r\n\r\n").encode()), method == "HEAD")
    assert len(got) == 1, (target, got)
    return got[0]
