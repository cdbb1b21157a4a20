"""One question at a time inside an attempt: shared by practice, refresher and mistakes."""

from __future__ import annotations

from typing import Any

import streamlit as st

from trainer.catalog import Catalog
from trainer.records.errors import RecordsError
from trainer.records.store import new_submission_id
from trainer.records.submit import submit_answer
from trainer.ui.state import CurrentUser, get_engine, now
from trainer.ui.widgets import (
    answer_widgets,
    clean_response,
    feedback_panel,
    is_blank,
    question_header,
)


def ask(
    catalog: Catalog,
    user: CurrentUser,
    q: Any,
    *,
    prefix: str,
    kind: str,
    attempt_id: int | None = None,
    presentation: tuple[str, ...] | None = None,
    show_feedback: bool = True,
    index: str = "",
    round_no: int = 0,
) -> bool:
    """Draw ``q`` in a form; on submit grade and store it once.  Returns True once the answer
    is stored (its feedback is shown until the caller moves on)."""
    tag = f"{q.id}_{attempt_id}" + (f"_{round_no}" if round_no else "")
    sid_key = f"{prefix}_sid_{tag}"
    done_key = f"{prefix}_done_{tag}"
    st.session_state.setdefault(sid_key, new_submission_id())
    question_header(q, catalog, index)
    if q.type == "reply":
        from trainer.ui.widgets import chat_html

        st.html(chat_html([("buyer", q.buyer)]))
    done = st.session_state.get(done_key)
    with st.form(f"{prefix}_form_{tag}"):
        response = answer_widgets(q, f"{prefix}_{tag}", presentation)
        sent = st.form_submit_button("提交答案", type="primary", disabled=done is not None)
    if sent and done is None:
        if is_blank(q, response):
            st.warning("还没有作答哦，先选择或填写答案再提交。")
            return False
        try:
            res = submit_answer(
                get_engine(),
                catalog,
                user_id=user.id,
                question_id=q.id,
                response=clean_response(q, response),
                kind=kind,
                submission_id=st.session_state[sid_key],
                now=now(),
                attempt_id=attempt_id,
                schedule=kind != "exam",
            )
        except RecordsError as exc:
            st.error(str(exc))
            return False
        done = {"grade": res.grade, "text": response if q.type == "reply" else None}
        st.session_state[done_key] = done
    if done is None:
        return False
    if show_feedback:
        feedback_panel(done["grade"], q, catalog, done["text"])
    else:
        st.success("答案已保存。")
    return True


def forget(prefix: str) -> None:
    """Drop the per-question state of a finished run."""
    for key in [k for k in st.session_state if str(k).startswith(f"{prefix}_")]:
        del st.session_state[key]
