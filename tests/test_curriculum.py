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
