"""Find a Chromium for Playwright and the flags py-apm launches it with.

A headless launch prefers Chromium's headless shell (Playwright does the same with the browsers
it downloads): the browser without its windows, about a fifth less CPU per launch and per page
than the full browser running headless. A headed launch needs the full browser.

The flags and the system paths are in ``chromium.json``, which the npm package reads too.
Chromium keeps only the last ``--disable-features`` it is given, so py-apm's one repeats the
features Playwright disables (its own flag comes first) and adds the omnibox's WebUI popups: the
full browser running headless opens a browser window per context, and each loads those popups
into a renderer of their own, about 1 CPU-second per context that no page ever shows.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

ENV_VAR = "PY_APM_BROWSER"

_SPEC = json.loads((Path(__file__).with_name("chromium.json")).read_text("utf-8"))
_FEATURES = "--disable-features="
#: Features turned off: Playwright's own list, then py-apm's.
DISABLED_FEATURES: tuple[str, ...] = tuple(
    name for names in _SPEC["disabledFeatures"].values() for name in names
)


def chromium_args(given: list[str] | tuple[str, ...] = ()) -> list[str]:
    """``given`` then py-apm's flags, once each; features a given ``--disable-features``
    turns off stay off (joined into the last one, the one Chromium reads)."""
    features = dict.fromkeys(DISABLED_FEATURES)
    rest = []
    for arg in given:
        if arg.startswith(_FEATURES):
            features.update(dict.fromkeys(n for n in arg[len(_FEATURES) :].split(",") if n))
        else:
            rest.append(arg)
    return list(dict.fromkeys([*rest, *_SPEC["args"], _FEATURES + ",".join(features)]))


#: Extra flags (Playwright already adds some of them; repeating them is harmless).
FLAGS: tuple[str, ...] = tuple(chromium_args())


#: The system's headless shell (Debian's ``chromium-headless-shell``), then its full browsers.
SYSTEM_SHELL_PATHS: tuple[str, ...] = tuple(_SPEC["systemBrowsers"]["headlessShell"])
SYSTEM_PATHS: tuple[str, ...] = tuple(_SPEC["systemBrowsers"]["browser"])
SYSTEM_SHELL_NAMES = tuple(Path(p).name for p in SYSTEM_SHELL_PATHS)
SYSTEM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

INSTALL_HINT = (
    "No Chromium found: run `sudo apt-get install -y chromium` or `playwright install chromium`, "
    f"or set {ENV_VAR}=/path/to/chrome"
)

# Executables inside a Playwright browser folder (chromium-<rev>/...), per platform.
_PLAYWRIGHT_EXES = (
    "chrome-linux64/chrome",
    "chrome-linux/chrome",
    "chrome-mac*/Chromium.app/Contents/MacOS/Chromium",
    "chrome-mac*/Google Chrome for Testing.app/Contents/MacOS/Google Chrome for Testing",
    "chrome-win*/chrome.exe",
)
# ... and inside its headless shell's folder (chromium_headless_shell-<rev>/...).
_PLAYWRIGHT_SHELL_EXES = (
    "chrome-headless-shell-*/chrome-headless-shell",
    "chrome-headless-shell-win*/chrome-headless-shell.exe",
    "chrome-linux/headless_shell",
)


class BrowserNotFound(RuntimeError):
    """No usable Chromium; ``str(err)`` is one line saying what to install."""


def _is_executable(path: str | Path) -> bool:
    p = Path(path)
    return p.is_file() and os.access(p, os.X_OK)


def playwright_browsers_dir() -> Path:
    """Where Playwright keeps its downloaded browsers (honours PLAYWRIGHT_BROWSERS_PATH)."""
    env = os.environ.get("PLAYWRIGHT_BROWSERS_PATH")
    if env and env != "0":
        return Path(env).expanduser()
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "ms-playwright"
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA", Path.home())) / "ms-playwright"
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "ms-playwright"


def _revision(path: Path) -> int:
    try:
        return int(path.name.rsplit("-", 1)[-1])
    except ValueError:
        return -1


def playwright_chromium(shell: bool = False) -> str | None:
    """Playwright's own downloaded Chromium (newest revision), or with ``shell`` its headless
    shell, without starting Playwright."""
    root = playwright_browsers_dir()
    if not root.is_dir():
        return None
    folders = root.glob("chromium_headless_shell-*" if shell else "chromium-*")
    for folder in sorted(folders, key=_revision, reverse=True):
        for pattern in _PLAYWRIGHT_SHELL_EXES if shell else _PLAYWRIGHT_EXES:
            for exe in sorted(folder.glob(pattern)):
                if _is_executable(exe):
                    return str(exe)
    return None


def find_browser(headless: bool = True) -> str | None:
    """Path of a Chromium to use, or None.

    Order: ``$PY_APM_BROWSER`` (a path or a command name), Playwright's downloaded Chromium,
    the usual system paths, then those names on ``PATH``; when ``headless``, each place's
    headless shell before its full browser. A ``PY_APM_BROWSER`` that points nowhere raises
    :class:`BrowserNotFound` rather than silently using another browser.
    """
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        if _is_executable(env):
            return str(Path(env))
        found = shutil.which(env)
        if found:
            return found
        raise BrowserNotFound(f"{ENV_VAR}={env} is not an executable file; fix or unset it")
    exe = (headless and playwright_chromium(shell=True)) or playwright_chromium()
    if exe:
        return exe
    paths = (*SYSTEM_SHELL_PATHS, *SYSTEM_PATHS) if headless else SYSTEM_PATHS
    for path in paths:
        if _is_executable(path):
            return path
    names = (*SYSTEM_SHELL_NAMES, *SYSTEM_NAMES) if headless else SYSTEM_NAMES
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    return None


def require_browser(headless: bool = True) -> str:
    """Like :func:`find_browser` but raise :class:`BrowserNotFound` when there is none."""
    exe = find_browser(headless)
    if exe is None:
        raise BrowserNotFound(INSTALL_HINT)
    return exe


def launch_args(headless: bool = True) -> dict:
    """Keyword arguments for ``playwright.chromium.launch(**launch_args())``."""
    return {"executable_path": require_browser(headless), "args": list(FLAGS), "headless": headless}
