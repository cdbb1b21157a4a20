"""Reading and writing progress.  Every function takes the session keyword-only; the caller
owns one short transaction per user action (``with transaction(engine) as s: …``).

Access control lives here, not only in the pages: functions that read or change another
user's data take the acting user and check :func:`can_see`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from trainer.grading.result import Grade
from trainer.records.errors import DeadlinePassed, Forbidden, NotFound, ValidationFailed
from trainer.records.models import (
    Assignment,
    Attempt,
    Certification,
    LessonProgress,
    ManagedTeam,
    Response,
    ReviewCard,
    RuleVersionRaise,
    ScoreOverride,
    User,
)

KINDS = ("practice", "exam", "refresher", "reply", "dialog")


def new_submission_id() -> str:
    """An id generated when a question is shown; submitting twice with it records once."""
    return uuid.uuid4().hex


# ---------------------------------------------------------------- access control


def visible_user_ids(*, session: Session, actor: User) -> set[int] | None:
    """Ids of the users ``actor`` may see: None means everyone (admin)."""
    if actor.role == "admin":
        return None
    if actor.role == "manager":
        teams = select(ManagedTeam.team_id).where(ManagedTeam.manager_id == actor.id)
        ids = set(session.scalars(select(User.id).where(User.team_id.in_(teams))))
        return ids | {actor.id}
    return {actor.id}


def can_see(*, session: Session, actor: User, user_id: int) -> bool:
    ids = visible_user_ids(session=session, actor=actor)
    return ids is None or user_id in ids


def require_visible(*, session: Session, actor: User, user_id: int) -> None:
    if not can_see(session=session, actor=actor, user_id=user_id):
        raise Forbidden("没有权限查看或修改这位学员的数据")


def require_role(actor: User, *roles: str) -> None:
    if actor.role not in roles:
        raise Forbidden("当前账号没有这个操作的权限")


# ---------------------------------------------------------------- lessons


def mark_lesson_learned(
    *, session: Session, user_id: int, lesson_id: str, rule_version: int, now: dt.datetime
) -> None:
    row = session.get(LessonProgress, (user_id, lesson_id))
    if row is None:
        session.add(
            LessonProgress(
                user_id=user_id, lesson_id=lesson_id, rule_version=rule_version, learned_at=now
            )
        )
    elif row.rule_version < rule_version:
        row.rule_version, row.learned_at = rule_version, now


def learned_lessons(*, session: Session, user_id: int) -> dict[str, int]:
    """lesson id → rule version learned."""
    rows = session.execute(
        select(LessonProgress.lesson_id, LessonProgress.rule_version).where(
            LessonProgress.user_id == user_id
        )
    )
    return dict(rows.all())


# ---------------------------------------------------------------- attempts


def start_attempt(
    *,
    session: Session,
    user_id: int,
    kind: str,
    ref: str,
    now: dt.datetime,
    question_ids: Iterable[str] = (),
    paper: dict | None = None,
    seed: int | None = None,
    time_limit: dt.timedelta | None = None,
) -> Attempt:
    if kind not in KINDS:
        raise ValidationFailed(f"未知的作答类型：{kind}")
    att = Attempt(
        user_id=user_id,
        kind=kind,
        ref=ref,
        question_ids=list(question_ids),
        paper=paper,
        seed=seed,
        started_at=now,
        deadline_at=now + time_limit if time_limit else None,
    )
    session.add(att)
    session.flush()
    return att


def get_open_attempt(
    *, session: Session, user_id: int, kind: str, ref: str | None = None
) -> Attempt | None:
    """The latest unfinished attempt (resume after a refresh, a new login or a restart)."""
    q = select(Attempt).where(
        Attempt.user_id == user_id, Attempt.kind == kind, Attempt.finished_at.is_(None)
    )
    if ref is not None:
        q = q.where(Attempt.ref == ref)
    return session.scalars(q.order_by(Attempt.id.desc()).limit(1)).first()


def finished_attempts(
    *, session: Session, user_id: int, kind: str, limit: int = 200
) -> list[Attempt]:
    """The user's finished attempts of ``kind``, newest first."""
    return list(
        session.scalars(
            select(Attempt)
            .where(
                Attempt.user_id == user_id,
                Attempt.kind == kind,
                Attempt.finished_at.is_not(None),
            )
            .order_by(Attempt.id.desc())
            .limit(limit)
        )
    )


def update_attempt_paper(*, session: Session, attempt_id: int, paper: dict) -> None:
    att = session.get(Attempt, attempt_id)
    if att is None:
        raise NotFound("找不到这次作答")
    att.paper = paper


def finish_attempt(
    *, session: Session, attempt_id: int, now: dt.datetime, score: float | None, passed: bool | None
) -> Attempt:
    att = session.get(Attempt, attempt_id)
    if att is None:
        raise NotFound("找不到这次作答")
    if att.finished_at is None:
        att.finished_at, att.score, att.passed = now, score, passed
    return att


def attempt_responses(*, session: Session, attempt_id: int) -> list[Response]:
    return list(
        session.scalars(
            select(Response).where(Response.attempt_id == attempt_id).order_by(Response.id)
        )
    )


# ---------------------------------------------------------------- responses


def store_response(
    *,
    session: Session,
    submission_id: str,
    user_id: int,
    question_id: str,
    kind: str,
    response: Any,
    grade: Grade,
    content_version: str,
    rule_version: int,
    now: dt.datetime,
    attempt_id: int | None = None,
    turn_id: str | None = None,
    response_ms: int | None = None,
) -> tuple[Response, bool]:
    """Store one answer with its grade.  Idempotent on ``submission_id``: a double click, a
    rerun or a resent form returns the row already stored instead of adding another.
    Also says whether this call stored the row (False: stored before)."""
    if attempt_id is not None:
        att = session.get(Attempt, attempt_id)
        if att is None:
            raise NotFound("找不到这次作答")
        if att.deadline_at is not None and now > att.deadline_at:
            raise DeadlinePassed("考试时间已到，这道题的答案没有被接收")
    values = {
        "submission_id": submission_id,
        "attempt_id": attempt_id,
        "user_id": user_id,
        "question_id": question_id,
        "turn_id": turn_id,
        "kind": kind,
        "response": response,
        "grade": grade.to_dict(),
        "score": grade.score,
        "max_score": grade.max_score,
        "passed": grade.passed,
        "violation_ids": [v.id for v in grade.violations],
        "grader_version": grade.grader_version,
        "content_version": content_version,
        "rule_version": rule_version,
        "response_ms": response_ms,
        "created_at": now,
    }
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = (
        insert(Response)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["submission_id"])
        .returning(Response.id)
    )
    created = session.execute(stmt).scalar() is not None
    row = session.scalars(select(Response).where(Response.submission_id == submission_id)).one()
    return row, created


def record_response(**kwargs: Any) -> Response:
    """:func:`store_response` without the "stored now" flag."""
    return store_response(**kwargs)[0]


def effective_score(*, session: Session, response: Response) -> tuple[float, bool]:
    """(score, passed) with the latest manager override applied."""
    ov = session.scalars(
        select(ScoreOverride)
        .where(ScoreOverride.response_id == response.id)
        .order_by(ScoreOverride.id.desc())
        .limit(1)
    ).first()
    return (ov.new_score, ov.passed) if ov else (response.score, response.passed)


def responses_for_user(
    *, session: Session, actor: User, user_id: int, limit: int = 500
) -> list[Response]:
    require_visible(session=session, actor=actor, user_id=user_id)
    return list(
        session.scalars(
            select(Response)
            .where(Response.user_id == user_id)
            .order_by(Response.created_at.desc(), Response.id.desc())
            .limit(limit)
        )
    )


def _not_in_open_exam(user_id: int):
    """Exclude answers of an exam still in progress: no feedback before it is handed in."""
    open_exams = select(Attempt.id).where(
        Attempt.user_id == user_id, Attempt.kind == "exam", Attempt.finished_at.is_(None)
    )
    return or_(Response.attempt_id.is_(None), Response.attempt_id.not_in(open_exams))


def latest_by_question(*, session: Session, user_id: int) -> dict[str, Response]:
    """The latest answer of ``user_id`` to each question (dialog turns excluded)."""
    latest = (
        select(func.max(Response.id).label("id"))
        .where(Response.user_id == user_id, Response.turn_id.is_(None), _not_in_open_exam(user_id))
        .group_by(Response.question_id)
        .subquery()
    )
    rows = session.scalars(select(Response).join(latest, Response.id == latest.c.id))
    return {r.question_id: r for r in rows}


def wrong_answers(*, session: Session, user_id: int) -> list[Response]:
    """Questions whose latest answer did not pass (错题本), newest first."""
    rows = [
        r
        for r in latest_by_question(session=session, user_id=user_id).values()
        if not effective_score(session=session, response=r)[1]
    ]
    return sorted(rows, key=lambda r: r.id, reverse=True)


def latest_results(*, session: Session, user_id: int) -> dict[str, tuple[bool, int]]:
    """question id → (passed, response id) of the latest answer of ``user_id`` to each
    question (dialog turns excluded), a manager's latest override taking precedence.  Two
    queries, whatever the number of answers."""
    latest = (
        select(func.max(Response.id).label("id"))
        .where(Response.user_id == user_id, Response.turn_id.is_(None), _not_in_open_exam(user_id))
        .group_by(Response.question_id)
        .subquery()
    )
    rows = session.execute(
        select(Response.question_id, Response.id, Response.passed).join(
            latest, Response.id == latest.c.id
        )
    ).all()
    out = {qid: (bool(passed), rid) for qid, rid, passed in rows}
    if out:
        last_ov = (
            select(func.max(ScoreOverride.id).label("id"))
            .join(Response, Response.id == ScoreOverride.response_id)
            .where(Response.user_id == user_id)
            .group_by(ScoreOverride.response_id)
            .subquery()
        )
        by_id = {rid: qid for qid, (_, rid) in out.items()}
        for rid, passed in session.execute(
            select(ScoreOverride.response_id, ScoreOverride.passed).join(
                last_ov, ScoreOverride.id == last_ov.c.id
            )
        ):
            if rid in by_id:
                out[by_id[rid]] = (bool(passed), rid)
    return out


def practice_ratios(
    *, session: Session, user_id: int, module_of: dict[str, str]
) -> dict[str, float]:
    """module id → share of the module's questions whose latest answer passed, over the
    questions answered (what the path needs to know)."""
    per: dict[str, list[bool]] = {}
    for qid, r in latest_by_question(session=session, user_id=user_id).items():
        if qid in module_of:
            per.setdefault(module_of[qid], []).append(r.passed)
    return {m: sum(v) / len(v) for m, v in per.items()}


def override_score(
    *,
    session: Session,
    actor: User,
    response_id: int,
    new_score: float,
    reason: str,
    now: dt.datetime,
) -> ScoreOverride:
    require_role(actor, "manager", "admin")
    resp = session.get(Response, response_id)
    if resp is None:
        raise NotFound("找不到这条作答")
    require_visible(session=session, actor=actor, user_id=resp.user_id)
    if not reason.strip():
        raise ValidationFailed("请写明改分原因")
    if not 0 <= new_score <= resp.max_score:
        raise ValidationFailed(f"分数应在 0 到 {resp.max_score:g} 之间")
    old, _ = effective_score(session=session, response=resp)
    ratio = resp.grade.get("extra", {}).get("pass_ratio") or 0.6
    ov = ScoreOverride(
        response_id=resp.id,
        reviewer_id=actor.id,
        old_score=old,
        new_score=new_score,
        passed=new_score >= ratio * resp.max_score,
        reason=reason.strip(),
        created_at=now,
    )
    session.add(ov)
    session.flush()
    return ov


def overrides_for(*, session: Session, response_id: int) -> list[ScoreOverride]:
    return list(
        session.scalars(
            select(ScoreOverride)
            .where(ScoreOverride.response_id == response_id)
            .order_by(ScoreOverride.id)
        )
    )


# ---------------------------------------------------------------- certifications


def issue_certification(
    *,
    session: Session,
    user_id: int,
    exam_id: str,
    ratio: float,
    issued_at: dt.datetime,
    expires_at: dt.datetime,
    rule_versions: dict[str, int],
    attempt_id: int | None = None,
) -> Certification:
    cert = Certification(
        user_id=user_id,
        exam_id=exam_id,
        ratio=ratio,
        issued_at=issued_at,
        expires_at=expires_at,
        rule_versions=rule_versions,
        attempt_id=attempt_id,
    )
    session.add(cert)
    session.flush()
    return cert


def latest_certification(
    *, session: Session, user_id: int, exam_id: str | None = None
) -> Certification | None:
    q = select(Certification).where(Certification.user_id == user_id)
    if exam_id:
        q = q.where(Certification.exam_id == exam_id)
    return session.scalars(q.order_by(Certification.issued_at.desc()).limit(1)).first()


# ---------------------------------------------------------------- assignments


def assign(
    *,
    session: Session,
    actor: User,
    kind: str,
    ref: str,
    due_at: dt.datetime,
    now: dt.datetime,
    user_id: int | None = None,
    team_id: int | None = None,
) -> Assignment:
    require_role(actor, "manager", "admin")
    if (user_id is None) == (team_id is None):
        raise ValidationFailed("请指定一位学员或一个团队")
    if kind not in ("path", "refresher"):
        raise ValidationFailed("只能分配学习路径或复训题组")
    if user_id is not None:
        require_visible(session=session, actor=actor, user_id=user_id)
    elif actor.role == "manager":
        mine = set(
            session.scalars(select(ManagedTeam.team_id).where(ManagedTeam.manager_id == actor.id))
        )
        if team_id not in mine:
            raise Forbidden("只能给自己管理的团队分配任务")
    a = Assignment(
        kind=kind,
        ref=ref,
        user_id=user_id,
        team_id=team_id,
        due_at=due_at,
        assigned_by=actor.id,
        created_at=now,
    )
    session.add(a)
    session.flush()
    return a


def assignments_for_user(*, session: Session, user: User) -> list[Assignment]:
    cond = Assignment.user_id == user.id
    if user.team_id is not None:
        cond = or_(cond, Assignment.team_id == user.team_id)
    return list(session.scalars(select(Assignment).where(cond).order_by(Assignment.due_at)))


def complete_assignment(*, session: Session, assignment_id: int, now: dt.datetime) -> None:
    a = session.get(Assignment, assignment_id)
    if a is not None and a.done_at is None:
        a.done_at = now


def overdue_assignments(*, session: Session, now: dt.datetime) -> list[Assignment]:
    return list(
        session.scalars(
            select(Assignment).where(and_(Assignment.done_at.is_(None), Assignment.due_at < now))
        )
    )


# ---------------------------------------------------------------- spaced repetition


def get_review_states(*, session: Session, user_id: int) -> list[dict]:
    return [
        r.state for r in session.scalars(select(ReviewCard).where(ReviewCard.user_id == user_id))
    ]


def put_review_state(
    *, session: Session, user_id: int, state: dict, due_at: dt.datetime, now: dt.datetime
) -> None:
    row = session.get(ReviewCard, (user_id, state["question_id"]))
    if row is None:
        session.add(
            ReviewCard(
                user_id=user_id,
                question_id=state["question_id"],
                state=state,
                due_at=due_at,
                updated_at=now,
            )
        )
    else:
        row.state, row.due_at, row.updated_at = state, due_at, now


# ---------------------------------------------------------------- rule versions


def raise_rule_version(
    *, session: Session, actor: User, lesson_id: str, version: int, note: str, now: dt.datetime
) -> RuleVersionRaise:
    require_role(actor, "admin")
    exists = session.scalars(
        select(RuleVersionRaise).where(
            RuleVersionRaise.lesson_id == lesson_id, RuleVersionRaise.version == version
        )
    ).first()
    if exists:
        raise ValidationFailed(f"课程 {lesson_id} 的规则版本 {version} 已经发布过")
    r = RuleVersionRaise(
        lesson_id=lesson_id, version=version, note=note, raised_by=actor.id, at=now
    )
    session.add(r)
    session.flush()
    return r


def rule_version_overrides(*, session: Session) -> dict[str, int]:
    """lesson id → the highest version raised in the app (over the file's version)."""
    rows = session.execute(
        select(RuleVersionRaise.lesson_id, func.max(RuleVersionRaise.version)).group_by(
            RuleVersionRaise.lesson_id
        )
    )
    return dict(rows.all())


# ---------------------------------------------------------------- manager views (issue 6)


def cancel_assignment(*, session: Session, actor: User, assignment_id: int) -> Assignment:
    """A manager withdraws an assignment of their team or agents (an admin: any).  The row is
    deleted: an assignment nobody has to do any more should not count as overdue."""
    require_role(actor, "manager", "admin")
    a = session.get(Assignment, assignment_id)
    if a is None:
        raise NotFound("找不到这项任务，可能已经撤销了")
    if actor.role == "manager":
        mine = set(
            session.scalars(select(ManagedTeam.team_id).where(ManagedTeam.manager_id == actor.id))
        )
        if a.team_id is not None:
            allowed = a.team_id in mine
        else:
            owner = session.get(User, a.user_id)
            allowed = owner is not None and owner.team_id in mine
        if not allowed:
            raise Forbidden("只能撤销自己团队的任务")
    session.delete(a)
    session.flush()
    return a
