"""Shared set-up for the Streamlit AppTest tests of the trainee pages.

A fresh SQLite database per test, the small journey catalog (tests/fixtures/journey: two
lessons, objective questions, a reply scenario, a dialog, an exam and a refresher set), an
admin and a trainee.  :func:`open_app` runs ``app.py`` (the real frame and navigation) as a
logged-in user, optionally switching to a page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from trainer.accounts import add_user
from trainer.catalog import Catalog, load_catalog
from trainer.records.db import ensure_schema, make_engine, transaction
from trainer.records.models import User
from trainer.ui.state import CurrentUser

ROOT = Path(__file__).resolve().parents[1]
JOURNEY = ROOT / "tests" / "fixtures" / "journey"
PASSWORD = "mima-12345"
TRAINEE_PAGES = (
    "app_pages/home.py",
    "app_pages/lessons.py",
    "app_pages/practice.py",
    "app_pages/reply.py",
    "app_pages/dialog.py",
    "app_pages/exam.py",
    "app_pages/refresher.py",
    "app_pages/mistakes.py",
    "app_pages/account.py",
)


@dataclass
class AppEnv:
    engine: Engine
    catalog: Catalog
    admin: CurrentUser
    trainee: CurrentUser
    url: str
    manager: CurrentUser | None = None


def as_current(user: User) -> CurrentUser:
    return CurrentUser(
        user.id,
        user.username,
        user.display_name,
        user.role,
        user.team_id,
        user.platform,
        bool(user.must_change_password),
    )


def make_env(tmp_path: Path, monkeypatch, content: Path = JOURNEY) -> AppEnv:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("TRAINER_CONTENT_ROOT", str(content))
    monkeypatch.setenv("TRAINER_COOKIE_SECRET", "apptest-secret")
    st.cache_resource.clear()
    st.cache_data.clear()
    engine = make_engine(url)
    ensure_schema(engine)
    now = dt.datetime.now(dt.UTC)
    with transaction(engine) as s:
        admin = add_user(
            session=s,
            username="admin",
            display_name="管理员",
            password=PASSWORD,
            role="admin",
            now=now,
        )
        trainee = add_user(
            session=s,
            username="xiaoli",
            display_name="李小丽",
            password=PASSWORD,
            role="trainee",
            team="甲组",
            platform="tmall",
            now=now,
        )
        manager = add_user(
            session=s,
            username="lead",
            display_name="王主管",
            password=PASSWORD,
            role="manager",
            team="甲组",
            now=now,
        )
        admin_c, trainee_c, manager_c = as_current(admin), as_current(trainee), as_current(manager)
    return AppEnv(engine, load_catalog(content), admin_c, trainee_c, url, manager_c)


def open_app(user: CurrentUser | None, page: str | None = None, timeout: float = 30) -> AppTest:
    """Run app.py as ``user`` (None: logged out) and optionally switch to ``page``."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    if user is not None:
        at.session_state["auth_user"] = user
    at.run()
    if page is not None:
        at.switch_page(page)
        at.run()
    return at


def click(at: AppTest, label: str) -> AppTest:
    """Click the (form submit) button labelled ``label`` and rerun."""
    for b in list(at.button) + list(at.form_submit_button):
        if b.label == label:
            b.click()
            return at.run()
    labels = [b.label for b in list(at.button) + list(at.form_submit_button)]
    raise AssertionError(f"no button {label!r}; buttons: {labels}")


def texts(at: AppTest) -> str:
    """Every piece of text on the page, for assertions."""
    parts = []
    for kind in (
        "title",
        "header",
        "subheader",
        "markdown",
        "caption",
        "text",
        "info",
        "success",
        "warning",
        "error",
    ):
        parts += [str(e.value) for e in getattr(at, kind)]
    parts += [str(m.label) + " " + str(m.value) for m in at.metric]
    parts += [h.proto.body for h in at.get("html")]
    parts += [p.proto.text for p in at.get("progress")]
    return "\n".join(parts)
