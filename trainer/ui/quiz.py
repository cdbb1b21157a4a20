"""One question at a time inside an attempt: shared by practice, refresher and mistakes."""

from __future__ import annotations

from typing import Any

import streamlit as st

from trainer.catalog import Catalog
from trainer.records import store
from trainer.records.db import reading
from trainer.records.errors import RecordsError
from trainer.records.submit import submit_answer
from trainer.ui.appeal import appeal_box
from trainer.ui.state import CurrentUser, get_engine, now
from trainer.ui.widgets import (
    answer_widgets,
    chat_html,
    clean_response,
    feedback_panel,
    is_blank,
    question_header,
)

#: longer replies are refused with a message instead of being stored (a buyer reads a few lines)
MAX_REPLY_CHARS = 5000


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
    base = _base(prefix, q.id, attempt_id, round_no)
    sid_key = f"{base}_sid"
    done_key = f"{base}_done"
    st.session_state.setdefault(sid_key, store.new_submission_id())
    question_header(q, catalog, index)
    if q.type == "reply":
        st.html(chat_html([("buyer", q.buyer)]))
    done = st.session_state.get(done_key)
    with st.form(f"{base}_form"):
        response = answer_widgets(q, f"{base}_w", presentation)
        sent = st.form_submit_button("提交答案", type="primary", disabled=done is not None)
    if sent and done is None:
        if is_blank(q, response):
            st.warning("还没有作答哦，先选择或填写答案再提交。")
            return False
        if q.type == "reply" and len(str(response)) > MAX_REPLY_CHARS:
            st.warning(
                f"回复有 {len(str(response))} 字，太长了（上限 {MAX_REPLY_CHARS} 字）。"
                "买家不会看完这么长的消息，请精简到几句话再提交。"
            )
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
        done = {
            "grade": res.grade,
            "text": response if q.type == "reply" else None,
            "response_id": res.response_id,
        }
        st.session_state[done_key] = done
    if done is None:
        return False
    if show_feedback:
        feedback_panel(done["grade"], q, catalog, done["text"], key=base)
        if q.type == "reply" and done.get("response_id"):
            appeal_box(user, done["response_id"], base)
    else:
        st.success("答案已保存。")
    return True


def _base(prefix: str, qid: str, attempt_id: int | None, round_no: int) -> str:
    return f"{prefix}_q_{qid}_{attempt_id}" + (f"_{round_no}" if round_no else "")


def is_answered(prefix: str, qid: str, attempt_id: int | None = None, round_no: int = 0) -> bool:
    """Whether :func:`ask` stored an answer to ``qid`` in this session (feedback on show)."""
    return f"{_base(prefix, qid, attempt_id, round_no)}_done" in st.session_state


def move_on(prefix: str, qid: str, attempt_id: int | None = None, round_no: int = 0) -> None:
    """Forget the shown answer of ``qid`` so the page moves to the next question."""
    st.session_state.pop(f"{_base(prefix, qid, attempt_id, round_no)}_done", None)


def forget(prefix: str) -> None:
    """Drop the per-question state (answers, widgets) of a finished run of ``prefix``."""
    for key in [k for k in st.session_state if str(k).startswith(f"{prefix}_q_")]:
        del st.session_state[key]


def open_round(prefix: str, user: CurrentUser, *, kind: str, ref: str | None) -> dict | None:
    """The open attempt of ``kind`` (and ``ref``; None: the latest open one of any ref) as
    ``{"ref", "id", "question_ids", "answered", "paper"}``, kept in the session between
    reruns (a submit rerun then costs no database read; a new session reads it back from the
    database, so a refresh or a new login resumes)."""
    key = f"{prefix}_round"
    cached = st.session_state.get(key)
    if cached is not None and (ref is None or cached["ref"] == ref):
        return cached
    with reading(get_engine()) as s:
        att = store.get_open_attempt(session=s, user_id=user.id, kind=kind, ref=ref)
        if att is None:
            st.session_state.pop(key, None)
            return None
        answered = [r.question_id for r in store.attempt_responses(session=s, attempt_id=att.id)]
    cached = {
        "ref": att.ref,
        "id": att.id,
        "question_ids": list(att.question_ids),
        "answered": answered,
        "paper": att.paper,
    }
    st.session_state[key] = cached
    return cached


def mark_answered(prefix: str, question_id: str) -> None:
    cached = st.session_state.get(f"{prefix}_round")
    if cached is not None and question_id not in cached["answered"]:
        cached["answered"].append(question_id)


def close_round(prefix: str) -> None:
    st.session_state.pop(f"{prefix}_round", None)
