"""客服训练营 — the Streamlit frame (pages arrive in app_pages/)."""

import streamlit as st

st.set_page_config(page_title="客服训练营", page_icon="🎧", layout="wide")
st.title("客服训练营")
