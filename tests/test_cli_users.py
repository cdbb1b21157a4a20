"""`python -m trainer users …` against a real database file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from trainer.records.db import make_engine, reading
from trainer.records.models import User

ROOT = Path(__file__).resolve().parents[1]


def _run(db: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}"}
    return subprocess.run(
        [sys.executable, "-m", "trainer", "users", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
    )


def _users(db: Path) -> dict[str, User]:
    engine = make_engine(f"sqlite:///{db}")
    with reading(engine) as s:
        out = {u.username: u for u in s.scalars(select(User))}
    engine.dispose()
    return out


def test_first_user_must_be_an_admin_then_others_follow(tmp_path) -> None:
    db = tmp_path / "t.db"
    out = _run(db, "add", "xiaoli", "--password-stdin", stdin="mima-12345\n")
    assert out.returncode == 2 and "第一个用户必须是管理员" in out.stderr
    out = _run(
        db,
        "add",
        "boss",
        "--name",
        "王经理",
        "--role",
        "admin",
        "--password-stdin",
        stdin="mima-12345\n",
    )
    assert out.returncode == 0, out.stderr
    assert "已添加管理员 boss" in out.stdout
    out = _run(
        db,
        "add",
        "xiaoli",
        "--team",
        "甲组",
        "--platform",
        "jd",
        "--password-stdin",
        stdin="short\n",
    )
    assert out.returncode == 1 and "密码至少需要 8 位" in out.stderr
    users = _users(db)
    assert set(users) == {"boss"} and users["boss"].password_hash.startswith("$argon2id$")


def test_import_reports_every_bad_line_and_imports_nothing(tmp_path) -> None:
    db = tmp_path / "t.db"
    _run(db, "add", "boss", "--role", "admin", "--password-stdin", stdin="mima-12345\n")
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "用户名,姓名,团队,角色,平台\nxiaoli,小李,甲组,学员,天猫\n,无名,甲组,学员,天猫\n"
        "xiaowang,小王,乙组,老板,京东\n",
        encoding="utf-8",
    )
    out = _run(db, "import", str(bad))
    assert out.returncode == 1
    assert "第3行" in out.stderr and "第4行" in out.stderr and "一个用户也没有导入" in out.stderr
    assert set(_users(db)) == {"boss"}
    good = tmp_path / "good.csv"
    good.write_text(
        "\ufeff用户名,姓名,团队,角色,平台\nxiaoli,小李,甲组,学员,天猫\nlead,张主管,甲组,主管,\n",
        encoding="utf-8",
    )
    out = _run(db, "import", str(good))
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    assert lines[0] == "用户名,一次性密码" and len(lines) == 3
    users = _users(db)
    assert users["xiaoli"].must_change_password and users["lead"].role == "manager"
    listing = _run(db, "list").stdout
    assert "xiaoli\t小李\t学员\t甲组\t天猫" in listing


def test_reset_prints_a_one_time_password(tmp_path) -> None:
    db = tmp_path / "t.db"
    _run(db, "add", "boss", "--role", "admin", "--password-stdin", stdin="mima-12345\n")
    out = _run(db, "reset", "boss")
    assert out.returncode == 0 and "一次性密码" in out.stdout
    assert _users(db)["boss"].must_change_password
    assert _run(db, "reset", "nobody").returncode == 1
