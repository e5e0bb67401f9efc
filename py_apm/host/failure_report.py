"""What a failed ``apm_page`` / ``apmPage`` test's report adds: that test's py-apm warnings,
refusals and errors (from ``PyApm.calls()``) and the page's console errors and warnings.

:data:`CALLS_REPORT_JS` runs in the page and is the one formatter of the calls: the pytest plugin
evaluates it, and the npm package carries it as ``site/failure-report.js`` for its Playwright
Test fixture (npm/build.py writes it there).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

#: Title of the report section (pytest) and of the attachment (Playwright Test).
TITLE = "py-apm warnings and refusals"
#: The most recent rows shown (a test that loops may make thousands).
LIMIT = 30

CALLS_REPORT_JS = """
(limit) => {
  if (!window.PyApm || !window.PyApm.isReady) return "";
  const rows = window.PyApm.calls().filter((c) => c.refused || c.warning || c.error);
  const shown = rows.slice(-limit);
  const args = (values) => {
    let text;
    try {
      text = JSON.stringify(values).slice(1, -1);
    } catch {
      text = "...";
    }
    return text.length > 120 ? `${text.slice(0, 117)}...` : text;
  };
  const lines = shown.map((c) => {
    const what = [
      c.refused ? `refused: ${c.reason}` : "",
      c.error && !c.refused ? `Error ${c.error.errorCode}: ${c.error.message}` : "",
      c.warning ? `warning ${c.warning}` : "",
    ].filter(Boolean);
    return `#${c.seq} ${c.method}(${args(c.args)}) -> ${what.join("; ")}`;
  });
  const left = rows.length - shown.length;
  if (left > 0) lines.unshift(`(${left} earlier rows left out)`);
  return lines.join("\\n");
}
"""


class _Entry(Protocol):
    type: str
    text: str


def console_lines(console: Iterable[_Entry]) -> list[str]:
    """The console's errors, page errors and warnings (the shim prints each warning once)."""
    keep = ("error", "pageerror", "warning")
    return [f"console {e.type}: {e.text}" for e in console if e.type in keep][-LIMIT:]


def report_text(page: Any, console: Iterable[_Entry]) -> str:
    """The section's text, or "" when the test left nothing worth showing. Never raises: a
    crashed page only loses its calls."""
    try:
        calls = str(page.evaluate(CALLS_REPORT_JS, LIMIT) or "")
    except Exception as exc:  # noqa: BLE001 - the report must not hide the test's own failure
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        calls = f"(PyApm.calls() unavailable: {first})"
    lines = [calls] if calls else []
    lines += console_lines(console)
    return "\n".join(lines)
