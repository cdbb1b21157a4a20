"""复训: the items due for review (FSRS: wrong last time, about to be forgotten, rules changed)
or a refresher set (复训题组, e.g. one the manager assigned), one by one with feedback, then a
summary of what moved.  A round is an attempt, so it resumes after a refresh or a new login."""

import secrets

import streamlit as st

from trainer.learning import ReviewState, refresher_set
from trainer.records import store
from trainer.records.db import reading, transaction
from trainer.ui.progress import learner
from trainer.ui.quiz import ask, forget, is_answered, move_on
from trainer.ui.state import fmt_time, get_catalog, get_engine, now, require_user
from trainer.ui.widgets import question_title

user = require_user()
catalog = get_catalog()
engine = get_engine()
st.title("复训")
st.caption(
    "系统按遗忘曲线（FSRS）安排复习：上次答错的、快要忘的、规则更新过的题会到这里。"
    "答对了，下次复习的间隔会变长；答错了，明天再见。"
)
ROUND = 10

with reading(engine) as s:
    att = store.get_open_attempt(session=s, user_id=user.id, kind="refresher")
    answered = (
        [r.question_id for r in store.attempt_responses(session=s, attempt_id=att.id)]
        if att
        else []
    )

# ---------------------------------------------------------------- choose a round
if att is None:
    summary = st.session_state.pop("refresh_summary", None)
    if summary:
        st.subheader("上一轮复训的变化")
        st.success(summary["headline"])
        st.dataframe(summary["rows"], hide_index=True, width="stretch")
    me = learner(catalog, user)
    due = [(d.question_id, d.reason) for d in me.due]
    due += [(q, "规则已更新") for q in me.rule_changes if q not in {i for i, _ in due}]
    due = [
        (q, r) for q, r in due if q in catalog.questions and catalog.questions[q].type != "dialog"
    ]
    reasons = dict(due)

    def start(ref: str, ids: list[str]) -> None:
        with transaction(engine) as s:
            store.start_attempt(
                session=s,
                user_id=user.id,
                kind="refresher",
                ref=ref,
                now=now(),
                question_ids=ids,
                paper={"reasons": {q: reasons.get(q, "复训题组") for q in ids}},
            )
        st.rerun()

    with st.container(border=True):
        st.subheader("到期复训")
        if due:
            counts: dict[str, int] = {}
            for _, why in due:
                counts[why] = counts.get(why, 0) + 1
            st.write(
                f"有 {len(due)} 道题需要复习（"
                + "，".join(f"{k} {v} 道" for k, v in counts.items())
                + f"）。每轮最多 {ROUND} 题。"
            )
            if st.button("开始复训", type="primary", key="refresh_start"):
                start("due", [q for q, _ in due[:ROUND]])
        else:
            st.success("现在没有到期的题目，继续保持！")

    sets = list(catalog.refreshers.values())
    if sets:
        with st.container(border=True):
            st.subheader("复训题组")
            assigned = {a.ref for a in me.assignments if a.kind == "refresher" and not a.done_at}
            ids = [r.id for r in sets]
            default = next((i for i, r in enumerate(ids) if r in assigned), 0)
            rid = st.selectbox(
                "选择题组",
                ids,
                index=default,
                key="refresh_set",
                format_func=lambda r: (
                    catalog.refreshers[r].title + ("（主管已分配）" if r in assigned else "")
                ),
            )
            rs = catalog.refreshers[rid]
            st.caption(
                "覆盖模块："
                + "、".join(catalog.modules[m].title for m in rs.modules if m in catalog.modules)
                + f" · {rs.count} 题：先出到期的，再出做错的和没做过的"
            )
            if st.button("开始这个题组", key="refresh_set_start"):
                ids_ = refresher_set(
                    catalog,
                    rs.modules,
                    user.platform,
                    latest=me.latest,
                    due=[q for q, _ in due],
                    count=rs.count,
                    seed=secrets.randbelow(2**31),
                )
                if ids_:
                    start(rid, ids_)
                else:
                    st.info("这个题组里没有适合你店铺平台的题目。")
    st.stop()

# ---------------------------------------------------------------- in a round
questions = [q for q in att.question_ids if q in catalog.questions]
reasons = (att.paper or {}).get("reasons", {})
todo = [q for q in questions if q not in answered]
current = st.session_state.get("refresh_current")
if current not in questions or not is_answered("refresh", current, att.id):
    current = todo[0] if todo else None
title = catalog.refreshers[att.ref].title if att.ref in catalog.refreshers else "到期复训"
st.progress(
    len(answered) / max(1, len(questions)),
    text=f"{title} · 已完成 {len(answered)}/{len(questions)}",
)
if current is None:
    with reading(engine) as s:
        rows = store.attempt_responses(session=s, attempt_id=att.id)
        states = {
            d["question_id"]: ReviewState.from_dict(d)
            for d in store.get_review_states(session=s, user_id=user.id)
        }
    right = sum(r.passed for r in rows)
    with transaction(engine) as s:
        store.finish_attempt(
            session=s,
            attempt_id=att.id,
            now=now(),
            score=right / max(1, len(rows)),
            passed=right == len(rows),
        )
    forget("refresh")
    st.session_state.pop("refresh_current", None)
    st.session_state["refresh_summary"] = {
        "headline": f"本轮复训答对 {right}/{len(rows)} 题。",
        "rows": [
            {
                "题目": question_title(catalog.questions[r.question_id]),
                "原因": reasons.get(r.question_id, ""),
                "结果": "✅ 答对" if r.passed else "❌ 答错",
                "下次复习": fmt_time(states[r.question_id].due_at, with_time=False)
                if r.question_id in states
                else "—",
            }
            for r in rows
            if r.question_id in catalog.questions
        ],
    }
    st.rerun()

st.session_state["refresh_current"] = current
st.caption(f"复训原因：{reasons.get(current, '复训题组')}")
stored = ask(
    catalog,
    user,
    catalog.questions[current],
    prefix="refresh",
    kind="refresher",
    attempt_id=att.id,
    index=f"第 {questions.index(current) + 1}/{len(questions)} 题 · ",
)
if stored and st.button(
    "下一题 →" if [x for x in todo if x != current] else "查看本轮结果",
    key="refresh_next",
    type="primary",
):
    move_on("refresh", current, att.id)
    st.session_state.pop("refresh_current", None)
    st.rerun()
