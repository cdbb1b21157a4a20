"""客服训练营 — the frame: page config, first-run setup, login gate, role → navigation."""

import streamlit as st

from trainer.accounts import needs_setup
from trainer.records.db import transaction
from trainer.ui.state import current_user, get_catalog, get_engine

st.set_page_config(page_title="客服训练营", page_icon="🎧", layout="wide")

get_catalog()  # shows every content error and stops when the content is broken
with transaction(get_engine()) as session:
    fresh_install = needs_setup(session=session)
user = current_user()

if fresh_install:
    pages = [st.Page("app_pages/setup.py", title="首次设置", icon="🛠️")]
elif user is None:
    pages = [st.Page("app_pages/login.py", title="登录", icon="🔑")]
else:
    learn = [
        st.Page("app_pages/home.py", title="我的学习", icon="🏠", default=True),
        st.Page("app_pages/lessons.py", title="课程", icon="📘"),
        st.Page("app_pages/practice.py", title="练习", icon="✏️"),
        st.Page("app_pages/reply.py", title="情景回复", icon="💬"),
        st.Page("app_pages/dialog.py", title="对话模拟", icon="🗨️"),
        st.Page("app_pages/exam.py", title="考试", icon="📝"),
        st.Page("app_pages/refresher.py", title="复训", icon="🔁"),
        st.Page("app_pages/mistakes.py", title="错题本", icon="📕"),
    ]
    account = [st.Page("app_pages/account.py", title="账号", icon="👤")]
    pages = {"学习": learn}
    # manager / admin pages: registered here only for those roles (see issue 6)
    pages["账号"] = account

st.navigation(pages).run()
