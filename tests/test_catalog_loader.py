"""The loader reports every content error at once as file:line: field — message."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from trainer.catalog import CatalogError, check_catalog, load_catalog
from trainer.catalog.models import Dialog, Reply

EXAMPLE = Path(__file__).parent / "fixtures" / "example"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLE, tmp_path / "c")
    return tmp_path / "c"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text not found: {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


QUIZ = "quizzes/01-example.yaml"
CONTENT = "content/01-example.yaml"


def test_example_loads() -> None:
    cat = load_catalog(EXAMPLE)
    assert list(cat.modules) == ["example-rules"]
    assert set(cat.questions) == {
        "example-invoice-tf",
        "example-invoice-points",
        "example-invoice-single",
        "example-invoice-reply",
    }
    q = cat.questions["example-invoice-reply"]
    assert isinstance(q, Reply)
    assert q.platform == ("tmall", "taobao")
    assert cat.questions["example-invoice-points"].lessons == ("example-invoice",)
    assert cat.question_module("example-invoice-tf") == "example-rules"
    assert len(cat.version) == 12


# (file, old text, new text, expected line, expected field, expected message fragment)
CASES = [
    (QUIZ, "    unit: 分", "    unit: 分\n    colour: red", 17, "questions.1.colour", "未知字段"),
    (QUIZ, "    answer: 6\n", "", 10, "questions.1.answer", "缺少必填字段"),
    (QUIZ, "    answer: B", "    answer: D", 27, "questions.2.answer", "不在选项"),
    (
        QUIZ,
        "lessons: example-invoice\n    source: 000_68c124b382987b75.txt\n    platform: [tmall, taobao]\n    prompt: 特价",
        "lessons: no-such-lesson\n    source: 000_68c124b382987b75.txt\n    platform: [tmall, taobao]\n    prompt: 特价",
        4,
        "questions.0.lessons",
        "课程不存在：no-such-lesson",
    ),
    (
        QUIZ,
        'patterns: ["抬头", "公司名", "姓名"]',
        'patterns: ["抬头(", "公司名"]',
        49,
        "questions.3.rubric.concepts.1.patterns",
        "无法编译",
    ),
    (
        QUIZ,
        'patterns: ["稍等"]',
        'patterns: [".*"]',
        53,
        "questions.3.rubric.forbidden.0.patterns",
        "空字符串",
    ),
    (QUIZ, "    type: numeric", "    type: essay", 11, "questions.1.type", "题型 essay 无效"),
    (
        QUIZ,
        "id: example-invoice-single",
        "id: example-invoice-tf",
        18,
        "questions.2.id",
        "题目 id 'example-invoice-tf' 重复",
    ),
    (QUIZ, "    unit: 分", "    unit: 公斤", 16, "questions.1.unit", "取值无效"),
    (
        CONTENT,
        "    effective: 2024-10-08",
        "    effective: 十月",
        13,
        "lessons.0.effective",
        "日期",
    ),
    (
        CONTENT,
        "    platform: [tmall, taobao]",
        "    platform: [tmall, pdd]",
        10,
        "lessons.0.platform.1",
        "取值无效",
    ),
    (
        CONTENT,
        "    source: 000_68c124b382987b75.txt",
        "    source: 999.txt",
        11,
        "lessons.0.source.0",
        "取值无效",
    ),
    (
        CONTENT,
        "  - id: example-invoice",
        "  - id: Example Invoice",
        8,
        "lessons.0.id",
        "只能用小写字母",
    ),
    (QUIZ, "questions:\n", "questions:\n  - [unclosed\n", 3, "", "YAML 格式错误"),
]


@pytest.mark.parametrize(
    ("file", "old", "new", "line", "field", "fragment"), CASES, ids=[c[4] or c[5] for c in CASES]
)
def test_each_error_names_file_line_field(root, file, old, new, line, field, fragment) -> None:
    _edit(root / file, old, new)
    _, errors = check_catalog(root)
    assert errors, "expected an error"
    text = [str(e) for e in errors]
    hit = [e for e in errors if fragment in e.message]
    assert hit, f"no error mentions {fragment!r}: {text}"
    e = hit[0]
    assert e.file == file
    assert e.field == field
    assert e.line == line, text
    assert str(e).startswith(f"{file}:{line}: ")


def test_every_error_is_reported_at_once(root) -> None:
    _edit(root / QUIZ, "    answer: B", "    answer: D")
    _edit(root / QUIZ, "    unit: 分", "    unit: 分\n    colour: red")
    _edit(root / QUIZ, 'patterns: ["稍等"]', 'patterns: ["稍等("]')
    _edit(root / CONTENT, "    effective: 2024-10-08", "    effective: 昨天")
    with pytest.raises(CatalogError) as info:
        load_catalog(root)
    assert len(info.value.errors) >= 4
    assert "colour" in str(info.value) and "稍等(" in str(info.value)


def test_duplicate_lesson_across_files(root) -> None:
    (root / "content" / "02-copy.yaml").write_text(
        (root / CONTENT).read_text(encoding="utf-8").replace("id: example-rules", "id: other"),
        encoding="utf-8",
    )
    _, errors = check_catalog(root)
    assert any(
        "课程 id 'example-invoice' 重复" in e.message and e.file == "content/02-copy.yaml"
        for e in errors
    ), errors


def _dialog_yaml(second_next: str) -> str:
    turn = """
      - id: {id}
        buyer: 买家说话{id}
        model_answer: 亲，好的
        next_pass: {np}
        next_fail: {nf}
        rubric:
          concepts:
            - {{id: ok, label: 好, points: 10, patterns: ["好"]}}"""
    turns = "".join(
        [
            turn.format(id="t1", np="t2", nf="t2"),
            turn.format(id="t2", np=second_next, nf="t3"),
            turn.format(id="t3", np="''", nf="''"),
        ]
    )
    return (
        textwrap.dedent("""\
        questions:
          - id: d1
            type: dialog
            lessons: example-invoice
            source: 000_68c124b382987b75.txt
            explanation: 解释
            turns:""")
        + turns
        + "\n"
    )


def test_dialog_graph_is_checked(root) -> None:
    (root / "quizzes" / "02-dialog.yaml").write_text(_dialog_yaml("t3"), encoding="utf-8")
    cat, errors = check_catalog(root)
    assert not errors, errors
    assert isinstance(cat.questions["d1"], Dialog)
    (root / "quizzes" / "02-dialog.yaml").write_text(_dialog_yaml("t9"), encoding="utf-8")
    _, errors = check_catalog(root)
    assert any("t9" in e.message and e.file == "quizzes/02-dialog.yaml" for e in errors), errors
    (root / "quizzes" / "02-dialog.yaml").write_text(_dialog_yaml("t1"), encoding="utf-8")
    _, errors = check_catalog(root)
    assert any("循环" in e.message for e in errors), errors


ORDERING = """\
questions:
  - id: o1
    type: ordering
    lessons: example-invoice
    source: 000_68c124b382987b75.txt
    prompt: 排序
    explanation: 解释
    steps: [申请退货, 同意退货, 申请退货]
"""


def test_ordering_with_repeated_steps(root) -> None:
    (root / "quizzes" / "03-order.yaml").write_text(ORDERING, encoding="utf-8")
    _, errors = check_catalog(root)
    assert any("步骤重复：申请退货" in e.message and e.line == 8 for e in errors), errors


PATHS = """\
paths:
  - id: onboarding
    title: 入职培训
    steps:
      - module: example-rules
      - module: ghost-module
    exam: cert
exams:
  - id: cert
    title: 上岗认证
    pass_ratio: 0.8
    time_limit_minutes: 30
    valid_days: 365
    blueprint:
      - module: example-rules
        count: 9
"""


def test_paths_name_unknown_module_and_short_pool(root) -> None:
    (root / "content" / "paths.yaml").write_text(PATHS, encoding="utf-8")
    _, errors = check_catalog(root)
    msgs = [str(e) for e in errors]
    assert any(e.line == 6 and "ghost-module" in e.message for e in errors), msgs
    assert any(e.line == 15 and "少于要求的 9 道" in e.message for e in errors), msgs


def test_missing_directories(tmp_path) -> None:
    _, errors = check_catalog(tmp_path)
    assert {e.file for e in errors} == {"content", "quizzes"}


def test_exam_blueprint_must_be_fillable_for_each_platform_of_its_path(tmp_path) -> None:
    from trainer.catalog import check_catalog

    root = tmp_path / "c"
    shutil.copytree(Path(__file__).parent / "fixtures" / "journey", root)
    paths = root / "content" / "paths.yaml"
    text = paths.read_text(encoding="utf-8")
    paths.write_text(
        text.replace("    exam: certification", "    platforms: [jd]\n    exam: certification"),
        encoding="utf-8",
    )
    _, errors = check_catalog(root)
    msgs = [str(e) for e in errors]
    assert any("paths.yaml:" in m and "京东店铺" in m and "basics" in m for m in msgs), msgs
