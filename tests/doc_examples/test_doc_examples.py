"""Every example of Microsoft's documentation, run verbatim in the browser and in Node, its EFFECT
asserted.

In the browser each example runs as a classic (sloppy-mode) script in a fresh same-origin frame
that includes `shim.js`, which binds the frame to the top page's emulator (decision 21). A fresh
frame gives each example its own global scope, as a web resource has, so top-level `const
session` in one example cannot clash with the next. In Node (py-apm booted by the npm package's
createApm) a "frame" is a script with its own global scope that sees the emulator's globals
(tests/node/driver.mjs). The state each example ASSUMES is built through the
documented API in the top page beforehand; effects are asserted through `PyApm.state()`, the
frame's console output and BroadcastChannel messages.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from py_apm.client import BrowserWorkspace

EXAMPLES = Path(__file__).parent / "examples"
MARKER = "// ---- BEGIN VERBATIM DOC EXAMPLE (everything after this line, to EOF) ----\n"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "doc_examples"
CASE = "case_entity_session_default_template"

FRAME_HTML = """<!doctype html><script>
(() => {
  window.__logs = []; window.__errors = [];
  const log = console.log.bind(console);
  console.log = (...a) => { window.__logs.push(a.map(String).join(" ")); log(...a); };
  addEventListener("error", (e) => window.__errors.push(String(e.message)));
  addEventListener("unhandledrejection", (e) => window.__errors.push(String(e.reason)));
})();
</script><script src="/shim.js"></script>"""


def example_code(name: str) -> str:
    """The verbatim example: everything after the BEGIN line of its file."""
    return (EXAMPLES / name).read_text(encoding="utf-8").split(MARKER, 1)[1]


class ExampleFrame:
    """A same-origin iframe of the workspace page (or a frame of the Node backend) in which one
    example runs."""

    def __init__(self, page: Any) -> None:
        self.page = page
        if hasattr(page, "new_frame"):  # the Node backend
            self.frame = page.new_frame()
        else:
            page.evaluate(
                """(html) => new Promise((done) => {
                     const f = document.createElement("iframe");
                     f.name = "doc-example"; f.style.display = "none"; f.srcdoc = html;
                     f.onload = () => done(); document.body.appendChild(f); })""",
                FRAME_HTML,
            )
            self.frame = page.frame(name="doc-example")
        assert self.frame.evaluate("() => window.Microsoft.Apm === window.top.Microsoft.Apm")

    def run(self, code: str) -> None:
        self.frame.add_script_tag(content=code)

    @property
    def logs(self) -> list[str]:
        return self.frame.evaluate("() => window.__logs.slice()")

    @property
    def errors(self) -> list[str]:
        return self.frame.evaluate("() => window.__errors.slice()")

    def global_value(self, name: str) -> Any:
        return self.frame.evaluate(f"() => window[{json.dumps(name)}]")

    def wait_for_logs(self, count: int = 1) -> list[str]:
        self.frame.wait_for_function(f"() => window.__logs.length >= {count}", timeout=5000)
        return self.logs

    def remove(self) -> None:
        if hasattr(self.frame, "remove"):
            self.frame.remove()
            return
        self.page.evaluate(
            "() => document.querySelectorAll('iframe[name=doc-example]').forEach(f => f.remove())"
        )


@pytest.fixture(
    params=[
        pytest.param("browser", marks=pytest.mark.browser),
        pytest.param("node", marks=[pytest.mark.node, pytest.mark.subprocess]),
    ]
)
def doc_page(request: pytest.FixtureRequest) -> Any:
    """The workspace page in Chromium, or py-apm's global in Node."""
    return request.getfixturevalue("apm_page" if request.param == "browser" else "apm_node_page")


@pytest.fixture
def apm(doc_page: Any) -> BrowserWorkspace:
    return BrowserWorkspace(doc_page)


@pytest.fixture
def frame(doc_page: Any) -> Any:
    example_frame = ExampleFrame(doc_page)
    yield example_frame
    example_frame.remove()


# ---------------------------------------------------------------- states the examples assume
def case(
    apm: BrowserWorkspace, entity_id: str = "11bb11bb-cc22-dd33-ee44-55ff55ff55ff", **extra: Any
) -> str:
    pairs = f'[["entityName", "incident"], ["entityId", "{entity_id}"]]'
    return apm.create_session(
        {"templateName": CASE, "sessionContext": {"parametersStr": pairs}, **extra}
    )


def kb_tab(apm: BrowserWorkspace, **extra: Any) -> str:
    return apm.create_tab({"templateName": "msdyn_omnichannel_kbsearch", **extra})


def sessions_up_to_4(apm: BrowserWorkspace) -> None:
    """session-id-1..4, session-id-1 focused (focus__1, requestFocus__1, ON_SESSION_SWITCH__1)."""
    case(apm)
    for _ in range(3):
        case(apm, isFocused=False)


def focused_session_with_focused_extra_tab(apm: BrowserWorkspace) -> None:
    case(apm)
    kb_tab(apm)


def session_with_tabs_1_to_5(apm: BrowserWorkspace) -> None:
    """session-id-1 holds tab-id-1 (anchor) .. tab-id-5; tab-id-2 focused."""
    case(apm)
    for _ in range(4):
        kb_tab(apm, isFocused=False)
    apm.focus_tab("tab-id-2")


def state(apm: BrowserWorkspace) -> dict[str, Any]:
    return apm.state()


def session_state(apm: BrowserWorkspace, session_id: str) -> dict[str, Any]:
    return next(s for s in apm.state()["sessions"] if s["sessionId"] == session_id)


def tab_state(apm: BrowserWorkspace, tab_id: str) -> dict[str, Any]:
    return next(t for s in apm.state()["sessions"] for t in s["tabs"] if t["tabId"] == tab_id)


@dataclass
class Case:
    """One example: how to prepare the workspace, and what to check afterwards."""

    file: str
    setup: Callable[[BrowserWorkspace], Any]
    check: Callable[[BrowserWorkspace, ExampleFrame, dict[str, Any]], None]


# ---------------------------------------------------------------- the checks
def check_created_case(entity_id: str, focused: bool) -> Callable[..., None]:
    def check(apm: BrowserWorkspace, frame: ExampleFrame, before: dict[str, Any]) -> None:
        after = state(apm)
        assert len(after["sessions"]) == len(before["sessions"]) + 1
        new = after["sessions"][-1]
        assert new["templateName"] == CASE
        assert new["tabs"][0]["parameters"] == {"entityName": "incident", "entityId": entity_id}
        expected_focus = new["sessionId"] if focused else before["focusedSessionId"]
        assert after["focusedSessionId"] == expected_focus

    return check


def check_focused_tab_closed(
    apm: BrowserWorkspace, frame: ExampleFrame, before: dict[str, Any]
) -> None:
    session = state(apm)["sessions"][1]
    assert [t["tabId"] for t in session["tabs"]] == ["tab-id-1"]
    assert session["focusedTabId"] == "tab-id-1"


def check_new_tab(template: str, parameters: dict[str, Any], page_type: str) -> Callable[..., None]:
    def check(apm: BrowserWorkspace, frame: ExampleFrame, before: dict[str, Any]) -> None:
        session = state(apm)["sessions"][1]
        assert len(session["tabs"]) == 2
        tab = session["tabs"][1]
        assert (tab["templateName"], tab["pageType"]) == (template, page_type)
        assert session["focusedTabId"] == tab["tabId"]
        actual = dict(tab["parameters"])
        if isinstance(parameters.get("data"), dict):
            actual["data"] = json.loads(actual["data"])
        assert actual == parameters

    return check


def check_placeholder_session(with_parameters: bool) -> Callable[..., None]:
    def check(apm: BrowserWorkspace, frame: ExampleFrame, before: dict[str, Any]) -> None:
        after = state(apm)
        new = after["sessions"][-1]
        assert after["focusedSessionId"] == new["sessionId"] == "session-id-1"
        assert (new["title"], new["templateName"]) == ("<template_name>", "<template_name>")
        if with_parameters:
            assert new["context"] == {"<custom_session_context_params_key>": "<Value>"}
            assert new["tabs"][0]["parameters"] == {
                "controlName": "<Control_Name>",
                "data": '{"<parameter>":"<Value>"}',
            }
        else:
            assert new["context"] == {
                "<custom_session_context_params_key>": '{"<parameter>":"<Value>"}',
                "<additional_custom_session_params>": "<Value>",
            }
        warning = apm.calls()[-1]["warning"]
        assert warning.startswith("createSession: unknown session template '<template_name>'")

    return check


def check_logs(expected: Callable[[BrowserWorkspace], list[str]]) -> Callable[..., None]:
    def check(apm: BrowserWorkspace, frame: ExampleFrame, before: dict[str, Any]) -> None:
        assert frame.logs == expected(apm)
        assert state(apm)["sessions"] == before["sessions"]

    return check


def check_refreshed(tab_id: str | None) -> Callable[..., None]:
    def check(apm: BrowserWorkspace, frame: ExampleFrame, before: dict[str, Any]) -> None:
        target = tab_id or before["sessions"][-1]["focusedTabId"]
        assert tab_state(apm, target)["refreshCount"] == 1
        changed = [
            t["tabId"] for s in state(apm)["sessions"] for t in s["tabs"] if t["refreshCount"]
        ]
        assert changed == [target]
        assert state(apm)["focusedSessionId"] == before["focusedSessionId"]

    return check


def check_event_log(
    trigger: Callable[[BrowserWorkspace], None], expected: str
) -> Callable[..., None]:
    def check(apm: BrowserWorkspace, frame: ExampleFrame, before: dict[str, Any]) -> None:
        assert frame.logs == []
        trigger(apm)
        assert frame.wait_for_logs(1)[0] == expected

    return check


def check_title(session_id: str, title: str) -> Callable[..., None]:
    def check(apm: BrowserWorkspace, frame: ExampleFrame, before: dict[str, Any]) -> None:
        assert session_state(apm, session_id)["title"] == title

    return check


def check_value(read: Callable[[BrowserWorkspace], Any], expected: Any) -> Callable[..., None]:
    """What ``read`` reads from the workspace after the example equals ``expected``."""

    def check(apm: BrowserWorkspace, frame: ExampleFrame, before: dict[str, Any]) -> None:
        assert read(apm) == expected

    return check


def check_global(name: str, value: str) -> Callable[..., None]:
    def check(apm: BrowserWorkspace, frame: ExampleFrame, before: dict[str, Any]) -> None:
        assert frame.global_value(name) == value

    return check


RECORDS = {"incident": {"11bb11bb-cc22-dd33-ee44-55ff55ff55ff": {"title": "Printer on fire"}}}

CASES = [
    Case(
        "ON_SESSION_CLOSED__1.js",
        lambda apm: case(apm),
        check_event_log(
            lambda apm: apm.get_session("session-id-1").close(), "Session closed: session-id-1"
        ),
    ),
    Case(
        "ON_SESSION_SWITCH__1.js",
        sessions_up_to_4,
        check_event_log(
            lambda apm: apm.get_session("session-id-4").focus(),
            "Previous session:  session-id-1 - Current session: session-id-4",
        ),
    ),
    Case(
        "ON_TAB_SWITCH__1.js",
        lambda apm: (case(apm), kb_tab(apm, isFocused=False)),
        check_event_log(
            lambda apm: apm.focus_tab("tab-id-2"),
            "Previous session:  session-id-1 Previous tab: tab-id-1 "
            "Current session: session-id-1 Previous tab: tab-id-2",
        ),
    ),
    Case(
        "canCloseSession__1.js",
        lambda apm: case(apm),
        lambda apm, frame, before: (
            session_state(apm, "session-id-1")["canClose"] is False
            or pytest.fail("canClose still true")
        ),
    ),
    Case("canCloseTab__1.js", focused_session_with_focused_extra_tab, check_focused_tab_closed),
    Case(
        "canCreateSession__1.js",
        lambda apm: None,
        check_created_case("11bb11bb-cc22-dd33-ee44-55ff55ff55ff", True),
    ),
    Case(
        "canCreateSession__2.js",
        lambda apm: None,
        check_created_case("fac04293-1ab0-eb11-8236-000d3a5c49ed", True),
    ),
    Case("canCreateTab__1.js", lambda apm: case(apm), check_logs(lambda apm: ["true"])),
    Case("closeTab__1.js", focused_session_with_focused_extra_tab, check_focused_tab_closed),
    Case("closeTab__2.js", focused_session_with_focused_extra_tab, check_focused_tab_closed),
    Case(
        "close__1.js",
        lambda apm: case(apm),
        lambda apm, frame, before: (
            (
                state(apm)["focusedSessionId"] == "session-id-0"
                and [s["sessionId"] for s in state(apm)["sessions"]] == ["session-id-0"]
                and apm.take_events()[-3]["name"] == "ON_SESSION_CLOSED"
            )
            or pytest.fail(f"session not closed: {state(apm)}")
        ),
    ),
    Case(
        "createSession__1.js",
        lambda apm: None,
        check_created_case("11bb11bb-cc22-dd33-ee44-55ff55ff55ff", True),
    ),
    Case(
        "createSession__2.js",
        lambda apm: case(apm, "00000000-0000-0000-0000-000000000001"),
        check_created_case("22cc22cc-dd33-ee44-ff55-66aa66aa66aa", False),
    ),
    Case(
        "createSession__3.js",
        lambda apm: None,
        check_created_case("fac04293-1ab0-eb11-8236-000d3a5c49ed", True),
    ),
    Case(
        "createSession__4.js",
        lambda apm: None,
        check_created_case("0e0e6c4f-cbb6-eb11-8236-000d3a5ab8b9", False),
    ),
    Case(
        "createTab__1.js",
        lambda apm: case(apm),
        check_new_tab(
            "msdyn_entityrecord",
            {"entityName": "account", "entityId": " 22cc22cc-dd33-ee44-ff55-66aa66aa66aa"},
            "entityrecord",
        ),
    ),
    Case(
        "createTab__2.js",
        lambda apm: case(apm),
        check_new_tab(
            "msdyn_entityrecord",
            {
                "entityName": "task",
                "formId": "d5b4a1b2-de4f-4f86-8768-b0730001e7d1",
                "data": {
                    "subject": "Collaboration task",
                    "actualdurationminutes": 60,
                    "prioritycode": 2,
                    "scheduledend": "12/12/2030 10:00",
                    "regardingobjectid": "aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb",
                    "regardingobjectidname": "How do I measure my tamp pressure?",
                    "regardingobjectidtype": "incident",
                },
            },
            "entityrecord",
        ),
    ),
    Case(
        "createTab__3.js",
        lambda apm: case(apm),
        check_new_tab(
            "msdyn_omnichannel_kbsearch",
            {"webresourceName": "msdyn_kbsearchpagehost.html"},
            "webresource",
        ),
    ),
    Case(
        "createTab__4.js",
        lambda apm: case(apm),
        check_new_tab(
            "msdyn_omnichannel_kbsearch",
            {"webresourceName": "msdyn_kbsearchpagehost.html", "data": "Contoso"},
            "webresource",
        ),
    ),
    Case(
        "createTab__5.js",
        lambda apm: (
            apm.configure(
                {
                    "tabTemplates": [
                        {
                            "uniqueName": "new_tabtemplate_customwebresource",
                            "title": "Custom web resource",
                            "pageType": "Web resource",
                        }
                    ]
                }
            ),
            case(apm),
        ),
        check_new_tab(
            "new_tabtemplate_customwebresource",
            {"webresourceName": "msdyn_kbsearchpagehost.html", "data": " Contoso "},
            "webresource",
        ),
    ),
    Case("createTab__6.js", lambda apm: None, check_placeholder_session(True)),
    Case("createTab__7.js", lambda apm: None, check_placeholder_session(False)),
    Case(
        "focusTab__2.js",
        session_with_tabs_1_to_5,
        check_value(lambda apm: session_state(apm, "session-id-1")["focusedTabId"], "tab-id-5"),
    ),
    Case(
        "focus__1.js",
        sessions_up_to_4,
        lambda apm, frame, before: (
            (
                state(apm)["focusedSessionId"] == "session-id-4"
                and apm.take_events()[-2]["data"]
                == {"previousSessionId": "session-id-1", "newSessionId": "session-id-4"}
            )
            or pytest.fail("session-id-4 not focused")
        ),
    ),
    Case(
        "getAllSessions__1.js",
        lambda apm: (case(apm), case(apm, isFocused=False)),
        check_logs(lambda apm: ["session-id-0", "session-id-1", "session-id-2"]),
    ),
    Case(
        "getAllTabs__1.js",
        lambda apm: (apm.configure({"records": RECORDS}), case(apm), kb_tab(apm, isFocused=False)),
        check_logs(lambda apm: ["Printer on fire", "Knowledge Search"]),
    ),
    Case(
        "getEventPublisherTopic__1.js",
        lambda apm: None,
        check_logs(lambda apm: [apm.get_event_publisher_topic("ON_SESSION_CLOSED")]),
    ),
    Case(
        "getFocusedSession__1.js", lambda apm: case(apm), check_logs(lambda apm: ["session-id-1"])
    ),
    Case("getFocusedTab__1.js", focused_session_with_focused_extra_tab, check_refreshed(None)),
    Case(
        "getSession__1.js",
        lambda apm: case(apm, isFocused=False),
        check_title("session-id-1", "new title"),
    ),
    Case("getTab__1.js", lambda apm: case(apm), check_refreshed("tab-id-1")),
    Case("isDefault__1.js", lambda apm: None, check_logs(lambda apm: ["true"])),
    Case(
        "refreshTab__1.js",
        lambda apm: (case(apm), kb_tab(apm, isFocused=False)),
        check_refreshed("tab-id-2"),
    ),
    Case("refreshTab__2.js", focused_session_with_focused_extra_tab, check_refreshed(None)),
    Case(
        "requestFocus__1.js",
        sessions_up_to_4,
        lambda apm, frame, before: (
            (
                [s["notification"] for s in state(apm)["sessions"]]
                == [False, False, False, False, True]
                and state(apm)["focusedSessionId"] == "session-id-1"
            )
            or pytest.fail(f"no indicator on session-id-4: {state(apm)}")
        ),
    ),
    Case(
        "resolveSlug__1.js",
        lambda apm: (apm.configure({"records": RECORDS}), case(apm)),
        check_global("caseTitle", "Printer on fire"),
    ),
    Case(
        "resolveSlug__2.js",
        lambda apm: apm.create_session(
            {"templateName": "msdyn_chat_session", "sessionContext": {"customerName": "Contoso"}}
        ),
        check_global("customerName", "Contoso"),
    ),
    Case("sessionId__1.js", lambda apm: case(apm), check_logs(lambda apm: ["session-id-1"])),
    Case("sessiontitle__1.js", lambda apm: case(apm), check_title("session-id-1", "Testing")),
    Case(
        "tabId__1.js", focused_session_with_focused_extra_tab, check_logs(lambda apm: ["tab-id-2"])
    ),
    Case(
        "tabtitle__1.js",
        focused_session_with_focused_extra_tab,
        check_value(lambda apm: tab_state(apm, "tab-id-2")["title"], "New Tab Title"),
    ),
    Case(
        "updateContext__1.js",
        lambda apm: case(apm),
        lambda apm, frame, before: (
            (
                frame.wait_for_logs(1) == ["Contoso"]
                and session_state(apm, "session-id-1")["context"] == {"customerName": "Contoso"}
            )
            or pytest.fail(f"logs: {frame.logs}")
        ),
    ),
    Case(
        "updateContext__2.js",
        lambda apm: case(apm),
        lambda apm, frame, before: (
            (
                session_state(apm, "session-id-1")["context"] == {"customerName": "Contoso"}
                and apm.get_focused_session().resolve_slug("{customerName}") == "Contoso"
            )
            or pytest.fail("context not updated")
        ),
    ),
]


def test_every_example_has_a_case_and_copies_are_verbatim() -> None:
    files = sorted(p.name for p in EXAMPLES.glob("*.js"))
    assert len(files) == 43
    assert sorted(c.file for c in CASES) == files
    if SHARED.is_dir():
        for name in files:
            assert (EXAMPLES / name).read_bytes() == (SHARED / name).read_bytes(), name


@pytest.mark.parametrize("example", CASES, ids=lambda c: c.file.removesuffix(".js"))
def test_doc_example(apm: BrowserWorkspace, frame: ExampleFrame, example: Case) -> None:
    example.setup(apm)
    apm.take_events()
    before = apm.state()
    frame.run(example_code(example.file))
    assert frame.errors == []
    example.check(apm, frame, before)


def test_closing_the_anchor_with_the_example_does_nothing(
    apm: BrowserWorkspace, frame: ExampleFrame
) -> None:
    """closeTab__1 ASSUMES a non-anchor tab; on the anchor its canClose guard keeps all as is."""
    case(apm)
    before = apm.state()
    frame.run(example_code("closeTab__1.js"))
    assert frame.errors == [] and apm.state() == before


def test_can_create_session_example_at_the_limit_creates_nothing(
    apm: BrowserWorkspace, frame: ExampleFrame
) -> None:
    for _ in range(9):
        case(apm, isFocused=False)
    before = apm.state()
    frame.run(example_code("canCreateSession__1.js"))
    assert frame.errors == [] and apm.state() == before


def test_home_close_example_is_refused_quietly(apm: BrowserWorkspace, frame: ExampleFrame) -> None:
    before = apm.state()
    frame.run(example_code("close__1.js"))
    assert frame.errors == [] and apm.state() == before


def test_can_create_tab_example_logs_false_at_the_limit(
    apm: BrowserWorkspace, frame: ExampleFrame
) -> None:
    case(apm)
    for _ in range(9):
        kb_tab(apm, isFocused=False)
    frame.run(example_code("canCreateTab__1.js"))
    assert frame.logs == ["false"]


def test_examples_with_implicit_globals_need_sloppy_mode(
    apm: BrowserWorkspace, frame: ExampleFrame
) -> None:
    frame.run(example_code("createSession__1.js"))
    assert re.fullmatch(r"\[object Map\]", frame.frame.evaluate("() => String(window.x)"))


# ---------------------------------------------------------------- what the examples return
# The examples whose EFFECT header states a return value: (setup, what the runtime contract
# gives, what `returns: "documented"` gives). A value is ("promise", resolved) or ("sync", value);
# "<context>" is the context object updateContext resolves with.
RETURNS: dict[str, tuple[Callable[[BrowserWorkspace], Any], tuple[str, Any], tuple[str, Any]]] = {
    "createSession__1.js": (
        lambda apm: None,
        ("promise", "session-id-1"),
        ("sync", "session-id-1"),
    ),
    "createTab__1.js": (lambda apm: case(apm), ("promise", "tab-id-2"), ("sync", "tab-id-2")),
    "refreshTab__1.js": (
        lambda apm: (case(apm), kb_tab(apm, isFocused=False)),
        ("promise", None),
        ("sync", None),
    ),
    "refreshTab__2.js": (focused_session_with_focused_extra_tab, ("promise", None), ("sync", None)),
    "focusTab__2.js": (session_with_tabs_1_to_5, ("promise", None), ("sync", None)),
    "focus__1.js": (sessions_up_to_4, ("promise", None), ("sync", None)),
    "updateContext__2.js": (lambda apm: case(apm), ("promise", "<context>"), ("sync", None)),
    "requestFocus__1.js": (sessions_up_to_4, ("sync", None), ("sync", None)),
}

# Runs the verbatim example as a global (indirect) eval in the frame, which gives the completion
# value of its last statement: what the example's call returned.
COMPLETION_JS = """async (code) => {
  const v = (0, eval)(code);
  const promise = v !== null && typeof v === "object" && typeof v.then === "function";
  const settled = promise ? await v : v;
  const isContext = settled !== null && typeof settled === "object" && typeof settled.get === "function";
  return [promise ? "promise" : "sync",
          isContext ? "<context>" : settled === undefined ? null : settled,
          isContext ? settled.get("customerName") : null];
}"""


@pytest.mark.parametrize("contract", ["runtime", "documented"])
@pytest.mark.parametrize("name", sorted(RETURNS), ids=lambda n: n.removesuffix(".js"))
def test_doc_example_return_value(
    apm: BrowserWorkspace, frame: ExampleFrame, name: str, contract: str
) -> None:
    setup, runtime, documented = RETURNS[name]
    apm.configure({"returns": contract})
    try:
        setup(apm)
        kind, value, customer = frame.frame.evaluate(COMPLETION_JS, example_code(name))
    finally:
        apm.configure({"returns": "runtime"})
    assert [kind, value] == list(runtime if contract == "runtime" else documented)
    if value == "<context>":
        assert customer == "Contoso"  # resolved with the context as updated
