"""The bridge's wire format (native): members by name or code, JS arity, the flat payload."""

from __future__ import annotations

import pytest

from py_apm import ApmError, Workspace
from py_apm.bridge.wire import Bridge, payload_items
from py_apm.model.events import ON_TAB_SWITCH, Event


def test_members_by_name_and_code() -> None:
    bridge = Bridge(Workspace())
    names = bridge.methods
    assert names[0] == "getFocusedSession" and len(names) == len(set(names))
    for code, name in enumerate(names):
        assert bridge.member(code) is bridge.member(name)
        assert (bridge.member(code).code, bridge.member(code).name) == (code, name)
    assert bridge.call(names.index("session.getTitle"), "session-id-0") == "Home"


@pytest.mark.parametrize("key", [999, -1, "nope", None, 1.5])
def test_unknown_member_is_a_400(key: object) -> None:
    bridge = Bridge(Workspace())
    with pytest.raises(ApmError) as error:
        bridge.call(key)  # type: ignore[arg-type]
    assert error.value.code == 400
    assert error.value.message == f"py-apm bridge: unknown member {key!r}"


def test_unhashable_member_key_is_a_400() -> None:
    with pytest.raises(ApmError) as error:
        Bridge(Workspace()).member(["getFocusedSession"])
    assert error.value.code == 400


def test_js_arity_missing_undefined_extra_ignored() -> None:
    bridge = Bridge(Workspace())
    with pytest.raises(ApmError) as error:  # a missing id is undefined: 400, not a TypeError
        bridge.call("getSession")
    assert error.value.code == 400 and "sessionId" in error.value.message
    assert bridge.call("getFocusedSession", "extra", 1) == "session-id-0"


def test_payload_items_are_flat_primitives() -> None:
    data = {
        "previousSessionId": "session-id-0",
        "previousTabId": None,
        "sessionId": "s",
        "tabId": 7,
    }
    items = payload_items(
        [Event(ON_TAB_SWITCH, "py-apm.w.ON_TAB_SWITCH", data)], ["notice {x}"], ['warn "q"']
    )
    assert items == [
        "e", ON_TAB_SWITCH, "py-apm.w.ON_TAB_SWITCH", 4,
        "previousSessionId", "session-id-0", "previousTabId", None, "sessionId", "s", "tabId", "7",
        "n", "notice {x}",
        "w", "warn \"q\"",
    ]  # fmt: skip
    assert all(v is None or isinstance(v, (str, int)) for v in items)
    assert payload_items([], [], []) == []
