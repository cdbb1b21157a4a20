"""对话模拟: a chat workbench; buyer turns arrive one by one, the next depending on the last
reply's grade; response time per turn measured on the server and stored."""

import datetime as dt

import streamlit as st

from trainer.learning import for_platform
from trainer.records import store
from trainer.records.db import reading, transaction
from trainer.records.errors import RecordsError
from trainer.records.submit import submit_answer
from trainer.ui.state import get_catalog, get_engine, now, require_user
from trainer.ui.widgets import chat_html, feedback_panel, question_header

user = require_user()
catalog = get_catalog()
engine = get_engine()
st.title("对话模拟")
dialogs = [
    q for q in catalog.questions.values() if q.type == "dialog" and for_platform(q, user.platform)
]
if not dialogs:
    st.info("当前没有适合你店铺平台的对话模拟。")
    st.stop()
qid = st.selectbox(
    "选择对话",
    [q.id for q in dialogs],
    key="dialog_pick",
    format_func=lambda x: f"{catalog.questions[x].scenario[:30]}…",
)
q = catalog.questions[qid]
question_header(q, catalog)

with reading(engine) as s:
    att = store.get_open_attempt(session=s, user_id=user.id, kind="dialog", ref=qid)
if att is None:
    if "dialog_card" in st.session_state and st.session_state["dialog_card"]["qid"] == qid:
        card = st.session_state["dialog_card"]
        st.subheader("成绩单")
        st.html(chat_html([tuple(x) for x in card["history"]]))
        for row in card["rows"]:
            st.markdown(f"- {row}")
        st.metric("总分", card["total"])
    if st.button("开始对话", type="primary", key="dialog_start"):
        first = q.turns[0]
        with transaction(engine) as s:
            store.start_attempt(
                session=s,
                user_id=user.id,
                kind="dialog",
                ref=qid,
                now=now(),
                paper={
                    "turn": first.id,
                    "history": [["buyer", first.buyer]],
                    "shown_at": now().isoformat(),
                },
            )
        st.session_state.pop("dialog_card", None)
        st.rerun()
    st.stop()

paper = dict(att.paper)
st.html(chat_html([tuple(x) for x in paper["history"]]))
turn = q.turn(paper["turn"])
sid_key = f"dialog_sid_{att.id}_{turn.id}"
st.session_state.setdefault(sid_key, store.new_submission_id())
with st.form(f"dialog_form_{att.id}_{turn.id}", clear_on_submit=True):
    text = st.text_area("回复买家", key=f"dialog_text_{att.id}_{turn.id}", height=100)
    sent = st.form_submit_button("发送", type="primary")
if sent:
    if not text.strip():
        st.warning("回复是空的，写点什么再发送吧。")
        st.stop()
    t = now()
    shown = dt.datetime.fromisoformat(paper["shown_at"])
    ms = int((t - shown).total_seconds() * 1000)
    try:
        res = submit_answer(
            engine,
            catalog,
            user_id=user.id,
            question_id=qid,
            response=text,
            kind="dialog",
            submission_id=st.session_state[sid_key],
            now=t,
            attempt_id=att.id,
            turn_id=turn.id,
            response_ms=ms,
        )
    except RecordsError as exc:
        st.error(str(exc))
        st.stop()
    history = [*paper["history"], ["agent", text]]
    nxt = res.next_turn
    if nxt:
        history.append(["buyer", q.turn(nxt).buyer])
    with transaction(engine) as s:
        store.update_attempt_paper(
            session=s,
            attempt_id=att.id,
            paper={
                "turn": nxt,
                "history": history,
                "shown_at": now().isoformat(),
                "last": {"grade": res.grade.to_dict(), "text": text, "ms": ms, "turn": turn.id},
            },
        )
        if not nxt:
            rows = store.attempt_responses(session=s, attempt_id=att.id)
            score = sum(r.score for r in rows)
            best = sum(r.max_score for r in rows)
            store.finish_attempt(
                session=s,
                attempt_id=att.id,
                now=now(),
                score=score,
                passed=all(r.passed for r in rows),
            )
            st.session_state["dialog_card"] = {
                "qid": qid,
                "history": history,
                "total": f"{score:g}/{best:g}",
                "rows": [
                    f"第{i}轮：{r.score:g}/{r.max_score:g} 分，用时 {(r.response_ms or 0) / 1000:.0f} 秒"
                    + ("，违规：" + "、".join(r.violation_ids) if r.violation_ids else "")
                    for i, r in enumerate(rows, 1)
                ],
            }
    st.rerun()

last = paper.get("last")
if last:
    from trainer.grading import Grade

    with st.expander(f"上一轮回复的评分（用时 {last['ms'] / 1000:.0f} 秒）", expanded=True):
        feedback_panel(Grade.from_dict(last["grade"]), q.turn(last["turn"]), catalog, last["text"])
