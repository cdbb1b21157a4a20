"""The reply rubric engine, table-driven on the example rubric and small inline rubrics."""

from __future__ import annotations

from pathlib import Path

import pytest

from trainer.catalog import load_catalog
from trainer.catalog.models import Rubric
from trainer.grading import grade, grade_reply

EXAMPLE = load_catalog(Path(__file__).parent / "fixtures" / "example")
INVOICE = EXAMPLE.questions["example-invoice-reply"]

# (reply, passed, violation ids)
INVOICE_CASES = [
    ("亲，您好！特价商品也可以开发票的哦，麻烦提供一下抬头，还有其他问题随时联系我~", True, []),
    ("您好，可以给您开发票的，请问发票抬头是公司还是个人呢？谢谢", True, []),
    ("亲 在的 发票可以开 麻烦留下公司名称", True, []),
    ("亲，发票没问题，能开的，抬头发我一下哈", True, []),
    ("不好意思让您久等了，发票我们可以帮您开，请提供抬头", True, []),
    ("特价商品不能开发票", False, ["refuse-invoice"]),
    ("亲，活动款不支持开发票哦", False, ["refuse-invoice"]),
    ("发票开不了哦亲", False, ["refuse-invoice"]),
    ("可以开，不过发票邮费需要您自理哦", False, ["charge-invoice"]),
    ("能开发票，但要加3个点的税点费用，您来付", False, ["charge-invoice"]),
    ("亲，请问还有什么可以帮您", False, []),
    ("稍等，可以开发票", False, []),
    ("", False, []),
]


@pytest.mark.parametrize(
    ("reply", "passed", "violations"),
    INVOICE_CASES,
    ids=[c[0][:16] or "empty" for c in INVOICE_CASES],
)
def test_invoice_reply(reply, passed, violations) -> None:
    g = grade(INVOICE, reply)
    assert g.passed is passed, g.feedback
    assert [v.id for v in g.violations] == violations
    assert 0 <= g.score <= g.max_score
    if violations:
        assert g.score == 0
        assert "扣6分" in g.feedback and "天猫规则·发票" in g.feedback


def test_spans_point_at_what_matched() -> None:
    reply = "亲，您好！特价商品也可以开发票的哦，稍等我看下抬头"
    g = grade(INVOICE, reply)
    by_id = {c.id: c for c in g.criteria}
    for crit in ("agree", "title", "wait"):
        for span in by_id[crit].spans:
            assert reply[span.start : span.end] == span.text
    assert by_id["wait"].spans[0].text == "稍等"
    assert by_id["wait"].points == -10
    assert by_id["title"].spans[0].text == "抬头"


def test_violation_spans_and_message() -> None:
    reply = "亲，特价商品不能开发票哦"
    g = grade(INVOICE, reply)
    v = g.violations[0]
    assert v.rule.startswith("天猫规则·发票") and v.penalty == "违规扣6分"
    assert (
        "开发票" in v.spans[0].text and reply[v.spans[0].start : v.spans[0].end] == v.spans[0].text
    )


def _rubric(**kw) -> Rubric:
    base = {
        "concepts": [
            {"id": "sorry", "label": "致歉", "points": 20, "patterns": ["抱歉", "不好意思"]},
            {
                "id": "refund",
                "label": "同意退款",
                "points": 60,
                "required": True,
                "patterns": ["(可以|能|马上|这就|帮你).{0,6}退款", "退款.{0,6}(可以|没问题)"],
            },
        ],
        "structure": {"greeting": 10, "closing": 10},
    }
    base.update(kw)
    return Rubric.model_validate(base)


REFUND = _rubric()

REFUND_CASES = [
    ("亲，非常抱歉，还没发货的订单可以直接退款，还有其他问题随时找我", True),
    ("你好，马上帮您退款，谢谢理解", True),
    ("亲，退款没问题的，您申请就好，感谢", True),
    ("亲，抱歉，这个不能退款哦", False),  # required concept said negatively
    ("亲，抱歉给您添麻烦了", False),  # required concept missing
]


@pytest.mark.parametrize(("reply", "passed"), REFUND_CASES, ids=[c[0][:12] for c in REFUND_CASES])
def test_required_concept_and_negation(reply, passed) -> None:
    g = grade_reply(REFUND, reply, question_id="q")
    assert g.passed is passed, g.feedback


def test_negated_concept_is_explained() -> None:
    g = grade_reply(REFUND, "亲，这个不能退款哦", question_id="q")
    refund = next(c for c in g.criteria if c.id == "refund")
    assert not refund.met and "否定" in refund.message
    assert "必须说到但没有说到：同意退款" in g.feedback


def test_structure_points() -> None:
    g = grade_reply(REFUND, "亲，可以退款，还有什么问题随时联系我", question_id="q")
    got = {c.id: c.met for c in g.criteria if c.kind == "structure"}
    assert got == {"greeting": True, "closing": True}
    g = grade_reply(REFUND, "可以退款", question_id="q")
    got = {c.id: c.met for c in g.criteria if c.kind == "structure"}
    assert got == {"greeting": False, "closing": False}
    assert g.score == 60


def test_length_bounds() -> None:
    r = _rubric(length={"min": 4, "max": 50})
    long = "亲，可以退款" + "哦" * 60
    g = grade_reply(r, long, question_id="q")
    assert not g.passed and "太长" in g.feedback
    g = grade_reply(r, "退款", question_id="q")
    assert not g.passed and "太短" in g.feedback


@pytest.mark.parametrize(
    "reply",
    [
        "",
        "   ",
        "😀" * 50,
        "<img src=x onerror=alert(1)> 可以退款",
        "[点我](javascript:alert(1)) **可以退款**",
        "可以退款" * 3000,
        "\x00\x01\x02",
    ],
    ids=["empty", "spaces", "emoji", "html", "markdown", "huge", "control"],
)
def test_odd_input_is_graded_not_crashed(reply) -> None:
    g = grade_reply(REFUND, reply, question_id="q")
    assert 0 <= g.score <= g.max_score
    assert g.feedback
