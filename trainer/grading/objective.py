"""Scorers for the objective question types.  Each returns a :class:`Grade` out of 1 point.

Partial credit:

* **single / true_false / numeric**: all or nothing.  Numeric answers are right when
  ``|given - answer| <= tolerance``; the unit is the question's (a unit written by the trainee
  must be the same one: ``72天`` is wrong for an answer in 小时).
* **multiple**: ``max(0, right picks - wrong picks) / number of right options``; passed only
  when exactly the right options are picked.  Guessing every option therefore earns nothing
  more than the right ones minus the wrong ones.
* **ordering**: the longest run of steps already in the right relative order (longest common
  subsequence with the key) divided by the number of steps; passed only when fully right.
  Moving one step to a wrong place costs one step's share, not the whole question.
* **matching**: right pairs / all pairs; passed only when every pair is right.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from trainer.catalog.models import (
    Matching,
    MultipleChoice,
    Numeric,
    Ordering,
    SingleChoice,
    TrueFalse,
)
from trainer.grading.result import CriterionResult, Grade


def _grade(
    q,
    score: float,
    criteria: list[CriterionResult],
    head: str,
    lesson_titles: Mapping[str, str] | None,
) -> Grade:
    passed = score >= 1 - 1e-9
    lines = [head, f"解析：{q.explanation}"]
    if not passed:
        names = [
            f"《{lesson_titles[x]}》" if lesson_titles and x in lesson_titles else x
            for x in q.lessons
        ]
        lines.append("建议复习：" + "、".join(names))
    return Grade(
        question_id=q.id,
        question_type=q.type,
        score=round(score, 4),
        max_score=1.0,
        passed=passed,
        criteria=tuple(criteria),
        violations=(),
        feedback="\n".join(lines),
        lessons=tuple(q.lessons),
    )


def grade_single(q: SingleChoice, answer: str, titles=None) -> Grade:
    ok = answer == q.answer
    crit = [
        CriterionResult(
            id=answer or "-",
            label=q.options.get(answer, "未作答"),
            kind="option",
            points=1.0 if ok else 0.0,
            max_points=1.0,
            met=ok,
            message="选对了" if ok else f"正确答案是 {q.answer}. {q.options[q.answer]}",
        )
    ]
    head = "回答正确。" if ok else f"回答错误：正确答案是 {q.answer}. {q.options[q.answer]}。"
    return _grade(q, 1.0 if ok else 0.0, crit, head, titles)


def grade_multiple(q: MultipleChoice, picks: Sequence[str], titles=None) -> Grade:
    chosen = list(dict.fromkeys(picks))
    right = set(q.answer)
    crit = []
    for key in q.options:
        picked, should = key in chosen, key in right
        if not picked and not should:
            continue
        if picked and should:
            msg = "选对了"
        elif picked:
            msg = "这一项不该选"
        else:
            msg = "漏选了"
        crit.append(
            CriterionResult(
                id=key,
                label=q.options[key],
                kind="option",
                points=(1 if should else -1) / len(right) if picked else 0.0,
                max_points=1 / len(right) if should else 0.0,
                met=picked == should,
                message=msg,
            )
        )
    good = sum(1 for k in chosen if k in right)
    bad = sum(1 for k in chosen if k not in right)
    score = max(0, good - bad) / len(right)
    key_text = "、".join(sorted(right))
    head = "回答正确。" if set(chosen) == right else f"回答不完全正确：正确答案是 {key_text}。"
    return _grade(q, score, crit, head, titles)


def grade_true_false(q: TrueFalse, answer: bool, titles=None) -> Grade:
    ok = answer == q.answer
    word = "对" if q.answer else "错"
    crit = [
        CriterionResult(
            id="tf",
            label=word,
            kind="option",
            points=float(ok),
            max_points=1.0,
            met=ok,
            message="判断正确" if ok else f"这句话是{word}的",
        )
    ]
    return _grade(
        q, float(ok), crit, "判断正确。" if ok else f"判断错误：这句话是{word}的。", titles
    )


def grade_numeric(q: Numeric, value: float, unit: str | None = None, titles=None) -> Grade:
    unit_ok = unit in (None, "", q.unit)
    ok = unit_ok and abs(value - q.answer) <= q.tolerance + 1e-9
    expected = f"{q.answer:g} {q.unit}"
    if ok:
        msg = "数值正确"
    elif not unit_ok:
        msg = f"单位不对：应以“{q.unit}”计，正确答案是 {expected}"
    else:
        msg = f"正确答案是 {expected}"
    crit = [
        CriterionResult(
            id="value",
            label=f"{value:g} {unit or q.unit}",
            kind="option",
            points=float(ok),
            max_points=1.0,
            met=ok,
            message=msg,
        )
    ]
    return _grade(q, float(ok), crit, "回答正确。" if ok else f"回答错误：{msg}。", titles)


def _lcs(a: Sequence[str], b: Sequence[str]) -> int:
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b):
            cur.append(prev[j] + 1 if x == y else max(prev[j + 1], cur[j]))
        prev = cur
    return prev[-1]


def grade_ordering(q: Ordering, order: Sequence[str], titles=None) -> Grade:
    steps = list(q.steps)
    given = [s for s in order if s in steps]
    given = list(dict.fromkeys(given))
    crit = [
        CriterionResult(
            id=f"step{i + 1}",
            label=step,
            kind="step",
            points=0.0,
            max_points=1 / len(steps),
            met=i < len(given) and given[i] == step,
            message="位置正确" if i < len(given) and given[i] == step else f"应排在第 {i + 1} 步",
        )
        for i, step in enumerate(steps)
    ]
    score = _lcs(given, steps) / len(steps)
    crit = [
        CriterionResult(**{**c.__dict__, "points": c.max_points if c.met else 0.0}) for c in crit
    ]
    head = "顺序正确。" if given == steps else "顺序不对，正确顺序：" + " → ".join(steps) + "。"
    return _grade(q, score, crit, head, titles)


def grade_matching(q: Matching, mapping: Mapping[str, str], titles=None) -> Grade:
    crit = []
    right = 0
    for pair in q.pairs:
        got = mapping.get(pair.left)
        ok = got == pair.right
        right += ok
        crit.append(
            CriterionResult(
                id=pair.left,
                label=f"{pair.left} → {got or '未作答'}",
                kind="pair",
                points=1 / len(q.pairs) if ok else 0.0,
                max_points=1 / len(q.pairs),
                met=ok,
                message="配对正确" if ok else f"应配：{pair.right}",
            )
        )
    score = right / len(q.pairs)
    head = "全部配对正确。" if right == len(q.pairs) else f"配对正确 {right}/{len(q.pairs)}。"
    return _grade(q, score, crit, head, titles)
