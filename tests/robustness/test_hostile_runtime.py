"""Hostile inputs against the page runtime itself: after a fatal error of the Python runtime
every call fails with one clear Error (never `undefined`); a tab whose `data` is deep JSON text
leaves `getContext()` working."""

from __future__ import annotations

from typing import Any

import pytest

RELOAD = (
    "the Python runtime stopped after a fatal error (simulated by PyApm.__simulateFatalError); "
    "reload the page to start py-apm again"
)


@pytest.mark.browser
@pytest.mark.apm_fresh_page
def test_calls_after_a_fatal_error_fail_clearly(apm_page: Any) -> None:
    result = apm_page.evaluate(
        """async () => {
        PyApm.__simulateFatalError();
        const out = [];
        const attempts = [
          () => Microsoft.Apm.createSession({templateName: "msdyn_chat_session"}),
          () => Microsoft.Apm.getAllSessions(),
          () => PyApm.state(),
          () => PyApm.reset(),
          () => Microsoft.Apm.createSession("[]"),
        ];
        for (const attempt of attempts) {
          try { const r = await attempt(); out.push({returned: r === undefined ? "undefined" : r}); }
          catch (e) { out.push({code: e.errorCode, message: e.message, isError: e instanceof Error}); }
        }
        return {out, isReady: PyApm.isReady};
    }"""
    )
    labels = [
        "Microsoft.Apm.createSession",
        "Microsoft.Apm.getAllSessions",
        "PyApm.state",
        "PyApm.reset",
        "Microsoft.Apm.createSession",
    ]
    assert result["out"] == [{"code": 500, "message": f"{label}: {RELOAD}", "isError": True} for label in labels]
    assert result["isReady"] is False


@pytest.mark.browser
def test_deep_tab_data_keeps_get_context_working(apm_page: Any) -> None:
    result = apm_page.evaluate(
        """async () => {
        PyApm.reset({restoreDefaults: true});
        const deep = "[".repeat(6000) + "]".repeat(6000);
        const tid = await Microsoft.Apm.createTab({templateName: "msdyn_omnichannel_kbsearch",
                                                   appContext: {data: deep}});
        const ctx = await Microsoft.Apm.getFocusedSession().getContext();
        const again = await Microsoft.Apm.getFocusedSession().getContext();
        return {same: ctx.getTabContext(tid).data === deep, again: again.getTabContext(tid).data.length};
    }"""
    )
    assert result == {"same": True, "again": 12000}
