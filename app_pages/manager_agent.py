"""学员详情: one agent — summary, mastery against the team, timeline, every answer, review."""

import altair as alt
import streamlit as st

from trainer.records.errors import RecordsError
from trainer.reports.agent import (
    agent_answers,
    agent_header,
    agent_timeline,
    answer_detail,
    mastery_vs_team,
)
from trainer.reports.scope import visible_agents
from trainer.ui.state import china_tz, get_catalog, now
from trainer.ui.tables import acting, answer_panel, flash, require_manager, table
from trainer.ui.widgets import md_escape

user = require_manager()
catalog = get_catalog()
st.title("学员详情")

with acting(user) as (s, actor):
    roster = visible_agents(session=s, actor=actor)
if not roster:
    st.info("你负责的团队里还没有学员。")
    st.stop()
people = {uid: (name, username, team) for uid, name, username, team in roster}
ids = list(people)
current = st.session_state.get("agent_user_id")
uid = st.selectbox(
    "学员",
    ids,
    index=ids.index(current) if current in people else 0,
    format_func=lambda u: f"{people[u][0]}（{people[u][1]} · {people[u][2]}）",
    key="agent_pick",
)
st.session_state["agent_user_id"] = uid

try:
    with acting(user) as (s, actor):
        header = agent_header(session=s, actor=actor, catalog=catalog, now=now(), user_id=uid)
        vs = mastery_vs_team(session=s, actor=actor, catalog=catalog, now=now(), user_id=uid)
        timeline = agent_timeline(session=s, actor=actor, catalog=catalog, user_id=uid)
        answers = agent_answers(session=s, actor=actor, catalog=catalog, user_id=uid)
except RecordsError as exc:
    st.error(md_escape(str(exc)))
    st.stop()

st.text(f"{header.name}（{header.username}） · {header.team} · {header.platform}")
row = header.row
c1, c2, c3, c4, c5 = st.columns(5)
c1.metric("入职路径", f"{row.get('路径进度')}%" if row.get("路径进度") is not None else "—")
c2.metric("作答数", row.get("作答数", 0))
avg = row.get("平均得分率")
c3.metric("平均得分率", "—" if avg is None or avg != avg else f"{avg:.0%}")
c4.metric("待复训", row.get("待复训", 0), help=f"其中逾期 {row.get('逾期复训', 0)} 题")
c5.metric("上岗认证", row.get("认证状态", "—"))
if row.get("逾期任务"):
    st.warning(f"有 {row['逾期任务']} 项分配的任务已逾期。")

st.subheader("各模块掌握度（与团队对比）")
long = vs.melt(
    id_vars=["模块"], value_vars=["学员", "团队平均"], var_name="对象", value_name="掌握度"
)
long["掌握度"] = long["掌握度"] * 100
long["对象"] = long["对象"].map({"学员": "该学员", "团队平均": "团队平均"})
chart = (
    alt.Chart(long.dropna())
    .mark_bar()
    .encode(
        x=alt.X(
            "掌握度:Q",
            title="掌握度（%）",
            scale=alt.Scale(domain=[0, 100]),
            axis=alt.Axis(values=[0, 25, 50, 75, 100]),
        ),
        y=alt.Y("模块:N", title=None, sort=list(vs["模块"])),
        yOffset="对象:N",
        color=alt.Color(
            "对象:N",
            title=None,
            scale=alt.Scale(domain=["该学员", "团队平均"], range=["#d9480f", "#adb5bd"]),
        ),
        tooltip=["模块:N", "对象:N", alt.Tooltip("掌握度:Q", format=".0f")],
    )
)
if long["掌握度"].notna().any():
    st.altair_chart(chart)
table(vs, key="agent_vs", column_config={"团队人数": st.column_config.NumberColumn("团队人数")})

st.subheader("学习记录")
if timeline.empty:
    st.caption("还没有任何练习或考试记录。")
else:
    table(timeline, key="agent_timeline", percent=("得分率",))

st.subheader("全部作答")
if answers.empty:
    st.caption("还没有作答。")
    st.stop()
kinds = ["全部", *sorted(set(answers["类型"]))]
f1, f2 = st.columns(2)
kind = f1.selectbox("类型", kinds, key="agent_kind")
only = f2.selectbox("结果", ["全部", "未通过", "有违规", "待复核"], key="agent_only")
shown = answers
if kind != "全部":
    shown = shown[shown["类型"] == kind]
if only == "未通过":
    shown = shown[shown["通过"] == "未通过"]
elif only == "有违规":
    shown = shown[shown["违规"] != ""]
elif only == "待复核":
    shown = shown[shown["申诉"] == "待复核"]
table(shown, key="agent_answers", percent=())
if shown.empty:
    st.stop()

st.subheader("查看一条作答")
labels = {
    rid: f"{t:%m-%d %H:%M} · {k} · {title[:20]} · {sc:g}/{mx:g}"
    for rid, t, k, title, sc, mx in zip(
        shown["response_id"],
        shown["时间"].dt.tz_convert(china_tz()),
        shown["类型"],
        shown["题目"],
        shown["得分"],
        shown["满分"],
        strict=True,
    )
}
rid = st.selectbox("作答", list(labels), format_func=labels.get, key="agent_answer")
flash(f"agent_{rid}")
with acting(user) as (s, actor):
    try:
        detail = answer_detail(session=s, actor=actor, catalog=catalog, response_id=rid)
    except RecordsError as exc:
        st.error(md_escape(str(exc)))
        st.stop()
if answer_panel(detail, user=user, key=f"agent_{rid}"):
    st.cache_data.clear()
    st.rerun()
