"""Test control (`window.PyApm`): reset, configure, state, the call log, the record store.

Never part of `Microsoft.Apm`, so none of it is logged in `PyApm.calls()`.
"""

from __future__ import annotations

from typing import Any

from .calllog import CallLog
from .catalog import catalog
from .core import WorkspaceCore
from .inputs import as_object
from .members import member
from .options import apply_options
from .timeline import build as build_timeline
from .values import JS_NULL
from .version import __version__


class ControlMembers(WorkspaceCore):
    """The members of `window.PyApm`; also the native API's `reset`, `configure`, `state`..."""

    @member("pyapm.reset", log="none")
    def pyapm_reset(self, options: Any = None) -> None:
        """A fresh workspace (Home only, ids from 0) keeping the configured options; `options`
        are applied on top, as `configure` does (JS null counts as none)."""
        new_options = apply_options(self.options, None if options is JS_NULL else options)
        self.options = new_options
        self._clear()
        self._log = CallLog(new_options.call_log_limit)
        self.take_output()
        self._touch()

    @member("pyapm.configure", log="none")
    def pyapm_configure(self, options: Any) -> dict[str, Any]:
        """Apply options (validated as a whole); returns the effective options."""
        if isinstance(options, str):
            options = as_object(options, "configure", "options")
        new_options = apply_options(self.options, options)
        self._log.set_limit(new_options.call_log_limit)
        self.options = new_options
        self._touch()
        return new_options.describe()

    @member("pyapm.state", log="none")
    def pyapm_state(self) -> dict[str, Any]:
        """The whole workspace as plain JSON data."""
        return {
            "revision": self.revision,
            "focusedSessionId": self._focused_id,
            "sessions": [s.to_dict() for s in self._sessions.values()],
        }

    @member("pyapm.calls", log="none")
    def pyapm_calls(self) -> list[dict[str, Any]]:
        """The call log, oldest first."""
        return self._log.to_list()

    @member("pyapm.refreshContext", label="refreshContext", log="none")
    def pyapm_refresh_context(self, session_id: Any) -> None:
        """Re-read a session's `{anchor.*}` values from the record store (the macro action
        "Refresh the session context")."""
        self._reread_anchor(self._session(session_id, "refreshContext"))

    @member("pyapm.version", log="none")
    def pyapm_version(self) -> str:
        return __version__

    @member("pyapm.timeline", log="none")
    def pyapm_timeline(self, since: Any = None) -> list[dict[str, Any]]:
        """Calls, refusals, warnings, events, focus changes and notices, oldest first; with
        `since` (a `seq`), only the rows of later calls (the page's panel asks for those)."""
        after = since if isinstance(since, int) and not isinstance(since, bool) else 0
        if isinstance(since, float) and since.is_integer():
            after = int(since)
        calls = self._log.to_list(max(after, self._history.start))
        return build_timeline(calls, self._history, self.session_of_tab, after)

    @member("pyapm.clearTimeline", log="none")
    def pyapm_clear_timeline(self) -> None:
        """Leave what happened so far out of `timeline()` (`calls()` keeps it)."""
        self._history.clear(self._log.seq)

    @member("pyapm.setCaller", log="none")
    def pyapm_set_caller(self, tab_id: Any) -> None:
        """The tab whose frame makes the next calls (None: the page itself); the shim sets it
        around each call from a tab's frame."""
        self._log.caller = tab_id if isinstance(tab_id, str) and tab_id else None

    @member("pyapm.catalog", log="none")
    def pyapm_catalog(self) -> dict[str, Any]:
        """What the launcher offers: the templates (with what they take) and the record store."""
        return catalog(self.options)

    # The native Python API: the same members under their Python names.
    reset = pyapm_reset
    configure = pyapm_configure
    state = pyapm_state
    calls = pyapm_calls
    refresh_context = pyapm_refresh_context
    timeline = pyapm_timeline
    clear_timeline = pyapm_clear_timeline
    set_caller = pyapm_set_caller

    @property
    def version(self) -> str:
        return __version__
