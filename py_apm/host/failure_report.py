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


def _said(entry: _Entry, calls: str) -> bool:
    """A ``[py-apm] APM-Wnnn text`` console warning whose text a calls row already shows."""
    if entry.type != "warning" or not entry.text.startswith("[py-apm] "):
        return False
    text = entry.text.removeprefix("[py-apm] ").split(" ", 1)[-1]
    return f"warning {text}" in calls


def console_lines(console: Iterable[_Entry], calls: str = "") -> list[str]:
    """The console's errors, page errors and warnings (the shim prints each warning once), but
    the py-apm warnings the calls rows already show."""
    keep = ("error", "pageerror", "warning")
    lines = [e for e in console if e.type in keep and not _said(e, calls)]
    return [f"console {e.type}: {e.text}" for e in lines][-LIMIT:]


def report_text(page: Any, console: Iterable[_Entry]) -> str:
    """The section's text, or "" when the test left nothing worth showing. Never raises: a
    crashed page only loses its calls."""
    try:
        calls = str(page.evaluate(CALLS_REPORT_JS, LIMIT) or "")
    except Exception as exc:  # noqa: BLE001 - the report must not hide the test's own failure
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        calls = f"(PyApm.calls() unavailable: {first})"
    lines = [calls] if calls else []
    lines += console_lines(console, calls)
    return "\n".join(lines)
