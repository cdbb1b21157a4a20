"""Shared safety-net violations: added to every reply rubric of their platforms, checked only
when the scenario's own violations found nothing, and reported with their rule and penalty."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from trainer.catalog import check_catalog, load_catalog
from trainer.catalog.loader import reply_rubrics
from trainer.grading import grade_reply

ROOT = Path(__file__).resolve().parents[1]
JOURNEY = ROOT / "tests" / "fixtures" / "journey"
SHARED = """
shared_violations:
  - platforms: [tmall, taobao, jd, 通用]
    violation:
      id: abuse-buyer
      label: 辱骂买家
      rule: 平台规则·骚扰
      penalty: 京东每次扣12分
      negatable: false
      patterns: ["神经病", "有病吧"]
  - platforms: [jd]
    violation:
      id: jd-only
      label: 京东专属
      rule: 京东规则
      penalty: 扣分
      patterns: ["京东专属说法"]
"""


@pytest.fixture
def root(tmp_path) -> Path:
    dst = tmp_path / "c"
    shutil.copytree(JOURNEY, dst)
    (dst / "quizzes" / "shared-violations.yaml").write_text(SHARED, encoding="utf-8")
    return dst


def test_shared_violations_join_the_rubrics_of_their_platforms(root) -> None:
    cat = load_catalog(root)
    reply = cat.questions["b-invoice-reply"]  # tmall/taobao
    ids = [v.id for v in reply.rubric.violations]
    assert ids == ["refuse-invoice", "abuse-buyer"]
    assert reply.rubric.violations[-1].fallback
    for _, rubric in reply_rubrics(cat.questions["b-invoice-dialog"]):
        assert "abuse-buyer" in [v.id for v in rubric.violations]
        assert "jd-only" not in [v.id for v in rubric.violations]


def test_the_safety_net_catches_what_the_scenario_missed_and_only_that(root) -> None:
    rubric = load_catalog(root).questions["b-invoice-reply"].rubric
    rude = grade_reply(rubric, "可以开发票，您提供抬头，别神经病似的催", question_id="q")
    assert not rude.passed and [v.id for v in rude.violations] == ["abuse-buyer"]
    assert rude.violations[0].rule == "平台规则·骚扰" and "扣12分" in rude.violations[0].penalty
    both = grade_reply(rubric, "发票开不了，神经病", question_id="q")
    assert [v.id for v in both.violations] == ["refuse-invoice"]  # the scenario's own rule
    good = grade_reply(rubric, "亲，可以开发票的，麻烦提供抬头", question_id="q")
    assert good.passed and good.violations == ()


def test_a_rubric_can_opt_out(root) -> None:
    quiz = root / "quizzes" / "01-basics.yaml"
    quiz.write_text(
        quiz.read_text(encoding="utf-8").replace(
            "      structure:\n        greeting: 10\n",
            "      structure:\n        greeting: 10\n      skip_shared: [abuse-buyer]\n",
        ),
        encoding="utf-8",
    )
    rubric = load_catalog(root).questions["b-invoice-reply"].rubric
    assert "abuse-buyer" not in [v.id for v in rubric.violations]


def test_a_broken_shared_file_is_reported_with_its_line(root) -> None:
    (root / "quizzes" / "shared-violations.yaml").write_text(
        SHARED.replace("penalty: 扣分", "penalty: 扣分\n      colour: red"), encoding="utf-8"
    )
    _, errors = check_catalog(root)
    assert any("shared-violations.yaml:" in str(e) and "colour" in str(e) for e in errors)


def test_real_safety_net_catches_rude_endings_on_every_scenario() -> None:
    cat = load_catalog(ROOT)
    missed = []
    for q in cat.questions.values():
        for tid, rubric in reply_rubrics(q):
            model = q.turn(tid).model_answer if tid else q.model_answer
            assert grade_reply(rubric, model, question_id=q.id).passed, (q.id, tid)
            for tail in ("，爱买不买", "。你自己不会看详情页吗？", "，脑子有病吧"):
                if grade_reply(rubric, model + tail, question_id=q.id).passed:
                    missed.append((q.id, tid, tail))
    assert missed == []
