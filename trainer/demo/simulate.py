"""Six months in the life of one agent, simulated: sessions on working days, lessons in path
order, practice rounds chosen the way the app chooses them, accuracy that grows with practice
(fast, steady and slow learners, a few who stall), replies and dialogs graded by the real
grader, the certification exam once the path is done, FSRS refreshers once certified.

Pure: returns rows to insert (:class:`History`); the builder writes them.  Deterministic for
the random generator it is given.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from trainer.catalog import Catalog
from trainer.demo.people import Agent
from trainer.demo.texts import ReplyPool, objective_answer, reply_quality
from trainer.grading import Grade, grade
from trainer.learning import (
    ExamPaper,
    ReviewState,
    assemble_exam,
    certify,
    due_refreshers,
    path_for,
    practice_pool,
    practice_round,
    review,
    score_exam,
)

CHINA = dt.timedelta(hours=8)
HISTORY_DAYS = 182
EXAM_RETRY_DAYS = 3


@dataclass(frozen=True)
class RuleRaise:
    """A lesson's rule version raised by the admin at ``at`` (the demo's platform-rule change)."""

    lesson_id: str
    version: int
    at: dt.datetime
    note: str


@dataclass
class Content:
    """What every simulation reads: the catalog, the graded reply pools, lesson titles and
    (cached) practice pools."""

    catalog: Catalog
    replies: dict[tuple[str, str], ReplyPool]
    titles: dict[str, str] = field(default_factory=dict)
    _pools: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.titles = {lid: les.title for lid, les in self.catalog.lessons.items()}

    def pool(self, module: str, platform: str) -> tuple[str, ...]:
        key = (module, platform)
        if key not in self._pools:
            self._pools[key] = tuple(practice_pool(self.catalog, module, platform))
        return self._pools[key]


@dataclass
class History:
    """Rows for one agent.  Responses and certificates name their attempt by its index in
    ``attempts`` (``"attempt"``); the builder swaps in the database ids."""

    lessons: list[dict] = field(default_factory=list)
    attempts: list[dict] = field(default_factory=list)
    responses: list[dict] = field(default_factory=list)
    certifications: list[dict] = field(default_factory=list)
    logins: list[dict] = field(default_factory=list)
    cards: dict[str, ReviewState] = field(default_factory=dict)


class Simulation:
    """One agent's history; :meth:`run` fills :attr:`history`."""

    def __init__(
        self,
        agent: Agent,
        content: Content,
        *,
        now: dt.datetime,
        rng: random.Random,
        rule_raise: RuleRaise | None,
    ):
        self.agent = agent
        self.content = content
        self.catalog = content.catalog
        self.pools = content.replies
        self.now = now
        self.rng = rng
        self.rule_raise = rule_raise
        self.history = History()
        self.titles = content.titles
        self.path = path_for(self.catalog, agent.platform)
        self.learned: set[str] = set()
        self.latest: dict[str, tuple[bool, int]] = {}
        self.answers = 0
        self.cert_expires: dt.datetime | None = None
        self.last_exam_fail: dt.datetime | None = None
        self.seq = 0

    # ------------------------------------------------------------ the calendar

    def run(self) -> History:
        a = self.agent
        hired = self.now - dt.timedelta(days=a.hired_days_ago)
        start = max(hired, self.now - dt.timedelta(days=HISTORY_DAYS))
        if a.veteran:
            self._veteran_past(hired)
        day = _china_midnight(start)
        while True:
            day += dt.timedelta(days=1)
            if day >= self.now:
                break
            if a.profile.stop_after and (day - hired).days > a.profile.stop_after:
                break  # stalled: no activity any more
            weekday = (day + CHINA).weekday()
            chance = a.profile.active * (0.3 if weekday == 6 else 1.0)
            if self.rng.random() > chance:
                continue
            t = day + dt.timedelta(hours=self.rng.randint(9, 20), minutes=self.rng.randint(0, 59))
            if t >= self.now - dt.timedelta(hours=1):
                break
            self._session(t)
        return self.history

    def _veteran_past(self, hired: dt.datetime) -> None:
        """A veteran learned everything long ago and holds a certificate from before the six
        months (no answers kept from then); they come with experience."""
        a = self.agent
        for i, lesson_id in enumerate(self._path_lessons()):
            self._learn(lesson_id, hired + dt.timedelta(days=3 + i // 3, hours=2))
        issued = self.now - dt.timedelta(days=a.cert_days_ago or 300)
        exam = self.catalog.exams[self.path.exam]
        seed = self.rng.randrange(2**31)
        paper = assemble_exam(self.catalog, exam.id, seed=seed, platform=a.platform)
        ratio = round(self.rng.uniform(0.82, 0.96), 4)
        idx = self._attempt(
            "exam",
            exam.id,
            issued - dt.timedelta(minutes=35),
            question_ids=list(paper.question_ids),
            paper=paper.to_dict(),
            seed=seed,
            deadline=issued
            - dt.timedelta(minutes=35)
            + dt.timedelta(minutes=exam.time_limit_minutes),
            finished=issued,
            score=ratio,
            passed=True,
        )
        modules = {b.module for b in exam.blueprint}
        self.history.certifications.append(
            {
                "exam_id": exam.id,
                "ratio": ratio,
                "issued_at": issued,
                "expires_at": issued + dt.timedelta(days=exam.valid_days),
                "rule_versions": {
                    lid: les.version
                    for lid, les in self.catalog.lessons.items()
                    if self.catalog.lesson_module[lid] in modules
                },
                "attempt": idx,
            }
        )
        self.cert_expires = issued + dt.timedelta(days=exam.valid_days)
        self.answers = self.rng.randint(250, 400)

    # ------------------------------------------------------------ one session

    def _session(self, t: dt.datetime) -> None:
        rng = self.rng
        self._login(t)
        t += dt.timedelta(minutes=1)
        certified = self.cert_expires is not None
        if not certified:
            step = self._current_step()
            if step is not None:
                todo = [
                    les.id
                    for les in self.catalog.module_lessons(step.module)
                    if les.id not in self.learned
                ]
                for lesson_id in todo[: rng.randint(1, 3)]:
                    self._learn(lesson_id, t)
                    t += dt.timedelta(minutes=rng.randint(6, 15))
                t = self._practice(step.module, t, size=rng.randint(6, 10))
            elif self._may_sit_exam(t):
                t = self._exam(t)
        else:
            due = [
                d.question_id
                for d in due_refreshers(self.history.cards.values(), t, limit=8)
                if self.catalog.questions[d.question_id].type != "dialog"
            ]
            if len(due) >= 3 and rng.random() < 0.75:
                t = self._round("refresher", "due", due, t)
            else:
                module = rng.choice([s.module for s in self.path.steps])
                t = self._practice(module, t, size=rng.randint(5, 8))
        if rng.random() < 0.3:
            t = self._reply(t)
        if rng.random() < 0.1:
            self._dialog(t)

    def _login(self, t: dt.datetime) -> None:
        if self.rng.random() < 0.04:  # a mistyped password first
            self.history.logins.append(
                {
                    "username": self.agent.username,
                    "success": False,
                    "reason": "bad_password",
                    "at": t - dt.timedelta(seconds=40),
                }
            )
        self.history.logins.append(
            {"username": self.agent.username, "success": True, "reason": "ok", "at": t}
        )

    # ------------------------------------------------------------ path, lessons, practice

    def _path_lessons(self) -> list[str]:
        return [
            les.id for step in self.path.steps for les in self.catalog.module_lessons(step.module)
        ]

    def _learn(self, lesson_id: str, t: dt.datetime) -> None:
        if lesson_id in self.learned:
            return
        self.learned.add(lesson_id)
        self.history.lessons.append(
            {
                "lesson_id": lesson_id,
                "rule_version": self._lesson_version(lesson_id, t),
                "learned_at": t,
            }
        )

    def _lesson_version(self, lesson_id: str, t: dt.datetime) -> int:
        r = self.rule_raise
        if r is not None and r.lesson_id == lesson_id and t >= r.at:
            return r.version
        return self.catalog.lessons[lesson_id].version

    def _current_step(self):
        for step in self.path.steps:
            lessons = self.catalog.module_lessons(step.module)
            if any(les.id not in self.learned for les in lessons):
                return step
            pool = self.content.pool(step.module, self.agent.platform)
            mastery = sum(self.latest.get(q, (False, 0))[0] for q in pool) / max(1, len(pool))
            if mastery < step.practice_pass_ratio:
                return step
        return None

    def _practice(self, module: str, t: dt.datetime, *, size: int) -> dt.datetime:
        pool = self.content.pool(module, self.agent.platform)
        chosen = practice_round(list(pool), self.latest, seed=self.rng.randrange(2**31), size=size)
        return self._round("practice", module, chosen, t)

    def _round(self, kind: str, ref: str, question_ids: list[str], t: dt.datetime) -> dt.datetime:
        """A practice round or a refresher set: an attempt and its answers."""
        paper = {"reasons": {q: "到期复习" for q in question_ids}} if kind == "refresher" else None
        idx = self._attempt(kind, ref, t, question_ids=question_ids, paper=paper)
        right = 0
        for qid in question_ids:
            g, t = self._answer(qid, t, kind=kind, attempt=idx)
            right += g.passed
        att = self.history.attempts[idx]
        att.update(finished_at=t, score=right / max(1, len(question_ids)))
        return t + dt.timedelta(minutes=1)

    # ------------------------------------------------------------ answers

    def _accuracy(self, q: Any) -> float:
        acc = self.agent.profile.accuracy(self.answers) - 0.06 * (q.difficulty - 2)
        return min(0.98, max(0.05, acc))

    def _answer(
        self,
        qid: str,
        t: dt.datetime,
        *,
        kind: str,
        attempt: int | None,
        exam_bonus: float = 0.0,
    ) -> tuple[Grade, dt.datetime]:
        q = self.catalog.questions[qid]
        acc = min(0.98, self._accuracy(q) + exam_bonus)
        if q.type == "reply":
            text, g = self.pools[(qid, "")].pick(reply_quality(acc, self.rng), self.rng)
            response: Any = text
            ms = self.rng.randint(45_000, 200_000)
        else:
            response = objective_answer(q, self.rng.random() < acc, self.rng)
            g = grade(q, response, lesson_titles=self.titles)
            ms = self.rng.randint(5_000, 60_000)
        t += dt.timedelta(milliseconds=ms)
        self._store(qid, response, g, t, kind=kind, attempt=attempt, ms=ms)
        if kind != "exam":
            prev = self.history.cards.get(qid)
            self.history.cards[qid] = review(
                prev, qid, passed=g.passed, ratio=g.ratio, has_violation=bool(g.violations), now=t
            )
        return g, t + dt.timedelta(seconds=self.rng.randint(3, 20))

    def _store(
        self,
        qid: str,
        response: Any,
        g: Grade,
        t: dt.datetime,
        *,
        kind: str,
        attempt: int | None,
        ms: int,
        turn_id: str | None = None,
    ) -> None:
        self.seq += 1
        self.answers += 1
        if turn_id is None:
            self.latest[qid] = (g.passed, self.seq)
        self.history.responses.append(
            {
                "submission_id": f"demo-{self.agent.username}-{self.seq}",
                "attempt": attempt,
                "question_id": qid,
                "turn_id": turn_id,
                "kind": kind,
                "response": response,
                "grade": g.to_dict(),
                "score": g.score,
                "max_score": g.max_score,
                "passed": g.passed,
                "violation_ids": [v.id for v in g.violations],
                "grader_version": g.grader_version,
                "rule_version": self.catalog.question_rule_version(qid),
                "response_ms": ms,
                "created_at": t,
            }
        )

    def _reply(self, t: dt.datetime) -> dt.datetime:
        """A scenario reply on the 情景回复 page (no attempt), from a module already studied."""
        qids = [
            q.id
            for q in self.catalog.for_platform(self.agent.platform)
            if q.type == "reply" and self._studied(q)
        ]
        if not qids:
            return t
        _, t = self._answer(self.rng.choice(qids), t, kind="reply", attempt=None)
        return t

    def _studied(self, q: Any) -> bool:
        return any(lid in self.learned for lid in q.lessons)

    def _dialog(self, t: dt.datetime) -> None:
        dialogs = [
            q
            for q in self.catalog.for_platform(self.agent.platform)
            if q.type == "dialog" and self._studied(q)
        ]
        if not dialogs:
            return
        q = self.rng.choice(dialogs)
        idx = self._attempt("dialog", q.id, t)
        history: list[list] = []
        turn_id, score, top, ok, turns = q.turns[0].id, 0.0, 0.0, True, 0
        while turn_id and turns < 12:
            turns += 1
            turn = q.turn(turn_id)
            history.append(["buyer", turn.buyer])
            acc = self._accuracy(q)
            text, g = self.pools[(q.id, turn_id)].pick(reply_quality(acc, self.rng), self.rng)
            ms = self.rng.randint(30_000, 150_000)
            t += dt.timedelta(milliseconds=ms)
            self._store(q.id, text, g, t, kind="dialog", attempt=idx, ms=ms, turn_id=turn_id)
            meta = {
                "score": g.score,
                "max": g.max_score,
                "passed": g.passed,
                "ms": ms,
                "violations": [v.label for v in g.violations],
            }
            history.append(["agent", text, meta])
            score, top, ok = score + g.score, top + g.max_score, ok and g.passed
            turn_id = turn.next_pass if g.passed else turn.next_fail
        self.history.attempts[idx].update(
            paper={"turn": "", "history": history, "shown_at": t.isoformat()},
            finished_at=t,
            score=score / top if top else 0.0,
            passed=ok,
        )

    # ------------------------------------------------------------ exams

    def _may_sit_exam(self, t: dt.datetime) -> bool:
        last = self.last_exam_fail
        return last is None or t - last >= dt.timedelta(days=EXAM_RETRY_DAYS)

    def _exam(self, t: dt.datetime) -> dt.datetime:
        exam = self.catalog.exams[self.path.exam]
        seed = self.rng.randrange(2**31)
        paper: ExamPaper = assemble_exam(
            self.catalog, exam.id, seed=seed, platform=self.agent.platform
        )
        idx = self._attempt(
            "exam",
            exam.id,
            t,
            question_ids=list(paper.question_ids),
            paper=paper.to_dict(),
            seed=seed,
            deadline=t + dt.timedelta(minutes=exam.time_limit_minutes),
        )
        ratios: dict[str, float] = {}
        for qid in paper.question_ids:
            g, t = self._answer(qid, t, kind="exam", attempt=idx, exam_bonus=0.03)
            ratios[qid] = g.ratio
        result = score_exam(self.catalog, paper, ratios)
        self.history.attempts[idx].update(finished_at=t, score=result.ratio, passed=result.passed)
        r = self.rule_raise
        raised = {r.lesson_id: r.version} if r is not None and t >= r.at else None
        cert = certify(self.catalog, result, t, raised=raised)
        if cert is None:
            self.last_exam_fail = t
        else:
            self.cert_expires = cert.expires_at
            self.history.certifications.append(
                {
                    "exam_id": cert.exam_id,
                    "ratio": cert.ratio,
                    "issued_at": cert.issued_at,
                    "expires_at": cert.expires_at,
                    "rule_versions": dict(cert.rule_versions),
                    "attempt": idx,
                }
            )
        return t + dt.timedelta(minutes=2)

    # ------------------------------------------------------------ rows

    def _attempt(
        self,
        kind: str,
        ref: str,
        started: dt.datetime,
        *,
        question_ids: list[str] | None = None,
        paper: dict | None = None,
        seed: int | None = None,
        deadline: dt.datetime | None = None,
        finished: dt.datetime | None = None,
        score: float | None = None,
        passed: bool | None = None,
    ) -> int:
        self.history.attempts.append(
            {
                "kind": kind,
                "ref": ref,
                "question_ids": list(question_ids or []),
                "paper": paper,
                "seed": seed,
                "started_at": started,
                "deadline_at": deadline,
                "finished_at": finished,
                "score": score,
                "passed": passed,
            }
        )
        return len(self.history.attempts) - 1


def _china_midnight(moment: dt.datetime) -> dt.datetime:
    """00:00 China time of the day of ``moment``, as a UTC datetime."""
    local = (moment + CHINA).replace(hour=0, minute=0, second=0, microsecond=0)
    return local - CHINA
