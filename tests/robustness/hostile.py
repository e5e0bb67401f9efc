"""Shared machinery of the hostile-input suite (`test_hostile_*.py`): cases as data, built the
same way in Python (native model) and in the page (Chromium), and one runner per backend.

A case names an entry point (`target`) and an argument spec. Both runners build the argument
from the spec, call the entry point on a workspace holding one extra session, and report the
error (code and message) and whether `state()` changed. The CI count is the default; set
``PY_APM_HOSTILE=full`` for the larger count.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from typing import Any

from py_apm import ApmError, Workspace
from py_apm.model.values import JsMap

FULL = os.environ.get("PY_APM_HOSTILE", "").lower() == "full"
CASE = "case_entity_session_default_template"
KB = "msdyn_omnichannel_kbsearch"
MAX_DEPTH = 64
MAX_TEXT = 1 << 20
MAX_CONFIG_TEXT = 8 << 20

#: Where an argument goes, and how its errors name it.
TARGETS = {
    "createSession": "createSession: SessionInput",
    "sessionContext": "createSession: SessionInput.sessionContext",
    "parametersStr": "createSession: SessionInput.sessionContext.parametersStr",
    "updateContext": "session.updateContext: input",
    "configure": "configure: options",
    "appContext": "createTab: AppTabInput.appContext",
}
#: Levels between the argument the model checks first and the spec's value (a session context
#: is checked as part of its SessionInput).
ROOT_DEPTH = {"sessionContext": 1, "appContext": 1}
ROOT_NAME = {
    "sessionContext": "createSession: SessionInput",
    "appContext": "createTab: AppTabInput",
}


@dataclass(frozen=True)
class Case:
    """One hostile call: `spec` built into an argument for `target`; `error` is the exact
    message expected (None: the call succeeds)."""

    id: str
    target: str
    spec: list[Any]
    error: str | None
    code: int = 400
    extra: dict[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------- building arguments (Python)
def build(spec: list[Any]) -> Any:
    """The Python value for a spec (see `BUILD_JS` for the same in the page)."""
    kind, *rest = spec
    if kind == "value":
        return rest[0]
    if kind == "text-deep":
        opener, leaf, closer, n = rest
        return opener * n + leaf + closer * n
    if kind == "text-big":
        n = rest[0]
        return '{"templateName":"' + "x" * n + '"}'
    if kind in ("deep-array", "deep-object", "deep-map"):
        n = rest[0]
        value: Any = 1
        for _ in range(n):
            value = [value] if kind == "deep-array" else {"a": value}
            if kind == "deep-map":
                value = JsMap((("a", value["a"]),))
        return value
    if kind == "big-string-value":
        return {"k": "x" * rest[0]}
    if kind == "big-key":
        return {"k" * rest[0]: "v"}
    if kind == "wide":
        return {f"k{i}": i for i in range(rest[0])}
    if kind == "cyclic":
        cyclic: dict[str, Any] = {"templateName": CASE}
        cyclic["self"] = cyclic
        return cyclic
    raise ValueError(kind)


BUILD_JS = r"""
const build = (spec) => {
  const [kind, ...rest] = spec;
  if (kind === "value") return rest[0];
  if (kind === "text-deep") { const [o, leaf, c, n] = rest; return o.repeat(n) + leaf + c.repeat(n); }
  if (kind === "text-big") return '{"templateName":"' + "x".repeat(rest[0]) + '"}';
  if (kind === "deep-array" || kind === "deep-object" || kind === "deep-map") {
    let v = 1;
    for (let i = 0; i < rest[0]; i++) {
      v = kind === "deep-array" ? [v] : kind === "deep-map" ? new Map([["a", v]]) : {a: v};
    }
    return v;
  }
  if (kind === "big-string-value") return {k: "x".repeat(rest[0])};
  if (kind === "big-key") return {["k".repeat(rest[0])]: "v"};
  if (kind === "wide") { const o = {}; for (let i = 0; i < rest[0]; i++) o["k" + i] = i; return o; }
  if (kind === "cyclic") { const c = {templateName: CASE}; c.self = c; return c; }
  throw new Error("unknown spec " + kind);
};
"""


def place(target: str, arg: Any) -> Any:
    """The whole argument of the call for `target` (the spec's value placed inside it)."""
    if target == "sessionContext":
        return {"templateName": CASE, "sessionContext": arg}
    if target == "parametersStr":
        return {"templateName": CASE, "sessionContext": {"parametersStr": arg}}
    if target == "appContext":
        return {"templateName": KB, "appContext": arg}
    return arg


PLACE_JS = r"""
const place = (target, arg) => {
  if (target === "sessionContext") return {templateName: CASE, sessionContext: arg};
  if (target === "parametersStr") return {templateName: CASE, sessionContext: {parametersStr: arg}};
  if (target === "appContext") return {templateName: KB, appContext: arg};
  return arg;
};
"""


# ---------------------------------------------------------------- runners
@dataclass
class Outcome:
    """What one call did: its error (code, message) or none, and whether the state moved."""

    id: str
    code: int | None
    message: str | None
    changed: bool
    ms: float


def run_native(cases: list[Case]) -> list[Outcome]:
    """Run each case on a fresh native workspace holding one extra session."""
    outcomes = []
    for case in cases:
        ws = Workspace()
        sid = ws.create_session({"templateName": CASE})
        before = json.dumps(ws.state())
        arg = place(case.target, build(case.spec))
        start = time.perf_counter()
        code = message = None
        try:
            _call_native(ws, sid, case.target, arg)
        except ApmError as error:
            code, message = error.code, error.message
        ms = (time.perf_counter() - start) * 1000
        outcomes.append(Outcome(case.id, code, message, json.dumps(ws.state()) != before, ms))
        json.dumps(ws.calls())  # the log stays readable
    return outcomes


def _call_native(ws: Workspace, sid: str, target: str, arg: Any) -> Any:
    if target in ("createSession", "sessionContext", "parametersStr"):
        return ws.create_session(arg)
    if target == "updateContext":
        return ws.session_update_context(sid, arg)
    if target == "configure":
        return ws.configure(arg)
    if target == "appContext":
        return ws.create_tab(arg)
    raise ValueError(target)


RUN_JS = (
    r"""
async (cases) => {
  const CASE = "case_entity_session_default_template", KB = "msdyn_omnichannel_kbsearch";
"""
    + BUILD_JS
    + PLACE_JS
    + r"""
  const call = async (target, sid, arg) => {
    if (["createSession", "sessionContext", "parametersStr"].includes(target))
      return await Microsoft.Apm.createSession(arg);
    if (target === "updateContext") return await Microsoft.Apm.getSession(sid).updateContext(arg);
    if (target === "configure") return PyApm.configure(arg);
    if (target === "appContext") return await Microsoft.Apm.createTab(arg);
    throw new Error("unknown target " + target);
  };
  const out = [];
  for (const c of cases) {
    PyApm.reset({restoreDefaults: true});
    const sid = await Microsoft.Apm.createSession({templateName: CASE});
    const before = JSON.stringify(PyApm.state());
    const arg = place(c.target, build(c.spec));
    const t0 = performance.now();
    let code = null, message = null;
    try {
      await call(c.target, sid, arg);
    } catch (e) {
      code = e && typeof e.errorCode === "number" ? e.errorCode : -1;
      message = e && e.message;
    }
    const ms = performance.now() - t0;
    const changed = JSON.stringify(PyApm.state()) !== before;
    JSON.stringify(PyApm.calls());
    out.push({id: c.id, code, message, changed, ms});
  }
  PyApm.reset({restoreDefaults: true});
  return out;
}
"""
)


def run_browser(page: Any, cases: list[Case]) -> list[Outcome]:
    """Run the cases in the page, in one `evaluate` per few cases (big arguments are built there)."""
    outcomes: list[Outcome] = []
    payload = [{"id": c.id, "target": c.target, "spec": c.spec} for c in cases]
    for start in range(0, len(payload), 25):
        for item in page.evaluate(RUN_JS, payload[start : start + 25]):
            outcomes.append(Outcome(**item))
    return outcomes


def check(cases: list[Case], outcomes: list[Outcome]) -> None:
    """Every outcome is what its case expects: the exact error and no change, or success."""
    problems = []
    for case, got in zip(cases, outcomes, strict=True):
        if case.error is None:
            if got.code is not None:
                problems.append(f"{case.id}: expected success, got {got.code} {got.message}")
        elif (got.code, got.message) != (case.code, case.error):
            problems.append(
                f"{case.id}: expected {case.code} {case.error!r}, got {got.code} {got.message!r}"
            )
        elif got.changed:
            problems.append(f"{case.id}: refused but changed the state")
    assert not problems, "\n".join(problems[:20])


def path(target: str, steps: list[str]) -> str:
    """The name an error gives a value `steps` below the argument root of `target`, written
    the way the model shortens long paths (first four steps, a count, last two)."""
    root = ROOT_NAME.get(target, TARGETS[target])
    parts = [".sessionContext"] if target == "sessionContext" else []
    parts += [".appContext"] if target == "appContext" else []
    parts += steps
    if len(parts) > 8:
        parts = [*parts[:4], f"...({len(parts) - 6} more)", *parts[-2:]]
    return root + "".join(parts)
