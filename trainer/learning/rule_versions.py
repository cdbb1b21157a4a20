"""Rule changes: a lesson whose rule version was raised after an agent's certification puts
its questions due again for that agent."""

from __future__ import annotations

from collections.abc import Mapping

from trainer.catalog import Catalog
from trainer.learning.exams import for_platform


def stale_lessons(catalog: Catalog, certified_versions: Mapping[str, int]) -> list[str]:
    """Lessons whose current rule version is newer than the one the agent was certified on."""
    return [
        lid
        for lid, ver in certified_versions.items()
        if lid in catalog.lessons and catalog.lessons[lid].version > ver
    ]


def questions_due_for_rule_change(
    catalog: Catalog, certified_versions: Mapping[str, int], platform: str | None = None
) -> list[str]:
    """Question ids to re-learn after rule changes (platform-filtered)."""
    stale = set(stale_lessons(catalog, certified_versions))
    return [
        q.id
        for q in catalog.questions.values()
        if stale.intersection(q.lessons) and for_platform(q, platform)
    ]
