"""账号: change password, log out."""

import streamlit as st

from trainer.accounts import PLATFORMS, ROLES, change_password
from trainer.records.db import transaction
from trainer.records.errors import RecordsError
from trainer.ui.state import get_engine, logout, require_user

user = require_user()
st.title("账号")
st.text(
    f"{user.display_name}（{user.username}） · {ROLES[user.role]}"
    + (f" · {PLATFORMS[user.platform]}店铺" if user.platform else "")
)
if user.must_change_password:
    st.warning("你正在使用管理员发的一次性密码，请先修改密码。")
with st.form("account_pw"):
    old = st.text_input("原密码", type="password", key="account_old")
    new = st.text_input("新密码（至少 8 位）", type="password", key="account_new")
    new2 = st.text_input("再输一次新密码", type="password", key="account_new2")
    ok = st.form_submit_button("修改密码")
if ok:
    if new != new2:
        st.error("两次输入的新密码不一致")
    else:
        try:
            with transaction(get_engine()) as s:
                change_password(session=s, user_id=user.id, old=old, new=new)
            st.success("密码已修改")
        except RecordsError as exc:
            st.error(str(exc))
if st.button("退出登录", key="account_logout"):
    logout()
    st.rerun()
