"""Invariants of the real curriculum: it validates, every lesson is asked, every question
explains itself, links a lesson and cites a seed file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from trainer.catalog import SEED_FILES, load_catalog
from trainer.catalog.models import Dialog, Reply

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(ROOT)


def test_validate_command_passes_on_real_content() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "trainer", "validate"], cwd=ROOT, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert "校验通过" in out.stdout


def test_every_lesson_has_four_questions_of_two_types(catalog) -> None:
    thin = {}
    for lid in catalog.lessons:
        qs = catalog.lesson_questions(lid)
        if len(qs) < 4 or len({q.type for q in qs}) < 2:
            thin[lid] = [q.type for q in qs]
    assert not thin, f"lessons with too few questions or one type only: {thin}"


def test_every_question_explains_itself_with_a_lesson_link(catalog) -> None:
    for q in catalog.questions.values():
        assert q.lessons and all(lid in catalog.lessons for lid in q.lessons), q.id
        assert len(q.explanation) >= 8, f"{q.id}: explanation too short"


def test_reply_and_dialog_questions_carry_model_answers(catalog) -> None:
    for q in catalog.questions.values():
        if isinstance(q, Reply):
            assert q.model_answer and q.rubric.concepts, q.id
        if isinstance(q, Dialog):
            assert len(q.turns) >= 3 and all(t.model_answer for t in q.turns), q.id


def test_every_question_and_lesson_cites_a_seed_file(catalog) -> None:
    for item in [*catalog.lessons.values(), *catalog.questions.values()]:
        assert item.source and set(item.source) <= set(SEED_FILES), item.id


def test_every_module_has_lessons_and_questions(catalog) -> None:
    assert catalog.modules
    for mid in catalog.modules:
        assert catalog.module_lessons(mid), mid
        assert catalog.module_questions(mid), mid


def test_every_seed_file_has_a_title_and_is_cited_by_lessons_and_questions(catalog) -> None:
    from trainer.catalog.models import SEED_TITLES

    assert set(SEED_TITLES) == set(SEED_FILES)
    cited_by_lessons = {s for les in catalog.lessons.values() for s in les.source}
    cited_by_questions = {s for q in catalog.questions.values() for s in q.source}
    assert cited_by_lessons == set(SEED_FILES)
    assert cited_by_questions == set(SEED_FILES)


# Every number in the seeds' rules, with a word that pins down which rule it belongs to.
SEED_NUMBERS = [
    ("6", "发票"),
    ("4", "包邮"),
    ("1", "关闭"),
    ("6", "泄露"),
    ("72", "发货"),
    ("30", "违约金|延迟发货|成交金额"),
    ("500", "违约金|延迟发货|最高"),
    ("0.8", "手续费"),
    ("600", "分期"),
    ("15", "活动价|大型官方活动"),
    ("28", "近28天|售后服务综合指标"),
    ("90", "售后服务综合指标|排名"),
    ("12", "描述不符|材质"),
    ("3", "描述不符|正常使用"),
    ("7", "无理由"),
    ("4", "正品保障|赔偿|四倍"),
    ("24", "照片"),
    ("0.01", "退款金额|换货"),
    ("30", "价格保护|价保"),
    ("25", "严重违规|骚扰"),
    ("50", "严重违规"),
    ("75", "严重违规"),
    ("100", "清退|严重违规|特别严重"),
    ("14", "限制"),
    ("21", "下架|限制"),
    ("1万|10000", "违约金"),
    ("2万|20000", "违约金"),
    ("3万|30000", "违约金"),
    ("4万|40000", "违约金|保证金"),
    ("100万|1000000", "假冒"),
    ("10", "假冒|累计销售额"),
    ("96", "棉"),
    ("80", "羽绒"),
    ("48", "小时"),
    ("8", "值班|8-9|8～9|8到9"),
    ("9", "九|接待流程"),
]


def _question_text(q) -> str:
    parts = [q.prompt, q.explanation, str(getattr(q, "answer", ""))]
    parts += list(getattr(q, "options", {}).values())
    parts += [p.left + p.right for p in getattr(q, "pairs", ())]
    parts += list(getattr(q, "steps", ()))
    parts += [getattr(q, "buyer", ""), getattr(q, "scenario", "")]
    return " ".join(parts)


@pytest.mark.parametrize(
    ("number", "context"), SEED_NUMBERS, ids=[f"{n}-{c}" for n, c in SEED_NUMBERS]
)
def test_every_number_in_the_rules_is_asked(catalog, number, context) -> None:
    import re

    num = re.compile(rf"(?<![0-9.])({number})(?![0-9])")
    ctx = re.compile(context)
    asked = [
        q.id
        for q in catalog.questions.values()
        if q.type != "dialog"
        and (
            num.search(_question_text(q))
            or (q.type == "numeric" and num.fullmatch(f"{q.answer:g}"))
        )
        and ctx.search(_question_text(q))
    ]
    assert asked, f"no question asks {number} ({context})"
