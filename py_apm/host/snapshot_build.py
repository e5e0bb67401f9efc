"""Building the Pyodide memory snapshot in headless Chromium (``py-apm snapshot``).

What a snapshot is, its key and where it lives: ``snapshot.py``.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from .cache import remove_note, write_note
from .filelock import exclusive
from .headless import LaunchError, headless
from .snapshot import SUFFIX, SnapshotError, SnapshotInfo, current

#: Snapshots of other builds kept besides the current one (other checkouts or versions that
#: share the cache directory); older ones are deleted after a build.
KEEP_OTHERS = 2
LOCK_NAME = ".build.lock"
_lock = threading.Lock()

# Runs in a page of the py-apm server: boot Pyodide in snapshot mode, install and import the
# bundle, and hand the memory image to Playwright as a download (binary-safe, no base64).
MAKE_SNAPSHOT_JS = """
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
  // The file format (snapshot.py): a header, then only the runs of pages that are not all zero.
  const PAGE = 4096;
  const pages = Math.ceil(image.length / PAGE);
  const zero = (p) => {
    for (let i = p * PAGE, end = Math.min(i + PAGE, image.length); i < end; i++) {
      if (image[i] !== 0) return false;
    }
    return true;
  };
  const runs = [];
  for (let p = 0; p < pages; p++) {
    if (zero(p)) continue;
    const last = runs[runs.length - 1];
    if (last && last[0] + last[1] === p) last[1]++;
    else runs.push([p, 1]);
  }
  const head = new DataView(new ArrayBuffer(24 + runs.length * 8));
  [..."PYAPMSP1"].forEach((c, i) => head.setUint8(i, c.charCodeAt(0)));
  head.setUint32(8, PAGE, true);
  head.setBigUint64(12, BigInt(image.length), true);
  head.setUint32(20, runs.length, true);
  runs.forEach(([first, count], i) => {
    head.setUint32(24 + i * 8, first, true);
    head.setUint32(28 + i * 8, count, true);
  });
  const parts = [head.buffer, ...runs.map(([first, count]) =>
    image.subarray(first * PAGE, Math.min((first + count) * PAGE, image.length)))];
  const file = new Blob(parts, { type: "application/octet-stream" });
  const a = document.createElement("a");
  a.href = URL.createObjectURL(file);
  a.download = "py_apm.snapshot";
  document.body.appendChild(a);
  a.click();
  return file.size;
}
"""


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _prune(directory: Path, keep: Path, others: int = KEEP_OTHERS) -> None:
    """Delete all snapshots but ``keep`` and the ``others`` most recent ones."""
    stale = sorted(
        (p for p in directory.glob(f"py_apm-*{SUFFIX}") if p != keep), key=_mtime, reverse=True
    )
    for old in stale[others:]:
        try:
            old.unlink()
            remove_note(old)
        except OSError:
            pass


def _locked_build(force: bool, make: Callable[[SnapshotInfo], None]) -> tuple[SnapshotInfo, bool]:
    """Run ``make(info)`` under the build lock unless the snapshot exists (or ``force``);
    return the info and whether this call built it. Threads of one process and other processes
    (pytest-xdist workers) wait for a build in progress, then find its file."""
    with _lock:
        info = current()
        if info.exists and not force:
            return info, False
        waiting = f"py-apm: waiting for another process to build the memory snapshot ({info.path})"
        with exclusive(info.path.parent / LOCK_NAME, waiting):
            info = current()
            if info.exists and not force:
                return info, False
            make(info)
            return info, True


def build(*, force: bool = False, quiet: bool = False) -> SnapshotInfo:
    """Build the snapshot for the current Pyodide and bundle unless it exists; return its info.

    Starts a private server and a headless Chromium. Raises :class:`SnapshotError` (or
    ``BrowserNotFound`` / ``ServerSetupError`` with their own clear messages).
    """
    started = time.perf_counter()
    info, built = _locked_build(force, _make_snapshot)
    if built:
        write_note(info.path)
        _prune(info.path.parent, info.path)
        if not quiet:
            mb = info.path.stat().st_size / 1e6
            secs = time.perf_counter() - started
            print(f"py-apm: built {info.path} ({mb:.1f} MB) in {secs:.1f} s", file=sys.stderr)
    return info


def _make_snapshot(info: SnapshotInfo) -> None:
    """Make the snapshot in Chromium and move it into place atomically (no half file is ever
    visible under the final name)."""
    from playwright.sync_api import Error as PlaywrightError

    try:
        with headless() as chromium:
            page = chromium.browser.new_context(accept_downloads=True).new_page()
            page.goto(chromium.url + "blank.html")
            with page.expect_download(timeout=120_000) as download_info:
                size = page.evaluate(
                    MAKE_SNAPSHOT_JS,
                    {
                        "pyodideURL": chromium.url + "pyodide/",
                        "packageURL": chromium.url + "py_apm.zip",
                    },
                )
            info.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=info.path.parent, suffix=".part")
            os.close(fd)
            try:
                download_info.value.save_as(tmp)
                if os.path.getsize(tmp) != size:
                    raise SnapshotError(f"snapshot download truncated (expected {size} bytes)")
                os.replace(tmp, info.path)
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
    except PlaywrightError as exc:
        raise SnapshotError(f"building the snapshot failed: {exc.message}") from None
    except LaunchError as exc:
        raise SnapshotError(f"building the snapshot failed: {exc}") from None


def ensure(*, quiet: bool = True) -> SnapshotInfo | None:
    """Build the snapshot if it is missing; on failure warn and return None (pages boot without
    it, only slower). Safe to call where Playwright's sync API is already running (pytest):
    the build runs in its own thread."""
    result: list[SnapshotInfo | None] = [None]

    def work() -> None:
        try:
            result[0] = build(quiet=quiet)
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
    from .server import ServerSetupError

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
        info = current()
        print(f"{'up to date' if info.exists else 'missing'}: {info.path}")
        return 0 if info.exists else 1
    try:
        info = build(force=args.force)
    except (SnapshotError, BrowserNotFound, ServerSetupError) as exc:
        print(f"py-apm snapshot: {exc}", file=sys.stderr)
        return 1
    print(info.path)
    return 0
