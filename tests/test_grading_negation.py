"""Negation: a concept said negatively does not count; double negation is positive."""

from __future__ import annotations

import re

import pytest

from trainer.grading.negation import is_negated, mask_non_negations
from trainer.grading.normalize import normalize


def _negated(text: str, phrase: str) -> bool:
    t = normalize(text).text
    m = re.search(phrase, t)
    assert m, f"{phrase!r} not in {t!r}"
    return is_negated(mask_non_negations(t), m.start(), m.end())


CASES = [
    # (reply, phrase, negated?)
    ("特价商品不能开发票", "开发票", True),
    ("特价商品也可以开发票", "开发票", False),
    ("我们这边不支持给您开发票哦", "开发票", True),
    ("发票开不了哦亲", "开不了", True),
    ("发票暂时没法开", "发票.{0,4}开", True),
    ("不是不能开发票，是要等确认收货", "开发票", False),
    ("不会不给您开发票的，放心", "开发票", False),
    ("不好意思让您久等了，可以开发票", "开发票", False),
    ("不好意思可以开发票的", "开发票", False),
    ("没问题，可以开发票", "开发票", False),
    ("不用担心，发票我们会开", "发票我们会开", False),
    ("运费不用您承担", "运费.{0,4}承担", True),
    ("运费需要您承担", "运费.{0,4}承担", False),
    ("发票邮费需要您自理", "邮费.{0,6}自理", False),
    ("发票邮费无需您自理", "邮费.{0,6}自理", True),
    ("没有发票", "发票", True),
    ("虽然不是质量问题，但可以给您补偿", "给你补偿", False),
    ("不是质量问题但可以给您补偿", "给你补偿", False),
    ("7天无理由退换货是支持的", "7天无理由退", False),
    ("付款后我们会无偿提供发票", "提供发票", False),
    ("还没发货的订单可以直接退款", "可以.{0,4}退款", False),
    ("没收到货的话我们给您补发", "补发", False),
    ("拒绝退款", "退款", True),
    ("这个不能退款哦", "退款", True),
    ("无论什么时候都可以退", "可以退", False),
    ("别担心，马上给您处理", "给你处理", False),
    ("别急着退款", "退款", True),
    # apologies and A-not-A questions do not negate what follows
    ("对不起亲 验证码不能给您", "验证码", False),
    ("亲 实在对不起 麻烦拍一下破损的地方", "拍一下", False),
    ("是不是哪里不满意呀", "哪里", False),
    ("我帮您问问主管，看能不能补偿", "补偿", False),
    ("签收的时候有没有检查包装", "检查包装", False),
    ("给您带来不好的体验非常抱歉", "抱歉", False),
    # a polite 不方便 is masked, a refusal with it is not
    ("给您带来不方便了", "带来", False),
    ("不方便加微信哦", "加微信", True),
    # state of the goods and conditionals
    ("没穿过的话支持7天无理由退换", "7天无理由", False),
    ("不出意外的话三天内到", "三天内到", False),
    ("确定不要的话您申请退款就行", "申请退款", False),
    ("对不起亲 验证码不能给您 您在订单页申请退款就可以", "申请退款", False),  # spaces are pauses
    ("如果不是本人签收就给您退款", "给你退款", False),
    ("不是质量问题就需要您承担运费", "需要你承担运费", False),
    ("订单还没付款的话可以改价", "可以改价", False),
    ("不用加微信也不用私下转", "私下转", True),  # 不A也不B: each 不 negates its own verb
    ("是不是您自己不小心弄上去的", "弄上去", False),
    ("您问给不给退，当然给退的", "当然给退", False),
    ("不用担心，发票我们会开", "发票我们会开", False),
    ("不用担心不发货", "发货", False),  # don't worry about not shipping: we ship
    ("怎么可能不给您开", "给你开", False),  # rhetorical: of course we will
    ("手续费0.8%需要您承担", "需要你承担", False),  # a decimal point is no clause break
    # a clause-final negation after the phrase
    ("好评就不用给了", "好评", True),
    ("全网第一不敢说", "全网第一", True),
    ("这个价格是不行的", "这个价格", True),
    ("验货就不用了哈", "验货", True),
    ("补运费就不用了亲", "补运费", True),
    ("发票我们就不开了", "发票", True),
    # ... but a following predicate is not a negation of the phrase
    ("开发票不收费", "开发票", False),
    ("退款不影响您的评价", "退款", False),
    ("运费我们出，不用您付", "运费", False),
]


@pytest.mark.parametrize(("text", "phrase", "negated"), CASES, ids=[c[0] for c in CASES])
def test_negation(text, phrase, negated) -> None:
    assert _negated(text, phrase) is negated


def test_a_negator_in_one_branch_does_not_switch_off_negation_for_the_others() -> None:
    from trainer.catalog.models import Concept, Rubric
    from trainer.grading import grade_reply

    rubric = Rubric(
        concepts=(
            Concept(
                id="addr",
                label="核对地址",
                points=100,
                required=True,
                patterns=("地址.{0,10}(对不对|核对|确认)",),
            ),
        )
    )
    assert not grade_reply(rubric, "地址我就不核对了", question_id="q").passed
    assert grade_reply(rubric, "地址麻烦您核对一下", question_id="q").passed
    split = Rubric(
        concepts=(
            Concept(
                id="addr",
                label="核对地址",
                points=100,
                required=True,
                patterns=("地址.{0,6}核对|没有地址",),
            ),
        )
    )
    assert not grade_reply(split, "地址我就不核对了", question_id="q").passed


def test_a_non_negatable_violation_fires_in_any_form() -> None:
    from trainer.catalog.models import Concept, Rubric, RuleViolation
    from trainer.grading import grade_reply

    def rubric(negatable: bool) -> Rubric:
        return Rubric(
            concepts=(Concept(id="c", label="回应", points=10, patterns=("收到",)),),
            violations=(
                RuleViolation(
                    id="rude",
                    label="质问买家",
                    rule="京东规则·骚扰他人",
                    penalty="扣12分",
                    patterns=("乱说话",),
                    negatable=negatable,
                ),
            ),
        )

    assert grade_reply(rubric(True), "收到，你别乱说话", question_id="q").violations == ()
    assert [
        v.id for v in grade_reply(rubric(False), "收到，你别乱说话", question_id="q").violations
    ] == ["rude"]


def test_a_spelled_refusal_inside_a_repeated_question_is_not_a_refusal() -> None:
    from trainer.catalog.models import Concept, Rubric, RuleViolation
    from trainer.grading import grade_reply

    rubric = Rubric(
        concepts=(Concept(id="ok", label="可以退", points=10, patterns=("能退",)),),
        violations=(
            RuleViolation(
                id="deny",
                label="拒绝退货",
                rule="7天无理由",
                penalty="投诉成立",
                patterns=("不能退",),
            ),
        ),
    )
    asked = grade_reply(rubric, "亲，能不能退？当然能退，您申请就行", question_id="q")
    assert asked.violations == ()
    refused = grade_reply(rubric, "亲，这个不能退哦", question_id="q")
    assert [v.id for v in refused.violations] == ["deny"]


def test_a_match_starting_on_a_comma_belongs_to_its_own_clause() -> None:
    from trainer.catalog.models import Concept, Rubric
    from trainer.grading import grade_reply

    rubric = Rubric(
        concepts=(
            Concept(
                id="pay",
                label="说明运费买家出",
                points=10,
                required=True,
                patterns=("(^|[,.!~])来回.{0,4}(你|买家)承担",),
            ),
        )
    )
    g = grade_reply(rubric, "尺码原因属于非质量问题，来回都需要您承担哦", question_id="q")
    assert g.passed


def test_look_arounds_do_not_make_a_pattern_spell_a_negation() -> None:
    from trainer.grading.negation import spells_negation, strip_lookarounds

    assert (
        strip_lookarounds("邮费(?![^,]{0,4}(哪能|不))[^,]{0,6}(你)(?<=你)付")
        == "邮费[^,]{0,6}(你)付"
    )
    assert not spells_negation("邮费(?!.{0,4}哪能)")
    assert spells_negation("发票(开不了|没法开)")


def test_a_claim_begun_inside_a_question_is_no_claim() -> None:
    from trainer.catalog.models import Concept, Rubric, RuleViolation
    from trainer.grading import grade_reply

    rubric = Rubric(
        concepts=(Concept(id="c", label="回应", points=10, patterns=("亲",)),),
        violations=(
            RuleViolation(
                id="ext", label="极限词", rule="广告法", penalty="处罚", patterns=("是第一",)
            ),
        ),
    )
    assert (
        grade_reply(rubric, "亲，您问是不是第一？我们不敢这么说", question_id="q").violations == ()
    )
    assert grade_reply(rubric, "亲，我们家是第一", question_id="q").violations


def test_an_apology_right_after_another_fixed_phrase_still_counts() -> None:
    from trainer.catalog.models import Concept, Rubric
    from trainer.grading import grade_reply

    rubric = Rubric(
        concepts=(
            Concept(
                id="sorry",
                label="致歉",
                points=10,
                required=True,
                patterns=("对不起|不好意思|抱歉",),
            ),
        )
    )
    for text in ("非常对不起，让您久等了", "非常不好意思亲", "真的非常抱歉"):
        assert grade_reply(rubric, text, question_id="q").passed, text


def test_every_masked_phrase_needs_a_negator_character() -> None:
    """mask_non_negations skips texts without any of MASK_NEEDS: sound only while every
    masked phrase and pattern contains one of them."""
    import re as _re

    from trainer.grading import negation
    from trainer.grading.prefilter import requirements

    needs = set(negation.MASK_NEEDS)
    for word in negation.NOT_NEGATIONS:
        assert needs & set(word), word
    for pattern in negation.NOT_NEGATION_PATTERNS:
        reqs = requirements(_re.compile(pattern))
        assert any(all(needs & set(s) for s in need) for need in reqs), pattern
