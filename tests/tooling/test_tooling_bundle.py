"""py_apm.host.bundle: what goes into py_apm.zip, determinism, caching."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

from py_apm.host import bundle
from py_apm.host.bundle import build_package_zip, get_bundle


def _names(data: bytes) -> list[str]:
    return zipfile.ZipFile(io.BytesIO(data)).namelist()


def test_real_package_zip():
    names = _names(build_package_zip())
    assert "py_apm/__init__.py" in names
    assert all(n.startswith("py_apm/") for n in names)
    assert "py_apm/model/workspace.py" in names and "py_apm/bridge/entry.py" in names
    assert "py_apm/model/builtin_templates.json" in names
    # an allow-list: host tooling, the pytest plugin and the Playwright client never go in
    assert not any(n.startswith("py_apm/host/") for n in names)
    for host_only in ("pytest_plugin.py", "client.py"):
        assert f"py_apm/{host_only}" not in names
    assert not any("__pycache__" in n or n.endswith(".pyc") for n in names)
    assert names == sorted(names)


def _fake_package(tmp_path: Path) -> Path:
    pkg = tmp_path / "py_apm"
    for sub in ("model", "bridge", "host", "model/__pycache__", "other"):
        (pkg / sub).mkdir(parents=True)
    for name in ("__init__.py", "pytest_plugin.py", "client.py", "stray.py"):
        (pkg / name).write_text(f"# {name}\n")
    for name in ("workspace.py", "data.json"):
        (pkg / "model" / name).write_text(f"# {name}\n")
    (pkg / "bridge" / "entry.py").write_text("X = 1\n")
    (pkg / "host" / "server.py").write_text("# host only\n")
    (pkg / "other" / "helpers.py").write_text("# not on the allow-list\n")
    (pkg / "model" / "__pycache__" / "workspace.cpython-311.pyc").write_bytes(b"\0")
    (pkg / "model" / "notes.txt").write_text("no\n")
    return pkg


def test_contents_and_exclusions(tmp_path):
    pkg = _fake_package(tmp_path)
    b = get_bundle(pkg)
    assert list(b.files) == [
        "py_apm/__init__.py",
        "py_apm/bridge/entry.py",
        "py_apm/model/data.json",
        "py_apm/model/workspace.py",
    ]
    zf = zipfile.ZipFile(io.BytesIO(b.data))
    assert zf.read("py_apm/model/workspace.py") == b"# workspace.py\n"
    assert zf.testzip() is None


def test_deterministic_and_cached(tmp_path):
    pkg = _fake_package(tmp_path)
    first = get_bundle(pkg)
    assert get_bundle(pkg) is first  # cached
    bundle._cache.clear()
    os.utime(pkg / "model" / "workspace.py", ns=(10**18, 10**18))  # new mtime, same bytes
    second = get_bundle(pkg)
    assert second is not first
    assert second.data == first.data and second.etag == first.etag  # fixed timestamps
    for info in zipfile.ZipFile(io.BytesIO(second.data)).infolist():
        assert info.date_time == (1980, 1, 1, 0, 0, 0)


def test_rebuilt_when_a_file_changes(tmp_path):
    pkg = _fake_package(tmp_path)
    first = get_bundle(pkg)
    (pkg / "model" / "workspace.py").write_text("# changed, longer than before\n")
    second = get_bundle(pkg)
    assert second.etag != first.etag
    assert (
        zipfile.ZipFile(io.BytesIO(second.data))
        .read("py_apm/model/workspace.py")
        .startswith(b"# changed")
    )
    (pkg / "model" / "new_module.py").write_text("\n")
    assert "py_apm/model/new_module.py" in get_bundle(pkg).files
    (pkg / "new_host_module.py").write_text("\n")
    assert "py_apm/new_host_module.py" not in get_bundle(pkg).files
