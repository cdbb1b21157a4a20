"""`python -m trainer demo`: fill a database with the demo organisation and print the logins."""

from __future__ import annotations

import argparse
import sys

from trainer.catalog import CatalogError


def cmd_demo(args: argparse.Namespace) -> int:
    """生成演示组织（3 个团队、约 60 名学员、6 个月的学习记录），打印登录账号。"""
    from trainer.catalog import load_catalog
    from trainer.demo import DemoRefused, build_demo, existing_users
    from trainer.records.db import database_url, ensure_schema, make_engine

    try:
        catalog = load_catalog(args.root)
    except CatalogError as exc:
        print(f"课程内容校验失败，无法生成演示数据：\n{exc}", file=sys.stderr)
        return 2
    url = database_url(args.db)
    engine = make_engine(url)
    try:
        ensure_schema(engine)
        try:
            if existing_users(engine) and args.force:
                print("--force：先清空数据库里的全部数据。", file=sys.stderr)
            elif not existing_users(engine):
                print(f"正在生成演示组织（种子 {args.seed}）…", file=sys.stderr)
            summary = build_demo(engine, catalog, seed=args.seed, force=args.force)
        except DemoRefused as exc:
            print(f"没有生成：{exc}", file=sys.stderr)
            return 1
    finally:
        engine.dispose()
    n = summary.counts
    print(f"演示组织已写入 {_safe(url)}（用时 {summary.seconds:.1f} 秒）：")
    print(
        f"  {n['团队']} 个团队，{n['主管']} 位主管，{n['学员']} 名学员；"
        f"{n['作答']:,} 条作答（情景回复 {n['情景回复作答']:,}，对话轮次 {n['对话模拟轮次']:,}，"
        f"违规回复 {n['违规回复']:,}），{n['已学课程']:,} 条课程学习记录"
    )
    certs = "，".join(
        f"{k.split('·')[1]} {v}" for k, v in sorted(n.items()) if k.startswith("认证·")
    )
    print(
        f"  认证：{certs}；有逾期复训的学员 {n['有逾期复训的学员']} 名；"
        f"分配任务 {n['分配任务']} 项；申诉 {n['申诉']} 条，主管复核 {n['复核记录']} 次"
    )
    print()
    print(f"登录账号（密码都是 {summary.password}）：")
    for role, username, name in summary.logins:
        print(f"  {username:<8} {name:<10}\t{role}")
    print()
    print("启动应用：make run（或 .venv/bin/streamlit run app.py），用上面的账号登录。")
    return 0


def _safe(url: str) -> str:
    """The URL without a password."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        return f"{scheme}://{creds.split(':', 1)[0]}@{host}"
    return url


def register(sub: argparse._SubParsersAction) -> None:
    from trainer.cli import common_options
    from trainer.demo import DEFAULT_SEED

    p = sub.add_parser("demo", help=cmd_demo.__doc__, parents=[common_options()])
    p.add_argument("--db", help="数据库 URL（默认：DATABASE_URL 或 progress/trainer.db）")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help="随机种子（同一种子同一组织）")
    p.add_argument(
        "--force", action="store_true", help="数据库里已有账号时也写入：先清空全部数据（慎用）"
    )
    p.set_defaults(func=cmd_demo)
