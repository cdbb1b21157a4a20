"""The submit path and what the trainee pages read back, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.conftest import T0
from trainer.accounts import add_user
from trainer.catalog import load_catalog
from trainer.learning import assemble_exam
from trainer.records import store
from trainer.records.db import reading, transaction
from trainer.records.models import Certification, User
from trainer.records.submit import hand_in_exam, submit_answer

CAT = load_catalog(Path(__file__).parent / "fixtures" / "journey")


@pytest.fixture
def people(engine):
    with transaction(engine) as s:
        t = add_user(
            session=s,
            username="xiaoli",
            display_name="小李",
            password="mima-12345",
            role="trainee",
            platform="tmall",
            now=T0,
        )
        m = add_user(
            session=s,
            username="lead",
            display_name="主管",
            password="mima-12345",
            role="admin",
            now=T0,
        )
        return t.id, m.id


def _submit(engine, uid, qid, response, sid, **kw):
    return submit_answer(
        engine,
        CAT,
        user_id=uid,
        question_id=qid,
        response=response,
        kind=kw.pop("kind", "practice"),
        submission_id=sid,
        now=kw.pop("now", T0),
        **kw,
    )


def test_latest_results_follow_the_latest_answer_and_overrides(engine, people) -> None:
    uid, admin_id = people
    _submit(engine, uid, "b-invoice-tf", True, "a1")
    _submit(engine, uid, "b-invoice-reply", "稍等哈", "a2")
    with reading(engine) as s:
        latest = store.latest_results(session=s, user_id=uid)
    assert latest["b-invoice-tf"][0] is False and latest["b-invoice-reply"][0] is False
    _submit(engine, uid, "b-invoice-tf", False, "a3", now=T0 + dt.timedelta(minutes=1))
    with transaction(engine) as s:
        rid = store.latest_results(session=s, user_id=uid)["b-invoice-reply"][1]
        store.override_score(
            session=s,
            actor=s.get(User, admin_id),
            response_id=rid,
            new_score=80,
            reason="表达不同但意思对",
            now=T0,
        )
    with reading(engine) as s:
        latest = store.latest_results(session=s, user_id=uid)
        wrong = store.wrong_answers(session=s, user_id=uid)
    assert latest["b-invoice-tf"][0] is True
    assert latest["b-invoice-reply"][0] is True  # the manager's override counts
    assert wrong == []


def test_answers_of_an_open_exam_give_no_feedback_elsewhere(engine, people) -> None:
    uid, _ = people
    paper = assemble_exam(CAT, "certification", seed=5, platform="tmall")
    with transaction(engine) as s:
        att = store.start_attempt(
            session=s,
            user_id=uid,
            kind="exam",
            ref="certification",
            now=T0,
            question_ids=paper.question_ids,
            paper=paper.to_dict(),
            seed=5,
            time_limit=dt.timedelta(minutes=20),
        )
    qid = paper.question_ids[0]
    _submit(engine, uid, qid, "瞎写", "e1", kind="exam", attempt_id=att.id, schedule=False)
    with reading(engine) as s:
        assert qid not in store.latest_results(session=s, user_id=uid)
        assert store.wrong_answers(session=s, user_id=uid) == []
    hand_in_exam(engine, CAT, user_id=uid, attempt_id=att.id, now=T0 + dt.timedelta(minutes=5))
    with reading(engine) as s:
        assert qid in store.latest_results(session=s, user_id=uid)


def test_hand_in_certifies_once(engine, people) -> None:
    uid, _ = people
    paper = assemble_exam(CAT, "certification", seed=9, platform="tmall")
    with transaction(engine) as s:
        att = store.start_attempt(
            session=s,
            user_id=uid,
            kind="exam",
            ref="certification",
            now=T0,
            question_ids=paper.question_ids,
            paper=paper.to_dict(),
            seed=9,
            time_limit=dt.timedelta(minutes=20),
        )
    for i, qid in enumerate(paper.question_ids):
        q = CAT.questions[qid]
        answer = q.model_answer if q.type == "reply" else q.answer
        _submit(engine, uid, qid, answer, f"x{i}", kind="exam", attempt_id=att.id, schedule=False)
    first = hand_in_exam(engine, CAT, user_id=uid, attempt_id=att.id, now=T0)
    second = hand_in_exam(engine, CAT, user_id=uid, attempt_id=att.id, now=T0)
    assert first.result.passed and first.certified and not second.certified
    with reading(engine) as s:
        certs = s.query(Certification).filter_by(user_id=uid).all()
    assert len(certs) == 1 and certs[0].rule_versions == {"b-invoice": 1, "b-wait": 1}


def test_hand_in_of_someone_elses_exam_is_refused(engine, people) -> None:
    uid, admin_id = people
    paper = assemble_exam(CAT, "certification", seed=1)
    with transaction(engine) as s:
        att = store.start_attempt(
            session=s,
            user_id=uid,
            kind="exam",
            ref="certification",
            now=T0,
            question_ids=paper.question_ids,
            paper=paper.to_dict(),
        )
    from trainer.records.errors import NotFound

    with pytest.raises(NotFound):
        hand_in_exam(engine, CAT, user_id=admin_id, attempt_id=att.id, now=T0)


def test_the_fast_submit_path_stores_rows_the_orm_reads_back(engine, people) -> None:
    from trainer.records.models import Response, ReviewCard

    uid, _ = people
    now = T0 + dt.timedelta(hours=3, microseconds=123456)
    first = _submit(engine, uid, "b-invoice-reply", "亲，特价商品的发票开不了哦", "fp1", now=now)
    again = _submit(engine, uid, "b-invoice-reply", "这次换个说法", "fp1", now=now)
    assert again.response_id == first.response_id  # a resend stores nothing new
    assert again.grade.to_dict() == first.grade.to_dict()  # and returns the stored grade
    with reading(engine) as s:
        rows = s.query(Response).all()
        card = s.get(ReviewCard, (uid, "b-invoice-reply"))
    assert len(rows) == 1
    r = rows[0]
    assert r.created_at == now and r.created_at.tzinfo is not None
    assert r.response == "亲，特价商品的发票开不了哦" and r.passed is False
    assert r.violation_ids == ["refuse-invoice"] and r.grade["violations"][0]["rule"]
    assert r.content_version == CAT.version and r.grader_version == first.grade.grader_version
    assert card is not None and card.due_at > now and card.state["question_id"] == "b-invoice-reply"
