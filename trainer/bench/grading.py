"""Benchmark 1: reply grading throughput over the whole reply bank.

Every model answer and every graded sample reply of tests/fixtures/replies, each against its
rubric, timed in CPU seconds of this process (``time.process_time``): the figure is what one
core does, whatever else the machine runs.  The baseline is the least any grader pays per
reply: Unicode normalisation and lower-casing of the same texts.
"""

from __future__ import annotations

import gc
import time
import unicodedata
from pathlib import Path

import yaml

from trainer.bench.harness import BenchResult, alternate
from trainer.catalog import load_catalog
from trainer.catalog.loader import reply_rubrics
from trainer.grading import grade_reply

ROOT = Path(__file__).resolve().parents[2]
TARGET_PER_SECOND = 20_000


def reply_workload(root: Path = ROOT) -> list[tuple[object, str, str]]:
    """(rubric, text, question id) for every model answer and every fixture reply."""
    catalog = load_catalog(root)
    work: list[tuple[object, str, str]] = []
    for q in catalog.questions.values():
        for turn_id, rubric in reply_rubrics(q):
            answer = q.turn(turn_id).model_answer if turn_id else q.model_answer
            work.append((rubric, answer, q.id))
    for path in sorted((root / "tests" / "fixtures" / "replies").glob("*.yaml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            q = catalog.questions.get(item.get("question"))
            if q is None:
                continue
            rubrics = dict(reply_rubrics(q))
            rubric = rubrics.get(item.get("turn") or "")
            if rubric is not None:
                work.append((rubric, str(item.get("reply", "")), q.id))
    return work


def bench_grading(rounds: int = 7, root: Path = ROOT) -> BenchResult:
    work = reply_workload(root)
    for rubric, text, qid in work:  # warm the per-rubric pattern cache
        grade_reply(rubric, text, question_id=qid)
    # as the app does once its catalog is loaded (trainer.ui.state): the long-lived catalog
    # and compiled rubrics leave the garbage collector's generations
    gc.collect()
    gc.freeze()

    def subject() -> float:
        t0 = time.process_time()
        for rubric, text, qid in work:
            grade_reply(rubric, text, question_id=qid)
        return (time.process_time() - t0) / len(work)

    def baseline() -> float:
        # the floor any grader pays: Unicode-normalise and lower-case the same replies
        t0 = time.process_time()
        for _ in range(20):  # (repeated: too fast to time once)
            for _, text, _ in work:
                unicodedata.normalize("NFKC", text).lower()
        return (time.process_time() - t0) / len(work) / 20

    s, b, _, _ = alternate(subject, baseline, rounds=rounds)
    per_second = 1 / s
    return BenchResult(
        name="1. 回复评分（单核）",
        subject=f"评分 {len(work)} 条回复",
        subject_value=s * 1e6,
        baseline="仅做 NFKC 归一化",
        baseline_value=b * 1e6,
        unit="µs CPU/条",
        ratio=s / b,
        target=f"≥ {TARGET_PER_SECOND:,} 条/秒",
        ok=per_second >= TARGET_PER_SECOND,
        note=f"{per_second:,.0f} 条/秒",
    )
