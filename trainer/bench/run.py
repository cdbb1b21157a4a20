"""Run the benchmarks (``make bench`` = ``python -m trainer bench``): full or quick sizes,
all or some of them; print the table and keep the results as JSON with the machine."""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from trainer.bench.harness import BenchResult

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "progress" / "bench-results.json"
PG_URLS = (
    "postgresql+psycopg://postgres@127.0.0.1:5432/test",
    "postgresql+psycopg://root@127.0.0.1:5432/test",
)


@dataclass(frozen=True)
class Sizes:
    grading_rounds: int = 7
    submit_rounds: int = 7
    submit_per_round: int = 300
    load_rounds: int = 3
    load_total: int = 3200  # submits per run (32 writers × 100)
    agents: int = 2000
    responses: int = 1_000_000
    board_rounds: int = 5
    submits: int = 30  # quiz submits per app run (bench 5)
    app_rounds: int = 3
    sessions: int = 60  # idle sessions (bench 6)
    cold_rounds: int = 3


FULL = Sizes()
QUICK = Sizes(
    grading_rounds=3,
    submit_rounds=3,
    submit_per_round=60,
    load_rounds=1,
    load_total=320,
    agents=200,
    responses=20_000,
    board_rounds=3,
    submits=8,
    app_rounds=1,
    sessions=15,
    cold_rounds=1,
)
NAMES = {
    1: "回复评分",
    2: "提交路径",
    3: "并发写入",
    4: "团队看板",
    5: "提交重跑 CPU",
    6: "空闲会话内存",
    7: "冷启动",
}


def postgres_url() -> str | None:
    """The PostgreSQL test database when it answers (DATABASE_URL_BENCH overrides)."""
    from sqlalchemy import text

    from trainer.records.db import make_engine

    candidates = [os.environ["DATABASE_URL_BENCH"]] if "DATABASE_URL_BENCH" in os.environ else []
    for url in [*candidates, *PG_URLS]:
        try:
            eng = make_engine(url, pool_size=1, max_overflow=0)
            with eng.connect() as c:
                c.execute(text("select 1"))
            eng.dispose()
            return url
        except Exception:
            continue
    return None


def machine() -> dict:
    """What the figures were measured on."""
    info: dict = {
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
    }
    try:
        import streamlit

        info["streamlit"] = streamlit.__version__
    except ImportError:  # pragma: no cover
        pass
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
        for line in lscpu.splitlines():
            if line.startswith(("Model name:", "Hypervisor vendor:")):
                key, _, value = line.partition(":")
                info[key.strip().lower().replace(" ", "_")] = value.strip()
        with open("/proc/meminfo") as fh:
            info["memory_gb"] = round(int(fh.readline().split()[1]) / 1024 / 1024, 1)
        info["load_average"] = os.getloadavg()
    except OSError:  # pragma: no cover - not Linux
        pass
    pg = postgres_url()
    if pg:
        from sqlalchemy import text

        from trainer.records.db import make_engine

        eng = make_engine(pg, pool_size=1, max_overflow=0)
        with eng.connect() as c:
            info["postgresql"] = c.execute(text("show server_version")).scalar()
        eng.dispose()
    return info


def run(
    *,
    quick: bool = False,
    only: set[int] | None = None,
    scale_db: Path | None = None,
    log: Callable[[str], None] = lambda s: print(s, file=sys.stderr, flush=True),
) -> tuple[list[BenchResult], list[str]]:
    """Run the chosen benchmarks; returns the results and the failures (a benchmark that
    crashed is reported, not fatal to the others)."""
    from trainer.catalog import load_catalog

    sizes = QUICK if quick else FULL
    catalog = load_catalog(ROOT)
    wanted = sorted(only or NAMES)
    results: list[BenchResult] = []
    failures: list[str] = []

    def step(n: int, fn: Callable[[], list[BenchResult]]) -> None:
        if n not in wanted:
            return
        log(f"[{n}] {NAMES[n]} …")
        t0 = time.perf_counter()
        try:
            results.extend(fn())
        except Exception as exc:  # a crashed benchmark is reported, the others still run
            failures.append(f"{n}. {NAMES[n]}：{exc.__class__.__name__}: {exc}")
            log(traceback.format_exc())
        log(f"[{n}] {time.perf_counter() - t0:.0f} 秒")

    from trainer.bench import board, grading, streamlit_app, submit

    step(1, lambda: [grading.bench_grading(rounds=sizes.grading_rounds)])
    step(
        2,
        lambda: [
            submit.bench_submit(
                catalog, rounds=sizes.submit_rounds, per_round=sizes.submit_per_round
            )
        ],
    )

    def load() -> list[BenchResult]:
        out = [
            submit.bench_concurrency_sqlite(
                catalog, rounds=sizes.load_rounds, total=sizes.load_total
            )
        ]
        pg = postgres_url()
        if pg is None:
            failures.append("3. 并发写入（PostgreSQL）：127.0.0.1:5432 的 test 库连不上，跳过")
        else:
            out.append(
                submit.bench_concurrency_postgres(
                    catalog, pg, rounds=sizes.load_rounds, total=sizes.load_total
                )
            )
        return out

    step(3, load)

    def scale() -> list[BenchResult]:
        if scale_db is not None:
            url = board.scale_database(
                scale_db, catalog, agents=sizes.agents, responses=sizes.responses
            )
            return [board.bench_board(url, catalog, rounds=sizes.board_rounds)]
        with tempfile.TemporaryDirectory(prefix="kefu-bench-") as tmp:
            t0 = time.perf_counter()
            url = board.scale_database(
                Path(tmp) / "scale.db", catalog, agents=sizes.agents, responses=sizes.responses
            )
            log(f"    造 {sizes.responses:,} 条作答用时 {time.perf_counter() - t0:.0f} 秒")
            return [board.bench_board(url, catalog, rounds=sizes.board_rounds)]

    step(4, scale)
    step(
        5,
        lambda: [streamlit_app.bench_rerun_cpu(submits=sizes.submits, rounds=sizes.app_rounds)],
    )
    step(6, lambda: [streamlit_app.bench_memory(sessions=sizes.sessions, rounds=sizes.app_rounds)])
    step(7, lambda: [streamlit_app.bench_cold_start(rounds=sizes.cold_rounds)])
    return results, failures


def save(results: list[BenchResult], failures: list[str], *, quick: bool, path: Path = RESULTS):
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "quick": quick,
        "machine": machine(),
        "results": [r.to_dict() for r in results],
        "failures": failures,
    }
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return path
