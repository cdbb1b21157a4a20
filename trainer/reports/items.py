"""题目分析: how each question performs, so the content owner knows what to fix.

Definitions (after Moodle's quiz statistics):

- **难度系数 F (facility index)** = mean of score / max score over every answer to the
  question (dialog turns count as answers to their dialog), as a share 0–1.
- **区分度 D (discrimination index)** = Pearson correlation, over agents, between the agent's
  latest score ratio on the question and their mean latest ratio on every *other* question
  ("the rest of the test").  Computed in SQL as sums (n, Σx, Σy, Σx², Σy², Σxy) over the
  per-(agent, question) rollup (``answer_rollups.last_ratio``, kept by the database), so no
  answer row is read; only the final square root happens in Python.  For a dialog (answered
  turn by turn) x is the agent's mean turn ratio.
- Flags (thresholds chosen from Moodle's guidance and shown on the page):
  F > :data:`TOO_EASY` → 太简单; F < :data:`TOO_HARD` → 太难; D < 0 → 区分度为负 (good agents
  do worse on it than weak ones: the key or the rubric is probably wrong).  Fewer than
  :data:`MIN_AGENTS` agents → 样本不足, no flags.
- **评分项命中率**: for reply and dialog rubrics, the share of answers in the last
  :data:`CRITERIA_DAYS` days where a criterion was met (for 禁忌用语 criteria: where the phrase
  was used).  The criteria live in the JSON grade, so the query unnests them with the
  database's own function (SQLite ``json_each``, PostgreSQL ``json_array_elements``) over the
  reply answers of that window only (the partial index ``ix_responses_replies``).
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
from sqlalchemy import JSON, case, func, select, true, type_coerce
from sqlalchemy.orm import Session

from trainer.catalog import QUESTION_TYPES, Catalog
from trainer.records.models import AnswerRollup, Response, User
from trainer.records.review import reply_answers
from trainer.reports.agent import CRITERION_KINDS, question_title
from trainer.reports.scope import agent_ids

TOO_EASY = 0.9
TOO_HARD = 0.3
MIN_AGENTS = 5
CRITERIA_DAYS = 90

ITEM_COLUMNS = [
    "题目ID",
    "模块",
    "题型",
    "题目",
    "作答次数",
    "作答人数",
    "难度系数",
    "区分度",
    "提示",
]


def pearson(n: int, sx: float, sy: float, sxx: float, syy: float, sxy: float) -> float | None:
    """Pearson r from sums; None when either side has no variance or n < 2."""
    if n < 2:
        return None
    vx = n * sxx - sx * sx
    vy = n * syy - sy * sy
    if vx <= 1e-12 or vy <= 1e-12:
        return None
    return (n * sxy - sx * sy) / math.sqrt(vx * vy)


def flags(facility: float | None, discrimination: float | None, agents: int) -> str:
    if facility is None:
        return "暂无作答"
    if agents < MIN_AGENTS:
        return "样本不足"
    out = []
    if facility > TOO_EASY:
        out.append("太简单")
    if facility < TOO_HARD:
        out.append("太难")
    if discrimination is not None and discrimination < 0:
        out.append("区分度为负")
    return "、".join(out)


def item_analysis(
    *,
    session: Session,
    actor: User,
    catalog: Catalog,
    team_id: int | None = None,
    platform: str | None = None,
) -> pd.DataFrame:
    """One row per question of the catalog (answered or not): facility, discrimination and
    flags, over the answers of the agents the actor may see.  Both read ``answer_rollups``
    (per agent and question); the latest ratio comes from the latest answer's row."""
    agents = agent_ids(actor=actor, team_id=team_id, platform=platform)
    AR = AnswerRollup
    fac = (
        select(
            AR.question_id,
            func.sum(AR.answers),
            func.count(),
            func.sum(AR.ratio_sum),
        )
        .where(AR.user_id.in_(agents))
        .group_by(AR.question_id)
    )
    facility = {
        qid: (int(n), int(people), float(total) / int(n))
        for qid, n, people, total in session.execute(fac)
        if n
    }
    # the latest answer's ratio (dialogs, answered turn by turn: the mean of the turns)
    latest_ratio = func.coalesce(AR.last_ratio, AR.ratio_sum / AR.answers)
    x = (
        select(AR.user_id.label("uid"), AR.question_id.label("qid"), latest_ratio.label("x"))
        .where(AR.user_id.in_(agents))
        .cte("x")
    )
    per_user = (
        select(x.c.uid, func.sum(x.c.x).label("s"), func.count().label("n"))
        .group_by(x.c.uid)
        .subquery()
    )
    y = ((per_user.c.s - x.c.x) / (per_user.c.n - 1)).label("y")
    pairs = (
        select(x.c.qid, x.c.x, y)
        .join(per_user, per_user.c.uid == x.c.uid)
        .where(per_user.c.n > 1)
        .subquery()
    )
    sums = select(
        pairs.c.qid,
        func.count(),
        func.sum(pairs.c.x),
        func.sum(pairs.c.y),
        func.sum(pairs.c.x * pairs.c.x),
        func.sum(pairs.c.y * pairs.c.y),
        func.sum(pairs.c.x * pairs.c.y),
    ).group_by(pairs.c.qid)
    disc = {
        qid: pearson(int(n), float(sx), float(sy), float(sxx), float(syy), float(sxy))
        for qid, n, sx, sy, sxx, syy, sxy in session.execute(sums)
    }

    rows = []
    ids = list(catalog.questions) + sorted(set(facility) - set(catalog.questions))
    for qid in ids:
        q = catalog.questions.get(qid)
        n, people, f = facility.get(qid, (0, 0, None))
        d = disc.get(qid)
        rows.append(
            [
                qid,
                catalog.modules[catalog.question_module(qid)].title if q else "—",
                QUESTION_TYPES.get(q.type, q.type) if q else "—",
                question_title(catalog, qid),
                n,
                people,
                None if f is None else round(f, 3),
                None if d is None else round(d, 3),
                flags(f, d, people),
            ]
        )
    return pd.DataFrame(rows, columns=ITEM_COLUMNS)


def _criteria_values(session: Session):
    if session.get_bind().dialect.name == "postgresql":
        return func.json_array_elements(Response.grade["criteria"]).table_valued("value")
    return func.json_each(Response.grade, "$.criteria").table_valued("value")


def criterion_hit_rates(
    *,
    session: Session,
    actor: User,
    catalog: Catalog,
    now: dt.datetime,
    team_id: int | None = None,
    platform: str | None = None,
    days: int = CRITERIA_DAYS,
    question_id: str | None = None,
) -> pd.DataFrame:
    """Per reply / dialog rubric criterion: how many answers in the last ``days`` days were
    graded on it and the share where it was met."""
    agents = agent_ids(actor=actor, team_id=team_id, platform=platform)
    crit = _criteria_values(session)
    value = type_coerce(crit.c.value, JSON)
    cid = value["id"].as_string()
    met = value["met"].as_boolean()
    q = (
        select(
            Response.question_id,
            Response.turn_id,
            cid,
            func.max(value["label"].as_string()),
            func.max(value["kind"].as_string()),
            func.count(),
            func.sum(case((met, 1), else_=0)),
        )
        .select_from(Response)
        .join(crit, true())
        .where(
            Response.user_id.in_(agents),
            Response.created_at >= now - dt.timedelta(days=days),
            reply_answers(session),  # the partial index: reply answers only
        )
        .group_by(Response.question_id, Response.turn_id, cid)
    )
    if question_id is not None:
        q = q.where(Response.question_id == question_id)
    rows = []
    for qid, turn, c, label, kind, n, hits in session.execute(q):
        if kind == "turn":
            continue  # a dialog's per-turn summary, not a rubric criterion
        rows.append(
            [
                qid,
                question_title(catalog, qid, turn),
                turn or "",
                c,
                label,
                CRITERION_KINDS.get(kind, kind),
                int(n),
                round(int(hits) / int(n), 3) if n else None,
            ]
        )
    df = pd.DataFrame(
        rows, columns=["题目ID", "题目", "轮次", "评分项ID", "评分项", "类别", "作答数", "命中率"]
    )
    return df.sort_values(["题目ID", "轮次", "命中率"], kind="stable").reset_index(drop=True)
