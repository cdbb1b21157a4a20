"""The trainee's side of 待复核: appeal a reply's score (申诉) and see every manager review."""

from __future__ import annotations

import streamlit as st

from trainer.records import review
from trainer.records.db import reading, transaction
from trainer.records.errors import RecordsError
from trainer.records.models import User
from trainer.ui.state import CurrentUser, fmt_time, get_engine, now


def appeal_box(user: CurrentUser, response_id: int, key: str) -> None:
    """Under a graded reply: the appeal form, or the state of the appeal and its reviews."""
    with reading(get_engine()) as s:
        me = s.get(User, user.id)
        appeal = review.appeals_for_user(session=s, actor=me, user_id=user.id).get(response_id)
        reviews = review.overrides_for_response(session=s, actor=me, response_id=response_id)
    for ov in reviews:
        st.info(
            f"主管复核（{ov.reviewer}，{fmt_time(ov.at)}）：{ov.outcome} "
            f"{ov.old_score:g} → {ov.new_score:g}/{ov.max_score:g} 分，"
            f"{'通过' if ov.passed else '未通过'}。理由：{ov.reason}",
            icon=":material/gavel:",
        )
    if appeal is not None:
        if appeal.resolved_at is None:
            st.caption(f"已于 {fmt_time(appeal.created_at)} 申诉，等待主管复核。")
        return
    with st.expander("觉得评分不合理？申诉给主管复核"):
        with st.form(f"{key}_appeal_form"):
            reason = st.text_area(
                "申诉理由",
                key=f"{key}_appeal_reason",
                placeholder="例如：我说的“运费这边出”就是邮费由商家承担的意思",
                max_chars=review.REASON_MAX,
            )
            sent = st.form_submit_button("提交申诉")
        if sent:
            try:
                with transaction(get_engine()) as s:
                    review.appeal_response(
                        session=s,
                        actor=s.get(User, user.id),
                        response_id=response_id,
                        reason=reason,
                        now=now(),
                    )
            except RecordsError as exc:
                st.error(str(exc))
            else:
                st.success("已提交申诉，主管复核后结果会显示在这里和「我的学习」页。")
                st.rerun()


def review_history(user: CurrentUser, limit: int = 10) -> None:
    """The latest manager reviews of this trainee's answers (shown on 我的学习)."""
    with reading(get_engine()) as s:
        me = s.get(User, user.id)
        views = review.overrides_for_user(session=s, actor=me, user_id=user.id)[:limit]
    if not views:
        return
    st.subheader("主管复核")
    for ov in views:
        st.text(
            f"{fmt_time(ov.at)} · {ov.reviewer} · {ov.outcome}：{ov.old_score:g} → "
            f"{ov.new_score:g}/{ov.max_score:g} 分（{'通过' if ov.passed else '未通过'}）"
            f"\n理由：{ov.reason}"
        )
