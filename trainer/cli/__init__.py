"""`python -m trainer …`: a thin command line over the Python API.

Every command is a function ``cmd_<name>(args) -> int`` registered in :data:`COMMANDS`; a
meta-test checks that each is listed in the README.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _catalog(root: Path):
    from trainer.catalog import load_catalog

    return load_catalog(root)


def cmd_validate(args: argparse.Namespace) -> int:
    """校验 content/ 与 quizzes/ 中的全部课程和题目。"""
    from trainer.catalog import check_catalog

    catalog, errors = check_catalog(args.root)
    for e in errors:
        print(e, file=sys.stderr)
    if errors:
        print(f"校验失败：共 {len(errors)} 处错误。", file=sys.stderr)
        return 1
    n_reply = sum(q.type == "reply" for q in catalog.questions.values())
    n_dialog = sum(q.type == "dialog" for q in catalog.questions.values())
    print(
        f"校验通过：{len(catalog.modules)} 个模块，{len(catalog.lessons)} 节课，"
        f"{len(catalog.questions)} 道题（情景回复 {n_reply}，对话模拟 {n_dialog}），"
        f"{len(catalog.paths)} 条学习路径，内容版本 {catalog.version}。"
    )
    return 0


def cmd_grade(args: argparse.Namespace) -> int:
    """从标准输入读取作答，按题目评分，输出 JSON。"""
    from trainer.catalog import CatalogError
    from trainer.grading import ResponseError, grade, parse_response

    try:
        catalog = _catalog(args.root)
    except CatalogError as exc:
        print(f"题库校验失败，无法评分：\n{exc}", file=sys.stderr)
        return 2
    question = catalog.questions.get(args.question_id)
    if question is None:
        print(f"找不到题目 {args.question_id!r}（用 validate 查看题库）。", file=sys.stderr)
        return 2
    raw = sys.stdin.read()
    try:
        response = parse_response(question, raw)
    except ResponseError as exc:
        print(f"作答格式不对：{exc}", file=sys.stderr)
        return 2
    titles = {lid: les.title for lid, les in catalog.lessons.items()}
    g = grade(question, response, lesson_titles=titles)
    keys = ("score", "max_score", "passed", "criteria", "violations", "feedback")
    out = {k: v for k, v in g.to_dict().items() if k in keys}
    out = {"question_id": g.question_id, **out, "lessons": list(g.lessons)}
    print(json.dumps(out, ensure_ascii=False, indent=2))
    return 0


def common_options() -> argparse.ArgumentParser:
    """Options every subcommand accepts (so `--root` may follow the subcommand)."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--root", type=Path, default=ROOT, help="内容根目录（含 content/ 与 quizzes/）"
    )
    return common


def _register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("validate", help=cmd_validate.__doc__, parents=[common_options()])
    p.set_defaults(func=cmd_validate)
    p = sub.add_parser("grade", help=cmd_grade.__doc__, parents=[common_options()])
    p.add_argument("question_id", help="题目 id")
    p.set_defaults(func=cmd_grade)
    from trainer.cli import extra  # users, demo, bench, export: registered as they land

    for register in extra.REGISTRARS:
        register(sub)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m trainer", description="客服训练营命令行工具")
    sub = parser.add_subparsers(dest="command", required=True)
    _register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
