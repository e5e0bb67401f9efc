"""``py-apm``: serve | run | bench | snapshot | doctor."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence

DELEGATED = {
    "run": "py_apm.host.runner",
    "bench": "py_apm.host.bench",
    "snapshot": "py_apm.host.snapshot",
}


def version() -> str:
    """The installed distribution's version (falls back to ``py_apm.__version__``)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as dist_version

    try:
        return dist_version("py-apm")
    except PackageNotFoundError:
        mod = sys.modules.get("py_apm")
        return str(getattr(mod, "__version__", "0.1.0"))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="py-apm", description="Offline emulator of the Dynamics 365 Microsoft.Apm API."
    )
    parser.add_argument("--version", action="version", version=f"py-apm {version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = sub.add_parser("serve", help="serve the workspace page, shim.js and Pyodide locally")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument(
        "--port", type=int, default=8765, help="port (default 8765; 0 = any free port)"
    )
    serve.add_argument("--webresources", metavar="DIR", help="serve DIR at /webresources/")
    serve.add_argument("--config", metavar="FILE", help="serve FILE (JSON) at /config.json")
    serve.add_argument("--open", action="store_true", help="open the page in a browser")
    serve.add_argument("-v", "--verbose", action="store_true", help="log every request")
    serve.add_argument(
        "--no-snapshot",
        action="store_true",
        help="do not build the memory snapshot when it is missing (pages then boot ~4x slower)",
    )

    sub.add_parser("run", help="run a script against the emulator (see py-apm run --help)")
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
    from .server import ServerSetupError, make_server, serve_forever

    try:
        server = make_server(
            host=args.host,
            port=args.port,
            webresources=args.webresources,
            config=args.config,
            verbose=args.verbose,
        )
    except ServerSetupError as exc:
        print(f"py-apm serve: {exc}", file=sys.stderr)
        return 1
    if not args.no_snapshot:
        _build_snapshot_in_background()
    return serve_forever(server, open_browser=args.open)


def _build_snapshot_in_background() -> None:
    """Build the memory snapshot if it is missing, without delaying the server; pages loaded
    before it is ready boot normally."""
    import threading

    from .snapshot import current, ensure

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
