"""Benchmark 1: reply grading throughput over the whole reply bank.

Every model answer and every graded sample reply of tests/fixtures/replies, each against its
rubric, timed on one thread: the figure is what one core does.  The figure the issue asks for is the median time per reply (see
:func:`bench_grading`).  The baseline is the least any grader pays per reply: Unicode
normalisation and lower-casing of the same texts.
"""

from __future__ import annotations

import gc
import statistics
import time
import unicodedata
from pathlib import Path

import yaml

from trainer.bench.harness import BenchResult, interleave
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


def _timer_overhead(clock) -> int:
    """The median cost of reading ``clock`` twice in a row (subtracted from each timing)."""
    samples = []
    for _ in range(20_000):
        a = clock()
        samples.append(clock() - a)
    return int(statistics.median(samples))


def bench_grading(rounds: int = 7, root: Path = ROOT) -> BenchResult:
    """The issue's figure: the **median time per reply** over the whole reply bank.  Each
    reply is timed on its own (``time.perf_counter_ns`` around the call, minus the clock's own
    cost) in every round; a reply's time is its median over the rounds, and the
    figure is the median over the replies.  The baseline is timed the same way.  The mean
    (total CPU / replies, what a batch costs) is printed beside it."""
    work = reply_workload(root)
    for rubric, text, qid in work:  # warm the per-rubric pattern cache
        grade_reply(rubric, text, question_id=qid)
    # as the app does once its catalog is loaded (trainer.ui.state): the long-lived catalog
    # and compiled rubrics leave the garbage collector's generations
    gc.collect()
    gc.freeze()
    # a cheap clock (vDSO, tens of ns) read around each reply; the CPU-time clocks are
    # system calls that cost more than the baseline's whole work and disturb what they time.
    # Wall time of this single thread: a reply's median over the rounds drops the rounds in
    # which the thread was preempted.
    clock = time.perf_counter_ns
    overhead = _timer_overhead(clock)

    def subject() -> list[int]:
        out = []
        for rubric, text, qid in work:
            a = clock()
            grade_reply(rubric, text, question_id=qid)
            out.append(clock() - a - overhead)
        return out

    def baseline() -> list[int]:
        # the floor any grader pays: Unicode-normalise and lower-case the same replies
        out = []
        for _, text, _ in work:
            a = clock()
            unicodedata.normalize("NFKC", text).lower()
            out.append(clock() - a - overhead)
        return out

    s_rounds, b_rounds = interleave(subject, baseline, rounds=rounds)
    per_reply = [statistics.median(times) for times in zip(*s_rounds, strict=True)]
    per_base = [statistics.median(times) for times in zip(*b_rounds, strict=True)]
    s = statistics.median(per_reply) / 1e9
    b = max(statistics.median(per_base), 1) / 1e9
    mean = statistics.mean(per_reply) / 1e9
    p90 = sorted(per_reply)[int(0.9 * len(per_reply))] / 1e9
    per_second = 1 / s
    return BenchResult(
        name="1. 回复评分（单核）",
        subject=f"评分 {len(work)} 条回复，每条单独计时的中位数",
        subject_value=s * 1e6,
        baseline="仅做 NFKC 归一化（同样逐条计时）",
        baseline_value=b * 1e6,
        unit="µs/条",
        ratio=s / b,
        target=f"中位数 ≥ {TARGET_PER_SECOND:,} 条/秒",
        ok=per_second >= TARGET_PER_SECOND,
        note=(
            f"中位数 {per_second:,.0f} 条/秒；平均 {mean * 1e6:.1f} µs（{1 / mean:,.0f} 条/秒），"
            f"P90 {p90 * 1e6:.1f} µs；计时开销 {overhead} ns 已扣除"
        ),
    )
