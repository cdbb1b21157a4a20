"""Benchmark 4: the team board at scale against loading every answer into pandas.

The organisation is :func:`trainer.reports.scale.seed_scale`'s (2,000 agents in 40 teams of
50, 1,000,000 answers over 180 days, lesson progress, FSRS cards, certificates).  The subject
is what a team lead opens: :func:`trainer.reports.board.team_board` for a manager (their team
of 50); the baseline is the naive board: every answer of the database read into pandas and
grouped per agent.  The admin's board over all 2,000 agents is timed too (in the note).
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, func, select

from trainer.bench.harness import BenchResult, alternate
from trainer.catalog import Catalog
from trainer.records.db import ensure_schema, make_engine, reading
from trainer.records.models import Response, User
from trainer.reports.board import team_board
from trainer.reports.scale import seed_scale

SPEEDUP_TARGET = 15
SECONDS_TARGET = 0.2


def scale_database(path: Path, catalog: Catalog, *, agents: int, responses: int) -> str:
    """A SQLite file with the synthetic organisation; an existing file that already holds
    ``responses`` answers is reused (``--scale-db``), else it is built."""
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    ensure_schema(engine)
    with reading(engine) as s:
        have = s.scalar(select(func.count()).select_from(Response)) or 0
    if have and have != responses:
        raise RuntimeError(f"{path} 已有 {have:,} 条作答（需要 {responses:,} 条）：换一个文件")
    if not have:
        seed_scale(engine, catalog, agents=agents, responses=responses)
    engine.dispose()
    return url


def pandas_board(engine: Engine) -> pd.DataFrame:
    """The naive board: every answer into pandas, then per agent: answers, mean score ratio,
    mean over the last 7 days, last answer, share passed."""
    with engine.connect() as c:
        df = pd.read_sql(
            select(
                Response.user_id,
                Response.question_id,
                Response.score,
                Response.max_score,
                Response.passed,
                Response.created_at,
            ),
            c,
        )
    df["ratio"] = df["score"] / df["max_score"]
    recent = df["created_at"] >= df["created_at"].max() - pd.Timedelta(days=7)
    df["recent"] = df["ratio"].where(recent)
    return df.groupby("user_id").agg(
        n=("ratio", "size"),
        ratio=("ratio", "mean"),
        recent=("recent", "mean"),
        last=("created_at", "max"),
        passed=("passed", "mean"),
    )


def bench_board(url: str, catalog: Catalog, *, rounds: int = 5) -> BenchResult:
    engine = make_engine(url)
    now = dt.datetime.now(dt.UTC)
    with reading(engine) as s:
        lead = s.scalars(select(User).where(User.role == "manager").order_by(User.id)).first()
        admin = s.scalars(select(User).where(User.role == "admin")).first()
        n = s.scalar(select(func.count()).select_from(Response)) or 0
        n_agents = s.scalar(select(func.count()).select_from(User).where(User.role == "trainee"))

    def board_of(actor: User) -> float:
        t = time.perf_counter()
        with reading(engine) as s:
            team_board(session=s, actor=actor, catalog=catalog, now=now)
        return time.perf_counter() - t

    def baseline() -> float:
        t = time.perf_counter()
        pandas_board(engine)
        return time.perf_counter() - t

    board_of(admin)  # warm the page cache once, as a running server would be
    s_med, b_med, _, _ = alternate(lambda: board_of(lead), baseline, rounds=rounds)
    everyone = statistics.median(board_of(admin) for _ in range(max(1, rounds // 2)))
    engine.dispose()
    speedup = b_med / s_med if s_med else 0.0
    return BenchResult(
        name=f"4. 团队看板（{n:,} 条作答）",
        subject="一位主管的团队看板（50 人）",
        subject_value=s_med * 1e3,
        baseline="全部作答读入 pandas 再分组",
        baseline_value=b_med * 1e3,
        unit="ms",
        ratio=s_med / b_med if b_med else 0.0,
        target=f"快 ≥ {SPEEDUP_TARGET} 倍且 < {SECONDS_TARGET * 1e3:.0f} ms",
        ok=speedup >= SPEEDUP_TARGET and s_med < SECONDS_TARGET,
        note=f"快 {speedup:.0f} 倍；管理员看全部 {n_agents:,} 人 {everyone * 1e3:,.0f} ms",
    )
