"""团队看板: one row per agent, aggregated in SQL (never every response into pandas)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from trainer.accounts import PLATFORMS
from trainer.records.models import Assignment, Certification, Response, ReviewCard, Team, User
from trainer.records.store import require_role, visible_user_ids

COLUMNS = [
    "学员",
    "用户名",
    "团队",
    "平台",
    "作答数",
    "平均得分率",
    "最近作答",
    "待复训",
    "逾期任务",
    "认证状态",
    "认证到期",
]


def team_overview(
    *,
    session: Session,
    actor: User,
    now: dt.datetime,
    team_id: int | None = None,
    platform: str | None = None,
) -> pd.DataFrame:
    """The board for ``actor`` (manager: their teams; admin: everyone)."""
    require_role(actor, "manager", "admin")
    ids = visible_user_ids(session=session, actor=actor)
    answers = (
        select(
            Response.user_id,
            func.count().label("n"),
            func.avg(
                case((Response.max_score > 0, Response.score / Response.max_score), else_=0.0)
            ).label("ratio"),
            func.max(Response.created_at).label("last"),
        )
        .group_by(Response.user_id)
        .subquery()
    )
    due = (
        select(ReviewCard.user_id, func.count().label("due"))
        .where(ReviewCard.due_at <= now)
        .group_by(ReviewCard.user_id)
        .subquery()
    )
    cert = (
        select(Certification.user_id, func.max(Certification.expires_at).label("expires"))
        .group_by(Certification.user_id)
        .subquery()
    )
    overdue = (
        select(User.id.label("user_id"), func.count(Assignment.id).label("overdue"))
        .join(
            Assignment,
            or_(
                Assignment.user_id == User.id,
                and_(Assignment.team_id == User.team_id, Assignment.team_id.is_not(None)),
            ),
        )
        .where(Assignment.done_at.is_(None), Assignment.due_at < now)
        .group_by(User.id)
        .subquery()
    )
    q = (
        select(
            User.display_name,
            User.username,
            Team.name,
            User.platform,
            answers.c.n,
            answers.c.ratio,
            answers.c.last,
            due.c.due,
            overdue.c.overdue,
            cert.c.expires,
        )
        .outerjoin(Team, Team.id == User.team_id)
        .outerjoin(answers, answers.c.user_id == User.id)
        .outerjoin(due, due.c.user_id == User.id)
        .outerjoin(overdue, overdue.c.user_id == User.id)
        .outerjoin(cert, cert.c.user_id == User.id)
        .where(User.role == "trainee", User.active.is_(True))
        .order_by(Team.name, User.display_name)
    )
    if ids is not None:
        q = q.where(User.id.in_(ids))
    if team_id is not None:
        q = q.where(User.team_id == team_id)
    if platform:
        q = q.where(User.platform == platform)
    rows = []
    for name, username, team, plat, n, ratio, last, due_n, over_n, expires in session.execute(q):
        if expires is None:
            status = "未认证"
        elif expires.replace(tzinfo=dt.UTC) if expires.tzinfo is None else expires <= now:
            status = "已过期"
        else:
            status = "有效"
        rows.append(
            [
                name,
                username,
                team or "—",
                PLATFORMS.get(plat or "", "—"),
                n or 0,
                round(float(ratio), 3) if ratio is not None else None,
                last,
                due_n or 0,
                over_n or 0,
                status,
                expires,
            ]
        )
    return pd.DataFrame(rows, columns=COLUMNS)


def weak_rules(*, session: Session, actor: User, limit: int = 10) -> list[tuple[str, int]]:
    """The rule violations the actor's agents commit most in replies: (violation id, count).
    Counted in SQL over the JSON list is dialect-specific, so the ids come from the rows that
    have any violation (a small share of all responses)."""
    require_role(actor, "manager", "admin")
    ids = visible_user_ids(session=session, actor=actor)
    q = select(Response.violation_ids).where(
        Response.passed.is_(False), func.length(Response.grade) > 0
    )
    if ids is not None:
        q = q.where(Response.user_id.in_(ids))
    counts: dict[str, int] = {}
    for (vids,) in session.execute(q):
        for v in vids or []:
            counts[v] = counts.get(v, 0) + 1
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
