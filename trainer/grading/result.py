"""What a grade looks like: plain frozen dataclasses, JSON-ready through ``to_dict``.

The UI highlights ``spans`` (offsets into the trainee's *original* text, end exclusive);
records store ``Grade.to_dict()`` as JSON next to the response.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

GRADER_VERSION = "1.0.0"

CriterionKind = Literal[
    "option",  # choice / true-false / numeric answer
    "step",  # ordering
    "pair",  # matching
    "concept",  # reply: required or optional concept
    "structure",  # reply: greeting / apology / closing
    "forbidden",  # reply: 禁忌用语 (negative points)
    "length",  # reply: length bounds
    "turn",  # dialog: one buyer turn
]


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class CriterionResult:
    id: str
    label: str
    kind: CriterionKind
    points: float  # earned (negative for a forbidden phrase)
    max_points: float  # 0 for forbidden phrases and length
    met: bool  # concept said / phrase used / step in place …
    message: str = ""  # Chinese, says why
    spans: tuple[Span, ...] = ()


@dataclass(frozen=True)
class Violation:
    id: str
    label: str
    rule: str  # e.g. 天猫规则·发票
    penalty: str  # e.g. 违规扣6分
    message: str  # Chinese, names the rule and the penalty
    spans: tuple[Span, ...] = ()


@dataclass(frozen=True)
class Grade:
    question_id: str
    question_type: str
    score: float
    max_score: float
    passed: bool
    criteria: tuple[CriterionResult, ...]
    violations: tuple[Violation, ...]
    feedback: str  # Chinese summary: what was right, what was missing, why
    lessons: tuple[str, ...]  # lessons to revisit
    grader_version: str = GRADER_VERSION
    extra: dict[str, Any] = field(default_factory=dict)  # e.g. dialog path, normalised text

    @property
    def ratio(self) -> float:
        return self.score / self.max_score if self.max_score else 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Grade:
        crit = tuple(
            CriterionResult(**{**c, "spans": tuple(Span(**s) for s in c.get("spans", ()))})
            for c in d.get("criteria", ())
        )
        viol = tuple(
            Violation(**{**v, "spans": tuple(Span(**s) for s in v.get("spans", ()))})
            for v in d.get("violations", ())
        )
        rest = {k: v for k, v in d.items() if k not in ("criteria", "violations", "lessons")}
        return cls(**rest, criteria=crit, violations=viol, lessons=tuple(d.get("lessons", ())))
