"""Benchmarks 2 and 3: the submit path (grade + store + FSRS, one transaction), alone against
a raw ``sqlite3`` insert, and under 32 concurrent writers on SQLite and PostgreSQL.

The workload is every practice question of the catalog (objective and reply questions, no
dialogs) answered with its key or model answer, in bank order, over and over: the mix a
practising agent submits.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from trainer.bench.harness import BenchResult, alternate
from trainer.catalog import Catalog
from trainer.grading import grade
from trainer.records.db import ensure_schema, make_engine, transaction
from trainer.records.models import User
from trainer.records.submit import submit_answer

SUBMIT_TARGET = 2.0  # at most 2× the raw insert
WRITERS = 32


def right_answer(q: Any) -> Any:
    """The key of an objective question (in the stored form) or a reply's model answer."""
    t = q.type
    if t == "reply":
        return q.model_answer
    if t == "multiple":
        return list(q.answer)
    if t == "numeric":
        return float(q.answer)
    if t == "ordering":
        return list(q.steps)
    if t == "matching":
        return {p.left: p.right for p in q.pairs}
    return q.answer


def workload(catalog: Catalog) -> list[tuple[str, Any]]:
    """(question id, response) for every practice question."""
    return [(q.id, right_answer(q)) for q in catalog.questions.values() if q.type != "dialog"]


def _users(engine: Engine, n: int) -> list[int]:
    now = dt.datetime.now(dt.UTC)
    with transaction(engine) as s:
        users = [
            User(
                username=f"bench{i:03d}",
                display_name=f"压测{i:03d}",
                role="trainee",
                platform="tmall",
                password_hash="-",  # nobody logs in
                created_at=now,
            )
            for i in range(n)
        ]
        s.add_all(users)
        s.flush()
        return [u.id for u in users]


# ---------------------------------------------------------------- 2. one submit vs raw insert


@dataclass
class _Raw:
    """The baseline: the same row (the same JSON grade) inserted with ``sqlite3`` directly,
    one transaction each, with the app's durability settings (WAL, synchronous=NORMAL,
    BEGIN IMMEDIATE, busy_timeout) into the same table (same indexes, same trigger)."""

    path: str
    rows: list[tuple]

    def __post_init__(self) -> None:
        self.conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        for pragma in (
            "PRAGMA journal_mode=WAL",
            "PRAGMA busy_timeout=10000",
            "PRAGMA synchronous=NORMAL",
            "PRAGMA foreign_keys=ON",
        ):
            self.conn.execute(pragma)
        self.i = 0

    def insert(self) -> None:
        row = self.rows[self.i % len(self.rows)]
        self.i += 1
        c = self.conn
        c.execute("BEGIN IMMEDIATE")
        c.execute(
            "INSERT INTO responses (submission_id, attempt_id, user_id, question_id, turn_id, "
            "kind, response, grade, score, max_score, passed, violation_ids, grader_version, "
            "content_version, rule_version, response_ms, created_at) "
            "VALUES (?, NULL, ?, ?, NULL, 'practice', ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)",
            (uuid.uuid4().hex, *row),
        )
        c.execute("COMMIT")


def bench_submit(catalog: Catalog, *, rounds: int = 7, per_round: int = 300) -> BenchResult:
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "submit.db")
        engine = make_engine(f"sqlite:///{path}")
        ensure_schema(engine)
        (uid,) = _users(engine, 1)
        work = workload(catalog)
        now = dt.datetime.now(dt.UTC)
        titles = {lid: les.title for lid, les in catalog.lessons.items()}
        rows = []
        for qid, response in work:
            g = grade(catalog.questions[qid], response, lesson_titles=titles)
            rows.append(
                (
                    uid,
                    qid,
                    json.dumps(response, ensure_ascii=False),
                    json.dumps(g.to_dict(), ensure_ascii=False),
                    g.score,
                    g.max_score,
                    g.passed,
                    json.dumps([v.id for v in g.violations]),
                    g.grader_version,
                    catalog.version,
                    catalog.question_rule_version(qid),
                    now.replace(tzinfo=None).isoformat(sep=" "),
                )
            )
        raw = _Raw(path, rows)
        state = {"i": 0}

        def one_submit(schedule: bool = True) -> None:
            qid, response = work[state["i"] % len(work)]
            state["i"] += 1
            submit_answer(
                engine,
                catalog,
                user_id=uid,
                question_id=qid,
                response=response,
                kind="practice",
                submission_id=uuid.uuid4().hex,
                now=now,
                schedule=schedule,
            )

        def store_only() -> None:  # grade + store, no FSRS card (an exam answer's path)
            one_submit(schedule=False)

        for _ in range(30):  # warm: compiled statements, rubric patterns, page cache
            one_submit()
            raw.insert()

        def measure(fn: Callable[[], None]) -> Callable[[], float]:
            def run() -> float:
                t0 = time.perf_counter()
                for _ in range(per_round):
                    fn()
                return (time.perf_counter() - t0) / per_round

            return run

        s, b, _, _ = alternate(measure(one_submit), measure(raw.insert), rounds=rounds)
        s2, b2, _, _ = alternate(measure(store_only), measure(raw.insert), rounds=rounds)
        raw.conn.close()
        engine.dispose()
    ratio = s / b
    return BenchResult(
        name="2. 提交路径（评分+入库）",
        subject=f"submit_answer ×{per_round}",
        subject_value=s * 1e3,
        baseline="sqlite3 直接插入同一行",
        baseline_value=b * 1e3,
        unit="ms/次",
        ratio=ratio,
        target=f"≤ {SUBMIT_TARGET:g}× 原始插入",
        ok=ratio <= SUBMIT_TARGET,
        note=(
            f"{1 / s:,.0f} 次/秒；其中 FSRS 卡片之外（评分+入库，考试作答走的路径）"
            f"{s2 * 1e3:.3f} ms/次，为原始插入的 {s2 / b2:.2f}×"
        ),
    )


# ---------------------------------------------------------------- 3. 32 concurrent writers


@dataclass
class LoadRun:
    seconds: float
    latencies: list[float]
    errors: int

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    @property
    def p95(self) -> float:
        return _percentile(self.latencies, 0.95)


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    xs = sorted(values)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


def load_run(
    engine: Engine, catalog: Catalog, users: list[int], *, writers: int, total: int
) -> LoadRun:
    """``total`` submits by ``writers`` threads (each its own agent), all started together."""
    work = workload(catalog)
    now = dt.datetime.now(dt.UTC)
    per = total // writers
    latencies: list[float] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    go = threading.Barrier(writers + 1)

    def worker(w: int) -> None:
        mine: list[float] = []
        go.wait()
        for i in range(per):
            qid, response = work[(w * 7 + i) % len(work)]
            t0 = time.perf_counter()
            try:
                submit_answer(
                    engine,
                    catalog,
                    user_id=users[w],
                    question_id=qid,
                    response=response,
                    kind="practice",
                    submission_id=uuid.uuid4().hex,
                    now=now,
                )
            except Exception as exc:  # counted, not raised: the figure is the error count
                with lock:
                    errors.append(exc)
                continue
            mine.append(time.perf_counter() - t0)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(writers)]
    for t in threads:
        t.start()
    go.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    return LoadRun(time.perf_counter() - t0, latencies, len(errors))


def bench_concurrency(
    url: str, catalog: Catalog, *, label: str, rounds: int = 3, total: int = 3200
) -> BenchResult:
    """32 writers against one writer doing the same number of submits, alternating."""
    engine = make_engine(url)
    ensure_schema(engine)
    users = _users(engine, WRITERS)
    load_run(engine, catalog, users, writers=WRITERS, total=WRITERS * 4)  # warm
    many: list[LoadRun] = []
    one: list[LoadRun] = []
    for i in range(rounds):
        pair = [(WRITERS, many), (1, one)]
        for writers, sink in pair if i % 2 == 0 else reversed(pair):
            sink.append(load_run(engine, catalog, users, writers=writers, total=total))
    engine.dispose()
    tp = statistics.median(r.throughput for r in many)
    tp1 = statistics.median(r.throughput for r in one)
    p95 = statistics.median(r.p95 for r in many)
    p95_1 = statistics.median(r.p95 for r in one)
    errors = sum(r.errors for r in many) + sum(r.errors for r in one)
    return BenchResult(
        name=f"3. {WRITERS} 个并发写入（{label}）",
        subject=f"{WRITERS} 线程吞吐",
        subject_value=tp,
        baseline="单线程吞吐",
        baseline_value=tp1,
        unit="次/秒",
        ratio=tp / tp1 if tp1 else 0.0,
        target="错误数 = 0",
        ok=errors == 0,
        note=f"p95 {p95 * 1e3:.0f} ms（单线程 {p95_1 * 1e3:.0f} ms），错误 {errors}",
    )


def bench_concurrency_sqlite(catalog: Catalog, **kw) -> BenchResult:
    with tempfile.TemporaryDirectory() as tmp:
        return bench_concurrency(
            f"sqlite:///{Path(tmp) / 'load.db'}", catalog, label="SQLite", **kw
        )


def bench_concurrency_postgres(catalog: Catalog, admin_url: str, **kw) -> BenchResult:
    """On a fresh schema of the PostgreSQL database at ``admin_url`` (dropped afterwards)."""
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(admin_url, pool_size=1, max_overflow=0)
    with admin.begin() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in admin_url else "?"
    try:
        return bench_concurrency(
            f"{admin_url}{sep}options=-csearch_path%3D{schema}", catalog, label="PostgreSQL", **kw
        )
    finally:
        with admin.begin() as c:
            c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
