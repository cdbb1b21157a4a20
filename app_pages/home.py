"""我的学习: path progress, the next step, refreshers due, assignments, certification."""

import streamlit as st

from trainer.ui.appeal import review_history
from trainer.ui.progress import learner
from trainer.ui.state import fmt_time, get_catalog, now, require_user
from trainer.ui.widgets import md_escape

user = require_user()
catalog = get_catalog()
me = learner(catalog, user)
st.title(f"你好，{md_escape(user.display_name)}")
if user.must_change_password:
    st.warning("你正在使用管理员发的一次性密码，请先到「账号」页修改密码。", icon=":material/key:")

rule_lessons = sorted({lid for q in me.rule_changes for lid in catalog.questions[q].lessons})
c1, c2, c3 = st.columns(3)
c1.metric("入职培训进度", f"{me.path.percent}%" if me.path else "—")
c2.metric("待复训题目", len(me.due) + len(me.rule_changes))
c3.metric(
    "上岗认证",
    me.cert_status,
    help="证书有效期内且规则未更新时无需重考；到期前 30 天显示「即将到期」",
)
if me.certification:
    st.caption(
        f"认证于 {fmt_time(me.certification.issued_at, with_time=False)}，"
        f"有效期至 {fmt_time(me.certification.expires_at, with_time=False)}"
    )
if me.cert_status in ("即将到期", "已过期"):
    st.warning(
        "你的上岗认证"
        + ("快要到期" if me.cert_status == "即将到期" else "已经过期")
        + "，请到「考试」页重新认证。",
        icon=":material/event_busy:",
    )
    if st.button("去重新认证", key="home_recert"):
        st.switch_page("app_pages/exam.py")

if me.path:
    nxt = me.path.next_step
    st.subheader("下一步")
    if nxt.kind == "done":
        st.success("入职培训已全部完成，并已通过上岗认证。保持复训，规则更新时及时重学。")
    elif st.button(nxt.label, type="primary", key="home_next", icon=":material/arrow_forward:"):
        if nxt.kind == "lesson":
            st.session_state["lessons_pick"] = nxt.target
            st.switch_page("app_pages/lessons.py")
        elif nxt.kind == "practice":
            st.session_state["practice_module"] = nxt.target
            st.switch_page("app_pages/practice.py")
        elif nxt.kind == "exam":
            st.switch_page("app_pages/exam.py")

if rule_lessons:
    st.subheader("规则更新")
    st.write(
        f"{len(rule_lessons)} 节课程的规则在你认证后更新了，需要重新学习："
        + "、".join(f"《{catalog.lessons[x].title}》" for x in rule_lessons)
    )
    if st.button("去重新学习", key="home_relearn"):
        st.session_state["lessons_pick"] = rule_lessons[0]
        st.switch_page("app_pages/lessons.py")

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
            st.success(text + " · 已完成", icon=":material/task_alt:")
        elif a.due_at < t:
            st.error(text + " · 已逾期", icon=":material/alarm:")
        else:
            st.info(text, icon=":material/assignment:")

if me.due or me.rule_changes:
    st.subheader("复训")
    st.write(
        f"有 {len(me.due)} 道题到了复习时间"
        + (f"，{len(me.rule_changes)} 道题因规则更新需要重做" if me.rule_changes else "")
        + "。"
    )
    if st.button("开始复训", key="home_refresh", icon=":material/replay:"):
        st.switch_page("app_pages/refresher.py")

review_history(user)

if me.path:
    st.subheader("入职培训路径")
    for i, step in enumerate(me.path.steps, 1):
        with st.container(border=True):
            a, b = st.columns([3, 1])
            a.markdown(f"**{i}. {step.title}**")
            practice = "未练习" if step.practice_ratio is None else f"{step.practice_ratio:.0%}"
            a.caption(
                f"课程 {step.lessons_learned}/{step.lessons_total} · 练习掌握度 {practice}"
                f"（达标线 {step.needed_ratio:.0%}）"
            )
            b.markdown(f"`{step.status}`")
            total = step.lessons_total + 1
            b.progress((step.lessons_learned + (step.status == "已完成")) / total)
