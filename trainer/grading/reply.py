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

Patterns are compiled once per rubric (rubrics are frozen and live as long as the catalog),
each with a prefilter (:mod:`trainer.grading.prefilter`): an index from characters to the
patterns that need them picks, for a reply, the few patterns worth searching.  Prefilters are
necessary conditions only, so they never change a grade.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache, reduce
from operator import or_

from trainer.catalog.models import Rubric, compile_pattern
from trainer.grading.negation import (
    MASK_CHARS,
    is_negated,
    mask_non_negations,
    spells_negation,
    top_level_alternatives,
)
from trainer.grading.normalize import CLAUSE_BREAK, Normalized, break_positions, normalize
from trainer.grading.prefilter import Prefilter, prefilter, text_keys
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


#: a compiled pattern, whether negators inside its match count (False when the pattern
#: spells a negation out itself), and its literal prefilter (None: always search it)
_Pat = tuple[re.Pattern[str], bool, Prefilter | None, object]  # (+ the prefilter's check)


@dataclass(frozen=True)
class _Compiled:
    """A rubric's patterns, all in one list, with an index from a key (a character or a pair
    of adjacent characters) to the patterns that need it (:mod:`trainer.grading.prefilter`):
    a reply's keys pick the few patterns worth searching, and most criteria are ruled out
    without a single regex search.

    Sets of patterns are bit masks (bit ``i`` = pattern ``i``): a reply's candidates are the
    OR of its keys' masks, and a criterion has candidates when its mask meets them.  The
    plans hold, per concept, forbidden phrase and violation (affirmative and negated side),
    the mask of its patterns."""

    pats: tuple[_Pat, ...]
    #: key → mask of the patterns whose most selective requirement the key may meet
    index: dict[str, int]
    #: mask of the patterns without a prefilter (always searched)
    free: int
    #: mask of every forbidden and violation pattern: most replies break nothing
    risky: int
    max_score: float  # the rubric's (a computed property there; rubrics are frozen)
    #: per concept: (concept, mask of its patterns, message when met, message when missing)
    concept_plan: tuple[tuple[object, int, str, str], ...]
    #: per forbidden phrase: (phrase, mask of its patterns)
    forbidden_plan: tuple[tuple[object, int], ...]
    #: per violation: (violation, affirmative mask, negated mask, both)
    violation_plan: tuple[tuple[object, int, int, int], ...]
    #: the structure items that earn points: (key, label, pattern, hint, points)
    structure_plan: tuple[tuple[str, str, re.Pattern[str], str, float], ...]
    #: mask → its patterns, remembered (the same few masks recur reply after reply)
    groups: dict[int, tuple[_Pat, ...]] = field(default_factory=dict, compare=False)

    def patterns(self, mask: int) -> tuple[_Pat, ...]:
        """The patterns of a mask, lowest bit first."""
        hit = self.groups.get(mask)
        if hit is None:
            if len(self.groups) > 4096:
                self.groups.clear()
            hit = self.groups[mask] = tuple(self.pats[i] for i in _pattern_ids(mask))
        return hit

    def candidates(self, keys: set[str]) -> int:
        """Mask of the patterns that may match a text offering ``keys`` (its characters,
        :func:`~trainer.grading.prefilter.text_keys`) by their most selective requirement;
        the other requirements are checked per pattern (:func:`_matches`)."""
        index = self.index
        # (most of a text's pairs key nothing: intersect first, in C)
        return reduce(or_, map(index.__getitem__, index.keys() & keys), self.free)


def _pattern_ids(mask: int) -> list[int]:
    """The pattern ids set in ``mask``, lowest first."""
    out = []
    while mask:
        low = mask & -mask
        out.append(low.bit_length() - 1)
        mask ^= low
    return out


_CACHE: dict[int, tuple[Rubric, _Compiled]] = {}


@lru_cache(maxsize=16384)
def _pattern(alt: str) -> _Pat:
    """One top-level branch of a rubric pattern, compiled and analysed once per process
    (the shared safety-net patterns recur in every rubric of their platforms)."""
    compiled = compile_pattern(alt)
    pre = prefilter(compiled)
    return compiled, not spells_negation(alt), pre, None if pre is None else pre.check


def _compiled(rubric: Rubric) -> _Compiled:
    hit = _CACHE.get(id(rubric))
    if hit is not None and hit[0] is rubric:
        return hit[1]
    pats: list[_Pat] = []
    masks: list[int] = []

    def comp(patterns: tuple[str, ...]) -> int:
        # each top-level branch on its own: a negator spelled in one branch does not switch
        # negation handling off for its siblings
        mask = 0
        for p in patterns:
            for alt in top_level_alternatives(p):
                mask |= 1 << len(pats)
                pats.append(_pattern(alt))
        masks.append(mask)
        return len(masks) - 1

    concepts = tuple(comp(x.patterns) for x in rubric.concepts)
    forbidden = tuple(comp(x.patterns) for x in rubric.forbidden)
    violations = tuple((comp(v.patterns), comp(v.negated_patterns)) for v in rubric.violations)
    index: dict[str, int] = {}
    free = 0
    for pid, (_, _, pre, _) in enumerate(pats):
        if pre is None:
            free |= 1 << pid
            continue
        for key in pre.keys[0]:
            index[key] = index.get(key, 0) | 1 << pid
    risky = 0
    for gid in (*forbidden, *(g for pair in violations for g in pair)):
        risky |= masks[gid]
    concept_plan = tuple(
        (
            x,
            masks[gid],
            f"做到了：{x.label}",
            f"缺少：{x.label}" + (f"（{x.hint}）" if x.hint else ""),
        )
        for x, gid in zip(rubric.concepts, concepts, strict=True)
    )
    violation_plan = tuple(
        (v, masks[a], masks[n], masks[a] | masks[n])
        for v, (a, n) in zip(rubric.violations, violations, strict=True)
    )
    c = _Compiled(
        pats=tuple(pats),
        index=index,
        free=free,
        risky=risky,
        max_score=rubric.max_score,
        concept_plan=concept_plan,
        forbidden_plan=tuple(
            (x, masks[gid]) for x, gid in zip(rubric.forbidden, forbidden, strict=True)
        ),
        violation_plan=violation_plan,
        structure_plan=tuple(
            (key, label, pattern, hint, getattr(rubric.structure, key))
            for key, label, pattern, hint in _STRUCTURE
            if getattr(rubric.structure, key)
        ),
    )
    _CACHE[id(rubric)] = (rubric, c)
    return c


def _matches(
    comp: _Compiled,
    pids: int,
    text: str,
    keys: set[str],
    masked: str,
    breaks: list[int],
    *,
    negation: bool,
    stop: bool | None = None,
) -> list[tuple[int, int, bool]]:
    """``(start, end, negated)`` of the matches of the patterns in the mask ``pids`` (a
    group's candidates, see :meth:`_Compiled.candidates`); ``negated`` is only worked out
    when ``negation`` is asked for, else False.  With ``stop`` the search ends at the first
    match whose ``negated`` equals it: a criterion is met by one phrase, and the feedback
    highlights that one."""
    if not pids:
        return []
    out = []
    for pat, inside, _, check in comp.groups.get(pids) or comp.patterns(pids):
        if check is not None and not check(text, keys):
            continue  # (the first requirement was checked through the index)
        m = pat.search(text)
        if m is None:  # the usual case
            continue
        for start, end in _spans_of(pat, text, m):
            while start < end and text[start] in CLAUSE_BREAK:
                start += 1  # a match written to start on a comma belongs to the next clause
            if start == end:
                continue
            if start and masked[start] == masked[start - 1] in MASK_CHARS:
                continue  # begun inside a fixed phrase: 能不能退 is not 不能退, 是不是第一 no claim
            neg = negation and is_negated(masked, start, end, include_match=inside, breaks=breaks)
            out.append((start, end, neg))
            if neg is stop:
                return out
    return out


def _spans_of(pat: re.Pattern[str], text: str, first: re.Match[str]) -> list[tuple[int, int]]:
    """The spans ``pat.finditer(text)`` yields, given its first match: each next match is
    searched from the end of the last (as finditer does; an empty match, which finditer
    treats specially, hands over to finditer itself)."""
    out = []
    m: re.Match[str] | None = first
    while m is not None:
        span = m.span()
        if span[0] == span[1]:
            return [x.span() for x in pat.finditer(text)]
        out.append(span)
        m = pat.search(text, span[1])
    return out


def _find(
    comp: _Compiled,
    pids: int,
    text: str,
    keys: set[str],
    masked: str,
    breaks: list[int],
    *,
    want_negated: bool | None,
) -> list[tuple[int, int]]:
    """Spans where a pattern matches; ``want_negated`` None = any, True = only negated,
    False = only affirmative."""
    if not pids:
        return []
    found = _matches(
        comp,
        pids,
        text,
        keys,
        masked,
        breaks,
        negation=want_negated is not None,
        stop=False if want_negated is None else want_negated,
    )
    if want_negated is None:
        return [(s, e) for s, e, _ in found]
    return [(s, e) for s, e, neg in found if neg == want_negated]


def _spans(norm: Normalized, original: str, found: list[tuple[int, int]]) -> tuple[Span, ...]:
    if not found:
        return ()
    if norm.index is None:  # nothing added or removed: offsets are the original's
        return tuple(Span(s, e, original[s:e]) for s, e in sorted(set(found)))
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
    breaks = break_positions(masked)
    keys = text_keys(t)
    cand = comp.candidates(keys)
    criteria: list[CriterionResult] = []
    good: list[str] = []
    missing: list[str] = []
    required_missing: list[str] = []

    for concept, mask, met_msg, miss_msg in comp.concept_plan:
        mask &= cand
        hits = (
            _matches(comp, mask, t, keys, masked, breaks, negation=concept.negatable, stop=False)
            if mask
            else ()
        )
        found = [(s, e) for s, e, neg in hits if not neg]
        met = bool(found)
        if not met and concept.negatable and hits:  # every match said negatively
            msg = f"“{concept.label}”说成了否定的意思，不得分"
        elif met:
            msg = met_msg
        else:
            msg = miss_msg
        criteria.append(
            CriterionResult(
                concept.id,
                concept.label,
                "concept",
                concept.points if met else 0.0,
                concept.points,
                met,
                msg,
                _spans(norm, text, found),
            )
        )
        (good if met else missing).append(concept.label if met else msg)
        if concept.required and not met:
            required_missing.append(concept.label)

    for key, label, pattern, hint, pts in comp.structure_plan:
        # only the first match is shown, so one search does (greeting: ``^``-anchored)
        m = (
            pattern.search(t, max(0, len(t) - CLOSING_TAIL))
            if key == "closing"
            else (pattern.search(t))
        )
        if m is None:
            found = []
        elif key == "greeting":
            found = [m.span(1)]
        else:
            found = [m.span()]
        met = bool(found)
        criteria.append(
            CriterionResult(
                key,
                label,
                "structure",
                pts if met else 0.0,
                pts,
                met,
                f"做到了：{label}" if met else f"缺少{label}：{hint}",
                _spans(norm, text, found),
            )
        )
        (good if met else missing).append(label if met else f"缺少{label}")

    penalty = 0.0
    taboo_msgs: list[str] = []
    risky = comp.risky & cand
    for item, mask in comp.forbidden_plan if risky else ():
        found = _find(comp, mask & cand, t, keys, masked, breaks, want_negated=None)
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
    for v, pos, neg, either in comp.violation_plan if risky else ():
        if not either & cand:
            continue
        if v.fallback and violations:
            continue  # the safety net only catches what the scenario's own rules missed
        pos &= cand
        neg &= cand
        found = []
        if pos:
            hits = _matches(comp, pos, t, keys, masked, breaks, negation=v.negatable, stop=False)
            found = [(a, b) for a, b, negated in hits if not negated]
        if neg:
            hits = _matches(comp, neg, t, keys, masked, breaks, negation=True, stop=True)
            found += [(a, b) for a, b, negated in hits if negated]
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

    max_score = comp.max_score
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
