"""Hostile inputs, classes "deep and huge JSON text" and "deep and huge objects": every entry
point that takes JSON text or an object refuses what is past the bounds with the exact 400 (and
no change), accepts what is within them, and the runtime keeps working (both backends)."""

from __future__ import annotations

from typing import Any

import pytest

from .hostile import (
    FULL,
    MAX_CONFIG_TEXT,
    MAX_DEPTH,
    MAX_TEXT,
    ROOT_DEPTH,
    TARGETS,
    Case,
    check,
    path,
    run_browser,
    run_native,
)

TEXT_TARGETS = ["createSession", "sessionContext", "parametersStr", "updateContext", "configure"]
OBJECT_TARGETS = ["createSession", "sessionContext", "updateContext", "configure", "appContext"]
DEPTHS = [65, 6000, 100_000] + ([200, 1000, 20_000, 500_000] if FULL else [])
SHAPES = [("[", "", "]"), ('{"a":', "1", "}")] + (
    [('[{"a":', "1", "}]"), ("[", "1", "]")] if FULL else []
)
OBJECT_DEPTHS = [65, 2000] + ([100, 10_000, 50_000] if FULL else [])
STEP = {"deep-array": "[0]", "deep-object": ".a", "deep-map": ".a"}


def _size_error(target: str, length: int) -> str:
    """What a JSON text of `length` characters past its bound gets (inside a SessionInput, the
    SessionInput object is measured first)."""
    limit = MAX_CONFIG_TEXT if target == "configure" else MAX_TEXT
    if target in ("sessionContext", "parametersStr"):
        return f"createSession: SessionInput is larger than {MAX_TEXT:,} characters as JSON (the limit)"
    return f"{TARGETS[target]} is {length:,} characters of JSON text; the limit is {limit:,}"


def text_cases() -> list[Case]:
    cases = []
    for target in TEXT_TARGETS:
        limit = MAX_CONFIG_TEXT if target == "configure" else MAX_TEXT
        for opener, leaf, closer in SHAPES:
            for n in DEPTHS:
                length = (len(opener) + len(closer)) * n + len(leaf)
                error = (
                    f"{TARGETS[target]} is JSON nested deeper than {MAX_DEPTH} levels (the limit)"
                )
                if length > (
                    limit if target not in ("sessionContext", "parametersStr") else MAX_TEXT - 80
                ):
                    error = _size_error(target, length)
                cases.append(
                    Case(
                        f"text-deep {target} {opener}x{n}",
                        target,
                        ["text-deep", opener, leaf, closer, n],
                        error,
                    )
                )
        length = limit + len('{"templateName":""}')
        cases.append(
            Case(f"text-big {target}", target, ["text-big", limit], _size_error(target, length))
        )
    # At the bounds: accepted (or refused for what the text says, not for its shape).
    cases.append(
        Case(
            "text-deep updateContext 64",
            "updateContext",
            ["text-deep", '{"a":', "1", "}", 64],
            None,
        )
    )
    cases.append(
        Case(
            "text-deep createSession 64",
            "createSession",
            ["text-deep", '{"a":', "1", "}", 64],
            "createSession: SessionInput.templateName is required",
        )
    )
    cases.append(
        Case("text-big createSession under", "createSession", ["text-big", MAX_TEXT - 100], None)
    )
    return cases


def object_cases() -> list[Case]:
    cases = []
    for target in OBJECT_TARGETS:
        steps_to_limit = MAX_DEPTH - ROOT_DEPTH.get(target, 0)
        for kind in ("deep-array", "deep-object", "deep-map"):
            if target == "configure" and kind != "deep-object":
                continue  # options must be an object: a 422 before any depth is reached
            for n in OBJECT_DEPTHS:
                where = path(target, [STEP[kind]] * steps_to_limit)
                error = f"{where} is nested deeper than {MAX_DEPTH} levels"
                if kind == "deep-array" and target in ("createSession", "updateContext"):
                    error = (
                        f"{TARGETS[target]} must be a Map, an object or a JSON string, got array"
                    )
                cases.append(Case(f"{kind} {target} x{n}", target, [kind, n], error))
        limit = MAX_CONFIG_TEXT if target == "configure" else MAX_TEXT
        root = {
            "sessionContext": "createSession: SessionInput",
            "appContext": "createTab: AppTabInput",
        }.get(target, TARGETS[target])
        cases.append(
            Case(
                f"big value {target}",
                target,
                ["big-string-value", limit],
                f"{root} is larger than {limit:,} characters as JSON (the limit)",
            )
        )
        cases.append(
            Case(
                f"big key {target}",
                target,
                ["big-key", 65_537],
                f"{path(target, [])} has a key of 65,537 characters; the limit is 65,536",
            )
        )
        cases.append(
            Case(
                f"1MB key {target}",
                target,
                ["big-key", 1 << 20],
                f"{root} is larger than {limit:,} characters as JSON (the limit)"
                if target != "configure"
                else "configure: options has a key of 1,048,576 characters; the limit is 65,536",
            )
        )
    cases.append(
        Case(
            "cyclic createSession",
            "createSession",
            ["cyclic"],
            "createSession: SessionInput.self refers to itself (a cyclic object)",
        )
    )
    cases.append(
        Case(
            "cyclic updateContext",
            "updateContext",
            ["cyclic"],
            "session.updateContext: input.self refers to itself (a cyclic object)",
        )
    )
    # Within the bounds: accepted.
    cases.append(Case("deep-object updateContext 64", "updateContext", ["deep-object", 63], None))
    cases.append(Case("big key updateContext 60000", "updateContext", ["big-key", 60_000], None))
    cases.append(
        Case(
            "big value updateContext under",
            "updateContext",
            ["big-string-value", MAX_TEXT - 100],
            None,
        )
    )
    cases.append(Case("wide updateContext 10000", "updateContext", ["wide", 10_000], None))
    return cases


CLASSES = {"json-text": text_cases, "objects": object_cases}
BACKENDS = ["native", pytest.param("browser", marks=pytest.mark.browser)]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("klass", sorted(CLASSES))
def test_hostile_sizes(klass: str, backend: str, request: pytest.FixtureRequest) -> None:
    cases = CLASSES[klass]()
    if backend == "native":
        outcomes = run_native(cases)
    else:
        outcomes = run_browser(request.getfixturevalue("apm_page"), cases)
    check(cases, outcomes)
    slowest = max(outcomes, key=lambda o: o.ms)
    print(f"\n{klass}/{backend}: {len(cases)} cases; slowest {slowest.id} {slowest.ms:.0f} ms")
    assert all(o.ms < 10_000 for o in outcomes), slowest


def test_runtime_keeps_working_after_deep_text(apm_page: Any) -> None:
    """The reproduction of the fatal error: 100 deep-text calls, then valid calls still work."""
    result = apm_page.evaluate(
        """async () => {
        PyApm.reset({restoreDefaults: true});
        const deep = "[".repeat(6000) + "]".repeat(6000);
        const codes = new Set();
        for (let i = 0; i < 100; i++) {
          try { await Microsoft.Apm.createSession(deep); codes.add("returned"); }
          catch (e) { codes.add(e.errorCode); }
        }
        const id = await Microsoft.Apm.createSession({templateName: "msdyn_chat_session"});
        return {codes: [...codes], id, sessions: PyApm.state().sessions.length};
    }"""
    )
    assert result == {"codes": [400], "id": "session-id-1", "sessions": 2}
