"""`python -m trainer users …`: add a user (the first admin on a fresh install), import a CSV,
list users, reset a password.  There is no default password anywhere: ``users add`` asks for
one (or reads it from stdin with ``--password-stdin``)."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import sys
from pathlib import Path

from trainer.accounts import (
    PLATFORMS,
    ROLES,
    add_user,
    import_users_csv,
    needs_setup,
    reset_password,
)
from trainer.records.db import ensure_schema, make_engine, reading, transaction
from trainer.records.errors import RecordsError
from trainer.records.models import Team, User


def _engine():
    engine = make_engine()
    ensure_schema(engine)
    return engine


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("密码（至少 8 位）：")
    if getpass.getpass("再输一次：") != first:
        raise RecordsError("两次输入的密码不一致")
    return first


def cmd_users_add(args: argparse.Namespace) -> int:
    """添加用户（新装系统用它创建第一个管理员）。"""
    engine = _engine()
    try:
        with reading(engine) as s:
            fresh = needs_setup(session=s)
        if fresh and args.role != "admin":
            print("系统还没有管理员：第一个用户必须是管理员（--role admin）。", file=sys.stderr)
            return 2
        password = _password(args)
        with transaction(engine) as s:
            user = add_user(
                session=s,
                username=args.username,
                display_name=args.name or args.username,
                password=password,
                role=args.role,
                team=args.team,
                platform=args.platform,
                now=dt.datetime.now(dt.UTC),
                must_change_password=args.one_time,
            )
            print(f"已添加{ROLES[user.role]} {user.username}（{user.display_name}）。")
    except RecordsError as exc:
        print(f"添加失败：{exc}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    return 0


def cmd_users_import(args: argparse.Namespace) -> int:
    """从 CSV 导入用户（用户名,姓名,团队,角色,平台），打印一次性密码。"""
    try:
        text = Path(args.csv).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"读不了文件 {args.csv}：{exc}", file=sys.stderr)
        return 2
    engine = _engine()
    try:
        with transaction(engine) as s:
            report = import_users_csv(session=s, text=text, now=dt.datetime.now(dt.UTC))
            if report.errors:
                s.rollback()
    finally:
        engine.dispose()
    if report.errors:
        for e in report.errors:
            print(f"{args.csv}: {e}", file=sys.stderr)
        print(f"导入失败：{len(report.errors)} 处错误，一个用户也没有导入。", file=sys.stderr)
        return 1
    print("用户名,一次性密码")
    for username, pw in report.created:
        print(f"{username},{pw}")
    print(f"已导入 {len(report.created)} 位用户；首次登录需修改密码。", file=sys.stderr)
    return 0


def cmd_users_list(args: argparse.Namespace) -> int:
    """列出用户。"""
    engine = _engine()
    try:
        with reading(engine) as s:
            teams = {t.id: t.name for t in s.query(Team)}
            users = s.query(User).order_by(User.role, User.username).all()
    finally:
        engine.dispose()
    for u in users:
        team = teams.get(u.team_id, "—")
        plat = PLATFORMS.get(u.platform or "", "—")
        state = "" if u.active else "（已停用）"
        print(f"{u.username}\t{u.display_name}\t{ROLES[u.role]}\t{team}\t{plat}{state}")
    return 0


def cmd_users_reset(args: argparse.Namespace) -> int:
    """重置某用户的密码（打印一次性密码）。"""
    engine = _engine()
    try:
        with transaction(engine) as s:
            user = s.query(User).filter_by(username=args.username).one_or_none()
            if user is None:
                print(f"没有用户 {args.username}", file=sys.stderr)
                return 1
            admin = s.query(User).filter_by(role="admin").order_by(User.id).first()
            pw = reset_password(session=s, actor=admin, user_id=user.id)
    except RecordsError as exc:
        print(f"重置失败：{exc}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print(f"{args.username} 的一次性密码：{pw}（登录后需修改）")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    users = sub.add_parser("users", help="用户管理：add / import / list / reset")
    usub = users.add_subparsers(dest="users_command", required=True)
    p = usub.add_parser("add", help=cmd_users_add.__doc__)
    p.add_argument("username")
    p.add_argument("--name", help="姓名（默认同用户名）")
    p.add_argument("--role", choices=list(ROLES), default="trainee")
    p.add_argument("--team", help="团队名（不存在会自动创建）")
    p.add_argument("--platform", choices=list(PLATFORMS))
    p.add_argument("--password-stdin", action="store_true", help="从标准输入读密码")
    p.add_argument("--one-time", action="store_true", help="首次登录必须修改密码")
    p.set_defaults(func=cmd_users_add)
    p = usub.add_parser("import", help=cmd_users_import.__doc__)
    p.add_argument("csv", help="CSV 文件：用户名,姓名,团队,角色,平台")
    p.set_defaults(func=cmd_users_import)
    p = usub.add_parser("list", help=cmd_users_list.__doc__)
    p.set_defaults(func=cmd_users_list)
    p = usub.add_parser("reset", help=cmd_users_reset.__doc__)
    p.add_argument("username")
    p.set_defaults(func=cmd_users_reset)
