"""Appeals and the review queue (待复核): a human look at free-text scores.

A reply (or dialog turn) answer needs a manager's look when its score is close to the pass mark
or when the trainee appealed it from their result page.  The manager either confirms the score
or overrides it with a reason.  Both are kept as rows of ``score_overrides`` (who, when, old
and new score, why): a confirmation is an override whose new score equals the old one, so
"reviewed" simply means "has an override row", and the trainee's history shows both.

Every function takes the session keyword-only; the caller owns one short transaction per user
action.  Errors are :mod:`trainer.records.errors` with Chinese messages.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import exists, func, literal, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from trainer.records import store
from trainer.records.errors import Duplicate, Forbidden, NotFound, ValidationFailed
from trainer.records.models import Appeal, ManagedTeam, Response, ScoreOverride, Team, User

REPLY_TYPES = ("reply", "dialog")
DEFAULT_PASS_RATIO = 0.6
APPEAL_DAYS = 30
REASON_MAX = 500
QUEUE_DAYS = 30
OUTCOME_KEPT, OUTCOME_CHANGED = "维持原分", "已改分"
CONFIRM_REASON = "复核确认：维持原分"


def reply_answers(session: Session):
    """SQL: the answer is a reply or dialog answer — spelled exactly as the partial index
    ``ix_responses_replies`` (migration 0002) so the database reads only those answers."""
    if session.get_bind().dialect.name == "postgresql":
        return text("(responses.grade ->> 'question_type') IN ('reply', 'dialog')")
    return text("json_extract(responses.grade, '$.question_type') IN ('reply', 'dialog')")


def _pass_ratio():
    """The rubric's pass ratio stored with the grade (reply grades carry it in ``extra``)."""
    return func.coalesce(Response.grade[("extra", "pass_ratio")].as_float(), DEFAULT_PASS_RATIO)


def is_reply_answer(resp: Response) -> bool:
    return (resp.grade or {}).get("question_type") in REPLY_TYPES


def pass_ratio_of(resp: Response) -> float:
    return float((resp.grade or {}).get("extra", {}).get("pass_ratio") or DEFAULT_PASS_RATIO)


def _reviewers_agents(actor: User):
    """Subquery of the trainees a reviewer may review (manager: their teams; admin: all)."""
    store.require_role(actor, "manager", "admin")
    q = select(User.id).where(User.role == "trainee")
    if actor.role == "manager":
        q = q.where(
            User.team_id.in_(select(ManagedTeam.team_id).where(ManagedTeam.manager_id == actor.id))
        )
    return q


def _reply_response(session: Session, response_id: int, actor: User | None = None) -> Response:
    resp = session.get(Response, response_id)
    if resp is None:
        raise NotFound("找不到这条作答")
    if actor is not None and resp.user_id == actor.id:
        raise Forbidden("不能复核自己的作答")
    if not is_reply_answer(resp):
        raise ValidationFailed("只有情景回复和对话模拟的作答可以申诉或人工复核")
    return resp


def _check_reason(reason: str, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(f"请写明{what}")
    if len(reason) > REASON_MAX:
        raise ValidationFailed(f"{what}请控制在 {REASON_MAX} 字以内（现在 {len(reason)} 字）")
    return reason


# ---------------------------------------------------------------- trainee side


def appeal_response(
    *, session: Session, actor: User, response_id: int, reason: str, now: dt.datetime
) -> Appeal:
    """A trainee appeals the score of their own reply / dialog answer (申诉).

    Rules: only the answer's owner may appeal; only reply and dialog answers; within
    :data:`APPEAL_DAYS` days of answering; a reason of 1–500 characters; one appeal per answer
    (a second call raises :class:`Duplicate`, so a double click never files two).  The appeal
    puts the answer in the manager's 待复核 queue until it is confirmed or overridden.

    Raises :class:`NotFound`, :class:`Forbidden`, :class:`ValidationFailed`,
    :class:`Duplicate` — all with Chinese messages for ``st.error(str(exc))``.
    """
    resp = session.get(Response, response_id)
    if resp is None:
        raise NotFound("找不到这条作答")
    if resp.user_id != actor.id:
        raise Forbidden("只能对自己的作答提出申诉")
    if not is_reply_answer(resp):
        raise ValidationFailed("只有情景回复和对话模拟的作答可以申诉")
    if now - resp.created_at > dt.timedelta(days=APPEAL_DAYS):
        raise ValidationFailed(f"只能对 {APPEAL_DAYS} 天内的作答提出申诉")
    text = _check_reason(reason, "申诉理由")
    existing = session.scalars(select(Appeal).where(Appeal.response_id == response_id)).first()
    if existing is not None:
        if existing.resolved_at is None:
            raise Duplicate("这条作答已经申诉过了，正在等待主管复核")
        raise Duplicate("这条作答的申诉已经处理过了，复核结果见下方记录")
    appeal = Appeal(response_id=response_id, user_id=actor.id, reason=text, created_at=now)
    try:
        with session.begin_nested():
            session.add(appeal)
            session.flush()
    except IntegrityError:  # the same appeal sent twice at once
        raise Duplicate("这条作答已经申诉过了，正在等待主管复核") from None
    return appeal


@dataclass(frozen=True)
class OverrideView:
    """One review of an answer, as the trainee and the manager see it."""

    id: int
    response_id: int
    question_id: str
    turn_id: str | None
    reviewer: str  # display name of the manager
    at: dt.datetime
    old_score: float
    new_score: float
    max_score: float
    passed: bool
    reason: str

    @property
    def changed(self) -> bool:
        return abs(self.new_score - self.old_score) > 1e-9

    @property
    def outcome(self) -> str:
        return OUTCOME_CHANGED if self.changed else OUTCOME_KEPT


def _override_views(session: Session, where) -> list[OverrideView]:
    reviewer = aliased(User)
    q = (
        select(
            ScoreOverride,
            Response.question_id,
            Response.turn_id,
            Response.max_score,
            reviewer.display_name,
        )
        .join(Response, Response.id == ScoreOverride.response_id)
        .join(reviewer, reviewer.id == ScoreOverride.reviewer_id)
        .where(where)
        .order_by(ScoreOverride.created_at.desc(), ScoreOverride.id.desc())
    )
    return [
        OverrideView(
            ov.id,
            ov.response_id,
            qid,
            turn,
            name,
            ov.created_at,
            ov.old_score,
            ov.new_score,
            mx,
            ov.passed,
            ov.reason,
        )
        for ov, qid, turn, mx, name in session.execute(q)
    ]


def overrides_for_user(*, session: Session, actor: User, user_id: int) -> list[OverrideView]:
    """Every review of ``user_id``'s answers, newest first: who, when, old → new, why.

    The trainee calls it for themselves (``actor.id == user_id``) from their result page; a
    manager or admin for an agent they may see.  Anyone else gets :class:`Forbidden`."""
    store.require_visible(session=session, actor=actor, user_id=user_id)
    return _override_views(session, Response.user_id == user_id)


def overrides_for_response(
    *, session: Session, actor: User, response_id: int
) -> list[OverrideView]:
    """The review history of one answer (owner, or a manager/admin who may see the owner)."""
    resp = session.get(Response, response_id)
    if resp is None:
        raise NotFound("找不到这条作答")
    store.require_visible(session=session, actor=actor, user_id=resp.user_id)
    return _override_views(session, ScoreOverride.response_id == response_id)


def appeals_for_user(*, session: Session, actor: User, user_id: int) -> dict[int, Appeal]:
    """response id → the appeal on it, for ``user_id`` (themselves or a manager who sees them)."""
    store.require_visible(session=session, actor=actor, user_id=user_id)
    return {
        a.response_id: a for a in session.scalars(select(Appeal).where(Appeal.user_id == user_id))
    }


# ---------------------------------------------------------------- manager side


@dataclass(frozen=True)
class QueueItem:
    response_id: int
    user_id: int
    agent: str  # display name (user text: show as text)
    username: str
    team: str
    question_id: str
    turn_id: str | None
    kind: str
    created_at: dt.datetime
    score: float
    max_score: float
    passed: bool
    pass_ratio: float
    appeal_reason: str | None
    appealed_at: dt.datetime | None

    @property
    def ratio(self) -> float:
        return self.score / self.max_score if self.max_score else 0.0

    @property
    def why(self) -> str:
        if self.appeal_reason is not None:
            return "学员申诉"
        return "接近及格线"


def review_queue(
    *,
    session: Session,
    actor: User,
    now: dt.datetime,
    margin: float = 0.1,
    days: int = QUEUE_DAYS,
    limit: int = 200,
    team_id: int | None = None,
) -> list[QueueItem]:
    """Reply / dialog answers of the actor's agents that need a human look and have none yet:

    - appealed by the trainee and the appeal not resolved (any age), or
    - within ±``margin`` of their rubric's pass mark (score / max vs ``pass_ratio``), answered
      in the last ``days`` days, and never reviewed (no ``score_overrides`` row).

    Answers at 0 or full marks are never "close" (a cheap filter before the JSON is read).
    Appeals come first, oldest first; then the close calls, newest first.  Manager: their
    teams' trainees; admin: everyone; anyone else :class:`Forbidden`.  ``team_id`` narrows
    to one team (within what the actor may see)."""
    if not 0 <= margin <= 1:
        raise ValidationFailed("复核范围应在 0 到 1 之间")
    agents = _reviewers_agents(actor)
    if team_id is not None:
        agents = agents.where(User.team_id == team_id)
    R = Response
    who = (User.display_name, User.username, Team.name)
    appealed = (
        select(R, *who, Appeal.reason, Appeal.created_at)
        .join(Appeal, Appeal.response_id == R.id)
        .join(User, User.id == R.user_id)
        .outerjoin(Team, Team.id == User.team_id)
        .where(Appeal.resolved_at.is_(None), R.user_id.in_(agents))
        .order_by(Appeal.created_at, Appeal.id)
        .limit(limit)
    )
    close = (
        select(R, *who, literal(None).label("reason"), literal(None).label("appealed_at"))
        .join(User, User.id == R.user_id)
        .outerjoin(Team, Team.id == User.team_id)
        .where(
            R.user_id.in_(agents),
            R.created_at >= now - dt.timedelta(days=days),
            reply_answers(session),  # the partial index: reply answers only
            R.max_score > 0,
            R.score > 0,
            R.score < R.max_score,
            func.abs(R.score / R.max_score - _pass_ratio()) <= margin + 1e-9,
            ~exists().where(ScoreOverride.response_id == R.id),
            ~exists().where(Appeal.response_id == R.id),
        )
        .order_by(R.created_at.desc(), R.id.desc())
        .limit(limit)
    )
    rows = [*session.execute(appealed), *session.execute(close)][:limit]
    items = []
    for resp, name, username, team, reason, appealed_at in rows:
        score, passed = store.effective_score(session=session, response=resp)
        items.append(
            QueueItem(
                resp.id,
                resp.user_id,
                name,
                username,
                team or "—",
                resp.question_id,
                resp.turn_id,
                resp.kind,
                resp.created_at,
                score,
                resp.max_score,
                passed,
                pass_ratio_of(resp),
                reason,
                appealed_at,
            )
        )
    return items


def _resolve_appeal(
    session: Session, actor: User, response_id: int, outcome: str, now: dt.datetime
) -> None:
    appeal = session.scalars(
        select(Appeal).where(Appeal.response_id == response_id, Appeal.resolved_at.is_(None))
    ).first()
    if appeal is not None:
        appeal.resolved_at, appeal.resolved_by, appeal.outcome = now, actor.id, outcome


def confirm_score(
    *, session: Session, actor: User, response_id: int, now: dt.datetime, note: str = ""
) -> ScoreOverride:
    """The manager keeps the score as it is: recorded as an override with the same score and
    pass state (reason: ``note`` or 复核确认：维持原分), and any open appeal is resolved."""
    store.require_role(actor, "manager", "admin")
    resp = _reply_response(session, response_id, actor)
    store.require_visible(session=session, actor=actor, user_id=resp.user_id)
    score, passed = store.effective_score(session=session, response=resp)
    reason = (note or "").strip() or CONFIRM_REASON
    if len(reason) > REASON_MAX:
        raise ValidationFailed(f"说明请控制在 {REASON_MAX} 字以内")
    ov = ScoreOverride(
        response_id=resp.id,
        reviewer_id=actor.id,
        old_score=score,
        new_score=score,
        passed=passed,
        reason=reason,
        created_at=now,
    )
    session.add(ov)
    _resolve_appeal(session, actor, resp.id, OUTCOME_KEPT, now)
    session.flush()
    return ov


def override_score(
    *,
    session: Session,
    actor: User,
    response_id: int,
    new_score: float,
    reason: str,
    now: dt.datetime,
) -> ScoreOverride:
    """The manager changes the score of a reply / dialog answer, with a reason (required).
    Kept in full (who, when, old → new, why) by :func:`trainer.records.store.override_score`;
    passed = new score ≥ the rubric's pass mark.  Resolves any open appeal as 已改分 (or 维持原分
    when the new score equals the old one)."""
    store.require_role(actor, "manager", "admin")
    resp = _reply_response(session, response_id, actor)
    text = _check_reason(reason, "改分原因")
    ov = store.override_score(
        session=session,
        actor=actor,
        response_id=response_id,
        new_score=float(new_score),
        reason=text,
        now=now,
    )
    outcome = OUTCOME_CHANGED if abs(ov.new_score - ov.old_score) > 1e-9 else OUTCOME_KEPT
    _resolve_appeal(session, actor, resp.id, outcome, now)
    session.flush()
    return ov


def open_appeal_count(*, session: Session, actor: User) -> int:
    """Unresolved appeals of the actor's agents (for a badge on the navigation)."""
    agents = _reviewers_agents(actor)
    return (
        session.scalar(
            select(func.count())
            .select_from(Appeal)
            .where(Appeal.resolved_at.is_(None), Appeal.user_id.in_(agents))
        )
        or 0
    )
