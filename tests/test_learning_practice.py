"""Practice rounds, module mastery, refresher sets and app-raised rule versions (pure)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from trainer.catalog import load_catalog
from trainer.learning import (
    certify,
    current_versions,
    module_mastery,
    practice_pool,
    practice_round,
    questions_due_for_rule_change,
    refresher_set,
    score_exam,
    stale_lessons,
)
from trainer.learning.exams import ExamPaper

CAT = load_catalog(Path(__file__).parent / "fixtures" / "learning")
JOURNEY = load_catalog(Path(__file__).parent / "fixtures" / "journey")


def test_pool_excludes_dialogs_and_other_platforms() -> None:
    pool = practice_pool(JOURNEY, "basics", "tmall")
    assert "b-invoice-dialog" not in pool and "b-invoice-reply" in pool
    assert set(practice_pool(JOURNEY, "basics", "jd")) == {
        "b-invoice-points",
        "b-invoice-single",
        "b-wait-single",
        "b-wait-multiple",
    }
    assert practice_pool(JOURNEY, "basics", None, "b-wait") == ["b-wait-single", "b-wait-multiple"]


@pytest.mark.parametrize(
    ("latest", "first"),
    [
        ({}, None),  # nothing answered: any order of the new ones
        ({"a": (True, 1), "b": (False, 2)}, {"c", "d"}),  # new ones first
        ({"a": (True, 1), "b": (False, 2), "c": (True, 3), "d": (True, 4)}, {"b"}),  # then wrong
    ],
)
def test_round_order_new_then_wrong_then_oldest(latest, first) -> None:
    pool = ["a", "b", "c", "d"]
    r = practice_round(pool, latest, seed=7, size=4)
    assert sorted(r) == pool
    if first is not None:
        assert set(r[: len(first)]) == first
    if latest and all(q in latest for q in pool):
        assert r[1:] == ["a", "c", "d"]  # right ones, longest ago first


def test_round_is_reproducible_and_bounded() -> None:
    pool = [f"q{i}" for i in range(30)]
    assert practice_round(pool, {}, seed=1) == practice_round(pool, {}, seed=1)
    assert len(practice_round(pool, {}, seed=1)) == 10


def test_mastery_counts_the_whole_pool_not_just_answered() -> None:
    pool = practice_pool(JOURNEY, "basics", "tmall")
    one = {pool[0]: True}
    assert module_mastery(JOURNEY, one, "tmall") == {"basics": pytest.approx(1 / len(pool))}
    assert module_mastery(JOURNEY, {}, "tmall") == {}  # never practised: left out
    every = {q: True for q in pool}
    assert module_mastery(JOURNEY, every, "tmall") == {"basics": 1.0}


def test_refresher_set_due_first_then_wrong_then_new() -> None:
    latest = {"b-invoice-tf": (False, 5), "b-invoice-points": (True, 1)}
    r = refresher_set(
        JOURNEY, ["basics"], "tmall", latest=latest, due=["b-wait-single"], count=3, seed=3
    )
    assert r[0] == "b-wait-single" and r[1] == "b-invoice-tf" and len(r) == 3
    assert "b-invoice-points" not in r  # right and answered: last, cut by count


def test_raised_versions_from_the_app_count() -> None:
    assert current_versions(CAT)["example-invoice"] == 1
    assert current_versions(CAT, {"example-invoice": 3})["example-invoice"] == 3
    cert = {"example-invoice": 1}
    assert stale_lessons(CAT, cert) == []
    assert stale_lessons(CAT, cert, raised={"example-invoice": 2}) == ["example-invoice"]
    # re-learned at the new version: no longer stale
    assert (
        stale_lessons(CAT, cert, raised={"example-invoice": 2}, relearned={"example-invoice": 2})
        == []
    )
    due = questions_due_for_rule_change(CAT, cert, "tmall", raised={"example-invoice": 2})
    assert due and all("example-invoice" in CAT.questions[q].lessons for q in due)


def test_certify_records_raised_versions() -> None:
    exam = CAT.exams["cert"]
    ids = tuple(q for q in CAT.questions)[:3]
    paper = ExamPaper(exam.id, 1, ids)
    result = score_exam(CAT, paper, dict.fromkeys(ids, 1.0))
    cert = certify(CAT, result, dt.datetime(2026, 3, 1, tzinfo=dt.UTC), raised={"jd-rule": 5})
    assert cert is not None and cert.rule_versions["jd-rule"] == 5
