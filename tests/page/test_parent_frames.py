"""Calls a web resource makes through `window.parent` (it does not load shim.js) carry the tab
hosting its frame, like calls through a frame's own `Microsoft`: `PyApm.calls()[i].frame`, the
timeline's frame column and warning APM-W002, for the three API faces.

The web resource is `parent_frames/pf_parent.html` with its scripts `pf_sloppy.js` (sloppy mode)
and `pf_strict.js` (a strict class). A tab's frame is told by its hooked `parent` (no stack is
read: `stack_reads` counts `Error.captureStackTrace` calls); a frame that is not hooked (reloaded
by its own code) by the script URL on the call stack, so those tests call the functions its
scripts define (code evaluated by the test itself has no script URL)."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

FILES = Path(__file__).resolve().parent / "parent_frames"
ROUTE = "**/webresources/pf_*"
CASE = "case_entity_session_default_template"
KB = "msdyn_omnichannel_kbsearch"
pytestmark = pytest.mark.skipif(
    bool(os.environ.get("PY_APM_PAGE_FAKE")), reason="needs the real shim and model"
)


@pytest.fixture
def page(ws: Any) -> Iterator[Any]:
    """The shared page, reset, serving `parent_frames/` as the web resources `pf_*`."""

    def fulfill(route: Any) -> None:
        name = route.request.url.split("/webresources/", 1)[1].split("?", 1)[0]
        route.fulfill(path=FILES / name)

    ws.route(ROUTE, fulfill)
    yield ws
    ws.unroute(ROUTE, fulfill)


def create_case(page: Any, entity_id: str) -> str:
    params = json.dumps([["entityName", "incident"], ["entityId", entity_id]])
    return page.evaluate(
        """([t, p]) => Microsoft.Apm.createSession({templateName: t,
            sessionContext: new Map([["parametersStr", p]])})""",
        [CASE, params],
    )


def open_web_resource(
    page: Any, data: str | None = None, name: str = "pf_parent.html"
) -> tuple[str, Any]:
    """A web resource (pf_parent.html) as a focused tab of the focused session: its id and its
    frame, once loaded."""
    tid = page.evaluate("([n, d]) => PyApm.ui.openWebResource(n, d ?? undefined)", [name, data])
    element = page.locator(f'[data-testid="tab-frame"][data-tab-id="{tid}"]')
    expect(element).to_have_attribute("src", re.compile(name.split(".")[0]))
    frame = element.element_handle().content_frame()
    frame.wait_for_load_state("load")
    return tid, frame


@pytest.fixture
def stack_reads(page: Any) -> Iterator[Any]:
    """A function giving how many times the top window's `Error.captureStackTrace` ran so far
    (the shim reads a call stack with it, and with nothing else)."""
    page.evaluate(
        """() => {
            const orig = Error.captureStackTrace;
            window.__pfStack = {n: 0, orig};
            Error.captureStackTrace = function (...a) { window.__pfStack.n++; return orig.apply(this, a); };
        }"""
    )
    yield lambda: page.evaluate("window.__pfStack.n")
    page.evaluate(
        "() => { Error.captureStackTrace = window.__pfStack.orig; delete window.__pfStack; }"
    )


def last_call(page: Any) -> dict[str, Any]:
    return page.evaluate("PyApm.calls().at(-1)")


def codes(call: dict[str, Any]) -> list[str]:
    return [w["code"] for w in call["warnings"]]


def test_background_frame_through_parent_is_tagged_and_warned(page: Any) -> None:
    s1 = create_case(page, "11111111-0000-0000-0000-000000000000")
    tid, frame = open_web_resource(page)
    assert frame.evaluate("inlineFocused()") == s1
    call = last_call(page)
    assert (call["method"], call["frame"], call["warnings"]) == ("getFocusedSession", tid, [])
    s2 = create_case(page, "22222222-0000-0000-0000-000000000000")  # the frame is in the background
    assert frame.evaluate("inlineFocused()") == s2
    call = last_call(page)
    assert (call["frame"], codes(call)) == (tid, ["APM-W002"])
    assert f"in session '{s1}', which is not the focused session '{s2}'" in call["warning"]
    page.get_by_test_id("timeline-toggle").click()
    rows = page.locator('[data-testid="timeline-rows"] [data-testid="timeline-row"]')
    tagged = rows.filter(has=page.locator('[data-testid="timeline-frame"]', has_text=tid))
    expect(tagged.filter(has_text="APM-W002")).to_have_count(1)
    page.evaluate("PyApmWorkspace.timeline.close()")


def test_cached_reference_in_a_timer_and_a_then_callback(page: Any) -> None:
    tid, frame = open_web_resource(page)
    sid = page.evaluate("Microsoft.Apm.getFocusedSession().sessionId")
    assert last_call(page)["frame"] is None
    assert frame.evaluate("cachedLater()") == sid  # `apm` cached at load, used in setTimeout
    assert last_call(page)["frame"] == tid
    assert frame.evaluate("sloppyThen()") == f"{sid}|null"  # inside getContext().then(...)
    assert last_call(page)["frame"] == tid


def test_session_object_methods_and_setters(page: Any) -> None:
    sid = create_case(page, "11111111-0000-0000-0000-000000000000")
    tid, frame = open_web_resource(page)
    assert frame.evaluate("sloppyTabs()") == page.evaluate(
        "(id) => Microsoft.Apm.getSession(id).getAllTabs()", sid
    )
    frame.evaluate("sloppyTabs()")
    assert (last_call(page)["method"], last_call(page)["frame"]) == ("session.getAllTabs", tid)
    frame.evaluate("sloppySetTitle('Set by the frame')")
    call = last_call(page)
    assert (call["method"], call["args"], call["frame"]) == (
        "session.title",
        [sid, "Set by the frame"],
        tid,
    )
    assert page.evaluate("(id) => Microsoft.Apm.getSession(id).title", sid) == "Set by the frame"


@pytest.mark.parametrize(
    "expression",
    ["sloppyXrm()", "sloppyRuntime()", "strictApm.xrm()", "strictApm.runtime()"],
)
def test_xrm_and_app_runtime_faces_through_parent(page: Any, expression: str) -> None:
    s1 = create_case(page, "11111111-0000-0000-0000-000000000000")
    tid, frame = open_web_resource(page)
    s2 = create_case(page, "22222222-0000-0000-0000-000000000000")
    assert frame.evaluate(expression) == s2
    call = last_call(page)
    assert (call["method"], call["frame"], codes(call)) == ("getFocusedSession", tid, ["APM-W002"])
    assert f"in session '{s1}'" in call["warning"]


def test_scripts_from_separate_files_sloppy_and_strict(page: Any) -> None:
    create_case(page, "11111111-0000-0000-0000-000000000000")
    tid, frame = open_web_resource(page)
    create_case(page, "22222222-0000-0000-0000-000000000000")
    for expression in ("sloppyFocused()", "strictApm.focused()"):
        frame.evaluate(expression)
        assert (last_call(page)["frame"], codes(last_call(page))) == (tid, ["APM-W002"])
    created = frame.evaluate("(t) => strictApm.createTab(t)", KB)  # a Promise of the id
    call = last_call(page)
    assert (call["method"], call["result"], call["frame"]) == ("createTab", created, tid)
    assert codes(call) == ["APM-W002"]


def test_frame_loading_the_shim_has_all_three_faces_bound(page: Any, stack_reads: Any) -> None:
    """A frame that loads shim.js gets its tab's Microsoft.Apm, Microsoft.AppRuntime and
    Xrm.App.sessions (before, only Microsoft.Apm was bound)."""
    create_case(page, "11111111-0000-0000-0000-000000000000")
    tid, frame = open_web_resource(page, name="pf_own.html")
    s2 = create_case(page, "22222222-0000-0000-0000-000000000000")
    before = stack_reads()
    for face in ("Microsoft.Apm", "Microsoft.AppRuntime.Sessions", "Xrm.App.sessions"):
        assert frame.evaluate(f"{face}.getFocusedSession().sessionId") == s2
        assert (last_call(page)["frame"], codes(last_call(page))) == (tid, ["APM-W002"])
    assert stack_reads() == before


def test_code_reading_parent_is_tagged_through_top_is_not(page: Any, stack_reads: Any) -> None:
    """Console-like code (no script URL) that reads `parent` is tagged; `top.Microsoft` is the
    page's own (a documented trade-off), and `parent` is still the top window."""
    tid, frame = open_web_resource(page)
    before = stack_reads()
    frame.evaluate("window.parent.Microsoft.Apm.getFocusedSession()")  # as from the console
    assert last_call(page)["frame"] == tid
    frame.evaluate("window.top.Microsoft.Apm.getFocusedSession()")
    assert last_call(page)["frame"] is None
    assert stack_reads() == before
    assert frame.evaluate(
        """() => [parent === top, window.parent === window.top, parent.Microsoft !== top.Microsoft,
                  parent.Microsoft.Apm === parent.Microsoft.Apm,
                  parent.Microsoft.CIFramework === top.Microsoft.CIFramework]"""
    ) == [True, True, True, True, True]


def test_cached_parent_apm_is_tagged_without_a_stack(page: Any, stack_reads: Any) -> None:
    s1 = create_case(page, "11111111-0000-0000-0000-000000000000")
    tid, frame = open_web_resource(page)
    s2 = create_case(page, "22222222-0000-0000-0000-000000000000")  # the frame is in the background
    before = stack_reads()
    assert frame.evaluate("cachedLater()") == s2  # `apm` cached at load, used in setTimeout
    call = last_call(page)
    assert (call["method"], call["frame"], codes(call)) == ("getFocusedSession", tid, ["APM-W002"])
    assert f"in session '{s1}'" in call["warning"]
    assert frame.evaluate("strictApm.xrm()") == s2
    assert (last_call(page)["frame"], codes(last_call(page))) == (tid, ["APM-W002"])
    assert stack_reads() == before


def test_page_call_with_a_hooked_tab_open_reads_no_stack(page: Any, stack_reads: Any) -> None:
    open_web_resource(page)
    before = stack_reads()
    page.evaluate("Microsoft.Apm.getFocusedSession().getAllTabs()")
    page.evaluate("Xrm.App.sessions.getFocusedSession().sessionId")
    assert (last_call(page)["method"], last_call(page)["frame"]) == ("getFocusedSession", None)
    assert stack_reads() == before


def test_reloaded_frame_is_tagged_from_the_stack(page: Any, stack_reads: Any) -> None:
    """A frame that reloads itself has a new Window, not hooked: its calls through the page's
    objects (even a reference cached at load) are still tagged, from the call stack."""
    create_case(page, "11111111-0000-0000-0000-000000000000")
    tid, frame = open_web_resource(page)
    s2 = create_case(page, "22222222-0000-0000-0000-000000000000")
    frame.evaluate("() => { window.pfOld = true; location.reload(); }")
    frame.wait_for_function(
        "!window.pfOld && typeof window.strictApm === 'object' && typeof cachedLater === 'function'"
    )
    before = stack_reads()
    for expression in ("cachedLater()", "sloppyFocused()", "strictApm.runtime()"):
        assert frame.evaluate(expression) == s2
        assert (last_call(page)["frame"], codes(last_call(page))) == (tid, ["APM-W002"])
    assert stack_reads() > before
    page.evaluate("Microsoft.Apm.getFocusedSession()")
    assert last_call(page)["frame"] is None


def test_refreshed_tab_is_hooked_again(page: Any, stack_reads: Any) -> None:
    tid, _ = open_web_resource(page)
    page.evaluate("(id) => Microsoft.Apm.refreshTab(id)", tid)
    element = page.locator(f'[data-testid="tab-frame"][data-tab-id="{tid}"]')
    page.wait_for_function(
        """(id) => {
            const f = document.querySelector(`[data-testid=tab-frame][data-tab-id='${id}']`);
            return f && f.contentWindow.inlineFocused && f.contentDocument.readyState === "complete";
        }""",
        arg=tid,
    )
    frame = element.element_handle().content_frame()
    before = stack_reads()
    frame.evaluate("cachedLater()")
    assert last_call(page)["frame"] == tid
    page.evaluate("Microsoft.Apm.getFocusedSession()")
    assert last_call(page)["frame"] is None
    assert stack_reads() == before


def test_message_source_is_parent_in_the_frame(page: Any) -> None:
    tid, frame = open_web_resource(page)
    frame.evaluate(
        """() => { window.pfMessage = null;
            addEventListener("message", (e) => { window.pfMessage = [e.source === parent, e.source === top, e.data]; }); }"""
    )
    page.evaluate(
        "(id) => document.querySelector(`iframe[data-tab-id='${id}']`).contentWindow.postMessage('hi', '*')",
        tid,
    )
    frame.wait_for_function("window.pfMessage !== null")
    assert frame.evaluate("window.pfMessage") == [True, True, "hi"]


def test_closed_frame_listener_is_dropped(page: Any) -> None:
    """A `PyApm.onChange` listener made in a frame (through `parent`) runs as the frame's until
    the frame's tab is closed, then never again."""
    tid, frame = open_web_resource(page)
    frame.evaluate(
        "() => { parent.PyApm.onChange(() => parent.Microsoft.Apm.canCreateSession()); }"
    )
    create_case(page, "11111111-0000-0000-0000-000000000000")
    ran = [c for c in page.evaluate("PyApm.calls()") if c["method"] == "canCreateSession"]
    assert ran and all(c["frame"] == tid for c in ran)
    page.evaluate("(id) => PyApm.ui.closeTab(id)", tid)
    expect(page.locator(f'iframe[data-tab-id="{tid}"]')).to_have_count(0)
    seq = last_call(page)["seq"]
    create_case(page, "22222222-0000-0000-0000-000000000000")
    after = [c["method"] for c in page.evaluate("PyApm.calls()") if c["seq"] > seq]
    assert after == ["createSession"]


def test_the_page_own_calls_are_untagged_with_frames_hosted(page: Any) -> None:
    page.evaluate("Microsoft.Apm.getFocusedSession()")
    assert last_call(page)["frame"] is None
    open_web_resource(page)
    page.evaluate("Microsoft.Apm.getFocusedSession()")
    assert last_call(page)["frame"] is None
    # the page's own script (an inline one: its URL is the page's)
    page.add_script_tag(content="window.pfTopCall = () => Microsoft.Apm.getAllSessions();")
    page.evaluate("pfTopCall()")
    assert (last_call(page)["method"], last_call(page)["frame"]) == ("getAllSessions", None)


def test_same_web_resource_in_two_sessions(page: Any) -> None:
    """The same page and script file in two tabs: each tab's calls carry that tab."""
    s1 = create_case(page, "11111111-0000-0000-0000-000000000000")
    tid1, frame1 = open_web_resource(page, "one")
    s2 = create_case(page, "22222222-0000-0000-0000-000000000000")
    tid2, frame2 = open_web_resource(page, "two")
    assert frame1.evaluate("inlineFocused()") == s2
    call = last_call(page)
    assert (call["frame"], codes(call)) == (tid1, ["APM-W002"])
    assert f"in session '{s1}'" in call["warning"]
    assert frame2.evaluate("inlineFocused()") == s2
    assert (last_call(page)["frame"], codes(last_call(page))) == (tid2, [])
    for tid, frame in ((tid1, frame1), (tid2, frame2)):
        frame.evaluate("sloppyFocused()")  # pf_sloppy.js: loaded by both tabs, told by `parent`
        assert last_call(page)["frame"] == tid


def test_handlers_and_listeners_are_tagged_with_who_runs_them(page: Any) -> None:
    """A frame's Xrm handler run inside the page's call is the frame's; the page's listener run
    inside the frame's call is the page's."""
    create_case(page, "11111111-0000-0000-0000-000000000000")
    tid, frame = open_web_resource(page)
    frame.evaluate("listenForSwitch()")
    s2 = create_case(page, "22222222-0000-0000-0000-000000000000")  # the switch runs the handler
    calls = page.evaluate("PyApm.calls()")
    create = next(c for c in reversed(calls) if c["method"] == "createSession")
    handler = next(c for c in reversed(calls) if c["method"] == "getAllSessions")
    assert create["frame"] is None
    assert handler["frame"] == tid and handler["seq"] > create["seq"]
    page.evaluate(
        "() => { window.pfStop = PyApm.onChange(() => Microsoft.Apm.canCreateSession()); }"
    )
    try:
        created = frame.evaluate("(t) => sloppyCreateTab(t)", KB)
    finally:
        page.evaluate("() => { window.pfStop(); }")
    calls = page.evaluate("PyApm.calls()")
    create = next(c for c in calls if c["method"] == "createTab" and c["result"] == created)
    assert (create["frame"], codes(create)) == (tid, ["APM-W002"])
    assert created in page.evaluate("(id) => Microsoft.Apm.getSession(id).getAllTabs()", s2)
    listener = [c for c in calls if c["method"] == "canCreateSession" and c["seq"] > create["seq"]]
    assert listener and all(c["frame"] is None for c in listener)


@pytest.mark.parametrize(
    "sessions", ["parent.Xrm.App.sessions", "parent.Microsoft.AppRuntime.Sessions"]
)
def test_closed_frame_handler_is_dropped(page: Any, sessions: str) -> None:
    """An `addOnAfterSessionCreate` handler made in a frame runs until the frame's tab is closed,
    then never again (like an `onChange` listener): its frame is gone."""
    page.evaluate("window.pfRuns = []")
    tid, frame = open_web_resource(page)
    frame.evaluate(
        f"() => {{ const top = parent; {sessions}.addOnAfterSessionCreate(() => top.pfRuns.push(1)); }}"
    )
    create_case(page, "11111111-0000-0000-0000-000000000000")
    assert page.evaluate("pfRuns.length") == 1
    page.evaluate("(id) => PyApm.ui.closeTab(id)", tid)
    expect(page.locator(f'iframe[data-tab-id="{tid}"]')).to_have_count(0)
    create_case(page, "22222222-0000-0000-0000-000000000000")
    runs = page.evaluate("() => { const n = pfRuns.length; delete window.pfRuns; return n; }")
    assert runs == 1  # (the module's pages are shared: the global goes with the test)


def test_closed_tab_bound_objects_are_not_kept(page: Any) -> None:
    """What a tab's frame was handed through `parent` (its bound `Microsoft`, `Xrm.App.sessions`,
    the session objects they return) is not kept once the tab closes: a run opening and closing
    web-resource tabs keeps nothing per closed tab."""
    tid, frame = open_web_resource(page)
    frame.evaluate(
        """() => { const t = parent;
            t.__pfRefs = [new t.WeakRef(parent.Microsoft), new t.WeakRef(parent.Xrm.App.sessions),
                          new t.WeakRef(parent.Microsoft.Apm.getFocusedSession())]; }"""
    )
    assert page.evaluate("__pfRefs.every((r) => r.deref() !== undefined)")
    page.evaluate("(id) => PyApm.ui.closeTab(id)", tid)
    expect(page.locator(f'iframe[data-tab-id="{tid}"]')).to_have_count(0)
    page.evaluate("() => new Promise((r) => setTimeout(r, 0))")  # WeakRefs hold until the task ends
    page.context.new_cdp_session(page).send("HeapProfiler.collectGarbage")
    kept = page.evaluate("() => __pfRefs.map((r) => r.deref() !== undefined)")
    assert kept == [False, False, False]
    page.evaluate("() => { delete window.__pfRefs; }")
