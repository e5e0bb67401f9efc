"""Session-switch handlers that switch back and forth must not starve the page: a timer set
before the chain starts runs after at most one burst of handler events, and the chain goes on
in later tasks (in order) until a handler stops it."""

from __future__ import annotations

from typing import Any

CHAIN_JS = r"""
async () => {
  PyApm.reset({restoreDefaults: true});
  const S = Microsoft.AppRuntime.Sessions;
  const other = await Microsoft.Apm.createSession({templateName: "msdyn_chat_session"});
  let switches = 0;
  let stop = false;
  let atTimer = null;
  // Bounded here so that, starved, the test still ends (and sees how long the timer waited).
  const LIMIT = 30000;
  setTimeout(() => { atTimer = switches; stop = true; }, 0);
  const order = [];
  S.addOnAfterSessionSwitch((ctx) => {
    switches++;
    const to = ctx.getEventArgs()._inputArguments.newSessionId;
    if (order.length < 4) order.push(to);
    if (stop || switches >= LIMIT) return;
    PyApm.ui.focusSession(to === other ? "session-id-0" : other);
  });
  PyApm.ui.focusSession("session-id-0");
  await new Promise((resolve) => setTimeout(resolve, 100));
  return { atTimer, switches, order };
}
"""


def test_a_switch_handler_chain_yields_to_a_timer_set_first(apm_page: Any) -> None:
    out = apm_page.evaluate(CHAIN_JS)
    assert out["atTimer"] is not None and out["atTimer"] <= 1000, out
    assert out["switches"] - out["atTimer"] <= 1000  # the chain stops once the timer ran
    assert out["order"] == ["session-id-0", "session-id-1", "session-id-0", "session-id-1"]
