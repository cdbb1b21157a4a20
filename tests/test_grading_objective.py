"""Objective scorers and response parsing, table-driven."""

from __future__ import annotations

import pytest

from trainer.catalog.models import (
    Matching,
    MultipleChoice,
    Numeric,
    Ordering,
    SingleChoice,
    TrueFalse,
)
from trainer.grading import ResponseError, grade, parse_response

BASE = {"lessons": ["l1"], "explanation": "依据规则。", "source": ["000_68c124b382987b75.txt"]}
SINGLE = SingleChoice.model_validate(
    {
        **BASE,
        "id": "s",
        "type": "single",
        "prompt": "?",
        "options": {"A": "甲", "B": "乙", "C": "丙"},
        "answer": "B",
    }
)
MULTI = MultipleChoice.model_validate(
    {
        **BASE,
        "id": "m",
        "type": "multiple",
        "prompt": "?",
        "options": {"A": "甲", "B": "乙", "C": "丙", "D": "丁"},
        "answer": ["A", "C"],
    }
)
TF = TrueFalse.model_validate(
    {**BASE, "id": "t", "type": "true_false", "prompt": "?", "answer": False}
)
NUM = Numeric.model_validate(
    {**BASE, "id": "n", "type": "numeric", "prompt": "?", "answer": 72, "unit": "小时"}
)
PCT = Numeric.model_validate(
    {
        **BASE,
        "id": "p",
        "type": "numeric",
        "prompt": "?",
        "answer": 30,
        "unit": "%",
        "tolerance": 0.5,
    }
)
ORDER = Ordering.model_validate(
    {
        **BASE,
        "id": "o",
        "type": "ordering",
        "prompt": "?",
        "steps": ["申请退货", "同意退货", "填写物流信息", "收货并退款"],
    }
)
MATCH = Matching.model_validate(
    {
        **BASE,
        "id": "x",
        "type": "matching",
        "prompt": "?",
        "pairs": [
            {"left": "发票违规", "right": "扣6分"},
            {"left": "补运费", "right": "扣4分"},
            {"left": "描述不符轻微", "right": "扣3分"},
        ],
    }
)

# (question, response, score, passed)
CASES = [
    (SINGLE, "B", 1.0, True),
    (SINGLE, "A", 0.0, False),
    (SINGLE, "", 0.0, False),
    (MULTI, ["A", "C"], 1.0, True),
    (MULTI, ["C", "A"], 1.0, True),
    (MULTI, ["A"], 0.5, False),
    (MULTI, ["A", "B"], 0.0, False),
    (MULTI, ["A", "B", "C", "D"], 0.0, False),
    (MULTI, ["A", "C", "D"], 0.5, False),
    (TF, False, 1.0, True),
    (TF, True, 0.0, False),
    (NUM, 72, 1.0, True),
    (NUM, (72, "小时"), 1.0, True),
    (NUM, (72, "天"), 0.0, False),
    (NUM, 48, 0.0, False),
    (PCT, 30.4, 1.0, True),
    (PCT, 31, 0.0, False),
    (ORDER, ["申请退货", "同意退货", "填写物流信息", "收货并退款"], 1.0, True),
    (ORDER, ["同意退货", "申请退货", "填写物流信息", "收货并退款"], 0.75, False),
    (ORDER, ["收货并退款", "填写物流信息", "同意退货", "申请退货"], 0.25, False),
    (ORDER, [], 0.0, False),
    (MATCH, {"发票违规": "扣6分", "补运费": "扣4分", "描述不符轻微": "扣3分"}, 1.0, True),
    (MATCH, {"发票违规": "扣4分", "补运费": "扣6分", "描述不符轻微": "扣3分"}, 1 / 3, False),
    (MATCH, {}, 0.0, False),
]


@pytest.mark.parametrize(("q", "response", "score", "passed"), CASES)
def test_objective(q, response, score, passed) -> None:
    g = grade(q, response)
    assert g.score == pytest.approx(score, abs=1e-3)
    assert g.passed is passed
    assert g.max_score == 1.0
    assert "依据规则" in g.feedback
    if not passed:
        assert "建议复习：l1" in g.feedback


PARSE = [
    (SINGLE, "b\n", "B"),
    (SINGLE, "Ｂ", "B"),
    (MULTI, "A,C", ["A", "C"]),
    (MULTI, "ac", ["A", "C"]),
    (MULTI, '["A","C"]', ["A", "C"]),
    (TF, "错", False),
    (TF, "对", True),
    (TF, "false", False),
    (NUM, "72", (72.0, None)),
    (NUM, "７２小时", (72.0, "小时")),
    (PCT, "30%", (30.0, "%")),
    (ORDER, '["申请退货","同意退货"]', ["申请退货", "同意退货"]),
    (MATCH, '{"发票违规": "扣6分"}', {"发票违规": "扣6分"}),
]


@pytest.mark.parametrize(("q", "raw", "expected"), PARSE)
def test_parse_response(q, raw, expected) -> None:
    assert parse_response(q, raw) == expected


@pytest.mark.parametrize(
    ("q", "raw"),
    [
        (SINGLE, "Z"),
        (MULTI, "xyz"),
        (TF, "也许"),
        (NUM, "七十二"),
        (ORDER, "不是json"),
        (ORDER, '["不存在的步骤"]'),
        (MATCH, "[1,2]"),
    ],
)
def test_bad_responses_are_clear_errors(q, raw) -> None:
    with pytest.raises(ResponseError) as info:
        parse_response(q, raw)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(info.value)), "message is Chinese"
