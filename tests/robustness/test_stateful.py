"""Hypothesis stateful testing of the native model: random operation sequences keep the
invariants, the MRU focus rules hold, and refused calls change nothing."""

from __future__ import annotations

import copy
import os
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from py_apm import ApmError, Workspace
from py_apm.model.invariants import IdHistory, check_state
from py_apm.model.slugs import SLUG_PATTERN

# CI runs a fixed (derandomized) set; PY_APM_STATEFUL_RANDOM=1 explores new sequences.
EXAMPLES = int(os.environ.get("PY_APM_STATEFUL_EXAMPLES", "150"))
TEMPLATES = ["case_entity_session_default_template", "msdyn_chat_session", "new_unknown"]
TAB_TEMPLATES = ["msdyn_omnichannel_kbsearch", "msdyn_entityrecord", "new_unknown_tab"]
JUNK = st.one_of(
    st.none(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=8),
    st.booleans(),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


class WorkspaceMachine(RuleBasedStateMachine):
    """Drives a Workspace with every documented operation, valid or not."""

    def __init__(self) -> None:
        super().__init__()
        self.ws = Workspace(workspace_id="hyp")
        self.history = IdHistory()
        self.session_mru = ["session-id-0"]

    # -- helpers
    def state(self) -> dict[str, Any]:
        return self.ws.state()

    def ids(self) -> list[str]:
        return [s["sessionId"] for s in self.state()["sessions"]]

    def tab_ids(self) -> list[str]:
        return [t["tabId"] for s in self.state()["sessions"] for t in s["tabs"]]

    def attempt(self, call: Any) -> Any:
        """Run a call; when it is refused with an error, the state must be unchanged."""
        before = copy.deepcopy(self.state())
        try:
            return call()
        except ApmError as error:
            assert isinstance(error.code, int) and error.message
            assert self.state() == before, f"refused call changed the state: {error}"
            return None

    def note_focus(self) -> None:
        focused = self.ws.state()["focusedSessionId"]
        if focused in self.session_mru:
            self.session_mru.remove(focused)
        self.session_mru.append(focused)

    # -- rules
    @rule(template=st.sampled_from(TEMPLATES), focused=st.booleans(), entity=st.text(max_size=6))
    def create_session(self, template: str, focused: bool, entity: str) -> None:
        pairs = f'[["entityName", "incident"], ["entityId", {entity!r}]]'.replace("'", '"')
        self.attempt(
            lambda: self.ws.create_session(
                {
                    "templateName": template,
                    "isFocused": focused,
                    "sessionContext": {"parametersStr": pairs},
                }
            )
        )
        self.note_focus()

    @rule(template=st.sampled_from(TAB_TEMPLATES), focused=st.booleans(), data=st.text(max_size=6))
    def create_tab(self, template: str, focused: bool, data: str) -> None:
        context = {"data": data, "entityName": "task", "webresourceName": "a.html"}
        self.attempt(
            lambda: self.ws.create_tab(
                {"templateName": template, "isFocused": focused, "appContext": context}
            )
        )

    @rule(data=st.data())
    def close_session(self, data: st.DataObject) -> None:
        sid = data.draw(st.sampled_from(self.ids()))
        was_focused = sid == self.state()["focusedSessionId"]
        self.attempt(lambda: self.ws.session_close(sid))
        if sid != "session-id-0" and sid in self.session_mru:
            self.session_mru.remove(sid)
            if was_focused:
                assert self.state()["focusedSessionId"] == self.session_mru[-1], "MRU rule broken"
        self.note_focus()

    @rule(data=st.data())
    def focus_session(self, data: st.DataObject) -> None:
        self.attempt(lambda: self.ws.session_focus(data.draw(st.sampled_from(self.ids()))))
        self.note_focus()

    @rule(
        data=st.data(), how=st.sampled_from(["api", "object", "focus", "object-focus", "refresh"])
    )
    def tab_operation(self, data: st.DataObject, how: str) -> None:
        tid = data.draw(st.sampled_from(self.tab_ids()))
        calls = {
            "api": self.ws.close_tab,
            "object": self.ws.tab_close,
            "focus": self.ws.focus_tab,
            "object-focus": self.ws.tab_focus,
            "refresh": self.ws.refresh_tab,
        }
        self.attempt(lambda: calls[how](tid))
        self.note_focus()

    @rule(data=st.data(), title=st.text(max_size=10), flag=st.booleans())
    def set_properties(self, data: st.DataObject, title: str, flag: bool) -> None:
        sid = data.draw(st.sampled_from(self.ids()))
        self.attempt(lambda: self.ws.session_set_title(sid, title))
        self.attempt(lambda: self.ws.session_set_can_close(sid, flag))
        self.attempt(lambda: self.ws.session_request_focus(sid))
        tid = data.draw(st.sampled_from(self.tab_ids()))
        self.attempt(lambda: self.ws.tab_set_title(tid, title))
        self.attempt(lambda: self.ws.tab_set_can_close(tid, flag))

    @rule(
        data=st.data(), values=st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=3)
    )
    def update_context(self, data: st.DataObject, values: dict[str, str]) -> None:
        sid = data.draw(st.sampled_from(self.ids()))
        self.attempt(lambda: self.ws.session_update_context(sid, values))
        if sid not in self.ids():
            return
        for key, value in values.items():
            slug = "{" + key + "}"
            if SLUG_PATTERN.fullmatch(slug):
                assert self.ws.session_resolve_slug(sid, slug) == value
            elif "{" not in key and "}" not in key:
                assert self.ws.session_resolve_slug(sid, slug) == slug

    @rule(
        junk=JUNK,
        member=st.sampled_from(
            [
                "create_session",
                "create_tab",
                "close_tab",
                "focus_tab",
                "refresh_tab",
                "apm_get_session",
                "get_event_publisher_topic",
                "session_close",
                "session_focus",
                "session_set_title",
            ]
        ),
    )
    def hostile_argument(self, junk: Any, member: str) -> None:
        function = getattr(self.ws, member)
        args = (junk, junk) if member == "session_set_title" else (junk,)
        self.attempt(lambda: function(*args))
        self.note_focus()

    @precondition(lambda self: len(self.ids()) > 3)
    @rule()
    def reset(self) -> None:
        self.ws.reset()
        self.history.forget()
        self.session_mru = ["session-id-0"]

    @invariant()
    def invariants_hold(self) -> None:
        state = self.state()
        check_state(state)
        self.history.observe(state)


WorkspaceMachine.TestCase.settings = settings(
    max_examples=EXAMPLES,
    stateful_step_count=40,
    deadline=None,
    derandomize=not os.environ.get("PY_APM_STATEFUL_RANDOM"),
)
TestWorkspaceMachine = WorkspaceMachine.TestCase
