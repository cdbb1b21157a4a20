"""The command line is a thin, documented layer."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from trainer.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "tests" / "fixtures" / "example"


def _run(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "trainer", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
    )


def test_every_command_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    for name in sub.choices:
        assert re.search(rf"`{name}\b", readme), f"command {name} missing from README"


def test_readme_opens_with_the_two_commands() -> None:
    """The README's first code block is exactly the run command and the test command, and
    .ci/run calls that same test command."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```bash\n(.*?)```", readme, re.S)
    assert block is not None and readme.index("```") < readme.index("## ")
    commands = [line.split("#")[0].strip() for line in block.group(1).splitlines()]
    assert [c for c in commands if c] == ["make run", "make test"]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert ci.rstrip().splitlines()[-1] == "make test"


def test_validate_reports_errors_and_exits_nonzero(tmp_path) -> None:
    (tmp_path / "content").mkdir()
    (tmp_path / "quizzes").mkdir()
    (tmp_path / "content" / "01.yaml").write_text(
        "module:\n  id: x\n  titel: 错字\n", encoding="utf-8"
    )
    out = _run("validate", "--root", str(tmp_path))
    assert out.returncode == 1
    assert "content/01.yaml:3: module.titel — 未知字段" in out.stderr
    assert "Traceback" not in out.stderr


def test_grade_prints_json() -> None:
    out = _run("grade", "example-invoice-single", "--root", str(EXAMPLE), stdin="B\n")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["passed"] is True and data["score"] == data["max_score"]
    assert {"score", "max_score", "passed", "criteria", "violations", "feedback"} <= set(data)


def test_grade_reply_names_the_violation() -> None:
    out = _run(
        "grade",
        "example-invoice-reply",
        "--root",
        str(EXAMPLE),
        stdin="亲，特价商品是不能开发票的哦",
    )
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["passed"] is False
    assert [v["id"] for v in data["violations"]] == ["refuse-invoice"]
    assert "扣6分" in data["violations"][0]["penalty"]


def test_grade_bad_input_is_a_clear_error() -> None:
    out = _run("grade", "no-such-question", "--root", str(EXAMPLE), stdin="x")
    assert out.returncode == 2 and "找不到题目" in out.stderr
    out = _run("grade", "example-invoice-single", "--root", str(EXAMPLE), stdin="Z")
    assert out.returncode == 2 and "作答格式不对" in out.stderr
    assert "Traceback" not in out.stderr
