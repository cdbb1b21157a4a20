"""Manager analytics on a seeded team, on SQLite and PostgreSQL (the ``engine`` fixture)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import event, text

from tests.conftest import T0
from tests.manager_seed import XSS_IMG, XSS_MD, XSS_REPLY_IMG, catalog, seed_team
from trainer.learning import module_mastery, path_for, path_progress
from trainer.records import review, store
from trainer.records.db import transaction
from trainer.records.errors import Forbidden, ValidationFailed
from trainer.records.models import Response, User
from trainer.records.submit import submit_answer
from trainer.reports import agent, assignments, board, export, items, rules, scope

CAT = catalog()
DAY = dt.timedelta(days=1)


@pytest.fixture
def seeded(engine):
    return seed_team(engine, T0, CAT)


@pytest.fixture
def sqlite_seeded(sqlite_engine):
    """For the query-plan tests: EXPLAIN QUERY PLAN is SQLite's (PostgreSQL picks plans by
    statistics, so there is nothing stable to assert there)."""
    return sqlite_engine, seed_team(sqlite_engine, T0, CAT)


def _by_name(df: pd.DataFrame) -> dict[str, dict]:
    return {row["用户名"]: row for row in df.to_dict("records")}


# ---------------------------------------------------------------- access


REPORT_CALLS = {
    "team_board": lambda s, a: board.team_board(session=s, actor=a, catalog=CAT, now=T0),
    "team_overview": lambda s, a: board.team_overview(session=s, actor=a, catalog=CAT, now=T0),
    "mastery_matrix": lambda s, a: board.mastery_matrix(session=s, actor=a, catalog=CAT, now=T0),
    "score_trend": lambda s, a: board.score_trend(session=s, actor=a, now=T0),
    "weak_rules": lambda s, a: board.weak_rules(session=s, actor=a, catalog=CAT, now=T0),
    "item_analysis": lambda s, a: items.item_analysis(session=s, actor=a, catalog=CAT),
    "criterion_hit_rates": lambda s, a: items.criterion_hit_rates(
        session=s, actor=a, catalog=CAT, now=T0
    ),
    "assignment_status": lambda s, a: assignments.assignment_status(
        session=s, actor=a, catalog=CAT, now=T0
    ),
    "rule_versions": lambda s, a: rules.rule_versions(session=s, actor=a, catalog=CAT, now=T0),
    "visible_teams": lambda s, a: scope.visible_teams(session=s, actor=a),
    "answers_export": lambda s, a: export.answers_export(
        session=s, actor=a, catalog=CAT, since=T0 - 30 * DAY, until=T0
    ),
    "board_export": lambda s, a: export.board_export(session=s, actor=a, catalog=CAT, now=T0),
    "agent_header": lambda s, a: agent.agent_header(
        session=s, actor=a, catalog=CAT, now=T0, user_id=a.id
    ),
    "agent_timeline": lambda s, a: agent.agent_timeline(
        session=s, actor=a, catalog=CAT, user_id=a.id
    ),
    "agent_answers": lambda s, a: agent.agent_answers(
        session=s, actor=a, catalog=CAT, user_id=a.id
    ),
    "mastery_vs_team": lambda s, a: agent.mastery_vs_team(
        session=s, actor=a, catalog=CAT, now=T0, user_id=a.id
    ),
}


def test_a_trainee_is_refused_by_every_report_function(engine, seeded) -> None:
    with transaction(engine) as s:
        trainee = s.get(User, seeded.users["xiaoli"])
        for name, call in REPORT_CALLS.items():
            with pytest.raises(Forbidden):
                call(s, trainee)
                pytest.fail(f"{name} answered a trainee")
        with pytest.raises(Forbidden):
            agent.answer_detail(
                session=s,
                actor=trainee,
                catalog=CAT,
                response_id=seeded.responses["xiaoli_reply"],
            )


def test_a_manager_sees_only_their_teams(engine, seeded) -> None:
    with transaction(engine) as s:
        lead_a = s.get(User, seeded.users["lead_a"])
        lead_b = s.get(User, seeded.users["lead_b"])
        admin = s.get(User, seeded.users["admin"])
        rows_a = board.team_overview(session=s, actor=lead_a, catalog=CAT, now=T0)
        rows_b = board.team_overview(session=s, actor=lead_b, catalog=CAT, now=T0)
        rows_admin = board.team_overview(session=s, actor=admin, catalog=CAT, now=T0)
        assert set(rows_a["用户名"]) == {"xiaoli", "xiaozhang", "xss_img", "xss_md", "xiaochen"}
        assert set(rows_b["用户名"]) == {"xiaowang"}
        assert set(rows_admin["用户名"]) == set(rows_a["用户名"]) | {"xiaowang"}
        assert [t.name for t in scope.visible_teams(session=s, actor=lead_a)] == ["甲组"]
        assert len(scope.visible_teams(session=s, actor=admin)) == 2
        # another team's agent, asked for directly
        for call in (agent.agent_answers, agent.agent_timeline):
            with pytest.raises(Forbidden):
                call(session=s, actor=lead_a, catalog=CAT, user_id=seeded.users["xiaowang"])
        with pytest.raises(Forbidden):
            agent.answer_detail(
                session=s,
                actor=lead_a,
                catalog=CAT,
                response_id=seeded.responses["xiaowang_reply"],
            )
        # a filter on another team yields nothing rather than their data
        other = board.team_overview(
            session=s, actor=lead_a, catalog=CAT, now=T0, team_id=seeded.teams["乙组"]
        )
        assert other.empty
        exported = export.answers_export(
            session=s, actor=lead_a, catalog=CAT, since=T0 - 30 * DAY, until=T0 + DAY
        )
        assert "xiaowang" not in set(exported["用户名"])
        rules_b = weak = board.weak_rules(session=s, actor=lead_b, catalog=CAT, now=T0)
        assert weak.empty and rules_b.empty  # 小陈's violation is in 甲组


# ---------------------------------------------------------------- the board


def test_board_rows(engine, seeded) -> None:
    with transaction(engine) as s:
        lead = s.get(User, seeded.users["lead_a"])
        b = board.team_board(session=s, actor=lead, catalog=CAT, now=T0)
    rows = _by_name(b.overview)
    li, zhang = rows["xiaoli"], rows["xiaozhang"]
    assert li["路径进度"] == 100 and li["认证状态"] == "有效"
    assert li["平均得分率"] == 1.0 and li["作答数"] == 11 and li["最近考试"] == 0.9
    assert li["逾期任务"] == 0  # certified: the path assignment is done
    assert zhang["逾期任务"] == 1 and zhang["认证状态"] == "未认证"
    assert zhang["作答数"] == 7
    assert zhang["平均得分率"] == pytest.approx(round((2 + 0.5) / 7, 3))
    assert zhang["近7天得分率"] == 0.5  # only the reply of 3 days ago
    assert zhang["最近活跃"] == T0 - 3 * DAY
    assert zhang["待复训"] > 0
    assert rows["xss_img"]["学员"] == XSS_IMG and rows["xss_md"]["学员"] == XSS_MD
    assert list(b.overview.columns) == board.COLUMNS

    m = b.mastery.set_index(["user_id", "模块ID"])["掌握度"]
    assert m[(seeded.users["xiaoli"], "jd-basics")] == 1.0  # tmall pool: jd-q4..q6
    assert m[(seeded.users["xiaozhang"], "example-rules")] == 0.0  # 4 answered, none passed
    assert math.isnan(m[(seeded.users["xiaozhang"], "jd-basics")])  # nothing of his pool
    assert math.isnan(m[(seeded.users["xiaochen"], "jd-basics")])  # never answered

    assert b.trend["作答数"].sum() == 24  # every answer of 甲组 falls in the 8 weeks
    assert set(b.trend["团队"]) == {"甲组"}
    assert b.weak_rules.iloc[0]["违规ID"] == "refuse-invoice"
    assert b.weak_rules.iloc[0]["违规"] == "拒绝开发票"
    assert b.weak_rules.iloc[0]["次数"] == 1 and b.weak_rules.iloc[0]["人数"] == 1


def test_board_filters_by_team_and_platform(engine, seeded) -> None:
    with transaction(engine) as s:
        admin = s.get(User, seeded.users["admin"])
        taobao = board.team_overview(session=s, actor=admin, catalog=CAT, now=T0, platform="taobao")
        team_b = board.team_overview(
            session=s, actor=admin, catalog=CAT, now=T0, team_id=seeded.teams["乙组"]
        )
        trend_b = board.score_trend(session=s, actor=admin, now=T0, team_id=seeded.teams["乙组"])
    assert list(taobao["用户名"]) == ["xiaochen"]
    assert list(team_b["用户名"]) == ["xiaowang"]
    assert trend_b["作答数"].sum() == 2 and set(trend_b["团队"]) == {"乙组"}


def test_an_override_counts_on_the_board(engine, seeded) -> None:
    rid = seeded.responses["xiaozhang_near"]
    with transaction(engine) as s:
        lead = s.get(User, seeded.users["lead_a"])
        review.override_score(
            session=s, actor=lead, response_id=rid, new_score=70, reason="语气到位", now=T0
        )
    with transaction(engine) as s:
        lead = s.get(User, seeded.users["lead_a"])
        b = board.team_board(session=s, actor=lead, catalog=CAT, now=T0)
    zhang = _by_name(b.overview)["xiaozhang"]
    assert zhang["平均得分率"] == pytest.approx(round((2 + 0.7) / 7, 3))
    m = b.mastery.set_index(["user_id", "模块ID"])["掌握度"]
    assert m[(seeded.users["xiaozhang"], "example-rules")] == 0.25  # the reply now passes


def test_the_board_agrees_with_what_each_trainee_sees(engine, seeded) -> None:
    """Mastery and path progress on the board equal the trainee's own (trainer.learning over
    store.latest_results), for every agent, module and platform — overrides included."""
    with transaction(engine) as s:
        lead = s.get(User, seeded.users["lead_a"])
        review.override_score(
            session=s,
            actor=lead,
            response_id=seeded.responses["xiaochen_refuse"],
            new_score=80,
            reason="误判：买家问的是电子发票",
            now=T0,
        )
    with transaction(engine) as s:
        admin = s.get(User, seeded.users["admin"])
        b = board.team_board(session=s, actor=admin, catalog=CAT, now=T0)
        rows = _by_name(b.overview)
        m = b.mastery.set_index(["user_id", "模块ID"])["掌握度"]
        for username, row in rows.items():
            u = s.get(User, row["user_id"])
            latest = store.latest_results(session=s, user_id=u.id)
            own = module_mastery(CAT, {q: p for q, (p, _) in latest.items()}, u.platform)
            for mid in CAT.modules:
                got = m[(u.id, mid)]
                if mid in own:
                    assert got == pytest.approx(round(own[mid], 3)), (username, mid)
                else:
                    assert math.isnan(got), (username, mid)
            cert = store.latest_certification(session=s, user_id=u.id)
            certified = cert is not None and cert.expires_at > T0
            path = path_for(CAT, u.platform)
            expected = path_progress(
                CAT,
                path.id,
                learned=set(store.learned_lessons(session=s, user_id=u.id)),
                practice=own,
                certified=certified,
            ).percent
            assert row["路径进度"] == expected, username


def test_the_rollup_trigger_matches_the_answers(engine, seeded) -> None:
    """answer_rollups, kept by the database trigger, equals a recount of the answers —
    including a resent submission (stored once) and dialog turns (no latest answer)."""
    again = submit_answer(
        engine,
        CAT,
        user_id=seeded.users["xiaoli"],
        question_id="jd-q1",
        response=False,
        kind="practice",
        submission_id="resent",
        now=T0,
    )
    twice = submit_answer(
        engine,
        CAT,
        user_id=seeded.users["xiaoli"],
        question_id="jd-q1",
        response=True,
        kind="practice",
        submission_id="resent",
        now=T0,
    )
    assert again.response_id == twice.response_id
    with transaction(engine) as s:
        s.execute(
            text(
                "insert into responses (submission_id, user_id, question_id, turn_id, kind,"
                " response, grade, score, max_score, passed, violation_ids, grader_version,"
                " content_version, rule_version, created_at)"
                " select 'turn1', user_id, 'dlg', 't1', 'dialog', response, grade, 30, 60,"
                " passed, violation_ids, grader_version, content_version, 1, created_at"
                " from responses where id = :rid"
            ),
            {"rid": seeded.responses["xiaoli_reply"]},
        )
        rollup = {
            (u, q): (n, round(r, 6), last, lid, None if p is None else bool(p), lr)
            for u, q, n, r, last, lid, p, lr in s.execute(
                text(
                    "select user_id, question_id, answers, ratio_sum, last_at, last_id,"
                    " last_passed, last_ratio from answer_rollups"
                )
            )
        }
        recount = {}
        for u, q, n, r, last, lid in s.execute(
            text(
                "select user_id, question_id, count(*), sum(score / max_score), max(created_at),"
                " max(case when turn_id is null then id end) from responses"
                " group by user_id, question_id"
            )
        ):
            row = s.execute(
                text("select passed, score / max_score from responses where id = :i"), {"i": lid}
            ).first()
            passed, ratio = row if row else (None, None)
            recount[(u, q)] = (
                n,
                round(r, 6),
                last,
                lid,
                None if lid is None else bool(passed),
                ratio,
            )
    assert rollup == recount
    assert rollup[(seeded.users["xiaoli"], "jd-q1")][0] == 2  # the resend counted once
    assert rollup[(seeded.users["xiaoli"], "dlg")][3:] == (None, None, None)  # turns only


def test_review_queue_and_hit_rates_read_reply_answers_only(sqlite_seeded) -> None:
    """Both read the partial index of reply / dialog answers (SQLite's plan says so)."""
    engine, seeded = sqlite_seeded
    seen: list = []

    def grab(conn, cursor, statement, params, context, executemany):
        if "json_extract(responses.grade, '$.question_type')" in statement:
            seen.append((statement, params))

    event.listen(engine, "before_cursor_execute", grab)
    try:
        with transaction(engine) as s:
            admin = s.get(User, seeded.users["admin"])
            review.review_queue(session=s, actor=admin, now=T0)
            items.criterion_hit_rates(session=s, actor=admin, catalog=CAT, now=T0)
    finally:
        event.remove(engine, "before_cursor_execute", grab)
    assert len(seen) == 2
    with engine.connect() as c:
        for statement, params in seen:
            plan = c.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params).all()
            assert any("ix_responses_replies" in str(r[-1]) for r in plan), plan


def test_the_board_reads_indexes_never_the_wide_rows(sqlite_seeded) -> None:
    """Every board query over responses is answered from an index (SQLite's plan says so):
    the per-agent scans from covering indexes, weak rules from the partial index."""
    engine, seeded = sqlite_seeded
    seen: list = []

    def grab(conn, cursor, statement, params, context, executemany):
        if "FROM responses" in statement or "FROM answer_rollups" in statement:
            seen.append((statement, params))

    event.listen(engine, "before_cursor_execute", grab)
    try:
        with transaction(engine) as s:
            admin = s.get(User, seeded.users["admin"])
            board.team_board(session=s, actor=admin, catalog=CAT, now=T0)
    finally:
        event.remove(engine, "before_cursor_execute", grab)
    plans = []
    with engine.connect() as c:
        for statement, params in seen:
            rows = c.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params).all()
            plans.append([str(r[-1]) for r in rows])
    steps = [
        step for plan in plans for step in plan if " responses" in step or "answer_rollups" in step
    ]
    assert steps and all("INDEX" in step or "PRIMARY KEY" in step for step in steps), steps
    joined = " | ".join(steps)
    assert "COVERING INDEX ix_answer_rollups_question" in joined  # mastery
    assert "COVERING INDEX ix_responses_activity" in joined  # recent weeks
    assert "ix_responses_violations" in joined  # weak rules


# ---------------------------------------------------------------- agent detail


def test_agent_detail(engine, seeded) -> None:
    with transaction(engine) as s:
        lead = s.get(User, seeded.users["lead_a"])
        uid = seeded.users["xss_img"]
        header = agent.agent_header(session=s, actor=lead, catalog=CAT, now=T0, user_id=uid)
        answers = agent.agent_answers(session=s, actor=lead, catalog=CAT, user_id=uid)
        timeline = agent.agent_timeline(session=s, actor=lead, catalog=CAT, user_id=uid)
        detail = agent.answer_detail(
            session=s, actor=lead, catalog=CAT, response_id=seeded.responses["xss_img_reply"]
        )
        vs = agent.mastery_vs_team(session=s, actor=lead, catalog=CAT, now=T0, user_id=uid)
        chen = agent.answer_detail(
            session=s, actor=lead, catalog=CAT, response_id=seeded.responses["xiaochen_refuse"]
        )
    assert header.name == XSS_IMG and header.team == "甲组" and header.row["作答数"] == 2
    assert answers.iloc[0]["作答"] == XSS_REPLY_IMG  # newest first, the text untouched
    assert len(timeline) == 2
    assert detail.text == XSS_REPLY_IMG and detail.is_reply and detail.pass_ratio == 0.6
    assert detail.buyer == CAT.questions["example-invoice-reply"].buyer
    crit = detail.criteria_table().set_index("评分项")
    assert crit.loc["同意开发票", "达成"] == "是" and crit.loc["询问发票抬头", "达成"] == "否"
    assert chen.violations_table().iloc[0]["违规"] == "拒绝开发票"
    assert chen.violations_table().iloc[0]["后果"] == "违规扣6分"
    row = vs.set_index("模块").loc["示例模块"]
    assert row["学员"] == 0.5 and row["团队人数"] == 5  # 2 of the 4 questions of the pool


# ---------------------------------------------------------------- item analysis


def _pearson(xs, ys):
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    return sxy / math.sqrt(sxx * syy)


def test_item_analysis_matches_the_definitions(engine, seeded) -> None:
    with transaction(engine) as s:
        admin = s.get(User, seeded.users["admin"])
        df = items.item_analysis(session=s, actor=admin, catalog=CAT).set_index("题目ID")
        rows = s.execute(
            text("select user_id, question_id, id, score, max_score from responses")
        ).all()
    # by hand: latest ratio per (agent, question), rest-of-test mean per agent
    latest: dict[tuple[int, str], tuple[int, float]] = {}
    by_q: dict[str, list[float]] = {}
    for uid, qid, rid, score, mx in rows:
        by_q.setdefault(qid, []).append(score / mx)
        if (uid, qid) not in latest or rid > latest[(uid, qid)][0]:
            latest[(uid, qid)] = (rid, score / mx)
    per_user: dict[int, dict[str, float]] = {}
    for (uid, qid), (_, x) in latest.items():
        per_user.setdefault(uid, {})[qid] = x
    qid = "example-invoice-reply"
    xs, ys = [], []
    for qs in per_user.values():
        if qid in qs and len(qs) > 1:
            xs.append(qs[qid])
            ys.append((sum(qs.values()) - qs[qid]) / (len(qs) - 1))
    assert df.loc[qid, "难度系数"] == pytest.approx(round(sum(by_q[qid]) / len(by_q[qid]), 3))
    assert df.loc[qid, "区分度"] == pytest.approx(round(_pearson(xs, ys), 3))
    assert df.loc[qid, "作答人数"] == 6
    assert df.loc[qid, "提示"] == "区分度为负"  # weak agents write passable replies here
    assert df.loc["jd-q6", "作答次数"] == 1 and df.loc["jd-q6", "提示"] == "样本不足"
    assert (df.loc[df["作答次数"] == 0, "提示"] == "暂无作答").all()
    assert df.loc["jd-q1", "提示"] == "样本不足"
    assert set(df.index) == set(CAT.questions)


@pytest.mark.parametrize(
    ("facility", "disc", "agents", "flag"),
    [
        (0.95, 0.4, 10, "太简单"),
        (0.2, 0.4, 10, "太难"),
        (0.5, -0.1, 10, "区分度为负"),
        (0.25, -0.3, 10, "太难、区分度为负"),
        (0.5, 0.4, 10, ""),
        (0.9, 0.0, 10, ""),  # the thresholds themselves are fine
        (0.3, None, 10, ""),
        (0.95, -0.5, 4, "样本不足"),
        (None, None, 0, "暂无作答"),
    ],
)
def test_item_flags(facility, disc, agents, flag) -> None:
    assert items.flags(facility, disc, agents) == flag


def test_criterion_hit_rates(engine, seeded) -> None:
    with transaction(engine) as s:
        lead = s.get(User, seeded.users["lead_a"])
        df = items.criterion_hit_rates(session=s, actor=lead, catalog=CAT, now=T0)
        grades = [
            r.grade
            for r in s.query(Response).filter(Response.question_id == "example-invoice-reply")
            if r.user_id != seeded.users["xiaowang"]
        ]
    rates = df.set_index("评分项ID")
    for cid in ("agree", "title", "greeting", "closing"):
        met = [c["met"] for g in grades for c in g["criteria"] if c["id"] == cid]
        assert rates.loc[cid, "作答数"] == len(met) == 5
        assert rates.loc[cid, "命中率"] == pytest.approx(round(sum(met) / len(met), 3))
    assert rates.loc["wait", "类别"] == "禁忌用语" and rates.loc["wait", "命中率"] == 1.0


# ---------------------------------------------------------------- assignments


def test_assignment_status_reads_completion_from_the_records(engine, seeded) -> None:
    with transaction(engine) as s:
        lead = s.get(User, seeded.users["lead_a"])
        df = assignments.assignment_status(session=s, actor=lead, catalog=CAT, now=T0)
    by = {(r["用户名"], r["类型"]): r["状态"] for r in df.to_dict("records")}
    assert by[("xiaoli", "学习路径")] == "已完成"
    assert by[("xiaozhang", "学习路径")] == "已逾期"
    assert by[("xiaozhang", "复训题组")] == "进行中"
    assert df.iloc[0]["状态"] == "已逾期"  # overdue first
    # 小张 does a refresher round: the set is done
    for i, (qid, resp) in enumerate([("example-invoice-tf", False), ("jd-q1", True)] * 5):
        submit_answer(
            engine,
            CAT,
            user_id=seeded.users["xiaozhang"],
            question_id=qid,
            response=resp,
            kind="refresher",
            submission_id=f"r{i}",
            now=T0 + dt.timedelta(minutes=i),
        )
    with transaction(engine) as s:
        lead = s.get(User, seeded.users["lead_a"])
        df = assignments.assignment_status(
            session=s, actor=lead, catalog=CAT, now=T0 + DAY, user_id=seeded.users["xiaozhang"]
        )
    by = {r["类型"]: r["状态"] for r in df.to_dict("records")}
    assert by == {"学习路径": "已逾期", "复训题组": "已完成"}


# ---------------------------------------------------------------- rule versions


def test_raising_a_rule_version_puts_questions_due_for_the_certified(engine, seeded) -> None:
    with transaction(engine) as s:
        admin = s.get(User, seeded.users["admin"])
        lead = s.get(User, seeded.users["lead_a"])
        before = _by_name(board.team_overview(session=s, actor=admin, catalog=CAT, now=T0))
        with pytest.raises(Forbidden):
            rules.raise_rule(
                session=s, actor=lead, catalog=CAT, lesson_id="example-invoice", note="x", now=T0
            )
        row, affected = rules.raise_rule(
            session=s,
            actor=admin,
            catalog=CAT,
            lesson_id="example-invoice",
            note="发票规则 2026 年修订",
            now=T0,
        )
    assert row.version == 2 and affected == 1  # 小李 is certified on version 1
    with transaction(engine) as s:
        admin = s.get(User, seeded.users["admin"])
        after = _by_name(board.team_overview(session=s, actor=admin, catalog=CAT, now=T0))
        table = rules.rule_versions(session=s, actor=admin, catalog=CAT, now=T0)
    invoice_questions = [q for q in CAT.questions.values() if "example-invoice" in q.lessons]
    tmall = [q for q in invoice_questions if "tmall" in q.platform or "通用" in q.platform]
    assert after["xiaoli"]["待复训"] == before["xiaoli"]["待复训"] + len(tmall)
    assert after["xiaozhang"]["待复训"] == before["xiaozhang"]["待复训"]  # never certified
    inv = table.set_index("课程ID").loc["example-invoice"]
    assert inv["文件版本"] == 1 and inv["当前版本"] == 2 and inv["需重学人数"] == 1
    assert inv["升级说明"] == "发票规则 2026 年修订"
    # 小李 re-learns the lesson at the new version: nothing due any more for him
    with transaction(engine) as s:
        store.mark_lesson_learned(
            session=s,
            user_id=seeded.users["xiaoli"],
            lesson_id="example-invoice",
            rule_version=2,
            now=T0,
        )
    with transaction(engine) as s:
        admin = s.get(User, seeded.users["admin"])
        relearned = _by_name(board.team_overview(session=s, actor=admin, catalog=CAT, now=T0))
        table = rules.rule_versions(session=s, actor=admin, catalog=CAT, now=T0)
    assert relearned["xiaoli"]["待复训"] == before["xiaoli"]["待复训"]
    assert table.set_index("课程ID").loc["example-invoice", "需重学人数"] == 0


# ---------------------------------------------------------------- exports


def test_exports_csv_and_xlsx(engine, seeded) -> None:
    with transaction(engine) as s:
        lead = s.get(User, seeded.users["lead_a"])
        df = export.board_export(session=s, actor=lead, catalog=CAT, now=T0)
        answers = export.answers_export(
            session=s, actor=lead, catalog=CAT, since=T0 - 30 * DAY, until=T0 + DAY
        )
    raw = export.to_csv_bytes(df)
    assert raw.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert table[0] == [c for c in board.COLUMNS if c != "user_id"]
    assert len(table) == 1 + 5
    assert {r[0] for r in table[1:]} >= {XSS_IMG, XSS_MD, "小李"}

    wb = openpyxl.load_workbook(io.BytesIO(export.to_xlsx_bytes({"团队看板": df, "作答": answers})))
    ws = wb["团队看板"]
    values = list(ws.values)
    assert list(values[0]) == [c for c in board.COLUMNS if c != "user_id"]
    assert len(values) == 6
    names = {row[0] for row in values[1:]}
    assert names == set(df["学员"])
    li = next(row for row in values[1:] if row[1] == "xiaoli")
    assert li[4] == 100 and li[13] == "有效"
    assert isinstance(li[9], dt.datetime)  # 最近活跃, in China time
    assert li[9] == (T0 - 2 * DAY).astimezone(dt.timezone(dt.timedelta(hours=8))).replace(
        tzinfo=None
    )
    ws2 = wb["作答"]
    assert ws2.max_row == 1 + len(answers) == 1 + 24


def test_exports_never_write_formulas() -> None:
    df = pd.DataFrame({"学员": ['=HYPERLINK("http://x","点我")', "+1", "小李"], "分": [1, 2, 3]})
    wb = openpyxl.load_workbook(io.BytesIO(export.to_xlsx_bytes({"表": df})))
    cells = [row[0] for row in wb["表"].iter_rows(min_row=2)]
    assert [c.data_type for c in cells] == ["s", "s", "s"]
    assert cells[0].value.startswith("=HYPERLINK")
    rows = list(csv.reader(io.StringIO(export.to_csv_bytes(df).decode("utf-8-sig"))))
    assert rows[1][0].startswith("'=") and rows[2][0] == "'+1" and rows[3][0] == "小李"


def test_overrides_and_appeals_reach_the_export(engine, seeded) -> None:
    rid = seeded.responses["xiaozhang_near"]
    with transaction(engine) as s:
        lead = s.get(User, seeded.users["lead_a"])
        review.override_score(
            session=s, actor=lead, response_id=rid, new_score=65, reason="只差一个礼貌用语", now=T0
        )
        answers = export.answers_export(
            session=s, actor=lead, catalog=CAT, since=T0 - 30 * DAY, until=T0 + DAY
        )
    row = answers[answers["作答"] == "稍等，可以开发票的"].iloc[0]
    assert row["得分"] == 50 and row["复核后得分"] == 65 and row["复核原因"] == "只差一个礼貌用语"


def test_store_and_review_refuse_bad_input(engine, seeded) -> None:
    with transaction(engine) as s:
        lead = s.get(User, seeded.users["lead_a"])
        with pytest.raises(ValidationFailed):
            review.review_queue(session=s, actor=lead, now=T0, margin=2)
        assert store.visible_user_ids(session=s, actor=lead) is not None
