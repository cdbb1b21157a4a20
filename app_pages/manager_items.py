"""题目分析: facility and discrimination per question, flags, and rubric-criterion hit rates."""

import streamlit as st

from trainer.accounts import PLATFORMS
from trainer.records.db import reading
from trainer.records.errors import RecordsError
from trainer.records.models import User
from trainer.reports.items import (
    CRITERIA_DAYS,
    MIN_AGENTS,
    TOO_EASY,
    TOO_HARD,
    criterion_hit_rates,
    item_analysis,
)
from trainer.reports.scope import visible_teams
from trainer.ui.state import get_catalog, get_engine, now
from trainer.ui.tables import acting, downloads, require_manager, table
from trainer.ui.widgets import md_escape

user = require_manager()
catalog = get_catalog()
st.title("题目分析")
st.caption(
    f"难度系数 = 平均得分率（高于 {TOO_EASY:.0%} 提示太简单，低于 {TOO_HARD:.0%} 提示太难）；"
    "区分度 = 学员在这道题上最近一次的得分率与其在其他题上平均得分率的相关系数"
    f"（小于 0 说明答得好的人反而在这题上失分，多半是答案或评分细则有问题）。"
    f"作答人数少于 {MIN_AGENTS} 人时不下结论。"
)

with acting(user) as (s, actor):
    teams = {t.id: t.name for t in visible_teams(session=s, actor=actor)}
c1, c2 = st.columns(2)
team_id = c1.selectbox(
    "团队",
    [None, *teams],
    format_func=lambda t: "全部团队" if t is None else teams[t],
    key="items_team",
)
platform = c2.selectbox(
    "店铺平台",
    [None, *PLATFORMS],
    format_func=lambda p: "全部平台" if p is None else PLATFORMS[p],
    key="items_platform",
)


@st.cache_data(ttl=600, max_entries=32, show_spinner="正在计算题目统计…")
def load_items(actor_id: int, team_id: int | None, platform: str | None, content: str):
    """Cached 10 min per manager and filter; the role and teams are checked inside."""
    with reading(get_engine()) as s:
        actor = s.get(User, actor_id)
        items = item_analysis(
            session=s, actor=actor, catalog=catalog, team_id=team_id, platform=platform
        )
        rates = criterion_hit_rates(
            session=s, actor=actor, catalog=catalog, now=now(), team_id=team_id, platform=platform
        )
    return items, rates


try:
    items, rates = load_items(user.id, team_id, platform, catalog.version)
except RecordsError as exc:
    st.error(md_escape(str(exc)))
    st.stop()

flagged = items[items["提示"].isin(["太简单", "太难"]) | items["提示"].str.contains("区分度为负")]
m1, m2, m3, m4 = st.columns(4)
m1.metric("题目", len(items))
m2.metric("有作答", int((items["作答次数"] > 0).sum()))
m3.metric("需要处理", len(flagged))
m4.metric("区分度为负", int(items["提示"].str.contains("区分度为负").sum()))

show = st.segmented_control(
    "显示",
    ["需要处理的题", "全部题目"],
    default="需要处理的题",
    key="items_show",
)
shown = items if show == "全部题目" else flagged
if shown.empty:
    st.success("没有需要处理的题目。" if show != "全部题目" else "题库里还没有题目。")
else:
    table(
        shown,
        key="items_table",
        percent=("难度系数",),
        column_config={
            "区分度": st.column_config.NumberColumn("区分度", format="%.2f"),
            "提示": st.column_config.TextColumn("提示", width="small"),
        },
    )

st.subheader(f"情景回复评分项命中率（近 {CRITERIA_DAYS} 天）")
st.caption(
    "命中率：回复中做到这一项的比例。要点命中率很低，可能是题目没交代清楚或关键词写得太窄；"
    "禁忌用语一栏是用到这句话的比例，越低越好。"
)
if rates.empty:
    st.caption("近期还没有情景回复或对话作答。")
else:
    replies = {qid: title for qid, title in zip(rates["题目ID"], rates["题目"], strict=True)}
    qid = st.selectbox(
        "情景题",
        [None, *replies],
        format_func=lambda q: "全部情景题" if q is None else replies[q],
        key="items_reply",
    )
    part = rates if qid is None else rates[rates["题目ID"] == qid]
    table(part, key="items_rates", percent=("命中率",))

st.subheader("导出")
downloads("题目分析", lambda: {"题目分析": items, "评分项命中率": rates}, key="items_export")
