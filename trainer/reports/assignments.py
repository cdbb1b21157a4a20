"""分配: what each agent was given (a path or a refresher set, to them or to their team), and
whether it is done, in progress or overdue.

Completion is read from the records, so nobody has to tick anything off:

- a **path** is done when the agent holds a valid certification of the path's exam, or the
  assignment was marked done;
- a **refresher set** is done when, since it was assigned, the agent answered at least
  ``min(set size, 10)`` refresher questions, or answered some and has none due any more.

Overdue = not done and past its due date.  One row per (assignment, agent): a team assignment
fans out to every active agent of the team.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from trainer.catalog import Catalog
from trainer.learning import certification_status
from trainer.records.models import Assignment, Response, ReviewCard, Team, User
from trainer.reports.rules import latest_certifications
from trainer.reports.scope import agent_ids

DONE, OPEN, OVERDUE = "已完成", "进行中", "已逾期"
KIND_LABELS = {"path": "学习路径", "refresher": "复训题组"}
REFRESHER_ENOUGH = 10

COLUMNS = [
    "任务ID",
    "类型",
    "内容",
    "对象",
    "学员",
    "用户名",
    "团队",
    "截止",
    "布置人",
    "布置时间",
    "状态",
    "user_id",
]


def ref_title(catalog: Catalog, kind: str, ref: str) -> str:
    if kind == "path" and ref in catalog.paths:
        return catalog.paths[ref].title
    if kind == "refresher" and ref in catalog.refreshers:
        return catalog.refreshers[ref].title
    return f"{ref}（内容中已不存在）"


def assignment_status(
    *,
    session: Session,
    actor: User,
    catalog: Catalog,
    now: dt.datetime,
    team_id: int | None = None,
    platform: str | None = None,
    user_id: int | None = None,
) -> pd.DataFrame:
    """One row per (assignment, agent) the actor may see, with 状态 已完成/进行中/已逾期,
    overdue first, then by due date."""
    agents = agent_ids(actor=actor, team_id=team_id, platform=platform, user_id=user_id)
    agent = aliased(User)
    by = aliased(User)
    target_team = aliased(Team)
    pairs = (
        select(
            Assignment.id,
            Assignment.kind,
            Assignment.ref,
            Assignment.team_id,
            Assignment.due_at,
            Assignment.created_at,
            Assignment.done_at,
            agent.id.label("uid"),
            agent.display_name,
            agent.username,
            Team.name.label("team"),
            target_team.name.label("target_team"),
            by.display_name.label("by"),
        )
        .join(
            agent,
            or_(
                Assignment.user_id == agent.id,
                and_(Assignment.team_id.is_not(None), Assignment.team_id == agent.team_id),
            ),
        )
        .outerjoin(Team, Team.id == agent.team_id)
        .outerjoin(target_team, target_team.id == Assignment.team_id)
        .join(by, by.id == Assignment.assigned_by)
        .where(agent.id.in_(agents))
    )
    rows = session.execute(pairs).all()
    if not rows:
        return pd.DataFrame(columns=COLUMNS)

    # refresher sets: answers since assigned, and cards due now (two aggregates in SQL)
    ref_ids = [r.id for r in rows if r.kind == "refresher" and r.done_at is None]
    answered: dict[tuple[int, int], int] = {}
    due_now: dict[int, int] = {}
    if ref_ids:
        a = aliased(Assignment)
        counted = (
            select(a.id, Response.user_id, func.count(Response.id))
            .join(
                Response,
                and_(
                    Response.kind == "refresher",
                    Response.created_at >= a.created_at,
                    or_(
                        Response.user_id == a.user_id,
                        and_(
                            a.team_id.is_not(None),
                            Response.user_id.in_(select(User.id).where(User.team_id == a.team_id)),
                        ),
                    ),
                ),
            )
            .where(a.id.in_(ref_ids), Response.user_id.in_(agents))
            .group_by(a.id, Response.user_id)
        )
        answered = {(aid, uid): n for aid, uid, n in session.execute(counted)}
        due_q = (
            select(ReviewCard.user_id, func.count())
            .where(ReviewCard.user_id.in_(agents), ReviewCard.due_at <= now)
            .group_by(ReviewCard.user_id)
        )
        due_now = dict(session.execute(due_q).all())
    certs = {}
    if any(r.kind == "path" for r in rows):
        certs = latest_certifications(session=session, agents=agents)

    out = []
    for r in rows:
        if r.done_at is not None:
            status = DONE
        elif r.kind == "path":
            path = catalog.paths.get(r.ref)
            cert = certs.get(r.uid)
            ok = (
                path is not None
                and cert is not None
                and cert.exam_id == path.exam
                and certification_status(cert, now) in ("有效", "即将到期")
            )
            status = DONE if ok else None
        else:
            size = catalog.refreshers[r.ref].count if r.ref in catalog.refreshers else 10
            n = answered.get((r.id, r.uid), 0)
            enough = n >= min(size, REFRESHER_ENOUGH) or (n > 0 and not due_now.get(r.uid))
            status = DONE if enough else None
        if status is None:
            status = OVERDUE if r.due_at < now else OPEN
        out.append(
            [
                r.id,
                KIND_LABELS.get(r.kind, r.kind),
                ref_title(catalog, r.kind, r.ref),
                f"团队：{r.target_team}" if r.team_id is not None else "个人",
                r.display_name,
                r.username,
                r.team or "—",
                r.due_at,
                r.by,
                r.created_at,
                status,
                r.uid,
            ]
        )
    df = pd.DataFrame(out, columns=COLUMNS)
    order = df["状态"].map({OVERDUE: 0, OPEN: 1, DONE: 2})
    return (
        df.assign(_o=order)
        .sort_values(["_o", "截止", "学员"], kind="stable")
        .drop(columns="_o")
        .reset_index(drop=True)
    )


def overdue_counts(df: pd.DataFrame) -> dict[int, int]:
    """user id → number of overdue assignments, from :func:`assignment_status`."""
    if df.empty:
        return {}
    return df[df["状态"] == OVERDUE].groupby("user_id").size().astype(int).to_dict()
