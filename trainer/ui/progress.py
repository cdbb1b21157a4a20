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
    module_mastery,
    path_for,
    path_progress,
    questions_due_for_rule_change,
)
from trainer.records import store
from trainer.records.db import reading
from trainer.records.models import Assignment, User
from trainer.ui.state import CurrentUser, get_engine, now


@dataclass
class Learner:
    learned: dict[str, int]
    latest: dict[str, tuple[bool, int]]  # question id → (passed, response id)
    mastery: dict[str, float]  # module id → share of its practice pool passed
    certification: Certification | None
    cert_status: str
    path: PathProgress | None
    due: list[DueItem]
    rule_changes: list[str]
    assignments: list[Assignment]
    raised: dict[str, int]  # lesson id → rule version raised in the app


def allowed_questions(catalog: Catalog, user: CurrentUser) -> set[str]:
    return {q.id for q in catalog.questions.values() if for_platform(q, user.platform)}


def learner(catalog: Catalog, user: CurrentUser) -> Learner:
    t = now()
    with reading(get_engine()) as s:
        learned = store.learned_lessons(session=s, user_id=user.id)
        latest = store.latest_results(session=s, user_id=user.id)
        row = store.latest_certification(session=s, user_id=user.id)
        states = [
            ReviewState.from_dict(d) for d in store.get_review_states(session=s, user_id=user.id)
        ]
        db_user = s.get(User, user.id)
        assignments = store.assignments_for_user(session=s, user=db_user) if db_user else []
        raised = store.rule_version_overrides(session=s)
    mastery = module_mastery(catalog, {q: p for q, (p, _) in latest.items()}, user.platform)
    cert = None
    if row is not None:
        cert = Certification(
            row.exam_id, row.issued_at, row.expires_at, row.ratio, dict(row.rule_versions)
        )
    status = certification_status(cert, t)
    path = None
    mine = path_for(catalog, user.platform)
    if mine is not None:
        path = path_progress(
            catalog,
            mine.id,
            learned=set(learned),
            practice=mastery,
            certified=status in ("有效", "即将到期"),
        )
    allowed = allowed_questions(catalog, user)
    due = [
        d for d in due_refreshers(states, t, allowed=allowed) if d.question_id in catalog.questions
    ]
    changes = (
        questions_due_for_rule_change(
            catalog, cert.rule_versions, user.platform, raised=raised, relearned=learned
        )
        if cert
        else []
    )
    return Learner(learned, latest, mastery, cert, status, path, due, changes, assignments, raised)
