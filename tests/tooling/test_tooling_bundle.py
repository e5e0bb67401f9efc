"""py_apm.bundle: what goes into py_apm.zip, determinism, caching."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

from py_apm import bundle
from py_apm.bundle import HOST_ONLY, build_package_zip, get_bundle


def _names(data: bytes) -> list[str]:
    return zipfile.ZipFile(io.BytesIO(data)).namelist()


def test_real_package_zip():
    names = _names(build_package_zip())
    assert "py_apm/__init__.py" in names
    assert all(n.startswith("py_apm/") for n in names)
    for host_only in ("server.py", "cli.py", "pytest_plugin.py", "browser.py", "bundle.py"):
        assert f"py_apm/{host_only}" not in names
    assert not any("__pycache__" in n or n.endswith(".pyc") for n in names)
    assert names == sorted(names)


def _fake_package(tmp_path: Path) -> Path:
    pkg = tmp_path / "py_apm"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__pycache__").mkdir()
    for name in ("__init__.py", "workspace.py", "data.json", *sorted(HOST_ONLY)):
        (pkg / name).write_text(f"# {name}\n")
    (pkg / "sub" / "helpers.py").write_text("X = 1\n")
    (pkg / "sub" / "server.py").write_text("# nested, not host-only\n")
    (pkg / "__pycache__" / "workspace.cpython-311.pyc").write_bytes(b"\0")
    (pkg / "notes.txt").write_text("no\n")
    return pkg


def test_contents_and_exclusions(tmp_path):
    pkg = _fake_package(tmp_path)
    b = get_bundle(pkg)
    assert list(b.files) == [
        "py_apm/__init__.py",
        "py_apm/data.json",
        "py_apm/sub/helpers.py",
        "py_apm/sub/server.py",
        "py_apm/workspace.py",
    ]
    zf = zipfile.ZipFile(io.BytesIO(b.data))
    assert zf.read("py_apm/workspace.py") == b"# workspace.py\n"
    assert zf.testzip() is None


def test_deterministic_and_cached(tmp_path):
    pkg = _fake_package(tmp_path)
    first = get_bundle(pkg)
    assert get_bundle(pkg) is first  # cached
    bundle._cache.clear()
    os.utime(pkg / "workspace.py", ns=(10**18, 10**18))  # new mtime, same bytes
    second = get_bundle(pkg)
    assert second is not first
    assert second.data == first.data and second.etag == first.etag  # fixed timestamps
    for info in zipfile.ZipFile(io.BytesIO(second.data)).infolist():
        assert info.date_time == (1980, 1, 1, 0, 0, 0)


def test_rebuilt_when_a_file_changes(tmp_path):
    pkg = _fake_package(tmp_path)
    first = get_bundle(pkg)
    (pkg / "workspace.py").write_text("# changed, longer than before\n")
    second = get_bundle(pkg)
    assert second.etag != first.etag
    assert (
        zipfile.ZipFile(io.BytesIO(second.data))
        .read("py_apm/workspace.py")
        .startswith(b"# changed")
    )
    (pkg / "new_module.py").write_text("\n")
    assert "py_apm/new_module.py" in get_bundle(pkg).files
