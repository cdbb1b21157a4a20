"""课程: module → lesson reader with key points, 推荐话术 and 禁忌用语; mark as learned."""

import streamlit as st

from trainer.catalog import PLATFORM_LABELS
from trainer.records import store
from trainer.records.db import reading, transaction
from trainer.ui.state import get_catalog, get_engine, now, require_user

user = require_user()
catalog = get_catalog()
st.title("课程")

lesson_ids = [
    lid for mid in catalog.modules for lid in (les.id for les in catalog.module_lessons(mid))
]
pick = st.session_state.pop("lessons_pick", None)
module_ids = list(catalog.modules)
default_module = catalog.lesson_module[pick] if pick in catalog.lesson_module else module_ids[0]
mid = st.selectbox(
    "模块",
    module_ids,
    index=module_ids.index(default_module),
    format_func=lambda m: f"{catalog.modules[m].order}. {catalog.modules[m].title}",
    key="lessons_module",
)
lessons = catalog.module_lessons(mid)
with reading(get_engine()) as s:
    learned = store.learned_lessons(session=s, user_id=user.id)
ids = [les.id for les in lessons]
lid = st.radio(
    "课程",
    ids,
    index=ids.index(pick) if pick in ids else 0,
    horizontal=False,
    format_func=lambda x: ("✅ " if x in learned else "") + catalog.lessons[x].title,
    key=f"lessons_pick_{mid}",
)
les = catalog.lessons[lid]

st.header(les.title)
plats = "、".join(PLATFORM_LABELS[p] for p in les.platform)
st.caption(
    f"适用平台：{plats} · 规则版本 v{les.version}（{les.effective} 起）· 来源：{'、'.join(les.source)}"
)
if les.summary:
    st.info(les.summary)
st.markdown(les.body)
st.subheader("要点")
for kp in les.key_points:
    st.markdown(f"- {kp}")
if les.scripts:
    st.subheader("推荐话术")
    for sc in les.scripts:
        with st.container(border=True):
            st.caption(sc.situation)
            st.markdown(f"💬 {sc.text}")
if les.taboos:
    st.subheader("禁忌用语")
    for tb in les.taboos:
        with st.container(border=True):
            st.markdown(f"🚫 **{tb.phrase}**")
            if tb.why:
                st.caption(f"为什么不能说：{tb.why}")
            if tb.instead:
                st.markdown(f"✅ 改说：{tb.instead}")

c1, c2 = st.columns(2)
if lid in learned:
    c1.success("已学完这一课")
elif c1.button("标记为已学", type="primary", key="lessons_done"):
    with transaction(get_engine()) as s:
        store.mark_lesson_learned(
            session=s, user_id=user.id, lesson_id=lid, rule_version=les.version, now=now()
        )
    st.rerun()
if c2.button("去练习本模块", key="lessons_practice"):
    st.session_state["practice_module"] = mid
    st.switch_page("app_pages/practice.py")
