"""A `py-apm run` script that keeps itself busy passing messages (a MessageChannel ping-pong,
``postMessage`` to its own window, a BroadcastChannel echo) is still running when the run is
collected: nothing of it may reach the next script on that page. Each busy script marks what
a reload keeps (``window.name``) and what outlives a clear made before it (``localStorage``)
on every message; the probe after it must see neither."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not (REPO / "shim.js").is_file(), reason="needs the real shim.js"),
]

MARK = 'window.name = "leak"; localStorage.setItem("leak", "yes");'

BUSY = {
    "ports": (
        "const ch = new MessageChannel();\n"
        f"ch.port1.onmessage = () => {{ {MARK} ch.port1.postMessage(1); }};\n"
        "ch.port2.onmessage = () => ch.port2.postMessage(2);\n"
        "ch.port1.postMessage(0);\n"
    ),
    "self": (
        'addEventListener("message", (e) => {\n'
        f'  if (e.data === "again") {{ {MARK} postMessage("again", "*"); }}\n'
        "});\n"
        'postMessage("again", "*");\n'
    ),
    "broadcast": (
        'const a = new BroadcastChannel("echo"), b = new BroadcastChannel("echo");\n'
        f"a.onmessage = () => {{ {MARK} a.postMessage(1); }};\n"
        "b.onmessage = () => b.postMessage(2);\n"
        "b.postMessage(0);\n"
    ),
}

PROBE = 'console.log(JSON.stringify([window.name, localStorage.getItem("leak")]));\n'


def test_a_script_busy_passing_messages_never_hands_its_page_on(tmp_path: Path) -> None:
    # One run of six scripts (each busy one followed by a probe): one browser, the runner's
    # own page reuse between them.
    scripts: list[str] = []
    for kind, source in BUSY.items():
        for name, text in ((f"{kind}.js", source), (f"{kind}-probe.js", PROBE)):
            (tmp_path / name).write_text(text)
            scripts.append(str(tmp_path / name))
    done = subprocess.run(
        [sys.executable, "-m", "py_apm.host.runner", "--json", "--cold", *scripts],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    results = json.loads(done.stdout)
    assert len(results) == 2 * len(BUSY)
    for kind, busy, probe in zip(BUSY, results[::2], results[1::2], strict=True):
        assert busy["errors"] == [], (kind, busy["errors"])
        logs = [c["text"] for c in probe["console"] if c["type"] == "log"]
        assert logs == ['["",null]'], (kind, logs)
