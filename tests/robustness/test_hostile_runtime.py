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
    assert result["out"] == [
        {"code": 500, "message": f"{label}: {RELOAD}", "isError": True} for label in labels
    ]
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


@pytest.mark.browser
def test_listeners_see_revisions_in_order(apm_page: Any) -> None:
    """A listener that calls the API queues the new change behind the one being dispatched."""
    seen = apm_page.evaluate(
        """async () => {
        PyApm.reset({restoreDefaults: true});
        const seen = [];
        let once = true;
        const offA = PyApm.onChange((p) => {
          seen.push(["a", p.revision]);
          if (once) { once = false; Microsoft.Apm.getFocusedSession().title = "x"; }
        });
        const offB = PyApm.onChange((p) => seen.push(["b", p.revision]));
        const r0 = PyApm.state().revision;
        await Microsoft.Apm.createSession({templateName: "msdyn_chat_session"});
        offA(); offB();
        return seen.map(([who, rev]) => [who, rev - r0]);
    }"""
    )
    first, second = seen[0][1], seen[2][1]
    assert seen == [["a", first], ["b", first], ["a", second], ["b", second]] and first < second


@pytest.mark.browser
def test_closed_frame_listener_is_dropped(apm_page: Any) -> None:
    result = apm_page.evaluate(
        """async () => {
        PyApm.reset({restoreDefaults: true});
        const frame = document.createElement("iframe");
        document.body.append(frame);
        window.__frameHits = 0;
        // A listener made in the frame's realm, as a web resource's own script makes it.
        frame.contentWindow.eval("window.top.PyApm.onChange(() => { window.top.__frameHits++; })");
        await Microsoft.Apm.createSession({templateName: "msdyn_chat_session"});
        const whileOpen = window.__frameHits;
        frame.remove();
        await Microsoft.Apm.createSession({templateName: "msdyn_chat_session"});
        await Microsoft.Apm.createSession({templateName: "msdyn_chat_session"});
        return [whileOpen, window.__frameHits];
    }"""
    )
    assert result == [1, 1]


@pytest.mark.browser
def test_call_log_is_bounded(apm_page: Any) -> None:
    """Deep and huge arguments are logged as bounded summaries; calls() never fails. (A few
    4 MiB arguments prove the bound: each record's size is checked, not the log's total.)"""
    result = apm_page.evaluate(
        """async () => {
        PyApm.reset({restoreDefaults: true});
        let deep = 1;
        for (let i = 0; i < 2000; i++) deep = [deep];
        const errors = [];
        try { Microsoft.Apm.getSession(deep); } catch (e) { errors.push(e.errorCode); }
        const big = "x".repeat(4 << 20);
        for (let i = 0; i < 3; i++) Microsoft.Apm.getSession(big);
        const calls = PyApm.calls();
        const sizes = calls.map((c) => JSON.stringify(c).length);
        const deepArg = JSON.stringify(calls[0].args[0]);
        return {errors, count: calls.length, largest: Math.max(...sizes),
                deepArg: deepArg.length, bigArg: calls[1].args[0].length,
                bigTail: calls[1].args[0].slice(-26)};
    }"""
    )
    assert result["errors"] == [400] and result["count"] == 4
    assert result["largest"] < 3_600  # arguments 1 KiB + result 1 KiB + messages 500 each
    assert result["deepArg"] < 200
    assert result["bigTail"] == "... (4,194,304 characters)"
