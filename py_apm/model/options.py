"""`PyApm.configure(...)` options: parsing, validation as a whole, defaults."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from .calllog import DEFAULT_LIMIT
from .errors import bad_config
from .limits import MAX_CONFIG_TEXT, check_value
from .notifications import NotificationTemplate, parse_notification_templates
from .providers import CIF_OPTION_KEYS, CifConfig, apply_cif_options
from .templates import TemplateSet
from .values import describe

OPTION_KEYS = (
    "restoreDefaults",
    "returns",
    "legacyPromises",
    "strictTemplates",
    "records",
    "sessionTemplates",
    "tabTemplates",
    "callLogLimit",
    *CIF_OPTION_KEYS,
)

Records = dict[str, dict[str, dict[str, Any]]]

#: `returns`: "runtime" (actions return Promises, as the workspace runtime does) or
#: "documented" (every member synchronous, as the reference text reads).
RETURN_CONTRACTS = ("runtime", "documented")


@dataclass(frozen=True)
class Options:
    """What a workspace is configured with."""

    returns: str = "runtime"
    strict_templates: bool = False
    records: Records = field(default_factory=dict)
    templates: TemplateSet = field(default_factory=TemplateSet.builtin)
    call_log_limit: int = DEFAULT_LIMIT
    #: the Channel Integration Framework's configuration (providers, presences, environment)
    cif: CifConfig = field(default_factory=CifConfig)
    notification_templates: Mapping[str, NotificationTemplate] = field(default_factory=dict)

    def find_record(self, entity: str, record_id: str) -> dict[str, Any] | None:
        """The stored attributes of a record (ids compare without braces, spaces and case)."""
        table = self.records.get(entity)
        if not table:
            return None
        return table.get(normalize_id(record_id))

    def describe(self) -> dict[str, Any]:
        """The effective options as plain data (what `configure` returns)."""
        return {
            "returns": self.returns,
            "legacyPromises": self.returns == "runtime",
            "strictTemplates": self.strict_templates,
            "sessionTemplates": self.templates.session_names(),
            "tabTemplates": self.templates.tab_names(),
            "records": {entity: len(rows) for entity, rows in self.records.items()},
            "callLogLimit": self.call_log_limit,
            **self.cif.describe(),
            "notificationTemplates": list(self.notification_templates),
        }


def normalize_id(record_id: str) -> str:
    return record_id.strip().strip("{}").strip().lower()


def _bool(options: Mapping[str, Any], key: str, current: bool) -> bool:
    value = options.get(key, current)
    if not isinstance(value, bool):
        raise bad_config(f"{key} must be true or false, got {describe(value)}")
    return value


def _returns(options: Mapping[str, Any], current: str) -> str:
    """`returns`, with `legacyPromises` as its former spelling (true: "runtime", false:
    "documented", the synchronous contract that option used to switch back to)."""
    value: str = options.get("returns", current)
    if value not in RETURN_CONTRACTS:
        raise bad_config(f'returns must be "runtime" or "documented", got {value!r}')
    if "legacyPromises" in options:
        legacy = "runtime" if _bool(options, "legacyPromises", True) else "documented"
        if "returns" in options and legacy != value:
            raise bad_config(f'legacyPromises contradicts returns "{value}"; give only returns')
        value = legacy
    return value


def parse_records(value: Any) -> Records:
    """`records: {entityName: {id: {attribute: value}}}`."""
    if not isinstance(value, Mapping):
        raise bad_config(f"records must be an object of entities, got {describe(value)}")
    records: Records = {}
    for entity, rows in value.items():
        if not isinstance(rows, Mapping):
            raise bad_config(
                f"records.{entity} must be an object of records by id, got {describe(rows)}"
            )
        table: dict[str, dict[str, Any]] = {}
        for record_id, attributes in rows.items():
            if not isinstance(attributes, Mapping):
                raise bad_config(
                    f"records.{entity}.{record_id} must be an object of attributes, "
                    f"got {describe(attributes)}"
                )
            table[normalize_id(str(record_id))] = dict(attributes)
        records[str(entity)] = table
    return records


def apply_options(current: Options, options: Any) -> Options:
    """New options from `current` and a configure() argument; raises ApmError(422) and leaves
    nothing half-applied."""
    if options is None:
        return current
    if not isinstance(options, Mapping):
        check_value(options, "configure", "options", MAX_CONFIG_TEXT)  # a too-large marker
        raise bad_config(f"options must be an object, got {describe(options)}")
    check_value(options, "configure", "options", MAX_CONFIG_TEXT)
    for key in options:
        if key not in OPTION_KEYS:
            raise bad_config(f"unknown option '{key}' (known: {', '.join(OPTION_KEYS)})")
    base = Options() if _bool(options, "restoreDefaults", False) else current
    limit = options.get("callLogLimit", base.call_log_limit)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 1_000_000:
        raise bad_config(f"callLogLimit must be a whole number from 1 to 1000000, got {limit!r}")
    records = parse_records(options["records"]) if "records" in options else base.records
    templates = base.templates
    if "sessionTemplates" in options or "tabTemplates" in options:
        templates = templates.with_config(
            options.get("sessionTemplates"), options.get("tabTemplates")
        )
    cif = apply_cif_options(base.cif, options)
    notification_templates = (
        parse_notification_templates(options["notificationTemplates"])
        if "notificationTemplates" in options
        else base.notification_templates
    )
    return replace(
        base,
        cif=cif,
        notification_templates=notification_templates,
        returns=_returns(options, base.returns),
        strict_templates=_bool(options, "strictTemplates", base.strict_templates),
        records=records,
        templates=templates,
        call_log_limit=limit,
    )
