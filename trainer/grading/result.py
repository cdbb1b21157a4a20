"""What a grade looks like: plain frozen dataclasses, JSON-ready through ``to_dict``.

The UI highlights ``spans`` (offsets into the trainee's *original* text, end exclusive);
records store ``Grade.to_dict()`` as JSON next to the response.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, is_dataclass
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


# Grading builds a dozen of these per reply.  The frozen dataclasses keep their generated
# ``__eq__``/``__hash__``/``__repr__`` and stay frozen, but get a hand-written ``__init__``
# with the same signature that fills ``__dict__`` directly: the generated one calls
# ``object.__setattr__`` once per field (about twice as slow).  ``dataclass`` keeps an
# ``__init__`` the class defines itself.


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str

    def __init__(self, start: int, end: int, text: str) -> None:
        d = self.__dict__
        d["start"] = start
        d["end"] = end
        d["text"] = text


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

    def __init__(
        self,
        id: str,
        label: str,
        kind: CriterionKind,
        points: float,
        max_points: float,
        met: bool,
        message: str = "",
        spans: tuple[Span, ...] = (),
    ) -> None:
        d = self.__dict__
        d["id"] = id
        d["label"] = label
        d["kind"] = kind
        d["points"] = points
        d["max_points"] = max_points
        d["met"] = met
        d["message"] = message
        d["spans"] = spans


@dataclass(frozen=True)
class Violation:
    id: str
    label: str
    rule: str  # e.g. 天猫规则·发票
    penalty: str  # e.g. 违规扣6分
    message: str  # Chinese, names the rule and the penalty
    spans: tuple[Span, ...] = ()

    def __init__(
        self,
        id: str,
        label: str,
        rule: str,
        penalty: str,
        message: str,
        spans: tuple[Span, ...] = (),
    ) -> None:
        d = self.__dict__
        d["id"] = id
        d["label"] = label
        d["rule"] = rule
        d["penalty"] = penalty
        d["message"] = message
        d["spans"] = spans


_NO_EXTRA: Any = object()


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

    def __init__(
        self,
        question_id: str,
        question_type: str,
        score: float,
        max_score: float,
        passed: bool,
        criteria: tuple[CriterionResult, ...],
        violations: tuple[Violation, ...],
        feedback: str,
        lessons: tuple[str, ...],
        grader_version: str = GRADER_VERSION,
        extra: dict[str, Any] = _NO_EXTRA,
    ) -> None:
        d = self.__dict__
        d["question_id"] = question_id
        d["question_type"] = question_type
        d["score"] = score
        d["max_score"] = max_score
        d["passed"] = passed
        d["criteria"] = criteria
        d["violations"] = violations
        d["feedback"] = feedback
        d["lessons"] = lessons
        d["grader_version"] = grader_version
        d["extra"] = {} if extra is _NO_EXTRA else extra

    @property
    def ratio(self) -> float:
        return self.score / self.max_score if self.max_score else 0.0

    def to_dict(self) -> dict[str, Any]:
        """``dataclasses.asdict(self)``, written out (it is on every submit's path)."""
        return {
            "question_id": _plain(self.question_id),
            "question_type": _plain(self.question_type),
            "score": _plain(self.score),
            "max_score": _plain(self.max_score),
            "passed": _plain(self.passed),
            "criteria": tuple(
                {
                    "id": _plain(c.id),
                    "label": _plain(c.label),
                    "kind": _plain(c.kind),
                    "points": _plain(c.points),
                    "max_points": _plain(c.max_points),
                    "met": _plain(c.met),
                    "message": _plain(c.message),
                    "spans": _plain(c.spans),
                }
                if type(c) is CriterionResult
                else _plain(c)
                for c in self.criteria
            ),
            "violations": _plain(self.violations),
            "feedback": _plain(self.feedback),
            "lessons": _plain(self.lessons),
            "grader_version": _plain(self.grader_version),
            "extra": _plain(self.extra),
        }

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


_ATOMS = (str, int, float, bool, type(None))


def _plain(obj: Any) -> Any:
    """What ``dataclasses.asdict`` makes of a value: dataclasses become dicts, lists, tuples
    and dicts are rebuilt, anything else is deep-copied (atoms are returned as they are)."""
    t = type(obj)
    if t in _ATOMS:
        return obj
    if t is Span:
        return {"start": obj.start, "end": obj.end, "text": obj.text}
    if t is tuple:
        return tuple(_plain(x) for x in obj)
    if t is list:
        return [_plain(x) for x in obj]
    if t is dict:
        return {_plain(k): _plain(v) for k, v in obj.items()}
    if is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: _plain(getattr(obj, f.name)) for f in fields(obj)}
    return _asdict_value(obj)


def _asdict_value(obj: Any) -> Any:
    """Anything else (named tuples, subclasses, other objects): exactly as ``asdict`` does."""

    @dataclass
    class _Box:
        value: Any

    return asdict(_Box(obj))["value"]
