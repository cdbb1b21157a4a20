"""Display helpers of the manager and admin pages: the acting user, safe tables, exports, and
one answer with its review form.

Safety: every piece of user text (names, replies, reasons) reaches the browser through
``st.dataframe``, ``st.text``, ``st.code`` or a widget's option list — never Markdown, never
``unsafe_allow_html``.  Labels, titles and captions only ever hold our own words.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager

import pandas as pd
import streamlit as st
from sqlalchemy.orm import Session

from trainer.records.db import reading, transaction
from trainer.records.errors import RecordsError
from trainer.records.models import User
from trainer.reports.export import to_csv_bytes, to_xlsx_bytes
from trainer.ui.state import CurrentUser, china_tz, current_user, fmt_time, get_engine, now
from trainer.ui.widgets import md_escape

MANAGER_ROLES = ("manager", "admin")
HIDDEN = ("user_id", "response_id")
PERCENT_COLUMNS = ("平均得分率", "近7天得分率", "最近考试", "掌握度", "学员", "团队平均")


def require_manager(*, admin: bool = False) -> CurrentUser:
    """The logged-in manager (or admin); anyone else sees a Chinese message and nothing else."""
    user = current_user()
    allowed = ("admin",) if admin else MANAGER_ROLES
    if user is None:
        st.warning("请先登录。")
        st.stop()
    if user.role not in allowed:
        st.error("这个页面只对" + ("管理员" if admin else "主管和管理员") + "开放。")
        st.stop()
    return user


@contextmanager
def acting(user: CurrentUser, *, write: bool = False) -> Iterator[tuple[Session, User]]:
    """A session and the acting user's row (role and teams read fresh from the database)."""
    opener = transaction if write else reading
    with opener(get_engine()) as session:
        actor = session.get(User, user.id)
        if actor is None or not actor.active:
            st.error("当前账号不存在或已停用，请重新登录。")
            st.stop()
        yield session, actor


def run(action: Callable[[], object], ok: str | None = None) -> object | None:
    """Run a write; show the domain error in Chinese instead of a traceback.  Returns the
    action's result (True when it returns nothing), or None when it failed."""
    try:
        result = action()
    except RecordsError as exc:
        st.error(md_escape(str(exc)))  # messages may quote user input (a team name …)
        return None
    if ok:
        st.success(md_escape(ok))
    return True if result is None else result


def local_times(df: pd.DataFrame) -> pd.DataFrame:
    """Aware datetime columns as China-time text (``YYYY-MM-DD HH:MM``), for display."""
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_datetime64_any_dtype(s):
            if s.dt.tz is None:
                s = s.dt.tz_localize("UTC")
            out[col] = s.dt.tz_convert(china_tz()).dt.strftime("%Y-%m-%d %H:%M").fillna("—")
        elif s.dtype == object and s.map(lambda v: isinstance(v, dt.datetime)).any():
            out[col] = s.map(lambda v: fmt_time(v) if isinstance(v, dt.datetime) else "—")
    return out


def table(
    df: pd.DataFrame,
    *,
    key: str | None = None,
    percent: tuple[str, ...] = PERCENT_COLUMNS,
    column_config: Mapping[str, object] | None = None,
    height: int | str = "auto",
    **kwargs,
):
    """``st.dataframe`` of ``df``: hidden id columns, China times, ratios as percentages."""
    shown = local_times(df)
    config: dict[str, object] = {c: None for c in HIDDEN if c in shown.columns}
    for col in percent:
        if col in shown.columns:
            values = pd.to_numeric(shown[col], errors="coerce")
            if values.notna().any() or shown[col].isna().all():
                shown[col] = (values * 100).round(0)
                config[col] = st.column_config.NumberColumn(col, format="%d%%")
    config.update(column_config or {})
    kwargs.setdefault("placeholder", "—")  # empty cells: a dash, not "None"
    return st.dataframe(
        shown, hide_index=True, column_config=config, key=key, height=height, **kwargs
    )


def downloads(
    name: str,
    frames: Callable[[], Mapping[str, pd.DataFrame]],
    *,
    key: str,
    help: str | None = None,
) -> None:
    """Two download buttons, CSV (UTF-8 with BOM, first sheet) and Excel (every sheet); the
    bytes are made only when a button is clicked."""
    stamp = now().astimezone(china_tz()).strftime("%Y%m%d-%H%M")

    def csv_bytes() -> bytes:
        first = next(iter(frames().values()))
        return to_csv_bytes(first)

    def xlsx_bytes() -> bytes:
        return to_xlsx_bytes(frames())

    c1, c2 = st.columns(2)
    c1.download_button(
        "下载 CSV",
        data=csv_bytes,
        file_name=f"{name}-{stamp}.csv",
        mime="text/csv",
        key=f"{key}_csv",
        help=help,
        on_click="ignore",
        icon=":material/download:",
    )
    c2.download_button(
        "下载 Excel",
        data=xlsx_bytes,
        file_name=f"{name}-{stamp}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{key}_xlsx",
        help=help,
        on_click="ignore",
        icon=":material/table_view:",
    )


def user_text(label: str, text: str | None) -> None:
    """A caption of ours and the user's text, shown literally (a code block, wrapped)."""
    st.caption(label)
    st.code(text if text else "（空）", language=None, wrap_lines=True)


# ---------------------------------------------------------------- one answer and its review


def answer_panel(detail, *, user: CurrentUser, key: str) -> bool:
    """One answer in full (buyer, reply, rubric, violations, review history, appeal) and, for
    reply / dialog answers, the manager's two actions: keep the score or change it with a
    reason.  Returns True after a write (the caller clears its caches and reruns)."""
    from trainer.records import review

    c1, c2, c3 = st.columns(3)
    c1.metric("得分", f"{detail.score:g} / {detail.grade.max_score:g}")
    c2.metric("结果", "通过" if detail.passed else "未通过")
    c3.metric(
        "及格线", f"{detail.pass_ratio * detail.grade.max_score:g} 分" if detail.is_reply else "—"
    )
    st.caption(f"作答时间 {fmt_time(detail.created_at)}")
    st.caption("学员")
    st.text(detail.agent)
    st.caption("题目")
    st.text(detail.prompt)
    if detail.buyer:
        user_text("买家说", detail.buyer)
    user_text("学员的回答（原文）", detail.text)
    if detail.grade.violations:
        st.error(f"触犯平台规则 {len(detail.grade.violations)} 条")
        table(detail.violations_table(), key=f"{key}_viol")
    if detail.grade.criteria:
        st.caption("评分细则")
        table(detail.criteria_table(), key=f"{key}_crit", percent=())
    if detail.appeal is not None:
        st.caption("学员申诉" + ("（已处理）" if detail.appeal.resolved_at else "（待复核）"))
        st.text(detail.appeal.reason)
    if detail.history:
        st.caption("复核记录（每一次都保留，学员可以看到）")
        table(
            pd.DataFrame(
                [
                    {
                        "时间": h.at,
                        "复核人": h.reviewer,
                        "原分": h.old_score,
                        "新分": h.new_score,
                        "结果": h.outcome,
                        "原因": h.reason,
                    }
                    for h in detail.history
                ]
            ),
            key=f"{key}_hist",
            percent=(),
        )
    if not detail.is_reply:
        st.caption("客观题由系统按标准答案判分，不做人工复核。")
        return False
    if detail.user_id == user.id:
        return False
    wrote = False
    left, right = st.columns(2)
    v = len(detail.history)  # new widgets after each review, showing the score now in force
    with left.form(f"{key}_confirm_form_{v}"):
        st.markdown("**维持原分**")
        note = st.text_input("说明（可不填）", key=f"{key}_note_{v}", max_chars=500)
        keep = st.form_submit_button("确认维持原分")
    with right.form(f"{key}_override_form_{v}"):
        st.markdown("**改分**")
        new_score = st.number_input(
            f"新分数（0–{detail.grade.max_score:g}）",
            min_value=0.0,
            max_value=float(detail.grade.max_score),
            value=float(detail.score),
            step=1.0,
            format="%g",
            key=f"{key}_score_{v}",
        )
        reason = st.text_area(
            "改分原因（必填，学员会看到）", key=f"{key}_reason_{v}", max_chars=500
        )
        change = st.form_submit_button("保存改分", type="primary")
    if keep:
        with acting(user, write=True) as (s, actor):
            wrote = (
                run(
                    lambda: review.confirm_score(
                        session=s, actor=actor, response_id=detail.response_id, now=now(), note=note
                    )
                )
                is not None
            )
        if wrote:
            st.session_state[f"{key}_flash"] = "已确认维持原分，复核记录已保存。"
    if change:
        with acting(user, write=True) as (s, actor):
            wrote = (
                run(
                    lambda: review.override_score(
                        session=s,
                        actor=actor,
                        response_id=detail.response_id,
                        new_score=new_score,
                        reason=reason,
                        now=now(),
                    )
                )
                is not None
            )
        if wrote:
            st.session_state[f"{key}_flash"] = (
                f"已改为 {new_score:g} 分，原因已记录，学员可以在成绩页看到。"
            )
    return wrote


def flash(key: str) -> None:
    """Show (once) the message an action left before its rerun."""
    msg = st.session_state.pop(f"{key}_flash", None)
    if msg:
        st.success(md_escape(msg))  # may quote a name or a team: never Markdown
