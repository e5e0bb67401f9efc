"""Warnings where the real workspace would silently behave differently, each with a stable code.

A warning never changes what a call does: it is added to the call's record (`calls()`, the
timeline) and printed once on the console by the shim. Tests assert the codes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from .slugs import slug_names
from .templates import PAGE_TYPES, TabTemplate

if TYPE_CHECKING:
    from .calllog import CallRecord
    from .core import WorkspaceCore as Workspace

#: `warn(text, code)` adds a warning to the call being made (building is pure: it is handed one)
Warn = Callable[[str, str], None]

UNUSED_KEY, BACKGROUND_FRAME, CLOSED_ID, EMPTY_SLUG = "APM-W001", "APM-W002", "APM-W003", "APM-W004"
UNKNOWN_TEMPLATE, TEMPLATE_SPACES, REFUSED, MISSING_RECORD = (
    "APM-W005",
    "APM-W006",
    "APM-W007",
    "APM-W008",
)
#: Microsoft.CIFramework: the real library would behave otherwise, or silently (docs/cif.md)
CIF_DIFFERS = "APM-W009"
#: code -> short name (the names are stable too; docs/api.md lists both)
CODES: dict[str, str] = {
    UNUSED_KEY: "unused-context-key",
    BACKGROUND_FRAME: "background-frame",
    CLOSED_ID: "closed-id",
    EMPTY_SLUG: "empty-slug",
    UNKNOWN_TEMPLATE: "unknown-template",
    TEMPLATE_SPACES: "template-name-spaces",
    REFUSED: "refused",
    MISSING_RECORD: "missing-record",
    CIF_DIFFERS: "cif-differs",
}

#: Members that act on the focused session whatever frame calls them.
FOCUSED_MEMBERS = frozenset(
    {"getFocusedSession", "createTab", "closeTab", "focusTab", "refreshTab"}
)
#: Entity display names for titles of records the record store does not hold.
ENTITY_DISPLAY = {
    "incident": "Case",
    "account": "Account",
    "contact": "Contact",
    "msdyn_ocliveworkitem": "Conversation",
    "email": "Email",
    "phonecall": "Phone Call",
    "task": "Task",
}
_ID = re.compile(r"^(session|tab)-id-(\d+)$")
CLOSED_LIMIT = 10_000


def entity_display(entity: str) -> str:
    """What the real app calls an entity in a title ("incident" -> "Case")."""
    return ENTITY_DISPLAY.get(entity, entity)


def empty_slugs(text: str, lookup: Callable[[str], str | None]) -> list[str]:
    """The slugs of `text` that resolve to "" (each once, in order)."""
    if "{" not in text:
        return []
    return list(dict.fromkeys(n for n in slug_names(text) if not lookup(n)))


def unused_keys(
    page_type: str, template: TabTemplate | None, given: Mapping[str, str]
) -> list[str]:
    """Keys of `given` the page type does not take and no slug of the template reads."""
    page = PAGE_TYPES[page_type]
    if page.open_parameters or template is None:
        return []
    read: set[str] = set()
    for text in (template.title, *template.parameters.values()):
        read.update(slug_names(text))
    return [k for k in given if k not in page.parameters and k not in read]


def check_tab(
    warn: Warn,
    method: str,
    template: TabTemplate | None,
    page_type: str,
    given: Mapping[str, str],
    lookup: Callable[[str], str | None],
    where: str,
) -> None:
    """Warnings of a tab being built: unused input keys and slugs that resolved to ""."""
    unused = unused_keys(page_type, template, given)
    if unused and template is not None:
        names = ", ".join(f"'{k}'" for k in unused)
        takes = ", ".join(PAGE_TYPES[page_type].parameters)
        warn(
            f"{method}: {where} key(s) {names} not used by tab template "
            f"'{template.unique_name}' ({PAGE_TYPES[page_type].display} takes: {takes}); "
            "the real workspace drops them silently",
            UNUSED_KEY,
        )
    if template is not None:
        texts = [("title", template.title)] + [
            (f"parameter '{k}'", v) for k, v in template.parameters.items() if k not in given
        ]
        for label, text in texts:
            where_text = f"tab template '{template.unique_name}' {label}"
            check_slugs(warn, method, text, lookup, where_text)


def check_slugs(
    warn: Warn, method: str, text: str, lookup: Callable[[str], str | None], where: str
) -> None:
    """APM-W004 for each slug of `text` that resolves to ""."""
    for name in empty_slugs(text, lookup):
        warn(
            f'{method}: slug {{{name}}} in {where} resolved to "" '
            "(not in the session context, the anchor's parameters or its record)",
            EMPTY_SLUG,
        )


def check_missing_record(warn: Warn, method: str, entity: str, entity_id: str, title: str) -> None:
    """APM-W008: an entity record the record store does not hold, titled from the entity."""
    warn(
        f"{method}: record {entity} '{entity_id}' is not in the record store, so it is titled "
        f"'{title}'; add it to the configuration: "
        f'"records": {{"{entity}": {{"{entity_id}": {{"title": "..."}}}}}}',
        MISSING_RECORD,
    )


def frame_warns(ws: Workspace, method: str, frame: str) -> bool:
    """Whether `check_frame` warns about `method` called from the frame of tab `frame`."""
    if method not in FOCUSED_MEMBERS:
        return False
    session_id = ws.session_of_tab(frame)
    return session_id is not None and session_id != ws._focused_id


def check_frame(ws: Workspace, record: CallRecord) -> None:
    """APM-W002: a focused-session member called from the frame of a background session."""
    if record.method not in FOCUSED_MEMBERS or record.frame is None:
        return
    session_id = ws.session_of_tab(record.frame)
    focused = ws._focused_id
    if session_id is None or session_id == focused:
        return
    ws._warn(
        record,
        f"{record.method}: called from the frame of tab '{record.frame}' in session "
        f"'{session_id}', which is not the focused session '{focused}'; it acts on the "
        f"focused session '{focused}', not on the frame's own (use "
        f"Microsoft.Apm.getSession('{session_id}') for that)",
        BACKGROUND_FRAME,
    )


def check_closed_ids(ws: Workspace, record: CallRecord, args: Iterable[Any]) -> None:
    """APM-W003: an argument is the id of a session or tab that was closed."""
    for arg in args:
        if not isinstance(arg, str):
            continue
        closed = ws.closed_description(arg)
        if closed is not None:
            ws._warn(
                record,
                f"{record.method}: '{arg}' is the id of a {closed}; ids are never reused: "
                "drop an id when its session or tab closes (ON_SESSION_CLOSED)",
                CLOSED_ID,
            )


def was_issued(identifier: str, next_session: int, next_tab: int) -> bool:
    """True when `identifier` looks like an id this workspace handed out."""
    match = _ID.match(identifier)
    if match is None:
        return False
    number = int(match.group(2))
    return number < (next_session if match.group(1) == "session" else next_tab)
