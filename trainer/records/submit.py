"""The submit path: grade an answer, store it, move its FSRS card — one short transaction.

Pages call :func:`submit_answer`; they never score or write anything themselves.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from trainer.catalog import Catalog
from trainer.grading import Grade, grade, grade_dialog_turn
from trainer.learning import ExamPaper, ExamResult, ReviewState, certify, review, score_exam
from trainer.records import store
from trainer.records.db import transaction
from trainer.records.errors import NotFound
from trainer.records.fastpath import store_and_schedule
from trainer.records.models import Attempt


@dataclass(frozen=True)
class Submitted:
    response_id: int
    grade: Grade
    next_turn: str | None = None  # dialogs: the next buyer turn ('' = the dialog ended)


def submit_answer(
    engine: Engine,
    catalog: Catalog,
    *,
    user_id: int,
    question_id: str,
    response: Any,
    kind: str,
    submission_id: str,
    now: dt.datetime,
    attempt_id: int | None = None,
    turn_id: str | None = None,
    response_ms: int | None = None,
    schedule: bool = True,
) -> Submitted:
    """Grade ``response`` and store it (idempotent on ``submission_id``).  Exams pass
    ``schedule=False`` so no feedback-driven scheduling happens before the exam ends."""
    q = catalog.questions[question_id]
    titles = _titles(catalog)
    next_turn = None
    if turn_id:
        g, next_turn = grade_dialog_turn(q, turn_id, str(response), lesson_titles=titles)
    else:
        g = grade(q, response, lesson_titles=titles)

    def move_card(before: dict | None) -> tuple[dict, dt.datetime]:
        prev = ReviewState.from_dict(before) if before else None
        st = review(
            prev,
            question_id,
            passed=g.passed,
            ratio=g.ratio,
            has_violation=bool(g.violations),
            now=now,
        )
        return st.to_dict(), st.due_at

    graded = g.to_dict()
    stored = store_and_schedule(
        engine,
        submission_id=submission_id,
        user_id=user_id,
        question_id=question_id,
        kind=kind,
        response=response,
        grade=graded,
        content_version=catalog.version,
        rule_version=catalog.question_rule_version(question_id),
        now=now,
        attempt_id=attempt_id,
        turn_id=turn_id,
        response_ms=response_ms,
        schedule=move_card if schedule and not turn_id else None,
    )
    result = g if stored.created else Grade.from_dict(stored.grade)
    return Submitted(stored.response_id, result, next_turn)


_TITLES: dict[int, tuple[Catalog, dict[str, str]]] = {}


def _titles(catalog: Catalog) -> dict[str, str]:
    """Lesson titles for the feedback, built once per catalog."""
    hit = _TITLES.get(id(catalog))
    if hit is None or hit[0] is not catalog:
        hit = (catalog, {lid: les.title for lid, les in catalog.lessons.items()})
        _TITLES[id(catalog)] = hit
    return hit[1]


@dataclass(frozen=True)
class HandedIn:
    result: ExamResult
    certified: bool  # this hand-in issued a certificate
    question_ids: tuple[str, ...]


def hand_in_exam(
    engine: Engine, catalog: Catalog, *, user_id: int, attempt_id: int, now: dt.datetime
) -> HandedIn:
    """Score an exam attempt from its stored answers, close it, and certify on a pass — once:
    handing in twice (a double click, a timeout racing the button) certifies once."""
    with transaction(engine) as s:
        att = s.get(Attempt, attempt_id)
        if att is None or att.user_id != user_id or att.kind != "exam":
            raise NotFound("找不到这场考试")
        paper = ExamPaper.from_dict(att.paper)
        rows = store.attempt_responses(session=s, attempt_id=att.id)
        ratios = {r.question_id: (r.score / r.max_score if r.max_score else 0.0) for r in rows}
        result = score_exam(catalog, paper, ratios)
        first = att.finished_at is None
        store.finish_attempt(
            session=s, attempt_id=att.id, now=now, score=result.ratio, passed=result.passed
        )
        cert = (
            certify(catalog, result, now, raised=store.rule_version_overrides(session=s))
            if first
            else None
        )
        if cert is not None:
            store.issue_certification(
                session=s,
                user_id=user_id,
                exam_id=paper.exam_id,
                ratio=cert.ratio,
                issued_at=cert.issued_at,
                expires_at=cert.expires_at,
                rule_versions=cert.rule_versions,
                attempt_id=att.id,
            )
    return HandedIn(result, cert is not None, paper.question_ids)
