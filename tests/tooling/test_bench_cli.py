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
