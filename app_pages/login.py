"""登录."""

import streamlit as st

from trainer.accounts import login
from trainer.records.errors import RecordsError
from trainer.ui.state import fmt_time, get_engine, now, set_user

st.title("客服训练营")
st.caption("电商客服入职培训 · 情景考核 · 复训")
with st.form("login_form"):
    username = st.text_input("用户名", key="login_username")
    password = st.text_input("密码", type="password", key="login_password")
    ok = st.form_submit_button("登录", type="primary")
if ok:
    try:
        user = login(get_engine(), username=username, password=password, now=now())
    except RecordsError as exc:
        until = getattr(exc, "until", None)
        st.error(str(exc) + (f"（解锁时间 {fmt_time(until)}）" if until else ""))
    else:
        set_user(user)
        st.rerun()
