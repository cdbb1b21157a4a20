"""Shared Streamlit helpers: cached catalog and engine, the current user, China time.

``st.cache_resource`` holds the catalog and the engine (shared, never mutated); everything
per user lives in ``st.session_state``.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import streamlit as st

from trainer.accounts.sessions import (
    COOKIE_NAME,
    TOKEN_TTL,
    cookie_secret,
    issue_token,
    user_for_token,
)
from trainer.catalog import Catalog, CatalogError, load_catalog
from trainer.records.db import ensure_schema, make_engine, reading

ROOT = Path(__file__).resolve().parents[2]
USER_KEY = "auth_user"
COOKIE_OP_KEY = "auth_cookie_op"  # token to write, "" to delete, absent: nothing to do
LOGGED_OUT_KEY = "auth_logged_out"


@st.cache_resource(show_spinner=False)
def _catalog(root: str) -> Catalog:
    catalog = load_catalog(root)
    # the catalog and its compiled rubrics live as long as the process: take them out of the
    # garbage collector's generations so that collections stop re-scanning them
    gc.collect()
    gc.freeze()
    return catalog


def content_root() -> str:
    return os.environ.get("TRAINER_CONTENT_ROOT", str(ROOT))


#: the shared read-only resources of the last lookup (catalog per content root, engine per
#: URL): a dictionary read per rerun instead of st.cache_resource's hashing of the key.  The
#: objects are the cache_resource ones (never mutated), so st.cache_resource.clear() plus a
#: new key behaves as before.
_LAST: dict[tuple[str, str | None], Any] = {}


def get_catalog() -> Catalog:
    """The validated catalog; on a content error, show every problem and stop the page."""
    key = ("catalog", content_root())
    hit = _LAST.get(key)
    if hit is not None:
        return hit
    try:
        catalog = _LAST[key] = _catalog(key[1])
        return catalog
    except CatalogError as exc:
        st.error("课程内容校验失败，请培训负责人修正以下问题后重启应用：")
        st.code("\n".join(str(e) for e in exc.errors), language=None)
        st.stop()
        raise  # for type checkers: st.stop() does not return


@st.cache_resource(show_spinner=False)
def _engine(url: str | None):
    engine = make_engine(url)
    ensure_schema(engine)
    return engine


def get_engine():
    key = ("engine", os.environ.get("DATABASE_URL"))
    hit = _LAST.get(key)
    if hit is None:
        hit = _LAST[key] = _engine(key[1])
    return hit


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def china_tz() -> ZoneInfo:
    return ZoneInfo(os.environ.get("TRAINER_TZ", "Asia/Shanghai"))


def fmt_time(moment: dt.datetime | None, with_time: bool = True) -> str:
    if moment is None:
        return "—"
    local = moment.astimezone(china_tz())
    return local.strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")


@dataclass(frozen=True)
class CurrentUser:
    id: int
    username: str
    display_name: str
    role: str
    team_id: int | None
    platform: str | None
    must_change_password: bool = False


def current_user() -> CurrentUser | None:
    return st.session_state.get(USER_KEY)


def set_user(user, *, remember: bool = True) -> None:
    """Log ``user`` in for this session; ``remember`` also keeps them logged in across a
    browser refresh (a signed cookie, see :mod:`trainer.accounts.sessions`)."""
    if remember:
        st.session_state[COOKIE_OP_KEY] = issue_token(user, now=now(), secret=cookie_secret())
    st.session_state[USER_KEY] = CurrentUser(
        user.id,
        user.username,
        user.display_name,
        user.role,
        user.team_id,
        user.platform,
        bool(user.must_change_password),
    )


def require_user() -> CurrentUser:
    user = current_user()
    if user is None:
        st.warning("请先登录。")
        st.stop()
    return user


def logout() -> None:
    """Forget everything of this session and delete the login cookie in the browser."""
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    st.session_state[LOGGED_OUT_KEY] = True  # this session's cookie header is now stale
    st.session_state[COOKIE_OP_KEY] = ""


def restore_user() -> CurrentUser | None:
    """The logged-in user, restoring it from the login cookie on a new session (refresh)."""
    user = current_user()
    if user is not None or st.session_state.get(LOGGED_OUT_KEY):
        return user
    try:
        token = st.context.cookies.get(COOKIE_NAME)
    except Exception:  # no browser context (bare script, tests)
        token = None
    if not token:
        return None
    with reading(get_engine()) as s:
        row = user_for_token(token, session=s, now=now(), secret=cookie_secret())
    if row is None:
        st.session_state[COOKIE_OP_KEY] = ""  # drop the stale cookie
        return None
    set_user(row, remember=False)
    return current_user()


def apply_cookie_ops() -> None:
    """Write or delete the login cookie in the browser (call once per run from the frame)."""
    op = st.session_state.pop(COOKIE_OP_KEY, None)
    if op is None:
        return
    age = int(TOKEN_TTL.total_seconds()) if op else 0
    value = json.dumps(op)  # a JS string literal; tokens are URL-safe base64 and dots
    st.html(
        "<script>(function(){var s=location.protocol==='https:'?';Secure':'';"
        f"document.cookie='{COOKIE_NAME}='+{value}+';path=/;max-age={age};SameSite=Strict'+s;"
        "})();</script>",
        unsafe_allow_javascript=True,
    )
