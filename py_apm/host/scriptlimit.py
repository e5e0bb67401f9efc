"""The time limit of `py-apm run`: a script that never returns is stopped, not waited for."""

from __future__ import annotations

from typing import Any

#: How long to wait for ``PyApm.ready``, and for a script's synchronous run (seconds), unless
#: ``--timeout`` / ``--boot-timeout`` say otherwise.
BOOT_TIMEOUT_S = 60.0
#: What the run script logs once the script under test has run (its synchronous part).
LOADED = "__pyapm_run_loaded__"


async def run_with_limit(
    page: Any, cdp: Any, run_js: str, script: list[str], timeout_s: float
) -> list[dict[str, Any]]:
    """Start the script (`run_js` logs `LOADED` after it) and wait for its synchronous run;
    past `timeout_s` stop it and return the error that says so.

    The wait is on a console message, in the Playwright driver: a page stuck in a loop answers
    no evaluation. Stopping is V8's terminate, sent on a CDP session opened while the page was
    idle (a session opened during the loop would wait for it)."""
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    try:
        async with page.expect_console_message(
            lambda m: m.text == LOADED, timeout=timeout_s * 1000
        ):
            await page.evaluate(run_js, script)
        return []
    except PlaywrightTimeout:
        await cdp.send("Runtime.terminateExecution")
    return stopped_error(timeout_s)


def stopped_error(timeout_s: float) -> list[dict[str, Any]]:
    """The run's error for a script stopped at its time limit."""
    message = f"the script did not finish within {timeout_s:g} s (--timeout) and was stopped"
    return [
        {"name": "TimeoutError", "message": message, "errorCode": None, "line": None,
         "column": None, "kind": "timeout"}
    ]  # fmt: skip
