"""What only JS can see of `Microsoft.CIFramework` (spec cif.md CIF-D2, D3, D7, D8, D17, D18,
D19): Promises and their shapes, the Error shape, handlers and the order of events, pending
notifications settling, the 501 members, both return contracts."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import CONFIG

pytestmark = pytest.mark.browser


@pytest.fixture
def page(apm_page: Any) -> Any:
    apm_page.evaluate("(config) => PyApm.reset({restoreDefaults: true, ...config})", CONFIG)
    return apm_page


def run(page: Any, body: str) -> Any:
    """Run an async JS body with `CIF(provider)` (a provider's face) and `sleep(ms)` in scope."""
    return page.evaluate(
        "async (body) => { const CIF = (p) => PyApm.__cif(p || 'softphone');"
        " const sleep = (ms) => new Promise((r) => setTimeout(r, ms));"
        " return await (new Function('CIF', 'sleep', 'return (async () => {' + body + '})()'))(CIF, sleep); }",
        body,
    )


def test_the_workspace_page_is_provider_default(page: Any) -> None:
    assert run(page, """
        const id = await Microsoft.CIFramework.createSession({templateName: "cb_call"});
        return [id, PyApm.cif().owners[id]];""") == ["session-id-1", "default"]  # fmt: skip


def test_every_member_returns_a_promise_but_handlers(page: Any) -> None:
    assert run(page, """
        const f = CIF();
        return [f.getMode() instanceof Promise, f.addHandler("onmodechanged", () => 0),
                f.removeHandler("onmodechanged", () => 0), f.setClickToAct(true) instanceof Promise];
    """) == [True, None, None, True]  # fmt: skip


def test_get_session_resolves_a_map_with_properties(page: Any) -> None:
    assert run(page, """
        const id = await CIF().createSession({templateName: "cb_call", context: {m: 1}}, "c-1");
        const s = await CIF().getSession(id);
        return [s instanceof Map, s.get("conversationId"), s.get("context").m, s.isFocused,
                s.focused, s.sessionId, [...s.keys()]];
    """) == [True, "c-1", 1, True, True, "session-id-1",
             ["sessionId", "focused", "context", "conversationId"]]  # fmt: skip


def test_the_error_shape(page: Any) -> None:
    assert run(page, """
        const out = [];
        for (const call of [() => CIF().notifyEvent({templateName: "cb_none"}),
                            () => CIF().getSession("session-id-7")]) {
          try { await call(); out.push("resolved"); }
          catch (e) { out.push([e instanceof Error, e.errorCode, e.message, e.msdyn_name,
                                e.get("message"), JSON.parse(String(e)).msdyn_name]); }
        }
        return out;
    """) == [
        [True, 404, "NotificationTemplateNotFoundError", "NotifyEvent",
         "NotificationTemplateNotFoundError", "NotifyEvent"],
        [True, 404, "Session with ID:session-id-7 does not exist", "getSession",
         "Session with ID:session-id-7 does not exist", "getSession"],
    ]  # fmt: skip


def test_handler_argument_checks_reject(page: Any) -> None:
    assert run(
        page,
        """
        const texts = [];
        for (const p of [CIF().addHandler("", () => 0), CIF().addHandler("onmodechanged"),
                         CIF().removeHandler(null, () => 0)]) {
          try { await p; } catch (e) { texts.push(e.message); }
        }
        return texts;
    """,
    ) == [
        "The parameter EventName is blank. Provide a value to the parameter.",
        "Passing data parameters to addHandler is mandatory.",
        "The EventName parameter is blank. Provide a value to the parameter.",
    ]


def test_switch_events_order_around_create_session(page: Any) -> None:
    assert run(page, """
        const seen = [];
        CIF().addHandler("onSessionSwitched", (p) => { const d = JSON.parse(p); seen.push(d.sessionId + ":" + d.focused); });
        await CIF().createSession({templateName: "cb_call"});
        await sleep(20);
        const second = CIF().createSession({templateName: "cb_call"}).then((id) => seen.push("resolved " + id));
        await second; await sleep(20);
        PyApm.ui.focusSession("session-id-1"); // a click
        await sleep(20);
        return seen;
    """) == [
        "session-id-1:true",
        "session-id-1:false", "resolved session-id-2", "session-id-2:true",
        "session-id-2:false", "session-id-1:true",
    ]  # fmt: skip


def test_events_go_to_the_owner_and_panel_events_to_everyone(page: Any) -> None:
    assert run(page, """
        const seen = [];
        for (const p of ["softphone", "chat"]) {
          for (const name of ["onSessionSwitched", "onmodechanged", "onPresenceChange"]) {
            CIF(p).addHandler(name, (payload) => seen.push(p + " " + name + " " + payload));
          }
        }
        await CIF("chat").createSession({templateName: "cb_quiet"});
        await sleep(20);
        await CIF().setPresence("Busy");
        return seen.filter((s) => !s.includes("presenceInfo") || s.startsWith("chat"));
    """) == [
        'chat onSessionSwitched {"sessionId":"session-id-1","focused":true}',
        'softphone onmodechanged {"value":0}', 'chat onmodechanged {"value":0}',
        'chat onPresenceChange {"presenceId":"00000000-0000-0000-0000-0000000000a2",'
        '"presenceInfo":{"basePresenceStatus":"BUSY","presenceColor":"#C4314B",'
        '"presenceId":"00000000-0000-0000-0000-0000000000a2","presenceText":"Busy"}}',
    ]  # fmt: skip


def test_a_throwing_handler_does_not_stop_the_next(page: Any) -> None:
    assert run(
        page,
        """
        const seen = [];
        window.addEventListener("error", (e) => e.preventDefault(), {once: true});
        CIF().addHandler("onmodechanged", () => { throw new Error("boom"); });
        CIF().addHandler("onmodechanged", (p) => seen.push(p));
        PyApm.ui.setPanelMode(1);
        return seen;
    """,
    ) == ['{"value":1}']


def test_notify_event_settles_with_the_answer(page: Any) -> None:
    assert run(
        page,
        """
        const first = CIF().notifyEvent({templateName: "cb_incoming", templateParameters: {number: "1"}});
        const second = CIF().notifyEvent({templateName: "cb_incoming", cancellationToken: "t2"});
        const [a, b] = PyApm.notifications();
        PyApm.ui.respondToNotification(a.id, "Reject");
        await CIF().cancelEvent("t2");
        return [await first, await second, PyApm.notifications().length];
    """,
    ) == [
        '{"actionName":"Reject","responseReason":"DeclinedByAgent"}',
        '{"actionName":"Cancel","responseReason":"Cancelled"}',
        0,
    ]


def test_the_countdown_answers_timeout(page: Any) -> None:
    config = {"notificationTemplates": [{"uniqueName": "cb_fast", "timeout": 1}]}
    page.evaluate("(c) => PyApm.configure(c)", config)
    assert run(
        page,
        """
        const answer = await CIF().notifyEvent({templateName: "cb_fast"});
        return [answer, PyApm.notifications().length];
    """,
    ) == ['{"actionName":"Timeout","responseReason":"DisplayTimeout"}', 0]


def test_not_emulated_members_reject_501(page: Any) -> None:
    assert run(page, """
        try { await CIF().updateConversation("x", "{}"); return "resolved"; }
        catch (e) { return [e.errorCode, e.message]; }
    """) == [501, "Microsoft.CIFramework.updateConversation is not emulated by py-apm: "
             "Omnichannel conversation records are not emulated"]  # fmt: skip


def test_promises_in_both_return_contracts(page: Any) -> None:
    page.evaluate("() => PyApm.configure({returns: 'documented'})")
    assert run(
        page,
        """
        const p = CIF().getPresence();
        return [p instanceof Promise, await p];
    """,
    ) == [True, "Available"]


def test_hostile_arguments_are_refused_and_change_nothing(page: Any) -> None:
    assert run(page, """
        const before = JSON.stringify([PyApm.state(), PyApm.cif()]);
        const deep = {}; let d = deep; for (let i = 0; i < 100; i++) { d.x = {}; d = d.x; }
        const cyclic = {templateName: "cb_call"}; cyclic.self = cyclic;
        const out = [];
        for (const call of [() => CIF().createSession(cyclic), () => CIF().createTab(deep),
                            () => CIF().createRecord("contact", "x".repeat(2 << 20)),
                            () => CIF().notifyEvent({templateName: Symbol("s")}),
                            () => CIF().updateContext({get a() { throw new Error("no"); }})]) {
          try { await call(); out.push("resolved"); } catch (e) { out.push(e.errorCode); }
        }
        return [out, JSON.stringify([PyApm.state(), PyApm.cif()]) === before];
    """) == [[400, 400, 400, 400, 400], True]  # fmt: skip


def test_calls_before_ready_wait_and_answer_in_order(browser: Any, apm_server: Any) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.add_init_script(
            """document.addEventListener("DOMContentLoaded", () => {
                 const cif = window.Microsoft.CIFramework;
                 window.__early = {ready: PyApm.isReady, answers: []};
                 cif.getMode().then((m) => window.__early.answers.push("mode " + m));
                 cif.getPresence().then((p) => window.__early.answers.push("presence " + p));
               });"""
        )
        # The runtime is held back until the calls are made: a boot from the snapshot may
        # otherwise end before DOMContentLoaded on a busy machine.
        held: list[Any] = []
        page.route("**/pyodide.asm.wasm", lambda route: held.append(route))
        page.goto(apm_server.url, wait_until="domcontentloaded")
        page.wait_for_function("window.__early", timeout=60_000)
        assert page.evaluate("[window.__early.answers, PyApm.isReady]") == [[], False]
        for _ in range(3000):  # the request may come after DOMContentLoaded (up to 60 s)
            if held:
                break
            page.wait_for_timeout(20)
        assert held, "the page never asked for pyodide.asm.wasm"
        for route in held:
            route.continue_()
        page.unroute("**/pyodide.asm.wasm")
        page.wait_for_function(
            "window.__early && window.__early.answers.length === 2", timeout=60_000
        )
        assert page.evaluate("window.__early") == {
            "ready": False,
            "answers": ["mode 2", "presence Available"],
        }
    finally:
        context.close()
