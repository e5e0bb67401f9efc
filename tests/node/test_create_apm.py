"""``createApm`` (py-apm-emulator/node): what it defines on a global, before and after ready,
and what ``close()`` takes back. Each test runs a script in a new Node process."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from node.backend import ROOT, build_package, node_available

pytestmark = pytest.mark.node

RECORD = {"incident": {"11bb": {"title": "Printer on fire"}}}
CASE = (
    '{templateName: "case_entity_session_default_template",'
    ' sessionContext: {parametersStr: \'[["entityName","incident"],["entityId","11bb"]]\'}}'
)


@pytest.fixture(scope="module")
def node_lib() -> Iterator[Path]:
    import os
    import shutil

    if not node_available():
        pytest.skip("Node.js or node_modules/pyodide missing (scripts/setup.sh)")
    out = ROOT / "build" / f"node-api-tests-{os.getpid()}"
    try:
        yield build_package(out)
    finally:
        shutil.rmtree(out, ignore_errors=True)


def run(node_lib: Path, body: str, tmp_path: Path) -> Any:
    """Run ``body`` (top-level await allowed, `createApm` imported) and return its ``out``."""
    script = tmp_path / "script.mjs"
    script.write_text(
        f"const {{ createApm }} = await import({json.dumps(node_lib.as_uri())});\n"
        "const out = {};\nconsole.warn = () => {};\n"
        f"{body}\nprocess.stdout.write(JSON.stringify(out));\n",
        "utf-8",
    )
    done = subprocess.run(
        ["node", str(script)], capture_output=True, text=True, timeout=180, check=False
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_calls_before_ready_get_412_then_the_config_applies(node_lib: Path, tmp_path: Path) -> None:
    config = tmp_path / "apm.json"
    config.write_text(json.dumps({"records": RECORD}), "utf-8")
    out = run(
        node_lib,
        f"""
        const pending = createApm({{ config: {json.dumps(str(config))} }});
        try {{ Microsoft.Apm.getFocusedSession(); }}
        catch (e) {{ out.early = [e instanceof Error, e.errorCode, e.message.split(";")[0]]; }}
        const apm = await pending;
        out.ready = [PyApm.isReady, apm.PyApm === PyApm, apm.global === globalThis];
        await Microsoft.Apm.createSession({CASE});
        out.title = Microsoft.Apm.getFocusedSession().title;
        apm.reset();
        out.afterReset = Microsoft.Apm.getAllSessions();
        await Microsoft.Apm.createSession({CASE});
        out.keptConfig = Microsoft.Apm.getFocusedSession().title;
        await apm.close();
    """,
        tmp_path,
    )
    assert out == {
        "early": [True, 412, "Microsoft.Apm.getFocusedSession: py-apm is still loading"],
        "ready": [True, True, True],
        "title": "Printer on fire",
        "afterReset": ["session-id-0"],
        "keptConfig": "Printer on fire",
    }


def test_an_existing_xrm_is_extended_and_close_takes_back_only_py_apm(
    node_lib: Path, tmp_path: Path
) -> None:
    out = run(
        node_lib,
        """
        const nodeChannel = globalThis.BroadcastChannel;
        globalThis.Xrm = { Page: { marker: "mine" } };
        globalThis.Microsoft = { Other: 1 };
        const apm = await createApm();
        out.during = [Xrm.Page.marker, typeof Xrm.App.sessions.getAll, typeof Microsoft.Apm.createTab,
                      Microsoft.Other, BroadcastChannel !== nodeChannel];
        out.twice = await createApm().then(() => "booted twice", (e) => e.message);
        await apm.close();
        out.after = [Object.keys(Xrm), Object.keys(Microsoft), typeof PyApm,
                     BroadcastChannel === nodeChannel];
    """,
        tmp_path,
    )
    assert out == {
        "during": ["mine", "function", "function", 1, True],
        "twice": "createApm: py-apm is already installed on this global (close() it first)",
        "after": [["Page"], ["Other"], "undefined", True],
    }


def test_close_removes_what_it_created_and_a_new_xrm_gets_the_sessions(
    node_lib: Path, tmp_path: Path
) -> None:
    out = run(
        node_lib,
        f"""
        const target = {{}};
        const apm = await createApm({{ global: target }});
        out.onTarget = [typeof target.Microsoft.Apm, typeof globalThis.Microsoft];
        target.Xrm = {{ Utility: {{}} }};  // what xrm-mock's initialise() does
        out.replaced = typeof target.Xrm.App.sessions.createSession;
        const seen = [];
        const channel = new target.BroadcastChannel(target.Microsoft.Apm.getEventPublisherTopic("ON_SESSION_SWITCH"));
        channel.onmessage = (m) => seen.push(m.data.newSessionId);
        await target.Microsoft.Apm.createSession({CASE});
        await new Promise((done) => setTimeout(done, 20));
        out.seen = seen;
        await apm.close();
        out.after = Object.keys(target);
    """,
        tmp_path,
    )
    assert out == {
        "onTarget": ["object", "undefined"],
        "replaced": "function",
        "seen": ["session-id-1"],
        "after": [],
    }
