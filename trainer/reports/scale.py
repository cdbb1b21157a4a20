"""The board at scale: synthetic data (2,000 agents, 1,000,000 answers) and its benchmark.

Not a test: ``python -m trainer.reports.scale`` (or :func:`bench_board` from ``make bench``)
seeds a database once, then times :func:`trainer.reports.board.team_board` for an admin (every
agent) against the obvious alternative it replaces — reading every answer into pandas and
grouping there — alternating the two (see :mod:`trainer.bench.harness`).  The target is the
issue's: the board renders within a second.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, func, insert, select, text

from trainer.accounts import hash_password
from trainer.bench.harness import BenchResult, alternate
from trainer.catalog import Catalog, check_catalog
from trainer.grading import CriterionResult, Grade, Violation
from trainer.records.db import ensure_schema, make_engine, reading
from trainer.records.models import (
    Certification,
    LessonProgress,
    ManagedTeam,
    Response,
    ReviewCard,
    Team,
    User,
)
from trainer.reports.board import team_board

ROOT = Path(__file__).resolve().parents[2]
TARGET_SECONDS = 1.0


def _grades(catalog: Catalog) -> dict[str, list[dict]]:
    """Per question: a few JSON grades shaped like the real ones (reply grades are wide)."""
    out: dict[str, list[dict]] = {}
    for q in catalog.questions.values():
        variants = []
        for ratio in (1.0, 0.8, 0.5, 0.0):
            if q.type in ("reply", "dialog"):
                crit = tuple(
                    CriterionResult(
                        f"c{i}", f"要点{i}", "concept", 20 * ratio, 20, ratio >= 0.5, "说到了" * 8
                    )
                    for i in range(5)
                )
                viol = (
                    (
                        Violation(
                            "refuse-invoice", "拒绝开发票", "天猫规则·发票", "违规扣6分", "x" * 60
                        ),
                    )
                    if ratio == 0
                    else ()
                )
                mx = 100.0
                extra = {"pass_ratio": 0.6}
            else:
                crit = (
                    CriterionResult(
                        "answer", "答案", "option", ratio, 1, ratio == 1.0, "解析" * 20
                    ),
                )
                viol, mx, extra = (), 1.0, {}
            g = Grade(
                q.id,
                q.type,
                round(ratio * mx, 2),
                mx,
                ratio >= 0.6 and not viol,
                crit,
                viol,
                "反馈：" + "依据规则说明为什么" * 6,
                tuple(q.lessons),
                extra=extra,
            )
            variants.append(g.to_dict())
        out[q.id] = variants
    return out


def seed_scale(
    engine: Engine,
    catalog: Catalog,
    *,
    agents: int = 2000,
    responses: int = 1_000_000,
    teams: int = 40,
    now: dt.datetime | None = None,
    seed: int = 7,
    batch: int = 20_000,
) -> None:
    """Bulk-insert synthetic teams, agents, answers over 180 days, lesson progress, FSRS
    cards and certifications (Core executemany in batches; no ORM objects)."""
    rnd = random.Random(seed)
    now = now or dt.datetime.now(dt.UTC)
    pw = hash_password("scale-bench-only")
    qids = list(catalog.questions)
    qtype = {qid: q.type for qid, q in catalog.questions.items()}
    grades = _grades(catalog)
    with engine.begin() as c:
        c.execute(
            insert(Team),
            [
                {"id": t + 1, "name": f"客服{t + 1}组", "platform": "tmall", "created_at": now}
                for t in range(teams)
            ],
        )
        users = [
            {
                "id": 1,
                "username": "scale_admin",
                "display_name": "管理员",
                "role": "admin",
                "team_id": None,
                "platform": None,
                "password_hash": pw,
                "must_change_password": False,
                "active": True,
                "created_at": now,
            }
        ]
        for i in range(agents):
            users.append(
                {
                    "id": i + 2,
                    "username": f"agent{i:05d}",
                    "display_name": f"客服{i:05d}",
                    "role": "trainee",
                    "team_id": i % teams + 1,
                    "platform": rnd.choice(["tmall", "taobao", "jd"]),
                    "password_hash": pw,
                    "must_change_password": False,
                    "active": True,
                    "created_at": now,
                }
            )
        for t in range(teams):
            users.append(
                {
                    "id": agents + 2 + t,
                    "username": f"lead{t:03d}",
                    "display_name": f"主管{t:03d}",
                    "role": "manager",
                    "team_id": t + 1,
                    "platform": "tmall",
                    "password_hash": pw,
                    "must_change_password": False,
                    "active": True,
                    "created_at": now,
                }
            )
        c.execute(insert(User), users)
        c.execute(
            insert(ManagedTeam),
            [{"manager_id": agents + 2 + t, "team_id": t + 1} for t in range(teams)],
        )
        lessons = list(catalog.lessons)
        c.execute(
            insert(LessonProgress),
            [
                {"user_id": u + 2, "lesson_id": lid, "rule_version": 1, "learned_at": now}
                for u in range(agents)
                for lid in lessons
                if rnd.random() < 0.8
            ],
        )
        c.execute(
            insert(Certification),
            [
                {
                    "user_id": u + 2,
                    "exam_id": next(iter(catalog.exams), "cert"),
                    "ratio": 0.9,
                    "issued_at": now - dt.timedelta(days=100),
                    "expires_at": now + dt.timedelta(days=265),
                    "rule_versions": {lid: 1 for lid in lessons},
                }
                for u in range(agents)
                if rnd.random() < 0.6
            ],
        )
        cards = []
        for u in range(agents):
            for qid in rnd.sample(qids, min(len(qids), 30)):
                due = now + dt.timedelta(days=rnd.randint(-20, 30))
                cards.append(
                    {
                        "user_id": u + 2,
                        "question_id": qid,
                        "state": {"question_id": qid, "due_at": due.isoformat()},
                        "due_at": due,
                        "updated_at": now,
                    }
                )
        for i in range(0, len(cards), batch):
            c.execute(insert(ReviewCard), cards[i : i + batch])
    span = 180 * 86400
    made = 0
    while made < responses:
        rows = []
        for _ in range(min(batch, responses - made)):
            made += 1
            qid = rnd.choice(qids)
            g = rnd.choice(grades[qid])
            kind = (
                "reply"
                if qtype[qid] == "reply"
                else (
                    "dialog"
                    if qtype[qid] == "dialog"
                    else rnd.choice(["practice", "practice", "exam", "refresher"])
                )
            )
            rows.append(
                {
                    "submission_id": f"s{made}",
                    "attempt_id": None,
                    "user_id": rnd.randrange(agents) + 2,
                    "question_id": qid,
                    "turn_id": None,
                    "kind": kind,
                    "response": "亲，可以开发票的" if kind in ("reply", "dialog") else "B",
                    "grade": g,
                    "score": g["score"],
                    "max_score": g["max_score"],
                    "passed": g["passed"],
                    "violation_ids": [v["id"] for v in g["violations"]],
                    "grader_version": "1.0.0",
                    "content_version": catalog.version,
                    "rule_version": 1,
                    "response_ms": None,
                    "created_at": now - dt.timedelta(seconds=rnd.randrange(span)),
                }
            )
        with engine.begin() as c:
            c.execute(insert(Response), rows)
    if engine.dialect.name == "sqlite":
        with engine.begin() as c:
            c.exec_driver_sql("ANALYZE")
    else:  # statistics, and the visibility map that lets PostgreSQL read indexes only
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(text("VACUUM ANALYZE"))


def _pandas_board(engine: Engine) -> pd.DataFrame:
    """The baseline the board replaces: every answer into pandas, grouped there."""
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
    return df.groupby("user_id").agg(
        n=("ratio", "size"), ratio=("ratio", "mean"), last=("created_at", "max")
    )


def bench_board(url: str, catalog: Catalog, *, rounds: int = 5) -> BenchResult:
    """Seconds to build the whole board for an admin (every agent) vs the pandas baseline."""
    engine = make_engine(url)
    now = dt.datetime.now(dt.UTC)
    with reading(engine) as s:
        admin = s.scalars(select(User).where(User.role == "admin").limit(1)).one()
        n = s.scalar(select(func.count()).select_from(Response))
        n_agents = s.scalar(select(func.count()).select_from(User).where(User.role == "trainee"))

    def subject() -> float:
        t = time.perf_counter()
        with reading(engine) as s:
            team_board(session=s, actor=admin, catalog=catalog, now=now)
        return time.perf_counter() - t

    def baseline() -> float:
        t = time.perf_counter()
        _pandas_board(engine)
        return time.perf_counter() - t

    def one_team() -> float:
        with reading(engine) as s:
            lead = s.scalars(select(User).where(User.role == "manager").limit(1)).first()
            if lead is None:
                return 0.0
            t = time.perf_counter()
            team_board(session=s, actor=lead, catalog=catalog, now=now)
            return time.perf_counter() - t

    subject()  # warm the page cache once, as a running server would be
    s_med, b_med, _, _ = alternate(subject, baseline, rounds=rounds)
    team_med = statistics.median(one_team() for _ in range(rounds))
    return BenchResult(
        name=f"团队看板（{n:,} 条作答）",
        subject="team_board (SQL 聚合)",
        subject_value=s_med,
        baseline="全部作答读入 pandas 再分组",
        baseline_value=b_med,
        unit="s",
        ratio=s_med / b_med if b_med else 0.0,
        target=f"< {TARGET_SECONDS:g} s",
        ok=s_med < TARGET_SECONDS,
        note=f"全部 {n_agents} 名学员；一位主管的团队看板 {team_med:.3f} s",
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="团队看板规模基准：造数据并计时")
    p.add_argument("--url", default=f"sqlite:///{ROOT / 'progress' / 'scale.db'}")
    p.add_argument("--agents", type=int, default=2000)
    p.add_argument("--responses", type=int, default=1_000_000)
    p.add_argument("--content", default=str(ROOT))
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--reuse", action="store_true", help="数据库已有数据时直接计时")
    args = p.parse_args(argv)
    catalog, errors = check_catalog(args.content)
    if errors:
        print(f"注意：内容有 {len(errors)} 处校验问题，仍用已读入的 {len(catalog.questions)} 道题")
    engine = make_engine(args.url)
    ensure_schema(engine)
    with reading(engine) as s:
        existing = s.scalar(select(func.count()).select_from(Response))
    if existing and not args.reuse:
        print(f"数据库已有 {existing:,} 条作答；加 --reuse 直接计时，或换一个 --url")
        return 1
    if not existing:
        t = time.perf_counter()
        seed_scale(engine, catalog, agents=args.agents, responses=args.responses)
        print(f"造数据用时 {time.perf_counter() - t:.0f} 秒")
    r = bench_board(args.url, catalog, rounds=args.rounds)
    print(
        f"{r.name}: {r.subject} {r.subject_value:.3f} s；{r.baseline} {r.baseline_value:.3f} s；"
        f"目标 {r.target}：{'达标' if r.ok else '未达标'}（{r.note}）"
    )
    return 0 if r.ok else 2


if __name__ == "__main__":
    raise SystemExit(main())
