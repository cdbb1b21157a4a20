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
from trainer.learning import ReviewState, review
from trainer.records import store
from trainer.records.db import transaction
from trainer.records.models import ReviewCard


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
    titles = {lid: les.title for lid, les in catalog.lessons.items()}
    next_turn = None
    if turn_id:
        g, next_turn = grade_dialog_turn(q, turn_id, str(response), lesson_titles=titles)
    else:
        g = grade(q, response, lesson_titles=titles)
    with transaction(engine) as s:
        row, created = store.store_response(
            session=s,
            submission_id=submission_id,
            user_id=user_id,
            question_id=question_id,
            kind=kind,
            response=response,
            grade=g,
            content_version=catalog.version,
            rule_version=catalog.question_rule_version(question_id),
            now=now,
            attempt_id=attempt_id,
            turn_id=turn_id,
            response_ms=response_ms,
        )
        if schedule and not turn_id and created:
            card = s.get(ReviewCard, (user_id, question_id))
            prev = ReviewState.from_dict(card.state) if card else None
            st = review(
                prev,
                question_id,
                passed=g.passed,
                ratio=g.ratio,
                has_violation=bool(g.violations),
                now=now,
            )
            store.put_review_state(
                session=s, user_id=user_id, state=st.to_dict(), due_at=st.due_at, now=now
            )
        stored = Grade.from_dict(row.grade)
        rid = row.id
    return Submitted(rid, stored, next_turn)
