"""Assemble the `py-apm-emulator` npm package from the checkout, and optionally `npm pack` it.

    .venv/bin/python npm/build.py [--out build/npm] [--pack]

The package holds npm/{bin,lib,playwright} (lib/ with the site description, py_apm/host/site.json,
which both servers read, and Chromium's flags, py_apm/host/chromium.json), a README (npm/README.md),
LICENSE, CHANGELOG.md (when the checkout has one), the typings (types/), the starter project
`py-apm init --example` writes (starter/: examples/user-project), and site/: shim.js (built from
shim/ by scripts/build_shim.mjs), the workspace page (web/, its absolute /shim.js and /config.json
made relative so the page works below any folder), the py_apm bundle (py_apm.zip, from
py_apm.host.bundle), the snapshot builder (the same page code py_apm.host.snapshot runs) and the
failure report's formatter (py_apm.host.failure_report). Its version is py_apm's
(py_apm/model/version.py, the one place); its `pyodide` dependency is the exact version the root
package-lock.json pins; its `repository` is $PY_APM_REPOSITORY_URL (set by the release workflow),
else the `origin` remote.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NPM = ROOT / "npm"
PACKAGE_PARTS = ("bin", "lib", "playwright")
STARTER = ROOT / "examples" / "user-project"
SITE_JSON = ROOT / "py_apm" / "host" / "site.json"
CHROMIUM_JSON = ROOT / "py_apm" / "host" / "chromium.json"
# The workspace page is served at / by `py-apm serve`; in the package it may live in any folder.
PAGE_EDITS = (
    ('src="/shim.js"', 'src="shim.js"'),
    ('data-config="/config.json"', 'data-config="config.json"'),
    # The preload hints too: a hint for a URL the page never uses is a second download.
    ('<link rel="preload" href="/', '<link rel="preload" href="'),
    ('<link rel="modulepreload" href="/', '<link rel="modulepreload" href="'),
)


def repository_url() -> str | None:
    """Where the source is: $PY_APM_REPOSITORY_URL (the release workflow sets it to the repository
    it runs in, which npm's provenance check compares), else the checkout's `origin` remote."""
    url = os.environ.get("PY_APM_REPOSITORY_URL", "").strip()
    if not url:
        done = subprocess.run(
            ["git", "remote", "get-url", "origin"], cwd=ROOT, capture_output=True, text=True
        )
        url = done.stdout.strip() if done.returncode == 0 else ""
    return url if url.startswith("https://") else None


def locked_pyodide() -> str:
    lock = json.loads((ROOT / "package-lock.json").read_text("utf-8"))
    return str(lock["packages"]["node_modules/pyodide"]["version"])


def workspace_page() -> str:
    page = (ROOT / "web" / "index.html").read_text("utf-8")
    for old, new in PAGE_EDITS:
        if old not in page:
            raise SystemExit(f"npm/build.py: web/index.html lacks {old!r}; update PAGE_EDITS")
        page = page.replace(old, new)
    return page


def package_readme() -> str:
    """The package's own README (npm/README.md: it stands alone on the registry's page)."""
    return (NPM / "README.md").read_text("utf-8")


def node_snapshot_builder(source: str) -> str:
    """The snapshot builder a page runs, as an ES module for Node (npm/lib/node-snapshot.mjs)."""
    body = source.strip()
    return f"export default function builder(document, fetch) {{\n  return ({body});\n}}\n"


def write_site(site: Path) -> None:
    from py_apm.host.bundle import get_bundle
    from py_apm.host.failure_report import CALLS_REPORT_JS
    from py_apm.host.shim_build import build as build_shim
    from py_apm.host.snapshot_build import MAKE_SNAPSHOT_JS

    site.mkdir(parents=True)
    build_shim(ROOT, site / "shim.js")  # always from the sources (shim/), never a stale copy
    build_shim(ROOT, site / "shim.node.mjs", node=True)  # the same modules for Node (lib/node.mjs)
    # every file of the workspace page (its scripts, styles, blank page); not the samples folder
    for path in sorted((ROOT / "web").iterdir()):
        if path.is_file() and path.name != "index.html":
            shutil.copy2(path, site / path.name)
    (site / "index.html").write_text(workspace_page(), "utf-8")
    (site / "py_apm.zip").write_bytes(get_bundle().data)
    (site / "make-snapshot.js").write_text(MAKE_SNAPSHOT_JS.strip() + "\n", "utf-8")
    (site / "make-snapshot.node.mjs").write_text(node_snapshot_builder(MAKE_SNAPSHOT_JS), "utf-8")
    (site / "failure-report.js").write_text(CALLS_REPORT_JS.strip() + "\n", "utf-8")


def write_manifest(stage: Path) -> None:
    from py_apm import __version__

    manifest = json.loads((NPM / "package.json").read_text("utf-8"))
    manifest["version"] = __version__
    url = repository_url()
    if url:
        manifest["repository"] = {"type": "git", "url": f"git+{url.removesuffix('.git')}.git"}
    else:
        del manifest["repository"]
    manifest["dependencies"]["pyodide"] = locked_pyodide()
    (stage / "package.json").write_text(json.dumps(manifest, indent=2) + "\n", "utf-8")


def assemble(out: Path) -> Path:
    """Build the package folder `out/package` from scratch and return it."""
    stage = out / "package"
    if stage.exists():
        shutil.rmtree(stage)
    stage.mkdir(parents=True)
    for part in PACKAGE_PARTS:
        source = NPM / part
        if source.is_dir():
            shutil.copytree(source, stage / part)
        else:
            shutil.copy2(source, stage / part)
    shutil.copy2(SITE_JSON, stage / "lib" / "site.json")
    shutil.copy2(CHROMIUM_JSON, stage / "lib" / "chromium.json")
    (stage / "types").mkdir()
    for typing in sorted((ROOT / "types").glob("*.d.ts")):
        shutil.copy2(typing, stage / "types" / typing.name)
    (stage / "README.md").write_text(package_readme(), "utf-8")
    shutil.copy2(ROOT / "LICENSE", stage / "LICENSE")
    if (ROOT / "CHANGELOG.md").is_file():
        shutil.copy2(ROOT / "CHANGELOG.md", stage / "CHANGELOG.md")
    shutil.copytree(STARTER, stage / "starter", ignore=shutil.ignore_patterns(".*", "__pycache__"))
    write_site(stage / "site")
    write_manifest(stage)
    return stage


def pack(stage: Path, out: Path) -> Path:
    """`npm pack` the folder into `out`; return the tarball."""
    for old in out.glob("py-apm-emulator-*.tgz"):
        old.unlink()
    done = subprocess.run(
        ["npm", "pack", "--json", "--pack-destination", str(out)],
        cwd=stage,
        check=True,
        capture_output=True,
        text=True,
    )
    return out / json.loads(done.stdout)[0]["filename"]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="npm/build.py", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "npm")
    parser.add_argument("--pack", action="store_true", help="also npm pack it; print the tarball")
    args = parser.parse_args(argv)
    out = args.out.resolve()
    stage = assemble(out)
    print(pack(stage, out) if args.pack else stage)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
