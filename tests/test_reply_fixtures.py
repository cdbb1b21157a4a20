"""Every graded reply fixture (tests/fixtures/replies/*.yaml) agrees with the grader.

Each fixture is a realistic trainee reply with the expected verdict: good replies in other
words, bad ones, and tricky ones (right keywords but negated, or used to break a rule).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from trainer.catalog import load_catalog
from trainer.catalog.models import Dialog
from trainer.grading import grade_dialog_turn, grade_reply

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "replies"


def _cases() -> list:
    cases = []
    for path in sorted(FIXTURES.glob("*.yaml")):
        items = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        for i, item in enumerate(items):
            cid = f"{path.stem}:{item.get('question')}:{item.get('turn') or ''}:{i}"
            cases.append(pytest.param(path.stem, item, id=cid))
    return cases


CASES = _cases()


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(ROOT)


@pytest.mark.skipif(not CASES, reason="no reply fixtures yet (tests/fixtures/replies/ is empty)")
@pytest.mark.parametrize(("stem", "item"), CASES)
def test_fixture_agrees_with_grader(catalog, stem, item) -> None:
    qid = item.get("question")
    q = catalog.questions.get(qid)
    assert q is not None, f"{stem}: fixture names unknown question {qid!r}"
    reply = str(item["reply"])
    if isinstance(q, Dialog):
        turn = item.get("turn")
        assert turn in {t.id for t in q.turns}, f"{stem}: {qid} has no turn {turn!r}"
        g, _ = grade_dialog_turn(q, turn, reply)
    else:
        assert q.type == "reply", f"{stem}: {qid} is a {q.type} question, not reply/dialog"
        g = grade_reply(q.rubric, reply, question_id=q.id, lessons=tuple(q.lessons))
    found = sorted(v.id for v in g.violations)
    expected = sorted(item.get("violations") or [])
    detail = f"\nreply: {reply}\nfeedback:\n{g.feedback}"
    assert g.passed is bool(item["passed"]), f"expected passed={item['passed']}{detail}"
    assert found == expected, f"violations {found} != expected {expected}{detail}"
    for v in g.violations:
        assert v.rule and v.penalty, "every violation names its rule and penalty"
