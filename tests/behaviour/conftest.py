"""One behaviour suite, three backends: the native Python model, Microsoft.Apm in Chromium and
Microsoft.Apm in Node (the npm package's createApm, the same shim code paths)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from py_apm import ApmError, Workspace
from py_apm.client import BrowserWorkspace
from py_apm.model.events import EVENT_NAMES


class NativeWorkspace(Workspace):
    """The model as-is, plus the event collector the browser backend has."""

    def take_events(self) -> list[dict[str, Any]]:
        """The published events (the three with BroadcastChannel topics), oldest first."""
        events = self.drain_outbox()["events"]
        return [{"name": e["name"], "data": e["data"]} for e in events if e["name"] in EVENT_NAMES]


JS_BACKENDS = [
    pytest.param("browser", marks=pytest.mark.browser),
    pytest.param("node", marks=[pytest.mark.node, pytest.mark.subprocess]),
]


@pytest.fixture(params=JS_BACKENDS)
def js_page(request: pytest.FixtureRequest) -> Any:
    """Where the JS-side checks run: the workspace page in Chromium, or py-apm's global in Node
    (both answer ``evaluate``; both reset as ``apm_page`` is)."""
    return request.getfixturevalue("apm_page" if request.param == "browser" else "apm_node_page")


@pytest.fixture(params=["native", *JS_BACKENDS])
def apm(request: pytest.FixtureRequest) -> Any:
    """A fresh workspace (Home only, default options) on any backend."""
    if request.param == "native":
        return NativeWorkspace()
    page = request.getfixturevalue("apm_page" if request.param == "browser" else "apm_node_page")
    workspace = BrowserWorkspace(page)
    workspace.reset({"restoreDefaults": True})
    return workspace


CASE = "case_entity_session_default_template"


def case_input(
    entity_id: str = "11bb11bb-cc22-dd33-ee44-55ff55ff55ff", **extra: Any
) -> dict[str, Any]:
    """A SessionInput for the built-in case template."""
    context = {"parametersStr": f'[["entityName", "incident"], ["entityId", "{entity_id}"]]'}
    return {"templateName": CASE, "sessionContext": context, **extra}


def tab_input(data: str | None = None, **extra: Any) -> dict[str, Any]:
    """An AppTabInput for the built-in Knowledge Search web resource tab."""
    result: dict[str, Any] = {"templateName": "msdyn_omnichannel_kbsearch", **extra}
    if data is not None:
        result["appContext"] = {"data": data}
    return result


def assert_refused(apm: Any, call: Callable[[], object], code: int, message: str) -> None:
    """``call()`` raises an ApmError with exactly this code and message, and changes nothing."""
    before = apm.state()
    with pytest.raises(ApmError) as error:
        call()
    assert (error.value.code, error.value.message) == (code, message)
    assert apm.state() == before
