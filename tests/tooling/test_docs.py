"""The README and the documentation site: the front door's promises, the generated tables."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from types import ModuleType

import pytest
from repo_scripts import load_script

from py_apm.model.members import members
from py_apm.model.warnings import CODES

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
DOCS = ROOT / "docs"


@functools.cache  # loaded once: its face table is read with node
def _gen_docs() -> ModuleType:
    return load_script(ROOT / "scripts" / "gen_docs.py", "gen_docs")


def _block(text: str, name: str) -> str:
    return text.split(f"<!-- generated: {name} -->\n", 1)[1].split(f"<!-- end generated: {name}")[0]


def test_generated_tables_are_the_registrys() -> None:
    """docs/api.md's member and warning tables are what scripts/gen_docs.py writes now."""
    assert _gen_docs().stale() == []


def test_the_member_table_lists_every_registered_member_in_order() -> None:
    block = _block((DOCS / "api.md").read_text("utf-8"), "members")
    names = re.findall(r"^\| `([^`]+)` \|", block, re.M)
    assert names == [spec.name for spec in members()]
    codes = re.findall(r"^\| (APM-W\d+) \| ([a-z-]+) \|", _block(
        (DOCS / "api.md").read_text("utf-8"), "warnings"), re.M)  # fmt: skip
    assert codes == list(CODES.items())


def test_a_stale_table_is_found() -> None:
    """Dropping one member's row (as an edit of the registry would leave it) makes it stale."""
    gen = _gen_docs()
    text = (DOCS / "api.md").read_text("utf-8")
    edited = re.sub(r"^\| `closeTab` \|.*\n", "", text, count=1, flags=re.M)
    assert edited != text and gen.render(edited) == text


def test_readme_is_the_front_door() -> None:
    """At most 1,500 words: what it is, install in one line, three first uses, the return types,
    where context values land, links to the docs."""
    text = README.read_text("utf-8")
    assert len(text.split()) <= 1500
    assert "pip install py-apm-emulator" in text and "npm install -D py-apm-emulator" in text
    for first_use in ("def test_", "apm_page", "apmPage", '"py-apm-emulator/playwright"',
                      "py-apm serve"):  # fmt: skip
        assert first_use in text, first_use
    assert "| `session.getAllTabs()` | array of tab ids" in text
    assert '`(await session.getContext()).getTabContext("anchor").entityId`' in text


def test_readme_links_and_images_exist() -> None:
    """Every relative link and image of the README names a file of the checkout (docs pages that
    other work adds are allowed to be missing only while they are not yet written)."""
    text = README.read_text("utf-8")
    targets = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text)
    local = [t for t in targets if "://" not in t]
    assert {"docs/workspace.png", "docs/timeline.png"} <= set(local)
    pending = {"docs/node.md"}  # written by the Node work (issue 23)
    missing = [t for t in local if not (ROOT / t).exists() and t not in pending]
    assert missing == []


def test_readme_quick_start_commands_stay() -> None:
    text = README.read_text("utf-8")
    for command in ("bash scripts/serve.sh", "bash scripts/test.sh"):
        assert command in text
        assert (ROOT / command.split()[1]).is_file()


def test_every_page_is_in_the_nav() -> None:
    yaml = pytest.importorskip("yaml")
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text("utf-8"))

    def pages(nav: object) -> list[str]:
        if isinstance(nav, str):
            return [nav]
        if isinstance(nav, dict):
            return [p for value in nav.values() for p in pages(value)]
        assert isinstance(nav, list)
        return [p for item in nav for p in pages(item)]

    listed = pages(config["nav"])
    assert sorted(listed) == sorted(p.name for p in DOCS.glob("*.md"))


def test_the_options_table_names_every_option() -> None:
    from py_apm.model.options import OPTION_KEYS

    text = (DOCS / "configuration.md").read_text("utf-8")
    table = text.split("## Options\n", 1)[1].split("\n## ", 1)[0]
    assert sorted(re.findall(r"^\| `(\w+)` \|", table, re.M)) == sorted(OPTION_KEYS)


def test_the_pytest_page_names_every_fixture_option_and_marker() -> None:
    """What the plugin declares (fixtures, command-line options, ini values, markers) is on
    docs/pytest.md."""
    source = (ROOT / "py_apm" / "pytest_plugin.py").read_text("utf-8")
    declared = re.findall(r"@pytest\.fixture(?:\([^)]*\))?\ndef (apm_\w+)", source)
    declared += re.findall(r'addoption\(\s*"(--apm-[a-z-]+)"', source)
    declared += re.findall(r'addini\(\s*"(apm_\w+)"', source)
    declared += re.findall(r'"markers",\s*"(apm_\w+)', source)
    assert {"apm_page", "--apm-config", "apm_ready_timeout", "apm_fresh_page"} <= set(declared)
    page = (DOCS / "pytest.md").read_text("utf-8")
    assert [
        name for name in declared if not re.search(rf"`(ini |@pytest\.mark\.)?{name}\b", page)
    ] == []


def test_the_playwright_page_names_every_fixture_and_option() -> None:
    """Each fixture and option of the Playwright Test fixture object is on docs/playwright.md."""
    source = (ROOT / "npm" / "playwright" / "index.mjs").read_text("utf-8")
    declared = re.findall(r"^  (apm[A-Z]\w*):", source, re.M)
    assert {"apmPage", "apmConfig", "apmServe"} <= set(declared)
    page = (DOCS / "playwright.md").read_text("utf-8")
    assert [name for name in declared if f"`{name}`" not in page] == []


def test_every_environment_variable_is_documented() -> None:
    """Each `PY_APM_*` variable py-apm reads (Python and npm sides) is on the configuration page;
    the scripts' own knobs are in CONTRIBUTING.md or a docs page."""
    internal = {"PY_APM_BENCH_DURATIONS"}  # set by py-apm bench for the process it starts
    sources = [*(ROOT / "py_apm").rglob("*.py"), *(ROOT / "npm").glob("[blp]*/*.mjs")]
    read = {n for f in sources for n in re.findall(r"PY_APM_[A-Z_]+", f.read_text("utf-8"))}
    assert "PY_APM_BROWSER" in read
    page = (DOCS / "configuration.md").read_text("utf-8")
    assert sorted(n for n in read - internal if f"`{n}" not in page) == []
    scripts = {n for f in (ROOT / "scripts").glob("*.sh") for n in
               re.findall(r"PY_APM_[A-Z_]+", f.read_text("utf-8"))}  # fmt: skip
    pages = [ROOT / "CONTRIBUTING.md", *DOCS.glob("*.md")]
    documented = "".join(p.read_text("utf-8") for p in pages)
    assert sorted(n for n in scripts if f"`{n}" not in documented) == []
