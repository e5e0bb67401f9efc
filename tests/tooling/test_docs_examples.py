"""The README's examples run as written, in the pytest plugin's workspace page.

A JavaScript line ending in a comment with a JSON value (`context.get("caseNumber");  // "CAS-1"`)
is checked: the expression must give that value.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"
CHECKED = re.compile(r"^(?P<expr>[^/\n]+?);\s*// (?P<value>\".*\"|\d+|true|false|null)\s*$", re.M)

pytestmark = pytest.mark.browser


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README.read_text("utf-8"), re.S)


def _checked(code: str) -> tuple[str, list[Any]]:
    """The code with each checked expression's value collected into `__seen`, and the values
    the comments expect, in order."""
    expected = [json.loads(m["value"]) for m in CHECKED.finditer(code)]
    body = CHECKED.sub(lambda m: f"__seen.push({m['expr']});", code)
    return body, expected


@pytest.mark.parametrize("index", range(len(_blocks("js"))))
def test_readme_javascript_example(apm_page: Any, index: int) -> None:
    body, expected = _checked(_blocks("js")[index])
    seen = apm_page.evaluate(f"async () => {{ const __seen = [];\n{body}\nreturn __seen; }}")
    assert seen == expected
    assert apm_page.evaluate("PyApm.calls().filter((c) => c.error).length") == 0


def test_readme_pytest_example(apm_page: Any) -> None:
    (code,) = _blocks("python")
    scope: dict[str, Any] = {}
    exec(compile(code, str(README), "exec"), scope)  # the README's own test function
    tests = [fn for name, fn in scope.items() if name.startswith("test_")]
    assert len(tests) == 1
    tests[0](apm_page)


def test_the_examples_check_values() -> None:
    """Not vacuous: the context example's values are checked."""
    assert [_checked(block)[1] for block in _blocks("js")][-1] == [
        "11bb11bb-cc22-dd33-ee44-55ff55ff55ff",
        "CAS-1",
    ]
