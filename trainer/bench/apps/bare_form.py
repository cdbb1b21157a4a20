"""Baseline for the benchmarks: a bare Streamlit page with the same widgets as a quiz question
(title, question text, a radio in a form, a submit button, feedback)."""

import streamlit as st

st.set_page_config(page_title="bare", layout="wide")
st.title("练习")
st.markdown("**买家要求单独寄发票，运费由谁出？**")
with st.form("q"):
    choice = st.radio(
        "选项", ["A. 买家补运费", "B. 商家承担", "C. 各出一半"], key="choice", index=None
    )
    sent = st.form_submit_button("提交答案")
if sent:
    if choice and choice.startswith("B"):
        st.success("回答正确")
    else:
        st.error("回答错误")
    st.caption("天猫规则·发票：单独寄发票不能要求客人补运费。")
