"""The pure learning engine, with fixed aware datetimes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from trainer.catalog import load_catalog
from trainer.learning import (
    NaiveDatetimeError,
    assemble_exam,
    certification_status,
    certify,
    due_refreshers,
    path_progress,
    questions_due_for_rule_change,
    rating_for,
    review,
    score_exam,
    stale_lessons,
)

CAT = load_catalog(Path(__file__).parent / "fixtures" / "learning")
T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


# ---------------------------------------------------------------- FSRS refreshers
@pytest.mark.parametrize(
    ("passed", "ratio", "violation", "rating"),
    [
        (False, 0.9, False, 1),
        (True, 1.0, True, 1),
        (True, 0.7, False, 2),
        (True, 0.9, False, 3),
        (True, 1.0, False, 4),
    ],
)
def test_rating_mapping(passed, ratio, violation, rating) -> None:
    assert int(rating_for(passed, ratio, violation)) == rating


def test_intervals_are_whole_days_and_grow_with_good_answers() -> None:
    state, now, gaps = None, T0, []
    for _ in range(5):
        state = review(state, "q1", passed=True, ratio=0.9, now=now)
        gap = state.due_at - now
        assert gap >= dt.timedelta(days=1)
        gaps.append(gap)
        now = state.due_at
    assert gaps == sorted(gaps) and gaps[-1] > gaps[0]


def test_again_makes_it_due_soon_and_listed_first() -> None:
    good = review(None, "good", passed=True, ratio=1.0, now=T0)
    bad = review(None, "bad", passed=False, ratio=0.0, now=T0)
    assert bad.due_at - T0 == dt.timedelta(days=1)
    assert good.due_at > bad.due_at
    due = due_refreshers([good, bad], T0 + dt.timedelta(days=1, hours=1))
    assert [d.question_id for d in due] == ["bad"]
    assert due[0].reason == "上次答错"
    later = due_refreshers([good, bad], good.due_at + dt.timedelta(days=3))
    assert [d.question_id for d in later] == ["bad", "good"]  # most overdue first


def test_state_round_trips_and_is_not_mutated() -> None:
    s1 = review(None, "q", passed=True, ratio=1.0, now=T0)
    s2 = review(s1, "q", passed=False, ratio=0.0, now=T0 + dt.timedelta(days=3))
    assert s1.reviews == 1 and s2.reviews == 2
    from trainer.learning import ReviewState

    assert ReviewState.from_dict(s2.to_dict()) == s2


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(NaiveDatetimeError):
        review(None, "q", passed=True, ratio=1.0, now=dt.datetime(2026, 3, 1))


def test_due_list_respects_platform_filter() -> None:
    s = review(None, "jd-q1", passed=False, ratio=0, now=T0)
    assert due_refreshers([s], T0 + dt.timedelta(days=2), allowed={"other"}) == []


# ---------------------------------------------------------------- exams
def test_exam_is_reproducible_per_seed() -> None:
    a = assemble_exam(CAT, "cert", seed=7)
    b = assemble_exam(CAT, "cert", seed=7)
    assert a == b
    others = {assemble_exam(CAT, "cert", seed=s).question_ids for s in range(20)}
    assert len(others) > 1


def test_blueprint_counts_and_types() -> None:
    paper = assemble_exam(CAT, "cert", seed=3)
    mods = [CAT.question_module(q) for q in paper.question_ids]
    assert mods.count("example-rules") == 2 and mods.count("jd-basics") == 3
    for q in paper.question_ids:
        if CAT.question_module(q) == "example-rules":
            assert CAT.questions[q].type in ("single", "true_false", "numeric")


def test_platform_filter_and_fallback() -> None:
    jd = assemble_exam(CAT, "cert", seed=1, platform="jd")
    assert jd.fallback_modules == ()
    tmall = assemble_exam(CAT, "cert", seed=1, platform="tmall")
    jd_questions = [q for q in tmall.question_ids if CAT.question_module(q) == "jd-basics"]
    assert all("通用" in CAT.questions[q].platform for q in jd_questions)


def test_option_presentation_is_a_permutation() -> None:
    for seed in range(10):
        paper = assemble_exam(CAT, "cert", seed=seed)
        for qid, order in paper.presentation.items():
            q = CAT.questions[qid]
            if q.type in ("single", "multiple"):
                assert sorted(order) == sorted(q.options)
    from trainer.learning import ExamPaper

    assert ExamPaper.from_dict(paper.to_dict()) == paper


def test_score_and_certify() -> None:
    paper = assemble_exam(CAT, "cert", seed=5)
    all_right = dict.fromkeys(paper.question_ids, 1.0)
    result = score_exam(CAT, paper, all_right)
    assert result.passed and result.ratio == 1.0 and result.answered == result.total == 5
    cert = certify(CAT, result, T0)
    assert cert is not None and cert.expires_at == T0 + dt.timedelta(days=365)
    assert cert.rule_versions == {"example-invoice": 1, "jd-rule": 2}
    one_missing = dict(all_right)
    one_missing.pop(paper.question_ids[0])
    assert score_exam(CAT, paper, one_missing).ratio == 0.8  # 4/5 still reaches 0.8
    two_missing = dict(one_missing)
    two_missing.pop(paper.question_ids[1])
    failed = score_exam(CAT, paper, two_missing)
    assert not failed.passed and certify(CAT, failed, T0) is None


@pytest.mark.parametrize(
    ("days", "status"), [(0, "有效"), (334, "有效"), (336, "即将到期"), (365, "已过期")]
)
def test_certification_status_boundaries(days, status) -> None:
    paper = assemble_exam(CAT, "cert", seed=5)
    cert = certify(CAT, score_exam(CAT, paper, dict.fromkeys(paper.question_ids, 1.0)), T0)
    assert certification_status(cert, T0 + dt.timedelta(days=days)) == status
    assert certification_status(None, T0) == "未认证"


# ---------------------------------------------------------------- paths and rule versions
def test_path_progress_and_next_step() -> None:
    p = path_progress(CAT, "onboarding", learned=set(), practice={}, certified=False)
    assert p.next_step.kind == "lesson" and p.next_step.target == "example-invoice"
    assert p.percent == 0
    p = path_progress(CAT, "onboarding", learned={"example-invoice"}, practice={}, certified=False)
    assert p.next_step.kind == "practice" and p.next_step.target == "example-rules"
    p = path_progress(
        CAT,
        "onboarding",
        learned={"example-invoice", "jd-rule"},
        practice={"example-rules": 0.7, "jd-basics": 0.7},
        certified=False,
    )
    assert [s.status for s in p.steps] == ["已完成", "学习中"]  # jd needs 0.8
    p = path_progress(
        CAT,
        "onboarding",
        learned={"example-invoice", "jd-rule"},
        practice={"example-rules": 0.7, "jd-basics": 0.9},
        certified=False,
    )
    assert p.next_step.kind == "exam"
    p = path_progress(
        CAT,
        "onboarding",
        learned={"example-invoice", "jd-rule"},
        practice={"example-rules": 0.7, "jd-basics": 0.9},
        certified=True,
    )
    assert p.next_step.kind == "done" and p.percent == 100


def test_raised_rule_version_puts_questions_due() -> None:
    old = {"example-invoice": 1, "jd-rule": 1}  # certified before jd-rule went to version 2
    assert stale_lessons(CAT, old) == ["jd-rule"]
    due = questions_due_for_rule_change(CAT, old, platform="tmall")
    assert due and all(CAT.questions[q].lessons == ("jd-rule",) for q in due)
    assert all("通用" in CAT.questions[q].platform for q in due)
    assert questions_due_for_rule_change(CAT, {"example-invoice": 1, "jd-rule": 2}) == []
