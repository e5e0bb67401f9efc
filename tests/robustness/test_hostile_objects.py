"""Hostile inputs, classes "throwing getters and Proxies", "marker-key forgeries", "odd keys"
and "URL schemes": each call gives the exact error (a 400 naming the argument, never a 500)
and leaves the state as it was, or is stored exactly as given."""

from __future__ import annotations

import json
from typing import Any

import pytest

from py_apm import ApmError, Workspace

from .hostile import CASE, FULL

# ---------------------------------------------------------------- throwing getters and Proxies
# (label, JS expression of the call; `A` is Microsoft.Apm, `S` the extra session, expected)
THROWING: list[tuple[str, str, str]] = [
    ("getter", "A.createSession({get templateName() { throw new Error('boom'); }})",
     "createSession: SessionInput.templateName: reading it threw: Error: boom"),
    ("getter in context", "A.createSession({templateName: CHAT, sessionContext: {get a() { throw new TypeError('nope'); }}})",
     "createSession: SessionInput.sessionContext.a: reading it threw: TypeError: nope"),
    ("ownKeys trap", "A.createSession(new Proxy({}, {ownKeys() { throw new Error('trap'); }}))",
     "createSession: SessionInput: reading it threw: Error: trap"),
    ("get trap", "A.createSession(new Proxy({templateName: CHAT}, {get() { throw new Error('get'); }}))",
     "createSession: SessionInput: reading it threw: Error: get"),
    ("descriptor trap", "A.createSession(new Proxy({templateName: CHAT}, {getOwnPropertyDescriptor() { throw new Error('gopd'); }}))",
     "createSession: SessionInput: reading it threw: Error: gopd"),
    ("toJSON", "A.createSession({templateName: CHAT, toJSON() { throw new Error('tj'); }})",
     "createSession: SessionInput: reading it threw: Error: tj"),
    ("revoked proxy", "(() => { const r = Proxy.revocable({}, {}); r.revoke(); return S.updateContext({a: r.proxy}); })()",
     "session.updateContext: input.a: reading it threw: TypeError: "),
    ("throws a number", "S.updateContext({get k() { throw 42; }})",
     "session.updateContext: input.k: reading it threw: 42"),
    ("throws an object", "S.updateContext({get k() { throw {name: 'Custom', message: 'm'}; }})",
     "session.updateContext: input.k: reading it threw: Custom: m"),
    ("throws the unprintable", "S.updateContext({get k() { throw {toString() { throw new Error('x'); }}; }})",
     "session.updateContext: input.k: reading it threw: a value that cannot be printed"),
    ("in a Map value", "A.createSession({templateName: CHAT, sessionContext: new Map([['a', {get x() { throw new Error('m'); }}]])})",
     "createSession: SessionInput.sessionContext.a.x: reading it threw: Error: m"),
    ("in an array", "S.updateContext({list: [1, {get x() { throw new Error('arr'); }}]})",
     "session.updateContext: input.list[1].x: reading it threw: Error: arr"),
    ("as an id", "A.getSession(new Proxy({}, {ownKeys() { throw new Error('id'); }}))",
     "getSession: sessionId must be a string, got object (reading it threw: Error: id)"),
    ("as a title", "(() => { S.title = {get x() { throw new Error('t'); }}; })()",
     "session.title: title must be a string, got object"),
    ("configure", "PyApm.configure({get records() { throw new Error('cfg'); }})",
     "configure: options.records: reading it threw: Error: cfg"),
    ("context.set", "S.getContext().then((c) => c.set('k', {get x() { throw new Error('cs'); }}))",
     "context.set: value.x: reading it threw: Error: cs"),
]  # fmt: skip
if FULL:
    THROWING += [
        (f"getter at depth {d}", f"S.updateContext({'{a:' * d}{{get x() {{ throw new Error('d'); }}}}{'}' * d})",
         f"session.updateContext: input{'.a' * d}.x: reading it threw: Error: d") for d in range(1, 6)
    ]  # fmt: skip

RUN_JS = r"""
async (cases) => {
  const CHAT = "msdyn_chat_session", CASE = "case_entity_session_default_template";
  const out = [];
  for (const [label, expr] of cases) {
    PyApm.reset({restoreDefaults: true});
    const sid = await Microsoft.Apm.createSession({templateName: CASE});
    const A = Microsoft.Apm, S = A.getSession(sid);
    const before = JSON.stringify(PyApm.state());
    let code = null, message = null, value;
    try {
      value = await (0, eval)(`(A, S, CHAT) => ${expr}`)(A, S, CHAT);
    } catch (e) {
      code = e && e.errorCode; message = e && e.message;
    }
    out.push({label, code, message, changed: JSON.stringify(PyApm.state()) !== before,
              polluted: ({}).polluted !== undefined || ({}).x !== undefined,
              state: JSON.stringify(PyApm.state()), value: value === undefined ? null : value});
    JSON.stringify(PyApm.calls());
  }
  PyApm.reset({restoreDefaults: true});
  return out;
}
"""


def run_page(page: Any, cases: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """Run `(label, expression)` cases in the page; the state comes back as JSON text, which
    keeps a "__proto__" key (Playwright's own transfer would drop it)."""
    results = page.evaluate(RUN_JS, [[label, expr] for label, expr in cases])
    for result in results:
        result["state"] = json.loads(result["state"])
    return results


@pytest.mark.browser
def test_throwing_getters_and_proxies(apm_page: Any) -> None:
    got = run_page(apm_page, [(label, expr) for label, expr, _ in THROWING])
    problems = []
    for (label, _, expected), result in zip(THROWING, got, strict=True):
        if result["code"] != 400 or not (result["message"] or "").startswith(expected):
            problems.append(
                f"{label}: expected 400 {expected!r}, got {result['code']} {result['message']!r}"
            )
        elif result["changed"] or result["polluted"]:
            problems.append(f"{label}: changed the state or polluted Object.prototype")
    assert not problems, "\n".join(problems)


@pytest.mark.browser
def test_getters_are_read_once(apm_page: Any) -> None:
    reads = apm_page.evaluate(
        """async () => {
        PyApm.reset({restoreDefaults: true});
        const reads = {name: 0, ctx: 0, value: 0};
        await Microsoft.Apm.createSession({
          get templateName() { reads.name++; return "msdyn_chat_session"; },
          get sessionContext() { reads.ctx++; return {get customerName() { reads.value++; return "Ada"; }}; },
        });
        return {reads, title: Microsoft.Apm.getFocusedSession().title};
    }"""
    )
    assert reads == {"reads": {"name": 1, "ctx": 1, "value": 1}, "title": "Ada"}


# ---------------------------------------------------------------- marker keys and odd keys (both backends)
# (label, JS argument of updateContext, the same in Python, the context stored)
STORED: list[tuple[str, str, Any, dict[str, str]]] = [
    ("map marker", "{'$pyapm:map': [['a', 'b']]}", {"$pyapm:map": [["a", "b"]]}, {"$pyapm:map": '[["a","b"]]'}),
    ("bad map marker", "{'$pyapm:map': [5]}", {"$pyapm:map": [5]}, {"$pyapm:map": "[5]"}),
    ("js marker", "{'$pyapm:js': 'function'}", {"$pyapm:js": "function"}, {"$pyapm:js": "function"}),
    ("thrown marker", "{'$pyapm:thrown': 'x'}", {"$pyapm:thrown": "x"}, {"$pyapm:thrown": "x"}),
    ("escaped-looking", "{'$pyapm:$pyapm:map': 1}", {"$pyapm:$pyapm:map": 1}, {"$pyapm:$pyapm:map": "1"}),
    ("nested marker", "{a: {'$pyapm:map': []}}", {"a": {"$pyapm:map": []}}, {"a": '{"$pyapm:map":[]}'}),
    ("marker and more", "{'$pyapm:map': 1, b: 2}", {"$pyapm:map": 1, "b": 2}, {"$pyapm:map": "1", "b": "2"}),
    ("Map keyed by marker", "new Map([['$pyapm:map', 'v']])", None, {"$pyapm:map": "v"}),
    ("__proto__", "JSON.parse('{\"__proto__\": {\"polluted\": 1}}')", {"__proto__": {"polluted": 1}}, {"__proto__": '{"polluted":1}'}),
    ("prototype names", "{constructor: 'c', toString: 't', hasOwnProperty: 'h'}",
     {"constructor": "c", "toString": "t", "hasOwnProperty": "h"}, {"constructor": "c", "toString": "t", "hasOwnProperty": "h"}),
    ("empty key", "{'': 'e'}", {"": "e"}, {"": "e"}),
    ("numeric keys", "{1: 'a', '01': 'b'}", {"1": "a", "01": "b"}, {"1": "a", "01": "b"}),
    ("unicode key", "{'\u00e9\u4e2d\ud83d\ude00': 'u'}", {"\u00e9\u4e2d\U0001f600": "u"}, {"\u00e9\u4e2d\U0001f600": "u"}),
    ("symbol key ignored", "{[Symbol('s')]: 1, a: 'x'}", {"a": "x"}, {"a": "x"}),
]  # fmt: skip


def _context(state: dict[str, Any]) -> dict[str, str]:
    return state["sessions"][1]["context"]


@pytest.mark.parametrize("backend", ["native", pytest.param("browser", marks=pytest.mark.browser)])
def test_marker_and_odd_keys_are_stored_as_given(
    backend: str, request: pytest.FixtureRequest
) -> None:
    problems = []
    if backend == "browser":
        got = run_page(
            request.getfixturevalue("apm_page"),
            [(label, f"S.updateContext({js})") for label, js, _, _ in STORED],
        )
        for (label, _, _, expected), result in zip(STORED, got, strict=True):
            if (
                result["code"] is not None
                or _context(result["state"]) != expected
                or result["polluted"]
            ):
                problems.append(
                    f"{label}: {result['code']} {result['message']} {_context(result['state'])}"
                )
    else:
        for label, _, value, expected in STORED:
            if value is None:
                continue  # a JS Map
            ws = Workspace()
            sid = ws.create_session({"templateName": CASE})
            ws.session_update_context(sid, value)
            if _context(ws.state()) != expected:
                problems.append(f"{label}: {_context(ws.state())}")
    assert not problems, "\n".join(problems)


@pytest.mark.browser
def test_context_keys_symbol_and_proto(apm_page: Any) -> None:
    result = apm_page.evaluate(
        """async () => {
        PyApm.reset({restoreDefaults: true});
        const ctx = await Microsoft.Apm.getFocusedSession().getContext();
        const before = JSON.stringify(PyApm.state());
        let error = null;
        try { ctx.set(Symbol("s"), 1); } catch (e) { error = [e.errorCode, e.message]; }
        const unchanged = JSON.stringify(PyApm.state()) === before;
        ctx.set("__proto__", "x");
        const fresh = await Microsoft.Apm.getFocusedSession().getContext();
        return {error, unchanged, get: ctx.get("__proto__"), has: ctx.has("__proto__"),
                freshGet: fresh.get("__proto__"), own: Object.keys(fresh.parameters),
                proto: Object.getPrototypeOf(fresh.parameters) === Object.prototype,
                stored: JSON.stringify(PyApm.state().sessions[0].context), polluted: ({}).x !== undefined};
    }"""
    )
    assert result == {
        "error": [400, "context.set: key must be a string, got symbol"],
        "unchanged": True,
        "get": "x",
        "has": True,
        "freshGet": "x",
        "own": ["__proto__"],
        "proto": True,
        "stored": '{"__proto__":"x"}',
        "polluted": False,
    }


# ---------------------------------------------------------------- URL schemes (both backends)
SITE = {"tabTemplates": [{"uniqueName": "new_site", "title": "Site", "pageType": "Third-party website",
                          "parameters": {"url": "{target}", "data": "{extra}"}}]}  # fmt: skip
REFUSED_URLS = [
    ("javascript:alert(1)", ""), ("data:text/html,<b>x</b>", ""), ("file:///etc/passwd", ""),
    ("http://127.0.0.1:80@evil.example/", ""), ("http://localhost@evil.example", ""),
    ("http://evil.example/", ""), ("https:evil.example", ""), (" https://x.example", ""),
    ("http://127.0.0.1", "@evil.example/"), ("{x}", ""), ("JAVASCRIPT:alert(1)", ""),
    ("vbscript:x", ""), ("ftp://x.example", ""), ("//evil.example", ""),
]  # fmt: skip
if FULL:
    REFUSED_URLS += [("java\nscript:x", ""), ("http://[::1]@evil.example", ""), ("blob:https://x", ""),
                     ("http://127.0.0.1.evil.example/", ""), ("http://localhost.evil.example", "")]  # fmt: skip
ACCEPTED_URLS = [("https://ok.example/q=", "x"), ("http://127.0.0.1:8765/", "p"), ("http://localhost", "/a"),
                 ("http://[::1]:80/", ""), ("HTTPS://UPPER.example", "")]  # fmt: skip


def _url_message(url: str) -> str:
    return f"createTab: tab template 'new_site' url must start with https:// (got '{url}')"


@pytest.mark.parametrize("backend", ["native", pytest.param("browser", marks=pytest.mark.browser)])
def test_url_schemes_after_slugs(backend: str, request: pytest.FixtureRequest) -> None:
    cases = REFUSED_URLS + ACCEPTED_URLS
    if backend == "browser":
        got = request.getfixturevalue("apm_page").evaluate(
            """async ([config, cases]) => {
            const out = [];
            for (const [target, extra] of cases) {
              PyApm.reset({restoreDefaults: true});
              PyApm.configure(config);
              const before = JSON.stringify(PyApm.state());
              try {
                await Microsoft.Apm.createTab({templateName: "new_site", appContext: {target, extra}});
                out.push([null, PyApm.state().sessions[0].tabs[1].url, false]);
              } catch (e) { out.push([e.errorCode, e.message, JSON.stringify(PyApm.state()) !== before]); }
            }
            PyApm.reset({restoreDefaults: true});
            return out;
            }""",
            [SITE, cases],
        )
    else:
        got = []
        for target, extra in cases:
            ws = Workspace(SITE)
            before = json.dumps(ws.state())
            try:
                ws.create_tab(
                    {"templateName": "new_site", "appContext": {"target": target, "extra": extra}}
                )
                got.append([None, ws.state()["sessions"][0]["tabs"][1]["url"], False])
            except ApmError as error:
                got.append([error.code, error.message, json.dumps(ws.state()) != before])
    expected = [[400, _url_message(t + e), False] for t, e in REFUSED_URLS]
    expected += [[None, t + e, False] for t, e in ACCEPTED_URLS]
    assert [list(g) for g in got] == expected
