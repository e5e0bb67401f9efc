"""Every documented member of Microsoft.Apm, a session object and a tab object, called in the
page with hostile JS values: each call returns normally (never a PyProxy) or throws a real
Error with a numeric errorCode and a clean message, and a throwing call changes no state.

One ``page.evaluate`` per batch (a member group); each call starts from a fresh workspace with
one extra session and tab so the call has something to act on.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

BATCH_TIMEOUT_S = 60.0

RUNNER_JS = r"""
async ({group, members, setters}) => {
  const MB = "x".repeat(1 << 20);
  const hostile = () => {
    const cyclic = {a: 1}; cyclic.self = cyclic;
    return [
      ["undefined", undefined], ["null", null], ["0", 0], ["NaN", NaN], ["-Infinity", -Infinity],
      ["[]", []], ["[1,[2]]", [1, [2]]], ["nested", {a: {b: {c: [1, {d: "e"}]}}}],
      ["cyclic", cyclic], ["function", function f() { return 1; }], ["symbol", Symbol("s")],
      ["bigint", 10n], ["Map", new Map([[1, "a"]])], ["Map{}key", new Map([[{}, "a"]])],
      ["1MB", MB], ["lone-surrogate", "\ud800"],
      ["__proto__", JSON.parse('{"__proto__": {"x": 1}}')],
      ["throwing-toString", {templateName: {toString() { throw new Error("boom"); }}}],
    ];
  };
  const setup = async () => {
    PyApm.reset({restoreDefaults: true});
    const sid = await Microsoft.Apm.createSession({
      templateName: "case_entity_session_default_template", isFocused: true,
      sessionContext: {parametersStr: '[["entityName","incident"],["entityId","42"]]'}});
    const session = Microsoft.Apm.getSession(sid);
    const tid = await session.createTab({templateName: "msdyn_entityrecord", isFocused: true,
      appContext: {entityName: "task", entityId: "7"}});
    return {session, tab: session.getTab(tid), xrm: Xrm.App.sessions,
            runtime: Microsoft.AppRuntime.Sessions, xrmTabs: Xrm.App.sessions.getSession(sid).tabs,
            runtimeSession: Microsoft.AppRuntime.Sessions.getSession(sid)};
  };
  const isProxy = (v) => {
    if (typeof PyApm.__isPyProxy === "function") return PyApm.__isPyProxy(v);
    return typeof v === "function";
  };
  const deepProxy = (v, depth = 0) => {
    if (isProxy(v)) return true;
    if (depth > 3 || v === null || typeof v !== "object") return false;
    if (v instanceof Map || v instanceof Set) return false;
    return Object.keys(v).some((k) => {
      const d = Object.getOwnPropertyDescriptor(v, k);
      return d && "value" in d && deepProxy(d.value, depth + 1);
    });
  };
  const describe = (v) => {
    try { return typeof v === "symbol" ? v.toString() : String(v).slice(0, 80); }
    catch (_) { return typeof v; }
  };
  const stateJson = () => JSON.stringify(PyApm.state());
  const failures = [];
  let calls = 0, threw = 0, returned = 0, slowest = 0;
  const codes = {};
  const entries = [...members.map((m) => [m, "call"]), ...setters.map((m) => [m, "set"])];
  for (const [member, mode] of entries) {
    for (const [label, value] of hostile()) {
      const objs = await setup();
      const target = group === "apm" ? Microsoft.Apm : objs[group];
      const name = `${group}.${member}${mode === "set" ? " = " : "("}${label}${mode === "set" ? "" : ")"}`;
      const bad = (why) => failures.push(`${name}: ${why}`);
      const before = stateJson();
      const t0 = performance.now();
      let result, error, hasError = false;
      calls++;
      try {
        if (mode === "set") { target[member] = value; result = undefined; }
        else {
          result = target[member](value);
          if (result && typeof result.then === "function") result = await result;
        }
      } catch (e) { error = e; hasError = true; }
      const ms = performance.now() - t0;
      slowest = Math.max(slowest, ms);
      if (ms > 5000) bad(`took ${Math.round(ms)} ms`);
      if (hasError) {
        threw++;
        const e = error;
        const ctor = e && e.constructor && e.constructor.name;
        if (!(e instanceof Error)) bad(`threw a non-Error ${describe(e)} (${typeof e})`);
        if (ctor === "PythonError") bad("threw a PythonError");
        if (!e || typeof e.errorCode !== "number") bad(`errorCode is ${describe(e && e.errorCode)}`);
        else codes[e.errorCode] = (codes[e.errorCode] || 0) + 1;
        const msg = e && typeof e.message === "string" ? e.message : "";
        if (!msg) bad("empty message");
        if (/Traceback|PythonError/.test(msg)) bad(`message leaks Python: ${msg.slice(0, 200)}`);
        if (e && e.errorCode === 500) bad(`internal error: ${msg.slice(0, 200)}`);
        let after;
        try { after = stateJson(); } catch (e2) { after = `state() threw ${e2 && e2.message}`; }
        if (after !== before) bad(`threw (${msg.slice(0, 120)}) but changed the state`);
      } else {
        returned++;
        if (deepProxy(result)) bad("returned a PyProxy");
        if (typeof result === "function") bad("returned a function");
      }
      try { stateJson(); } catch (e3) { bad(`state() broken afterwards: ${e3 && e3.message}`); }
      if (Object.prototype.x !== undefined || ({}).x !== undefined) {
        bad("Object.prototype polluted");
        delete Object.prototype.x;
      }
    }
  }
  PyApm.reset({restoreDefaults: true});
  return {calls, threw, returned, codes, slowest: Math.round(slowest), failures};
}
"""

GROUPS: dict[str, tuple[list[str], list[str]]] = {
    "apm": (
        [
            "getFocusedSession",
            "getAllSessions",
            "getSession",
            "createSession",
            "canCreateSession",
            "createTab",
            "closeTab",
            "focusTab",
            "refreshTab",
            "getEventPublisherTopic",
        ],
        [],
    ),
    "session": (
        [
            "getFocusedTab",
            "getTab",
            "getAllTabs",
            "canCreateTab",
            "updateContext",
            "resolveSlug",
            "getContext",
            "createTab",
            "getAllTabsForTemplate",
            "requestFocus",
            "focus",
            "close",
        ],
        ["title", "canClose"],
    ),
    "tab": (["refresh", "focus", "close"], ["title", "canClose"]),
    "xrm": (
        [
            "getSession",
            "getFocusedSession",
            "canCreateSession",
            "createSession",
            "getAll",
            "addOnAfterSessionCreate",
            "removeOnAfterSessionCreate",
            "addOnBeforeSessionSwitch",
            "removeOnBeforeSessionSwitch",
        ],
        [],
    ),
    "xrmTabs": (["getTab", "getFocusedTab", "canCreateTab", "createTab", "getAll"], []),
    "runtime": (
        [
            "create",
            "getSession",
            "getFocusedSession",
            "canCreateSession",
            "getAll",
            "addOnContextChange",
            "removeOnContextChange",
            "cacheSessionState",
            "restoreSessionState",
            "removeSessionState",
            "refreshSession",
        ],
        [],
    ),
    "runtimeSession": (
        ["updateContext", "createTab", "getTab", "setTitleAndInitials", "focus", "close"],
        [],
    ),
}


def _run(page: Any, group: str) -> dict[str, Any]:
    members, setters = GROUPS[group]
    started = time.perf_counter()
    page.evaluate("PyApm.__proxyTracing.start()")
    try:
        summary = page.evaluate(RUNNER_JS, {"group": group, "members": members, "setters": setters})
        summary["live_proxies"] = page.evaluate("PyApm.__proxyTracing.live()")
    finally:
        page.evaluate("PyApm.__proxyTracing.stop()")
    elapsed = time.perf_counter() - started
    print(
        f"\n{group}: {summary['calls']} calls, {summary['threw']} threw {summary['codes']}, "
        f"{summary['returned']} returned, slowest {summary['slowest']} ms, batch {elapsed:.1f} s"
    )
    assert elapsed < BATCH_TIMEOUT_S, f"{group} batch took {elapsed:.1f} s"
    assert summary["calls"] == (len(members) + len(setters)) * 18
    return summary


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_hostile_values(apm_page: Any, group: str) -> None:
    summary = _run(apm_page, group)
    failures = summary["failures"]
    assert not failures, f"{len(failures)} bad calls:\n" + "\n".join(failures[:40])
    assert summary["live_proxies"] == 0, "hostile calls left PyProxies alive"


def test_every_documented_member_is_covered(apm_page: Any) -> None:
    """The batches above call every function member the page exposes."""
    found = apm_page.evaluate(
        """() => {
          const fns = (o) => Object.getOwnPropertyNames(o).filter((k) => typeof o[k] === "function");
          const s = Microsoft.Apm.getFocusedSession();
          return {apm: fns(Microsoft.Apm), session: fns(s), tab: fns(s.getFocusedTab())};
        }"""
    )
    for group, names in found.items():
        members = GROUPS[group][0]
        assert set(names) <= set(members), (group, set(names) - set(members))


def test_proto_keys_in_context_do_not_pollute(apm_page: Any) -> None:
    """`__proto__` / `constructor` keys travel as data, never as prototypes."""
    result = apm_page.evaluate(
        """async () => {
          const s = Microsoft.Apm.getSession(await Microsoft.Apm.createSession({
            templateName: "case_entity_session_default_template"}));
          let error = null;
          try { await s.updateContext(JSON.parse('{"__proto__": "p", "constructor": "c", "k": "v"}')); }
          catch (e) { error = {code: e.errorCode, message: e.message}; }
          const ctx = await s.getContext();
          const params = ctx.parameters;
          return {
            error,
            protoIsObject: Object.getPrototypeOf(params) === Object.prototype,
            polluted: ({}).p !== undefined || Object.prototype.k !== undefined,
            k: ctx.get("k"),
            ownProto: Object.prototype.hasOwnProperty.call(params, "__proto__"),
            proto: ctx.get("__proto__"),
            slug: await ctx.resolveSlug("{k}"),
          };
        }"""
    )
    assert not result["polluted"], result
    assert result["protoIsObject"], f"context.parameters got a new prototype: {result}"
    if result["error"] is None:
        assert result["k"] == "v" and result["slug"] == "v", result
