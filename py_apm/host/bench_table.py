"""The result table of ``py-apm bench``: rows with a value, a ratio, a target and MET / NOT MET."""

from __future__ import annotations

import statistics
import sys
import time
from dataclasses import dataclass, field


@dataclass
class Row:
    """One line of the result table."""

    name: str
    value: str
    ratio: str = ""
    target: str = ""
    met: bool | None = None


@dataclass
class Report:
    """Collected rows plus notes printed under the table."""

    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(
        self,
        name: str,
        value: str,
        ratio: str = "",
        target: str = "",
        met: bool | None = None,
    ) -> None:
        """Append one row."""
        self.rows.append(Row(name, value, ratio, target, met))

    def render(self) -> str:
        """The table as plain text."""
        head = ("measure", "value", "ratio", "target", "status")
        body = [
            (
                r.name,
                r.value,
                r.ratio,
                r.target,
                "" if r.met is None else ("MET" if r.met else "NOT MET"),
            )
            for r in self.rows
        ]
        widths = [max(len(str(c)) for c in col) for col in zip(head, *body, strict=False)]
        fmt = "  ".join(f"{{:<{w}}}" for w in widths)
        lines = [fmt.format(*head).rstrip(), fmt.format(*("-" * w for w in widths))]
        lines += [fmt.format(*row).rstrip() for row in body]
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)


_T0 = time.perf_counter()


def progress(step: str) -> None:
    """One progress line on stderr (the table goes to stdout), with the seconds elapsed."""
    print(f"[bench {time.perf_counter() - _T0:5.1f} s] {step}", file=sys.stderr, flush=True)


def median(values: list[float]) -> float:
    """Median of a non-empty list."""
    return float(statistics.median(values))


def met(value: float, limit: float) -> bool:
    return value <= limit
