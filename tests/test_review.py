"""Appeals and the review queue (待复核) on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from tests.conftest import T0
from tests.manager_seed import catalog, seed_team
from trainer.records import review, store
from trainer.records.db import transaction
from trainer.records.errors import Duplicate, Forbidden, NotFound, ValidationFailed
from trainer.records.models import Appeal, Response, ScoreOverride, User

CAT = catalog()
DAY = dt.timedelta(days=1)


@pytest.fixture
def seeded(engine):
    return seed_team(engine, T0, CAT)


def _u(s, seeded, name: str) -> User:
    return s.get(User, seeded.users[name])


def _objective_response(s, seeded, username: str) -> int:
    return s.scalar(
        select(Response.id).where(
            Response.user_id == seeded.users[username], Response.kind == "practice"
        )
    )


def test_appeal_rules(engine, seeded) -> None:
    with transaction(engine) as s:
        li, zhang = _u(s, seeded, "xiaoli"), _u(s, seeded, "xiaozhang")
        mine = seeded.responses["xiaoli_reply"]
        with pytest.raises(Forbidden, match="自己"):
            review.appeal_response(
                session=s, actor=zhang, response_id=mine, reason="帮他申诉", now=T0
            )
        with pytest.raises(ValidationFailed, match="理由"):
            review.appeal_response(session=s, actor=li, response_id=mine, reason="  ", now=T0)
        with pytest.raises(ValidationFailed, match="500"):
            review.appeal_response(session=s, actor=li, response_id=mine, reason="长" * 501, now=T0)
        with pytest.raises(ValidationFailed, match="情景回复"):
            review.appeal_response(
                session=s,
                actor=li,
                response_id=_objective_response(s, seeded, "xiaoli"),
                reason="判断题也想申诉",
                now=T0,
            )
        with pytest.raises(ValidationFailed, match="30 天"):
            review.appeal_response(
                session=s, actor=li, response_id=mine, reason="迟到的申诉", now=T0 + 40 * DAY
            )
        with pytest.raises(NotFound):
            review.appeal_response(session=s, actor=li, response_id=99999, reason="x", now=T0)
        # the seed already appealed 小张's near-pass reply: a second appeal is refused
        with pytest.raises(Duplicate, match="等待主管复核"):
            review.appeal_response(
                session=s,
                actor=zhang,
                response_id=seeded.responses["xiaozhang_near"],
                reason="再申诉一次",
                now=T0,
            )
        ok = review.appeal_response(
            session=s, actor=li, response_id=mine, reason="  我觉得满分合理  ", now=T0
        )
        assert ok.reason == "我觉得满分合理" and ok.resolved_at is None
    with transaction(engine) as s:
        assert s.scalar(select(func.count()).select_from(Appeal)) == 2


def test_the_queue_holds_close_calls_and_appeals_of_the_managers_agents(engine, seeded) -> None:
    with transaction(engine) as s:
        lead_a, lead_b = _u(s, seeded, "lead_a"), _u(s, seeded, "lead_b")
        admin = _u(s, seeded, "admin")
        queue_a = review.review_queue(session=s, actor=lead_a, now=T0)
        queue_b = review.review_queue(session=s, actor=lead_b, now=T0)
        queue_admin = review.review_queue(session=s, actor=admin, now=T0)
        narrow = review.review_queue(session=s, actor=lead_a, now=T0, margin=0.0)
        team_b = review.review_queue(session=s, actor=admin, now=T0, team_id=seeded.teams["乙组"])
        other = review.review_queue(session=s, actor=lead_a, now=T0, team_id=seeded.teams["乙组"])
        with pytest.raises(Forbidden):
            review.review_queue(session=s, actor=_u(s, seeded, "xiaoli"), now=T0)
    # 小张 appealed (first), xss_img scored exactly the pass mark (60/100, close)
    assert [i.response_id for i in queue_a] == [
        seeded.responses["xiaozhang_near"],
        seeded.responses["xss_img_reply"],
    ]
    assert queue_a[0].why == "学员申诉" and queue_a[0].appeal_reason.startswith("我已经答应")
    assert queue_a[1].why == "接近及格线" and queue_a[1].pass_ratio == 0.6
    # 小陈's violation (0 points) and 小李's 100 are not close; xss_md's 80 is 0.2 away
    assert [i.username for i in queue_b] == ["xiaowang"]
    assert {i.response_id for i in queue_admin} == {i.response_id for i in queue_a + queue_b}
    assert [i.response_id for i in narrow] == [i.response_id for i in queue_a]
    assert [i.username for i in team_b] == ["xiaowang"]
    assert other == []  # a team filter never widens what a manager sees
    # answers older than the window drop out, appeals never do
    later = T0 + 45 * DAY
    with transaction(engine) as s:
        old = review.review_queue(session=s, actor=_u(s, seeded, "lead_a"), now=later)
    assert [i.response_id for i in old] == [seeded.responses["xiaozhang_near"]]


def test_confirming_keeps_the_score_and_resolves_the_appeal(engine, seeded) -> None:
    rid = seeded.responses["xiaozhang_near"]
    with transaction(engine) as s:
        lead = _u(s, seeded, "lead_a")
        ov = review.confirm_score(session=s, actor=lead, response_id=rid, now=T0)
        again = review.confirm_score(session=s, actor=lead, response_id=rid, now=T0)  # no harm
        assert ov.old_score == ov.new_score == 50 and ov.passed is False
        assert again.id != ov.id
    with transaction(engine) as s:
        lead, zhang = _u(s, seeded, "lead_a"), _u(s, seeded, "xiaozhang")
        appeal = s.get(Appeal, seeded.appeal_id)
        assert appeal.outcome == "维持原分" and appeal.resolved_by == lead.id
        assert appeal.resolved_at == T0
        queue = review.review_queue(session=s, actor=lead, now=T0)
        assert rid not in {i.response_id for i in queue}
        seen = review.overrides_for_user(session=s, actor=zhang, user_id=zhang.id)
        assert seen[0].reviewer == "王主管" and seen[0].outcome == "维持原分"
        assert seen[0].reason == review.CONFIRM_REASON
        assert review.appeals_for_user(session=s, actor=zhang, user_id=zhang.id)[rid].outcome == (
            "维持原分"
        )
        with pytest.raises(Duplicate, match="处理过"):
            review.appeal_response(session=s, actor=zhang, response_id=rid, reason="不服", now=T0)


def test_a_violation_stays_failed_when_confirmed(engine, seeded) -> None:
    rid = seeded.responses["xiaochen_refuse"]
    with transaction(engine) as s:
        ov = review.confirm_score(
            session=s, actor=_u(s, seeded, "lead_a"), response_id=rid, now=T0, note="违规属实"
        )
        assert ov.passed is False and ov.reason == "违规属实"
        resp = s.get(Response, rid)
        assert store.effective_score(session=s, response=resp) == (0, False)


def test_overriding_keeps_every_change_and_the_trainee_sees_it(engine, seeded) -> None:
    rid = seeded.responses["xiaozhang_near"]
    with transaction(engine) as s:
        lead = _u(s, seeded, "lead_a")
        with pytest.raises(ValidationFailed, match="改分原因"):
            review.override_score(
                session=s, actor=lead, response_id=rid, new_score=70, reason=" ", now=T0
            )
        with pytest.raises(ValidationFailed, match="0 到 100"):
            review.override_score(
                session=s, actor=lead, response_id=rid, new_score=120, reason="加分", now=T0
            )
        with pytest.raises(Forbidden):
            review.override_score(
                session=s,
                actor=_u(s, seeded, "lead_b"),
                response_id=rid,
                new_score=70,
                reason="别的组",
                now=T0,
            )
        with pytest.raises(Forbidden):
            review.override_score(
                session=s,
                actor=_u(s, seeded, "xiaozhang"),
                response_id=rid,
                new_score=100,
                reason="自己改",
                now=T0,
            )
        with pytest.raises(ValidationFailed, match="情景回复"):
            review.override_score(
                session=s,
                actor=lead,
                response_id=_objective_response(s, seeded, "xiaozhang"),
                new_score=1,
                reason="判断题",
                now=T0,
            )
        review.override_score(
            session=s,
            actor=lead,
            response_id=rid,
            new_score=70,
            reason="“稍等”只扣礼貌分，要点都答到了",
            now=T0,
        )
        review.override_score(
            session=s,
            actor=_u(s, seeded, "admin"),
            response_id=rid,
            new_score=65,
            reason="抽查后微调",
            now=T0 + DAY,
        )
    with transaction(engine) as s:
        zhang = _u(s, seeded, "xiaozhang")
        history = review.overrides_for_user(session=s, actor=zhang, user_id=zhang.id)
        assert [(h.old_score, h.new_score, h.reviewer) for h in history] == [
            (70, 65, "管理员"),
            (50, 70, "王主管"),
        ]
        assert all(h.passed and h.outcome == "已改分" for h in history)
        assert history[1].reason == "“稍等”只扣礼貌分，要点都答到了"
        assert s.get(Appeal, seeded.appeal_id).outcome == "已改分"
        resp = s.get(Response, rid)
        assert store.effective_score(session=s, response=resp) == (65, True)
        assert s.scalar(select(func.count()).select_from(ScoreOverride)) == 2
        # another trainee cannot read them; the manager of another team neither
        with pytest.raises(Forbidden):
            review.overrides_for_user(session=s, actor=_u(s, seeded, "xiaoli"), user_id=zhang.id)
        with pytest.raises(Forbidden):
            review.overrides_for_response(session=s, actor=_u(s, seeded, "lead_b"), response_id=rid)
        assert len(review.overrides_for_response(session=s, actor=zhang, response_id=rid)) == 2


def test_open_appeal_count(engine, seeded) -> None:
    with transaction(engine) as s:
        assert review.open_appeal_count(session=s, actor=_u(s, seeded, "lead_a")) == 1
        assert review.open_appeal_count(session=s, actor=_u(s, seeded, "lead_b")) == 0
        with pytest.raises(Forbidden):
            review.open_appeal_count(session=s, actor=_u(s, seeded, "xiaoli"))
