"""Rule versions: the file's version of each lesson, versions raised in the app, and who is
certified on an older one.

A content owner raises a lesson's rule version (管理 → 规则版本) when a platform rule changes.
Raising it makes the lesson's questions due again for every agent certified on the old
version, until they re-learn it (:mod:`trainer.learning.rule_versions`, given the raised
versions and what each agent re-learned).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from trainer.catalog import Catalog
from trainer.learning import Certification as CertView
from trainer.learning import current_versions, stale_lessons
from trainer.records import store
from trainer.records.errors import NotFound
from trainer.records.models import Certification, LessonProgress, RuleVersionRaise, User
from trainer.reports.scope import agent_ids, require_reports


@dataclass(frozen=True)
class RuleState:
    """What the rule-version questions need about a set of agents, read once: the versions
    raised in the app, each agent's latest certification, and — for the lessons some agent
    may be behind on — the version at which each agent last marked the lesson learned."""

    raised: dict[str, int]
    current: dict[str, int]  # lesson id → version in force
    certs: dict[int, CertView]
    relearned: dict[int, dict[str, int]]
    behind: frozenset[str]  # lessons some certified agent is on an older version of

    def stale(self, catalog: Catalog, user_id: int) -> list[str]:
        """The lessons ``user_id`` must re-learn (none when never certified):
        :func:`trainer.learning.stale_lessons`, skipped when nobody can be behind."""
        cert = self.certs.get(user_id)
        if cert is None or not self.behind.intersection(cert.rule_versions or {}):
            return []
        return stale_lessons(
            catalog,
            cert.rule_versions or {},
            raised=self.raised,
            relearned=self.relearned.get(user_id, {}),
        )


def rule_state(*, session: Session, agents, catalog: Catalog) -> RuleState:
    raised = store.rule_version_overrides(session=session)
    current = current_versions(catalog, raised)
    certs = latest_certifications(session=session, agents=agents)
    behind = {
        lid
        for c in certs.values()
        for lid, ver in (c.rule_versions or {}).items()
        if current.get(lid, 0) > ver
    }
    relearned: dict[int, dict[str, int]] = {}
    if behind:
        q = select(
            LessonProgress.user_id, LessonProgress.lesson_id, LessonProgress.rule_version
        ).where(LessonProgress.user_id.in_(agents), LessonProgress.lesson_id.in_(sorted(behind)))
        for uid, lid, ver in session.execute(q):
            relearned.setdefault(uid, {})[lid] = ver
    return RuleState(raised, current, certs, relearned, frozenset(behind))


def latest_certifications(*, session: Session, agents) -> dict[int, CertView]:
    """user id → their latest certification (by issue time) as
    :class:`trainer.learning.Certification`, for the agents subquery (rows, not ORM objects)."""
    C = Certification
    rank = (
        select(
            C.user_id,
            C.exam_id,
            C.issued_at,
            C.expires_at,
            C.ratio,
            C.rule_versions,
            func.row_number()
            .over(partition_by=C.user_id, order_by=(C.issued_at.desc(), C.id.desc()))
            .label("rn"),
        )
        .where(C.user_id.in_(agents))
        .subquery()
    )
    q = select(
        rank.c.user_id,
        rank.c.exam_id,
        rank.c.issued_at,
        rank.c.expires_at,
        rank.c.ratio,
        rank.c.rule_versions,
    ).where(rank.c.rn == 1)
    return {
        uid: CertView(exam, issued, expires, ratio, dict(versions or {}))
        for uid, exam, issued, expires, ratio, versions in session.execute(q)
    }


def rule_versions(
    *, session: Session, actor: User, catalog: Catalog, now: dt.datetime
) -> pd.DataFrame:
    """One row per lesson: file version, version raised in the app, the version in force, the
    last raise (when, note), and how many of the actor's certified agents still have to
    re-learn it (its questions are due again for them)."""
    require_reports(actor)
    raises = {
        r.lesson_id: r
        for r in session.scalars(select(RuleVersionRaise).order_by(RuleVersionRaise.id))
    }
    state = rule_state(session=session, agents=agent_ids(actor=actor), catalog=catalog)
    behind: dict[str, int] = {}
    for uid in state.certs:
        for lid in state.stale(catalog, uid):
            behind[lid] = behind.get(lid, 0) + 1
    rows = []
    for lid, les in catalog.lessons.items():
        last = raises.get(lid)
        rows.append(
            {
                "课程ID": lid,
                "课程": les.title,
                "模块": catalog.modules[catalog.lesson_module[lid]].title,
                "文件版本": les.version,
                "生效日期": les.effective.isoformat(),
                "后台升级版本": last.version if last else None,
                "当前版本": state.current[lid],
                "最近升级": last.at if last else None,
                "升级说明": last.note if last else "",
                "需重学人数": behind.get(lid, 0),
            }
        )
    return pd.DataFrame(rows)


def raise_rule(
    *,
    session: Session,
    actor: User,
    catalog: Catalog,
    lesson_id: str,
    note: str,
    now: dt.datetime,
) -> tuple[RuleVersionRaise, int]:
    """Admin: raise ``lesson_id`` to the next version (one above the version in force).
    Returns the raise and how many certified agents now have its questions due again."""
    if lesson_id not in catalog.lessons:
        raise NotFound(f"找不到课程 {lesson_id}")
    current = current_versions(catalog, store.rule_version_overrides(session=session))
    row = store.raise_rule_version(
        session=session,
        actor=actor,
        lesson_id=lesson_id,
        version=current[lesson_id] + 1,
        note=note.strip(),
        now=now,
    )
    state = rule_state(session=session, agents=agent_ids(actor=actor), catalog=catalog)
    affected = sum(1 for uid in state.certs if lesson_id in state.stale(catalog, uid))
    return row, affected
