"""Building the Pyodide memory snapshot in headless Chromium (``py-apm snapshot``).

What a snapshot is, its key and where it lives: ``snapshot.py``.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
from pathlib import Path

from .headless import LaunchError, headless
from .snapshot import SUFFIX, SnapshotError, SnapshotInfo, current

_lock = threading.Lock()

# Runs in a page of the py-apm server: boot Pyodide in snapshot mode, install and import the
# bundle, and hand the memory image to Playwright as a download (binary-safe, no base64).
_MAKE_SNAPSHOT_JS = """
async ({pyodideURL, packageURL}) => {
  const mod = await import(pyodideURL + "pyodide.mjs");
  let sitePackages = null;
  const pyodide = await mod.loadPyodide({
    indexURL: pyodideURL,
    _makeSnapshot: true,
    fsInit: (_FS, info) => { sitePackages = info.sitePackages; },
  });
  const r = await fetch(packageURL);
  if (!r.ok) throw new Error(`cannot fetch ${packageURL}: HTTP ${r.status}`);
  pyodide.unpackArchive(await r.arrayBuffer(), "zip", { extractDir: sitePackages });
  pyodide.runPython(`
import importlib, pkgutil, py_apm
for info in pkgutil.walk_packages(py_apm.__path__, "py_apm."):
    importlib.import_module(info.name)
from py_apm.model.templates import TemplateSet
TemplateSet.builtin()
del importlib, pkgutil, py_apm, info, TemplateSet
`);
  const image = pyodide.makeMemorySnapshot();
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([image], { type: "application/octet-stream" }));
  a.download = "py_apm.snapshot";
  document.body.appendChild(a);
  a.click();
  return image.length;
}
"""


def _prune(directory: Path, keep: Path) -> None:
    for old in directory.glob(f"py_apm-*{SUFFIX}"):
        if old != keep:
            try:
                old.unlink()
            except OSError:
                pass


def build(root: Path | None = None, *, force: bool = False, quiet: bool = False) -> SnapshotInfo:
    """Build the snapshot for the current Pyodide and bundle unless it exists; return its info.

    Starts a private server and a headless Chromium. Raises :class:`SnapshotError` (or
    ``BrowserNotFound`` / ``ServerSetupError`` with their own clear messages).
    """
    from playwright.sync_api import Error as PlaywrightError

    from .server import pyodide_dir, repo_root

    root = root or repo_root()
    with _lock:
        info = current(root, pyodide_dir(root))
        if info.exists and not force:
            return info
        started = time.perf_counter()
        try:
            with headless() as chromium:
                page = chromium.browser.new_context(accept_downloads=True).new_page()
                page.goto(chromium.url + "blank.html")
                with page.expect_download(timeout=120_000) as download_info:
                    size = page.evaluate(
                        _MAKE_SNAPSHOT_JS,
                        {
                            "pyodideURL": chromium.url + "pyodide/",
                            "packageURL": chromium.url + "py_apm.zip",
                        },
                    )
                info.path.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(dir=info.path.parent, suffix=".part")
                os.close(fd)
                download_info.value.save_as(tmp)
                if os.path.getsize(tmp) != size:
                    os.unlink(tmp)
                    raise SnapshotError(f"snapshot download truncated (expected {size} bytes)")
                os.replace(tmp, info.path)
        except PlaywrightError as exc:
            raise SnapshotError(f"building the snapshot failed: {exc.message}") from None
        except LaunchError as exc:
            raise SnapshotError(f"building the snapshot failed: {exc}") from None
        _prune(info.path.parent, info.path)
        if not quiet:
            mb = info.path.stat().st_size / 1e6
            secs = time.perf_counter() - started
            print(f"py-apm: built {info.path} ({mb:.1f} MB) in {secs:.1f} s", file=sys.stderr)
        return info


def ensure(root: Path | None = None, *, quiet: bool = True) -> SnapshotInfo | None:
    """Build the snapshot if it is missing; on failure warn and return None (pages boot without
    it, only slower). Safe to call where Playwright's sync API is already running (pytest):
    the build runs in its own thread."""
    result: list[SnapshotInfo | None] = [None]

    def work() -> None:
        try:
            result[0] = build(root, quiet=quiet)
        except Exception as exc:  # noqa: BLE001 - a missing snapshot only costs boot time
            print(f"py-apm: no memory snapshot ({exc}); pages boot without one", file=sys.stderr)

    worker = threading.Thread(target=work, name="py-apm-snapshot-build", daemon=True)
    worker.start()
    worker.join()
    return result[0]


def main(argv: list[str]) -> int:
    """``py-apm snapshot [--force] [--check]``."""
    import argparse

    from .chromium import BrowserNotFound
    from .server import ServerSetupError, pyodide_dir, repo_root

    parser = argparse.ArgumentParser(
        prog="py-apm snapshot",
        description="Build the Pyodide memory snapshot the shim boots from (about 4x faster).",
    )
    parser.add_argument("--force", action="store_true", help="rebuild even if it is up to date")
    parser.add_argument(
        "--check", action="store_true", help="only say whether it is up to date (exit 1 if not)"
    )
    args = parser.parse_args(argv)
    if args.check:
        root = repo_root()
        info = current(root, pyodide_dir(root))
        print(f"{'up to date' if info.exists else 'missing'}: {info.path}")
        return 0 if info.exists else 1
    try:
        info = build(force=args.force)
    except (SnapshotError, BrowserNotFound, ServerSetupError) as exc:
        print(f"py-apm snapshot: {exc}", file=sys.stderr)
        return 1
    print(info.path)
    return 0
