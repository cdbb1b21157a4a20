"""Practice rounds and module mastery.  Pure: the latest results are passed in.

A practice round is at most :data:`ROUND_SIZE` questions of a module (or of one lesson),
chosen so that a trainee covers the whole bank and meets their mistakes again:

1. questions never answered, then
2. questions whose latest answer was wrong, then
3. the rest, the longest-ago answered first;

inside each group the order is shuffled with ``seed`` (reproducible, so a resumed round is
the same round).  Dialog simulations have their own page and are not part of practice.

Mastery of a module is the share of its practice pool (for the trainee's platform) whose
latest answer passed.  The onboarding path counts a module's practice as done when mastery
reaches the step's ``practice_pass_ratio``: answering two questions right is not 100% of a
module.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from trainer.catalog import Catalog
from trainer.learning.exams import for_platform

ROUND_SIZE = 10


def practice_pool(
    catalog: Catalog, module_id: str, platform: str | None, lesson_id: str | None = None
) -> list[str]:
    """Ids of the practice questions of a module (or of one of its lessons), in bank order."""
    qs: list[Any] = (
        catalog.lesson_questions(lesson_id) if lesson_id else catalog.module_questions(module_id)
    )
    return [q.id for q in qs if q.type != "dialog" and for_platform(q, platform)]


def practice_round(
    pool: list[str],
    latest: Mapping[str, tuple[bool, int]],
    *,
    seed: int,
    size: int = ROUND_SIZE,
) -> list[str]:
    """Choose a round from ``pool``.  ``latest`` maps question id → (passed, answer order
    number: a larger number is a more recent answer) for the questions already answered."""
    rng = random.Random(seed)
    new = [q for q in pool if q not in latest]
    wrong = [q for q in pool if q in latest and not latest[q][0]]
    right = sorted((q for q in pool if q in latest and latest[q][0]), key=lambda q: latest[q][1])
    rng.shuffle(new)
    rng.shuffle(wrong)
    return (new + wrong + right)[:size]


def module_mastery(
    catalog: Catalog, latest_passed: Mapping[str, bool], platform: str | None
) -> dict[str, float]:
    """module id → share of its practice pool whose latest answer passed; modules with no
    answer yet are left out (the path shows them as not practised)."""
    out = {}
    for mid in catalog.modules:
        pool = practice_pool(catalog, mid, platform)
        if any(q in latest_passed for q in pool):
            out[mid] = sum(bool(latest_passed.get(q)) for q in pool) / len(pool)
    return out


def refresher_set(
    catalog: Catalog,
    modules: tuple[str, ...] | list[str],
    platform: str | None,
    *,
    latest: Mapping[str, tuple[bool, int]],
    due: list[str],
    count: int,
    seed: int,
) -> list[str]:
    """The questions of a refresher set (复训题组) over ``modules``: first those due for
    review (FSRS, rule changes), then the ones answered wrongly last time, then never
    answered, then the longest-ago answered; at most ``count``."""
    pool = [q for m in modules if m in catalog.modules for q in practice_pool(catalog, m, platform)]
    in_pool = set(pool)
    first = [q for q in dict.fromkeys(due) if q in in_pool]
    rest = [q for q in pool if q not in set(first)]
    rng = random.Random(seed)
    wrong = [q for q in rest if q in latest and not latest[q][0]]
    new = [q for q in rest if q not in latest]
    right = sorted((q for q in rest if q in latest and latest[q][0]), key=lambda q: latest[q][1])
    rng.shuffle(wrong)
    rng.shuffle(new)
    return (first + wrong + new + right)[:count]
