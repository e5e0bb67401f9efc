"""What the page's launcher offers: the templates (with the parameters their page type takes) and
the record store, as plain data."""

from __future__ import annotations

from typing import Any

from .options import Options
from .templates import PAGE_TYPES
from .values import js_string


def catalog(options: Options) -> dict[str, Any]:
    """`{sessionTemplates, tabTemplates, records}` (record values as the slugs print them)."""
    templates = options.templates
    return {
        "sessionTemplates": [
            {
                "uniqueName": t.unique_name,
                "name": t.name or t.unique_name,
                "type": t.type,
                "entity": t.entity,
                "title": t.title,
            }
            for t in templates.sessions.values()
        ],
        "tabTemplates": [
            {
                "uniqueName": t.unique_name,
                "name": t.name or t.unique_name,
                "pageType": t.page_type,
                "pageTypeName": PAGE_TYPES[t.page_type].display,
                "parameters": dict(t.parameters),
                "takes": list(PAGE_TYPES[t.page_type].parameters),
            }
            for t in templates.tabs.values()
        ],
        "records": {
            entity: {rid: {k: js_string(v) for k, v in row.items()} for rid, row in rows.items()}
            for entity, rows in options.records.items()
        },
    }
