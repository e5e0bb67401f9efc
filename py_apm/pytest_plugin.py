"""pytest fixtures for testing code against py-apm in a real browser (built on pytest-playwright).

Fixtures:

* ``apm_server`` (session): ``py-apm serve`` on a free loopback port; ``.url`` ends with ``/``.
* ``apm_page`` (function): a ready py-apm page on which nothing an earlier test did can be
  observed: the worker's page with the test's leftovers undone (globals, timers, listeners,
  storage, cookies, routes, permissions, popups, Playwright listeners; docs/isolation.md) and
  ``PyApm.reset({restoreDefaults: true, ...})``; a new page or context when a test made a change
  that cannot be undone in place, or crashed the page. ``@pytest.mark.apm_fresh_page`` gives
  the test its own new context and page. ``@pytest.mark.apm_config({...})`` adds
  ``PyApm.configure`` options.
* ``apm_shared_page`` (function, opt-in): another worker page with only the workspace reset:
  quicker, but whatever else a test left there stays.
* ``apm_console`` (function): the console messages (and page errors) of ``apm_page`` during
  this test, as :class:`ConsoleEntry` items.
* ``apm_options`` (function): the options the reset applies; override it in a conftest.
* ``apm_open_webresource`` (function): ``open(path, data=None)`` hosts an .html page as a
  web-resource tab of ``apm_page`` (a ready workspace) and returns the tab's Playwright Frame, so
  a page that calls ``Microsoft.Apm`` while it loads runs unchanged.

Options: ``--apm-webresources DIR`` / ini ``apm_webresources`` (served at ``/webresources/``),
``--apm-config FILE`` / ini ``apm_config`` (served at ``/config.json``, which the page loads at
boot, and applied at every reset), ini ``apm_ready_timeout`` (seconds, default 60),
``--apm-timeline {on,off,retain-on-failure}`` (default off): save each test's ``PyApm.timeline()``
as ``apm-timeline.json`` and ``apm-timeline.html`` in ``<--output>/<test id>/``, as
pytest-playwright does with traces.

It also overrides pytest-playwright's ``browser_type_launch_args`` to use the Chromium found by
:func:`py_apm.host.chromium.find_browser` with py-apm's flags, and marks every test that uses
a browser with ``@pytest.mark.browser``.
"""

from __future__ import annotations

import json
import types
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from .host.fixture_page import RESET_JS, ConsoleEntry, PageHandle

__all__ = ["ApmServerInfo", "ConsoleEntry"]

_HANDLE_KEY = pytest.StashKey["PageHandle"]()
_CONSOLE_KEY = pytest.StashKey[list["ConsoleEntry"]]()
_REPORTS_KEY = pytest.StashKey[dict[str, pytest.TestReport]]()
_PAGE_KEY = pytest.StashKey[Any]()
TIMELINE_MODES = ("on", "off", "retain-on-failure")


@dataclass
class ApmServerInfo:
    """What ``apm_server`` yields."""

    url: str
    server: Any
    webresources: Path | None = None
    config_path: Path | None = None
    config: dict[str, Any] = field(default_factory=dict)


def _resolve_path(config: pytest.Config, cli: str | None, ini_name: str) -> Path | None:
    """A command-line path is taken from the current directory, an ini one from the ini file's."""
    if cli:
        return Path(cli).expanduser().resolve()
    value = str(config.getini(ini_name) or "").strip()
    if not value:
        return None
    base = config.inipath.parent if config.inipath else config.rootpath
    return (base / Path(value).expanduser()).resolve()


def _option_path(config: pytest.Config, option: str, ini_name: str, want_dir: bool) -> Path | None:
    """The path of ``--apm-...`` or its ini value; fail the session when it is not there, naming
    what the user wrote and where it led."""
    cli = config.getoption(option)
    path = _resolve_path(config, cli, ini_name)
    if path is None or (path.is_dir() if want_dir else path.is_file()):
        return path
    written = (
        f"{option} {cli}" if cli else f"{ini_name} = {config.getini(ini_name)} ({config.inipath})"
    )
    kind = "folder" if want_dir else "file"
    pytest.fail(f"py-apm: {written}: no such {kind}: {path}", pytrace=False)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("py-apm", "py-apm (Microsoft.Apm emulator)")
    group.addoption(
        "--apm-webresources",
        metavar="DIR",
        default=None,
        help="directory served at /webresources/ for apm_page",
    )
    group.addoption(
        "--apm-config",
        metavar="FILE",
        default=None,
        help="JSON PyApm.configure options for apm_page (served at /config.json)",
    )
    group.addoption(
        "--apm-timeline",
        choices=TIMELINE_MODES,
        default="off",
        help="save each apm_page test's timeline (JSON + HTML) under --output: on, off "
        "(default) or retain-on-failure",
    )
    parser.addini("apm_webresources", "directory served at /webresources/", default="")
    parser.addini("apm_config", "JSON file of PyApm.configure options", default="")
    parser.addini("apm_ready_timeout", "seconds to wait for PyApm.ready", default="60")


def _playwright_overrides() -> types.ModuleType:
    """A plugin registered in ``pytest_configure`` so it comes after pytest-playwright and wins."""
    module = types.ModuleType("py_apm.playwright_overrides")

    @pytest.fixture(scope="session")
    def browser_type_launch_args(
        browser_type_launch_args: dict[str, Any], browser_name: str | None
    ) -> dict[str, Any]:
        """pytest-playwright's launch options plus py-apm's Chromium and flags."""
        from .host.chromium import INSTALL_HINT, BrowserNotFound, chromium_args, find_browser

        if (browser_name or "chromium") != "chromium" or browser_type_launch_args.get("channel"):
            return browser_type_launch_args
        if browser_type_launch_args.get("executable_path"):
            exe = browser_type_launch_args["executable_path"]
        else:
            try:
                # --headed needs the full browser; headless prefers the headless shell
                exe = find_browser(headless=browser_type_launch_args.get("headless", True))
            except BrowserNotFound as exc:
                pytest.fail(str(exc), pytrace=False)
            if exe is None:
                pytest.fail(INSTALL_HINT, pytrace=False)
        args = chromium_args(browser_type_launch_args.get("args", []))
        return {**browser_type_launch_args, "executable_path": exe, "args": args}

    module.browser_type_launch_args = browser_type_launch_args  # type: ignore[attr-defined]
    return module


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "apm_fresh_page: give this test its own new browser context and page"
    )
    config.addinivalue_line(
        "markers", "apm_config(options): PyApm.configure options applied at apm_page's reset"
    )
    config.addinivalue_line("markers", "browser: needs Chromium (launched through Playwright)")
    if config.pluginmanager.has_plugin("playwright") and not config.pluginmanager.has_plugin(
        "py_apm.playwright_overrides"
    ):
        config.pluginmanager.register(_playwright_overrides(), "py_apm.playwright_overrides")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        names = getattr(item, "fixturenames", ())
        if "browser" in names and item.get_closest_marker("browser") is None:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Keep each phase's report on the item: the timeline is kept on failure only when asked."""
    outcome = yield
    report = outcome.get_result()
    item.stash.setdefault(_REPORTS_KEY, {})[report.when] = report
    if report.when == "call" and report.failed and _PAGE_KEY in item.stash:
        from .host.failure_report import TITLE, report_text

        text = report_text(item.stash[_PAGE_KEY], item.stash.get(_CONSOLE_KEY, []))
        if text:
            report.sections.append((TITLE, text))


def _save_timeline(request: pytest.FixtureRequest, page: Any) -> None:
    """``--apm-timeline``: write this test's timeline next to pytest-playwright's artifacts."""
    mode = request.config.getoption("--apm-timeline", "off")
    if mode == "off":
        return
    reports = request.node.stash.get(_REPORTS_KEY, {})
    if mode == "retain-on-failure" and not any(r.failed for r in reports.values()):
        return
    from .host.timeline_report import artifact_folder, save

    try:
        rows = page.evaluate("() => window.PyApm && PyApm.isReady ? PyApm.timeline() : []")
    except Exception as exc:  # noqa: BLE001 - a broken page must not fail the teardown
        rows = [{"seq": 0, "kind": "error", "text": f"timeline unavailable: {exc}"}]
    output = Path(str(request.config.getoption("--output", "test-results")))
    save(artifact_folder(output, request.node.nodeid), rows, request.node.nodeid)


@pytest.fixture(scope="session")
def apm_server(
    pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ApmServerInfo]:
    """py-apm's server on a free loopback port, for the whole session."""
    from .host.server import ServerSetupError, serve
    from .host.snapshot_build import ensure as ensure_snapshot

    webresources = _option_path(pytestconfig, "--apm-webresources", "apm_webresources", True)
    config_path = _option_path(pytestconfig, "--apm-config", "apm_config", False)
    options: dict[str, Any] = {}
    try:
        if config_path is not None:
            try:
                loaded = json.loads(config_path.read_text("utf-8"))
            except ValueError as exc:
                raise ServerSetupError(f"{config_path}: not valid JSON: {exc}") from None
            if not isinstance(loaded, dict):
                raise ServerSetupError(f"--apm-config {config_path}: must hold a JSON object")
            options = loaded
            served_config = config_path
        else:
            # The workspace page asks for /config.json at boot; serve an empty one so the
            # page boots whether or not the shim tolerates a 404 there.
            served_config = tmp_path_factory.mktemp("py_apm") / "config.json"
            served_config.write_text("{}\n", "utf-8")
        ensure_snapshot()  # built once per Pyodide + py_apm version; boots ~4x faster
        server, url = serve(webresources=webresources, config=served_config)
    except (OSError, ValueError, ServerSetupError) as exc:
        pytest.fail(f"py-apm server: {exc}", pytrace=False)
    try:
        yield ApmServerInfo(
            url=url,
            server=server,
            webresources=webresources,
            config_path=config_path,
            config=options,
        )
    finally:
        server.stop()


def _ready_timeout_ms(config: pytest.Config) -> int:
    try:
        return int(float(config.getini("apm_ready_timeout")) * 1000)
    except ValueError:
        return 60_000


def _new_handle(
    browser: Any,
    context_args: dict[str, Any],
    server: ApmServerInfo,
    config: pytest.Config,
    isolated: bool = False,
) -> PageHandle:
    handle = PageHandle(
        context=None,
        page=None,
        url=server.url,
        ready_timeout_ms=_ready_timeout_ms(config),
        isolated=isolated,
        browser=browser,
        context_args={**context_args, "base_url": server.url},
    )
    try:
        handle.new_context()
    except BaseException:
        if handle.context is not None:
            handle.context.close()
        raise
    return handle


@pytest.fixture(scope="session")
def _apm_isolated_handle(
    browser: Any,
    browser_context_args: dict[str, Any],
    apm_server: ApmServerInfo,
    pytestconfig: pytest.Config,
) -> Iterator[PageHandle]:
    """The worker's page behind ``apm_page``: its context carries the isolation guard."""
    handle = _new_handle(browser, browser_context_args, apm_server, pytestconfig, isolated=True)
    try:
        yield handle
    finally:
        handle.close()


@pytest.fixture(scope="session")
def _apm_shared_handle(
    browser: Any,
    browser_context_args: dict[str, Any],
    apm_server: ApmServerInfo,
    pytestconfig: pytest.Config,
) -> Iterator[PageHandle]:
    """The worker's page behind ``apm_shared_page`` (its own context: what the shared tests
    leave never reaches ``apm_page``)."""
    handle = _new_handle(browser, browser_context_args, apm_server, pytestconfig)
    try:
        yield handle
    finally:
        handle.close()


@pytest.fixture
def apm_shared_page(
    request: pytest.FixtureRequest, _apm_shared_handle: PageHandle, apm_options: dict[str, Any]
) -> Iterator[Any]:
    """Opt-in speed: the worker's shared page with only the workspace reset (``PyApm.reset``).
    Whatever else an earlier test did on it (globals, routes, storage, listeners...) is still
    there: see docs/isolation.md."""
    console: list[ConsoleEntry] = []
    _apm_shared_handle.console = console
    _apm_shared_handle.reset(apm_options)
    request.node.stash[_PAGE_KEY] = _apm_shared_handle.page
    yield _apm_shared_handle.page
    _save_timeline(request, _apm_shared_handle.page)


@pytest.fixture
def apm_options(request: pytest.FixtureRequest, apm_server: ApmServerInfo) -> dict[str, Any]:
    """Options of the per-test reset: defaults, then --apm-config, then ``apm_config`` marks."""
    options: dict[str, Any] = {"restoreDefaults": True, **apm_server.config}
    for mark in reversed(list(request.node.iter_markers("apm_config"))):
        for arg in mark.args:
            options.update(arg)
        options.update(mark.kwargs)
    return options


@pytest.fixture
def apm_page(
    request: pytest.FixtureRequest,
    apm_server: ApmServerInfo,
    apm_options: dict[str, Any],
    browser: Any,
    browser_context_args: dict[str, Any],
) -> Iterator[Any]:
    """A ready py-apm page on which nothing an earlier test did can be observed (the worker's
    page, cleaned and reset; its own new context with ``apm_fresh_page``)."""
    console: list[ConsoleEntry] = []
    request.node.stash[_CONSOLE_KEY] = console
    if request.node.get_closest_marker("apm_fresh_page"):
        handle = _new_handle(browser, browser_context_args, apm_server, request.config)
        handle.console = console
        try:
            handle.page.evaluate(RESET_JS, apm_options)
            request.node.stash[_PAGE_KEY] = handle.page
            yield handle.page
            _save_timeline(request, handle.page)
        finally:
            handle.close()
        return
    handle = request.getfixturevalue("_apm_isolated_handle")
    handle.console = console
    handle.isolate(apm_options)
    console.clear()
    request.node.stash[_PAGE_KEY] = handle.page
    yield handle.page
    _save_timeline(request, handle.page)


@pytest.fixture
def apm_console(request: pytest.FixtureRequest, apm_page: Any) -> list[ConsoleEntry]:
    """Console messages and page errors of ``apm_page`` during this test."""
    return request.node.stash[_CONSOLE_KEY]


@pytest.fixture
def apm_open_webresource(apm_page: Any, apm_server: ApmServerInfo) -> Iterator[Any]:
    """``open(path, data=None, timeout_ms=30000)``: host the .html page at `path` (and the files
    beside it) as a focused web-resource tab of ``apm_page``, a ready workspace; return the tab's
    Frame once loaded. Code that calls ``Microsoft.Apm`` while the page loads runs unchanged."""
    from dataclasses import replace

    from .host.open_page import locate
    from .host.server import ServerSetupError

    server = apm_server.server
    original = server.settings

    def open_page(path: str | Path, data: str | None = None, timeout_ms: float = 30_000) -> Any:
        try:
            folder, name = locate(path, original.webresources)
        except ServerSetupError as exc:
            pytest.fail(f"apm_open_webresource: {exc}", pytrace=False)
        if folder != server.settings.webresources:
            server.settings = replace(original, webresources=folder)
        tab_id = apm_page.evaluate(
            "([n, d]) => PyApm.ui.openWebResource(n, d === null ? undefined : d)", [name, data]
        )
        frame_el = apm_page.wait_for_selector(
            f'iframe[data-tab-id="{tab_id}"][src]', state="attached", timeout=timeout_ms
        )
        frame = frame_el.content_frame()
        frame.wait_for_load_state("load", timeout=timeout_ms)
        return frame

    yield open_page
    server.settings = original
