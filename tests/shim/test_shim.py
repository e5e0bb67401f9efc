"""Browser smoke tests of shim.js: boot, calls, argument encoding, errors, events, frames.

One Chromium page per module (booting Pyodide costs seconds); `PyApm.reset()` between tests.
The files are served by the tests' static HTTP server (no network): `/shim.js`, `/pyodide/*` from
node_modules, `/py_apm.zip` built from `py_apm/`, the session's memory snapshot as
`/py_apm.snapshot` with its record (each boot here is about 4x faster from it; the boot without one, and every way
into it, is tests/tooling/test_tooling_snapshot_boot.py's), and the test pages under
`/tests/shim/pages/`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from py_apm.host.snapshot import sidecar_path

pytest.importorskip("playwright.sync_api")

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
PYODIDE_DIR = ROOT / "node_modules" / "pyodide"


def build_zip() -> bytes:
    """The `py_apm` package as the shim installs it (the same bundle `py-apm serve` sends)."""
    from py_apm.host.bundle import build_package_zip

    return build_package_zip()


def _resolve(path: str, snapshot: Path | None = None) -> Path | bytes | None:
    if path == "/shim.js":
        return ROOT / "shim.js"
    if path == "/py_apm.zip":
        return build_zip()
    if path == "/py_apm.snapshot":
        return snapshot
    if path == "/py_apm.snapshot.json":  # its digest record, which the page checks it against
        return sidecar_path(snapshot) if snapshot is not None else None
    if path.startswith("/pyodide/"):
        return PYODIDE_DIR / Path(path[len("/pyodide/") :]).name
    if path.startswith("/tests/shim/pages/"):
        return HERE / "pages" / Path(path[len("/tests/shim/pages/") :]).name
    return None


@pytest.fixture(scope="module")
def port(static_server: Callable[..., str]) -> int:
    """The port of a static server for `/shim.js`, `/pyodide/*`, `/py_apm.zip`, the snapshot
    (built if missing, as the pytest plugin's server does; a 404 when it cannot be) and the
    pages."""
    from py_apm.host.snapshot import current
    from py_apm.host.snapshot_build import ensure

    info = ensure()
    snapshot = info.path if info is not None and info == current(PYODIDE_DIR) else None
    return int(static_server(lambda path: _resolve(path, snapshot)).rstrip("/").rsplit(":", 1)[1])


@pytest.fixture(scope="module")
def shim_browser(browser: Any) -> Any:
    """pytest-playwright's browser, launched with py-apm's Chromium and flags by the plugin."""
    return browser


@pytest.fixture(scope="module")
def base(port: int) -> str:
    return f"http://127.0.0.1:{port}/tests/shim/pages/"


@contextmanager
def _fresh_page(shim_browser: Any) -> Iterator[Any]:
    """A page in a context of its own (its own boot), closed afterwards even when a step fails."""
    context = shim_browser.new_context()
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture(scope="module")
def shim_page(shim_browser: Any, base: str) -> Iterator[Any]:
    with _fresh_page(shim_browser) as pg:
        pg.console_messages: list[str] = []  # type: ignore[misc]
        pg.on("console", lambda m: pg.console_messages.append(f"{m.type}: {m.text}"))
        urls: list[str] = []
        pg.on("request", lambda r: urls.append(r.url))
        pg.goto(base + "index.html")
        pg.evaluate("PyApm.ready.then(() => true)")
        pg.boot_urls: list[str] = list(urls)  # type: ignore[misc]
        yield pg


@pytest.fixture(autouse=True)
def _reset(request: pytest.FixtureRequest) -> None:
    if "shim_page" in request.fixturenames:
        request.getfixturevalue("shim_page").evaluate("PyApm.reset()")


# ---------------------------------------------------------------------------------------------


def test_boot(shim_page: Any) -> None:
    info = shim_page.evaluate(
        "({isReady: PyApm.isReady, boot: PyApm.bootTimeMs, version: PyApm.version,"
        " ready: PyApm.ready instanceof Promise, early: window.earlyError})"
    )
    assert info["isReady"] is True and info["ready"] is True
    assert isinstance(info["boot"], (int, float)) and info["boot"] > 0
    assert isinstance(info["version"], str) and info["version"]
    early = info["early"]
    assert early["isError"] and early["name"] == "Error" and early["errorCode"] == 412
    assert "PyApm.ready" in early["message"]


def test_no_cdn_requests(shim_page: Any, port: int) -> None:
    """Every request of the module page's boot (its own context) went to the local server."""
    urls = shim_page.boot_urls
    assert any(u.endswith("/pyodide.asm.wasm") for u in urls), urls
    assert all(u.startswith(f"http://127.0.0.1:{port}/") for u in urls), urls


def test_focused_session(shim_page: Any) -> None:
    r = shim_page.evaluate(
        """() => {
        const s = Microsoft.Apm.getFocusedSession();
        return {id: s.sessionId, keys: Object.keys(s), json: JSON.parse(JSON.stringify(s)),
                plain: s instanceof Object, same: s === Microsoft.Apm.getFocusedSession(),
                title: s.title, isDefault: s.isDefault};
    }"""
    )
    assert r["id"] == "session-id-0"
    assert r["keys"] == ["sessionId", "title", "isDefault", "canClose"]
    assert r["json"]["sessionId"] == "session-id-0" and r["json"]["isDefault"] is True
    assert r["plain"] and r["same"] and r["isDefault"] is True
    assert isinstance(r["title"], str)


def test_python_error_is_js_error(shim_page: Any) -> None:
    r = shim_page.evaluate(
        """() => {
        try { Microsoft.Apm.getSession(5); return null; }
        catch (e) { return {ctor: e.constructor.name, isError: e instanceof Error,
                            code: e.errorCode, message: e.message,
                            proto: Object.getPrototypeOf(e) === Error.prototype}; }
    }"""
    )
    assert r is not None, "getSession(5) should throw"
    assert r["ctor"] == "Error" and r["ctor"] != "PythonError"
    assert r["isError"] and r["proto"]
    assert r["code"] == 400
    assert "getSession" in r["message"] and "Traceback" not in r["message"]


def test_unknown_session_is_null(shim_page: Any) -> None:
    assert shim_page.evaluate("Microsoft.Apm.getSession('session-id-99')") is None


def test_results_are_plain(shim_page: Any) -> None:
    r = shim_page.evaluate(
        """async () => {
        const bad = [];
        const check = (v, path) => {
            if (PyApm.__isPyProxy(v)) { bad.push(path + ': PyProxy'); return; }
            if (v === null || typeof v !== 'object') {
                if (typeof v === 'function') bad.push(path + ': function');
                return;
            }
            const proto = Object.getPrototypeOf(v);
            if (proto !== Object.prototype && proto !== Array.prototype)
                bad.push(path + ': ' + proto);
            for (const k of Object.keys(v)) check(v[k], path + '.' + k);
        };
        const sid = await Microsoft.Apm.createSession({templateName: 'msdyn_chat_session',
            sessionContext: {customerName: 'Contoso'}});
        check(sid, 'createSession');
        check(Microsoft.Apm.getAllSessions(), 'getAllSessions');
        check(Microsoft.Apm.getFocusedSession(), 'getFocusedSession');
        check(PyApm.state(), 'state');
        check(PyApm.calls(), 'calls');
        check(Microsoft.Apm.getEventPublisherTopic('ON_SESSION_CLOSED'), 'topic');
        check(Microsoft.Apm.canCreateSession(), 'canCreateSession');
        return {bad, sid, state: PyApm.state()};
    }"""
    )
    assert r["bad"] == []
    assert r["sid"] == "session-id-1"
    assert isinstance(r["state"], dict) and r["state"]["sessions"]


def test_state_keeps_null(shim_page: Any) -> None:
    # None must arrive as JS null (to_js would make it undefined and JSON would drop the key)
    keys = shim_page.evaluate("Object.keys(PyApm.state().sessions[0])")
    assert "templateName" in keys


@pytest.mark.parametrize(
    "context_js",
    [
        "new Map([['customerName', 'Contoso']])",
        "({customerName: 'Contoso'})",
        "JSON.stringify({customerName: 'Contoso'})",
    ],
    ids=["map", "object", "json-string"],
)
def test_create_session_inputs(shim_page: Any, context_js: str) -> None:
    r = shim_page.evaluate(
        f"""async () => {{
        const id = await Microsoft.Apm.createSession({{templateName: 'msdyn_chat_session',
                                                       sessionContext: {context_js}}});
        return {{id, all: Microsoft.Apm.getAllSessions()}};
    }}"""
    )
    assert r["id"] == "session-id-1"
    assert r["all"] == ["session-id-0", "session-id-1"]


def test_unencodable_arguments(shim_page: Any) -> None:
    r = shim_page.evaluate(
        """async () => {
        const cyclic = {templateName: 'msdyn_chat_session'}; cyclic.self = cyclic;
        const out = [];
        for (const arg of [cyclic, () => 1, NaN, 10n, Symbol('x')]) {
            try { await Microsoft.Apm.createSession(arg); out.push(null); }
            catch (e) {
                out.push({code: e.errorCode, isError: e instanceof Error, msg: e.message});
            }
        }
        return out;
    }"""
    )
    for item in r:
        assert item is not None and item["isError"] and item["code"] == 400, r


def test_getcontext_shape(shim_page: Any) -> None:
    r = shim_page.evaluate(
        """async () => {
        const ctx = await Microsoft.Apm.getFocusedSession().getContext();
        return {keys: Object.keys(ctx), get: typeof ctx.get, set: typeof ctx.set,
                del: typeof ctx.delete, tab: typeof ctx.getTabContext,
                slug: ctx.resolveSlug('{x}') instanceof Promise, params: ctx.parameters};
    }"""
    )
    assert r["keys"] == ["templateName", "parameters"]
    assert r["get"] == r["set"] == r["del"] == r["tab"] == "function"
    assert r["slug"] is True and isinstance(r["params"], dict)


def test_getcontext_values(shim_page: Any) -> None:
    r = shim_page.evaluate(
        """async () => {
        const id = await Microsoft.Apm.createSession({templateName: 'case_entity_session_default_template',
            sessionContext: {parametersStr: JSON.stringify([["entityName", "incident"],
                ["entityId", "abc"], ["data", JSON.stringify({a: 1})]])}});
        const s = Microsoft.Apm.getSession(id);
        await s.updateContext({customerName: 'Contoso'});
        const ctx = await s.getContext();
        const first = ctx.get('customerName');
        ctx.set('n', 5);
        const afterSet = ctx.get('n');
        const deleted = ctx.delete('n');
        const anchor = ctx.getTabContext('anchor');
        return {first, afterSet, deleted, gone: ctx.get('n'), params: ctx.parameters,
                template: ctx.templateName, anchor, slug: await ctx.resolveSlug('{customerName}')};
    }"""
    )
    assert r["first"] == "Contoso" and r["afterSet"] == "5" and r["deleted"] is True
    assert "gone" not in r or r["gone"] is None
    assert r["params"] == {"customerName": "Contoso"}
    assert r["template"] == "case_entity_session_default_template"
    assert r["anchor"]["entityName"] == "incident" and r["anchor"]["data"] == {"a": 1}
    assert r["slug"] == "Contoso"


def test_session_closed_event(shim_page: Any) -> None:
    r = shim_page.evaluate(
        """async () => {
        const topic = Microsoft.Apm.getEventPublisherTopic('ON_SESSION_CLOSED');
        const sub = new BroadcastChannel(topic);
        const got = new Promise((res) => { sub.onmessage = (e) => res(e.data); });
        const changes = [];
        const off = PyApm.onChange((p) => changes.push(p));
        const winEvents = [];
        const onWin = (e) => winEvents.push(e.detail);
        window.addEventListener('pyapm:change', onWin);
        const id = await Microsoft.Apm.createSession({templateName: 'msdyn_chat_session',
                                                      sessionContext: {customerName: 'A'}});
        await Microsoft.Apm.getSession(id).close();
        const timeout = new Promise((r) => setTimeout(() => r('timeout'), 3000));
        const data = await Promise.race([got, timeout]);
        off(); window.removeEventListener('pyapm:change', onWin); sub.close();
        return {id, data, changes: changes.length, win: winEvents.length,
                names: changes.flatMap((p) => p.events.map((e) => e.name))};
    }"""
    )
    assert r["data"] == {"sessionId": r["id"]}
    assert r["changes"] >= 2 and r["win"] == r["changes"]
    assert "ON_SESSION_CLOSED" in r["names"]


def test_closed_session_object_errors(shim_page: Any) -> None:
    r = shim_page.evaluate(
        """async () => {
        const id = await Microsoft.Apm.createSession({templateName: 'msdyn_chat_session',
                                                      sessionContext: {customerName: 'A'}});
        const s = Microsoft.Apm.getSession(id);
        await s.close();
        try { return {title: s.title}; }
        catch (e) { return {code: e.errorCode, isError: e instanceof Error}; }
    }"""
    )
    assert r == {"code": 404, "isError": True}


def test_property_reads_never_go_stale(shim_page: Any) -> None:
    """Reads are answered from a cache until the next change: every way of changing a value
    (setter on the same id, template, click, close, reset) must show at the next read."""
    r = shim_page.evaluate(
        """async () => {
        const out = {};
        const grab = (f) => { try { return f(); } catch (e) { return 'E' + e.errorCode; } };
        const id = await Microsoft.Apm.createSession({templateName: 'msdyn_chat_session',
                                                sessionContext: {customerName: 'A'}});
        const s = Microsoft.Apm.getSession(id);
        const t = s.getFocusedTab();
        out.first = [s.title, s.title, s.canClose, s.isDefault, t.title, t.canClose];
        s.title = 'Renamed';
        t.title = 'Tab renamed';
        Microsoft.Apm.getSession(id).canClose = false;
        out.afterSet = [s.title, s.canClose, t.title];
        const tid = await Microsoft.Apm.createTab({templateName: 'msdyn_omnichannel_kbsearch'});
        const kb = s.getTab(tid);
        out.kb = [kb.title, kb.canClose];
        kb.canClose = true;
        out.kbSet = kb.canClose;
        PyApm.ui.closeTab(tid);
        out.kbClosed = grab(() => kb.title);
        Microsoft.Apm.getFocusedSession().canClose = true;
        PyApm.ui.closeSession(id);
        out.closed = [grab(() => s.title), grab(() => s.canClose), grab(() => t.title)];
        const home = Microsoft.Apm.getSession('session-id-0');
        out.home = [home.title, home.isDefault];
        const id2 = await Microsoft.Apm.createSession({templateName: 'msdyn_chat_session',
                                                       sessionContext: {customerName: 'B'}});
        const s2 = Microsoft.Apm.getSession(id2);
        out.s2 = s2.title;
        PyApm.reset();
        out.afterReset = grab(() => s2.title);
        for (const name of ['C', 'D']) {
          await Microsoft.Apm.createSession({templateName: 'msdyn_chat_session',
                                       sessionContext: {customerName: name}});
        }
        out.reused = [id2, Microsoft.Apm.getSession(id2).title, grab(() => s2.title)];
        return out;
    }"""
    )
    assert r["first"] == ["A", "A", True, False, "Conversation", False]
    assert r["afterSet"] == ["Renamed", False, "Tab renamed"]
    assert r["kb"] == ["Knowledge Search", True] and r["kbSet"] is True
    assert r["kbClosed"] == "E404"
    assert r["closed"] == ["E404", "E404", "E404"]
    assert r["home"] == ["Home", True]
    assert r["s2"] == "B" and r["afterReset"] == "E404"
    # the old object of a reused id reads the new session (ids restart after reset)
    assert r["reused"] == ["session-id-2", "D", "D"]


def test_events_posted_once_their_topic_is_handed_out(shim_page: Any) -> None:
    """Nothing can listen on a topic nobody asked for (it is unique to the workspace): posting
    starts with getEventPublisherTopic; onChange listeners get every event regardless."""
    r = shim_page.evaluate(
        """async () => {
        const posted = [];
        const orig = BroadcastChannel.prototype.postMessage;
        BroadcastChannel.prototype.postMessage = function (d) { posted.push(this.name); return orig.call(this, d); };
        const seen = [];
        const off = PyApm.onChange((p) => seen.push(...p.events.map((e) => e.name)));
        try {
          const open = () => Microsoft.Apm.createSession({templateName: 'msdyn_chat_session',
                                                          sessionContext: {customerName: 'A'}});
          open();
          const before = posted.length;
          const topic = Microsoft.Apm.getEventPublisherTopic('ON_SESSION_SWITCH');
          open();
          return {before, after: posted, topic, seen};
        } finally {
          off();
          BroadcastChannel.prototype.postMessage = orig;
        }
    }"""
    )
    assert r["before"] == 0
    assert r["after"] == [r["topic"]]  # only the handed-out topic, once
    assert r["seen"].count("ON_SESSION_SWITCH") == 2 and r["seen"].count("ON_TAB_SWITCH") == 2


def test_home_close_warns(shim_page: Any) -> None:
    before = len(shim_page.console_messages)
    shim_page.evaluate("Microsoft.Apm.getFocusedSession().close()")
    warnings = [m for m in shim_page.console_messages[before:] if m.startswith("warning:")]
    assert warnings, shim_page.console_messages[before:]


def test_legacy_promises_is_an_alias(shim_page: Any) -> None:
    r = shim_page.evaluate(
        """async () => {
        const eff = PyApm.configure({legacyPromises: true});
        const p = Microsoft.Apm.focusTab('tab-id-77');
        const isPromise = p instanceof Promise;
        let rejected = null;
        try { await p; } catch (e) { rejected = {code: e.errorCode, msg: e.message}; }
        const off = PyApm.configure({legacyPromises: false});
        let sync = null;
        try { sync = Microsoft.Apm.focusTab('tab-id-77'); }
        catch (e) { sync = 'threw ' + e.errorCode; }
        PyApm.configure({returns: 'runtime'});
        return {eff: [eff.returns, eff.legacyPromises], off: [off.returns, off.legacyPromises],
                isPromise, rejected, sync};
    }"""
    )
    assert r["eff"] == ["runtime", True] and r["isPromise"] is True
    assert r["off"] == ["documented", False]
    assert r["rejected"]["code"] == 404
    assert r["sync"] == "threw 404"


def test_data_config(shim_browser: Any, base: str) -> None:
    with _fresh_page(shim_browser) as pg:
        pg.goto(base + "config.html")
        r = pg.evaluate(
            """async () => { await PyApm.ready;
            try { return Microsoft.Apm.focusTab('tab-id-77'); } catch (e) { return 'threw ' + e.errorCode; } }"""
        )
    assert r == "threw 404"  # the configuration asked for the documented (synchronous) contract


def test_optional_data_config_may_be_missing(shim_browser: Any, base: str) -> None:
    with _fresh_page(shim_browser) as pg:
        pg.goto(base + "config_optional.html")
        r = pg.evaluate("PyApm.ready.then(() => Microsoft.Apm.getFocusedSession().sessionId)")
    assert r == "session-id-0"


def test_frame_binds_to_top(shim_browser: Any, base: str) -> None:
    with _fresh_page(shim_browser) as pg:
        urls: list[str] = []
        pg.on("request", lambda r: urls.append(r.url))
        pg.goto(base + "with_frame.html")
        pg.evaluate("PyApm.ready.then(() => true)")
        frame = pg.frame_locator("#f")
        frame.locator("body").wait_for()
        child = pg.frames[1]
        r = child.evaluate(
            """async () => {
            await PyApm.ready;
            return {same: window.Microsoft === window.top.Microsoft
                          && window.PyApm === window.top.PyApm,
                    id: Microsoft.Apm.getFocusedSession().sessionId,
                    parent: window.parent.Microsoft.Apm === Microsoft.Apm};
        }"""
        )
    assert r == {"same": True, "id": "session-id-0", "parent": True}
    assert sum(u.endswith("pyodide.asm.wasm") for u in urls) == 1  # one runtime only


def test_cross_origin_frame_boots_its_own(shim_browser: Any, port: int) -> None:
    with _fresh_page(shim_browser) as pg:
        pg.goto(f"http://localhost:{port}/tests/shim/pages/index.html")
        pg.evaluate(
            f"""() => new Promise((res) => {{
            const f = document.createElement('iframe');
            f.src = 'http://127.0.0.1:{port}/tests/shim/pages/frame.html';
            f.onload = res; document.body.appendChild(f); }})"""
        )
        child = pg.frames[1]
        r = child.evaluate("PyApm.ready.then(() => Microsoft.Apm.getFocusedSession().sessionId)")
    assert r == "session-id-0"


def test_an_existing_xrm_and_microsoft_are_extended_not_replaced(
    shim_browser: Any, base: str
) -> None:
    with _fresh_page(shim_browser) as pg:
        pg.goto(base + "xrm_mock.html")
        r = pg.evaluate(
            """async () => { await PyApm.ready;
            const sid = await Xrm.App.sessions.createSession({pageInput: {pageType: "search"}});
            return {mock: Xrm.Page.marker, utility: Xrm.Utility.getGlobalContext(),
                    dynamics: Microsoft.Dynamics.marker, sid,
                    faces: [typeof Microsoft.Apm.createSession, typeof Microsoft.AppRuntime.Sessions.create]}; }"""
        )
    assert r == {
        "mock": "xrm-mock",
        "utility": "mocked",
        "dynamics": "kept",
        "sid": "session-id-1",
        "faces": ["function", "function"],
    }
