"""``py_apm.host.bench`` imports under CPython and its ``--help`` exits 0 (no browser needed)."""

from __future__ import annotations

import importlib

import pytest


def test_bench_imports_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    bench = importlib.import_module("py_apm.host.bench")
    with pytest.raises(SystemExit) as exc:
        bench.main(["--help"])
    assert exc.value.code == 0
    assert "--quick" in capsys.readouterr().out


def test_playwright_test_row_leaves_out_each_groups_first_test() -> None:
    from py_apm.host.bench_pwtest import figures

    def result(title: str, start: int, ms: float) -> dict[str, object]:
        stamp = f"2026-01-01T00:00:{start:02d}.000Z"
        return {"title": title, "tests": [{"results": [{"startTime": stamp, "duration": ms}]}]}

    specs = [result("overhead 00", 0, 900.0), result("overhead 01", 1, 10.0)]
    specs += [result("overhead 02", 2, 30.0), result("baseline 00", 3, 800.0)]
    specs += [result("baseline 01", 4, 100.0), result("baseline 02", 5, 300.0)]
    got = figures({"suites": [{"specs": specs[:3], "suites": [{"specs": specs[3:]}]}]})
    assert (got["overhead_ms"], got["overhead_median_ms"], got["overhead_n"]) == (40.0, 20.0, 2)
    assert (got["baseline_ms"], got["baseline_median_ms"], got["baseline_n"]) == (400.0, 200.0, 2)
    with pytest.raises(ValueError, match="no baseline tests"):
        figures({"suites": [{"specs": specs[:3]}]})
