"""Grading: one scorer per question type, and the reply rubric engine.  Pure functions.

``grade(question, response)`` takes the response in its native form:

=============  ===============================================================
type           response
=============  ===============================================================
single         option key, ``"B"``
multiple       option keys, ``["A", "C"]``
true_false     ``True`` / ``False``
numeric        a number, or ``(number, unit)``
ordering       the step texts in the trainee's order
matching       ``{left: right}``
reply          the reply text
dialog         the list of replies, one per buyer turn
=============  ===============================================================

``parse_response(question, raw)`` turns typed text (the CLI's stdin) into that form.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from trainer.grading.dialog import grade_dialog, grade_dialog_turn
from trainer.grading.normalize import normalize
from trainer.grading.objective import (
    grade_matching,
    grade_multiple,
    grade_numeric,
    grade_ordering,
    grade_single,
    grade_true_false,
)
from trainer.grading.reply import grade_reply
from trainer.grading.result import GRADER_VERSION, CriterionResult, Grade, Span, Violation

__all__ = [
    "GRADER_VERSION",
    "CriterionResult",
    "Grade",
    "ResponseError",
    "Span",
    "Violation",
    "grade",
    "grade_dialog",
    "grade_dialog_turn",
    "grade_reply",
    "normalize",
    "parse_response",
]


class ResponseError(ValueError):
    """A response that cannot be read for its question type (Chinese message)."""


def grade(question: Any, response: Any, *, lesson_titles: Mapping[str, str] | None = None) -> Grade:
    """Grade ``response`` to ``question`` (see the module docstring for response forms)."""
    t = question.type
    if t == "single":
        return grade_single(question, str(response or "").strip().upper(), lesson_titles)
    if t == "multiple":
        picks = list(response) if not isinstance(response, str) else list(response.upper())
        return grade_multiple(question, [str(p).strip().upper() for p in picks], lesson_titles)
    if t == "true_false":
        return grade_true_false(question, bool(response), lesson_titles)
    if t == "numeric":
        value, unit = response if isinstance(response, tuple) else (response, None)
        return grade_numeric(question, float(value), unit, lesson_titles)
    if t == "ordering":
        return grade_ordering(question, [str(s) for s in response], lesson_titles)
    if t == "matching":
        return grade_matching(
            question, {str(k): str(v) for k, v in dict(response).items()}, lesson_titles
        )
    if t == "reply":
        return grade_reply(
            question.rubric,
            str(response or ""),
            question_id=question.id,
            lessons=tuple(question.lessons),
            lesson_titles=lesson_titles,
        )
    if t == "dialog":
        replies = [response] if isinstance(response, str) else list(response)
        return grade_dialog(question, [str(r) for r in replies], lesson_titles=lesson_titles)
    raise ResponseError(f"未知题型：{t}")


_TRUE = {"对", "正确", "是", "true", "t", "yes", "y", "1", "√", "✓"}
_FALSE = {"错", "错误", "否", "false", "f", "no", "n", "0", "×", "✗", "x"}
_NUMBER = re.compile(r"^([-+]?\d+(?:\.\d+)?)\s*(.*)$")


def parse_response(question: Any, raw: str) -> Any:
    """Read typed text as a response to ``question``; raise :class:`ResponseError`."""
    text = (
        normalize(raw).text
        if question.type not in ("reply", "dialog", "ordering", "matching")
        else raw.strip()
    )
    t = question.type
    if t == "reply":
        return raw.strip()
    if t == "single":
        key = text.strip(",.").upper()
        if key not in question.options:
            raise ResponseError(
                f"请输入一个选项字母（{'/'.join(question.options)}），收到 {raw.strip()!r}"
            )
        return key
    if t == "multiple":
        keys = _json_list(text) if text.startswith("[") else re.findall(r"[a-h]", text)
        keys = [str(k).upper() for k in keys]
        bad = [k for k in keys if k not in question.options]
        if not keys or bad:
            raise ResponseError(f"请输入选项字母，如 A,C（可选 {'/'.join(question.options)}）")
        return keys
    if t == "true_false":
        word = text.strip(",.!")
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
        raise ResponseError("请回答 对 或 错")
    if t == "numeric":
        m = _NUMBER.match(text.replace(",", ""))
        if not m:
            raise ResponseError(f"请输入数字（单位：{question.unit}），收到 {raw.strip()!r}")
        return float(m.group(1)), (m.group(2) or None)
    if t == "ordering":
        steps = _json_list(text)
        unknown = [s for s in steps if s not in question.steps]
        if unknown:
            raise ResponseError(f"这些步骤不在题目中：{'、'.join(map(str, unknown))}")
        return [str(s) for s in steps]
    if t == "matching":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ResponseError(f'请用 JSON 对象作答，如 {{"左": "右"}}：{exc.msg}') from None
        if not isinstance(data, dict):
            raise ResponseError('请用 JSON 对象作答，如 {"左": "右"}')
        return {str(k): str(v) for k, v in data.items()}
    if t == "dialog":
        if text.startswith("["):
            return [str(x) for x in _json_list(text)]
        return [line for line in raw.splitlines() if line.strip()]
    raise ResponseError(f"未知题型：{t}")


def _json_list(text: str) -> list:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ResponseError(f'请用 JSON 列表作答，如 ["第一步", "第二步"]：{exc.msg}') from None
    if not isinstance(data, list):
        raise ResponseError("请用 JSON 列表作答")
    return data
