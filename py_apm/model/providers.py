"""Channel Integration Framework configuration: channel providers, presences, the environment.

`channelProviders`, `presences`, `environment`, `cifPanelOnHome` and `cifTimeoutMs` of
`PyApm.configure(...)`, validated as a whole (ApmError 422 naming the entry and the field).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import bad_config
from .values import describe

#: The provider name of the workspace page itself (py-apm addition: it has no panel frame).
DEFAULT_PROVIDER = "default"
#: The library's default widget width (px) and the least width `setWidth` considers.
DEFAULT_WIDTH = 378
MIN_WIDTH = 300
#: How long a widget waits for the workspace's answer (ms), configurable as `cifTimeoutMs`.
DEFAULT_TIMEOUT_MS = 100_000

PROVIDER_FIELDS = {
    "name",
    "label",
    "url",
    "order",
    "enableOutbound",
    "apiVersion",
    "trustedDomain",
    "customParams",
    "width",
}


@dataclass(frozen=True)
class Provider:
    """A channel provider record (`msdyn_channelprovider`)."""

    name: str
    label: str
    url: str
    order: int = 0
    enable_outbound: bool = False
    api_version: str = "2"
    trusted_domain: str = ""
    custom_params: str = ""
    width: int = DEFAULT_WIDTH

    @property
    def frame_url(self) -> str:
        """What the panel's frame loads: an http(s) URL or a same-origin path as given, else
        the web resource of that name."""
        if self.url.lower().startswith(("http://", "https://", "/")):
            return self.url
        return "webresources/" + self.url

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "frameUrl": self.frame_url,
            "label": self.label,
            "url": self.url,
            "order": self.order,
            "enableOutbound": self.enable_outbound,
            "apiVersion": self.api_version,
            "trustedDomain": self.trusted_domain,
            "customParams": self.custom_params,
            "width": self.width,
        }


@dataclass(frozen=True)
class Presence:
    """An agent presence: its id, its text (what `setPresence` matches), its base status and
    colour."""

    presence_id: str
    text: str
    base_status: str
    color: str

    def info(self) -> dict[str, str]:
        """`presenceInfo` of `onPresenceChange`."""
        return {
            "basePresenceStatus": self.base_status,
            "presenceColor": self.color,
            "presenceId": self.presence_id,
            "presenceText": self.text,
        }


#: The out-of-box presences (ids are py-apm's: an org's are its own GUIDs).
DEFAULT_PRESENCES = (
    Presence("00000000-0000-0000-0000-0000000000a1", "Available", "AVAILABLE", "#92C353"),
    Presence("00000000-0000-0000-0000-0000000000a2", "Busy", "BUSY", "#C4314B"),
    Presence(
        "00000000-0000-0000-0000-0000000000a3", "Do not disturb", "BUSY_DO_NOT_DISTURB", "#C4314B"
    ),
    Presence("00000000-0000-0000-0000-0000000000a4", "Appear away", "AWAY", "#FDB913"),
    Presence("00000000-0000-0000-0000-0000000000a5", "Offline", "OFFLINE", "#8A8886"),
)
BASE_STATUSES = ("AVAILABLE", "BUSY", "BUSY_DO_NOT_DISTURB", "AWAY", "OFFLINE")

#: `getEnvironment` values of a py-apm org (configurable as `environment`).
DEFAULT_ENVIRONMENT: dict[str, Any] = {
    "appid": "00000000-0000-0000-0000-00000000a990",
    "appUrl": "https://py-apm.crm.dynamics.com/main.aspx?appid=00000000-0000-0000-0000-00000000a990",
    "clientUrl": "https://py-apm.crm.dynamics.com",
    "crmVersion": "9.2.0.0",
    "orgId": "00000000-0000-0000-0000-00000000a0a9",
    "orgLcid": 1033,
    "orgUniqueName": "pyapm",
    "userId": "{00000000-0000-0000-0000-00000000a5e2}",
    "userLcid": 1033,
    "username": "py-apm agent",
    "userRoles": [],
}
ENVIRONMENT_KEYS = set(DEFAULT_ENVIRONMENT) | {"orgGeo", "navigationType"}
PANEL_ON_HOME = ("hidden", "docked")


@dataclass(frozen=True)
class CifConfig:
    """What the CIF face is configured with."""

    providers: tuple[Provider, ...] = ()
    presences: tuple[Presence, ...] = DEFAULT_PRESENCES
    environment: Mapping[str, Any] = field(default_factory=lambda: dict(DEFAULT_ENVIRONMENT))
    panel_on_home: str = "hidden"
    timeout_ms: int = DEFAULT_TIMEOUT_MS

    def provider(self, name: str) -> Provider | None:
        for provider in self.providers:
            if provider.name == name:
                return provider
        return None

    def describe(self) -> dict[str, Any]:
        return {
            "channelProviders": [p.name for p in self.providers],
            "presences": [p.text for p in self.presences],
            "cifPanelOnHome": self.panel_on_home,
            "cifTimeoutMs": self.timeout_ms,
        }


def _list(value: Any, what: str) -> list[Any]:
    if not isinstance(value, (list, tuple)):
        raise bad_config(f"{what} must be an array, got {describe(value)}")
    return list(value)


def _text(item: Mapping[str, Any], key: str, where: str, default: str | None = None) -> str:
    value = item.get(key, default)
    if value is None:
        raise bad_config(f"{where}: {key} is required")
    if not isinstance(value, str):
        raise bad_config(f"{where}: {key} must be a string, got {describe(value)}")
    return value


def _int(item: Mapping[str, Any], key: str, where: str, default: int, low: int, high: int) -> int:
    value = item.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise bad_config(f"{where}: {key} must be a whole number from {low} to {high}")
    return value


def parse_provider(item: Any, index: int) -> Provider:
    """One `channelProviders` entry."""
    where = f"channelProviders[{index}]"
    if not isinstance(item, Mapping):
        raise bad_config(f"{where} must be an object, got {describe(item)}")
    for key in item:
        if key not in PROVIDER_FIELDS:
            known = ", ".join(sorted(PROVIDER_FIELDS))
            raise bad_config(f"{where}: unknown field '{key}' (known: {known})")
    name = _text(item, "name", where).strip()
    if not name:
        raise bad_config(f"{where}: name must not be empty")
    if name == DEFAULT_PROVIDER:
        raise bad_config(f"{where}: name '{DEFAULT_PROVIDER}' is the workspace page's own")
    where = f"{where} '{name}'"
    url = _text(item, "url", where).strip()
    if not url:
        raise bad_config(f"{where}: url must not be empty")
    lowered = url.lower()
    if ":" in lowered.split("/")[0] and not lowered.startswith(("http://", "https://")):
        raise bad_config(f"{where}: url must be a web resource name or an http(s) URL")
    outbound = item.get("enableOutbound", False)
    if not isinstance(outbound, bool):
        raise bad_config(f"{where}: enableOutbound must be true or false")
    version = item.get("apiVersion", "2")
    if version not in ("2", 2):
        raise bad_config(f'{where}: apiVersion must be "2" (CIF 2.0), got {version!r}')
    custom = item.get("customParams", "")
    if not isinstance(custom, str):
        raise bad_config(f"{where}: customParams must be a string")
    return Provider(
        name,
        _text(item, "label", where, name),
        url,
        _int(item, "order", where, index, -(10**6), 10**6),
        outbound,
        "2",
        _text(item, "trustedDomain", where, ""),
        custom,
        _int(item, "width", where, DEFAULT_WIDTH, MIN_WIDTH, 10_000),
    )


def parse_providers(value: Any) -> tuple[Provider, ...]:
    """`channelProviders`, sorted by `order` (ties keep their place)."""
    providers = [parse_provider(item, i) for i, item in enumerate(_list(value, "channelProviders"))]
    seen: set[str] = set()
    for provider in providers:
        if provider.name in seen:
            raise bad_config(f"channelProviders: name '{provider.name}' is used twice")
        seen.add(provider.name)
    return tuple(sorted(providers, key=lambda p: p.order))


def parse_presences(value: Any) -> tuple[Presence, ...]:
    """`presences: [{id, text, basePresenceStatus?, color?}]` (replaces the defaults)."""
    items = _list(value, "presences")
    if not items:
        raise bad_config("presences must not be empty")
    result: list[Presence] = []
    for index, item in enumerate(items):
        where = f"presences[{index}]"
        if not isinstance(item, Mapping):
            raise bad_config(f"{where} must be an object, got {describe(item)}")
        for key in item:
            if key not in ("id", "text", "basePresenceStatus", "color"):
                raise bad_config(f"{where}: unknown field '{key}'")
        text = _text(item, "text", where)
        base = _text(item, "basePresenceStatus", where, "AVAILABLE")
        if base not in BASE_STATUSES:
            raise bad_config(
                f"{where}: basePresenceStatus must be one of {', '.join(BASE_STATUSES)}"
            )
        presence = Presence(
            _text(item, "id", where, f"00000000-0000-0000-0000-{index + 1:012x}"),
            text,
            base,
            _text(item, "color", where, "#92C353"),
        )
        if any(p.text == text or p.presence_id == presence.presence_id for p in result):
            raise bad_config(f"{where}: text or id '{text}' is used twice")
        result.append(presence)
    return tuple(result)


def parse_environment(value: Any, current: Mapping[str, Any]) -> dict[str, Any]:
    """`environment`: values merged over the current ones."""
    if not isinstance(value, Mapping):
        raise bad_config(f"environment must be an object, got {describe(value)}")
    result = dict(current)
    for key, item in value.items():
        if key not in ENVIRONMENT_KEYS:
            known = ", ".join(sorted(ENVIRONMENT_KEYS))
            raise bad_config(f"environment: unknown key '{key}' (known: {known})")
        if key == "userRoles":
            if not isinstance(item, (list, tuple)) or not all(isinstance(r, str) for r in item):
                raise bad_config("environment: userRoles must be an array of strings")
            item = list(item)
        elif key in ("orgLcid", "userLcid"):
            if isinstance(item, bool) or not isinstance(item, int):
                raise bad_config(f"environment: {key} must be a whole number")
        elif not isinstance(item, str):
            raise bad_config(f"environment: {key} must be a string, got {describe(item)}")
        result[key] = item
    return result


CIF_OPTION_KEYS = (
    "channelProviders",
    "notificationTemplates",
    "presences",
    "environment",
    "cifPanelOnHome",
    "cifTimeoutMs",
)


def apply_cif_options(current: CifConfig, options: Mapping[str, Any]) -> CifConfig:
    """A new CifConfig from `current` and the CIF keys of a configure() argument
    (`notificationTemplates` are parsed with the other templates)."""
    providers = (
        parse_providers(options["channelProviders"])
        if "channelProviders" in options
        else current.providers
    )
    presences = (
        parse_presences(options["presences"]) if "presences" in options else current.presences
    )
    environment = (
        parse_environment(options["environment"], current.environment)
        if "environment" in options
        else current.environment
    )
    on_home = options.get("cifPanelOnHome", current.panel_on_home)
    if on_home not in PANEL_ON_HOME:
        raise bad_config(f'cifPanelOnHome must be "hidden" or "docked", got {on_home!r}')
    timeout = options.get("cifTimeoutMs", current.timeout_ms)
    if isinstance(timeout, bool) or not isinstance(timeout, int) or not 1 <= timeout <= 3_600_000:
        raise bad_config(f"cifTimeoutMs must be a whole number from 1 to 3600000, got {timeout!r}")
    return CifConfig(providers, presences, environment, on_home, timeout)
