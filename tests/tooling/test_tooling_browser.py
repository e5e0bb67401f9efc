"""py_apm.host.chromium: where Chromium is looked for, and the one-line error when it is not."""

from __future__ import annotations

import json
import shutil
import stat
from pathlib import Path

import pytest

from py_apm.host import chromium as browser
from py_apm.host.chromium import FLAGS, BrowserNotFound, find_browser, launch_args, require_browser


def _exe(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.fixture
def nothing(monkeypatch, tmp_path):
    """No browser anywhere: no env, empty Playwright cache, no system paths, nothing on PATH."""
    monkeypatch.delenv("PY_APM_BROWSER", raising=False)
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path / "ms-playwright"))
    monkeypatch.setattr(browser, "SYSTEM_SHELL_PATHS", ())
    monkeypatch.setattr(browser, "SYSTEM_PATHS", ())
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    return tmp_path


def test_env_path_wins(nothing, monkeypatch):
    exe = _exe(nothing / "my" / "chrome")
    _exe(nothing / "ms-playwright" / "chromium-1200" / "chrome-linux" / "chrome")
    monkeypatch.setenv("PY_APM_BROWSER", str(exe))
    assert find_browser() == str(exe)
    args = launch_args()
    assert args["executable_path"] == str(exe)
    assert args["args"] == list(FLAGS) and "--disable-quic" in args["args"]
    assert args["headless"] is True


def test_env_pointing_nowhere_is_an_error(nothing, monkeypatch):
    monkeypatch.setenv("PY_APM_BROWSER", str(nothing / "missing"))
    with pytest.raises(BrowserNotFound, match="PY_APM_BROWSER"):
        find_browser()


def test_playwright_download_newest_revision(nothing):
    _exe(nothing / "ms-playwright" / "chromium-1100" / "chrome-linux" / "chrome")
    newest = _exe(nothing / "ms-playwright" / "chromium-1200" / "chrome-linux64" / "chrome")
    assert find_browser() == str(newest)


def test_system_path_then_path_lookup(nothing, monkeypatch):
    system = _exe(nothing / "usr-bin" / "chromium")
    monkeypatch.setattr(browser, "SYSTEM_PATHS", (str(nothing / "absent"), str(system)))
    assert find_browser() == str(system)
    monkeypatch.setattr(browser, "SYSTEM_PATHS", ())
    on_path = _exe(nothing / "empty-bin" / "chromium-browser")
    assert find_browser() == str(on_path)


def test_headless_prefers_each_places_headless_shell_and_headed_the_full_browser(
    nothing, monkeypatch
):
    full = _exe(nothing / "ms-playwright" / "chromium-1200" / "chrome-linux64" / "chrome")
    shell = _exe(
        nothing
        / "ms-playwright"
        / "chromium_headless_shell-1200"
        / "chrome-headless-shell-linux64"
        / "chrome-headless-shell"
    )
    assert find_browser() == str(shell) and launch_args()["executable_path"] == str(shell)
    assert find_browser(headless=False) == str(full)
    assert launch_args(headless=False)["executable_path"] == str(full)
    shutil.rmtree(nothing / "ms-playwright")
    system = _exe(nothing / "usr-bin" / "chromium")
    system_shell = _exe(nothing / "usr-bin" / "chromium-headless-shell")
    monkeypatch.setattr(browser, "SYSTEM_PATHS", (str(system),))
    monkeypatch.setattr(browser, "SYSTEM_SHELL_PATHS", (str(system_shell),))
    assert (find_browser(), find_browser(headless=False)) == (str(system_shell), str(system))
    monkeypatch.setattr(browser, "SYSTEM_PATHS", ())
    monkeypatch.setattr(browser, "SYSTEM_SHELL_PATHS", ())
    on_path = _exe(nothing / "empty-bin" / "chromium-headless-shell")
    assert find_browser() == str(on_path) and find_browser(headless=False) is None
    # a shell alone cannot run headed: the one-line error, not a launch that fails
    with pytest.raises(BrowserNotFound):
        launch_args(headless=False)


def test_the_system_paths_are_the_ones_the_npm_package_reads():
    spec = json.loads(Path(browser.__file__).with_name("chromium.json").read_text("utf-8"))
    assert browser.SYSTEM_SHELL_PATHS == tuple(spec["systemBrowsers"]["headlessShell"])
    assert browser.SYSTEM_PATHS == tuple(spec["systemBrowsers"]["browser"])
    assert "/usr/bin/chromium-headless-shell" in browser.SYSTEM_SHELL_PATHS  # Debian's package


def test_nothing_found_one_line(nothing):
    assert find_browser() is None
    with pytest.raises(BrowserNotFound) as err:
        require_browser()
    text = str(err.value)
    assert "\n" not in text
    assert "sudo apt-get install -y chromium" in text
    assert "playwright install chromium" in text
    assert "PY_APM_BROWSER" in text
    with pytest.raises(BrowserNotFound):
        launch_args()


def test_a_given_disable_features_is_joined_into_the_last_one():
    args = browser.chromium_args(["--lang=fr", "--disable-features=Foo,Bar", "--disable-gpu"])
    features = [a for a in args if a.startswith("--disable-features=")]
    assert len(features) == 1 and args[-1] == features[0]
    names = features[0].split("=", 1)[1].split(",")
    assert names[:3] == [
        "AvoidUnnecessaryBeforeUnloadCheckSync",
        "DestroyProfileOnBrowserClose",
        "HttpsUpgrades",
    ]
    assert {"Foo", "Bar", "WebUIOmniboxPopup", "ThirdPartyStoragePartitioning"} <= set(names)
    assert len(names) == len(set(names))
    assert args[:2] == ["--lang=fr", "--disable-gpu"] and args.count("--disable-gpu") == 1
    assert FLAGS[-1].startswith("--disable-features=") and FLAGS[-1].split(",")[-3:] == [
        "WebUIOmniboxPopup",
        "WebUIOmniboxAimPopup",
        "WebUIOmniboxFullPopup",
    ]


@pytest.mark.browser
def test_the_launched_chromium_keeps_playwrights_features_off_and_opens_no_omnibox_popup(
    browser_type,
):
    """Chromium reads only the last --disable-features: py-apm's, which must hold every feature
    the flags before it (Playwright's own) turn off. A new context of the full browser running
    headless (what a headless launch uses when there is no headless shell) then has its page and
    nothing else: no omnibox WebUI popup, each of which costs a renderer per context."""
    options = {**launch_args(), "executable_path": require_browser(headless=False)}
    # --enable-automation: only then does Chromium tell its command line
    b = browser_type.launch(**{**options, "args": [*options["args"], "--enable-automation"]})
    try:
        cdp = b.new_browser_cdp_session()
        argv = cdp.send("Browser.getBrowserCommandLine")["arguments"]
        lists = [a.split("=", 1)[1].split(",") for a in argv if a.startswith("--disable-features=")]
        assert len(lists) >= 2, argv  # Playwright's, then py-apm's
        assert "WebUIOmniboxPopup" in lists[-1]
        for earlier in lists[:-1]:
            assert set(earlier) <= set(lists[-1]), set(earlier) - set(lists[-1])
        context = b.new_context()
        context.new_page().goto("about:blank")
        urls = [t["url"] for t in cdp.send("Target.getTargets")["targetInfos"]]
        assert not [u for u in urls if u.startswith("chrome://")], urls
        context.close()
    finally:
        b.close()
