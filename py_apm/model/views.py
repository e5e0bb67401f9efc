"""Pythonic Session, Tab and Context objects over a Workspace (what `Microsoft.Apm` hands out)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .workspace import Workspace


@dataclass
class Tab:
    """A tab object: `tab_id`, `title` and `can_close` (settable), `close`, `focus`, `refresh`."""

    workspace: Workspace = field(repr=False)
    tab_id: str

    @property
    def title(self) -> str:
        return self.workspace.tab_get_title(self.tab_id)

    @title.setter
    def title(self, value: str) -> None:
        self.workspace.tab_set_title(self.tab_id, value)

    @property
    def can_close(self) -> bool:
        return self.workspace.tab_get_can_close(self.tab_id)

    @can_close.setter
    def can_close(self, value: bool) -> None:
        self.workspace.tab_set_can_close(self.tab_id, value)

    def close(self) -> bool:
        """True when the tab closed, False when it was refused (an anchor tab)."""
        return self.workspace.tab_close(self.tab_id)

    def focus(self) -> None:
        self.workspace.tab_focus(self.tab_id)

    def refresh(self) -> None:
        self.workspace.tab_refresh(self.tab_id)


@dataclass
class Context:
    """What `session.getContext()` resolves to: context values plus each tab's parameters."""

    workspace: Workspace = field(repr=False)
    session_id: str
    template_name: str | None
    parameters: dict[str, str]
    anchor_tab_id: str
    tabs: dict[str, dict[str, Any]]

    def get(self, key: str) -> str | None:
        return self.parameters.get(key)

    def set(self, key: str, value: Any) -> None:
        """Write through to the session context (like updateContext)."""
        self.workspace.session_update_context(self.session_id, {key: value})
        context = self.workspace.session_get_context(self.session_id)
        self.parameters[key] = context["parameters"][key]

    def delete(self, key: str) -> None:
        self.workspace.session_delete_context(self.session_id, key)
        self.parameters.pop(key, None)

    def get_tab_context(self, tab_id: str) -> dict[str, Any] | None:
        """A tab's parameters; `"anchor"` means the anchor tab."""
        return self.tabs.get(self.anchor_tab_id if tab_id == "anchor" else tab_id)

    def resolve_slug(self, slug: str) -> str:
        return self.workspace.session_resolve_slug(self.session_id, slug)


@dataclass
class Session:
    """A session object (`Microsoft.Apm.getFocusedSession()` and friends)."""

    workspace: Workspace = field(repr=False)
    session_id: str

    @property
    def is_default(self) -> bool:
        return self.workspace.session_is_default(self.session_id)

    @property
    def title(self) -> str:
        return self.workspace.session_get_title(self.session_id)

    @title.setter
    def title(self, value: str) -> None:
        self.workspace.session_set_title(self.session_id, value)

    @property
    def can_close(self) -> bool:
        return self.workspace.session_get_can_close(self.session_id)

    @can_close.setter
    def can_close(self, value: bool) -> None:
        self.workspace.session_set_can_close(self.session_id, value)

    def close(self) -> bool:
        """True when the session closed, False when it was refused (Home)."""
        return self.workspace.session_close(self.session_id)

    def focus(self) -> None:
        self.workspace.session_focus(self.session_id)

    def request_focus(self) -> None:
        self.workspace.session_request_focus(self.session_id)

    def get_focused_tab(self) -> Tab:
        return Tab(self.workspace, self.workspace.session_get_focused_tab(self.session_id))

    def get_tab(self, tab_id: str) -> Tab | None:
        found = self.workspace.session_get_tab(self.session_id, tab_id)
        return Tab(self.workspace, found) if found is not None else None

    def get_all_tabs(self) -> list[str]:
        return self.workspace.session_get_all_tabs(self.session_id)

    def can_create_tab(self) -> bool:
        return self.workspace.session_can_create_tab(self.session_id)

    def update_context(self, values: Any) -> Context:
        """Merge values into the session context; returns the updated context."""
        return self._context(self.workspace.session_update_context(self.session_id, values))

    def resolve_slug(self, slug: str) -> str:
        return self.workspace.session_resolve_slug(self.session_id, slug)

    def get_context(self) -> Context:
        return self._context(self.workspace.session_get_context(self.session_id))

    def _context(self, data: dict[str, Any]) -> Context:
        return Context(
            self.workspace,
            self.session_id,
            data["templateName"],
            data["parameters"],
            data["anchorTabId"],
            data["tabs"],
        )

    def create_tab(self, tab_input: Any) -> str:
        return self.workspace.session_create_tab(self.session_id, tab_input)

    def get_all_tabs_for_template(self, template_name: str) -> list[str]:
        return self.workspace.session_get_all_tabs_for_template(self.session_id, template_name)
