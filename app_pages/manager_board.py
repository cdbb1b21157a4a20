"""团队看板: one row per agent, filters, trend, mastery heat map, weak rules, exports."""

import datetime as dt

import altair as alt
import streamlit as st

from trainer.accounts import PLATFORMS
from trainer.records.db import reading
from trainer.records.errors import RecordsError
from trainer.records.models import User
from trainer.records.review import open_appeal_count
from trainer.reports.board import TREND_WEEKS, WEAK_RULE_DAYS, team_board
from trainer.reports.export import answers_export
from trainer.reports.scope import visible_teams
from trainer.ui.state import china_tz, get_catalog, get_engine, now
from trainer.ui.tables import acting, downloads, require_manager, table
from trainer.ui.widgets import md_escape

HEATMAP_MAX = 60

user = require_manager()
catalog = get_catalog()
st.title("团队看板")

with acting(user) as (s, actor):
    teams = [(t.id, t.name) for t in visible_teams(session=s, actor=actor)]
    appeals = open_appeal_count(session=s, actor=actor)
if not teams and user.role == "manager":
    st.info("你还没有负责的团队。请管理员在「管理 → 团队」里把团队分配给你。")
    st.stop()

team_names = dict(teams)
c1, c2, c3 = st.columns([2, 2, 1])
team_id = c1.selectbox(
    "团队",
    [None, *team_names],
    format_func=lambda t: "全部团队" if t is None else team_names[t],
    key="board_team",
)
platform = c2.selectbox(
    "店铺平台",
    [None, *PLATFORMS],
    format_func=lambda p: "全部平台" if p is None else PLATFORMS[p],
    key="board_platform",
)
c3.write("")
if c3.button("刷新", key="board_refresh", icon=":material/refresh:"):
    st.cache_data.clear()


@st.cache_data(ttl=30, max_entries=64, show_spinner="正在汇总团队数据…")
def load_board(actor_id: int, team_id: int | None, platform: str | None, content: str):
    """Cached 30 s per manager and filter (the manager is part of the key; the role and the
    teams are checked inside team_board)."""
    with reading(get_engine()) as s:
        return team_board(
            session=s,
            actor=s.get(User, actor_id),
            catalog=catalog,
            now=now(),
            team_id=team_id,
            platform=platform,
        )


try:
    board = load_board(user.id, team_id, platform, catalog.version)
except RecordsError as exc:
    st.error(md_escape(str(exc)))
    st.stop()
df = board.overview
if df.empty:
    st.info("这个范围里还没有学员。")
    st.stop()

m1, m2, m3, m4, m5 = st.columns(5)
m1.metric("学员", len(df))
m2.metric(
    "入职路径平均进度", f"{df['路径进度'].mean():.0f}%" if df["路径进度"].notna().any() else "—"
)
m3.metric("认证有效", int(df["认证状态"].isin(["有效", "即将到期"]).sum()))
m4.metric("有逾期任务", int((df["逾期任务"] > 0).sum()), help="任务已过截止日期仍未完成的人数")
m5.metric("待复核申诉", appeals)


def flags(row) -> str:
    out = []
    if row["逾期任务"]:
        out.append(f"任务逾期{row['逾期任务']}项")
    if row["逾期复训"]:
        out.append("复训逾期")
    if row["认证状态"] in ("已过期", "即将到期"):
        out.append("认证" + row["认证状态"])
    return "、".join(out)


shown = df.assign(提醒=df.apply(flags, axis=1))
shown = shown.sort_values(["逾期任务", "逾期复训"], ascending=False, kind="stable").reset_index(
    drop=True
)
shown = shown[["提醒", *df.columns]]
st.subheader("学员一览")
st.caption(
    "有逾期任务或逾期复训的学员排在最前。平均得分率：全部作答得分/满分的平均（含主管改分）；"
    "路径进度与学员自己看到的一致；待复训含规则更新后需重学的题。"
)
table(
    shown,
    key="board_table",
    column_config={
        "提醒": st.column_config.TextColumn("提醒", width="medium"),
        "路径进度": st.column_config.ProgressColumn(
            "路径进度", min_value=0, max_value=100, format="%d%%"
        ),
    },
)

people = dict(zip(df["user_id"], zip(df["学员"], df["用户名"], strict=True), strict=True))
a1, a2 = st.columns([3, 1])
pick = a1.selectbox(
    "查看学员详情",
    list(people),
    format_func=lambda uid: f"{people[uid][0]}（{people[uid][1]}）",
    index=None,
    placeholder="选择一位学员…",
    key="board_agent",
)
a2.write("")
if a2.button("打开学员详情", key="board_open", disabled=pick is None, type="primary"):
    st.session_state["agent_user_id"] = pick
    st.switch_page("app_pages/manager_agent.py")

st.subheader(f"近 {TREND_WEEKS} 周得分趋势")
if board.trend.empty:
    st.caption("最近没有作答。")
else:
    today = now().astimezone(china_tz()).date()
    this_week = today - dt.timedelta(days=today.weekday())  # weeks start on Monday
    trend = board.trend.assign(
        平均得分率=board.trend["平均得分率"] * 100,
        # the current week is still filling up: say so, a few answers can swing it
        周=[f"{d:%m-%d}起" + ("（本周）" if d == this_week else "") for d in board.trend["周"]],
    )
    chart = (
        alt.Chart(trend)
        .mark_line(point=True)
        .encode(
            x=alt.X("周:O", title=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("平均得分率:Q", title="平均得分率（%）", scale=alt.Scale(domain=[0, 100])),
            color=alt.Color("团队:N", title="团队"),
            tooltip=["周:O", "团队:N", alt.Tooltip("平均得分率:Q", format=".0f"), "作答数:Q"],
        )
    )
    st.altair_chart(chart)

st.subheader("掌握度热力图（学员 × 模块）")
heat = board.mastery
if len(df) > HEATMAP_MAX:
    worst = (
        heat.groupby("user_id")["掌握度"]
        .mean()
        .sort_values(na_position="first")
        .index[:HEATMAP_MAX]
    )
    heat = heat[heat["user_id"].isin(worst)]
    st.caption(f"人数较多，只显示平均掌握度最低的 {HEATMAP_MAX} 位；按团队筛选可看全部。")
heat = heat.assign(
    学员标签=heat["user_id"].map(lambda u: f"{people[u][0]}（{people[u][1]}）"),
    掌握度百分比=heat["掌握度"] * 100,
)
order = [m.title for m in catalog.modules.values()]
chart = (
    alt.Chart(heat)
    .mark_rect()
    .encode(
        # every module named: upright labels of nine Chinese titles overlap and Vega hides
        # every other one
        x=alt.X(
            "模块:N",
            sort=order,
            title=None,
            axis=alt.Axis(
                orient="top", labelAngle=-30, labelAlign="left", labelOverlap=False, labelLimit=160
            ),
        ),
        y=alt.Y("学员标签:N", title=None, sort=None, axis=alt.Axis(labelLimit=220)),
        color=alt.Color(
            "掌握度百分比:Q",
            title="掌握度（%）",
            scale=alt.Scale(domain=[0, 100], scheme="redyellowgreen"),
            legend=alt.Legend(gradientLength=100),
        ),
        tooltip=[
            alt.Tooltip("学员标签:N", title="学员"),
            "模块:N",
            alt.Tooltip("掌握度百分比:Q", title="掌握度（%）", format=".0f"),
            alt.Tooltip("已答题数:Q", title="已答题数"),
        ],
    )
    .properties(height=alt.Step(26))
)
st.altair_chart(chart)
st.caption(
    "掌握度：该模块练习题库（按学员的店铺平台）中，最近一次作答通过的题所占比例；空白表示还没答过。"
)

st.subheader(f"团队最常触犯的平台规则（近 {WEAK_RULE_DAYS} 天）")
if board.weak_rules.empty:
    st.caption("近期回复中没有触犯平台规则的记录。")
else:
    table(board.weak_rules.drop(columns=["违规ID"]), key="board_weak", percent=())

st.subheader("导出")
st.caption("看板：当前筛选下的学员一览。作答明细：所选日期内每一条作答（含复核后的分数）。")
downloads(
    "团队看板",
    lambda: {"团队看板": df},
    key="board_export",
)
today = now().astimezone(china_tz()).date()
d1, d2 = st.columns(2)
since = d1.date_input("作答明细：开始日期", today - dt.timedelta(days=30), key="board_since")
until = d2.date_input("结束日期（含当天）", today, key="board_until")
if since > until:
    st.error("开始日期不能晚于结束日期。")
else:

    def answers():
        start = dt.datetime.combine(since, dt.time(), china_tz()).astimezone(dt.UTC)
        end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), china_tz()).astimezone(
            dt.UTC
        )
        with acting(user) as (s, actor):
            rows = answers_export(
                session=s,
                actor=actor,
                catalog=catalog,
                since=start,
                until=end,
                team_id=team_id,
                platform=platform,
            )
        return {"作答明细": rows}

    downloads("作答明细", answers, key="board_answers")
