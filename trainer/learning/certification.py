"""Certification (上岗认证): issued on reaching the pass mark, valid for ``valid_days``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from trainer.catalog import Catalog
from trainer.learning.clock import utc
from trainer.learning.exams import ExamResult
from trainer.learning.rule_versions import current_versions

EXPIRING_DAYS = 30


@dataclass(frozen=True)
class Certification:
    exam_id: str
    issued_at: dt.datetime
    expires_at: dt.datetime
    ratio: float
    rule_versions: dict[str, int]  # lesson id → rule version the agent was certified on

    def to_dict(self) -> dict[str, Any]:
        return {
            "exam_id": self.exam_id,
            "issued_at": self.issued_at.isoformat(),
            "expires_at": self.expires_at.isoformat(),
            "ratio": self.ratio,
            "rule_versions": dict(self.rule_versions),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Certification:
        return cls(
            d["exam_id"],
            dt.datetime.fromisoformat(d["issued_at"]),
            dt.datetime.fromisoformat(d["expires_at"]),
            float(d["ratio"]),
            {k: int(v) for k, v in d.get("rule_versions", {}).items()},
        )


def certify(
    catalog: Catalog,
    result: ExamResult,
    now: dt.datetime,
    *,
    raised: Mapping[str, int] | None = None,
) -> Certification | None:
    """A certification when ``result`` passed, covering the current rule version of every
    lesson of the exam's modules (``raised``: versions raised in the app, see
    :mod:`trainer.learning.rule_versions`); None otherwise."""
    if not result.passed:
        return None
    now = utc(now)
    exam = catalog.exams[result.exam_id]
    modules = {b.module for b in exam.blueprint}
    current = current_versions(catalog, raised)
    versions = {lid: v for lid, v in current.items() if catalog.lesson_module[lid] in modules}
    return Certification(
        exam.id, now, now + dt.timedelta(days=exam.valid_days), result.ratio, versions
    )


def certification_status(cert: Certification | None, now: dt.datetime) -> str:
    """未认证 / 有效 / 即将到期 (within 30 days) / 已过期."""
    if cert is None:
        return "未认证"
    now = utc(now)
    if now >= cert.expires_at:
        return "已过期"
    if cert.expires_at - now <= dt.timedelta(days=EXPIRING_DAYS):
        return "即将到期"
    return "有效"
