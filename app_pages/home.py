"""我的学习: path progress, the next step, refreshers due, assignments, certification."""

import streamlit as st

from trainer.ui.progress import learner
from trainer.ui.state import fmt_time, get_catalog, now, require_user

user = require_user()
catalog = get_catalog()
me = learner(catalog, user)
st.title(f"你好，{user.display_name}")
if user.must_change_password:
    st.warning("你正在使用一次性密码，请到「账号」页修改密码。")

c1, c2, c3 = st.columns(3)
c1.metric("入职培训进度", f"{me.path.percent}%" if me.path else "—")
c2.metric("待复训题目", len(me.due) + len(me.rule_changes))
c3.metric("上岗认证", me.cert_status)
if me.certification:
    st.caption(f"认证有效期至 {fmt_time(me.certification.expires_at, with_time=False)}")

if me.path:
    nxt = me.path.next_step
    st.subheader("下一步")
    if st.button(nxt.label, type="primary", key="home_next"):
        if nxt.kind == "lesson":
            st.session_state["lessons_pick"] = nxt.target
            st.switch_page("app_pages/lessons.py")
        elif nxt.kind == "practice":
            st.session_state["practice_module"] = nxt.target
            st.switch_page("app_pages/practice.py")
        elif nxt.kind == "exam":
            st.switch_page("app_pages/exam.py")
    st.subheader("入职培训路径")
    for step in me.path.steps:
        with st.container(border=True):
            a, b = st.columns([3, 1])
            a.markdown(f"**{step.title}**")
            practice = "未练习" if step.practice_ratio is None else f"{step.practice_ratio:.0%}"
            a.caption(
                f"课程 {step.lessons_learned}/{step.lessons_total} · 练习正确率 {practice}"
                f"（达标线 {step.needed_ratio:.0%}）"
            )
            b.markdown(f"`{step.status}`")
            total = step.lessons_total + 1
            b.progress((step.lessons_learned + (step.status == "已完成")) / total)

if me.assignments:
    st.subheader("主管分配的任务")
    t = now()
    for a in me.assignments:
        title = (
            catalog.paths[a.ref].title
            if a.ref in catalog.paths
            else (catalog.refreshers[a.ref].title if a.ref in catalog.refreshers else a.ref)
        )
        text = f"{title} · 截止 {fmt_time(a.due_at)}"
        if a.done_at:
            st.success(text + " · 已完成")
        elif a.due_at < t:
            st.error(text + " · 已逾期")
        else:
            st.info(text)

if me.due or me.rule_changes:
    st.subheader("复训")
    st.write(
        f"有 {len(me.due)} 道题到了复习时间"
        + (f"，{len(me.rule_changes)} 道题因规则更新需要重学" if me.rule_changes else "")
        + "。"
    )
    if st.button("开始复训", key="home_refresh"):
        st.switch_page("app_pages/refresher.py")
