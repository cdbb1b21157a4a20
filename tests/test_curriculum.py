"""The real curriculum: everything in the seeds is taught and asked (issue: curriculum)."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
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


def test_size_of_the_banks(catalog) -> None:
    types = Counter(q.type for q in catalog.questions.values())
    assert len(catalog.questions) >= 250, types
    assert types["reply"] >= 50, types
    assert types["dialog"] >= 10, types
    assert len(types) == 8, f"every question type is used: {types}"


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


def test_every_seed_file_is_cited_by_lessons_and_questions(catalog) -> None:
    lesson_sources = {s for les in catalog.lessons.values() for s in les.source}
    question_sources = {s for q in catalog.questions.values() for s in q.source}
    assert lesson_sources == set(SEED_FILES)
    assert question_sources == set(SEED_FILES)


def test_every_module_has_lessons_and_every_platform_is_served(catalog) -> None:
    assert len(catalog.modules) >= 9
    for mid in catalog.modules:
        assert catalog.module_lessons(mid), mid
        assert catalog.module_questions(mid), mid
    platforms = {p for les in catalog.lessons.values() for p in les.platform}
    assert {"tmall", "jd", "通用"} <= platforms


REQUIRED_SCENARIOS = {
    "发票": r"发票",
    "包邮": r"包邮",
    "银行转账": r"转账|银行",
    "他人订单/信息": r"(别人|他人|朋友|同事|家人|其他).{0,12}(订单|信息|地址|电话|关闭)|关闭.{0,6}(别人|他人)",
    "72小时": r"72|七十二",
    "未发货退款": r"(没|未)发货.{0,12}退款|退款.{0,12}(没|未)发货",
    "破损/少件/空包": r"破损|少件|空包",
    "7天无理由": r"7天|七天",
    "线头/色差": r"线头|色差",
    "价格保护": r"价保|价格保护",
    "换货": r"换货|换",
    "正品/假货": r"假|正品",
    "赠品": r"赠品|礼品|小礼物",
    "货到付款": r"货到付款",
    "骂人": r"骂|垃圾|傻|滚|妈",
}


@pytest.mark.parametrize("name", list(REQUIRED_SCENARIOS))
def test_required_reply_scenarios_exist(catalog, name) -> None:
    pattern = re.compile(REQUIRED_SCENARIOS[name])
    texts = [f"{q.scenario} {q.buyer}" for q in catalog.questions.values() if isinstance(q, Reply)]
    assert any(pattern.search(t) for t in texts), f"no reply scenario about {name}"


def test_onboarding_path_and_exam(catalog) -> None:
    assert "onboarding" in catalog.paths
    path = catalog.paths["onboarding"]
    assert [s.module for s in path.steps] == list(catalog.modules), (
        "path covers all modules in order"
    )
    exam = catalog.exams[path.exam]
    assert {b.module for b in exam.blueprint} == set(catalog.modules)
    assert 0.6 <= exam.pass_ratio <= 0.9
    covered = {m for r in catalog.refreshers.values() for m in r.modules}
    assert covered == set(catalog.modules), "a refresher set per module"
