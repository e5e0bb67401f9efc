"""A configuration file given on the command line (`--config`), checked before it is served."""

from __future__ import annotations

import json
from pathlib import Path

from ..model.errors import ApmError
from ..model.limits import MAX_CONFIG_TEXT, check_json_text


def config_problem(given: object, path: Path) -> str | None:
    """One line saying why `path` cannot be served as a configuration (missing, unreadable,
    not JSON, bigger or deeper than the configuration bounds), or None when it can."""
    if not path.is_file():
        return f"--config {given}: no such file"
    try:
        text = path.read_text("utf-8")
        check_json_text(text, "--config", str(given), MAX_CONFIG_TEXT)
        json.loads(text)
    except OSError as exc:
        return f"--config {given}: cannot read it ({exc.strerror or exc})"
    except ApmError as exc:
        return exc.message.replace("--config: ", "--config ", 1)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        return f"--config {given}: not valid JSON ({str(exc)[:200]})"
    return None
