"""情景回复: a buyer's message and a composer; after submit the score per criterion, the reply
with matched / forbidden / rule-breaking phrases highlighted, violations with the penalty the
shop would get, and the model answer."""

import streamlit as st

from trainer.catalog import PLATFORM_LABELS
from trainer.learning import for_platform
from trainer.ui.progress import learner
from trainer.ui.quiz import ask
from trainer.ui.state import get_catalog, require_user

user = require_user()
catalog = get_catalog()
st.title("情景回复")
st.caption("读买家的消息，像在千牛/咚咚工作台上一样写回复。系统按评分细则打分，并告诉你为什么。")
replies = [
    q for q in catalog.questions.values() if q.type == "reply" and for_platform(q, user.platform)
]
if not replies:
    st.info("当前没有适合你店铺平台的情景题。")
    st.stop()

me = learner(catalog, user)


def mark(qid: str) -> str:
    if qid not in me.latest:
        return "○"
    return "✅" if me.latest[qid][0] else "❌"


modules = [m for m in catalog.modules if any(catalog.question_module(q.id) == m for q in replies)]
pre = st.session_state.pop("reply_open", None)
if pre in {q.id for q in replies}:
    st.session_state["reply_module"] = catalog.question_module(pre)
    st.session_state["reply_pick"] = pre
passed = sum(1 for q in replies if me.latest.get(q.id, (False, 0))[0])
st.progress(passed / len(replies), text=f"已通过 {passed}/{len(replies)} 个情景")
c1, c2 = st.columns([1, 2])
mid = c1.selectbox(
    "模块",
    modules,
    format_func=lambda m: f"{catalog.modules[m].order}. {catalog.modules[m].title}",
    key="reply_module",
)
choices = [q.id for q in replies if catalog.question_module(q.id) == mid]
if st.session_state.get("reply_pick") not in choices:
    st.session_state["reply_pick"] = choices[0]
qid = c2.selectbox(
    "情景（✅ 已通过 · ❌ 未通过 · ○ 未做）",
    choices,
    key="reply_pick",
    format_func=lambda x: f"{mark(x)} {catalog.questions[x].buyer[:36]}",
)
q = catalog.questions[qid]
st.caption(
    "适用平台："
    + "、".join(PLATFORM_LABELS[p] for p in q.platform)
    + f" · 难度 {'★' * q.difficulty}"
)
round_key = f"reply_round_{qid}"
st.session_state.setdefault(round_key, 0)
stored = ask(catalog, user, q, prefix="reply", kind="reply", round_no=st.session_state[round_key])
if stored:
    c1, c2 = st.columns(2)
    if c1.button("再写一次", key="reply_again", icon=":material/refresh:"):
        st.session_state[round_key] += 1
        st.rerun()
    nxt = next((x for x in choices if x != qid and not me.latest.get(x, (False, 0))[0]), None)
    if nxt and c2.button("下一个情景 →", key="reply_next", type="primary"):
        st.session_state["reply_open"] = nxt
        st.rerun()
