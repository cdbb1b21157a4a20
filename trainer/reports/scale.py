"""The board at scale: a synthetic organisation (2,000 agents, 1,000,000 answers).

:func:`seed_scale` fills a database for benchmark 4 (:mod:`trainer.bench.board`, run by
``make bench`` / ``python -m trainer bench --only 4``), which times the team board against
reading every answer into pandas.
"""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import Engine, insert, text

from trainer.accounts import hash_password
from trainer.catalog import Catalog
from trainer.grading import CriterionResult, Grade, Violation
from trainer.records.models import (
    Certification,
    LessonProgress,
    ManagedTeam,
    Response,
    ReviewCard,
    Team,
    User,
)


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
