"""Differential test: the same random operation sequences on the native `Workspace` and on
`BrowserWorkspace(apm_page)` (the real `Microsoft.Apm` in Chromium) give the same return
values, the same (code, message) errors, and the same `state()` after every step.

20 sequences x 30 steps by default; ``PY_APM_DIFF_SEQUENCES`` / ``PY_APM_DIFF_STEPS`` for more.
"""

from __future__ import annotations

import math
import os
import random
import re
from collections.abc import Callable
from typing import Any

import pytest

from py_apm import ApmError, Workspace
from py_apm.client import BrowserContext, BrowserSession, BrowserTab, BrowserWorkspace
from py_apm.model.invariants import check_state
from py_apm.model.views import Context, Session, Tab

SEQUENCES = int(os.environ.get("PY_APM_DIFF_SEQUENCES", "20"))
STEPS = int(os.environ.get("PY_APM_DIFF_STEPS", "30"))
SEEDS = [1000 + i for i in range(SEQUENCES)]
RESET_OPTIONS = {"restoreDefaults": True}

TEMPLATES = ["case_entity_session_default_template", "msdyn_chat_session", "new_unknown"]
TAB_TEMPLATES = ["msdyn_omnichannel_kbsearch", "msdyn_entityrecord", "new_unknown_tab"]
JUNK: list[Any] = [
    None,
    0,
    -1,
    3.5,
    float("nan"),
    "",
    "session-id-999",
    "tab-id-999",
    "{",
    True,
    [],
    [1, [2]],
    {},
    {"templateName": 5},
    {"a": {"b": None}},
    "x" * 300,
    "\u00e9\u4e2d\U0001f600",
]
TEXTS = ["", "a", "Case 42", "{anchor.title}", "  spaced  ", "\u00e9\u4e2d", "x" * 50]
NULLISH = re.compile(r"\b(null|undefined)\b")
KEYS = ["customerName", "k", "a b", "", "{x}", "anchor.x", "caseId"]


def normalize(value: Any) -> Any:
    """Backend objects to comparable values."""
    if isinstance(value, (Session, BrowserSession)):
        return ("session", value.session_id)
    if isinstance(value, (Tab, BrowserTab)):
        return ("tab", value.tab_id)
    if isinstance(value, (Context, BrowserContext)):
        return ("context", value.template_name, dict(value.parameters))
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    if isinstance(value, dict):
        return {k: normalize(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [normalize(v) for v in value]
    return value


def comparable_state(state: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in state.items() if k != "revision"}


class Side:
    """One backend plus the session/tab objects handed out so far (kept after closing)."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.sessions: dict[str, Any] = {}
        self.tabs: dict[str, Any] = {}

    def run(self, op: Callable[[Side], Any]) -> tuple[str, Any]:
        try:
            return ("ok", normalize(op(self)))
        except ApmError as error:
            assert isinstance(error.code, int) and error.message
            # Python None is JS undefined natively but arrives in the page as null, and a
            # Python float('nan') is "number" natively but "NaN" once it is a JS value.
            message = NULLISH.sub("null|undefined", error.message).replace("got NaN", "got number")
            if message.endswith("got null|undefined"):
                # a missing argument ("is required") natively vs a null one in the page
                message = message.split(":", 1)[0] + ": <null or undefined>"
            return ("error", (error.code, message))

    def session(self, sid: str) -> Any:
        if sid not in self.sessions:
            found = self.ws.get_session(sid)
            if found is None:
                raise ApmError(404, f"(test) no session {sid}")
            self.sessions[sid] = found
        return self.sessions[sid]

    def tab(self, sid: str, tid: str) -> Any:
        if tid not in self.tabs:
            found = self.session(sid).get_tab(tid)
            if found is None:
                raise ApmError(404, f"(test) no tab {tid}")
            self.tabs[tid] = found
        return self.tabs[tid]


def _session_input(rng: random.Random) -> Any:
    if rng.random() < 0.15:
        return rng.choice(JUNK)
    pairs = f'[["entityName", "incident"], ["entityId", "{rng.randint(0, 99)}"]]'
    data: dict[str, Any] = {"templateName": rng.choice(TEMPLATES), "isFocused": rng.random() < 0.7}
    if rng.random() < 0.8:
        data["sessionContext"] = {"parametersStr": pairs}
    if rng.random() < 0.1:
        data["sessionContext"] = {"parametersStr": rng.choice(JUNK)}
    return data


def _tab_input(rng: random.Random) -> Any:
    if rng.random() < 0.15:
        return rng.choice(JUNK)
    context = {"data": rng.choice(TEXTS), "entityName": "task", "webresourceName": "a.html"}
    if rng.random() < 0.3:
        context["entityId"] = str(rng.randint(1, 9))
    return {
        "templateName": rng.choice(TAB_TEMPLATES),
        "isFocused": rng.random() < 0.6,
        "appContext": context,
    }


def make_operation(
    rng: random.Random, state: dict[str, Any], known: set[str]
) -> tuple[str, Callable[[Side], Any]]:
    """A random operation (a label and a function of a Side), from the current state."""
    sids = [s["sessionId"] for s in state["sessions"]]
    pairs = [(s["sessionId"], t["tabId"]) for s in state["sessions"] for t in s["tabs"]]
    # sometimes an id that existed before (closed since): stale objects must fail alike
    stale = sorted(known - set(sids) - {t for _, t in pairs})
    sid = rng.choice(sids)
    psid, tid = rng.choice(pairs)
    if stale and rng.random() < 0.15:
        stale_id = rng.choice(stale)
        if stale_id.startswith("session"):
            sid = stale_id
        else:
            tid = stale_id
    any_id = rng.choice([sid, tid, *JUNK[:8]])
    text = rng.choice(TEXTS)
    flag = rng.choice([True, False, True, None, "yes", 1])
    choice = rng.randrange(26)
    s_in, t_in = _session_input(rng), _tab_input(rng)
    values = {rng.choice(KEYS): rng.choice(TEXTS) for _ in range(rng.randint(0, 3))}
    if rng.random() < 0.1:
        values = rng.choice(JUNK)

    def sess(side: Side) -> Any:
        return side.session(sid)

    def tab(side: Side) -> Any:
        return side.tab(psid, tid)

    def set_attr(obj: Callable[[Side], Any], name: str, value: Any) -> Callable[[Side], Any]:
        return lambda side: setattr(obj(side), name, value)

    ops: list[tuple[str, Callable[[Side], Any]]] = [
        (f"createSession({s_in!r:.80})", lambda side: side.ws.create_session(s_in)),
        (f"createTab({t_in!r:.80})", lambda side: side.ws.create_tab(t_in)),
        (f"closeTab({any_id!r:.40})", lambda side: side.ws.close_tab(any_id)),
        (f"focusTab({any_id!r:.40})", lambda side: side.ws.focus_tab(any_id)),
        (f"refreshTab({any_id!r:.40})", lambda side: side.ws.refresh_tab(any_id)),
        (f"getSession({any_id!r:.40})", lambda side: side.ws.get_session(any_id)),
        ("getAllSessions()", lambda side: side.ws.get_all_sessions()),
        ("getFocusedSession()", lambda side: side.ws.get_focused_session()),
        ("canCreateSession()", lambda side: side.ws.can_create_session()),
        (f"{sid}.close()", lambda side: sess(side).close()),
        (f"{sid}.focus()", lambda side: sess(side).focus()),
        (f"{sid}.requestFocus()", lambda side: sess(side).request_focus()),
        (f"{sid}.title = {text!r:.40}", set_attr(sess, "title", text)),
        (f"{sid}.canClose = {flag!r}", set_attr(sess, "can_close", flag)),
        (f"{sid}.updateContext({values!r:.80})", lambda side: sess(side).update_context(values)),
        (f"{sid}.resolveSlug({text!r:.40})", lambda side: sess(side).resolve_slug(text)),
        (f"{sid}.getAllTabs()", lambda side: sess(side).get_all_tabs()),
        (f"{sid}.getFocusedTab()", lambda side: sess(side).get_focused_tab()),
        (f"{sid}.createTab({t_in!r:.80})", lambda side: sess(side).create_tab(t_in)),
        (f"{sid}.getContext()", lambda side: sess(side).get_context()),
        (
            f"{sid}.getAllTabsForTemplate(...)",
            lambda side: sess(side).get_all_tabs_for_template(
                t_in.get("templateName") if isinstance(t_in, dict) else t_in
            ),
        ),
        (f"{tid}.close()", lambda side: tab(side).close()),
        (f"{tid}.focus()", lambda side: tab(side).focus()),
        (f"{tid}.refresh()", lambda side: tab(side).refresh()),
        (f"{tid}.title = {text!r:.40}", set_attr(tab, "title", text)),
        (f"{tid}.canClose = {flag!r}", set_attr(tab, "can_close", flag)),
    ]
    return ops[choice]


def browser_workspace_id(page: Any) -> str:
    topic = page.evaluate("() => Microsoft.Apm.getEventPublisherTopic('ON_TAB_SWITCH')")
    assert topic.startswith("py-apm.") and topic.endswith(".ON_TAB_SWITCH"), topic
    return topic[len("py-apm.") : -len(".ON_TAB_SWITCH")]


@pytest.mark.parametrize("seed", SEEDS)
def test_native_and_browser_agree(apm_page: Any, seed: int) -> None:
    rng = random.Random(seed)
    browser = Side(BrowserWorkspace(apm_page))
    browser.ws.reset(RESET_OPTIONS)
    native = Side(Workspace(workspace_id=browser_workspace_id(apm_page)))
    native.ws.reset(RESET_OPTIONS)
    assert comparable_state(native.ws.state()) == comparable_state(browser.ws.state())
    known: set[str] = set()
    trail: list[str] = []
    for step in range(STEPS):
        state = native.ws.state()
        known |= {s["sessionId"] for s in state["sessions"]}
        known |= {t["tabId"] for s in state["sessions"] for t in s["tabs"]}
        if rng.random() < 0.03:
            label, op = "reset()", lambda side: side.ws.reset(RESET_OPTIONS)
            (
                native.sessions.clear(),
                native.tabs.clear(),
                browser.sessions.clear(),
                browser.tabs.clear(),
            )
            known = set()
        else:
            label, op = make_operation(rng, state, known)
        trail.append(label)
        where = f"seed {seed} step {step}: {' ; '.join(trail[-6:])}"
        expected = native.run(op)
        got = browser.run(op)
        assert got == expected, f"{where}\n native: {expected}\nbrowser: {got}"
        native_state = native.ws.state()
        assert comparable_state(browser.ws.state()) == comparable_state(native_state), where
        check_state(native_state)
