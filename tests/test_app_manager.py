"""AppTest tests of the manager and admin pages on a seeded team (tests/manager_seed.py):
every page for every role that has it, the pages a trainee must not reach, and the actions
(filter, open an agent, override, confirm, assign, admin changes) checked in the database."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass

import pyarrow as pa
import pytest
import streamlit as st
from sqlalchemy import func, select

from tests.app_env import as_current, click, open_app
from tests.app_env import texts as raw_texts
from tests.manager_seed import CONTENT, XSS_IMG, XSS_MD, XSS_REPLY_IMG, Seeded, seed_team
from trainer.catalog import load_catalog
from trainer.records.db import ensure_schema, make_engine, reading
from trainer.records.models import Appeal, Assignment, RuleVersionRaise, ScoreOverride, User
from trainer.records.submit import submit_answer
from trainer.ui.state import CurrentUser

MANAGER_PAGES = (
    "app_pages/manager_board.py",
    "app_pages/manager_agent.py",
    "app_pages/manager_items.py",
    "app_pages/manager_review.py",
    "app_pages/manager_assign.py",
)
ADMIN_PAGE = "app_pages/admin.py"


@dataclass
class Env:
    engine: object
    seeded: Seeded

    def user(self, username: str) -> CurrentUser:
        with reading(self.engine) as s:
            return as_current(s.get(User, self.seeded.users[username]))

    def count(self, model, **where) -> int:
        with reading(self.engine) as s:
            q = select(func.count()).select_from(model)
            for k, v in where.items():
                q = q.where(getattr(model, k) == v)
            return s.scalar(q)


@pytest.fixture
def env(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'app.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("TRAINER_CONTENT_ROOT", str(CONTENT))
    monkeypatch.setenv("TRAINER_COOKIE_SECRET", "apptest-secret")
    st.cache_resource.clear()
    st.cache_data.clear()
    engine = make_engine(url)
    ensure_schema(engine)
    seeded = seed_team(engine, dt.datetime.now(dt.UTC))
    yield Env(engine, seeded)
    st.cache_data.clear()
    engine.dispose()


def texts(at) -> str:
    """The page's text as a reader sees it (Markdown escapes of quoted input removed)."""
    return raw_texts(at).replace("\\", "")


def frame(at) -> object:
    return at.dataframe[0].value


def no_user_text_as_markdown(at) -> None:
    """The hostile names and replies never reach a Markdown or HTML element."""
    md = [str(e.value) for e in at.markdown] + [str(e.value) for e in at.caption]
    md += [str(e.value) for e in at.title] + [str(e.value) for e in at.subheader]
    md += [h.proto.body for h in at.get("html")]
    for bad in ("<img", "javascript:"):
        assert not any(bad in m for m in md), [m for m in md if bad in m]


# ---------------------------------------------------------------- who gets which page


@pytest.mark.parametrize("page", MANAGER_PAGES)
@pytest.mark.parametrize("who", ["lead_a", "admin"])
def test_every_manager_page_opens_for_managers_and_admins(env, page, who) -> None:
    at = open_app(env.user(who), page, timeout=60)
    assert not at.exception, at.exception
    assert at.title, f"{page} shows no title"
    no_user_text_as_markdown(at)


def test_the_admin_page_opens_for_the_admin_in_every_section(env) -> None:
    at = open_app(env.user("admin"), ADMIN_PAGE, timeout=60)
    assert not at.exception
    for section in ("用户", "团队", "批量导入", "内容校验", "规则版本"):
        at.button_group(key="admin_section").set_value(section).run()
        assert not at.exception, (section, at.exception)
        no_user_text_as_markdown(at)


@pytest.mark.parametrize("page", [*MANAGER_PAGES, ADMIN_PAGE])
def test_a_trainee_cannot_reach_manager_pages(env, page) -> None:
    at = open_app(env.user("xiaoli"))
    assert not at.exception
    with pytest.raises(Exception):  # noqa: B017 - AppTest raises for a page not registered
        at.switch_page(page).run()


def test_a_manager_cannot_reach_the_admin_page(env) -> None:
    at = open_app(env.user("lead_a"))
    with pytest.raises(Exception):  # noqa: B017
        at.switch_page(ADMIN_PAGE).run()


def test_a_page_run_directly_by_a_trainee_says_no(env) -> None:
    """Even if a page file were reached, it refuses a trainee (defence in depth)."""
    from streamlit.testing.v1 import AppTest

    from tests.app_env import ROOT

    for page in MANAGER_PAGES:
        at = AppTest.from_file(str(ROOT / page), default_timeout=60)
        at.session_state["auth_user"] = env.user("xiaoli")
        at.run()
        assert not at.exception
        assert "只对主管和管理员开放" in texts(at)
        assert not at.dataframe


# ---------------------------------------------------------------- 团队看板


def test_board_shows_the_team_and_filters(env) -> None:
    at = open_app(env.user("lead_a"), MANAGER_PAGES[0], timeout=60)
    df = frame(at)
    assert set(df["用户名"]) == {"xiaoli", "xiaozhang", "xss_img", "xss_md", "xiaochen"}
    assert set(df["学员"]) >= {XSS_IMG, XSS_MD}  # the names, literally
    zhang = df[df["用户名"] == "xiaozhang"].iloc[0]
    assert "任务逾期1项" in zhang["提醒"]
    assert df.iloc[0]["提醒"]  # overdue work first
    assert "团队最常触犯的平台规则" in texts(at)
    at.selectbox(key="board_platform").set_value("taobao").run()
    assert list(frame(at)["用户名"]) == ["xiaochen"]
    assert not at.exception
    no_user_text_as_markdown(at)


def _charts(at) -> dict[str, tuple[dict, object]]:
    """The board's Vega-Lite charts by mark type: (spec, data frame)."""
    out = {}
    for el in at.main.get("vega_lite_chart"):
        spec = json.loads(el.proto.spec)
        mark = spec["mark"]["type"] if isinstance(spec["mark"], dict) else spec["mark"]
        data = el.proto.datasets[0].data.data
        out[mark] = (spec, pa.ipc.open_stream(data).read_all().to_pandas())
    return out


def test_board_charts_name_every_module_and_the_current_week(env) -> None:
    submit_answer(  # an answer this week, whatever day of the week the test runs
        env.engine,
        load_catalog(CONTENT),
        user_id=env.seeded.users["xiaoli"],
        question_id="example-invoice-single",
        response="B",
        kind="practice",
        submission_id=uuid.uuid4().hex,
        now=dt.datetime.now(dt.UTC),
    )
    at = open_app(env.user("lead_a"), MANAGER_PAGES[0], timeout=60)
    charts = _charts(at)
    assert {"rect", "line"} <= set(charts)
    # the heat map names every module column (Vega hides overlapping labels by default)
    heat_spec, heat = charts["rect"]
    assert heat_spec["encoding"]["x"]["axis"]["labelOverlap"] is False
    assert heat["模块"].nunique() >= 1
    # the trend marks the week still in progress
    _, trend = charts["line"]
    weeks = list(trend["周"])
    assert sum("（本周）" in w for w in set(weeks)) == 1
    assert all(w.endswith("起") for w in weeks if "（本周）" not in w)


def test_board_of_another_team_holds_none_of_ours(env) -> None:
    at = open_app(env.user("lead_b"), MANAGER_PAGES[0], timeout=60)
    assert list(frame(at)["用户名"]) == ["xiaowang"]
    assert XSS_IMG not in texts(at)


def test_board_opens_an_agent(env) -> None:
    at = open_app(env.user("lead_a"), MANAGER_PAGES[0], timeout=60)
    at.selectbox(key="board_agent").set_value(env.seeded.users["xss_img"]).run()
    click(at, "打开学员详情")
    assert not at.exception
    assert at.title[0].value == "学员详情"
    assert f"{XSS_IMG}（xss_img） · 甲组 · 天猫" in [t.value for t in at.text]
    assert XSS_REPLY_IMG in [c.value for c in at.code]  # the reply, as literal text
    no_user_text_as_markdown(at)


# ---------------------------------------------------------------- 学员详情: override


def test_agent_page_overrides_a_reply_with_a_reason(env) -> None:
    rid = env.seeded.responses["xiaozhang_near"]
    at = open_page(env, "lead_a", MANAGER_PAGES[1], agent_user_id=env.seeded.users["xiaozhang"])
    at.selectbox(key="agent_answer").set_value(rid).run()
    key = f"agent_{rid}"
    at.number_input(key=f"{key}_score_0").set_value(70).run()
    click(at, "保存改分")  # no reason
    assert "请写明改分原因" in texts(at)
    assert env.count(ScoreOverride) == 0
    at.number_input(key=f"{key}_score_0").set_value(70)
    at.text_area(key=f"{key}_reason_0").input("要点答到了，“稍等”只扣礼貌分")
    click(at, "保存改分")
    assert not at.exception
    assert "已改为 70 分" in texts(at)
    with reading(env.engine) as s:
        ov = s.scalars(select(ScoreOverride)).one()
        assert (ov.old_score, ov.new_score, ov.passed) == (50, 70, True)
        assert ov.reason == "要点答到了，“稍等”只扣礼貌分"
        assert s.get(Appeal, env.seeded.appeal_id).outcome == "已改分"
    hist = [d.value for d in at.dataframe if "复核人" in d.value.columns]
    assert hist and hist[0].iloc[0]["新分"] == 70
    assert at.number_input(key=f"{key}_score_1").value == 70  # the form shows the new score


def open_page(env, who: str, page: str, **state):
    """Open ``page`` directly (the frame is tested above) with session state set first."""
    from streamlit.testing.v1 import AppTest

    from tests.app_env import ROOT

    at = AppTest.from_file(str(ROOT / page), default_timeout=60)
    at.session_state["auth_user"] = env.user(who)
    for k, v in state.items():
        at.session_state[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


# ---------------------------------------------------------------- 待复核


def test_review_queue_confirm_and_leave_the_queue(env) -> None:
    rid = env.seeded.responses["xiaozhang_near"]
    at = open_page(env, "lead_a", MANAGER_PAGES[3])
    table = frame(at)
    assert list(table["原因"]) == ["学员申诉", "接近及格线"]
    assert table.iloc[0]["申诉理由"].startswith("我已经答应开发票了")
    assert at.selectbox(key="review_pick").value == rid
    click(at, "确认维持原分")
    assert not at.exception
    assert "已确认维持原分" in texts(at)
    with reading(env.engine) as s:
        assert s.get(Appeal, env.seeded.appeal_id).outcome == "维持原分"
        ov = s.scalars(select(ScoreOverride)).one()
        assert ov.old_score == ov.new_score == 50 and not ov.passed
    assert rid not in list(frame(at)["response_id"])
    no_user_text_as_markdown(at)


# ---------------------------------------------------------------- 题目分析


def test_item_analysis_flags_and_hit_rates(env) -> None:
    at = open_page(env, "admin", MANAGER_PAGES[2])
    items = at.dataframe[0].value
    assert list(items["题目ID"]) == ["example-invoice-reply"]
    assert items.iloc[0]["提示"] == "区分度为负"
    at.button_group(key="items_show").set_value("全部题目").run()
    assert len(at.dataframe[0].value) == 11
    rates = at.dataframe[1].value
    assert set(rates["评分项ID"]) >= {"agree", "title", "greeting", "closing", "wait"}
    assert not at.exception


# ---------------------------------------------------------------- 分配


def test_assign_a_refresher_set_and_cancel_it(env) -> None:
    at = open_page(env, "lead_a", MANAGER_PAGES[4])
    before = env.count(Assignment)
    at.radio(key="assign_target").set_value("学员")
    click(at, "分配")
    assert "请至少选择一位学员" in texts(at)
    assert env.count(Assignment) == before
    at.selectbox(key="assign_ref").set_value(("refresher", "refresh-all"))
    at.radio(key="assign_target").set_value("学员")
    at.multiselect(key="assign_users").set_value([env.seeded.users["xiaochen"]])
    click(at, "分配")
    assert not at.exception
    assert "已把「复训」分配给1 位学员" in texts(at)
    with reading(env.engine) as s:
        a = s.scalars(
            select(Assignment).where(Assignment.user_id == env.seeded.users["xiaochen"])
        ).one()
        assert (
            a.kind == "refresher" and a.ref == "refresh-all" and a.due_at > dt.datetime.now(dt.UTC)
        )
    status = at.dataframe[0].value
    assert "已逾期" in set(status["状态"])
    at.selectbox(key="assign_cancel_pick").set_value(a.id).run()
    click(at, "撤销这项任务")
    assert f"任务 #{a.id} 已撤销" in texts(at)
    assert env.count(Assignment) == before


def test_a_manager_cannot_assign_to_another_team(env) -> None:
    at = open_page(env, "lead_b", MANAGER_PAGES[4])
    teams = at.selectbox(key="assign_team").options
    assert teams == ["乙组"]  # only their own team is offered
    agents = at.multiselect(key="assign_users").options
    assert all("xiaowang" in a for a in agents) and len(agents) == 1


# ---------------------------------------------------------------- 管理


def test_admin_creates_a_user_and_sees_the_one_time_password(env) -> None:
    at = open_page(env, "admin", ADMIN_PAGE)
    at.text_input(key="admin_add_username").input("xinren")
    at.text_input(key="admin_add_name").input("新人小赵")
    at.selectbox(key="admin_add_role").set_value("trainee")
    at.text_input(key="admin_add_team").input("甲组")
    at.selectbox(key="admin_add_platform").set_value("jd")
    click(at, "添加用户")
    assert not at.exception
    assert "已添加账号 xinren（学员）" in texts(at)
    pw = [d.value for d in at.dataframe if "一次性密码" in d.value.columns]
    assert pw and pw[0].iloc[0]["用户名"] == "xinren" and len(pw[0].iloc[0]["一次性密码"]) >= 10
    with reading(env.engine) as s:
        u = s.scalars(select(User).where(User.username == "xinren")).one()
        assert u.must_change_password and u.platform == "jd" and u.role == "trainee"
    # a bad username: a Chinese message, nothing stored
    at.text_input(key="admin_add_username").input("x")
    at.text_input(key="admin_add_name").input("太短")
    click(at, "添加用户")
    assert "用户名需 2–32 位" in texts(at)
    # with a password of the admin's choice: no one-time password shown
    at.text_input(key="admin_add_username").input("lao_wang")
    at.text_input(key="admin_add_name").input("老王")
    at.text_input(key="admin_add_password").input("chushi-2024")
    click(at, "添加用户")
    assert "已添加账号 lao_wang" in texts(at)
    assert not [d for d in at.dataframe if "一次性密码" in d.value.columns]


def test_admin_cannot_demote_themselves(env) -> None:
    at = open_page(env, "admin", ADMIN_PAGE, admin_edit_pick=None)
    uid = env.seeded.users["admin"]
    at.selectbox(key="admin_edit_pick").set_value(uid).run()
    at.selectbox(key=f"admin_edit_role_{uid}").set_value("trainee")
    click(at, "保存修改")
    assert "不能停用自己的账号" in texts(at)
    with reading(env.engine) as s:
        assert s.get(User, uid).role == "admin"


def test_admin_gives_a_manager_a_second_team(env) -> None:
    at = open_page(env, "admin", ADMIN_PAGE)
    at.button_group(key="admin_section").set_value("团队").run()
    lead = env.seeded.users["lead_a"]
    at.selectbox(key="admin_mgr_pick").set_value(lead).run()
    teams = env.seeded.teams
    at.multiselect(key=f"admin_mgr_teams_{lead}").set_value([teams["甲组"], teams["乙组"]])
    click(at, "保存")
    assert "已保存主管负责的团队" in texts(at)
    board = open_app(env.user("lead_a"), MANAGER_PAGES[0], timeout=60)
    assert "xiaowang" in set(frame(board)["用户名"])


def test_admin_raises_a_rule_version(env) -> None:
    at = open_page(env, "admin", ADMIN_PAGE)
    at.button_group(key="admin_section").set_value("规则版本").run()
    at.selectbox(key="admin_raise_lesson").set_value("example-invoice")
    click(at, "升级规则版本")  # no note
    assert "请写明这次规则变更的内容" in texts(at)
    assert env.count(RuleVersionRaise) == 0
    at.selectbox(key="admin_raise_lesson").set_value("example-invoice")
    at.text_area(key="admin_raise_note").input("2026 年发票规则调整")
    click(at, "升级规则版本")
    assert not at.exception
    assert "已升到第 2 版" in texts(at) and "1 位已认证学员" in texts(at)
    with reading(env.engine) as s:
        r = s.scalars(select(RuleVersionRaise)).one()
        assert (r.lesson_id, r.version, r.note) == ("example-invoice", 2, "2026 年发票规则调整")
    versions = at.dataframe[0].value.set_index("课程ID")
    assert versions.loc["example-invoice", "当前版本"] == 2
    assert versions.loc["example-invoice", "需重学人数"] == 1


def test_admin_content_validation(env) -> None:
    at = open_page(env, "admin", ADMIN_PAGE)
    at.button_group(key="admin_section").set_value("内容校验").run()
    assert "课程和题库全部通过校验" in texts(at)
    assert [m.value for m in at.metric][:3] == ["2", "2", "11"]
