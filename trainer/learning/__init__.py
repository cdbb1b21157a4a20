"""The learning engine: paths, exams, certification, FSRS refreshers, rule versions. Pure."""

from trainer.learning.certification import Certification, certification_status, certify
from trainer.learning.clock import NaiveDatetimeError, utc
from trainer.learning.exams import (
    ExamPaper,
    ExamResult,
    assemble_exam,
    for_platform,
    path_for,
    score_exam,
)
from trainer.learning.paths import NextStep, PathProgress, path_progress
from trainer.learning.practice import (
    ROUND_SIZE,
    module_mastery,
    practice_pool,
    practice_round,
    refresher_set,
)
from trainer.learning.refresher import (
    DueItem,
    ReviewState,
    due_refreshers,
    new_state,
    rating_for,
    review,
)
from trainer.learning.rule_versions import (
    current_versions,
    questions_due_for_rule_change,
    stale_lessons,
)

__all__ = [
    "ROUND_SIZE",
    "Certification",
    "DueItem",
    "ExamPaper",
    "ExamResult",
    "NaiveDatetimeError",
    "NextStep",
    "PathProgress",
    "ReviewState",
    "assemble_exam",
    "certification_status",
    "certify",
    "current_versions",
    "due_refreshers",
    "for_platform",
    "module_mastery",
    "new_state",
    "path_for",
    "path_progress",
    "practice_pool",
    "practice_round",
    "questions_due_for_rule_change",
    "rating_for",
    "refresher_set",
    "review",
    "score_exam",
    "stale_lessons",
    "utc",
]
