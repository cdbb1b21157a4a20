"""Refresher scheduling (复训) with FSRS.

Intervals are whole days: the scheduler has no sub-day learning or relearning steps, so a
card leaves every review due one day later at the earliest.

Grade → FSRS rating (documented mapping):

=====================================================  ========
what happened                                          rating
=====================================================  ========
not passed, or any rule violation                      Again
passed with ratio < 0.8                                Hard
passed with 0.8 ≤ ratio < 0.95                         Good
passed with ratio ≥ 0.95                               Easy
=====================================================  ========
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from fsrs import Card, Rating, Scheduler

from trainer.learning.clock import utc

SCHEDULER = Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)
#: a card whose recall probability falls below this is due even before its due date
FORGETTING_THRESHOLD = 0.8


def rating_for(passed: bool, ratio: float, has_violation: bool = False) -> Rating:
    """The documented mapping from a grade to an FSRS rating (see the module docstring)."""
    if not passed or has_violation:
        return Rating.Again
    if ratio < 0.8:
        return Rating.Hard
    if ratio < 0.95:
        return Rating.Good
    return Rating.Easy


@dataclass(frozen=True)
class ReviewState:
    """The spaced-repetition state of one question for one agent."""

    question_id: str
    card: dict[str, Any]  # fsrs Card.to_dict()
    due_at: dt.datetime
    last_rating: int | None = None
    reviews: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "question_id": self.question_id,
            "card": self.card,
            "due_at": self.due_at.isoformat(),
            "last_rating": self.last_rating,
            "reviews": self.reviews,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ReviewState:
        return cls(
            question_id=d["question_id"],
            card=d["card"],
            due_at=dt.datetime.fromisoformat(d["due_at"]),
            last_rating=d.get("last_rating"),
            reviews=int(d.get("reviews", 0)),
        )


def new_state(question_id: str, now: dt.datetime) -> ReviewState:
    """A fresh card for ``question_id``, due now."""
    now = utc(now)
    card = Card(card_id=zlib.crc32(question_id.encode()), due=now)
    return ReviewState(question_id, card.to_dict(), now)


def review(
    state: ReviewState | None,
    question_id: str,
    *,
    passed: bool,
    ratio: float,
    has_violation: bool = False,
    now: dt.datetime,
) -> ReviewState:
    """The new state after answering ``question_id`` at ``now`` (a new card when ``state`` is
    None).  Returns a new object; ``state`` is not changed."""
    now = utc(now)
    state = state or new_state(question_id, now)
    rating = rating_for(passed, ratio, has_violation)
    card, _ = SCHEDULER.review_card(Card.from_dict(state.card), rating, now)
    # whole days: never sooner than one day after the review
    due = max(card.due, now + dt.timedelta(days=1))
    card.due = due
    return ReviewState(question_id, card.to_dict(), due, int(rating), state.reviews + 1)


def retrievability(state: ReviewState, now: dt.datetime) -> float:
    return SCHEDULER.get_card_retrievability(Card.from_dict(state.card), utc(now))


@dataclass(frozen=True)
class DueItem:
    question_id: str
    due_at: dt.datetime
    overdue_days: float
    retrievability: float
    reason: str  # Chinese: 到期 / 快要遗忘 / 上次答错


def due_refreshers(
    states: Iterable[ReviewState],
    now: dt.datetime,
    *,
    limit: int | None = None,
    allowed: set[str] | None = None,
) -> list[DueItem]:
    """Questions an agent should review now: due (``due_at <= now``) or about to be forgotten
    (recall probability below :data:`FORGETTING_THRESHOLD`); most overdue first.
    ``allowed`` restricts to question ids that still exist for the agent's platform."""
    now = utc(now)
    items = []
    for s in states:
        if allowed is not None and s.question_id not in allowed:
            continue
        r = retrievability(s, now)
        due = s.due_at <= now
        if not due and r >= FORGETTING_THRESHOLD:
            continue
        if s.last_rating == int(Rating.Again):
            reason = "上次答错"
        elif due:
            reason = "到期复习"
        else:
            reason = "快要遗忘"
        overdue = (now - s.due_at).total_seconds() / 86400
        items.append(DueItem(s.question_id, s.due_at, overdue, r, reason))
    items.sort(key=lambda i: (-i.overdue_days, i.retrievability, i.question_id))
    return items[:limit] if limit else items
