"""py_apm.host.cli: --version, doctor, delegation to modules that may not exist yet."""

from __future__ import annotations

import pytest

from py_apm.host import cli


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.startswith("py-apm ")


def test_no_command_prints_help(capsys):
    assert cli.main([]) == 2
    assert "serve" in capsys.readouterr().out


NAMES = ["python", "layout", "pyodide", "shim.js", "page", "snapshot", "playwright", "browser"]


def _names(lines):
    return [line.split(":", 1)[0].split()[-1] for line in lines]


@pytest.mark.browser
def test_doctor_ok_starts_the_browser(fake_root, capsys):
    from py_apm.host.chromium import find_browser

    assert cli.main(["doctor"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert _names(lines) == NAMES
    assert lines[1].endswith(
        f"; PY_APM_ROOT={fake_root.root}; PY_APM_PYODIDE_DIR={fake_root.pyodide}"
    )
    assert "314.0.7" in lines[2]
    # the snapshot is optional: reported, but its absence does not fail the doctor
    assert lines[5].startswith("note") and "py-apm snapshot" in lines[5]
    assert lines[-1].startswith(f"ok      browser: {find_browser()} (Chromium ")
    assert "started and closed" in lines[-1]


@pytest.mark.subprocess  # Playwright's driver tries to launch the fake browser
def test_doctor_launches_the_browser_it_reports(fake_root, monkeypatch, tmp_path, capsys):
    exe = tmp_path / "chrome"
    exe.write_text("#!/bin/sh\nexit 1\n")  # executable, but not a browser
    exe.chmod(0o755)
    monkeypatch.setenv("PY_APM_BROWSER", str(exe))
    assert cli.main(["doctor"]) == 1
    last = capsys.readouterr().out.splitlines()[-1]
    assert last.startswith(f"MISSING browser: {exe} does not start (")


def test_doctor_missing(fake_root, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("PY_APM_PYODIDE_DIR", str(tmp_path / "nowhere"))
    monkeypatch.setenv("PY_APM_BROWSER", str(tmp_path / "no-chrome"))
    assert cli.main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert f"MISSING pyodide: not in {tmp_path / 'nowhere'}: point PY_APM_PYODIDE_DIR" in out
    assert "MISSING browser" in out


def test_delegate_missing_module(monkeypatch, capsys):
    monkeypatch.setitem(cli.DELEGATED, "run", "py_apm._no_such_runner")
    assert cli.main(["run", "x.js"]) == 2
    assert "not available yet" in capsys.readouterr().err


def test_delegate_passes_argv(monkeypatch):
    import types

    seen = {}
    fake = types.ModuleType("py_apm._fake_bench")
    fake.main = lambda argv: seen.setdefault("argv", argv) and 0  # type: ignore[attr-defined]
    monkeypatch.setitem(__import__("sys").modules, "py_apm._fake_bench", fake)
    monkeypatch.setitem(cli.DELEGATED, "bench", "py_apm._fake_bench")
    assert cli.main(["bench", "--n", "5", "--json"]) == 0
    assert seen["argv"] == ["--n", "5", "--json"]


def test_a_bad_port_is_one_line_with_the_fix(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["serve", "--port", "99999"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err == (
        "py-apm serve: argument --port: '99999' is not a port: give 0-65535 (0 = any free one)"
        " (see `py-apm serve --help`)\n"
    )


def test_an_unknown_command_is_one_line(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["bogus"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "invalid choice: 'bogus'" in err and "usage" not in err


def test_help_lists_the_commands_and_exit_codes(capsys):
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    out = capsys.readouterr().out
    for command in ("serve", "run", "init", "cache", "snapshot", "doctor"):
        assert f"    {command} " in out
    codes = out.split("exit codes:\n", 1)[1]
    assert [line.split()[0] for line in codes.splitlines() if line[:3].strip().isdigit()] == [
        "0",
        "1",
        "2",
        "3",
    ]
    assert "3  py-apm run: the scripts could not run" in codes


def test_a_port_in_use_says_what_to_do(capsys):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert cli.main(["serve", "--port", str(port), "--no-snapshot"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"py-apm serve: cannot listen on 127.0.0.1:{port}: ")
    assert err.endswith("(choose another --port; 0 = any free port)\n") and err.count("\n") == 1
