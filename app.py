"""客服训练营 — the frame: page config, first-run setup, login gate, role → navigation."""

import streamlit as st

from trainer.accounts import needs_setup
from trainer.records.db import reading
from trainer.ui.state import apply_cookie_ops, get_catalog, get_engine, restore_user

st.set_page_config(page_title="客服训练营", page_icon=":material/headset_mic:", layout="wide")

get_catalog()  # shows every content error and stops when the content is broken
fresh_install = False
if not st.session_state.get("app_installed"):  # once an admin exists, never ask again
    with reading(get_engine()) as session:
        fresh_install = needs_setup(session=session)
    st.session_state["app_installed"] = not fresh_install
user = None if fresh_install else restore_user()
apply_cookie_ops()

if fresh_install:
    pages = [st.Page("app_pages/setup.py", title="首次设置", icon=":material/build:")]
elif user is None:
    pages = [st.Page("app_pages/login.py", title="登录", icon=":material/login:")]
else:
    learn = [
        st.Page("app_pages/home.py", title="我的学习", icon=":material/home:", default=True),
        st.Page("app_pages/lessons.py", title="课程", icon=":material/menu_book:"),
        st.Page("app_pages/practice.py", title="练习", icon=":material/edit_note:"),
        st.Page("app_pages/reply.py", title="情景回复", icon=":material/chat:"),
        st.Page("app_pages/dialog.py", title="对话模拟", icon=":material/forum:"),
        st.Page("app_pages/exam.py", title="考试", icon=":material/assignment:"),
        st.Page("app_pages/refresher.py", title="复训", icon=":material/replay:"),
        st.Page("app_pages/mistakes.py", title="错题本", icon=":material/error:"),
    ]
    account = [st.Page("app_pages/account.py", title="账号", icon=":material/person:")]
    pages = {"学习": learn}
    # manager / admin pages: registered here only for those roles (see issue 6)
    pages["账号"] = account

st.navigation(pages).run()
