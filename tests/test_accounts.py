"""Accounts: argon2id, no default password, throttling, CSV import, password change."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from tests.conftest import T0
from trainer.accounts import (
    HASHER,
    add_user,
    change_password,
    create_first_admin,
    import_users_csv,
    login,
    needs_setup,
)
from trainer.records.db import transaction
from trainer.records.errors import (
    AccountLocked,
    BadCredentials,
    Duplicate,
    Forbidden,
    ValidationFailed,
)
from trainer.records.models import LoginEvent, User


def test_fresh_install_needs_setup_and_only_one_first_admin(engine) -> None:
    with transaction(engine) as s:
        assert needs_setup(session=s)
        admin = create_first_admin(
            session=s, username="boss", display_name="老板", password="hao-mima-2026", now=T0
        )
        assert admin.role == "admin" and admin.password_hash.startswith("$argon2id$")
    with transaction(engine) as s:
        assert not needs_setup(session=s)
        with pytest.raises(Forbidden):
            create_first_admin(
                session=s, username="x2", display_name="x", password="12345678", now=T0
            )


def test_owasp_argon2id_parameters() -> None:
    assert (HASHER.time_cost, HASHER.memory_cost, HASHER.parallelism) == (2, 19 * 1024, 1)


def test_login_and_throttling(engine) -> None:
    with transaction(engine) as s:
        add_user(
            session=s,
            username="xiaoli",
            display_name="小李",
            password="right-pass",
            role="trainee",
            now=T0,
        )
    assert login(engine, username="xiaoli", password="right-pass", now=T0).role == "trainee"
    for i in range(5):
        with pytest.raises(BadCredentials):
            login(engine, username="xiaoli", password="wrong", now=T0 + dt.timedelta(minutes=i))
    later = T0 + dt.timedelta(minutes=6)
    with pytest.raises(AccountLocked) as info:
        login(engine, username="xiaoli", password="right-pass", now=later)
    assert "锁定" in str(info.value)
    # the lock lifts 15 minutes after the fifth failure
    back = login(
        engine, username="xiaoli", password="right-pass", now=T0 + dt.timedelta(minutes=25)
    )
    assert back.username == "xiaoli"
    with transaction(engine) as s:
        events = s.scalars(select(LoginEvent).order_by(LoginEvent.id)).all()
        assert [e.success for e in events] == [True, False, False, False, False, False, False, True]
        assert events[-2].reason == "locked"


def test_unknown_user_gets_the_same_message(engine) -> None:
    with pytest.raises(BadCredentials) as info:
        login(engine, username="nobody", password="whatever", now=T0)
    assert str(info.value) == "用户名或密码不对"


def test_password_rules_and_change(engine) -> None:
    with transaction(engine) as s:
        with pytest.raises(ValidationFailed):
            add_user(
                session=s, username="a", display_name="a", password="short", role="trainee", now=T0
            )
        u = add_user(
            session=s,
            username="xiaowang",
            display_name="小王",
            password="old-password",
            role="trainee",
            now=T0,
        )
        with pytest.raises(Duplicate):
            add_user(
                session=s,
                username="xiaowang",
                display_name="x",
                password="12345678",
                role="trainee",
                now=T0,
            )
        uid = u.id
    with pytest.raises(BadCredentials), transaction(engine) as s:
        change_password(session=s, user_id=uid, old="nope-nope", new="new-password")
    with transaction(engine) as s:
        change_password(session=s, user_id=uid, old="old-password", new="new-password")
    assert login(engine, username="xiaowang", password="new-password", now=T0)


CSV_OK = "用户名,姓名,团队,角色,平台\nli01,李一,甲组,学员,天猫\nzhang,张主管,甲组,主管,\njd01,京东客服,乙组,学员,京东\n"
CSV_BAD = "用户名,姓名,团队,角色,平台\nli01,李一,甲组,学员,天猫\n,无名,甲组,学员,天猫\nli02,李二,甲组,老板,拼多多\nli01,重复,甲组,学员,天猫\n"


def test_csv_import(engine) -> None:
    with transaction(engine) as s:
        report = import_users_csv(session=s, text=CSV_OK, now=T0)
    assert not report.errors and [u for u, _ in report.created] == ["li01", "zhang", "jd01"]
    with transaction(engine) as s:
        users = {u.username: u for u in s.scalars(select(User))}
        assert users["jd01"].platform == "jd" and users["zhang"].role == "manager"
        assert users["li01"].must_change_password
    pw = dict(report.created)["li01"]
    assert login(engine, username="li01", password=pw, now=T0).must_change_password


def test_csv_import_reports_every_bad_line_and_imports_nothing(engine) -> None:
    with transaction(engine) as s:
        report = import_users_csv(session=s, text=CSV_BAD, now=T0)
    assert report.created == []
    assert [e.split("：")[0] for e in report.errors] == ["第3行", "第4行", "第5行"]
    assert "角色 '老板' 无效" in report.errors[1] and "平台 '拼多多' 无效" in report.errors[1]
    with transaction(engine) as s:
        assert s.scalars(select(User)).all() == []
