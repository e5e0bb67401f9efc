"""``py-apm init``: the starter project, and updating it after an upgrade without losing edits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from py_apm.host import cli, starter

WANT = {
    "README.md",
    "apm-templates.json",
    "playwright.config.ts",
    "pytest.ini",
    "tests/case_panel.spec.ts",
    "tests/test_case_panel.py",
    "types/apm.d.ts",
    "types/cif.d.ts",
    "types/pyapm.d.ts",
    "webresources/contoso_case_panel.html",
}


def test_the_starter_has_both_tests_their_config_and_the_typings() -> None:
    files = starter.starter_files()
    assert set(files) == WANT
    assert b"window.parent.Microsoft.Apm" in files["webresources/contoso_case_panel.html"]
    assert b"def test_" in files["tests/test_case_panel.py"]
    assert b"apm_page" in files["tests/test_case_panel.py"]
    assert b'from "py-apm-emulator/playwright"' in files["tests/case_panel.spec.ts"]
    assert b"apmPage" in files["tests/case_panel.spec.ts"]
    assert b"apm_config = apm-templates.json" in files["pytest.ini"]
    assert b'apmConfig: "apm-templates.json"' in files["playwright.config.ts"]
    assert starter.gitignore_lines() == [
        "test-results/",
        "playwright-report/",
        ".pytest_cache/",
        "__pycache__/",
        "node_modules/",
    ]


def test_init_writes_the_project_and_records_it(tmp_path: Path, capsys) -> None:
    (tmp_path / ".gitignore").write_text("secrets.env\nnode_modules/")  # no final newline
    assert cli.main(["init", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert f"  created  {tmp_path}/tests/test_case_panel.py" in out
    assert "py-apm init: 10 created, 0 updated, 0 unchanged, 0 kept" in out
    for rel in WANT:
        assert (tmp_path / rel).is_file(), rel
    ignore = (tmp_path / ".gitignore").read_text().splitlines()
    assert ignore[:2] == ["secrets.env", "node_modules/"] and ignore.count("node_modules/") == 1
    assert "test-results/" in ignore
    manifest = json.loads((tmp_path / starter.MANIFEST).read_text())
    assert set(manifest["files"]) == WANT and manifest["generator"].startswith("py-apm-emulator ")


def _files(**changed: bytes) -> dict[str, bytes]:
    return {"a.txt": b"a1", "b.txt": b"b1", "c.txt": b"c1", **changed}


def test_a_later_init_updates_what_it_wrote_and_keeps_what_the_user_edited(tmp_path) -> None:
    first = starter.install(tmp_path, _files(), ["x/"], "1")
    assert first.created == ["a.txt", "b.txt", "c.txt"] and first.gitignore_added == ["x/"]
    (tmp_path / "b.txt").write_bytes(b"b-mine")
    (tmp_path / "c.txt").write_bytes(b"c-mine")
    # the next version changes a, b and c; the user edited b and c
    v2 = _files(**{"a.txt": b"a2", "b.txt": b"b2", "c.txt": b"c2", "d.txt": b"d2"})
    second = starter.install(tmp_path, v2, ["x/"], "2")
    assert second.updated == ["a.txt"] and second.created == ["d.txt"]
    assert second.kept == ["b.txt", "c.txt"] and second.gitignore_added == []
    assert (tmp_path / "a.txt").read_bytes() == b"a2"
    assert (tmp_path / "b.txt").read_bytes() == b"b-mine"
    # the edits stay the user's: the same version again changes nothing and says so quietly
    third = starter.install(tmp_path, v2, ["x/"], "2")
    assert third.kept == ["b.txt", "c.txt"] and third.updated == []
    assert (tmp_path / ".gitignore").read_text() == "x/\n"


def test_an_existing_file_init_never_wrote_is_kept(tmp_path: Path) -> None:
    (tmp_path / "pytest.ini").write_text("[pytest]\naddopts = -x\n")
    done = starter.install(tmp_path, {"pytest.ini": b"[pytest]\n"}, [], "1")
    assert done.kept == ["pytest.ini"]
    assert (tmp_path / "pytest.ini").read_text() == "[pytest]\naddopts = -x\n"
    assert json.loads((tmp_path / starter.MANIFEST).read_text())["files"] == {}


def test_init_into_a_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "f"
    target.write_text("")
    assert cli.main(["init", str(target)]) == 2
    assert capsys.readouterr().err == f"py-apm init: {target} is not a folder: give a folder name\n"
