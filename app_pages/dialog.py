"""对话模拟: a chat workbench (buyer left, agent right).  Buyer turns arrive one by one, the
next depending on how the last reply scored; the response time of every turn is measured on
the server and stored; a scorecard at the end.  The conversation lives in the attempt, so a
refresh or a new login continues it."""

import datetime as dt

import streamlit as st

from trainer.catalog import PLATFORM_LABELS
from trainer.grading import Grade
from trainer.learning import for_platform
from trainer.records import store
from trainer.records.db import reading, transaction
from trainer.records.errors import RecordsError
from trainer.records.submit import submit_answer
from trainer.ui.quiz import MAX_REPLY_CHARS
from trainer.ui.state import get_catalog, get_engine, now, require_user
from trainer.ui.widgets import chat_html, lesson_links, reply_scorecard

user = require_user()
catalog = get_catalog()
engine = get_engine()
st.title("对话模拟")
st.caption("买家一句一句来，下一句取决于你上一句回得好不好：回得差，买家会升级投诉。")
dialogs = [
    q for q in catalog.questions.values() if q.type == "dialog" and for_platform(q, user.platform)
]
if not dialogs:
    st.info("当前没有适合你店铺平台的对话模拟。")
    st.stop()

with reading(engine) as s:
    history_rows = store.finished_attempts(session=s, user_id=user.id, kind="dialog")
best = {}
for a in history_rows:
    best[a.ref] = best.get(a.ref, False) or bool(a.passed)


def mark(qid: str) -> str:
    return "○" if qid not in best else ("✅" if best[qid] else "❌")


ids = [q.id for q in dialogs]
qid = st.selectbox(
    "选择对话（✅ 已通过 · ❌ 未通过 · ○ 未做）",
    ids,
    key="dialog_pick",
    format_func=lambda x: f"{mark(x)} {catalog.questions[x].turns[0].buyer[:40]}",
)
q = catalog.questions[qid]
st.caption(
    "适用平台："
    + "、".join(PLATFORM_LABELS[p] for p in q.platform)
    + " · 课程："
    + "、".join(catalog.lessons[lid].title for lid in q.lessons)
)
if q.scenario:
    st.info(f"情景：{q.scenario}")

with reading(engine) as s:
    att = store.get_open_attempt(session=s, user_id=user.id, kind="dialog", ref=qid)


def bubbles(history: list) -> str:
    rows = []
    for item in history:
        who, text = item[0], item[1]
        if who == "agent" and len(item) > 2:
            meta = item[2]
            if meta.get("violations"):
                verdict, tone = "违规：" + "、".join(meta["violations"]), "bad"
            elif meta["passed"]:
                verdict, tone = "合格", "ok"
            else:
                verdict, tone = "不合格", "warn"
            note = f"{verdict} · {meta['score']:g}/{meta['max']:g} 分 · 用时 {meta['ms'] / 1000:.0f} 秒"
            rows.append((who, text, note, tone))
        else:
            rows.append((who, text))
    return chat_html(rows)


# ---------------------------------------------------------------- not in a conversation
if att is None:
    card = st.session_state.get("dialog_card")
    if card and card["qid"] == qid:
        st.subheader("成绩单")
        (st.success if card["passed"] else st.error)(card["headline"])
        st.html(bubbles(card["history"]))
        st.dataframe(card["rows"], hide_index=True, width="stretch")
        with st.expander("每一轮的参考回复"):
            for row in card["models"]:
                st.markdown(f"**{row['轮次']}** 买家：")
                st.text(row["买家"])
                st.html(chat_html([("agent", row["参考回复"])]))
        if not card["passed"]:
            lesson_links(q, catalog, "dialog_card")
    if st.button("开始对话" if not card else "再练一次", type="primary", key="dialog_start"):
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

# ---------------------------------------------------------------- in a conversation
paper = dict(att.paper)
st.html(bubbles(paper["history"]))
turn = q.turn(paper["turn"])
sid_key = f"dialog_sid_{att.id}_{turn.id}"
st.session_state.setdefault(sid_key, store.new_submission_id())
with st.form(f"dialog_form_{att.id}_{turn.id}", clear_on_submit=True):
    text = st.text_area(
        "回复买家",
        key=f"dialog_text_{att.id}_{turn.id}",
        height=110,
        placeholder="直接写发给买家的话，写完点「发送」",
    )
    sent = st.form_submit_button("发送", type="primary", icon=":material/send:")
if sent:
    if not text.strip():
        st.warning("回复是空的，写点什么再发送吧。")
        st.stop()
    if len(text) > MAX_REPLY_CHARS:
        st.warning(f"回复有 {len(text)} 字，太长了（上限 {MAX_REPLY_CHARS} 字），请精简后再发。")
        st.stop()
    t = now()
    ms = max(0, int((t - dt.datetime.fromisoformat(paper["shown_at"])).total_seconds() * 1000))
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
    g = res.grade
    meta = {
        "score": g.score,
        "max": g.max_score,
        "passed": g.passed,
        "ms": ms,
        "violations": [v.label for v in g.violations],
    }
    history = [*paper["history"], ["agent", text, meta]]
    nxt = res.next_turn
    if nxt:
        history.append(["buyer", q.turn(nxt).buyer])
    last = {"grade": g.to_dict(), "text": text, "ms": ms, "turn": turn.id}
    with transaction(engine) as s:
        store.update_attempt_paper(
            session=s,
            attempt_id=att.id,
            paper={"turn": nxt, "history": history, "shown_at": now().isoformat(), "last": last},
        )
        if not nxt:
            rows = store.attempt_responses(session=s, attempt_id=att.id)
            score = sum(r.score for r in rows)
            top = sum(r.max_score for r in rows)
            ok = all(r.passed for r in rows)
            store.finish_attempt(
                session=s, attempt_id=att.id, now=now(), score=score / top if top else 0, passed=ok
            )
            taken = [r.turn_id for r in rows]
            st.session_state["dialog_card"] = {
                "qid": qid,
                "passed": ok,
                "headline": (
                    f"对话结束：{sum(r.passed for r in rows)}/{len(rows)} 轮合格，"
                    f"总分 {score:g}/{top:g}。" + ("全部合格，买家满意！" if ok else "")
                ),
                "history": history,
                "rows": [
                    {
                        "轮次": f"第 {i} 轮",
                        "得分": f"{r.score:g}/{r.max_score:g}",
                        "结果": "违规" if r.violation_ids else ("合格" if r.passed else "不合格"),
                        "用时（秒）": round((r.response_ms or 0) / 1000),
                        "违规": "、".join(r.violation_ids) or "—",
                    }
                    for i, r in enumerate(rows, 1)
                ],
                "models": [
                    {
                        "轮次": f"第 {i} 轮",
                        "买家": q.turn(tid).buyer,
                        "参考回复": q.turn(tid).model_answer,
                    }
                    for i, tid in enumerate(taken, 1)
                    if tid
                ],
            }
    st.rerun()

last = paper.get("last")
if last:
    with st.expander(f"上一轮回复的评分（用时 {last['ms'] / 1000:.0f} 秒）", expanded=True):
        g = Grade.from_dict(last["grade"])
        reply_scorecard(g, last["text"])
        if not g.passed:
            st.caption("参考回复：")
            st.html(chat_html([("agent", q.turn(last["turn"]).model_answer)]))
if st.button("放弃这次对话", key="dialog_abandon"):
    with transaction(engine) as s:
        store.finish_attempt(session=s, attempt_id=att.id, now=now(), score=None, passed=False)
    st.rerun()
