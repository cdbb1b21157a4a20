"""Onboarding path progress (入职培训) and what to do next."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from trainer.catalog import Catalog

NOT_STARTED, IN_PROGRESS, DONE = "未开始", "学习中", "已完成"


@dataclass(frozen=True)
class StepProgress:
    module_id: str
    title: str
    lessons_learned: int
    lessons_total: int
    practice_ratio: float | None  # best practice ratio over the module, None if never practised
    needed_ratio: float
    status: str


@dataclass(frozen=True)
class NextStep:
    kind: str  # lesson / practice / exam / done
    target: str  # lesson id, module id or exam id
    label: str  # Chinese, shown on the button


@dataclass(frozen=True)
class PathProgress:
    path_id: str
    steps: tuple[StepProgress, ...]
    percent: int
    next_step: NextStep


def path_progress(
    catalog: Catalog,
    path_id: str,
    *,
    learned: set[str],
    practice: Mapping[str, float],
    certified: bool,
) -> PathProgress:
    """``learned``: lesson ids marked as learned; ``practice``: module id → practice ratio
    (share of the module's practice answers that passed)."""
    path = catalog.paths[path_id]
    steps = []
    next_step: NextStep | None = None
    for step in path.steps:
        lessons = catalog.module_lessons(step.module)
        done_lessons = [les for les in lessons if les.id in learned]
        ratio = practice.get(step.module)
        practised = ratio is not None and ratio >= step.practice_pass_ratio
        if len(done_lessons) == len(lessons) and practised:
            status = DONE
        elif done_lessons or ratio is not None:
            status = IN_PROGRESS
        else:
            status = NOT_STARTED
        title = catalog.modules[step.module].title
        steps.append(
            StepProgress(
                step.module,
                title,
                len(done_lessons),
                len(lessons),
                ratio,
                step.practice_pass_ratio,
                status,
            )
        )
        if next_step is None and status != DONE:
            todo = [les for les in lessons if les.id not in learned]
            if todo:
                next_step = NextStep("lesson", todo[0].id, f"学习《{todo[0].title}》")
            else:
                next_step = NextStep("practice", step.module, f"练习「{title}」直到达标")
    if next_step is None:
        exam = catalog.exams[path.exam]
        next_step = (
            NextStep("done", path.exam, "已通过上岗认证")
            if certified
            else NextStep("exam", path.exam, f"参加{exam.title}考试")
        )
    units = sum(s.lessons_total + 1 for s in steps) + 1
    got = sum(s.lessons_learned + (s.status == DONE) for s in steps) + int(certified)
    return PathProgress(path_id, tuple(steps), round(100 * got / units), next_step)
