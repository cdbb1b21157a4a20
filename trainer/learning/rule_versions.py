"""Rule changes: when a lesson's rule version is raised after an agent was certified, its
questions are due again for that agent until they re-learn the lesson at the new version.

A lesson's *current* version is the higher of the version in its content file and the
highest version an admin raised in the app (``raised``).  An agent *knows* a lesson at the
higher of the version they were certified on and the version at which they last marked it
learned (``relearned``).  The lesson is stale for them when current > known.
"""

from __future__ import annotations

from collections.abc import Mapping

from trainer.catalog import Catalog
from trainer.learning.exams import for_platform


def current_versions(catalog: Catalog, raised: Mapping[str, int] | None = None) -> dict[str, int]:
    """lesson id → its current rule version (file version, or a higher raised one)."""
    raised = raised or {}
    return {lid: max(les.version, raised.get(lid, 0)) for lid, les in catalog.lessons.items()}


def stale_lessons(
    catalog: Catalog,
    certified_versions: Mapping[str, int],
    *,
    raised: Mapping[str, int] | None = None,
    relearned: Mapping[str, int] | None = None,
) -> list[str]:
    """Lessons whose current rule version is newer than the one the agent knows."""
    current = current_versions(catalog, raised)
    relearned = relearned or {}
    return [
        lid
        for lid, ver in certified_versions.items()
        if lid in current and current[lid] > max(ver, relearned.get(lid, 0))
    ]


def questions_due_for_rule_change(
    catalog: Catalog,
    certified_versions: Mapping[str, int],
    platform: str | None = None,
    *,
    raised: Mapping[str, int] | None = None,
    relearned: Mapping[str, int] | None = None,
) -> list[str]:
    """Question ids to re-learn after rule changes (platform-filtered)."""
    stale = set(stale_lessons(catalog, certified_versions, raised=raised, relearned=relearned))
    return [
        q.id
        for q in catalog.questions.values()
        if stale.intersection(q.lessons) and for_platform(q, platform)
    ]
