"""错题本: every question whose latest answer was wrong, with a retry."""

import streamlit as st

from trainer.records import store
from trainer.records.db import reading
from trainer.ui.quiz import ask
from trainer.ui.state import fmt_time, get_catalog, get_engine, require_user

user = require_user()
catalog = get_catalog()
st.title("错题本")
with reading(get_engine()) as s:
    wrong = [
        r
        for r in store.wrong_answers(session=s, user_id=user.id)
        if r.question_id in catalog.questions
    ]
if not wrong:
    st.success("错题本是空的：最近一次作答全部正确。")
    st.stop()
st.write(f"共 {len(wrong)} 道题最近一次没有答对。重做一遍，答对了就会移出错题本。")
for r in wrong:
    q = catalog.questions[r.question_id]
    with st.expander(f"{q.prompt[:40]}（{fmt_time(r.created_at)} · {r.score:g}/{r.max_score:g}）"):
        retry_key = f"mistakes_retry_{r.id}"
        if st.session_state.get(retry_key):
            ask(catalog, user, q, prefix="mistakes_q", kind="practice", round_no=r.id)
        else:
            st.caption("上次的作答：")
            st.text(str(r.response))
            if st.button("重做", key=f"mistakes_btn_{r.id}"):
                st.session_state[retry_key] = True
                st.rerun()
