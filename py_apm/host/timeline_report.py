"""A test's timeline as files: the JSON of ``PyApm.timeline()`` and a self-contained HTML page
(every value escaped as text) for ``--apm-timeline``."""

from __future__ import annotations

import json
import re
from html import escape
from pathlib import Path
from typing import Any

JSON_NAME = "apm-timeline.json"
HTML_NAME = "apm-timeline.html"

_STYLE = """
body { font: 13px/18px system-ui, "Segoe UI", sans-serif; margin: 20px; color: #242424; }
h1 { font-size: 18px; margin: 0 0 4px; } p { color: #616161; margin: 0 0 12px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 3px 8px; border-bottom: 1px solid #eee; }
td { font: 12px/18px ui-monospace, Consolas, monospace; overflow-wrap: anywhere; }
tr.warning { background: #fffbeb; } tr.error, tr.refusal { background: #fdf3f4; }
tr.event td.kind { color: #5c2e91; } tr.focus td.kind { color: #0f6cbd; }
tr.ui td.kind { color: #0b6a0b; }
td.kind { font-weight: 700; text-transform: uppercase; font-size: 11px; }
"""


def artifact_folder(output: Path, nodeid: str) -> Path:
    """``<output>/<slug of the test id>``, as pytest-playwright names its trace folders."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", nodeid).strip("-").lower()
    return output / slug[:200]


def render_html(rows: list[dict[str, Any]], title: str) -> str:
    """The rows as one HTML page: a table of seq, kind, frame, session and text."""
    body = []
    for row in rows:
        frame = f"frame {row.get('frame')}" if row.get("frame") else ""
        cells = (row.get("seq"), row.get("kind"), frame, row.get("session") or "", row.get("text"))
        tds = "".join(
            f'<td class="{name}">{escape(str(value if value is not None else ""))}</td>'
            for name, value in zip(("seq", "kind", "frame", "session", "text"), cells, strict=True)
        )
        body.append(f'<tr class="{escape(str(row.get("kind", "")))}">{tds}</tr>')
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>py-apm timeline</h1><p>{escape(title)} · {len(rows)} rows</p>"
        "<table><thead><tr><th>#</th><th>kind</th><th>frame</th><th>session</th>"
        "<th>what happened</th></tr></thead><tbody>"
        + "\n".join(body)
        + "</tbody></table></body></html>\n"
    )


def save(folder: Path, rows: list[dict[str, Any]], title: str) -> list[Path]:
    """Write the JSON and the HTML page into `folder`; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    json_path = folder / JSON_NAME
    json_path.write_text(json.dumps(rows, indent=2, ensure_ascii=False), "utf-8")
    html_path = folder / HTML_NAME
    html_path.write_text(render_html(rows, title), "utf-8")
    return [json_path, html_path]
