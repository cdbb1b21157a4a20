"""练习: the questions of a module one at a time, instant feedback, every answer stored."""

import streamlit as st

from trainer.learning import for_platform
from trainer.records import store
from trainer.records.db import reading, transaction
from trainer.ui.quiz import ask, forget
from trainer.ui.state import get_catalog, get_engine, now, require_user

user = require_user()
catalog = get_catalog()
st.title("练习")
module_ids = list(catalog.modules)
pre = st.session_state.pop("practice_module", None)
mid = st.selectbox(
    "模块",
    module_ids,
    index=module_ids.index(pre) if pre in module_ids else 0,
    format_func=lambda m: catalog.modules[m].title,
    key="practice_mod",
)

engine = get_engine()
with reading(engine) as s:
    att = store.get_open_attempt(session=s, user_id=user.id, kind="practice", ref=mid)
    answered = (
        [r.question_id for r in store.attempt_responses(session=s, attempt_id=att.id)]
        if att
        else []
    )
if att is None:
    if "practice_summary" in st.session_state:
        st.success(st.session_state.pop("practice_summary"))
    pool = [
        q.id
        for q in catalog.module_questions(mid)
        if q.type not in ("dialog",) and for_platform(q, user.platform)
    ]
    st.write(f"本模块共 {len(pool)} 道练习题，做完一题立刻看到对错和解析。")
    if st.button("开始练习", type="primary", key="practice_start"):
        with transaction(engine) as s:
            store.start_attempt(
                session=s, user_id=user.id, kind="practice", ref=mid, now=now(), question_ids=pool
            )
        st.rerun()
    st.stop()

todo = [q for q in att.question_ids if q not in answered]
current = st.session_state.get("practice_current")
if current is None or f"practice_done_{current}_{att.id}" not in st.session_state:
    current = todo[0] if todo else None  # resume at the first unanswered question
st.progress(
    len(answered) / max(1, len(att.question_ids)),
    text=f"已完成 {len(answered)}/{len(att.question_ids)}",
)
if current is None:
    with reading(engine) as s:
        rows = store.attempt_responses(session=s, attempt_id=att.id)
    right = sum(r.passed for r in rows)
    with transaction(engine) as s:
        store.finish_attempt(
            session=s, attempt_id=att.id, now=now(), score=right / max(1, len(rows)), passed=None
        )
    forget("practice")
    st.session_state["practice_summary"] = f"上一轮练习完成：答对 {right}/{len(rows)} 题。"
    st.rerun()
st.session_state["practice_current"] = current
q = catalog.questions[current]
stored = ask(
    catalog,
    user,
    q,
    prefix="practice",
    kind="practice",
    attempt_id=att.id,
    index=f"第 {att.question_ids.index(current) + 1} 题 · ",
)
if stored and st.button("下一题 →", key="practice_next", type="primary"):
    del st.session_state[f"practice_done_{current}_{att.id}"]
    del st.session_state["practice_current"]
    st.rerun()
