"""The demo organisation: built on a fresh SQLite, it gives the manager board three living
teams; it refuses to write into a database that has accounts; it is reproducible."""

from __future__ import annotations

import datetime as dt
import json
import random
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from trainer.catalog import load_catalog
from trainer.demo import DEMO_PASSWORD, DemoRefused, build_demo
from trainer.demo.people import TEAMS, make_agents
from trainer.demo.simulate import Content, Simulation
from trainer.demo.texts import reply_pools
from trainer.grading import grade
from trainer.records.db import ensure_schema, make_engine, reading
from trainer.records.models import (
    Appeal,
    Assignment,
    Certification,
    LoginEvent,
    Response,
    ReviewCard,
    RuleVersionRaise,
    ScoreOverride,
    User,
)
from trainer.reports import board

ROOT = Path(__file__).resolve().parents[1]
NOW = dt.datetime(2026, 5, 20, 6, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(ROOT)


@pytest.fixture(scope="module")
def demo(tmp_path_factory, catalog):
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    engine = make_engine(f"sqlite:///{path}")
    ensure_schema(engine)
    summary = build_demo(engine, catalog, now=NOW)
    yield engine, summary, path
    engine.dispose()


@pytest.mark.slow
def test_the_organisation_has_its_people_and_six_months_of_history(demo) -> None:
    engine, summary, _ = demo
    with reading(engine) as s:
        roles = dict(s.execute(select(User.role, func.count()).group_by(User.role)).all())
        assert roles == {"admin": 1, "manager": 3, "trainee": 60}
        first, last, n = s.execute(
            select(func.min(Response.created_at), func.max(Response.created_at), func.count())
        ).one()
        assert n > 8000
        assert NOW - dt.timedelta(days=185) <= first < NOW - dt.timedelta(days=150)
        assert NOW - dt.timedelta(days=3) <= last <= NOW
        kinds = dict(s.execute(select(Response.kind, func.count()).group_by(Response.kind)).all())
        assert {"practice", "reply", "dialog", "exam", "refresher"} <= set(kinds)
        assert s.scalar(select(func.count()).where(Response.violation_ids != [])) > 20
        assert s.scalar(select(func.count()).select_from(Certification)) >= 15
        assert s.scalar(select(func.count()).select_from(Appeal)) >= 3
        reasons = s.scalars(select(ScoreOverride.reason)).all()
        assert len(reasons) >= 3 and all(r.strip() for r in reasons)
        assert s.scalar(select(func.count()).select_from(Assignment)) >= 6
        assert s.scalar(select(func.count()).select_from(RuleVersionRaise)) == 1
        assert s.scalar(select(func.count()).select_from(LoginEvent)) > 1000
        overdue = s.scalar(
            select(func.count(func.distinct(ReviewCard.user_id))).where(
                ReviewCard.due_at < NOW - dt.timedelta(days=7)
            )
        )
        assert overdue >= 5
    assert summary.seconds < 60
    assert summary.password == DEMO_PASSWORD
    usernames = {u for _, u, _ in summary.logins}
    assert {"admin", "lead_tm", "lead_tb", "lead_jd"} <= usernames


@pytest.mark.slow
def test_replies_were_graded_by_the_real_grader(demo, catalog) -> None:
    engine, _, _ = demo
    titles = {lid: les.title for lid, les in catalog.lessons.items()}
    with reading(engine) as s:
        rows = s.scalars(
            select(Response).where(Response.kind == "reply").order_by(Response.id).limit(40)
        ).all()
    assert rows
    for r in rows:
        again = grade(catalog.questions[r.question_id], r.response, lesson_titles=titles)
        assert json.loads(json.dumps(again.to_dict())) == r.grade


@pytest.mark.slow
def test_the_manager_board_shows_three_living_teams(demo, catalog) -> None:
    engine, _, _ = demo
    with reading(engine) as s:
        admin = s.scalars(select(User).where(User.role == "admin")).one()
        overview = board.team_overview(session=s, actor=admin, catalog=catalog, now=NOW)
        assert sorted(overview["团队"].unique()) == sorted(t[0] for t in TEAMS)
        assert len(overview) == 60
        for team, rows in overview.groupby("团队"):
            assert len(rows) == 20, team
            assert rows["作答数"].sum() > 1500, team
            mean = rows["平均得分率"].dropna().mean()
            assert 0.45 < mean < 0.95, (team, mean)
        statuses = set(overview["认证状态"])
        assert {"有效", "已过期", "即将到期", "未认证"} <= statuses
        assert overview["逾期任务"].sum() > 0
        assert overview["逾期复训"].sum() > 0
        # a lead sees their own team only
        lead = s.scalars(select(User).where(User.username == "lead_jd")).one()
        mine = board.team_overview(session=s, actor=lead, catalog=catalog, now=NOW)
        assert set(mine["团队"]) == {"京东三组"} and len(mine) == 20
        full = board.team_board(session=s, actor=lead, catalog=catalog, now=NOW)
        assert len(full.trend) > 0 and len(full.weak_rules) > 0


@pytest.mark.slow
def test_it_refuses_a_database_that_has_accounts(demo, catalog) -> None:
    engine, _, path = demo
    with pytest.raises(DemoRefused, match="--force"):
        build_demo(engine, catalog, now=NOW)
    out = subprocess.run(
        [sys.executable, "-m", "trainer", "demo", "--db", f"sqlite:///{path}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 1
    assert "已经有 64 个账号" in out.stderr and "--force" in out.stderr
    assert "Traceback" not in out.stderr


def test_the_same_seed_gives_the_same_history(catalog) -> None:
    content = Content(catalog, reply_pools(catalog))
    agent = next(
        a
        for a in make_agents(random.Random(7), per_team=8)
        if not a.veteran and a.hired_days_ago > 90 and a.profile.kind != "停滞"
    )

    def history():
        return Simulation(agent, content, now=NOW, rng=random.Random("7:x"), rule_raise=None).run()

    a, b = history(), history()
    assert a.responses == b.responses and a.attempts == b.attempts
    assert a.responses, "a five-month agent answers something"
    passed = [r["passed"] for r in a.responses if r["kind"] == "practice"]
    half = len(passed) // 2
    assert sum(passed[half:]) / max(1, len(passed) - half) >= sum(passed[:half]) / max(1, half)
