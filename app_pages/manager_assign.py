"""分配: give the onboarding path or a refresher set to agents or a whole team, with a due
date; see what is done, in progress and overdue."""

import datetime as dt

import streamlit as st

from trainer.records import store
from trainer.reports.assignments import DONE, KIND_LABELS, OPEN, OVERDUE, assignment_status
from trainer.reports.scope import visible_agents, visible_teams
from trainer.ui.state import china_tz, get_catalog, now
from trainer.ui.tables import acting, downloads, flash, require_manager, run, table

user = require_manager()
catalog = get_catalog()
st.title("分配任务")

with acting(user) as (s, actor):
    teams = {t.id: t.name for t in visible_teams(session=s, actor=actor)}
    agents = {
        uid: (name, username, team)
        for uid, name, username, team in visible_agents(session=s, actor=actor)
    }

refs = {
    "path": {pid: p.title for pid, p in catalog.paths.items()},
    "refresher": {rid: r.title for rid, r in catalog.refreshers.items()},
}
flash("assign")
with st.form("assign_form", clear_on_submit=False):
    st.markdown("**布置新任务**")
    choices = {(kind, k): v for kind, titles in refs.items() for k, v in titles.items()}
    ref = st.selectbox(
        "内容",
        list(choices),
        format_func=lambda k: f"{KIND_LABELS[k[0]]}：{choices[k]}",
        key="assign_ref",
    )
    target = st.radio("分配给", ["团队", "学员"], horizontal=True, key="assign_target")
    d1, d2 = st.columns(2)
    team_id = d1.selectbox(
        "团队（分配给整个团队时）",
        list(teams),
        format_func=teams.get,
        index=None,
        placeholder="选择团队…",
        key="assign_team",
    )
    picked = d2.multiselect(
        "学员（可多选）",
        list(agents),
        format_func=lambda u: f"{agents[u][0]}（{agents[u][1]} · {agents[u][2]}）",
        placeholder="选择学员…",
        key="assign_users",
    )
    today = now().astimezone(china_tz()).date()
    due = st.date_input(
        "截止日期（当天 23:59 前完成）",
        today + dt.timedelta(days=7),
        min_value=today,
        key="assign_due",
    )
    sent = st.form_submit_button("分配", type="primary")

if sent:
    problems = []
    if ref is None:
        problems.append("请选择要分配的内容（内容里还没有学习路径或复训题组）")
    if target == "团队" and team_id is None:
        problems.append("请选择团队")
    if target == "学员" and not picked:
        problems.append("请至少选择一位学员")
    if due is None or due < today:
        problems.append("截止日期不能早于今天")
    if problems:
        st.error("；".join(problems))
    else:
        due_at = dt.datetime.combine(due, dt.time(23, 59, 59), china_tz()).astimezone(dt.UTC)
        with acting(user, write=True) as (s, actor):

            def assign_all():
                if target == "团队":
                    store.assign(
                        session=s,
                        actor=actor,
                        kind=ref[0],
                        ref=ref[1],
                        due_at=due_at,
                        now=now(),
                        team_id=team_id,
                    )
                    return 1
                for uid in picked:
                    store.assign(
                        session=s,
                        actor=actor,
                        kind=ref[0],
                        ref=ref[1],
                        due_at=due_at,
                        now=now(),
                        user_id=uid,
                    )
                return len(picked)

            made = run(assign_all)
        if made:
            who = f"团队「{teams[team_id]}」" if target == "团队" else f"{made} 位学员"
            st.session_state["assign_flash"] = (
                f"已把「{choices[ref]}」分配给{who}，截止 {due:%Y-%m-%d}。"
            )
            st.rerun()

st.subheader("任务进度")
with acting(user) as (s, actor):
    status = assignment_status(session=s, actor=actor, catalog=catalog, now=now())
if status.empty:
    st.caption("还没有分配过任务。")
    st.stop()
m1, m2, m3 = st.columns(3)
m1.metric("已逾期", int((status["状态"] == OVERDUE).sum()))
m2.metric("进行中", int((status["状态"] == OPEN).sum()))
m3.metric("已完成", int((status["状态"] == DONE).sum()))
only = st.segmented_control(
    "筛选",
    [OVERDUE, OPEN, DONE],
    selection_mode="multi",
    default=[OVERDUE, OPEN],
    key="assign_filter",
)
shown = status[status["状态"].isin(only or [OVERDUE, OPEN, DONE])]
table(
    shown.drop(columns=["任务ID"]),
    key="assign_table",
    column_config={"状态": st.column_config.TextColumn("状态", width="small")},
)
st.caption(
    "路径任务在学员取得有效上岗认证后自动算完成；复训任务在布置后做完一轮复训（最多 10 题）或已无到期题目时算完成。"
)

downloads("任务进度", lambda: {"任务进度": status}, key="assign_export")

with st.expander("撤销任务"):
    tasks = status.drop_duplicates("任务ID").set_index("任务ID")
    tid = st.selectbox(
        "任务",
        list(tasks.index),
        format_func=lambda t: (
            f"#{t} {tasks.loc[t, '类型']}：{tasks.loc[t, '内容']} · "
            + (tasks.loc[t, "对象"] if tasks.loc[t, "对象"] != "个人" else tasks.loc[t, "学员"])
            + f" · 截止 {tasks.loc[t, '截止'].astimezone(china_tz()):%Y-%m-%d}"
        ),
        key="assign_cancel_pick",
    )
    if st.button("撤销这项任务", key="assign_cancel"):
        with acting(user, write=True) as (s, actor):
            done = run(
                lambda: store.cancel_assignment(session=s, actor=actor, assignment_id=int(tid))
            )
        if done is not None:
            st.session_state["assign_flash"] = f"任务 #{tid} 已撤销。"
            st.rerun()
