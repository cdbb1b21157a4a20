"""Load and validate ``content/`` and ``quizzes/`` into a :class:`Catalog`.

Every problem is collected and reported at once as ``file:line: field — message`` (Chinese),
the way a content owner can act on it.  Pure: no streamlit, no sqlalchemy.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import TypeAdapter, ValidationError

from trainer.catalog.models import (
    PLATFORM_FAMILY,
    PLATFORM_LABELS,
    Dialog,
    Exam,
    LearningPath,
    Lesson,
    Module,
    ModuleFile,
    PathsFile,
    Question,
    QuizFile,
    Refresher,
    Reply,
    Rubric,
    SharedViolation,
    SharedViolationsFile,
)

PATHS_FILE = "paths.yaml"
SHARED_FILE = "shared-violations.yaml"  # in quizzes/: safety-net violations of every rubric
_QUESTION = TypeAdapter(Question)


@dataclass(frozen=True)
class ContentError:
    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return (
            f"{where}: {self.field} — {self.message}" if self.field else f"{where}: {self.message}"
        )


class CatalogError(Exception):
    """Raised by :func:`load_catalog` with every problem found."""

    def __init__(self, errors: list[ContentError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


@dataclass
class Catalog:
    modules: dict[str, Module] = field(default_factory=dict)  # in learning order
    lessons: dict[str, Lesson] = field(default_factory=dict)
    lesson_module: dict[str, str] = field(default_factory=dict)  # lesson id → module id
    questions: dict[str, Any] = field(default_factory=dict)  # id → Question model
    question_file: dict[str, str] = field(default_factory=dict)
    paths: dict[str, LearningPath] = field(default_factory=dict)
    exams: dict[str, Exam] = field(default_factory=dict)
    refreshers: dict[str, Refresher] = field(default_factory=dict)
    shared_violations: tuple[SharedViolation, ...] = ()
    version: str = ""  # hash of every content file: the content version stored with answers

    def module_lessons(self, module_id: str) -> list[Lesson]:
        return [les for lid, les in self.lessons.items() if self.lesson_module[lid] == module_id]

    def lesson_questions(self, lesson_id: str) -> list[Any]:
        return [q for q in self.questions.values() if lesson_id in q.lessons]

    def question_module(self, question_id: str) -> str:
        return self.lesson_module[self.questions[question_id].lessons[0]]

    def module_questions(self, module_id: str) -> list[Any]:
        return [q for qid, q in self.questions.items() if self.question_module(qid) == module_id]

    def question_rule_version(self, question_id: str) -> int:
        """The highest rule version among the question's lessons."""
        return max(self.lessons[lid].version for lid in self.questions[question_id].lessons)

    def for_platform(self, platform: str | None) -> list[Any]:
        """Questions a shop of ``platform`` is drilled on (通用 questions always; see
        :data:`trainer.catalog.models.PLATFORM_FAMILY`)."""
        if not platform:
            return list(self.questions.values())
        family = PLATFORM_FAMILY.get(platform, frozenset({platform}))
        return [
            q
            for q in self.questions.values()
            if "通用" in q.platform or any(p in family for p in q.platform)
        ]


# ---------------------------------------------------------------- YAML with line numbers


class _LineMap:
    """Maps a path of keys/indexes inside one YAML document to its 1-based line."""

    def __init__(self, node: yaml.Node | None):
        self.lines: dict[tuple, int] = {}
        if node is not None:
            self.lines[()] = node.start_mark.line + 1
            self._walk(node, ())

    def _walk(self, node: yaml.Node, path: tuple) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                p = (*path, key.value)
                self.lines[p] = key.start_mark.line + 1
                self._walk(value, p)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                p = (*path, i)
                self.lines[p] = item.start_mark.line + 1
                self._walk(item, p)

    def line(self, path: Iterable[Any]) -> int:
        """Line of the deepest known prefix of ``path`` (unknown parts, such as a pydantic
        union tag, are skipped)."""
        best, cur = self.lines.get((), 0), ()
        for part in path:
            cand = (*cur, part)
            if cand in self.lines:
                cur = cand
                best = self.lines[cand]
        return best


def _read_yaml(path: Path, rel: str, errors: list[ContentError]) -> tuple[Any, _LineMap] | None:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        errors.append(ContentError(rel, 0, "", f"文件不是 UTF-8 编码：{exc}"))
        return None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 0
        problem = getattr(exc, "problem", None) or str(exc)
        errors.append(ContentError(rel, line, "", f"YAML 格式错误：{problem}"))
        return None
    return data, _LineMap(node)


_MESSAGES = {
    "missing": "缺少必填字段",
    "extra_forbidden": "未知字段（可能拼错了）",
    "string_too_short": "不能为空",
    "too_short": "至少需要 {min_length} 项",
    "literal_error": "取值无效，应为 {expected}",
    "union_tag_invalid": "题型 {tag} 无效，应为 {expected_tags}",
    "union_tag_not_found": "缺少 type 字段（题型）",
    "string_pattern_mismatch": "格式无效：只能用小写字母、数字、- 和 _",
    "date_from_datetime_parsing": "日期格式无效，应为 YYYY-MM-DD",
    "date_parsing": "日期格式无效，应为 YYYY-MM-DD",
    "date_type": "日期格式无效，应为 YYYY-MM-DD",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
    "string_type": "应为文字",
    "dict_type": "应为键值对（映射）",
    "tuple_type": "应为列表",
    "greater_than": "应大于 {gt}",
    "greater_than_equal": "应大于或等于 {ge}",
    "less_than_equal": "应小于或等于 {le}",
}


def _pydantic_errors(
    exc: ValidationError, rel: str, lines: _LineMap, prefix: tuple
) -> Iterator[ContentError]:
    for err in exc.errors():
        raw_loc = (*prefix, *err["loc"])
        loc = tuple(p for i, p in enumerate(raw_loc) if not _is_union_tag(p, raw_loc[:i], lines))
        if err["type"] in ("union_tag_invalid", "union_tag_not_found"):
            loc = (*loc, "type")
        elif err["type"] == "value_error":
            # a model-level check whose message starts with a field name points at that field
            first = str((err.get("ctx") or {}).get("error", "")).split(" ", 1)[0]
            if (*loc, first) in lines.lines:
                loc = (*loc, first)
        template = _MESSAGES.get(err["type"])
        ctx = err.get("ctx") or {}
        if err["type"] == "string_pattern_mismatch" and "A-H" in str(ctx.get("pattern")):
            msg = "选项键应为 A 到 H 之间的大写字母"
        elif err["type"] == "value_error":
            msg = str(ctx.get("error", err["msg"]))
        elif template:
            try:
                msg = template.format(**ctx)
            except (KeyError, IndexError):
                msg = template
        else:
            msg = err["msg"]
        shown = ".".join(str(p) for p in loc)
        yield ContentError(rel, lines.line(loc), shown, msg)


def _is_union_tag(part: Any, before: tuple, lines: _LineMap) -> bool:
    """Pydantic puts the union tag (the question type) into error locations; the YAML has no
    such key, so it is dropped from what the author sees."""
    return (
        isinstance(part, str)
        and (*before, part) not in lines.lines
        and part
        in (
            "single",
            "multiple",
            "true_false",
            "numeric",
            "ordering",
            "matching",
            "reply",
            "dialog",
            "function-after[_check_patterns(), tuple[str, ...]]",
        )
    )


# ---------------------------------------------------------------- loading


def load_catalog(root: Path | str = ".") -> Catalog:
    """Load ``root/content`` and ``root/quizzes``; raise :class:`CatalogError` listing every
    problem if anything is wrong."""
    catalog, errors = check_catalog(root)
    if errors:
        raise CatalogError(errors)
    return catalog


def check_catalog(root: Path | str = ".") -> tuple[Catalog, list[ContentError]]:
    """Load what is valid and return it with the list of problems (empty when all is well)."""
    root = Path(root)
    errors: list[ContentError] = []
    cat = Catalog()
    digest = hashlib.sha256()
    module_line: dict[str, tuple[str, int]] = {}
    lesson_where: dict[str, tuple[str, int]] = {}
    content_dir, quiz_dir = root / "content", root / "quizzes"
    for d in (content_dir, quiz_dir):
        if not d.is_dir():
            errors.append(ContentError(str(d.relative_to(root)), 0, "", "目录不存在"))

    paths_data = None
    broken_content = False  # a content file failed: lesson links can't be checked fully
    modules: list[Module] = []
    for path in sorted(content_dir.glob("*.yaml")) if content_dir.is_dir() else []:
        rel = path.relative_to(root).as_posix()
        digest.update(path.read_bytes())
        read = _read_yaml(path, rel, errors)
        if read is None:
            broken_content = True
            continue
        data, lines = read
        if path.name == PATHS_FILE:
            paths_data = (data, lines, rel)
            continue
        try:
            mf = ModuleFile.model_validate(data)
        except ValidationError as exc:
            errors.extend(_pydantic_errors(exc, rel, lines, ()))
            broken_content = True
            continue
        m = mf.module
        if m.id in module_line:
            f, ln = module_line[m.id]
            errors.append(
                ContentError(
                    rel,
                    lines.line(("module", "id")),
                    "module.id",
                    f"模块 id {m.id!r} 重复（已在 {f}:{ln} 定义）",
                )
            )
            continue
        module_line[m.id] = (rel, lines.line(("module", "id")))
        modules.append(m)
        for i, lesson in enumerate(mf.lessons):
            ln = lines.line(("lessons", i, "id"))
            if lesson.id in lesson_where:
                f, first = lesson_where[lesson.id]
                errors.append(
                    ContentError(
                        rel,
                        ln,
                        f"lessons.{i}.id",
                        f"课程 id {lesson.id!r} 重复（已在 {f}:{first} 定义）",
                    )
                )
                continue
            lesson_where[lesson.id] = (rel, ln)
            cat.lessons[lesson.id] = lesson
            cat.lesson_module[lesson.id] = m.id
    if content_dir.is_dir() and not modules and not errors:
        errors.append(ContentError("content", 0, "", "没有找到任何模块文件（content/*.yaml）"))
    for m in sorted(modules, key=lambda m: (m.order, m.id)):
        cat.modules[m.id] = m

    question_where: dict[str, tuple[str, int]] = {}
    shared: tuple[SharedViolation, ...] = ()
    for path in sorted(quiz_dir.glob("*.yaml")) if quiz_dir.is_dir() else []:
        rel = path.relative_to(root).as_posix()
        digest.update(path.read_bytes())
        read = _read_yaml(path, rel, errors)
        if read is None:
            continue
        data, lines = read
        if path.name == SHARED_FILE:
            try:
                shared = SharedViolationsFile.model_validate(data).shared_violations
            except ValidationError as exc:
                errors.extend(_pydantic_errors(exc, rel, lines, ()))
            continue
        try:
            QuizFile.model_validate(data)
        except ValidationError as exc:
            errors.extend(_pydantic_errors(exc, rel, lines, ()))
            continue
        for i, raw in enumerate(data["questions"]):
            try:
                q = _QUESTION.validate_python(raw)
            except ValidationError as exc:
                errors.extend(_pydantic_errors(exc, rel, lines, ("questions", i)))
                continue
            ln = lines.line(("questions", i, "id"))
            if q.id in question_where:
                f, first = question_where[q.id]
                errors.append(
                    ContentError(
                        rel,
                        ln,
                        f"questions.{i}.id",
                        f"题目 id {q.id!r} 重复（已在 {f}:{first} 定义）",
                    )
                )
                continue
            question_where[q.id] = (rel, ln)
            bad = [lid for lid in q.lessons if lid not in cat.lessons]
            if bad and broken_content:
                continue  # reported once below instead of once per question
            if bad:
                errors.append(
                    ContentError(
                        rel,
                        lines.line(("questions", i, "lessons")),
                        f"questions.{i}.lessons",
                        f"链接的课程不存在：{', '.join(bad)}",
                    )
                )
                continue
            cat.questions[q.id] = q
            cat.question_file[q.id] = rel

    if shared:
        cat.shared_violations = shared
        for qid, q in list(cat.questions.items()):
            cat.questions[qid] = with_shared_violations(q, shared)
    if broken_content:
        errors.append(
            ContentError("content", 0, "", "课程文件有错误，先改正上面的错误，再检查题目链接的课程")
        )
    if paths_data is not None:
        _load_paths(cat, *paths_data, errors)
    cat.version = digest.hexdigest()[:12]
    return cat, errors


def _load_paths(
    cat: Catalog, data: Any, lines: _LineMap, rel: str, errors: list[ContentError]
) -> None:
    try:
        pf = PathsFile.model_validate(data)
    except ValidationError as exc:
        errors.extend(_pydantic_errors(exc, rel, lines, ()))
        return

    def unknown_module(mid: str, loc: tuple) -> None:
        if mid not in cat.modules:
            errors.append(
                ContentError(rel, lines.line(loc), ".".join(map(str, loc)), f"模块 {mid!r} 不存在")
            )

    for i, exam in enumerate(pf.exams):
        for j, item in enumerate(exam.blueprint):
            loc = ("exams", i, "blueprint", j, "module")
            unknown_module(item.module, loc)
            if item.module in cat.modules:
                pool = [
                    q
                    for q in cat.module_questions(item.module)
                    if not item.types or q.type in item.types
                ]
                if len(pool) < item.count:
                    errors.append(
                        ContentError(
                            rel,
                            lines.line(loc[:-1]),
                            ".".join(map(str, loc[:-1])),
                            f"模块 {item.module} 中符合题型的题目只有 {len(pool)} 道，"
                            f"少于要求的 {item.count} 道",
                        )
                    )
        cat.exams[exam.id] = exam
    for i, p in enumerate(pf.paths):
        for j, step in enumerate(p.steps):
            unknown_module(step.module, ("paths", i, "steps", j, "module"))
        if p.exam not in cat.exams:
            errors.append(
                ContentError(
                    rel,
                    lines.line(("paths", i, "exam")),
                    f"paths.{i}.exam",
                    f"考试 {p.exam!r} 不存在",
                )
            )
        else:
            _check_exam_per_platform(cat, p, pf, lines, rel, errors)
        cat.paths[p.id] = p
    for i, r in enumerate(pf.refreshers):
        for j, mid in enumerate(r.modules):
            unknown_module(mid, ("refreshers", i, "modules", j))
        cat.refreshers[r.id] = r


def _check_exam_per_platform(
    cat: Catalog, path: Any, pf: Any, lines: _LineMap, rel: str, errors: list[ContentError]
) -> None:
    """Every blueprint line of a path's exam can be filled for every platform of the path
    without drawing another platform's questions."""
    i = next(n for n, e in enumerate(pf.exams) if e.id == path.exam)
    exam = pf.exams[i]
    for plat in path.platforms:
        family = PLATFORM_FAMILY.get(plat, frozenset({plat}))
        taken: set[str] = set()
        for j, item in enumerate(exam.blueprint):
            if item.module not in cat.modules:
                continue
            pool = [
                q.id
                for q in cat.module_questions(item.module)
                if (not item.types or q.type in item.types)
                and q.id not in taken
                and ("通用" in q.platform or any(x in family for x in q.platform))
            ]
            taken.update(pool[: item.count])
            if len(pool) < item.count:
                loc = ("exams", i, "blueprint", j)
                errors.append(
                    ContentError(
                        rel,
                        lines.line(loc),
                        ".".join(map(str, loc)),
                        f"路径 {path.id} 的{PLATFORM_LABELS[plat]}店铺：模块 {item.module} 中适合"
                        f"的题目只有 {len(pool)} 道，少于要求的 {item.count} 道",
                    )
                )


def _add_shared(rubric: Rubric, platforms: tuple[str, ...], shared) -> Rubric:
    # a rubric's own violation with the same id is checked first; the shared one (under the
    # same id) only catches what it missed
    extra = tuple(
        sv.violation.model_copy(update={"fallback": True})
        for sv in shared
        if sv.violation.id not in rubric.skip_shared and set(platforms) & set(sv.platforms)
    )
    return rubric.model_copy(update={"violations": rubric.violations + extra}) if extra else rubric


def with_shared_violations(question: Any, shared: tuple[SharedViolation, ...]) -> Any:
    """``question`` with the shared safety-net violations added to its rubric(s)."""
    if isinstance(question, Reply):
        rubric = _add_shared(question.rubric, question.platform, shared)
        return (
            question
            if rubric is question.rubric
            else question.model_copy(update={"rubric": rubric})
        )
    if isinstance(question, Dialog):
        turns = tuple(
            t.model_copy(update={"rubric": _add_shared(t.rubric, question.platform, shared)})
            for t in question.turns
        )
        return question.model_copy(update={"turns": turns})
    return question


def reply_rubrics(question: Any) -> list[tuple[str, Any]]:
    """(turn id or '', rubric) for a reply or dialog question; empty for other types."""
    if isinstance(question, Reply):
        return [("", question.rubric)]
    if isinstance(question, Dialog):
        return [(t.id, t.rubric) for t in question.turns]
    return []
