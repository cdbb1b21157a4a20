"""首次设置: a fresh install creates its first admin (there is no default password)."""

import streamlit as st

from trainer.accounts import create_first_admin
from trainer.records.db import transaction
from trainer.records.errors import RecordsError
from trainer.ui.state import get_engine, now, set_user

st.title("欢迎使用客服训练营")
st.write("这是第一次启动。请先创建管理员账号，之后用它添加主管和学员。系统没有任何默认密码。")
with st.form("setup_form"):
    username = st.text_input("管理员用户名", key="setup_username")
    display = st.text_input("姓名", key="setup_display")
    pw = st.text_input("密码（至少 8 位）", type="password", key="setup_pw")
    pw2 = st.text_input("再输一次密码", type="password", key="setup_pw2")
    ok = st.form_submit_button("创建管理员并登录", type="primary")
if ok:
    if pw != pw2:
        st.error("两次输入的密码不一致")
    else:
        try:
            with transaction(get_engine()) as s:
                admin = create_first_admin(
                    session=s, username=username, display_name=display, password=pw, now=now()
                )
            set_user(admin)
            st.rerun()
        except RecordsError as exc:
            st.error(str(exc))
