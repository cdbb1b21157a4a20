"""Pydantic models of the training content: modules, lessons, questions, rubrics, paths.

These models are the contract between the content files (``content/*.yaml``,
``quizzes/*.yaml``) and the rest of the program.  Every model forbids unknown fields, so a
mistyped field name is reported with its file and line by :mod:`trainer.catalog.loader`.

Pure: no streamlit, no sqlalchemy.

Reply rubric semantics (see :mod:`trainer.grading.reply` for the engine)
-----------------------------------------------------------------------
Patterns are Python regular expressions matched against the *normalised* reply: NFKC
(full-width → half-width), lower case, white space removed, Chinese punctuation mapped to
ASCII (``，``→``,`` ``。``→``.`` ``！``→``!`` ``？``→``?`` ``；``→``;`` ``：``→``:``), and the
variants 你/您/妳 folded to ``你``.  Write patterns in that normalised form (the loader
applies the same 您→你 folding to patterns, so ``您`` in a pattern also works).  In a pattern,
``.`` never crosses a clause break (``,.!?;:~`` or a new line): ``发票.{0,8}邮费`` stays inside
one clause.  Use ``[.]`` for a literal dot, and an explicit class such as ``[^.!?]{0,10}``
for a gap that may cross a comma but not a sentence end (``先撤诉,才能帮你催``).  A space the
trainee types between words is a pause and normalises to ``,``.

* ``concepts``: things a good reply says.  A concept is met when any pattern matches in a
  clause that is **not negated** (``negatable: true``, the default).  A clause is the text
  between punctuation marks; it is negated when a negator (不/没/无法/不能/别/未/拒绝 …)
  stands before the match inside that clause, and a double negation (不是不能) is positive.
  ``required: true`` concepts must all be met for the reply to pass.
* ``forbidden``: 禁忌用语.  Each match costs ``penalty`` points (once per entry).
* ``violations``: platform-rule breaches.  ``patterns`` match affirmatively (not negated);
  ``negated_patterns`` match when said **negatively** (``不能开发票`` → refusing the invoice).
  Any violation fails the reply outright (score 0) and names ``rule`` and ``penalty``.
  ``negatable: false`` makes ``patterns`` fire whatever negation surrounds them (insults).
* Negation: A-not-A questions (是不是, 能不能), 对不起 and described states (没穿过, 未发货) are
  not negations; a negation that ends the clause after the phrase counts (好评就不用给了);
  each top-level branch of a pattern (``a|b``) is judged on its own, so keep branches that
  spell a negator (``开不了``) apart from those that do not.
* ``structure``: points for greeting / apology / closing, detected by built-in phrase lists.
* ``length``: min/max characters of the normalised reply; outside it the reply cannot pass.
* Pass: no violation, every required concept met, length within bounds, and
  ``score >= pass_ratio * max_score``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

ID_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
Id = Annotated[str, Field(pattern=ID_PATTERN, max_length=80)]
Platform = Literal["tmall", "taobao", "jd", "通用"]
PLATFORM_LABELS: dict[str, str] = {"tmall": "天猫", "taobao": "淘宝", "jd": "京东", "通用": "通用"}
#: content a shop of each platform is drilled on (besides 通用): a Tmall shop runs on Taobao's
#: platform and follows its processes too; a Taobao shop is not drilled on Tmall-only rules;
#: JD and the Alibaba platforms never mix
PLATFORM_FAMILY: dict[str, frozenset[str]] = {
    "tmall": frozenset({"tmall", "taobao"}),
    "taobao": frozenset({"taobao"}),
    "jd": frozenset({"jd"}),
}
Unit = Literal["分", "小时", "天", "个月", "%", "元", "倍", "次", "件", "笔", "步"]

SEED_FILES = (
    "000_68c124b382987b75.txt",
    "001_540189ff733ad69c.txt",
    "002_d115cf107b3f903b.txt",
    "003_6d4630f156293301.txt",
    "004_7ad7c18341c5f541.txt",
)
#: the seed documents' titles, shown next to a citation
SEED_TITLES: dict[str, str] = {
    "000_68c124b382987b75.txt": "天猫淘宝客服必备售前售后技巧技能话术（2024-10-08）",
    "001_540189ff733ad69c.txt": "天猫投诉违规问题客服培训手册·投诉处理手册",
    "002_d115cf107b3f903b.txt": "淘宝发货流程及售后服务",
    "003_6d4630f156293301.txt": "大促过后商家如何解决和避免售后问题",
    "004_7ad7c18341c5f541.txt": "618客服专题：大促售前售后突出性问题与解决方案（京东）",
}
SeedFile = Literal[
    "000_68c124b382987b75.txt",
    "001_540189ff733ad69c.txt",
    "002_d115cf107b3f903b.txt",
    "003_6d4630f156293301.txt",
    "004_7ad7c18341c5f541.txt",
]

PRONOUN_FOLD = str.maketrans({"您": "你", "妳": "你"})


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def _as_tuple(value: object) -> object:
    if isinstance(value, (str, int)):
        return (value,)
    return value


#: what ``.`` means in a rubric pattern: any character except a clause break
CLAUSE_DOT = r"(?:[^,.!?;:~\n]|(?<=\d)\.(?=\d))"  # a decimal point (0.8%) is no break


def clause_local(pattern: str) -> str:
    """Rewrite every unescaped ``.`` outside a character class as :data:`CLAUSE_DOT`, so a
    gap such as ``发票.{0,8}邮费`` stays inside one clause and never runs across a comma."""
    out: list[str] = []
    in_class = escaped = False
    for ch in pattern:
        if escaped:
            out.append(ch)
            escaped = False
        elif ch == "\\":
            out.append(ch)
            escaped = True
        elif in_class:
            out.append(ch)
            in_class = ch != "]"
        elif ch == "[":
            out.append(ch)
            in_class = True
        elif ch == ".":
            out.append(CLAUSE_DOT)
        else:
            out.append(ch)
    return "".join(out)


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """Compile a rubric pattern the way the grader uses it: pronouns folded, case-insensitive,
    and ``.`` confined to one clause (see :func:`clause_local`)."""
    return re.compile(clause_local(pattern.translate(PRONOUN_FOLD)), re.IGNORECASE)


def _check_patterns(patterns: tuple[str, ...]) -> tuple[str, ...]:
    problems = []
    for p in patterns:
        try:
            compiled = compile_pattern(p)
        except re.error as exc:
            problems.append(f"正则表达式 {p!r} 无法编译：{exc}")
            continue
        if compiled.search(""):
            problems.append(f"正则表达式 {p!r} 能匹配空字符串，会让任何回复都命中")
    if problems:
        raise ValueError("；".join(problems))
    return patterns


Patterns = Annotated[tuple[str, ...], Field(min_length=1), AfterValidator(_check_patterns)]
OptionalPatterns = Annotated[tuple[str, ...], AfterValidator(_check_patterns)]


# ---------------------------------------------------------------- lessons


class Script(Strict):
    """A recommended reply script (推荐话术) with the situation it is for."""

    situation: str = Field(min_length=1)
    text: str = Field(min_length=1)


class Taboo(Strict):
    """A forbidden phrase (禁忌用语) and what to say instead."""

    phrase: str = Field(min_length=1)
    why: str = ""
    instead: str = ""


class Lesson(Strict):
    id: Id
    title: str = Field(min_length=1)
    platform: Annotated[tuple[Platform, ...], BeforeValidator(_as_tuple)] = Field(min_length=1)
    source: Annotated[tuple[SeedFile, ...], BeforeValidator(_as_tuple)] = Field(min_length=1)
    version: int = Field(default=1, ge=1)
    effective: dt.date
    summary: str = ""
    body: str = Field(min_length=1)
    key_points: tuple[str, ...] = Field(min_length=1)
    scripts: tuple[Script, ...] = ()
    taboos: tuple[Taboo, ...] = ()
    changelog: str = ""


class Module(Strict):
    id: Id
    title: str = Field(min_length=1)
    order: int = Field(ge=0)
    description: str = ""


class ModuleFile(Strict):
    """Shape of one ``content/<module>.yaml`` file."""

    module: Module
    lessons: tuple[Lesson, ...] = Field(min_length=1)


# ---------------------------------------------------------------- rubric


class Concept(Strict):
    id: Id
    label: str = Field(min_length=1)
    points: float = Field(gt=0)
    patterns: Patterns
    required: bool = False
    negatable: bool = True
    hint: str = ""  # shown when missing: what the reply should have said


class Forbidden(Strict):
    id: Id
    label: str = Field(min_length=1)
    patterns: Patterns
    penalty: float = Field(gt=0)
    why: str = ""


class RuleViolation(Strict):
    id: Id
    label: str = Field(min_length=1)
    rule: str = Field(min_length=1)  # the rule broken, e.g. 天猫规则·发票
    penalty: str = Field(min_length=1)  # what the shop gets, e.g. 违规扣6分
    patterns: OptionalPatterns = ()
    negated_patterns: OptionalPatterns = ()
    #: False: ``patterns`` fire even when said negatively (an insult is rude in any form:
    #: 你别乱说话, 能不能别带TM)
    negatable: bool = True
    #: True for the shared safety-net violations (``quizzes/shared-violations.yaml``): checked
    #: only when none of the rubric's own violations fired
    fallback: bool = False

    @model_validator(mode="after")
    def _some_pattern(self) -> RuleViolation:
        if not self.patterns and not self.negated_patterns:
            raise ValueError("violation 至少需要 patterns 或 negated_patterns 之一")
        return self


class Structure(Strict):
    greeting: float = Field(default=0, ge=0)
    apology: float = Field(default=0, ge=0)
    closing: float = Field(default=0, ge=0)


class Length(Strict):
    min: int = Field(default=4, ge=0)
    max: int = Field(default=600, ge=1)

    @model_validator(mode="after")
    def _ordered(self) -> Length:
        if self.min > self.max:
            raise ValueError(f"length.min ({self.min}) 大于 length.max ({self.max})")
        return self


class Rubric(Strict):
    concepts: tuple[Concept, ...] = Field(min_length=1)
    forbidden: tuple[Forbidden, ...] = ()
    violations: tuple[RuleViolation, ...] = ()
    structure: Structure = Structure()
    length: Length = Length()
    pass_ratio: float = Field(default=0.6, gt=0, le=1)
    skip_shared: tuple[Id, ...] = ()  # shared violations that do not apply to this scenario

    @model_validator(mode="after")
    def _unique_ids(self) -> Rubric:
        ids = [c.id for c in self.concepts] + [f.id for f in self.forbidden]
        ids += [v.id for v in self.violations]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"评分细则中的 id 重复：{', '.join(dup)}")
        return self

    @property
    def max_score(self) -> float:
        s = self.structure
        return sum(c.points for c in self.concepts) + s.greeting + s.apology + s.closing


# ---------------------------------------------------------------- questions


class QuestionBase(Strict):
    id: Id
    lessons: Annotated[tuple[Id, ...], BeforeValidator(_as_tuple)] = Field(min_length=1)
    prompt: str = Field(min_length=1)
    explanation: str = Field(min_length=1)  # why, citing the rule
    source: Annotated[tuple[SeedFile, ...], BeforeValidator(_as_tuple)] = Field(min_length=1)
    platform: Annotated[tuple[Platform, ...], BeforeValidator(_as_tuple)] = ("通用",)
    difficulty: Literal[1, 2, 3] = 2
    tags: tuple[str, ...] = ()


QuestionType = Literal[
    "single", "multiple", "true_false", "numeric", "ordering", "matching", "reply", "dialog"
]
OptionKey = Annotated[str, Field(pattern=r"^[A-H]$")]


class _WithOptions(QuestionBase):
    options: dict[OptionKey, str] = Field(min_length=2)


class SingleChoice(_WithOptions):
    type: Literal["single"]
    answer: OptionKey

    @model_validator(mode="after")
    def _answer_in_options(self) -> SingleChoice:
        if self.answer not in self.options:
            raise ValueError(f"answer {self.answer!r} 不在选项 {sorted(self.options)} 中")
        return self


class MultipleChoice(_WithOptions):
    type: Literal["multiple"]
    answer: tuple[OptionKey, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _answer_in_options(self) -> MultipleChoice:
        missing = [a for a in self.answer if a not in self.options]
        if missing:
            raise ValueError(f"answer {missing} 不在选项 {sorted(self.options)} 中")
        if len(set(self.answer)) != len(self.answer):
            raise ValueError("answer 中有重复的选项")
        return self


class TrueFalse(QuestionBase):
    type: Literal["true_false"]
    answer: bool


class Numeric(QuestionBase):
    type: Literal["numeric"]
    answer: float
    unit: Unit
    tolerance: float = Field(default=0, ge=0)


class Ordering(QuestionBase):
    type: Literal["ordering"]
    steps: tuple[str, ...] = Field(min_length=3)  # in the correct order

    @field_validator("steps")
    @classmethod
    def _distinct(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        dup = sorted({s for s in v if v.count(s) > 1})
        if dup:
            raise ValueError(f"步骤重复：{'、'.join(dup)}")
        return v


class Pair(Strict):
    left: str = Field(min_length=1)
    right: str = Field(min_length=1)


class Matching(QuestionBase):
    type: Literal["matching"]
    pairs: tuple[Pair, ...] = Field(min_length=2)

    @field_validator("pairs")
    @classmethod
    def _distinct(cls, v: tuple[Pair, ...]) -> tuple[Pair, ...]:
        lefts = [p.left for p in v]
        dup = sorted({s for s in lefts if lefts.count(s) > 1})
        if dup:
            raise ValueError(f"左侧项重复：{'、'.join(dup)}")
        return v


class Reply(QuestionBase):
    """The trainee types a reply to a buyer; scored by ``rubric``."""

    type: Literal["reply"]
    prompt: str = "请以客服身份回复买家。"
    scenario: str = ""  # context shown above the buyer's message (order state, shop, …)
    buyer: str = Field(min_length=1)  # the buyer's message
    model_answer: str = Field(min_length=1)
    rubric: Rubric


class DialogTurn(Strict):
    """One buyer turn of a dialog.  After the trainee's reply is graded, the dialog moves to
    ``next_pass`` or ``next_fail`` (a turn id); an empty value ends the dialog."""

    id: Id
    buyer: str = Field(min_length=1)
    model_answer: str = Field(min_length=1)
    rubric: Rubric
    next_pass: str = ""
    next_fail: str = ""


class Dialog(QuestionBase):
    """Several buyer turns; the first turn is ``turns[0]``."""

    type: Literal["dialog"]
    prompt: str = "请以客服身份逐轮回复买家。"
    scenario: str = ""
    turns: tuple[DialogTurn, ...] = Field(min_length=3)

    @model_validator(mode="after")
    def _graph(self) -> Dialog:
        ids = [t.id for t in self.turns]
        problems = [f"轮次 id 重复：{i}" for i in sorted({i for i in ids if ids.count(i) > 1})]
        for t in self.turns:
            for field in ("next_pass", "next_fail"):
                target = getattr(t, field)
                if target and target not in ids:
                    problems.append(f"轮次 {t.id} 的 {field} 指向不存在的轮次 {target!r}")
        if not problems:
            by_id = {t.id: t for t in self.turns}

            # every path is acyclic and at least 3 turns long
            def walk(tid: str, seen: tuple[str, ...]) -> None:
                if tid in seen:
                    problems.append(f"对话出现循环：{' → '.join((*seen, tid))}")
                    return
                t = by_id[tid]
                nxt = [n for n in (t.next_pass, t.next_fail) if n]
                ends = not t.next_pass or not t.next_fail  # some outcome ends the dialog here
                if ends and len(seen) + 1 < 3:
                    problems.append(f"路径 {' → '.join((*seen, tid))} 少于 3 轮买家发言")
                for n in dict.fromkeys(nxt):
                    walk(n, (*seen, tid))

            walk(self.turns[0].id, ())
        if problems:
            raise ValueError("；".join(dict.fromkeys(problems)))
        return self

    def turn(self, turn_id: str) -> DialogTurn:
        return next(t for t in self.turns if t.id == turn_id)


Question = Annotated[
    SingleChoice | MultipleChoice | TrueFalse | Numeric | Ordering | Matching | Reply | Dialog,
    Field(discriminator="type"),
]
QUESTION_TYPES: dict[str, str] = {
    "single": "单选题",
    "multiple": "多选题",
    "true_false": "判断题",
    "numeric": "数值题",
    "ordering": "排序题",
    "matching": "连线题",
    "reply": "情景回复",
    "dialog": "对话模拟",
}


class SharedViolation(Strict):
    """A platform rule every reply scenario of ``platforms`` can break (an insult, moving the
    payment off Alipay …).  The loader adds it to every reply and dialog rubric whose question
    is for one of ``platforms`` (``通用`` questions: entries listing 通用), unless the rubric
    lists it in ``skip_shared``; it is checked only when none of the rubric's own violations
    fired (a rubric's own violation of the same id is checked first)."""

    platforms: Annotated[tuple[Platform, ...], BeforeValidator(_as_tuple)] = Field(min_length=1)
    violation: RuleViolation


class SharedViolationsFile(Strict):
    """Shape of ``quizzes/shared-violations.yaml``."""

    shared_violations: tuple[SharedViolation, ...] = Field(min_length=1)


class QuizFile(Strict):
    """Shape of one ``quizzes/<bank>.yaml`` file (questions are validated one by one)."""

    questions: tuple[dict, ...] = Field(min_length=1)


# ---------------------------------------------------------------- paths and exams


class BlueprintItem(Strict):
    module: Id
    count: int = Field(ge=1)
    types: Annotated[tuple[QuestionType, ...], BeforeValidator(_as_tuple)] = ()  # empty = any type


class Exam(Strict):
    id: Id
    title: str = Field(min_length=1)
    pass_ratio: float = Field(gt=0, le=1)
    time_limit_minutes: int = Field(ge=1)
    valid_days: int = Field(ge=1)  # certificate validity
    blueprint: tuple[BlueprintItem, ...] = Field(min_length=1)


class PathStep(Strict):
    module: Id
    practice_pass_ratio: float = Field(default=0.6, gt=0, le=1)


class LearningPath(Strict):
    """An onboarding path.  ``platforms`` lists the shops it is for (empty: every shop); a
    trainee follows the first path of the file that is for their shop's platform."""

    id: Id
    title: str = Field(min_length=1)
    description: str = ""
    platforms: Annotated[tuple[Platform, ...], BeforeValidator(_as_tuple)] = ()
    steps: tuple[PathStep, ...] = Field(min_length=1)
    exam: Id


class Refresher(Strict):
    id: Id
    title: str = Field(min_length=1)
    modules: Annotated[tuple[Id, ...], BeforeValidator(_as_tuple)] = Field(min_length=1)
    count: int = Field(default=10, ge=1)


class PathsFile(Strict):
    """Shape of ``content/paths.yaml``."""

    paths: tuple[LearningPath, ...] = Field(min_length=1)
    exams: tuple[Exam, ...] = Field(min_length=1)
    refreshers: tuple[Refresher, ...] = ()
