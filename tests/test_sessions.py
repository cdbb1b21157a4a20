"""Signed login tokens: a refresh stays logged in; forged, expired or stale tokens do not."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import T0
from trainer.accounts import add_user, change_password
from trainer.accounts.sessions import TOKEN_TTL, cookie_secret, issue_token, user_for_token
from trainer.records.db import transaction

SECRET = b"test-secret"


@pytest.fixture
def user_id(sqlite_engine):
    with transaction(sqlite_engine) as s:
        return add_user(
            session=s,
            username="xiaoli",
            display_name="小李",
            password="mima-12345",
            role="trainee",
            now=T0,
        ).id


def _token(engine, user_id, now=T0, secret=SECRET):
    with transaction(engine) as s:
        from trainer.records.models import User

        return issue_token(s.get(User, user_id), now=now, secret=secret)


def _who(engine, token, now=T0, secret=SECRET):
    with transaction(engine) as s:
        u = user_for_token(token, session=s, now=now, secret=secret)
        return u.username if u else None


def test_a_valid_token_names_its_user(sqlite_engine, user_id) -> None:
    assert _who(sqlite_engine, _token(sqlite_engine, user_id)) == "xiaoli"


@pytest.mark.parametrize(
    "bad",
    ["", None, "abc", "1.2.3", "x.y.z.w", "1.99999999999.n.sig", "1.1.1.1.1", "😀.1.2.3", 12],
)
def test_garbage_tokens_are_refused_without_error(sqlite_engine, user_id, bad) -> None:
    assert _who(sqlite_engine, bad) is None


def test_a_tampered_user_id_is_refused(sqlite_engine, user_id) -> None:
    token = _token(sqlite_engine, user_id)
    uid, rest = token.split(".", 1)
    assert _who(sqlite_engine, f"{int(uid) + 1}.{rest}") is None


def test_another_secret_or_expiry_refuses(sqlite_engine, user_id) -> None:
    token = _token(sqlite_engine, user_id)
    assert _who(sqlite_engine, token, secret=b"other") is None
    later = T0 + TOKEN_TTL + dt.timedelta(seconds=1)
    assert _who(sqlite_engine, token, now=later) is None


def test_changing_the_password_logs_every_device_out(sqlite_engine, user_id) -> None:
    token = _token(sqlite_engine, user_id)
    with transaction(sqlite_engine) as s:
        change_password(session=s, user_id=user_id, old="mima-12345", new="new-mima-678")
    assert _who(sqlite_engine, token) is None


def test_a_deactivated_account_is_refused(sqlite_engine, user_id) -> None:
    token = _token(sqlite_engine, user_id)
    with transaction(sqlite_engine) as s:
        from trainer.records.models import User

        s.get(User, user_id).active = False
    assert _who(sqlite_engine, token) is None


def test_cookie_secret_from_env_or_a_private_file(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("TRAINER_COOKIE_SECRET", "from-env")
    assert cookie_secret(tmp_path / "s") == b"from-env"
    monkeypatch.delenv("TRAINER_COOKIE_SECRET")
    first = cookie_secret(tmp_path / "s")
    assert len(first) >= 32 and cookie_secret(tmp_path / "s") == first
    assert (tmp_path / "s").stat().st_mode & 0o777 == 0o600
