"""py_apm.pytest_plugin, checked in an inner pytest run (no browser is launched here)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from importlib.metadata import entry_points
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
INSTALLED = any(ep.value == "py_apm.pytest_plugin" for ep in entry_points(group="pytest11"))


def run_inner(
    tmp_path: Path, source: str, *args: str, conftest: str | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "test_inner.py").write_text(textwrap.dedent(source))
    if conftest is not None:
        (tmp_path / "conftest.py").write_text(textwrap.dedent(conftest))
    full_env = {**os.environ, **env}
    full_env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(REPO), os.environ.get("PYTHONPATH")])
    )
    plugin = [] if INSTALLED else ["-p", "py_apm.pytest_plugin"]
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *plugin, *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=120,
    )


@pytest.fixture
def fake_chrome(tmp_path: Path) -> Path:
    exe = tmp_path / "bin" / "chrome"
    exe.parent.mkdir()
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    return exe


def test_launch_args_markers_and_browser_autotag(tmp_path, fake_chrome):
    src = """
        import os
        import pytest

        pytestmark = pytest.mark.apm_config({"strictTemplates": True})

        def test_args(browser_type_launch_args):
            assert browser_type_launch_args["executable_path"] == os.environ["PY_APM_BROWSER"]
            assert "--disable-quic" in browser_type_launch_args["args"]
            assert "--no-sandbox" in browser_type_launch_args["args"]

        def test_uses_browser(browser):
            raise AssertionError("must be deselected, never launched")

        @pytest.mark.apm_fresh_page
        @pytest.mark.apm_config(legacyPromises=True)
        def test_options(apm_options):
            assert apm_options == {
                "restoreDefaults": True, "strictTemplates": True, "legacyPromises": True
            }
    """
    res = run_inner(
        tmp_path, src, "-m", "not browser", "--strict-markers", PY_APM_BROWSER=str(fake_chrome)
    )
    assert res.returncode == 0, res.stdout + res.stderr
    assert "2 passed, 1 deselected" in res.stdout


def test_no_browser_is_one_clear_error(tmp_path):
    src = """
        def test_args(browser_type_launch_args):
            pass

        def test_no_browser_needed():
            pass
    """
    res = run_inner(tmp_path, src, "-rE", PY_APM_BROWSER=str(tmp_path / "none"))
    assert res.returncode == 1, res.stdout + res.stderr
    assert "1 passed, 1 error" in res.stdout
    assert "PY_APM_BROWSER=" in res.stdout and "Traceback" not in res.stdout


def test_apm_server_fixture(tmp_path):
    (tmp_path / "wr").mkdir()
    (tmp_path / "wr" / "hello.html").write_text("hello")
    (tmp_path / "cfg.json").write_text('{"legacyPromises": true}')
    src = """
        import urllib.request

        def test_server(apm_server):
            assert apm_server.url.startswith("http://127.0.0.1:")
            assert apm_server.config == {"legacyPromises": True}
            get = lambda p: urllib.request.urlopen(apm_server.url + p).read()
            assert get("webresources/hello.html") == b"hello"
            assert b"legacyPromises" in get("config.json")
            assert get("py_apm.zip")[:2] == b"PK"

        def test_options(apm_options):
            assert apm_options == {"restoreDefaults": True, "legacyPromises": True}
    """
    res = run_inner(tmp_path, src, "--apm-webresources", "wr", "--apm-config", "cfg.json")
    assert res.returncode == 0, res.stdout + res.stderr


@pytest.mark.skipif(not INSTALLED, reason="needs `pip install -e .` (the pytest11 entry point)")
def test_pytest_plugins_in_conftest_is_harmless(tmp_path):
    src = """
        def test_ok(apm_options):
            assert apm_options["restoreDefaults"] is True
    """
    res = run_inner(tmp_path, src, conftest='pytest_plugins = ["py_apm.pytest_plugin"]\n')
    assert res.returncode == 0, res.stdout + res.stderr


def test_option_paths_mean_what_the_user_typed(tmp_path):
    """--apm-* options resolve against the current directory; ini options against the ini file."""
    project = tmp_path / "project"
    (project / "tests").mkdir(parents=True)
    (project / "pytest.ini").write_text(
        "[pytest]\napm_webresources = webresources\napm_config = conf/apm.json\n"
    )
    (project / "tests" / "test_paths.py").write_text(
        textwrap.dedent(
            """
            import json, os
            from py_apm.pytest_plugin import _resolve_path

            def test_paths(pytestconfig):
                got = {
                    name: str(_resolve_path(pytestconfig, pytestconfig.getoption(opt), name))
                    for name, opt in (
                        ("apm_webresources", "--apm-webresources"),
                        ("apm_config", "--apm-config"),
                    )
                }
                with open(os.environ["OUT"], "w") as fh:
                    json.dump(got, fh)
            """
        )
    )
    plugin = [] if INSTALLED else ["-p", "py_apm.pytest_plugin"]
    env = {**os.environ, "PYTHONPATH": str(REPO), "OUT": str(tmp_path / "out.json")}

    def run(*args: str) -> dict[str, str]:
        proc = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *plugin, *args],
            cwd=project / "tests",  # the user runs pytest from a subfolder
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
        return json.loads((tmp_path / "out.json").read_text())

    assert run() == {
        "apm_webresources": str(project / "webresources"),
        "apm_config": str(project / "conf" / "apm.json"),
    }
    assert run("--apm-webresources", "mine", "--apm-config", "../other.json") == {
        "apm_webresources": str(project / "tests" / "mine"),
        "apm_config": str(project / "other.json"),
    }


def test_missing_option_path_names_what_the_user_wrote(tmp_path):
    (tmp_path / "pytest.ini").write_text("[pytest]\napm_webresources = webresourcez\n")
    (tmp_path / "test_inner.py").write_text("def test_it(apm_server):\n    pass\n")
    plugin = [] if INSTALLED else ["-p", "py_apm.pytest_plugin"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *plugin]
    ini = subprocess.run(
        command, cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120
    )
    assert ini.returncode == 1
    assert (
        f"py-apm: apm_webresources = webresourcez ({tmp_path / 'pytest.ini'}): no such folder: "
        f"{tmp_path / 'webresourcez'}"
    ) in ini.stdout
    cli = subprocess.run(
        [*command, "--apm-webresources", ".", "--apm-config", "nope.json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert f"py-apm: --apm-config nope.json: no such file: {tmp_path / 'nope.json'}" in cli.stdout
    assert "Traceback" not in ini.stdout + cli.stdout
