"""Shared fixtures: a fresh database per test, on SQLite and (when reachable) PostgreSQL."""

from __future__ import annotations

import datetime as dt
import os
import uuid

import pytest
from sqlalchemy import text

from trainer.records.db import ensure_schema, make_engine

PG_ADMIN_URLS = (
    "postgresql+psycopg://postgres@127.0.0.1:5432/test",
    "postgresql+psycopg://root@127.0.0.1:5432/test",
)
T0 = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)


def _pg_admin_url() -> str | None:
    for url in PG_ADMIN_URLS:
        try:
            eng = make_engine(url, pool_size=1, max_overflow=0)
            with eng.connect() as c:
                c.execute(text("select 1"))
            eng.dispose()
            return url
        except Exception:
            continue
    return None


PG_URL = _pg_admin_url()


def _require_postgres() -> None:
    if PG_URL is None:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(
                "REQUIRE_POSTGRES=1 but PostgreSQL on 127.0.0.1:5432 (database test) is not reachable"
            )
        pytest.skip("PostgreSQL on 127.0.0.1:5432 (database test) is not reachable on this machine")


@pytest.fixture
def pg_url():
    """A URL to a fresh, empty schema in the PostgreSQL test database (dropped afterwards)."""
    _require_postgres()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(PG_URL, pool_size=1, max_overflow=0)
    with admin.begin() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    with admin.begin() as c:
        c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):
    """The same integration test runs against SQLite and against PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def engine(db_url):
    eng = make_engine(db_url)
    ensure_schema(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def sqlite_engine(tmp_path):
    eng = make_engine(f"sqlite:///{tmp_path / 'test.db'}")
    ensure_schema(eng)
    yield eng
    eng.dispose()
