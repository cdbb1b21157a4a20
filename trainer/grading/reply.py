"""The reply rubric engine: scores a free-text reply to a buyer.

Semantics are those of :mod:`trainer.catalog.models` (module docstring).  In short:

* concepts earn their points when a pattern matches in a clause that is not negated
  (unless ``negatable: false``); required concepts must all be met to pass;
* structure (greeting / apology / closing) earns its points from built-in phrase lists;
* each forbidden phrase (禁忌用语) used costs its penalty once;
* any rule violation fails the reply outright: score 0, with the rule and the penalty named;
* the reply must stay within the length bounds;
* pass = no violation, every required concept met, length in bounds and
  ``score >= pass_ratio * max_score``.

Patterns are compiled once per rubric (rubrics are frozen and live as long as the catalog).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from trainer.catalog.models import Rubric, compile_pattern
from trainer.grading.negation import (
    is_negated,
    mask_non_negations,
    spells_negation,
    top_level_alternatives,
)
from trainer.grading.normalize import CLAUSE_BREAK, Normalized, normalize
from trainer.grading.result import CriterionResult, Grade, Span, Violation

GREETING = re.compile(
    r"^.{0,6}?(亲|你好|在的|在呢|在哦|欢迎|哈喽|hello|hi|嗨|早上好|下午好|晚上好|收到)"
)
APOLOGY = re.compile(
    r"抱歉|对不起|不好意思|歉意|添麻烦|给你带来|久等|见谅|sorry|委屈|理解你的心情|非常理解"
)
CLOSING = re.compile(
    r"(祝你|还有(什么|其他|别的)|有(任何)?(问题|需要).{0,6}(随时|联系|找)|随时|感谢|谢谢|"
    r"辛苦|欢迎(再次|下次)|期待|请放心|放心|一直在)"
)
CLOSING_TAIL = 40  # a closing phrase counts in the last characters of the reply

_STRUCTURE = (
    ("greeting", "问候", GREETING, "开头先问候买家，如“亲，您好”"),
    ("apology", "致歉", APOLOGY, "先向买家致歉，如“非常抱歉给您添麻烦了”"),
    ("closing", "结束语", CLOSING, "结尾礼貌收尾，如“还有其他问题随时联系我哦”"),
)


#: a compiled pattern and whether negators inside its match count (False when the pattern
#: spells a negation out itself)
_Pat = tuple[re.Pattern[str], bool]


@dataclass(frozen=True)
class _Group:
    """The patterns of one criterion, and one combined regex that tells in a single search
    whether any of them can match at all (most criteria do not, for a given reply)."""

    any: re.Pattern[str] | None
    pats: tuple[_Pat, ...]


@dataclass(frozen=True)
class _Compiled:
    concepts: tuple[_Group, ...]
    forbidden: tuple[_Group, ...]
    violations: tuple[tuple[_Group, _Group], ...]
    #: one search over every forbidden and violation pattern: most replies break nothing
    risky: re.Pattern[str] | None = None


_CACHE: dict[int, tuple[Rubric, _Compiled]] = {}


def _compiled(rubric: Rubric) -> _Compiled:
    hit = _CACHE.get(id(rubric))
    if hit is not None and hit[0] is rubric:
        return hit[1]

    def comp(patterns: tuple[str, ...]) -> _Group:
        # each top-level branch on its own: a negator spelled in one branch does not switch
        # negation handling off for its siblings
        pats = tuple(
            (compile_pattern(alt), not spells_negation(alt))
            for p in patterns
            for alt in top_level_alternatives(p)
        )
        if not pats:
            return _Group(None, ())
        combined = re.compile("|".join(f"(?:{p.pattern})" for p, _ in pats), re.IGNORECASE)
        return _Group(combined, pats)

    forbidden = tuple(comp(x.patterns) for x in rubric.forbidden)
    violations = tuple((comp(v.patterns), comp(v.negated_patterns)) for v in rubric.violations)
    groups = [*forbidden, *(g for pair in violations for g in pair)]
    branches = [g.any.pattern for g in groups if g.any is not None]
    c = _Compiled(
        concepts=tuple(comp(x.patterns) for x in rubric.concepts),
        forbidden=forbidden,
        violations=violations,
        risky=re.compile("|".join(f"(?:{b})" for b in branches), re.IGNORECASE)
        if branches
        else None,
    )
    _CACHE[id(rubric)] = (rubric, c)
    return c


def _find(
    group: _Group, text: str, masked: str, *, want_negated: bool | None
) -> list[tuple[int, int]]:
    """Spans where a pattern matches; ``want_negated`` None = any, True = only negated,
    False = only affirmative."""
    if group.any is None or group.any.search(text) is None:
        return []
    spans = []
    for pat, inside in group.pats:
        for m in pat.finditer(text):
            start, end = m.start(), m.end()
            while start < end and text[start] in CLAUSE_BREAK:
                start += 1  # a match written to start on a comma belongs to the next clause
            if start == end:
                continue
            if start and masked[start] == masked[start - 1] == "\x00":
                continue  # begun inside a fixed phrase: 能不能退 is not 不能退, 是不是第一 no claim
            if want_negated is None or (
                is_negated(masked, start, end, include_match=inside) == want_negated
            ):
                spans.append((start, end))
    return spans


def _spans(norm: Normalized, original: str, found: list[tuple[int, int]]) -> tuple[Span, ...]:
    out = []
    for s, e in sorted(set(found)):
        a, b = norm.original_span(s, e)
        out.append(Span(a, b, original[a:b]))
    return tuple(out)


def grade_reply(
    rubric: Rubric,
    text: str,
    *,
    question_id: str,
    question_type: str = "reply",
    lessons: tuple[str, ...] = (),
    lesson_titles: Mapping[str, str] | None = None,
) -> Grade:
    """Score ``text`` against ``rubric``; never raises on any string input."""
    text = text if isinstance(text, str) else str(text)
    comp = _compiled(rubric)
    norm = normalize(text)
    t = norm.text
    masked = mask_non_negations(t)
    criteria: list[CriterionResult] = []
    good: list[str] = []
    missing: list[str] = []
    required_missing: list[str] = []

    for concept, pats in zip(rubric.concepts, comp.concepts, strict=True):
        found = _find(pats, t, masked, want_negated=False if concept.negatable else None)
        met = bool(found)
        if not met and concept.negatable and _find(pats, t, masked, want_negated=True):
            msg = f"“{concept.label}”说成了否定的意思，不得分"
        elif met:
            msg = f"做到了：{concept.label}"
        else:
            msg = f"缺少：{concept.label}" + (f"（{concept.hint}）" if concept.hint else "")
        criteria.append(
            CriterionResult(
                id=concept.id,
                label=concept.label,
                kind="concept",
                points=concept.points if met else 0.0,
                max_points=concept.points,
                met=met,
                message=msg,
                spans=_spans(norm, text, found),
            )
        )
        (good if met else missing).append(concept.label if met else msg)
        if concept.required and not met:
            required_missing.append(concept.label)

    for key, label, pattern, hint in _STRUCTURE:
        pts = getattr(rubric.structure, key)
        if not pts:
            continue
        if key == "closing":
            offset = max(0, len(t) - CLOSING_TAIL)
            found = [(m.start(), m.end()) for m in pattern.finditer(t, offset)]
        else:
            found = [(m.start(), m.end()) for m in pattern.finditer(t)]
            if key == "greeting" and found:
                found = [(m.start(1), m.end(1)) for m in pattern.finditer(t)][:1]
        met = bool(found)
        criteria.append(
            CriterionResult(
                id=key,
                label=label,
                kind="structure",
                points=pts if met else 0.0,
                max_points=pts,
                met=met,
                message=f"做到了：{label}" if met else f"缺少{label}：{hint}",
                spans=_spans(norm, text, found[:1]),
            )
        )
        (good if met else missing).append(label if met else f"缺少{label}")

    penalty = 0.0
    taboo_msgs: list[str] = []
    risky = comp.risky is not None and comp.risky.search(t) is not None
    for item, pats in zip(rubric.forbidden, comp.forbidden, strict=True):
        if not risky:
            break
        found = _find(pats, t, masked, want_negated=None)
        if not found:
            continue
        penalty += item.penalty
        why = f"：{item.why}" if item.why else ""
        msg = f"用了禁忌用语“{item.label}”，扣{item.penalty:g}分{why}"
        taboo_msgs.append(msg)
        criteria.append(
            CriterionResult(
                id=item.id,
                label=item.label,
                kind="forbidden",
                points=-item.penalty,
                max_points=0.0,
                met=True,
                message=msg,
                spans=_spans(norm, text, found),
            )
        )

    violations: list[Violation] = []
    for v, (affirm, negated) in zip(rubric.violations, comp.violations, strict=True):
        if not risky:
            break
        if v.fallback and violations:
            continue  # the safety net only catches what the scenario's own rules missed
        found = _find(affirm, t, masked, want_negated=False if v.negatable else None)
        found += _find(negated, t, masked, want_negated=True)
        if found:
            violations.append(
                Violation(
                    id=v.id,
                    label=v.label,
                    rule=v.rule,
                    penalty=v.penalty,
                    message=f"违规：{v.label}。依据 {v.rule}，店铺后果：{v.penalty}",
                    spans=_spans(norm, text, found),
                )
            )

    n = len(t)
    length_ok = rubric.length.min <= n <= rubric.length.max
    if not length_ok:
        if n == 0:
            msg = "回复是空的，请写下你要发给买家的话"
        elif n < rubric.length.min:
            msg = f"回复太短（{n} 字），至少要 {rubric.length.min} 字才能把事情说清楚"
        else:
            msg = f"回复太长（{n} 字），买家没耐心看完，请控制在 {rubric.length.max} 字以内"
        criteria.append(
            CriterionResult(
                id="length",
                label="长度",
                kind="length",
                points=0.0,
                max_points=0.0,
                met=False,
                message=msg,
            )
        )

    max_score = rubric.max_score
    earned = sum(c.points for c in criteria if c.kind in ("concept", "structure"))
    score = 0.0 if violations else min(max_score, max(0.0, earned - penalty))
    needed = rubric.pass_ratio * max_score
    passed = not violations and not required_missing and length_ok and score >= needed - 1e-9

    feedback = _feedback(
        passed=passed,
        score=score,
        max_score=max_score,
        needed=needed,
        good=good,
        missing=missing,
        required_missing=required_missing,
        taboos=taboo_msgs,
        violations=violations,
        length_msg=None if length_ok else criteria[-1].message,
        lessons=lessons,
        lesson_titles=lesson_titles,
    )
    return Grade(
        question_id=question_id,
        question_type=question_type,
        score=round(score, 2),
        max_score=max_score,
        passed=passed,
        criteria=tuple(criteria),
        violations=tuple(violations),
        feedback=feedback,
        lessons=tuple(lessons),
        extra={"pass_ratio": rubric.pass_ratio},
    )


def _feedback(
    *,
    passed: bool,
    score: float,
    max_score: float,
    needed: float,
    good: list[str],
    missing: list[str],
    required_missing: list[str],
    taboos: list[str],
    violations: list[Violation],
    length_msg: str | None,
    lessons: tuple[str, ...],
    lesson_titles: Mapping[str, str] | None,
) -> str:
    lines = []
    if violations:
        lines.append("不通过：这条回复触犯了平台规则，发出去店铺会被处罚。")
        lines += [f"· {v.message}" for v in violations]
    elif passed:
        lines.append(f"通过：{score:g}/{max_score:g} 分。")
    else:
        lines.append(f"未通过：{score:g}/{max_score:g} 分（需 {needed:g} 分）。")
    if required_missing:
        lines.append("必须说到但没有说到：" + "、".join(required_missing) + "。")
    if good:
        lines.append("做得好：" + "、".join(good) + "。")
    if missing:
        lines.append("还可以更好：" + "；".join(missing) + "。")
    lines += [f"· {m}" for m in taboos]
    if length_msg:
        lines.append(length_msg + "。")
    if lessons and not passed:
        names = [
            f"《{lesson_titles[x]}》" if lesson_titles and x in lesson_titles else x
            for x in lessons
        ]
        lines.append("建议复习：" + "、".join(names))
    return "\n".join(lines)
