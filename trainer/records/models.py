"""SQLAlchemy 2.x models of everything the platform keeps.  All times are stored in UTC."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in, aware UTC datetimes out (SQLite keeps no time zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: store aware UTC times only")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict] = {
        dt.datetime: UTCDateTime,
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


class Team(Base):
    __tablename__ = "teams"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    platform: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[dt.datetime]


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    role: Mapped[str] = mapped_column(String(10))  # trainee / manager / admin
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    platform: Mapped[str | None] = mapped_column(String(10))  # tmall / taobao / jd
    password_hash: Mapped[str] = mapped_column(String(200))
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    locked_until: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime]


class ManagedTeam(Base):
    """A manager sees the teams listed here (and only those)."""

    __tablename__ = "managed_teams"
    manager_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), primary_key=True)


class LessonProgress(Base):
    __tablename__ = "lesson_progress"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    lesson_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    rule_version: Mapped[int] = mapped_column(Integer, default=1)
    learned_at: Mapped[dt.datetime]


class Attempt(Base):
    """One sitting: a practice run, an exam, a refresher set, a reply or a dialog."""

    __tablename__ = "attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(12))  # practice/exam/refresher/reply/dialog
    ref: Mapped[str] = mapped_column(String(80))  # module, exam, refresher or question id
    question_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    paper: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # exam paper / dialog state
    seed: Mapped[int | None] = mapped_column(Integer)
    started_at: Mapped[dt.datetime]
    deadline_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]
    score: Mapped[float | None] = mapped_column(Float)
    passed: Mapped[bool | None] = mapped_column(Boolean)

    __table_args__ = (Index("ix_attempts_user_kind", "user_id", "kind", "finished_at"),)


class Response(Base):
    """Every answer, stored the moment it is submitted, with its grade."""

    __tablename__ = "responses"
    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[str] = mapped_column(String(64), unique=True)
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("attempts.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    question_id: Mapped[str] = mapped_column(String(80))
    turn_id: Mapped[str | None] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(12))
    response: Mapped[Any] = mapped_column(JSON)
    grade: Mapped[dict[str, Any]] = mapped_column(JSON)
    score: Mapped[float] = mapped_column(Float)
    max_score: Mapped[float] = mapped_column(Float)
    passed: Mapped[bool] = mapped_column(Boolean)
    violation_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    grader_version: Mapped[str] = mapped_column(String(20))
    content_version: Mapped[str] = mapped_column(String(20))
    rule_version: Mapped[int] = mapped_column(Integer, default=1)
    response_ms: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime]

    __table_args__ = (
        Index("ix_responses_user_created", "user_id", "created_at"),
        Index("ix_responses_question", "question_id", "user_id"),
        Index("ix_responses_attempt", "attempt_id"),
        Index("ix_responses_created", "created_at"),
    )


class ScoreOverride(Base):
    """A manager's review of a reply score; every override is kept, the latest one counts."""

    __tablename__ = "score_overrides"
    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    old_score: Mapped[float] = mapped_column(Float)
    new_score: Mapped[float] = mapped_column(Float)
    passed: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime]


class Certification(Base):
    __tablename__ = "certifications"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    exam_id: Mapped[str] = mapped_column(String(80))
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("attempts.id"))
    ratio: Mapped[float] = mapped_column(Float)
    issued_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime]
    rule_versions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Assignment(Base):
    """A path or refresher set assigned to an agent or a whole team, with a due date."""

    __tablename__ = "assignments"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # path / refresher
    ref: Mapped[str] = mapped_column(String(80))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    due_at: Mapped[dt.datetime]
    assigned_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime]
    done_at: Mapped[dt.datetime | None]


class ReviewCard(Base):
    """FSRS state of one question for one agent."""

    __tablename__ = "review_cards"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    question_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    due_at: Mapped[dt.datetime]  # indexed with user_id: ix_review_cards_user_due
    updated_at: Mapped[dt.datetime]


class LoginEvent(Base):
    __tablename__ = "login_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    success: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(String(40))
    at: Mapped[dt.datetime]


class RuleVersionRaise(Base):
    """A lesson's rule version raised by an admin when a platform rule changed."""

    __tablename__ = "rule_version_raises"
    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[str] = mapped_column(String(80), index=True)
    version: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    raised_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[dt.datetime]

    __table_args__ = (UniqueConstraint("lesson_id", "version"),)


# ---------------------------------------------------------------- appeals and analytics (0002)


class Appeal(Base):
    """A trainee asks a manager to look at the score of one of their reply answers.

    One appeal per answer (a unique key, so a double click never files two).  It is resolved
    when a manager confirms or overrides the score (``outcome``: 维持原分 / 已改分); the override
    itself is kept in ``score_overrides``.
    """

    __tablename__ = "appeals"
    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id"), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime]
    resolved_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    outcome: Mapped[str | None] = mapped_column(String(20))


class AnswerRollup(Base):
    """Per (agent, question): how many answers, their summed score ratio, the last answer's
    time, and the latest own answer (not a dialog turn): its id, whether it passed, its ratio.

    Kept by the database itself: a trigger on ``responses`` (migration 0002) upserts the row
    in the same transaction as every insert, whoever inserts.  Answers are never updated or
    deleted, so the rollup never drifts.  The manager board reads these few rows per agent
    instead of every answer (trainer/reports/board.py); manager overrides are applied on top.
    """

    __tablename__ = "answer_rollups"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    question_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    answers: Mapped[int] = mapped_column(Integer)
    ratio_sum: Mapped[float] = mapped_column(Float)
    last_at: Mapped[dt.datetime]
    last_id: Mapped[int | None] = mapped_column(Integer)
    last_passed: Mapped[bool | None] = mapped_column(Boolean)
    last_ratio: Mapped[float | None] = mapped_column(Float)  # score / max of the latest answer

    __table_args__ = (
        Index("ix_answer_rollups_question", "question_id", "user_id", "last_passed", "last_id"),
        {"sqlite_with_rowid": False},  # SQLite: the primary key holds the row (covering)
    )


# Indexes for the manager board (trainer/reports): each aggregate reads an index only, never
# the wide rows with their JSON grades.  SQLite keeps the rowid (= id) in every index;
# PostgreSQL gets the extra columns as INCLUDE columns.
Index(
    "ix_responses_activity",  # per agent and week: answers, mean ratio; refresher counts
    Response.user_id,
    Response.created_at,
    Response.kind,
    Response.score,
    Response.max_score,
)
Index(
    "ix_responses_violations",  # the few answers with a rule violation (weak rules)
    Response.user_id,
    Response.created_at,
    postgresql_include=["violation_ids"],
    sqlite_where=text("violation_ids != '[]'"),
    postgresql_where=text("violation_ids::text <> '[]'"),
)
Index(
    "ix_responses_replies",  # reply and dialog answers (review queue, rubric hit rates)
    Response.user_id,
    Response.created_at,
    sqlite_where=text("json_extract(grade, '$.question_type') IN ('reply', 'dialog')"),
    postgresql_where=text("(grade ->> 'question_type') IN ('reply', 'dialog')"),
)
Index("ix_review_cards_user_due", ReviewCard.user_id, ReviewCard.due_at)
Index(  # lessons learned per module and agent, and when (path progress, last active)
    "ix_lesson_progress_learned",
    LessonProgress.lesson_id,
    LessonProgress.user_id,
    LessonProgress.learned_at,
)
