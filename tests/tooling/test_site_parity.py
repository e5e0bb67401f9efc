"""The two servers of the site answer alike: `py-apm serve` and the npm package's server, over
the same web resources, get the same requests (paths, Hosts, Origins, methods) and must give the
same status and the same Content-Type, cache, nosniff and cross-origin headers.

Both read py_apm/host/site.json; this test catches a server that stops following it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from site_servers import HAVE_NODE, ROOT, Reply, ask, build_npm_stage, node_site

from py_apm.host.server import make_server
from py_apm.host.snapshot import current as current_snapshot

pytestmark = [
    pytest.mark.subprocess,  # the npm server runs in node
    pytest.mark.skipif(not HAVE_NODE, reason="node or node_modules/pyodide missing"),
]

#: The headers the site description decides (others, such as Date or ETag values, may differ).
COMPARED = (
    "content-type",
    "cache-control",
    "x-content-type-options",
    "access-control-allow-origin",
    "cross-origin-resource-policy",
    "access-control-allow-methods",
    "access-control-allow-headers",
    "access-control-allow-private-network",
    "allow",
)


def web_resources(base: Path) -> Path:
    """A folder of web resources with a file of each kind, links in and out, and a stand-in
    for the CIF library that the built-in one must win over."""
    outside = base / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("OUTSIDE SECRET\n")
    wr = base / "wr"
    (wr / "dir").mkdir(parents=True)
    (wr / "Widget").mkdir()
    (wr / "page.html").write_text("<p>page</p>\n")
    (wr / "pic.svg").write_text("<svg/>\n")
    (wr / "data.json").write_text("{}\n")
    (wr / "UPPER.PNG").write_bytes(b"\x89PNG\r\n")
    (wr / "blob.xyz").write_bytes(b"\0\1")
    (wr / "noext").write_text("x\n")
    (wr / "dir" / "x.js").write_text("1;\n")
    (wr / "Widget" / "msdyn_ciLibrary.js").write_text("/* USER COPY */\n")
    (wr / "link_out.txt").symlink_to(outside / "secret.txt")
    (wr / "link_dir").symlink_to(outside, target_is_directory=True)
    (wr / "link_in.html").symlink_to(wr / "page.html")
    return wr


@pytest.fixture(scope="module")
def ports(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, int]]:
    base = tmp_path_factory.mktemp("parity")
    wr = web_resources(base)
    config = base / "config.json"
    config.write_text(json.dumps({"legacyPromises": True}))
    snapshot = current_snapshot().path
    stage = build_npm_stage(base / "npm")
    python = make_server(port=0, webresources=wr, config=config).start()
    try:
        with node_site(stage, wr, config, snapshot if snapshot.is_file() else None) as node:
            yield {"python": python.server_address[1], "node": node}
    finally:
        python.stop()


ORIGIN = ("Origin", "http://localhost:9999")
PREFLIGHT = [
    ORIGIN,
    ("Access-Control-Request-Method", "GET"),
    ("Access-Control-Request-Private-Network", "true"),
]
PATHS = [
    "/",
    "/?x=1",
    "/web",
    "/web/",
    "/index.html",
    "/blank.html",
    "/workspace.css",
    "/workspace.js",
    "/shim.js",
    "/py_apm.zip",
    "/py_apm.snapshot",
    "/py_apm.snapshot.json",
    "/config.json",
    "/favicon.ico",
    "/pyodide/pyodide.mjs",
    "/pyodide/pyodide.asm.wasm",
    "/pyodide/package.json",
    "/pyodide/python_stdlib.zip",
    "/pyodide/",
    "/pyodide",
    "/pyodide/nothing.js",
    "/webresources/page.html",
    "/web/webresources/page.html",
    "/webresources/pic.svg",
    "/webresources/data.json",
    "/webresources/UPPER.PNG",
    "/webresources/blob.xyz",
    "/webresources/noext",
    "/webresources/dir/x.js",
    "/webresources/dir/",
    "/webresources/",
    "/webresources/missing.html",
    "/webresources/link_in.html",
    "/webresources/link_out.txt",
    "/webresources/link_dir/secret.txt",
    "/webresources/Widget/msdyn_ciLibrary.js",
    "/Webresources/Widget/msdyn_ciLibrary.js",
    "/WEBRESOURCES/Widget/msdyn_ciLibrary.js",
    "/webresources/widget/MSDYN_CILIBRARY.JS",
    "/web/webresources/Widget/msdyn_ciLibrary.js",
    "/Webresources/page.html",
    "/web/../pyproject.toml",
    "/%2e%2e/pyproject.toml",
    "/webresources/%2e%2e/config.json",
    "/webresources/dir/..%2f..%2fconfig.json",
    "//etc/passwd",
    "/web/%00index.html",
    "/a\\b",
    "/%zz",
    "/nope/x.js",
]
HOSTS = [
    "127.0.0.1:{port}",
    "localhost:{port}",
    "LocalHost",
    "[::1]:{port}",
    "localhost.localdomain:{port}",
    "evil.example",
    "127.0.0.1.evil.example:{port}",
    "localhost:port",
    "",
]

CASES: list[tuple[str, str, list[tuple[str, str]], str | None, str]] = [
    *[("GET", p, [ORIGIN], "127.0.0.1:{port}", "HTTP/1.1") for p in PATHS],
    *[("HEAD", p, [], "127.0.0.1:{port}", "HTTP/1.1") for p in ("/", "/shim.js", "/nothing")],
    *[("OPTIONS", p, PREFLIGHT, "127.0.0.1:{port}", "HTTP/1.1") for p in PATHS[:20]],
    *[("GET", "/shim.js", [ORIGIN], h, "HTTP/1.1") for h in HOSTS],
    *[("GET", "/config.json", [], h, "HTTP/1.1") for h in HOSTS],
    *[(m, "/shim.js", [], "127.0.0.1:{port}", "HTTP/1.1") for m in ("POST", "PUT", "DELETE")],
    ("GET", "/", [], None, "HTTP/1.1"),
    ("GET", "/", [], None, "HTTP/1.0"),
    ("GET", "/shim.js", [("Host", "evil.example")], "127.0.0.1:{port}", "HTTP/1.1"),
    ("GET", "/shim.js", [("Host", "127.0.0.1")], "127.0.0.1:{port}", "HTTP/1.1"),
    ("GET", "http://evil.example/shim.js", [], "127.0.0.1:{port}", "HTTP/1.1"),
    ("GET", "http://127.0.0.1:{port}/shim.js", [], "127.0.0.1:{port}", "HTTP/1.1"),
    ("GET", "http://127.0.0.1/web/../pyproject.toml", [], "127.0.0.1", "HTTP/1.1"),
    ("GET", "http://user@127.0.0.1/shim.js", [], "127.0.0.1", "HTTP/1.1"),
    ("GET", "https://127.0.0.1/shim.js", [], "127.0.0.1", "HTTP/1.1"),
    ("GET", "*", [], "127.0.0.1", "HTTP/1.1"),
    ("GET", "/shim.js", [("If-None-Match", "*")], "127.0.0.1:{port}", "HTTP/1.1"),
]


def _ask(port: int, case: tuple[str, str, list[tuple[str, str]], str | None, str]) -> Reply:
    method, target, headers, host, version = case
    return ask(port, target.format(port=port), method, headers, host, version)


def _shape(reply: Reply) -> dict[str, object]:
    shape: dict[str, object] = {"status": reply.status}
    shape.update({k: reply.headers.get(k) for k in COMPARED})
    if reply.status == 200:
        shape["etag"] = "etag" in reply.headers
    return shape


def test_both_servers_answer_alike(ports: dict[str, int]) -> None:
    differences = []
    for case in CASES:
        python, node = (_shape(_ask(ports[name], case)) for name in ("python", "node"))
        if python != node:
            diff = {k: (python.get(k), node.get(k)) for k in python if python.get(k) != node.get(k)}
            differences.append((case[0], case[1], case[3], case[4], diff))
    assert differences == []


def test_the_cases_cover_each_answer(ports: dict[str, int]) -> None:
    """The comparison above is not vacuous: the cases reach every kind of answer."""
    statuses = {_ask(ports["python"], case).status for case in CASES}
    assert {200, 204, 304, 400, 404, 405, 421} <= statuses


@pytest.mark.parametrize("port_of", ["python", "node"])
def test_the_cif_library_route_wins_over_the_web_resources(
    ports: dict[str, int], port_of: str
) -> None:
    builtin = ROOT / "web" / "msdyn_ciLibrary.js"
    for path in (
        "/webresources/Widget/msdyn_ciLibrary.js",
        "/Webresources/widget/msdyn_cilibrary.js",
        "/web/webresources/Widget/msdyn_ciLibrary.js",
    ):
        reply = ask(ports[port_of], path)
        assert b"USER COPY" not in reply.body
        if builtin.is_file():  # until the built-in library exists, the route is a 404
            assert reply.status == 200 and reply.body == builtin.read_bytes()
            assert reply.headers["access-control-allow-origin"] == "*"
            assert reply.headers["content-type"] == "text/javascript; charset=utf-8"
        else:
            assert reply.status == 404


@pytest.mark.parametrize("port_of", ["python", "node"])
def test_symlinks_out_of_the_web_resources_are_404(ports: dict[str, int], port_of: str) -> None:
    for path in ("/webresources/link_out.txt", "/webresources/link_dir/secret.txt"):
        reply = ask(ports[port_of], path)
        assert reply.status == 404 and b"OUTSIDE" not in reply.body
    assert ask(ports[port_of], "/webresources/link_in.html").body == b"<p>page</p>\n"


def test_framing_is_answered_by_the_python_server_only(ports: dict[str, int]) -> None:
    """The npm servers have no framing route: the page then frames the site as it is."""
    target = "/pyapm/framing?url=http%3A%2F%2F127.0.0.1%3A9%2F"
    assert ask(ports["python"], target).status == 403  # no marker header
    assert ask(ports["node"], target).status == 404
