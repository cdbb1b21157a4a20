"""Benchmark harness: every figure is a ratio against a baseline measured in the same run.

The machines are noisy, so subject and baseline alternate (A B A B …) for several rounds and
the medians are compared.  Nothing here is a test: `make bench` prints a table.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class BenchResult:
    name: str
    subject: str
    subject_value: float
    baseline: str
    baseline_value: float
    unit: str
    ratio: float  # subject / baseline, in the unit's sense (time: lower is better)
    target: str
    ok: bool
    note: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


def alternate(
    subject: Callable[[], float], baseline: Callable[[], float], *, rounds: int = 7
) -> tuple[float, float, list[float], list[float]]:
    """Run ``subject`` and ``baseline`` alternately ``rounds`` times; each returns one
    measurement (e.g. seconds per operation). Returns the two medians and the raw samples."""
    s_samples, b_samples = interleave(subject, baseline, rounds=rounds)
    return statistics.median(s_samples), statistics.median(b_samples), s_samples, b_samples


def interleave(
    subject: Callable[[], T], baseline: Callable[[], T], *, rounds: int
) -> tuple[list[T], list[T]]:
    """The samples of ``rounds`` alternating runs of ``subject`` and ``baseline``, the order
    swapped every round so that warm-up and drift hit both sides alike."""
    s_samples: list[T] = []
    b_samples: list[T] = []
    for i in range(rounds):
        if i % 2 == 0:
            s_samples.append(subject())
            b_samples.append(baseline())
        else:
            b_samples.append(baseline())
            s_samples.append(subject())
    return s_samples, b_samples


def per_call(fn: Callable[[], object], n: int) -> float:
    """Seconds per call of ``fn`` over ``n`` calls (process CPU-independent wall time)."""
    t0 = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - t0) / n


def format_table(results: list[BenchResult]) -> str:
    head = ["#", "基准项", "本系统", "基线", "比值", "目标", "结论"]
    rows = []
    for i, r in enumerate(results, 1):
        rows.append(
            [
                str(i),
                r.name,
                f"{r.subject}: {_num(r.subject_value)} {r.unit}",
                f"{r.baseline}: {_num(r.baseline_value)} {r.unit}",
                f"{r.ratio:.2f}×",
                r.target,
                ("达标" if r.ok else "未达标") + (f"（{r.note}）" if r.note else ""),
            ]
        )
    widths = [max(_w(x) for x in col) for col in zip(head, *rows, strict=True)]
    lines = [" | ".join(_pad(c, w) for c, w in zip(head, widths, strict=True))]
    lines.append("-+-".join("-" * w for w in widths))
    lines += [" | ".join(_pad(c, w) for c, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(lines)


def _num(v: float) -> str:
    if v == 0:
        return "0"
    if abs(v) >= 100:
        return f"{v:,.0f}"
    if abs(v) >= 1:
        return f"{v:.2f}"
    return f"{v:.4g}"


def _w(s: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in s)


def _pad(s: str, width: int) -> str:
    return s + " " * (width - _w(s))
