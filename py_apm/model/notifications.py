"""CIF notifications: notification templates and the queue behind `notifyEvent`.

One notification is displayed at a time; up to `MAX_WAITING` wait behind it. Answers are the
documented `{actionName, responseReason}` pairs. Time is not kept here: the page's timer (or a
test) answers "Timeout", and the queue decides what that means for a displayed or waiting one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import bad_config
from .slugs import resolve
from .templates import UNIQUE_NAME
from .values import describe

MAX_WAITING = 10
MAX_FIELDS = 4
DEFAULT_TIMEOUT = 120

ACCEPT = ("Accept", "Accept")
AUTO_ACCEPT = ("Accept", "AutoAccept")
DECLINED = ("Reject", "DeclinedByAgent")
QUEUE_FULL = ("Reject", "NotificationQueueLimitExceeded")
QUEUE_EXPIRED = ("Reject", "NotificationQueueTimeLimitExceeded")
DISPLAY_TIMEOUT = ("Timeout", "DisplayTimeout")
CANCELLED = ("Cancel", "Cancelled")
RESPONSES = ("Accept", "Reject", "Timeout")

TEMPLATE_FIELDS = {
    "uniqueName",
    "name",
    "title",
    "icon",
    "timeout",
    "showTimeout",
    "acceptButtonText",
    "showRejectButton",
    "rejectButtonText",
    "autoAcceptNotification",
    "theme",
    "desktopNotificationMode",
    "fields",
    "description",
}


@dataclass(frozen=True)
class NotificationField:
    """A field of a notification template: `title` is the header shown, `value` a slug text."""

    name: str
    title: str
    value: str
    order: int


@dataclass(frozen=True)
class NotificationTemplate:
    """A notification template (`msdyn_notificationtemplate`)."""

    unique_name: str
    name: str
    title: str
    icon: str = "/webresources/msdyn_chat_icon_zfp.svg"
    timeout: int = DEFAULT_TIMEOUT
    show_timeout: bool = True
    accept_text: str = "Accept"
    show_reject: bool = True
    reject_text: str = "Reject"
    auto_accept: bool = False
    theme: str = "dark"
    desktop_mode: str = "never"
    fields: tuple[NotificationField, ...] = ()


def _text(item: Mapping[str, Any], key: str, where: str, default: str) -> str:
    value = item.get(key, default)
    if not isinstance(value, str):
        raise bad_config(f"{where}: {key} must be a string, got {describe(value)}")
    return value


def _flag(item: Mapping[str, Any], key: str, where: str, default: bool) -> bool:
    value = item.get(key, default)
    if not isinstance(value, bool):
        raise bad_config(f"{where}: {key} must be true or false")
    return value


def _choice(item: Mapping[str, Any], key: str, where: str, choices: tuple[str, ...]) -> str:
    value = item.get(key, choices[0])
    if not isinstance(value, str) or value.lower() not in choices:
        raise bad_config(f"{where}: {key} must be one of {', '.join(choices)}, got {value!r}")
    return value.lower()


def _fields(raw: Any, where: str) -> tuple[NotificationField, ...]:
    if not isinstance(raw, (list, tuple)):
        raise bad_config(f"{where}: fields must be an array, got {describe(raw)}")
    fields: list[NotificationField] = []
    for index, item in enumerate(raw):
        at = f"{where}: fields[{index}]"
        if not isinstance(item, Mapping):
            raise bad_config(f"{at} must be an object, got {describe(item)}")
        for key in item:
            if key not in ("name", "title", "value", "order"):
                raise bad_config(f"{at}: unknown field '{key}' (known: name, order, title, value)")
        name = _text(item, "name", at, "")
        title = _text(item, "title", at, name)
        if not name and not title:
            raise bad_config(f"{at}: name or title is required")
        order = item.get("order", index)
        if isinstance(order, bool) or not isinstance(order, int):
            raise bad_config(f"{at}: order must be a whole number")
        fields.append(NotificationField(name or title, title, _text(item, "value", at, ""), order))
    return tuple(sorted(fields, key=lambda f: f.order))


def parse_notification_template(item: Any, index: int) -> NotificationTemplate:
    """One `notificationTemplates` entry."""
    where = f"notificationTemplates[{index}]"
    if not isinstance(item, Mapping):
        raise bad_config(f"{where} must be an object, got {describe(item)}")
    unique = item.get("uniqueName")
    if not isinstance(unique, str) or not UNIQUE_NAME.match(unique):
        raise bad_config(
            f"{where}: uniqueName must be <prefix>_<name> with an alphanumeric prefix of 2 to 8 "
            f"characters, got {unique!r}"
        )
    where = f"{where} '{unique}'"
    for key in item:
        if key not in TEMPLATE_FIELDS:
            known = ", ".join(sorted(TEMPLATE_FIELDS))
            raise bad_config(f"{where}: unknown field '{key}' (known: {known})")
    timeout = item.get("timeout", DEFAULT_TIMEOUT)
    if isinstance(timeout, bool) or not isinstance(timeout, int) or not 0 <= timeout <= 500:
        raise bad_config(f"{where}: timeout must be a whole number of seconds from 0 to 500")
    title = _text(item, "title", where, "")
    if len(title) > 100:
        raise bad_config(f"{where}: title has {len(title)} characters; at most 100")
    return NotificationTemplate(
        unique,
        _text(item, "name", where, unique),
        title,
        _text(item, "icon", where, NotificationTemplate.icon),
        timeout,
        _flag(item, "showTimeout", where, True),
        _text(item, "acceptButtonText", where, "Accept"),
        _flag(item, "showRejectButton", where, True),
        _text(item, "rejectButtonText", where, "Reject"),
        _flag(item, "autoAcceptNotification", where, False),
        _choice(item, "theme", where, ("dark", "light")),
        _choice(item, "desktopNotificationMode", where, ("never", "background")),
        _fields(item.get("fields", []), where),
    )


def parse_notification_templates(value: Any) -> dict[str, NotificationTemplate]:
    """`notificationTemplates`: an array of templates, by unique name."""
    if not isinstance(value, (list, tuple)):
        raise bad_config(f"notificationTemplates must be an array, got {describe(value)}")
    result: dict[str, NotificationTemplate] = {}
    for index, item in enumerate(value):
        template = parse_notification_template(item, index)
        if template.unique_name in result:
            raise bad_config(
                f"notificationTemplates[{index}]: uniqueName '{template.unique_name}' is used twice"
            )
        result[template.unique_name] = template
    return result


def response_text(response: tuple[str, str]) -> str:
    """The JSON text `notifyEvent` resolves with."""
    return json.dumps(
        {"actionName": response[0], "responseReason": response[1]}, separators=(",", ":")
    )


@dataclass
class Notification:
    """A notification waiting for an answer."""

    notification_id: str
    provider: str
    template: NotificationTemplate
    title: str
    fields: list[dict[str, str]]
    cancellation_token: str | None
    state: str = "waiting"

    def to_dict(self) -> dict[str, Any]:
        t = self.template
        return {
            "id": self.notification_id,
            "templateName": t.unique_name,
            "title": self.title,
            "fields": [dict(f) for f in self.fields],
            "provider": self.provider,
            "cancellationToken": self.cancellation_token,
            "state": self.state,
            "timeout": t.timeout,
            "showTimeout": t.show_timeout,
            "acceptButtonText": t.accept_text,
            "showRejectButton": t.show_reject,
            "rejectButtonText": t.reject_text,
            "icon": t.icon,
            "theme": t.theme,
        }


def render(
    template: NotificationTemplate, parameters: Mapping[str, Any]
) -> tuple[str, list[dict[str, str]]]:
    """Title and fields with their slugs resolved from `templateParameters` (a value under the
    template's unique name first); empty fields dropped, at most `MAX_FIELDS`."""
    own = parameters.get(template.unique_name)
    scoped = own if isinstance(own, Mapping) else {}

    def lookup(name: str) -> str | None:
        for source in (scoped, parameters):
            value = source.get(name)
            if isinstance(value, str):
                return value
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return json.dumps(value)
        return None

    fields = []
    for f in template.fields:
        value = resolve(f.value, lookup)
        if value != "":
            fields.append({"name": f.name, "title": f.title, "value": value})
    return resolve(template.title, lookup), fields[:MAX_FIELDS]


@dataclass
class NotificationQueue:
    """The displayed notification and those waiting, oldest first."""

    items: list[Notification] = field(default_factory=list)
    next_id: int = 1

    def add(self, notification: Notification) -> None:
        """Queue (or display, when none is) a notification; the caller checked `full`."""
        if not any(n.state == "displayed" for n in self.items):
            notification.state = "displayed"
        self.items.append(notification)

    def full(self) -> bool:
        return sum(n.state == "waiting" for n in self.items) >= MAX_WAITING

    def get(self, notification_id: str) -> Notification | None:
        return next((n for n in self.items if n.notification_id == notification_id), None)

    def remove(self, notification: Notification) -> None:
        """Take it out; the next waiting one is displayed at once."""
        self.items.remove(notification)
        if notification.state == "displayed":
            for item in self.items:
                if item.state == "waiting":
                    item.state = "displayed"
                    break

    def answer(self, notification: Notification, response: str) -> tuple[str, str]:
        """The documented answer to an agent's (or the timer's) response."""
        if response == "Accept":
            return ACCEPT
        if response == "Reject":
            return DECLINED
        return DISPLAY_TIMEOUT if notification.state == "displayed" else QUEUE_EXPIRED

    def by_token(self, token: str) -> list[Notification]:
        return [n for n in self.items if n.cancellation_token == token]
