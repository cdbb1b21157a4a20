"""复训: the due refresher items one by one (FSRS updated per answer), then what moved."""

import streamlit as st

from trainer.learning import ReviewState
from trainer.records import store
from trainer.records.db import reading
from trainer.ui.progress import learner
from trainer.ui.quiz import ask, forget
from trainer.ui.state import fmt_time, get_catalog, get_engine, require_user

user = require_user()
catalog = get_catalog()
st.title("复训")
st.caption("系统按遗忘曲线（FSRS）安排：答错的、快要忘的、规则更新过的题目会到这里。")

queue = st.session_state.get("refresh_queue")
if queue is None:
    me = learner(catalog, user)
    items = [(d.question_id, d.reason) for d in me.due]
    items += [(q, "规则已更新") for q in me.rule_changes if q not in {i for i, _ in items}]
    items = [(q, r) for q, r in items if catalog.questions[q].type != "dialog"][:10]
    if st.session_state.get("refresh_summary"):
        st.subheader("上一轮复训的变化")
        st.dataframe(st.session_state["refresh_summary"], hide_index=True)
    if not items:
        st.success("现在没有需要复训的题目，继续保持！")
        st.stop()
    st.write(f"本轮复训 {len(items)} 题。")
    if st.button("开始复训", type="primary", key="refresh_start"):
        st.session_state["refresh_queue"] = items
        st.session_state["refresh_pos"] = 0
        st.rerun()
    st.stop()

pos = st.session_state.get("refresh_pos", 0)
if pos >= len(queue):
    with reading(get_engine()) as s:
        states = {
            d["question_id"]: ReviewState.from_dict(d)
            for d in store.get_review_states(session=s, user_id=user.id)
        }
    st.session_state["refresh_summary"] = [
        {
            "题目": catalog.questions[q].prompt[:30],
            "原因": why,
            "下次复习": fmt_time(states[q].due_at, with_time=False) if q in states else "—",
        }
        for q, why in queue
    ]
    forget("refresh")
    st.rerun()
qid, why = queue[pos]
st.progress(pos / len(queue), text=f"第 {pos + 1}/{len(queue)} 题 · {why}")
stored = ask(
    catalog, user, catalog.questions[qid], prefix="refresh_q", kind="refresher", round_no=pos + 1
)
if stored and st.button("下一题 →", key="refresh_next", type="primary"):
    st.session_state["refresh_pos"] = pos + 1
    st.rerun()
