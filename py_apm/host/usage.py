"""The command line's argument parser: a usage error is one line naming the option and where help
is (no usage dump, no traceback), for ``py-apm`` and its subcommands."""

from __future__ import annotations

import argparse


class OneLineParser(argparse.ArgumentParser):
    """``argparse`` whose errors are one line: ``py-apm serve: argument --port: ... (see ...)``."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: {message} (see `{self.prog} --help`)\n")
