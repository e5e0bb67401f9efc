"""The Node backend: py-apm booted in Node by the npm package's ``createApm``, driven from Python.

:class:`NodePage` answers what the suites ask of a Playwright page (``evaluate``,
``wait_for_function``) by sending it to ``driver.mjs``, so ``BrowserWorkspace(NodePage(...))``
runs the behaviour suite's JS-side checks through the same shim code paths as in Chromium. A
:class:`NodeFrame` is a web resource in Node: a script with its own global scope that sees the
emulator's globals.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).with_name("driver.mjs")
BOOT_TIMEOUT_S = 180.0  # the first boot on a machine builds the Node snapshot


class NodeError(AssertionError):
    """The driver failed to evaluate a request (the JS error's stack)."""


def node_available() -> bool:
    return shutil.which("node") is not None and (ROOT / "node_modules" / "pyodide").is_dir()


def build_package(out: Path) -> Path:
    """Assemble the npm package under ``out`` (inside the checkout, so ``pyodide`` resolves from
    its node_modules); return its ``lib/node.mjs``."""
    sys.path.insert(0, str(ROOT / "npm"))
    try:
        import build  # npm/build.py

        stage = build.assemble(out)
    finally:
        sys.path.remove(str(ROOT / "npm"))
    return stage / "lib" / "node.mjs"


class NodeProcess:
    """One ``node driver.mjs`` process: requests are answered in order."""

    def __init__(self, node_lib: Path, config: dict[str, Any] | None = None) -> None:
        args = ["node", str(DRIVER), str(node_lib)]
        if config is not None:
            args.append(json.dumps(config))
        self.proc = subprocess.Popen(
            args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8"
        )
        self._lock = threading.Lock()
        self._next = 0
        hello = self._read(BOOT_TIMEOUT_S)
        if not hello.get("ready"):
            raise NodeError(f"the Node driver did not start: {hello}")
        self.boot_ms = float(hello["bootTimeMs"])
        self.from_snapshot = bool(hello["bootedFromSnapshot"])

    def _read(self, timeout: float) -> dict[str, Any]:
        assert self.proc.stdout is not None
        result: list[str] = []
        reader = threading.Thread(target=lambda: result.append(self.proc.stdout.readline()))  # type: ignore[union-attr]
        reader.start()
        reader.join(timeout)
        if not result or not result[0]:
            raise NodeError(f"the Node driver gave no answer (exit code {self.proc.poll()})")
        return dict(json.loads(result[0]))

    def request(self, op: str, timeout: float = 30.0, **fields: Any) -> Any:
        with self._lock:
            self._next += 1
            assert self.proc.stdin is not None
            self.proc.stdin.write(json.dumps({"id": self._next, "op": op, **fields}) + "\n")
            self.proc.stdin.flush()
            reply = self._read(timeout)
        if "error" in reply:
            raise NodeError(reply["error"])
        return reply["ok"]

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self.request("close", timeout=10)
            except (NodeError, OSError):
                pass
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


class _Evaluates:
    """``evaluate`` / ``wait_for_function`` as on a Playwright page or frame."""

    def __init__(self, node: NodeProcess, frame: int | None) -> None:
        self.node = node
        self.frame_id = frame

    def evaluate(self, source: str, arg: Any = None) -> Any:
        return self.node.request("evaluate", source=source, arg=arg, frame=self.frame_id)

    def wait_for_function(self, source: str, timeout: float = 30_000) -> Any:
        deadline = time.monotonic() + timeout / 1000
        while True:
            value = self.evaluate(source)
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError(f"wait_for_function timed out: {source}")
            time.sleep(0.01)


class NodePage(_Evaluates):
    """The emulator's global in the Node process, as a page."""

    def __init__(self, node: NodeProcess) -> None:
        super().__init__(node, None)

    def new_frame(self) -> NodeFrame:
        return NodeFrame(self.node, int(self.node.request("frame.create")))


class NodeFrame(_Evaluates):
    """A web resource's global scope in Node (a vm context)."""

    def add_script_tag(self, content: str) -> None:
        self.node.request("frame.run", frame=self.frame_id, code=content)

    def remove(self) -> None:
        self.node.request("frame.remove", frame=self.frame_id)
