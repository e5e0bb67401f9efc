"""``py-apm``: serve | run | init | cache | bench | snapshot | doctor."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from .usage import OneLineParser

#: The name on the package indexes (PyPI and npm); the import stays ``py_apm``, the command
#: ``py-apm``.
DISTRIBUTION = "py-apm-emulator"

DELEGATED = {
    "run": "py_apm.host.runner",
    "bench": "py_apm.host.bench",
    "snapshot": "py_apm.host.snapshot_build",
    "init": "py_apm.host.starter",
    "cache": "py_apm.host.cache",
}

EXIT_CODES = """exit codes:
  0  done (py-apm run: every script ran without an uncaught error)
  1  failed: py-apm run: a script threw or rejected; serve, snapshot, init: the reason is printed;
     doctor: something needed is missing
  2  usage error (an unknown command or option, a bad value): the line printed says which
  3  py-apm run: the scripts could not run (no browser, no Pyodide, the workspace did not boot)
"""


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a port: give 0-65535 (0 = any free one)"
        )
    return port


def version() -> str:
    """The installed distribution's version (falls back to ``py_apm.__version__``)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as dist_version

    try:
        return dist_version(DISTRIBUTION)
    except PackageNotFoundError:
        mod = sys.modules.get("py_apm")
        return str(getattr(mod, "__version__", "0.1.0"))


def _parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="py-apm",
        description="Offline emulator of the Dynamics 365 Microsoft.Apm API.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"py-apm {version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = sub.add_parser("serve", help="serve the workspace page, shim.js and Pyodide locally")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument(
        "--port", type=_port, default=8765, help="port (default 8765; 0 = any free port)"
    )
    serve.add_argument("--webresources", metavar="DIR", help="serve DIR at /webresources/")
    serve.add_argument("--config", metavar="FILE", help="serve FILE (JSON) at /config.json")
    serve.add_argument(
        "--open",
        nargs="?",
        const=True,
        default=None,
        metavar="PAGE",
        help="open the workspace in a browser; with PAGE (an .html file), host that page as a "
        "web-resource tab of the ready workspace (code that calls Microsoft.Apm while it loads "
        "then runs unchanged)",
    )
    serve.add_argument("-v", "--verbose", action="store_true", help="log every request")
    serve.add_argument(
        "--no-snapshot",
        action="store_true",
        help="do not build the memory snapshot when it is missing (pages then boot ~4x slower)",
    )

    sub.add_parser("run", help="run a script against the emulator (see py-apm run --help)")
    sub.add_parser("init", help="write a starter project whose tests pass (see py-apm init --help)")
    sub.add_parser("cache", help="show the cached snapshots; --prune keeps the current version's")
    sub.add_parser("bench", help="measure boot and call costs in a real browser")
    sub.add_parser("snapshot", help="build the Pyodide memory snapshot pages boot from")
    sub.add_parser("doctor", help="check Python, Pyodide and the browser")
    return parser


def _delegate(command: str, argv: Sequence[str]) -> int:
    module_name = DELEGATED[command]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        print(f"py-apm {command}: not available yet", file=sys.stderr)
        return 2
    entry: Callable[[list[str]], int | None] | None = getattr(module, "main", None)
    if entry is None:
        print(f"py-apm {command}: not available yet", file=sys.stderr)
        return 2
    return int(entry(list(argv)) or 0)


def cmd_serve(args: argparse.Namespace) -> int:
    from .open_page import locate, open_url
    from .server import ServerSetupError, make_server, serve_forever

    page: str | None = None
    try:
        webresources = args.webresources
        if isinstance(args.open, str):  # --open PAGE: serve its folder, open it in a tab
            given = Path(args.webresources).expanduser() if args.webresources else None
            folder, name = locate(args.open, given)
            webresources = folder
        server = make_server(
            host=args.host,
            port=args.port,
            webresources=webresources,
            config=args.config,
            verbose=args.verbose,
        )
        if isinstance(args.open, str):
            page = open_url(server.url, name)
    except ServerSetupError as exc:
        fix = " (choose another --port; 0 = any free port)" if "cannot listen" in str(exc) else ""
        print(f"py-apm serve: {exc}{fix}", file=sys.stderr)
        return 1
    if not args.no_snapshot:
        _build_snapshot_in_background()
    if page is not None:
        print(page, flush=True)  # first line: the workspace with the page in a tab
        if args.open:
            import webbrowser

            webbrowser.open(page)
    return serve_forever(server, open_browser=args.open is True)


def _build_snapshot_in_background() -> None:
    """Build the memory snapshot if it is missing, without delaying the server; pages loaded
    before it is ready boot normally."""
    import threading

    from .snapshot import current
    from .snapshot_build import ensure

    if current().exists:
        return
    print(
        "py-apm serve: building the memory snapshot in the background; pages boot ~4x faster "
        "once it is ready",
        file=sys.stderr,
        flush=True,
    )
    threading.Thread(target=ensure, kwargs={"quiet": False}, daemon=True).start()


def cmd_doctor() -> int:
    """One line per check; exit 1 when something needed is missing."""
    from .doctor import run_checks

    return run_checks(sys.stdout)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``py-apm`` console script."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list and args_list[0] in DELEGATED:
        return _delegate(args_list[0], args_list[1:])
    parser = _parser()
    args = parser.parse_args(args_list)
    if args.command == "serve":
        return cmd_serve(args)
    if args.command == "doctor":
        return cmd_doctor()
    parser.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())
