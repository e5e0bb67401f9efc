"""The site description (py_apm/host/site.json) on its own: its routes, the Host rules, the one
resolver; tests/tooling/test_site_parity.py checks that both servers follow it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from py_apm.host import httpguard
from py_apm.host.site import SITE, load
from py_apm.host.urlpaths import open_below

ROOT = Path(__file__).resolve().parents[2]
NAMES = httpguard.allowed_hosts("127.0.0.1")


def test_the_site_description_is_consistent() -> None:
    sources = {"root", "web", "pyodide", "webresources", "config", "bundle", "framing"}
    sources |= {"snapshot", "snapshotRecord"}
    for route in SITE.routes:
        assert route.source in sources, route
        assert route.cache in SITE.raw["cache"], route
        assert route.missing in (204, 404), route
        assert set(route.servers) <= {"python", "node"}, route
    assert load().routes == SITE.routes
    assert all(t.startswith(".") and t == t.lower() for t in SITE.raw["types"])


def test_the_docs_list_every_route_in_order() -> None:
    """docs/server.md's table of routes is the routes of site.json, in their order."""
    text = (ROOT / "docs" / "server.md").read_text("utf-8")
    table = text.split("## What is served", 1)[1].split("\n## ", 1)[0]
    listed = [
        line.split("`")[1].split("<")[0] for line in table.splitlines() if line.startswith("| `")
    ]
    assert listed == [row.get("path", row.get("prefix")) for row in SITE.raw["routes"]]


@pytest.mark.parametrize(
    ("path", "source", "rest"),
    [
        ("/", "web", ["index.html"]),
        ("/web/", "web", ["index.html"]),
        ("/shim.js", "root", ["shim.js"]),
        ("/pyodide/a/b.js", "pyodide", ["a", "b.js"]),
        ("/webresources/Widget/msdyn_ciLibrary.js", "web", ["msdyn_ciLibrary.js"]),
        ("/WebResources/Widget/msdyn_ciLibrary.js", "web", ["msdyn_ciLibrary.js"]),
        ("/webresources/widget/MSDYN_CILIBRARY.JS", "web", ["msdyn_ciLibrary.js"]),
        ("/web/Webresources/Widget/msdyn_ciLibrary.js", "web", ["msdyn_ciLibrary.js"]),
        ("/webresources/Widget/other.js", "webresources", ["Widget", "other.js"]),
        ("/pyodide/", "pyodide", [""]),  # no file (open_below refuses "")
        ("/web/webresources/a.html", "webresources", ["a.html"]),
        ("/workspace.css", "web", ["workspace.css"]),
        ("/pyapm/framing", "framing", []),
    ],
)
def test_routes(path: str, source: str, rest: list[str]) -> None:
    route, got = SITE.match(path.split("/")[1:])
    assert (route.source, got) == (source, rest)


@pytest.mark.parametrize("path", ["/a/b", "/nothing/x.js", "/Webresources/page.html"])
def test_paths_without_a_route(path: str) -> None:
    with pytest.raises(LookupError):
        SITE.match(path.split("/")[1:])


@pytest.mark.parametrize(
    ("target", "hosts", "version", "status"),
    [
        ("/", ["127.0.0.1:8765"], "HTTP/1.1", None),
        ("/", ["LOCALHOST"], "HTTP/1.1", None),
        ("/", [], "HTTP/1.0", None),
        ("/", [], "HTTP/1.1", 400),
        ("/", ["127.0.0.1", "127.0.0.1"], "HTTP/1.1", 400),
        ("/", ["127.0.0.1", "evil.example"], "HTTP/1.1", 400),
        ("/", ["evil.example"], "HTTP/1.1", 421),
        ("http://evil.example/", ["127.0.0.1"], "HTTP/1.1", 421),
        ("http://evil.example/", [], "HTTP/1.1", 421),
        ("http://localhost:1/x", ["127.0.0.1"], "HTTP/1.1", None),
        ("http://a@127.0.0.1/", ["127.0.0.1"], "HTTP/1.1", 400),
        ("https://127.0.0.1/", ["127.0.0.1"], "HTTP/1.1", 400),
        ("*", ["127.0.0.1"], "HTTP/1.1", 400),
    ],
)
def test_host_refusal(target: str, hosts: list[str], version: str, status: int | None) -> None:
    assert httpguard.refusal(version, target, hosts, NAMES) == status


def test_open_below_opens_only_regular_files_inside(tmp_path: Path) -> None:
    root, outside = tmp_path / "root", tmp_path / "outside.txt"
    (root / "dir").mkdir(parents=True)
    (root / "dir" / "a.txt").write_text("a")
    outside.write_text("secret")
    (root / "in.txt").symlink_to(root / "dir" / "a.txt")
    (root / "out.txt").symlink_to(outside)
    (root / "via").symlink_to(tmp_path, target_is_directory=True)
    os.mkfifo(root / "fifo")
    opened = open_below(root, ["in.txt"])
    assert opened is not None and opened.file.read() == b"a" and opened.name == "in.txt"
    opened.close()
    for parts in (["out.txt"], ["via", "outside.txt"], ["dir"], ["fifo"], ["missing"], [".."], []):
        assert open_below(root, parts) is None, parts
    assert open_below(None, ["a.txt"]) is None


def test_the_cif_library_stand_in_is_the_pages_file(fake_server, fake_root, http) -> None:
    _, url = fake_server
    (fake_root.webresources / "Widget").mkdir()
    (fake_root.webresources / "Widget" / "msdyn_ciLibrary.js").write_text("/* user */\n")
    assert http(url, "/webresources/Widget/msdyn_ciLibrary.js").status == 404  # not the user's
    (fake_root.root / "web" / "msdyn_ciLibrary.js").write_text("/* cif */\n")
    for path in (
        "/webresources/Widget/msdyn_ciLibrary.js",
        "/Webresources/widget/MSDYN_CILIBRARY.JS",
        "/web/webresources/Widget/msdyn_ciLibrary.js",
    ):
        reply = http(url, path)
        assert (reply.status, reply.body) == (200, b"/* cif */\n"), path
        assert reply.headers["content-type"] == "text/javascript; charset=utf-8"
        assert reply.headers["access-control-allow-origin"] == "*"
    assert http(url, "/x/webresources/Widget/msdyn_ciLibrary.js").status == 404
    assert http(url, "/webresources/hello.html").body == b"<p>hi</p>\n"
