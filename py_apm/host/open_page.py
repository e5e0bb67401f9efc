"""Host any page as a web-resource tab of a ready workspace (``py-apm serve --open page.html``,
the ``apm_open_webresource`` fixture): code that calls ``Microsoft.Apm`` while the page loads
then runs unchanged, because the tab opens only once py-apm is ready."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

from .server import ServerSetupError


def locate(page: str | os.PathLike[str], webresources: Path | None) -> tuple[Path, str]:
    """The folder to serve at /webresources/ and the page's `webresourceName` in it: the page's
    own folder when no --webresources folder is set, else its path inside that folder."""
    path = Path(page).expanduser().resolve()
    if not path.is_file():
        raise ServerSetupError(f"--open {page}: no such file")
    if webresources is None:
        return path.parent, path.name
    base = webresources.resolve()
    if not path.is_relative_to(base):
        raise ServerSetupError(
            f"--open {page}: not inside the web resources folder {base}; "
            "put it there, or leave out --webresources to serve the page's own folder"
        )
    return base, path.relative_to(base).as_posix()


def open_url(base_url: str, name: str) -> str:
    """The workspace URL that opens web resource `name` as a focused tab once py-apm is ready."""
    return f"{base_url}?open={quote(name, safe='/')}"
