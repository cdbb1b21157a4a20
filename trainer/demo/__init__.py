"""The demo organisation: ``python -m trainer demo`` fills a database with three teams of a
customer-service outsourcer (天猫一组, 淘宝二组, 京东三组), their leads, an admin and about 60
agents with six months of history, so a newcomer sees a living manager board at once.

=============  ================================================================
module         what
=============  ================================================================
people         teams, names, learner profiles (fast, steady, slow, stalled)
texts          right and wrong answers; replies graded by the real grader
simulate       one agent's six months: sessions, lessons, practice, exams, FSRS
build          writes it all, plus assignments, appeals, overrides, a rule change
=============  ================================================================

Everything is deterministic for a seed and a "now" (the current hour).  Answers are graded
by :mod:`trainer.grading` and refreshers scheduled by :mod:`trainer.learning`, exactly as the
app does; rows are written in bulk (one transaction per agent) to stay fast.
"""

from trainer.demo.build import (
    DEFAULT_SEED,
    DEMO_PASSWORD,
    DemoRefused,
    DemoSummary,
    build_demo,
    existing_users,
)

__all__ = [
    "DEFAULT_SEED",
    "DEMO_PASSWORD",
    "DemoRefused",
    "DemoSummary",
    "build_demo",
    "existing_users",
]
