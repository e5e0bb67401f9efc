"""The workspace model: sessions, tabs, focus (MRU), limits, refusals, context, events, call log.

`Workspace` composes the core (`core.py`) with one mixin per JS object: `Microsoft.Apm`
(`apm.py`), session objects (`session.py`), tab objects (`tab.py`), page clicks (`ui.py`) and
`window.PyApm` (`control.py`). Each bridge member is declared once, on its method, with
`@member(...)` (`members.py`). `views.py` wraps ids in Pythonic Session/Tab objects.
"""

from __future__ import annotations

from typing import Any

from .apm import ApmMembers
from .cif import CifSessionMembers
from .cif_panel import CifPanelMembers
from .cif_records import CifRecordMembers
from .control import ControlMembers
from .page_sessions import PageSessionMembers
from .session import SessionMembers
from .tab import TabMembers
from .ui import UiMembers


class Workspace(
    PageSessionMembers,
    ApmMembers,
    SessionMembers,
    TabMembers,
    UiMembers,
    ControlMembers,
    CifSessionMembers,
    CifPanelMembers,
    CifRecordMembers,
):
    """An emulated Customer Service workspace (the state behind `Microsoft.Apm`, and behind
    `Microsoft.AppRuntime.Sessions`, `Xrm.App.sessions` and `Microsoft.CIFramework`)."""

    def __init__(self, options: Any = None, *, workspace_id: str | None = None) -> None:
        super().__init__(workspace_id)
        if options is not None:
            self.configure(options)
