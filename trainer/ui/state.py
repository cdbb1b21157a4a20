"""Shared Streamlit helpers: cached catalog and engine, the current user, China time.

``st.cache_resource`` holds the catalog and the engine (shared, never mutated); everything
per user lives in ``st.session_state``.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import streamlit as st

from trainer.catalog import Catalog, CatalogError, load_catalog
from trainer.records.db import ensure_schema, make_engine

ROOT = Path(__file__).resolve().parents[2]
USER_KEY = "auth_user"


@st.cache_resource(show_spinner=False)
def _catalog(root: str) -> Catalog:
    return load_catalog(root)


def content_root() -> str:
    return os.environ.get("TRAINER_CONTENT_ROOT", str(ROOT))


def get_catalog() -> Catalog:
    """The validated catalog; on a content error, show every problem and stop the page."""
    try:
        return _catalog(content_root())
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
    return _engine(os.environ.get("DATABASE_URL"))


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


def set_user(user) -> None:
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
    for key in list(st.session_state.keys()):
        del st.session_state[key]
