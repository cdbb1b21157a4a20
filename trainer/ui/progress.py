"""What the trainee pages need to know about one learner, gathered in one read."""

from __future__ import annotations

from dataclasses import dataclass

from trainer.catalog import Catalog
from trainer.learning import (
    Certification,
    DueItem,
    PathProgress,
    ReviewState,
    certification_status,
    due_refreshers,
    for_platform,
    path_progress,
    questions_due_for_rule_change,
)
from trainer.records import store
from trainer.records.db import reading
from trainer.records.models import Assignment
from trainer.ui.state import CurrentUser, get_engine, now


@dataclass
class Learner:
    learned: dict[str, int]
    practice: dict[str, float]
    certification: Certification | None
    cert_status: str
    path: PathProgress | None
    due: list[DueItem]
    rule_changes: list[str]
    assignments: list[Assignment]


def allowed_questions(catalog: Catalog, user: CurrentUser) -> set[str]:
    return {q.id for q in catalog.questions.values() if for_platform(q, user.platform)}


def learner(catalog: Catalog, user: CurrentUser) -> Learner:
    t = now()
    module_of = {qid: catalog.question_module(qid) for qid in catalog.questions}
    with reading(get_engine()) as s:
        learned = store.learned_lessons(session=s, user_id=user.id)
        practice = store.practice_ratios(session=s, user_id=user.id, module_of=module_of)
        row = store.latest_certification(session=s, user_id=user.id)
        states = [
            ReviewState.from_dict(d) for d in store.get_review_states(session=s, user_id=user.id)
        ]
        from trainer.records.models import User

        db_user = s.get(User, user.id)
        assignments = store.assignments_for_user(session=s, user=db_user)
    cert = None
    if row is not None:
        cert = Certification(
            row.exam_id, row.issued_at, row.expires_at, row.ratio, dict(row.rule_versions)
        )
    path = None
    if "onboarding" in catalog.paths:
        path = path_progress(
            catalog,
            "onboarding",
            learned=set(learned),
            practice=practice,
            certified=certification_status(cert, t) in ("有效", "即将到期"),
        )
    allowed = allowed_questions(catalog, user)
    due = due_refreshers(states, t, allowed=allowed)
    changes = (
        questions_due_for_rule_change(catalog, cert.rule_versions, user.platform) if cert else []
    )
    return Learner(
        learned, practice, cert, certification_status(cert, t), path, due, changes, assignments
    )
