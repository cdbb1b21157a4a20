"""Certification exams (上岗认证) assembled from a blueprint: random but reproducible.

The same ``seed`` always gives the same paper: the same questions in the same order with the
same option permutations, so an interrupted exam resumes exactly as it was.

Platform selection: a question is drawn for a shop of platform P when P is among the
question's platforms or the question is 通用.  When the filter leaves fewer questions than a
blueprint line asks for, that line falls back to the module's whole pool and the paper says
so (``fallback_modules``) instead of failing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from trainer.catalog import Catalog
from trainer.catalog.models import PLATFORM_FAMILY, LearningPath


def for_platform(item: Any, platform: str | None) -> bool:
    """Whether a question or lesson is for a shop of ``platform`` (see
    :data:`trainer.catalog.models.PLATFORM_FAMILY`); 通用 items are for every shop, and a user
    without a platform (an admin, a manager of mixed teams) sees everything."""
    if not platform or "通用" in item.platform:
        return True
    family = PLATFORM_FAMILY.get(platform, frozenset({platform}))
    return any(p in family for p in item.platform)


def path_for(catalog: Catalog, platform: str | None) -> LearningPath | None:
    """The onboarding path of a shop of ``platform``: the first path for that platform, else
    the first path for every platform, else the first path."""
    paths = list(catalog.paths.values())
    for p in paths:
        if platform and platform in p.platforms:
            return p
    return next((p for p in paths if not p.platforms), paths[0] if paths else None)


@dataclass(frozen=True)
class ExamPaper:
    exam_id: str
    seed: int
    question_ids: tuple[str, ...]
    #: per question: the order in which to show its options (choice keys, ordering steps,
    #: matching right-hand items); the grader still sees the original keys/texts
    presentation: dict[str, tuple[str, ...]] = field(default_factory=dict)
    fallback_modules: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "exam_id": self.exam_id,
            "seed": self.seed,
            "question_ids": list(self.question_ids),
            "presentation": {k: list(v) for k, v in self.presentation.items()},
            "fallback_modules": list(self.fallback_modules),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ExamPaper:
        return cls(
            exam_id=d["exam_id"],
            seed=int(d["seed"]),
            question_ids=tuple(d["question_ids"]),
            presentation={k: tuple(v) for k, v in d.get("presentation", {}).items()},
            fallback_modules=tuple(d.get("fallback_modules", ())),
        )


def _presentation(question: Any, rng: random.Random) -> tuple[str, ...]:
    if question.type in ("single", "multiple"):
        items = list(question.options)
    elif question.type == "ordering":
        items = list(question.steps)
    elif question.type == "matching":
        items = [p.right for p in question.pairs]
    else:
        return ()
    rng.shuffle(items)
    if question.type == "ordering" and items == list(question.steps) and len(items) > 1:
        items.reverse()  # never show the steps already in order
    return tuple(items)


def assemble_exam(
    catalog: Catalog, exam_id: str, *, seed: int, platform: str | None = None
) -> ExamPaper:
    exam = catalog.exams[exam_id]
    rng = random.Random(f"{exam_id}:{seed}")
    chosen: list[str] = []
    fallback: list[str] = []
    for item in exam.blueprint:
        pool = [
            q
            for q in catalog.module_questions(item.module)
            if (not item.types or q.type in item.types) and q.id not in chosen
        ]
        wanted = [q for q in pool if for_platform(q, platform)]
        if len(wanted) < item.count:
            wanted = pool
            fallback.append(item.module)
        pool_ids = sorted(q.id for q in wanted)
        chosen += rng.sample(pool_ids, min(item.count, len(pool_ids)))
    rng.shuffle(chosen)
    presentation = {qid: _presentation(catalog.questions[qid], rng) for qid in chosen}
    return ExamPaper(
        exam_id,
        seed,
        tuple(chosen),
        {k: v for k, v in presentation.items() if v},
        tuple(dict.fromkeys(fallback)),
    )


@dataclass(frozen=True)
class ModuleResult:
    module_id: str
    questions: int
    ratio: float


@dataclass(frozen=True)
class ExamResult:
    exam_id: str
    ratio: float  # mean of per-question score ratios
    passed: bool
    answered: int
    total: int
    modules: tuple[ModuleResult, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "exam_id": self.exam_id,
            "ratio": self.ratio,
            "passed": self.passed,
            "answered": self.answered,
            "total": self.total,
            "modules": [m.__dict__ for m in self.modules],
        }


def score_exam(catalog: Catalog, paper: ExamPaper, ratios: dict[str, float]) -> ExamResult:
    """Score a paper from ``ratios`` (question id → score/max of its graded answer).
    An unanswered question counts 0.  Every question weighs the same."""
    exam = catalog.exams[paper.exam_id]
    per_module: dict[str, list[float]] = {}
    for qid in paper.question_ids:
        per_module.setdefault(catalog.question_module(qid), []).append(ratios.get(qid, 0.0))
    total = len(paper.question_ids)
    ratio = sum(ratios.get(q, 0.0) for q in paper.question_ids) / total if total else 0.0
    modules = tuple(ModuleResult(mid, len(v), sum(v) / len(v)) for mid, v in per_module.items())
    return ExamResult(
        exam.id,
        round(ratio, 4),
        ratio >= exam.pass_ratio - 1e-9,
        sum(1 for q in paper.question_ids if q in ratios),
        total,
        modules,
    )
