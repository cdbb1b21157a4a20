"""课程: module → lesson reader with key points, 推荐话术 and 禁忌用语 cards; mark as learned
(at the lesson's current rule version); go to the lesson's practice."""

import streamlit as st

from trainer.catalog import PLATFORM_LABELS
from trainer.catalog.models import SEED_TITLES
from trainer.learning import current_versions, for_platform
from trainer.records import store
from trainer.records.db import transaction
from trainer.ui.progress import learner
from trainer.ui.state import get_catalog, get_engine, now, require_user

user = require_user()
catalog = get_catalog()
me = learner(catalog, user)
versions = current_versions(catalog, me.raised)
st.title("课程")

pick = st.session_state.pop("lessons_pick", None)
module_ids = list(catalog.modules)
if pick in catalog.lesson_module:
    st.session_state["lessons_module"] = catalog.lesson_module[pick]
    st.session_state[f"lessons_pick_{catalog.lesson_module[pick]}"] = pick


def lesson_mark(lid: str) -> str:
    if lid not in me.learned:
        return "○"
    return "✅" if me.learned[lid] >= versions[lid] else "🔄"


nav, body = st.columns([1.3, 3], gap="large")
with nav:
    mid = st.selectbox(
        "模块",
        module_ids,
        format_func=lambda m: f"{catalog.modules[m].order}. {catalog.modules[m].title}",
        key="lessons_module",
    )
    lessons = catalog.module_lessons(mid)
    ids = [les.id for les in lessons]
    key = f"lessons_pick_{mid}"
    if st.session_state.get(key) not in ids:
        st.session_state[key] = ids[0]
    lid = st.radio(
        "课程（✅ 已学 · 🔄 规则已更新 · ○ 未学）",
        ids,
        format_func=lambda x: f"{lesson_mark(x)} {catalog.lessons[x].title}",
        key=key,
    )
    done = sum(1 for x in ids if lesson_mark(x) == "✅")
    st.progress(done / len(ids), text=f"本模块已学 {done}/{len(ids)} 节")

les = catalog.lessons[lid]
with body:
    st.header(les.title)
    plats = "、".join(PLATFORM_LABELS[p] for p in les.platform)
    st.caption(
        f"适用平台：{plats} · 规则版本 v{versions[lid]}（{les.effective} 起）"
        " · 来源：" + "、".join(f"《{SEED_TITLES.get(x, x)}》({x})" for x in les.source)
    )
    if user.platform and not for_platform(les, user.platform):
        st.caption("这节课讲的是其他平台的规则，你的店铺可以了解，练习和考试不会考到。")
    if lid in me.learned and me.learned[lid] < versions[lid]:
        st.warning(
            f"这节课的规则已更新到 v{versions[lid]}（你上次学的是 v{me.learned[lid]}），"
            "请重新学习并完成复训。",
            icon=":material/update:",
        )
    if les.changelog:
        st.caption(f"更新说明：{les.changelog}")
    if les.summary:
        st.info(les.summary)
    st.markdown(les.body)
    with st.container(border=True):
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

    st.divider()
    c1, c2, c3 = st.columns(3)
    if lesson_mark(lid) == "✅":
        c1.success("已学完这一课", icon=":material/check:")
    elif c1.button(
        "我已重新学习" if lid in me.learned else "标记为已学",
        type="primary",
        key="lessons_done",
        icon=":material/done_all:",
    ):
        with transaction(get_engine()) as s:
            store.mark_lesson_learned(
                session=s, user_id=user.id, lesson_id=lid, rule_version=versions[lid], now=now()
            )
        st.rerun()
    if c2.button("练习这一课", key="lessons_practice", icon=":material/edit_note:"):
        st.session_state["practice_lesson"] = lid
        st.switch_page("app_pages/practice.py")
    nxt = ids[ids.index(lid) + 1] if ids.index(lid) + 1 < len(ids) else None
    if nxt and c3.button("下一课 →", key="lessons_next"):
        st.session_state["lessons_pick"] = nxt
        st.rerun()
