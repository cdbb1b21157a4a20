"""学员详情: one agent's summary, timeline, every answer with its grade, and mastery per module
against their team.  One agent's answers are few (the newest ``limit``), so they are read as
rows; the team comparison is the board's SQL aggregate over the team."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from trainer.accounts import PLATFORMS, ROLES
from trainer.catalog import QUESTION_TYPES, Catalog
from trainer.grading import Grade
from trainer.records import store
from trainer.records.errors import NotFound
from trainer.records.models import Appeal, Attempt, Response, ScoreOverride, Team, User
from trainer.records.review import (
    OverrideView,
    is_reply_answer,
    overrides_for_response,
    pass_ratio_of,
)
from trainer.reports.assignments import ref_title
from trainer.reports.board import _overview, answer_stats, latest_overrides
from trainer.reports.scope import agent_ids, require_agent

KIND_LABELS = {
    "practice": "练习",
    "exam": "考试",
    "refresher": "复训",
    "reply": "情景回复",
    "dialog": "对话模拟",
}


def question_title(catalog: Catalog, question_id: str, turn_id: str | None = None) -> str:
    """A short human label of a question (or dialog turn); ids of removed questions stay."""
    q = catalog.questions.get(question_id)
    if q is None:
        return f"{question_id}（已从题库移除）"
    text = getattr(q, "buyer", None) if q.type == "reply" else q.prompt
    text = text or q.prompt
    if turn_id and q.type == "dialog":
        try:
            return f"{q.prompt[:24]} · {q.turn(turn_id).buyer[:24]}"
        except (KeyError, ValueError):
            return f"{q.prompt[:24]} · {turn_id}"
    return text[:48]


def response_text(resp: Response) -> str:
    """The answer as plain text (never rendered as Markdown/HTML by the pages)."""
    value = resp.response
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{k} → {v}" for k, v in value.items())
    if isinstance(value, bool):
        return "对" if value else "错"
    return "" if value is None else str(value)


@dataclass(frozen=True)
class AgentHeader:
    user_id: int
    name: str
    username: str
    team: str
    platform: str
    role: str
    active: bool
    row: dict[str, Any]  # the agent's row of the board (路径进度, 平均得分率 …)


def agent_header(
    *, session: Session, actor: User, catalog: Catalog, now: dt.datetime, user_id: int
) -> AgentHeader:
    user = require_agent(session=session, actor=actor, user_id=user_id)
    agents = agent_ids(actor=actor, user_id=user_id, include_inactive=True)
    stats = answer_stats(session=session, agents=agents, catalog=catalog, now=now)
    df = _overview(
        session=session,
        actor=actor,
        catalog=catalog,
        now=now,
        agents=agents,
        stats=stats,
        team_id=None,
        platform=None,
        user_id=user_id,
    )
    team = session.get(Team, user.team_id) if user.team_id else None
    return AgentHeader(
        user.id,
        user.display_name,
        user.username,
        team.name if team else "—",
        PLATFORMS.get(user.platform or "", "—"),
        ROLES.get(user.role, user.role),
        bool(user.active),
        df.iloc[0].to_dict() if len(df) else {},
    )


def agent_timeline(
    *, session: Session, actor: User, catalog: Catalog, user_id: int, limit: int = 300
) -> pd.DataFrame:
    """The agent's sittings (practice runs, exams, dialogs) and stand-alone answers (replies,
    refreshers), newest first."""
    require_agent(session=session, actor=actor, user_id=user_id)
    rows = []
    attempts = session.scalars(
        select(Attempt)
        .where(Attempt.user_id == user_id)
        .order_by(Attempt.started_at.desc(), Attempt.id.desc())
        .limit(limit)
    )
    counts = dict(
        session.execute(
            select(Response.attempt_id, func.count())
            .where(Response.user_id == user_id, Response.attempt_id.is_not(None))
            .group_by(Response.attempt_id)
        ).all()
    )
    for a in attempts:
        if a.kind == "exam":
            what = catalog.exams[a.ref].title if a.ref in catalog.exams else a.ref
        elif a.kind == "practice":
            what = catalog.modules[a.ref].title if a.ref in catalog.modules else a.ref
        elif a.kind in ("dialog", "reply"):
            what = question_title(catalog, a.ref)
        else:
            what = ref_title(catalog, "refresher", a.ref)
        score = a.score
        if a.kind == "dialog" and a.score is not None:
            score = None  # dialogs keep points, not a ratio; the answers table has them
        rows.append(
            {
                "开始": a.started_at,
                "结束": a.finished_at,
                "类型": KIND_LABELS.get(a.kind, a.kind),
                "内容": what,
                "题数": counts.get(a.id, 0),
                "得分率": None if score is None else round(float(score), 3),
                "结果": _passed_label(a.passed, a.finished_at),
            }
        )
    loose = session.scalars(
        select(Response)
        .where(Response.user_id == user_id, Response.attempt_id.is_(None))
        .order_by(Response.created_at.desc(), Response.id.desc())
        .limit(limit)
    )
    for r in loose:
        rows.append(
            {
                "开始": r.created_at,
                "结束": r.created_at,
                "类型": KIND_LABELS.get(r.kind, r.kind),
                "内容": question_title(catalog, r.question_id, r.turn_id),
                "题数": 1,
                "得分率": round(r.score / r.max_score, 3) if r.max_score else None,
                "结果": "通过" if r.passed else "未通过",
            }
        )
    df = pd.DataFrame(rows, columns=["开始", "结束", "类型", "内容", "题数", "得分率", "结果"])
    return df.sort_values("开始", ascending=False, kind="stable").head(limit).reset_index(drop=True)


def _passed_label(passed: bool | None, finished: dt.datetime | None) -> str:
    if finished is None:
        return "进行中"
    if passed is None:
        return "已完成"
    return "通过" if passed else "未通过"


ANSWER_COLUMNS = [
    "时间",
    "类型",
    "题型",
    "题目",
    "作答",
    "得分",
    "满分",
    "通过",
    "违规",
    "复核",
    "申诉",
    "response_id",
]


def agent_answers(
    *, session: Session, actor: User, catalog: Catalog, user_id: int, limit: int = 500
) -> pd.DataFrame:
    """Every answer (newest ``limit``) with its effective score (after any override), the
    reply text and the violations."""
    require_agent(session=session, actor=actor, user_id=user_id)
    resps = list(
        session.scalars(
            select(Response)
            .where(Response.user_id == user_id)
            .order_by(Response.created_at.desc(), Response.id.desc())
            .limit(limit)
        )
    )
    ids = [r.id for r in resps]
    lo = latest_overrides()
    overrides = {
        ov.response_id: ov
        for ov in session.scalars(
            select(ScoreOverride)
            .join(lo, lo.c.oid == ScoreOverride.id)
            .where(ScoreOverride.response_id.in_(ids))
        )
    }
    appeals = {
        a.response_id: a for a in session.scalars(select(Appeal).where(Appeal.response_id.in_(ids)))
    }
    labels = _violation_names(resps)
    rows = []
    for r in resps:
        ov = overrides.get(r.id)
        ap = appeals.get(r.id)
        qtype = (r.grade or {}).get("question_type", "")
        rows.append(
            [
                r.created_at,
                KIND_LABELS.get(r.kind, r.kind),
                QUESTION_TYPES.get(qtype, qtype),
                question_title(catalog, r.question_id, r.turn_id),
                response_text(r),
                ov.new_score if ov else r.score,
                r.max_score,
                "通过" if (ov.passed if ov else r.passed) else "未通过",
                "、".join(labels.get(v, v) for v in (r.violation_ids or [])),
                ("已改分" if abs(ov.new_score - ov.old_score) > 1e-9 else "已确认") if ov else "",
                ("已处理" if ap.resolved_at else "待复核") if ap else "",
                r.id,
            ]
        )
    return pd.DataFrame(rows, columns=ANSWER_COLUMNS)


def _violation_names(resps: list[Response]) -> dict[str, str]:
    out: dict[str, str] = {}
    for r in resps:
        for v in (r.grade or {}).get("violations", ()):
            out.setdefault(v.get("id", ""), v.get("label", ""))
    return out


@dataclass(frozen=True)
class AnswerDetail:
    response_id: int
    user_id: int
    agent: str
    question_id: str
    turn_id: str | None
    title: str
    prompt: str
    buyer: str  # what the buyer said (reply / dialog turn), '' otherwise
    text: str  # the answer as text
    grade: Grade
    score: float  # effective (after overrides)
    passed: bool
    created_at: dt.datetime
    is_reply: bool
    pass_ratio: float
    history: list[OverrideView]
    appeal: Appeal | None

    def criteria_table(self) -> pd.DataFrame:
        rows = [
            {
                "评分项": c.label,
                "类别": CRITERION_KINDS.get(c.kind, c.kind),
                "得分": c.points,
                "满分": c.max_points,
                "达成": "是" if c.met else "否",
                "说明": c.message,
            }
            for c in self.grade.criteria
        ]
        return pd.DataFrame(rows, columns=["评分项", "类别", "得分", "满分", "达成", "说明"])

    def violations_table(self) -> pd.DataFrame:
        rows = [
            {
                "违规": v.label,
                "依据": v.rule,
                "后果": v.penalty,
                "原话": "、".join(s.text for s in v.spans),
            }
            for v in self.grade.violations
        ]
        return pd.DataFrame(rows, columns=["违规", "依据", "后果", "原话"])


CRITERION_KINDS = {
    "option": "答案",
    "step": "步骤",
    "pair": "配对",
    "concept": "要点",
    "structure": "礼貌结构",
    "forbidden": "禁忌用语",
    "length": "长度",
    "turn": "对话轮次",
}


def answer_detail(
    *, session: Session, actor: User, catalog: Catalog, response_id: int
) -> AnswerDetail:
    """One answer in full, with its review history and appeal."""
    resp = session.get(Response, response_id)
    if resp is None:
        raise NotFound("找不到这条作答")
    user = require_agent(session=session, actor=actor, user_id=resp.user_id)
    score, passed = store.effective_score(session=session, response=resp)
    q = catalog.questions.get(resp.question_id)
    buyer = ""
    if q is not None and q.type == "reply":
        buyer = q.buyer
    elif q is not None and q.type == "dialog" and resp.turn_id:
        try:
            buyer = q.turn(resp.turn_id).buyer
        except (KeyError, ValueError):
            buyer = ""
    appeal = session.scalars(select(Appeal).where(Appeal.response_id == resp.id)).first()
    return AnswerDetail(
        resp.id,
        resp.user_id,
        user.display_name,
        resp.question_id,
        resp.turn_id,
        question_title(catalog, resp.question_id, resp.turn_id),
        q.prompt if q is not None else resp.question_id,
        buyer,
        response_text(resp),
        Grade.from_dict(resp.grade),
        score,
        passed,
        resp.created_at,
        is_reply_answer(resp),
        pass_ratio_of(resp),
        overrides_for_response(session=session, actor=actor, response_id=resp.id),
        appeal,
    )


def mastery_vs_team(
    *, session: Session, actor: User, catalog: Catalog, now: dt.datetime, user_id: int
) -> pd.DataFrame:
    """Per module: the agent's mastery and the mean mastery of their team (agents with
    answers in that module, as far as the actor may see them)."""
    user = require_agent(session=session, actor=actor, user_id=user_id)
    team_agents = (
        agent_ids(actor=actor, team_id=user.team_id)
        if user.team_id
        else agent_ids(actor=actor, user_id=user_id)
    )
    stats = answer_stats(session=session, agents=team_agents, catalog=catalog, now=now)
    mine = stats.get(user_id)
    rows = []
    for mid, module in catalog.modules.items():
        vals = [m for a in stats.values() if (m := a.mastery(mid)) is not None]
        own = mine.mastery(mid) if mine else None
        rows.append(
            {
                "模块": module.title,
                "学员": None if own is None else round(own, 3),
                "团队平均": round(sum(vals) / len(vals), 3) if vals else None,
                "团队人数": len(vals),
            }
        )
    return pd.DataFrame(rows, columns=["模块", "学员", "团队平均", "团队人数"])
