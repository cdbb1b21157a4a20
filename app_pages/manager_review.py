"""待复核: reply answers close to the pass mark or appealed by the trainee; confirm or
override with a reason (every review is kept, and the trainee sees it)."""

import pandas as pd
import streamlit as st

from trainer.records.errors import RecordsError
from trainer.records.review import QUEUE_DAYS, review_queue
from trainer.reports.agent import answer_detail, question_title
from trainer.reports.scope import visible_teams
from trainer.ui.state import get_catalog, now
from trainer.ui.tables import acting, answer_panel, flash, require_manager, table
from trainer.ui.widgets import md_escape

user = require_manager()
catalog = get_catalog()
st.title("待复核")
st.caption(
    "需要人工看一眼的情景回复：学员提出申诉的（排在最前），以及近 "
    f"{QUEUE_DAYS} 天内得分在及格线上下的。维持原分或改分都会留下记录（谁、何时、原分、新分、原因），"
    "学员在自己的成绩页能看到。"
)
with acting(user) as (s, actor):
    teams = {t.id: t.name for t in visible_teams(session=s, actor=actor)}
c1, c2 = st.columns([1, 2])
team_id = c1.selectbox(
    "团队",
    [None, *teams],
    format_func=lambda t: "全部团队" if t is None else teams[t],
    key="review_team",
)
margin_pct = c2.slider(
    "及格线上下浮动范围",
    min_value=0,
    max_value=30,
    value=10,
    step=5,
    format="%d%%",
    key="review_margin",
    help="得分率与及格线相差不超过这个范围的回复进入待复核。",
)

try:
    with acting(user) as (s, actor):
        queue = review_queue(
            session=s, actor=actor, now=now(), margin=margin_pct / 100, team_id=team_id
        )
except RecordsError as exc:
    st.error(md_escape(str(exc)))
    st.stop()

flash("review_done")
if not queue:
    st.success("没有待复核的回复。")
    st.stop()

appealed = sum(1 for i in queue if i.appeal_reason is not None)
m1, m2 = st.columns(2)
m1.metric("学员申诉", appealed)
m2.metric("接近及格线", len(queue) - appealed)

rows = pd.DataFrame(
    [
        {
            "原因": i.why,
            "学员": i.agent,
            "用户名": i.username,
            "团队": i.team,
            "题目": question_title(catalog, i.question_id, i.turn_id),
            "作答时间": i.created_at,
            "得分": i.score,
            "满分": i.max_score,
            "及格线": i.pass_ratio * i.max_score,
            "申诉理由": i.appeal_reason or "",
            "response_id": i.response_id,
        }
        for i in queue
    ]
)
table(rows, key="review_table", percent=())

items = {i.response_id: i for i in queue}
rid = st.selectbox(
    "复核哪一条",
    list(items),
    format_func=lambda r: (
        f"{items[r].why} · {items[r].agent}（{items[r].username}） · "
        f"{items[r].score:g}/{items[r].max_score:g}"
    ),
    key="review_pick",
)
with acting(user) as (s, actor):
    try:
        detail = answer_detail(session=s, actor=actor, catalog=catalog, response_id=rid)
    except RecordsError as exc:
        st.error(md_escape(str(exc)))
        st.stop()
if answer_panel(detail, user=user, key=f"review_{rid}"):
    st.session_state["review_done_flash"] = st.session_state.pop(f"review_{rid}_flash", "已保存。")
    st.session_state.pop("review_pick", None)
    st.cache_data.clear()
    st.rerun()
