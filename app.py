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


def build_pages(kind: str, role: str | None):
    """The pages this visitor may see: setup on a fresh install, login when logged out, and
    for a user the pages of their role (pages of other roles are never registered)."""
    if kind == "setup":
        pages = [st.Page("app_pages/setup.py", title="首次设置", icon=":material/build:")]
    elif kind == "login":
        pages = [st.Page("app_pages/login.py", title="登录", icon=":material/login:")]
    else:
        staff = role in ("manager", "admin")
        learn = [
            st.Page(
                "app_pages/home.py", title="我的学习", icon=":material/home:", default=not staff
            ),
            st.Page("app_pages/lessons.py", title="课程", icon=":material/menu_book:"),
            st.Page("app_pages/practice.py", title="练习", icon=":material/edit_note:"),
            st.Page("app_pages/reply.py", title="情景回复", icon=":material/chat:"),
            st.Page("app_pages/dialog.py", title="对话模拟", icon=":material/forum:"),
            st.Page("app_pages/exam.py", title="考试", icon=":material/assignment:"),
            st.Page("app_pages/refresher.py", title="复训", icon=":material/replay:"),
            st.Page("app_pages/mistakes.py", title="错题本", icon=":material/error:"),
        ]
        account = [st.Page("app_pages/account.py", title="账号", icon=":material/person:")]
        pages = {}
        # manager / admin pages: registered only for those roles; a trainee never has them
        if staff:
            team = [
                ("manager_board", "团队看板", "groups"),
                ("manager_agent", "学员详情", "person_search"),
                ("manager_items", "题目分析", "query_stats"),
                ("manager_review", "待复核", "rate_review"),
                ("manager_assign", "分配", "assignment_ind"),
            ]
            pages["团队"] = [
                st.Page(
                    f"app_pages/{name}.py",
                    title=title,
                    icon=f":material/{icon}:",
                    default=name == "manager_board",
                )
                for name, title, icon in team
            ]
        pages["学习"] = learn
        if role == "admin":
            pages["管理"] = [
                st.Page("app_pages/admin.py", title="管理", icon=":material/admin_panel_settings:")
            ]
        pages["账号"] = account

    return pages


kind = "setup" if fresh_install else ("login" if user is None else "user")
nav_key = (kind, user.role if user else None, user.username if user else None)
cached = st.session_state.get("app_nav")
if cached is None or cached[0] != nav_key:  # built once per session and user: reruns reuse it
    cached = st.session_state["app_nav"] = (nav_key, build_pages(kind, nav_key[1]))
st.navigation(cached[1]).run()
