"""情景回复: a buyer's message, a composer, and a graded, highlighted reply with the model."""

import streamlit as st

from trainer.learning import for_platform
from trainer.ui.quiz import ask
from trainer.ui.state import get_catalog, require_user

user = require_user()
catalog = get_catalog()
st.title("情景回复")
st.caption("读买家的消息，像在工作台上一样写回复。系统会按评分细则打分，并告诉你为什么。")
replies = [
    q for q in catalog.questions.values() if q.type == "reply" and for_platform(q, user.platform)
]
if not replies:
    st.info("当前没有适合你店铺平台的情景题。")
    st.stop()
modules = [m for m in catalog.modules if any(catalog.question_module(q.id) == m for q in replies)]
mid = st.selectbox(
    "模块", modules, format_func=lambda m: catalog.modules[m].title, key="reply_module"
)
choices = [q.id for q in replies if catalog.question_module(q.id) == mid]
qid = st.selectbox(
    "情景", choices, key="reply_pick", format_func=lambda x: catalog.questions[x].buyer[:40]
)
q = catalog.questions[qid]
round_key = f"reply_round_{qid}"
st.session_state.setdefault(round_key, 0)
stored = ask(catalog, user, q, prefix="reply", kind="reply", round_no=st.session_state[round_key])
if stored and st.button("再写一次", key="reply_again"):
    st.session_state[round_key] += 1
    st.rerun()
