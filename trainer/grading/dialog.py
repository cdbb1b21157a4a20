"""Dialog simulations: each buyer turn is a reply graded by its rubric; the buyer's next line
depends on how the last reply scored (``next_pass`` / ``next_fail``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from trainer.catalog.models import Dialog
from trainer.grading.reply import grade_reply
from trainer.grading.result import CriterionResult, Grade


def grade_dialog_turn(
    dialog: Dialog, turn_id: str, text: str, *, lesson_titles: Mapping[str, str] | None = None
) -> tuple[Grade, str]:
    """Grade one turn; returns the grade and the next turn id ('' when the dialog ends)."""
    turn = dialog.turn(turn_id)
    g = grade_reply(
        turn.rubric,
        text,
        question_id=dialog.id,
        question_type="dialog",
        lessons=tuple(dialog.lessons),
        lesson_titles=lesson_titles,
    )
    nxt = turn.next_pass if g.passed else turn.next_fail
    return g, nxt


def grade_dialog(
    dialog: Dialog, replies: Sequence[str], *, lesson_titles: Mapping[str, str] | None = None
) -> Grade:
    """Walk the dialog with ``replies`` (one per buyer turn, in order).  Score = sum over the
    turns taken, max = sum of their max; passed = every turn taken passed and the dialog
    reached its end."""
    turn_id = dialog.turns[0].id
    criteria: list[CriterionResult] = []
    violations = []
    path: list[str] = []
    turns: list[dict] = []
    score = max_score = 0.0
    for text in replies:
        if not turn_id:
            break
        g, nxt = grade_dialog_turn(dialog, turn_id, text, lesson_titles=lesson_titles)
        path.append(turn_id)
        turns.append(g.to_dict())
        score += g.score
        max_score += g.max_score
        violations += list(g.violations)
        buyer = dialog.turn(turn_id).buyer
        criteria.append(
            CriterionResult(
                id=turn_id,
                label=f"第{len(path)}轮：{buyer[:20]}",
                kind="turn",
                points=g.score,
                max_points=g.max_score,
                met=g.passed,
                message=g.feedback.splitlines()[0] if g.feedback else "",
            )
        )
        turn_id = nxt
    finished = not turn_id
    passed = bool(path) and finished and all(c.met for c in criteria)
    if not path:
        feedback = "还没有回复任何一轮。"
    elif not finished:
        feedback = f"对话还没结束：已回复 {len(path)} 轮。"
    else:
        ok = sum(c.met for c in criteria)
        feedback = f"对话结束：{ok}/{len(path)} 轮回复合格，得分 {score:g}/{max_score:g}。"
        if violations:
            feedback += "\n" + "\n".join(f"· {v.message}" for v in violations)
    return Grade(
        question_id=dialog.id,
        question_type="dialog",
        score=round(score, 2),
        max_score=max_score,
        passed=passed,
        criteria=tuple(criteria),
        violations=tuple(violations),
        feedback=feedback,
        lessons=tuple(dialog.lessons),
        extra={"path": path, "turns": turns, "finished": finished},
    )
