"""`Microsoft.CIFramework` records over the record store: create, retrieve, update, delete,
search (and open), open a form. Every result is JSON text, as the library gives it."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from .calllog import CallRecord
from .cif_core import CifCore, cif_error, require_text
from .errors import INVALID_ARGUMENT, NOT_FOUND, invalid
from .limits import parse_json_text
from .members import member
from .options import normalize_id
from .records_query import parse_query, primary_key, search, shaped
from .values import describe, is_nullish, js_json

ENTITY_BLANK = "The EntityName parameter is blank. Provide a value to the parameter."
RETRIEVE_ENTITY_BLANK = "The EntityName parameter is blank.Provide a value to the parameter."
ID_BLANK = "The EntityId parameter is blank. Provide a value to the parameter."


def _data(value: Any, method: str, empty_text: str) -> dict[str, Any]:
    """`data`: JSON text of an object (the library parses it before sending)."""
    require_text(value, method, "data", empty_text)
    parsed = parse_json_text(
        value, method, "data", refusal="must be a JSON string (JSON.stringify the object)"
    )
    if not isinstance(parsed, dict):
        raise invalid(
            method, f"data must be a JSON string of an object, got JSON of {describe(parsed)}"
        )
    return parsed


class CifRecordMembers(CifCore):
    """The record members of `Microsoft.CIFramework`."""

    def _cif_store(self, entity: str, table: dict[str, dict[str, Any]]) -> None:
        records = {e: dict(rows) for e, rows in self.options.records.items()}
        records[entity] = table
        self.options = replace(self.options, records=records)
        self._touch()

    def _cif_record(self, entity: str, record_id: str) -> tuple[str, dict[str, Any]]:
        key = normalize_id(record_id)
        found = self.options.records.get(entity, {}).get(key)
        if found is None:
            raise cif_error(NOT_FOUND, f"{entity} With Id = {key} Does Not Exist")
        return key, found

    def _cif_new_id(self) -> str:
        while True:
            n = self._cif.next_record
            self._cif.next_record += 1
            record_id = f"{n:08x}-0000-4000-8000-000000c1f000"
            if not any(record_id in rows for rows in self.options.records.values()):
                return record_id

    @member("cif.createRecord")
    def cif_create_record(self, record: CallRecord, provider: Any, entity: Any, data: Any) -> str:
        """A record in the store from JSON text; `{entityType, id}` as JSON text."""
        method = "createRecord"
        self._cif_provider(provider, method)
        name = require_text(entity, method, "entityLogicalName", ENTITY_BLANK).strip()
        values = _data(data, method, "Provide a value to the data parameter to create record.")
        record_id = self._cif_new_id()
        table = dict(self.options.records.get(name, {}))
        table[record_id] = {k: v for k, v in values.items() if k != primary_key(name)}
        self._cif_store(name, table)
        return js_json({"entityType": name, "id": record_id})

    @member("cif.retrieveRecord")
    def cif_retrieve_record(
        self, record: CallRecord, provider: Any, entity: Any, record_id: Any, options: Any = None
    ) -> str:
        """A record as JSON text, `$select` applied, its primary key included."""
        method = "retrieveRecord"
        self._cif_provider(provider, method)
        name = require_text(entity, method, "entityLogicalName", RETRIEVE_ENTITY_BLANK).strip()
        key, found = self._cif_record(name, require_text(record_id, method, "entityId", ID_BLANK))
        select = None
        if not is_nullish(options) and options != "":
            if not isinstance(options, str):
                raise invalid(method, f"options must be a string, got {describe(options)}")
            query = parse_query(options, method, "options")
            if query.where is not None or query.top is not None:
                self._cif_warn(
                    record, "retrieveRecord: $filter and $top do not apply to one record"
                )
            select = query.select
        return js_json(shaped(name, key, found, select))

    @member("cif.updateRecord")
    def cif_update_record(
        self, record: CallRecord, provider: Any, entity: Any, record_id: Any, data: Any
    ) -> str:
        """Merge JSON text's attributes into a record; `{entityType, id}` as JSON text."""
        method = "updateRecord"
        self._cif_provider(provider, method)
        name = require_text(entity, method, "entityLogicalName", RETRIEVE_ENTITY_BLANK).strip()
        key, found = self._cif_record(name, require_text(record_id, method, "entityId", ID_BLANK))
        text = "The data parameter is blank. Provide a value to the parameter to update the record."
        values = _data(data, method, text)
        table = dict(self.options.records[name])
        table[key] = {**found, **{k: v for k, v in values.items() if k != primary_key(name)}}
        self._cif_store(name, table)
        return js_json({"entityType": name, "id": key})

    @member("cif.deleteRecord")
    def cif_delete_record(
        self, record: CallRecord, provider: Any, entity: Any, record_id: Any
    ) -> str:
        """Remove a record from the store; `{entityType, id}` as JSON text."""
        method = "deleteRecord"
        self._cif_provider(provider, method)
        name = require_text(entity, method, "entityLogicalName", RETRIEVE_ENTITY_BLANK).strip()
        key, _ = self._cif_record(name, require_text(record_id, method, "entityId", ID_BLANK))
        table = dict(self.options.records[name])
        del table[key]
        self._cif_store(name, table)
        return js_json({"entityType": name, "id": key})

    @member("cif.searchAndOpenRecords")
    def cif_search_and_open_records(
        self, record: CallRecord, provider: Any, entity: Any, query_text: Any, search_only: Any
    ) -> str:
        """Matching records as JSON text of an object keyed "0", "1", ...; unless `searchOnly`,
        one result opens as a record tab, several as a search tab (focused, in the focused
        session)."""
        method = "searchAndOpenRecords"
        owner = self._cif_provider(provider, method)
        name = require_text(entity, method, "entityLogicalName", ENTITY_BLANK).strip()
        text = "The queryParmeters parameter is blank. Provide a value to the parameter."
        query = parse_query(require_text(query_text, method, "queryParameters", text), method)
        if is_nullish(search_only):
            raise cif_error(
                INVALID_ARGUMENT,
                "The searchOnly parameter is blank. Provide a value to the parameter.",
            )
        if not isinstance(search_only, bool):
            raise invalid(method, f"searchOnly must be true or false, got {describe(search_only)}")
        if query.ignored:
            self._cif_warn(record, f"searchAndOpenRecords: {', '.join(query.ignored)} ignored")
        found = search(name, self.options.records.get(name, {}), query)
        if not search_only:
            self._cif_require_active(owner)
            if len(found) == 1:
                tab_input = {
                    "templateName": "msdyn_entityrecord",
                    "appContext": {"entityName": name, "entityId": found[0][primary_key(name)]},
                    "isFocused": True,
                }
                self._create_tab(record, self._focused_id, tab_input)
            else:
                tab_input = {
                    "templateName": f"Search: {name}",
                    "appContext": {
                        "controlName": "search",
                        "searchText": query_text,
                        "entityName": name,
                    },
                    "isFocused": True,
                }
                self._create_tab(record, self._focused_id, tab_input, template_lookup=False)
        return js_json({str(i): row for i, row in enumerate(found)})

    @member("cif.openForm")
    def cif_open_form(
        self, record: CallRecord, provider: Any, form_options: Any, form_parameters: Any = None
    ) -> str:
        """An entity-record tab in the focused session (focused);
        `{"savedEntityReference": [...]}` as JSON text (empty for a create form)."""
        method = "openForm"
        owner = self._cif_provider(provider, method)
        text = "The EntityFormOptions parameter is blank. Provide a value to the parameter."
        if not is_nullish(form_options) and not isinstance(form_options, str):
            raise invalid(
                method,
                "entityFormOptions must be JSON text (JSON.stringify it), got "
                + describe(form_options),
            )
        options = _data(form_options, method, text)
        parameters: dict[str, Any] = {}
        if not is_nullish(form_parameters) and form_parameters != "":
            if not isinstance(form_parameters, str):
                raise invalid(
                    method, f"formParameters must be JSON text, got {describe(form_parameters)}"
                )
            parameters = _data(form_parameters, method, text)
        self._cif_require_active(owner)
        entity = options.get("entityName")
        if not isinstance(entity, str) or not entity.strip():
            raise invalid(method, "entityFormOptions.entityName must be a non-empty string")
        entity = entity.strip()
        record_id = options.get("entityId")
        app_context = {"entityName": entity}
        if isinstance(record_id, str) and record_id.strip():
            app_context["entityId"] = record_id.strip()
        if parameters:
            app_context["data"] = js_json(parameters)
        tab_input = {
            "templateName": "msdyn_entityrecord",
            "appContext": app_context,
            "isFocused": True,
        }
        tab_id = self._create_tab(record, self._focused_id, tab_input)
        if "entityId" not in app_context:
            return js_json({"savedEntityReference": []})
        key = normalize_id(app_context["entityId"])
        return js_json(
            {
                "savedEntityReference": [
                    {"entityType": entity, "id": key, "name": self._tabs[tab_id].title}
                ]
            }
        )
