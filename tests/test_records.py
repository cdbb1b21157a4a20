"""Records integration tests: the same tests on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.conftest import T0
from trainer.accounts import add_user
from trainer.catalog import load_catalog
from trainer.grading import grade
from trainer.records import store
from trainer.records.db import current_revision, transaction
from trainer.records.errors import DeadlinePassed, Forbidden, ValidationFailed
from trainer.records.models import Response, User

CAT = load_catalog(Path(__file__).parent / "fixtures" / "example")
Q_SINGLE = CAT.questions["example-invoice-single"]
Q_REPLY = CAT.questions["example-invoice-reply"]


def _users(engine):
    with transaction(engine) as s:
        ids = {}
        for name, role, team in [
            ("admin", "admin", None),
            ("lead_a", "manager", "甲组"),
            ("lead_b", "manager", "乙组"),
            ("xiaoli", "trainee", "甲组"),
            ("xiaowang", "trainee", "乙组"),
        ]:
            ids[name] = add_user(
                session=s,
                username=name,
                display_name=name,
                password="mima12345",
                role=role,
                team=team,
                platform="tmall",
                now=T0,
            ).id
    return ids


def _record(engine, user_id, question, response, sid, **kw):
    with transaction(engine) as s:
        return store.record_response(
            session=s,
            submission_id=sid,
            user_id=user_id,
            question_id=question.id,
            kind=kw.pop("kind", "practice"),
            response=response,
            grade=grade(question, response),
            content_version=CAT.version,
            rule_version=1,
            now=kw.pop("now", T0),
            **kw,
        ).id


def test_migrations_reach_head(engine) -> None:
    assert current_revision(engine) == "0003"


def test_response_recorded_once_per_submission(engine) -> None:
    ids = _users(engine)
    sid = store.new_submission_id()
    first = _record(engine, ids["xiaoli"], Q_SINGLE, "B", sid)
    again = _record(engine, ids["xiaoli"], Q_SINGLE, "A", sid)  # double click / resend
    assert first == again
    with transaction(engine) as s:
        rows = s.scalars(select(Response)).all()
        assert len(rows) == 1 and rows[0].response == "B" and rows[0].passed
        assert rows[0].grade["question_id"] == Q_SINGLE.id
        assert rows[0].created_at == T0 and rows[0].created_at.tzinfo is not None


def test_reply_grade_and_violations_are_stored(engine) -> None:
    ids = _users(engine)
    _record(engine, ids["xiaoli"], Q_REPLY, "特价商品不能开发票", "s1", kind="reply")
    with transaction(engine) as s:
        row = s.scalars(select(Response)).one()
        assert row.violation_ids == ["refuse-invoice"] and not row.passed
        assert row.grader_version and row.content_version == CAT.version


def test_wrong_answers_use_the_latest_answer(engine) -> None:
    ids = _users(engine)
    u = ids["xiaoli"]
    _record(engine, u, Q_SINGLE, "A", "a1")
    with transaction(engine) as s:
        assert [r.question_id for r in store.wrong_answers(session=s, user_id=u)] == [Q_SINGLE.id]
    _record(engine, u, Q_SINGLE, "B", "a2", now=T0 + dt.timedelta(minutes=5))
    with transaction(engine) as s:
        assert store.wrong_answers(session=s, user_id=u) == []


def test_exam_deadline_is_kept_on_the_server(engine) -> None:
    ids = _users(engine)
    with transaction(engine) as s:
        att = store.start_attempt(
            session=s,
            user_id=ids["xiaoli"],
            kind="exam",
            ref="cert",
            now=T0,
            question_ids=[Q_SINGLE.id],
            seed=7,
            time_limit=dt.timedelta(minutes=30),
        )
        att_id = att.id
    _record(
        engine,
        ids["xiaoli"],
        Q_SINGLE,
        "B",
        "e1",
        attempt_id=att_id,
        now=T0 + dt.timedelta(minutes=29),
    )
    with pytest.raises(DeadlinePassed):
        _record(
            engine,
            ids["xiaoli"],
            Q_SINGLE,
            "B",
            "e2",
            attempt_id=att_id,
            now=T0 + dt.timedelta(minutes=31),
        )


def test_interrupted_attempt_resumes_with_its_answers(engine) -> None:
    ids = _users(engine)
    with transaction(engine) as s:
        att_id = store.start_attempt(
            session=s,
            user_id=ids["xiaoli"],
            kind="practice",
            ref="example-rules",
            now=T0,
            question_ids=[Q_SINGLE.id, Q_REPLY.id],
        ).id
    _record(engine, ids["xiaoli"], Q_SINGLE, "B", "r1", attempt_id=att_id)
    # browser closed, server restarted: a new transaction finds the same attempt and answers
    with transaction(engine) as s:
        att = store.get_open_attempt(session=s, user_id=ids["xiaoli"], kind="practice")
        assert att.id == att_id
        answered = [r.question_id for r in store.attempt_responses(session=s, attempt_id=att_id)]
        assert answered == [Q_SINGLE.id]


def test_manager_sees_and_overrides_only_own_team(engine) -> None:
    ids = _users(engine)
    rid = _record(engine, ids["xiaowang"], Q_REPLY, "亲，可以开", "o1", kind="reply")
    with transaction(engine) as s:
        lead_a = s.get(User, ids["lead_a"])
        lead_b = s.get(User, ids["lead_b"])
        trainee = s.get(User, ids["xiaoli"])
        assert store.visible_user_ids(session=s, actor=lead_a) == {ids["lead_a"], ids["xiaoli"]}
        with pytest.raises(Forbidden):
            store.responses_for_user(session=s, actor=lead_a, user_id=ids["xiaowang"])
        with pytest.raises(Forbidden):
            store.override_score(
                session=s, actor=lead_a, response_id=rid, new_score=90, reason="x", now=T0
            )
        with pytest.raises(Forbidden):
            store.override_score(
                session=s, actor=trainee, response_id=rid, new_score=90, reason="x", now=T0
            )
        with pytest.raises(ValidationFailed):
            store.override_score(
                session=s, actor=lead_b, response_id=rid, new_score=90, reason="  ", now=T0
            )
        store.override_score(
            session=s,
            actor=lead_b,
            response_id=rid,
            new_score=80,
            reason="表达到位，关键词没写全",
            now=T0,
        )
        store.override_score(
            session=s,
            actor=lead_b,
            response_id=rid,
            new_score=70,
            reason="复核后下调",
            now=T0 + dt.timedelta(hours=1),
        )
    with transaction(engine) as s:
        resp = s.get(Response, rid)
        assert store.effective_score(session=s, response=resp) == (70, True)
        hist = store.overrides_for(session=s, response_id=rid)
        assert [(h.old_score, h.new_score) for h in hist] == [(resp.score, 80), (80, 70)]


def test_assignments_for_user_include_team_ones(engine) -> None:
    ids = _users(engine)
    with transaction(engine) as s:
        lead_a = s.get(User, ids["lead_a"])
        team_a = s.get(User, ids["xiaoli"]).team_id
        team_b = s.get(User, ids["xiaowang"]).team_id
        store.assign(
            session=s,
            actor=lead_a,
            kind="path",
            ref="onboarding",
            team_id=team_a,
            due_at=T0 + dt.timedelta(days=7),
            now=T0,
        )
        with pytest.raises(Forbidden):
            store.assign(
                session=s,
                actor=lead_a,
                kind="path",
                ref="onboarding",
                team_id=team_b,
                due_at=T0,
                now=T0,
            )
    with transaction(engine) as s:
        mine = store.assignments_for_user(session=s, user=s.get(User, ids["xiaoli"]))
        assert [a.ref for a in mine] == ["onboarding"]
        overdue = store.overdue_assignments(session=s, now=T0 + dt.timedelta(days=8))
        assert len(overdue) == 1


def test_review_state_and_rule_versions(engine) -> None:
    ids = _users(engine)
    with transaction(engine) as s:
        store.put_review_state(
            session=s,
            user_id=ids["xiaoli"],
            state={"question_id": "q1", "card": {}},
            due_at=T0,
            now=T0,
        )
        store.put_review_state(
            session=s,
            user_id=ids["xiaoli"],
            state={"question_id": "q1", "card": {"x": 1}},
            due_at=T0,
            now=T0,
        )
        admin = s.get(User, ids["admin"])
        store.raise_rule_version(
            session=s,
            actor=admin,
            lesson_id="example-invoice",
            version=2,
            note="发票规则更新",
            now=T0,
        )
        with pytest.raises(Forbidden):
            store.raise_rule_version(
                session=s,
                actor=s.get(User, ids["lead_a"]),
                lesson_id="example-invoice",
                version=3,
                note="",
                now=T0,
            )
    with transaction(engine) as s:
        assert store.get_review_states(session=s, user_id=ids["xiaoli"]) == [
            {"question_id": "q1", "card": {"x": 1}}
        ]
        assert store.rule_version_overrides(session=s) == {"example-invoice": 2}
        assert s.scalar(select(func.count()).select_from(Response)) == 0
