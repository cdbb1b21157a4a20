"""`python -m trainer bench`: run the benchmarks, print the table, keep the JSON."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _only(value: str) -> set[int]:
    try:
        out = {int(x) for x in value.split(",") if x.strip()}
    except ValueError:
        raise argparse.ArgumentTypeError("--only 后面写基准编号，如 1,4") from None
    if not out or not out <= set(range(1, 8)):
        raise argparse.ArgumentTypeError("基准编号是 1 到 7")
    return out


def cmd_bench(args: argparse.Namespace) -> int:
    """运行性能基准（每项与同一次运行中测得的基线交替比较），打印结果表。"""
    from trainer.bench.harness import format_table
    from trainer.bench.run import run, save

    results, failures = run(quick=args.quick, only=args.only, scale_db=args.scale_db)
    print(format_table(results))
    for f in failures:
        print(f"没有跑成：{f}", file=sys.stderr)
    path = save(results, failures, quick=args.quick)
    print(f"\n结果已写入 {path}" + ("（--quick：小规模，仅作快速检查）" if args.quick else ""))
    return 1 if any("Error" in f for f in failures) else 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bench", help=cmd_bench.__doc__)
    p.add_argument("--quick", action="store_true", help="小规模快速检查（数字不作数）")
    p.add_argument("--only", type=_only, help="只跑这些基准，如 1,4（编号见 docs/performance.md）")
    p.add_argument(
        "--scale-db",
        type=Path,
        help="基准 4 的大库放在这个 SQLite 文件里并保留（已有同样规模的数据就直接用）",
    )
    p.set_defaults(func=cmd_bench)
