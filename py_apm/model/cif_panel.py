"""`Microsoft.CIFramework` panel, presence, click-to-act, environment, handlers, notifications
and analytics; the page's CIF clicks (`ui.*`) and `PyApm.notifications()` / `PyApm.cif()`."""

from __future__ import annotations

from typing import Any

from .calllog import CallRecord
from .cif_core import (
    CIF_NOTIFICATION,
    FORBIDDEN,
    CifCore,
    cif_error,
    require_text,
    required,
)
from .errors import INVALID_ARGUMENT, NOT_FOUND, invalid
from .inputs import as_object, require_string
from .members import member
from .notifications import (
    AUTO_ACCEPT,
    CANCELLED,
    QUEUE_FULL,
    RESPONSES,
    Notification,
    render,
    response_text,
)
from .providers import DEFAULT_PROVIDER, MIN_WIDTH, Presence
from .state import HOME_SESSION_ID
from .values import describe, is_nullish, js_json

#: Event names a provider can be notified of (the names are case-sensitive).
CIF_EVENTS = (
    "onclicktoact",
    "onmodechanged",
    "onsizechanged",
    "onpagenavigate",
    "onsendkbarticle",
    "onSessionClosed",
    "onSessionSwitched",
    "onPresenceChange",
    "setPresenceEvent",
)


class CifPanelMembers(CifCore):
    """Everything of `Microsoft.CIFramework` that is not a session or a record."""

    # ------------------------------------------------------------------ panel
    def _cif_panel_home_check(self, provider: str, api: str) -> None:
        """With several providers the panel has no mode of its own in Home (nor in a session
        no provider owns)."""
        if (
            provider != DEFAULT_PROVIDER
            and len(self._cif_providers()) > 1
            and self._focused_id not in self._cif.session_modes
        ):
            raise cif_error(
                FORBIDDEN,
                f"{api} is not supported in the home session when several channel providers are "
                "configured",
            )

    @member("cif.setMode")
    def cif_set_mode(self, record: CallRecord, provider: Any, value: Any) -> int:
        """0 minimized, 1 docked, 2 hidden; the mode."""
        owner = self._cif_provider(provider, "setMode")
        if isinstance(value, bool) or value not in (0, 1, 2):
            raise cif_error(INVALID_ARGUMENT, "The setMode paramter value must be 0, 1 or 2.")
        self._cif_require_active(owner)
        self._cif_panel_home_check(owner, "setMode")
        self._cif_set_mode(int(value))
        return int(value)

    @member("cif.getMode")
    def cif_get_mode(self, record: CallRecord, provider: Any) -> int:
        """The panel's mode: 0 minimized, 1 docked, 2 hidden."""
        self._cif_provider(provider, "getMode")
        return self._cif_mode()

    @member("cif.setWidth")
    def cif_set_width(
        self, record: CallRecord, provider: Any, value: Any, page_width: Any = None
    ) -> int:
        """The panel width for all sessions; under 300 changes nothing, more than half the
        page (`page_width`, given by the shim) minimizes the panel. The width."""
        owner = self._cif_provider(provider, "setWidth")
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or value != value
            or value < 0
        ):
            raise cif_error(
                INVALID_ARGUMENT,
                "The setWidth parameter value is invalid. Provide a positive number to the "
                "parameter.",
            )
        self._cif_require_active(owner)
        self._cif_panel_home_check(owner, "setWidth")
        width = int(value)
        if width < MIN_WIDTH:
            self._cif_warn(
                record, f"setWidth: {width} is less than {MIN_WIDTH}; the width is unchanged"
            )
            return self._cif_width()
        half = (
            page_width / 2
            if isinstance(page_width, (int, float)) and not isinstance(page_width, bool)
            else None
        )
        if half is not None and width > half:
            self._cif_warn(
                record, f"setWidth: {width} is more than half the page; the panel is minimized"
            )
            self._cif_set_mode(0)
            return self._cif_width()
        self._cif_set_width(width)
        return width

    @member("cif.getWidth")
    def cif_get_width(self, record: CallRecord, provider: Any) -> int:
        """The panel's width in pixels."""
        self._cif_provider(provider, "getWidth")
        return self._cif_width()

    # ------------------------------------------------------------------ presence
    def _cif_presence(self) -> Presence:
        presences = self.options.cif.presences
        current = self._cif.presence
        return next((p for p in presences if p.presence_id == current), presences[0])

    def _cif_change_presence(self, presence: Presence) -> None:
        if presence.presence_id == self._cif_presence().presence_id:
            return
        self._cif.presence = presence.presence_id
        payload = {"presenceId": presence.presence_id, "presenceInfo": presence.info()}
        # every provider hears it, whoever registered under the host's name for it too
        self._cif_event("*", "onPresenceChange", payload)
        self._cif_event("*", "setPresenceEvent", payload)
        self._touch()

    @member("cif.setPresence")
    def cif_set_presence(self, record: CallRecord, provider: Any, presence: Any) -> bool:
        """The presence whose text (or id) matches exactly; False, unchanged, when none does."""
        self._cif_provider(provider, "setPresence")
        text = require_string(presence, "setPresence", "presenceText")
        found = next(
            (p for p in self.options.cif.presences if text in (p.text, p.presence_id)), None
        )
        if found is None:
            known = ", ".join(p.text for p in self.options.cif.presences)
            self._cif_warn(record, f"setPresence: no presence '{text[:60]}' (known: {known})")
            return False
        self._cif_change_presence(found)
        return True

    @member("cif.getPresence")
    def cif_get_presence(self, record: CallRecord, provider: Any) -> str:
        """The agent's presence text."""
        self._cif_provider(provider, "getPresence")
        return self._cif_presence().text

    # ------------------------------------------------------------------ click-to-act
    def _cif_click_to_act(self, name: str) -> bool:
        if name in self._cif.click_to_act:
            return self._cif.click_to_act[name]
        provider = self.options.cif.provider(name)
        return provider.enable_outbound if provider else False

    @member("cif.setClickToAct")
    def cif_set_click_to_act(self, record: CallRecord, provider: Any, value: Any) -> None:
        """Turn the caller's click-to-act on or off (null: off)."""
        owner = self._cif_provider(provider, "setClickToAct")
        if not is_nullish(value) and not isinstance(value, bool):
            raise invalid("setClickToAct", f"value must be true or false, got {describe(value)}")
        self._cif.click_to_act[owner] = value is True
        self._touch()

    @member("cif.getClickToAct")
    def cif_get_click_to_act(self, record: CallRecord, provider: Any) -> bool:
        """Whether the caller gets `onclicktoact`."""
        return self._cif_click_to_act(self._cif_provider(provider, "getClickToAct"))

    # ------------------------------------------------------------------ environment
    @member("cif.getEnvironment")
    def cif_get_environment(self, record: CallRecord, provider: Any) -> str:
        """JSON text: the org and user, the provider's custom parameters, and the focused tab's
        page when the focused session is the caller's."""
        owner = self._cif_provider(provider, "getEnvironment")
        env = dict(self.options.cif.environment)
        configured = self.options.cif.provider(owner)
        env["customParams"] = configured.custom_params if configured else ""
        env["isDirty"] = None
        focused = self._focused_id
        if focused != HOME_SESSION_ID and self._cif.owners.get(focused) == owner:
            session = self._sessions[focused]
            tab = session.tabs[session.focused_tab_id]
            env["pagetype"] = tab.page_type
            if tab.parameters.get("entityName"):
                env["etn"] = tab.parameters["entityName"]
            if tab.parameters.get("entityId", "").strip():
                env["id"] = tab.parameters["entityId"].strip().strip("{}")
        return js_json(dict(sorted(env.items())))

    # ------------------------------------------------------------------ handlers
    @member("cif.addHandler")
    def cif_add_handler(self, record: CallRecord, provider: Any, event_name: Any) -> None:
        """Registers nothing here (the function stays in the page): checks the name and makes
        panel-wide events flow."""
        self._cif_provider(provider, "addHandler")
        text = "The parameter EventName is blank. Provide a value to the parameter."
        name = require_text(event_name, "addHandler", "eventName", text)
        self._cif_check_event_name(record, name)
        if not self._cif.listening:
            self._cif.listening = True
            self._touch()

    @member("cif.removeHandler")
    def cif_remove_handler(self, record: CallRecord, provider: Any, event_name: Any) -> None:
        """Checks the name (the function stays in the page)."""
        self._cif_provider(provider, "removeHandler")
        text = "The EventName parameter is blank. Provide a value to the parameter."
        require_text(event_name, "removeHandler", "eventName", text)

    def _cif_check_event_name(self, record: CallRecord, name: str) -> None:
        if name in CIF_EVENTS:
            return
        near = next((e for e in CIF_EVENTS if e.lower() == name.lower()), None)
        if near is not None:
            self._cif_warn(
                record,
                f"addHandler: '{name[:60]}' is registered as given, but event names are "
                f"case-sensitive: the workspace raises '{near}'",
            )

    # ------------------------------------------------------------------ notifications
    @member("cif.notifyEvent")
    def cif_notify_event(
        self, record: CallRecord, provider: Any, event_input: Any, token: Any = None
    ) -> dict[str, Any]:
        """Show (or queue) a notification. `{"id", "timeout"}` while it waits for an answer (the
        shim's timer answers "Timeout" after `timeout` seconds, 0: never), or
        `{"response": <JSON text>}` when answered at once (auto-accept, a full queue)."""
        method = "notifyEvent"
        owner = self._cif_provider(provider, method)
        required(event_input, "The Input parameter is blank. Provide a value.")
        item = as_object(event_input, method, "input")
        name = item.get("templateName")
        if not isinstance(name, str) or not name.strip():
            raise invalid(
                method, f"input.templateName must be a non-empty string, got {describe(name)}"
            )
        templates = self.options.notification_templates
        template = templates.get(name) or templates.get(name.strip())
        if template is None:
            template = next((t for t in templates.values() if t.name == name.strip()), None)
        if template is None:
            raise cif_error(NOT_FOUND, "NotificationTemplateNotFoundError")
        raw = item.get("templateParameters")
        params = {} if is_nullish(raw) else as_object(raw, method, "input.templateParameters")
        cancel = item.get("cancellationToken", token)
        if not is_nullish(cancel) and not isinstance(cancel, str):
            raise invalid(method, f"cancellationToken must be a string, got {describe(cancel)}")
        queue = self._cif.notifications
        if template.auto_accept:
            return {"response": response_text(AUTO_ACCEPT)}
        if queue.full():
            return {"response": response_text(QUEUE_FULL)}
        title, fields = render(template, params)
        notification = Notification(
            f"notification-{queue.next_id}", owner, template, title, fields,
            cancel if isinstance(cancel, str) else None,
        )  # fmt: skip
        queue.next_id += 1
        queue.add(notification)
        self._touch()
        return {"id": notification.notification_id, "timeout": template.timeout}

    def _cif_settle(self, notification: Notification, response: tuple[str, str]) -> None:
        self._cif.notifications.remove(notification)
        self._emit(
            CIF_NOTIFICATION,
            {
                "id": notification.notification_id,
                "provider": notification.provider,
                "response": response_text(response),
            },
        )
        self._touch()

    @member("cif.cancelEvent")
    def cif_cancel_event(self, record: CallRecord, provider: Any, token: Any) -> str:
        """Withdraw the pending notifications with that token (their notifyEvent resolves
        Cancel/Cancelled); the token."""
        owner = self._cif_provider(provider, "cancelEvent")
        if is_nullish(token) or token == "":
            raise cif_error(INVALID_ARGUMENT, "RejectAfterClientError")
        if not isinstance(token, str):
            raise invalid(
                "cancelEvent", f"cancellationToken must be a string, got {describe(token)}"
            )
        found = [n for n in self._cif.notifications.by_token(token) if n.provider == owner]
        if not found:
            self._cif_warn(record, f"cancelEvent: no pending notification has token '{token[:60]}'")
        for notification in found:
            self._cif_settle(notification, CANCELLED)
        return token

    # ------------------------------------------------------------------ analytics
    @member("cif.initLogAnalytics")
    def cif_init_log_analytics(self, record: CallRecord, provider: Any, data: Any) -> None:
        """Recorded (the call log and the timeline), nothing else."""
        self._cif_provider(provider, "initLogAnalytics")

    @member("cif.logAnalyticsEvent")
    def cif_log_analytics_event(
        self, record: CallRecord, provider: Any, data: Any, event_name: Any = None
    ) -> None:
        """Recorded (the call log and the timeline), nothing else."""
        self._cif_provider(provider, "logAnalyticsEvent")
        if is_nullish(data) or is_nullish(event_name) or data == "" or event_name == "":
            raise cif_error(
                INVALID_ARGUMENT, "logAnalyticsEvent payload data or eventType is not valid. "
            )

    # ------------------------------------------------------------------ the page
    @member("ui.respondToNotification", origin="ui")
    def ui_respond_to_notification(
        self, record: CallRecord, notification_id: Any, response: Any
    ) -> str:
        """The agent's (or the countdown's) answer: "Accept", "Reject" or "Timeout"; the JSON
        text the notification's `notifyEvent` resolves with."""
        method = record.method
        nid = require_string(notification_id, method, "id")
        if response not in RESPONSES:
            raise invalid(
                method, f"response must be one of {', '.join(RESPONSES)}, got {describe(response)}"
            )
        notification = self._cif.notifications.get(nid)
        if notification is None:
            raise cif_error(NOT_FOUND, f"{method}: no pending notification '{nid[:60]}'")
        answer = self._cif.notifications.answer(notification, response)
        self._cif_settle(notification, answer)
        return response_text(answer)

    @member("ui.setPanelMode", origin="ui")
    def ui_set_panel_mode(self, record: CallRecord, mode: Any) -> None:
        """The agent toggles the panel (0 minimized, 1 docked, 2 hidden)."""
        if isinstance(mode, bool) or mode not in (0, 1, 2):
            raise invalid(record.method, f"mode must be 0, 1 or 2, got {describe(mode)}")
        self._cif_set_mode(int(mode))

    @member("ui.setPanelWidth", origin="ui")
    def ui_set_panel_width(self, record: CallRecord, width: Any) -> None:
        """The agent drags the panel's edge."""
        if (
            isinstance(width, bool)
            or not isinstance(width, (int, float))
            or not MIN_WIDTH <= width <= 10_000
        ):
            raise invalid(
                record.method,
                f"width must be a number from {MIN_WIDTH} to 10000, got {describe(width)}",
            )
        self._cif_set_width(int(width))

    @member("ui.showProvider", origin="ui")
    def ui_show_provider(self, record: CallRecord, name: Any) -> None:
        """The agent picks a provider's widget in the panel (it becomes active outside its own
        sessions)."""
        provider = require_string(name, record.method, "name")
        if self.options.cif.provider(provider) is None:
            raise invalid(record.method, f"no channel provider '{provider[:60]}'")
        self._cif.shown = provider
        self._touch()

    @member("ui.setPresence", origin="ui")
    def ui_set_presence(self, record: CallRecord, presence: Any) -> None:
        """The agent picks a presence (by text or id)."""
        text = require_string(presence, record.method, "presence")
        found = next(
            (p for p in self.options.cif.presences if text in (p.text, p.presence_id)), None
        )
        if found is None:
            raise invalid(record.method, f"no presence '{text[:60]}'")
        self._cif_change_presence(found)

    @member("ui.clickToAct", origin="ui")
    def ui_click_to_act(self, record: CallRecord, details: Any) -> None:
        """The agent selects a click-to-act field: `{value, name, format, entityLogicalName,
        entityId}` goes to every provider whose click-to-act is on."""
        values = as_object(details, record.method, "details")
        payload = {
            key: str(values.get(key, ""))
            for key in ("value", "name", "format", "entityLogicalName", "entityId")
        }
        for provider in [DEFAULT_PROVIDER, *(p.name for p in self._cif_providers())]:
            if self._cif_click_to_act(provider):
                self._cif_event(provider, "onclicktoact", payload)

    @member("pyapm.notifications", log="none")
    def pyapm_notifications(self) -> list[dict[str, Any]]:
        """Pending notifications, the displayed one first."""
        items = self._cif.notifications.items
        ordered = [n for n in items if n.state == "displayed"] + [
            n for n in items if n.state != "displayed"
        ]
        return [n.to_dict() for n in ordered]

    @member("pyapm.cif", log="none")
    def pyapm_cif(self) -> dict[str, Any]:
        """The CIF's state for the page: providers, the panel, presence, owners, indicators."""
        cif = self._cif
        return {
            "providers": [
                {**p.to_dict(), "clickToAct": self._cif_click_to_act(p.name)}
                for p in self._cif_providers()
            ],
            "activeProvider": self._cif_active(),
            "mode": self._cif_mode(),
            "width": self._cif_width(),
            "presence": self._cif_presence().text,
            "presences": [p.info() for p in self.options.cif.presences],
            "timeoutMs": self.options.cif.timeout_ms,
            "notificationTemplates": list(self.options.notification_templates),
            "owners": dict(cif.owners),
            "tabOwners": {t: p for t, p in cif.tab_owners.items() if t in self._tabs},
            "activity": dict(cif.activity),
            "kpi": dict(cif.kpi),
            "clickToAct": {
                name: self._cif_click_to_act(name)
                for name in [DEFAULT_PROVIDER, *(p.name for p in self._cif_providers())]
            },
        }

    notifications = pyapm_notifications
