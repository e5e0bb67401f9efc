"""Failure reports that explain: a failed apm_page test's report carries its py-apm warnings,
refusals and errors; a bad apm_config names its file."""

from __future__ import annotations

from pathlib import Path

import pytest

from py_apm.host.failure_report import CALLS_REPORT_JS, LIMIT, TITLE, console_lines, report_text
from py_apm.pytest_plugin import ConsoleEntry

from .test_tooling_plugin import run_inner


def test_a_bad_json_config_names_its_file(tmp_path: Path) -> None:
    (tmp_path / "apm.json").write_text('{"sessionTemplates": [}\n')
    done = run_inner(tmp_path, "def test_it(apm_server):\n    pass\n", "--apm-config", "apm.json")
    assert done.returncode != 0
    line = f"py-apm server: {tmp_path / 'apm.json'}: not valid JSON: Expecting value: line 1"
    assert line in done.stdout, done.stdout[-2000:]
    assert "Traceback" not in done.stdout


class _BrokenPage:
    def evaluate(self, *args: object) -> object:
        raise RuntimeError("Target page, context or browser has been closed\nCall log: ...")


def test_report_text_survives_a_closed_page_and_keeps_console_problems() -> None:
    console = [
        ConsoleEntry("log", "hello"),
        ConsoleEntry("warning", "[py-apm] APM-W005 createSession: unknown session template 'x'"),
        ConsoleEntry("pageerror", "TypeError: s.focus is not a function"),
    ]
    text = report_text(_BrokenPage(), console)
    assert text.splitlines() == [
        "(PyApm.calls() unavailable: Target page, context or browser has been closed)",
        "console warning: [py-apm] APM-W005 createSession: unknown session template 'x'",
        "console pageerror: TypeError: s.focus is not a function",
    ]
    assert len(console_lines([ConsoleEntry("error", str(i)) for i in range(100)])) == LIMIT


def test_console_copies_of_warnings_the_calls_show_are_left_out() -> None:
    calls = "#1 createSession({}) -> warning createSession: unknown session template 'x'"
    console = [
        ConsoleEntry("warning", "[py-apm] APM-W005 createSession: unknown session template 'x'"),
        ConsoleEntry("warning", "[py-apm] APM-W002 createTab: called from a background frame"),
    ]
    assert console_lines(console, calls) == [
        "console warning: [py-apm] APM-W002 createTab: called from a background frame"
    ]


@pytest.mark.browser
def test_a_failed_apm_page_test_shows_its_warnings_and_refusals(tmp_path: Path) -> None:
    """The report of a failed apm_page test; the same inner run (no --apm-timeline) also shows
    that the timeline is off by default (one inner session, one Chromium, for both)."""
    source = """
        def test_unknown_template(apm_page):
            apm_page.evaluate('''async () => {
                await Microsoft.Apm.createSession({templateName: "contoso_missing"});
                try { await Microsoft.Apm.getFocusedSession().getTab("no-such-tab").close(); }
                catch (e) {}
            }''')
            assert apm_page.evaluate("Microsoft.Apm.getAllSessions().length") == 9

        def test_passes(apm_page):
            apm_page.evaluate('Microsoft.Apm.createSession({templateName: "nope2"})')
    """
    results = tmp_path / "out"
    done = run_inner(tmp_path, source, "--output", str(results))
    out = done.stdout
    assert done.returncode == 1, out[-3000:]
    assert f" {TITLE} " in out  # the section's header line
    section = out.split(f" {TITLE} ", 1)[1].split("\n", 1)[1]
    assert section.startswith('#1 createSession({"templateName":"contoso_missing"}) -> warning ')
    assert "unknown session template 'contoso_missing'" in section
    assert "APM-W005" not in section  # the console's copy of that warning is left out
    assert "nope2" not in out  # a passing test gets no section
    # --apm-timeline is off by default: no timeline files for the failed test either
    assert not results.exists() or not any(results.rglob("apm-timeline.*"))


def test_the_formatter_is_one_function_of_a_limit() -> None:
    assert CALLS_REPORT_JS.strip().startswith("(limit) =>")
