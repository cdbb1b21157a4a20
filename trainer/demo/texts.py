"""What simulated agents answer: right and plausible wrong answers to objective questions,
and real trainee-like replies for reply and dialog questions.

Replies come from the question's model answer, a weaker reply cut from it, and the graded
reply samples of ``tests/fixtures/replies/*.yaml`` (good ones in other words, mediocre ones,
rule-breaking ones).  Each text is put through the real grader once and filed by what the
grader said, so an agent who "writes a good reply" picks one the grader passes.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from trainer.catalog import Catalog
from trainer.catalog.loader import reply_rubrics
from trainer.grading import Grade, grade, grade_dialog_turn

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "replies"

GOOD, MEDIOCRE, BROKEN = "good", "mediocre", "broken"


def objective_answer(q: Any, right: bool, rng: random.Random) -> Any:
    """A response to an objective question in the form the grader takes (and the app
    stores): the key when ``right``, else a plausible mistake."""
    t = q.type
    if t == "single":
        if right:
            return q.answer
        return rng.choice([k for k in q.options if k != q.answer])
    if t == "multiple":
        keys = list(q.answer)
        if right:
            return keys
        others = [k for k in q.options if k not in keys]
        if others and (len(keys) == 1 or rng.random() < 0.5):
            return sorted([*keys, rng.choice(others)])  # one too many
        return sorted(rng.sample(keys, len(keys) - 1))  # one missed
    if t == "true_false":
        return q.answer if right else not q.answer
    if t == "numeric":
        if right:
            return float(q.answer)
        wrong = q.answer * rng.choice([0.5, 2, 1.5, 3]) + rng.choice([0, 1, -1])
        return float(round(wrong, 1) if wrong != q.answer else q.answer + 1)
    if t == "ordering":
        steps = list(q.steps)
        if not right:
            i = rng.randrange(len(steps) - 1)
            steps[i], steps[i + 1] = steps[i + 1], steps[i]
        return steps
    if t == "matching":
        pairs = {p.left: p.right for p in q.pairs}
        if not right and len(pairs) > 1:
            a, b = rng.sample(list(pairs), 2)
            pairs[a], pairs[b] = pairs[b], pairs[a]
        return pairs
    raise ValueError(f"not an objective question: {t}")


@dataclass
class ReplyPool:
    """Graded replies to one rubric (a reply question, or one turn of a dialog)."""

    texts: dict[str, list[tuple[str, Grade]]] = field(
        default_factory=lambda: {GOOD: [], MEDIOCRE: [], BROKEN: []}
    )

    def pick(self, quality: str, rng: random.Random) -> tuple[str, Grade]:
        """A reply of ``quality``, or the nearest quality there is."""
        order = {
            GOOD: (GOOD, MEDIOCRE, BROKEN),
            MEDIOCRE: (MEDIOCRE, GOOD, BROKEN),
            BROKEN: (BROKEN, MEDIOCRE, GOOD),
        }[quality]
        for q in order:
            if self.texts[q]:
                return rng.choice(self.texts[q])
        raise LookupError("empty reply pool")


def _weaker(model: str) -> str:
    """A reply that says less than the model answer: its first sentence or two clauses."""
    parts = [p for p in re.split(r"(?<=[，。！？～~,.!?])", model) if p.strip()]
    return "".join(parts[:2]) if len(parts) > 2 else (parts[0] if parts else model)


def _samples(fixtures: Path) -> dict[tuple[str, str], list[str]]:
    out: dict[tuple[str, str], list[str]] = {}
    if not fixtures.is_dir():
        return out
    for path in sorted(fixtures.glob("*.yaml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            if isinstance(item, dict) and item.get("question") and item.get("reply"):
                key = (str(item["question"]), str(item.get("turn") or ""))
                out.setdefault(key, []).append(str(item["reply"]))
    return out


def reply_pools(catalog: Catalog, fixtures: Path = FIXTURES) -> dict[tuple[str, str], ReplyPool]:
    """(question id, turn id or "") → its :class:`ReplyPool`, every text graded for real."""
    samples = _samples(fixtures)
    titles = {lid: les.title for lid, les in catalog.lessons.items()}
    pools: dict[tuple[str, str], ReplyPool] = {}
    for q in catalog.questions.values():
        if q.type not in ("reply", "dialog"):
            continue
        for turn_id, _rubric in reply_rubrics(q):
            model = q.turn(turn_id).model_answer if turn_id else q.model_answer
            pool = ReplyPool()
            for text in dict.fromkeys([model, _weaker(model), *samples.get((q.id, turn_id), [])]):
                if turn_id:
                    g, _ = grade_dialog_turn(q, turn_id, text, lesson_titles=titles)
                else:
                    g = grade(q, text, lesson_titles=titles)
                quality = BROKEN if g.violations else GOOD if g.passed else MEDIOCRE
                pool.texts[quality].append((text, g))
            pools[(q.id, turn_id)] = pool
    return pools


def reply_quality(accuracy: float, rng: random.Random) -> str:
    """What an agent of ``accuracy`` writes: good with that chance; otherwise mostly a
    mediocre reply, and a rule-breaking one more often the weaker the agent."""
    if rng.random() < accuracy:
        return GOOD
    return BROKEN if rng.random() < 0.25 + 0.35 * (1 - accuracy) else MEDIOCRE
