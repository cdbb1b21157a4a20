"""团队看板: one row per agent, a mastery heat map, a weekly trend and the rules broken most.

Every aggregate is one SQL query, answered from an index or from ``answer_rollups`` (per agent
and question: answers, ratio sum, the latest answer; kept by a database trigger, see migration
0002), so the cost follows the number of agents and questions, not the number of answers.
Python only loops over agents, modules and overrides, never over responses.  Manager overrides
are applied on top as small corrections.

Definitions (shown to managers on the page):

- 平均得分率: mean of score / max score over every answer (dialog turns included).
- 近7天得分率: the same over the last 7 days.
- 掌握度 (per module): share of the module's practice pool for the agent's platform whose
  latest answer passed (a manager's override counting) — :func:`trainer.learning.module_mastery`,
  what the trainee sees and what the onboarding path needs.
- 路径进度: :func:`trainer.learning.path_progress` of the agent's path
  (:func:`trainer.learning.path_for` their platform), exactly as on the trainee's home page.
  Answers of an exam still in progress are counted here (the trainee is not shown them).
- 待复训: refresher cards due now plus questions due again after a rule change;
  逾期复训: cards due for more than :data:`OVERDUE_DAYS` days.
- 逾期任务: assignments past their due date and not done (see reports.assignments).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache

import pandas as pd
from sqlalchemy import and_, case, func, literal, select, text, true, union_all
from sqlalchemy.orm import Session

from trainer.accounts import PLATFORMS
from trainer.catalog import Catalog
from trainer.catalog.loader import reply_rubrics
from trainer.learning import certification_status, for_platform, path_for, path_progress
from trainer.records.models import (
    AnswerRollup,
    Attempt,
    LessonProgress,
    Response,
    ReviewCard,
    ScoreOverride,
    Team,
    User,
)
from trainer.reports.assignments import assignment_status, overdue_counts
from trainer.reports.rules import rule_state
from trainer.reports.scope import agent_ids
from trainer.reports.timeutil import local_date, week_starts

RECENT_DAYS = 7
RECENT = -2  # the key of the last-7-days window among the weekly ones
OVERDUE_DAYS = 7
TREND_WEEKS = 8
WEAK_RULE_DAYS = 90

COLUMNS = [
    "学员",
    "用户名",
    "团队",
    "平台",
    "路径进度",
    "作答数",
    "平均得分率",
    "近7天得分率",
    "最近考试",
    "最近活跃",
    "待复训",
    "逾期复训",
    "逾期任务",
    "认证状态",
    "认证到期",
    "user_id",
]


def ratio_expr():
    """score / max score of one response (0 when the max is 0)."""
    return case((Response.max_score > 0, Response.score / Response.max_score), else_=0.0)


# ---------------------------------------------------------------- the two big aggregates


@dataclass
class AgentStats:
    n: int = 0
    ratio_sum: float = 0.0
    last_at: dt.datetime | None = None
    recent_n: int = 0
    recent_sum: float = 0.0
    weeks: dict[int, list[float]] = field(default_factory=dict)  # week index → [n, ratio sum]
    # (module, pool class) → [questions answered, questions whose latest answer passed]
    classes: dict[tuple[str, int], list[int]] = field(default_factory=dict)
    # module → (questions answered, mastery), from the classes once the platform is known
    modules: dict[str, tuple[int, float]] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        return self.ratio_sum / self.n if self.n else None

    @property
    def recent_ratio(self) -> float | None:
        return self.recent_sum / self.recent_n if self.recent_n else None

    def mastery(self, module_id: str) -> float | None:
        return self.modules[module_id][1] if module_id in self.modules else None

    def answered(self, module_id: str) -> int:
        return self.modules[module_id][0] if module_id in self.modules else 0


@dataclass(frozen=True)
class Pools:
    """Each module's practice questions (no dialogs), split into classes of questions that
    apply to the same shops, so one aggregate per class serves every platform's pool
    (:func:`trainer.learning.practice_pool`)."""

    classes: dict[tuple[str, int], tuple[tuple[str, ...], tuple[str, ...]]]  # → (platforms, ids)

    @classmethod
    def of(cls, catalog: Catalog) -> Pools:
        out: dict[tuple[str, int], tuple[tuple[str, ...], tuple[str, ...]]] = {}
        for mid in catalog.modules:
            groups: dict[tuple[str, ...], list[str]] = {}
            for q in catalog.module_questions(mid):
                if q.type != "dialog":
                    groups.setdefault(tuple(sorted(q.platform)), []).append(q.id)
            for i, (plats, ids) in enumerate(groups.items()):
                out[(mid, i)] = (plats, tuple(ids))
        return cls(out)

    def class_of(self) -> dict[str, tuple[str, int]]:
        return {qid: key for key, (_, ids) in self.classes.items() for qid in ids}

    def applies(self, key: tuple[str, int], platform: str | None) -> bool:
        plats = self.classes[key][0]
        return not platform or platform in plats or "通用" in plats

    def mastery(self, counts: dict[tuple[str, int], list[int]], platform: str | None):
        """module → (answered, share of the platform's pool whose latest answer passed), for
        modules with any answer in the pool — :func:`trainer.learning.module_mastery`."""
        sums: dict[str, list[int]] = {}
        for key, (_, ids) in self.classes.items():
            if self.applies(key, platform):
                answered, ok = counts.get(key, (0, 0))
                cell = sums.setdefault(key[0], [0, 0, 0])
                cell[0] += answered
                cell[1] += ok
                cell[2] += len(ids)
        return {m: (a, ok / size) for m, (a, ok, size) in sums.items() if a and size}


def activity(
    *, session: Session, agents, now: dt.datetime, stats: dict[int, AgentStats] | None = None
) -> dict[int, AgentStats]:
    """Per agent: answers, ratio sum and last answer over all time (one GROUP BY agent over
    ``answer_rollups``: a few rows per agent, however many answers), then the last
    :data:`RECENT_DAYS` days and each of the last :data:`TREND_WEEKS` China-time weeks (one
    UNION ALL of range queries on ``ix_responses_activity``, index only, which touch only the
    recent answers)."""
    R = Response
    stats = {} if stats is None else stats
    ratio = ratio_expr()
    AR = AnswerRollup
    totals = (
        select(AR.user_id, func.sum(AR.answers), func.sum(AR.ratio_sum), func.max(AR.last_at))
        .where(AR.user_id.in_(agents))
        .group_by(AR.user_id)
    )
    for uid, n, total, last in session.execute(totals):
        a = stats.setdefault(uid, AgentStats())
        a.n, a.ratio_sum, a.last_at = int(n), float(total or 0), last
    starts = week_starts(now, TREND_WEEKS)
    windows = [(i, b, starts[i + 1] if i + 1 < len(starts) else None) for i, b in enumerate(starts)]
    windows.append((RECENT, now - dt.timedelta(days=RECENT_DAYS), None))
    parts = []
    for key, lo, hi in windows:
        cond = [R.user_id.in_(agents), R.created_at >= lo]
        if hi is not None:
            cond.append(R.created_at < hi)
        parts.append(
            select(literal(key).label("wk"), R.user_id, func.count(), func.sum(ratio))
            .where(*cond)
            .group_by(R.user_id)
        )
    for wk, uid, n, total in session.execute(union_all(*parts)):
        a = stats.setdefault(uid, AgentStats())
        if wk == RECENT:
            a.recent_n, a.recent_sum = int(n), float(total or 0)
        else:
            a.weeks[wk] = [int(n), float(total or 0)]
    return stats


BROAD_SCOPE = 300


def _in_scope(session: Session, column, agents):
    """``column IN agents`` — for a large scope written ``column + 0 IN agents``.

    Planner guidance for SQLite (PostgreSQL plans either form well): with the question index
    the module's questions are read as ranges; ``+ 0`` keeps the agent term from turning that
    into agents × questions point lookups when there are many agents, and grouping by
    ``user_id + 0`` keeps SQLite from preferring a full primary-key scan just to avoid
    sorting for the GROUP BY.  A team's board stays on point lookups (fastest for few)."""
    n = session.scalar(select(func.count()).select_from(agents.subquery())) or 0
    return (column + 0).in_(agents) if n > BROAD_SCOPE else column.in_(agents)


def mastery_counts(
    *, session: Session, agents, catalog: Catalog, stats: dict[int, AgentStats] | None = None
) -> dict[int, AgentStats]:
    """Per agent and pool class (see :class:`Pools`): questions answered and questions whose
    latest answer passed.  Mastery per module follows in :func:`answer_stats`, once the
    agent's platform is known.

    One statement, a UNION ALL of one small query per class over ``answer_rollups`` (its
    index by question, index only): the rollup already knows each question's latest answer,
    so there is no per-row mapping of questions to modules and no scan of the answers."""
    AR = AnswerRollup
    stats = {} if stats is None else stats
    in_scope = _in_scope(session, AR.user_id, agents)
    uid = (AR.user_id + 0).label("uid")  # grouped by an expression: see _in_scope
    parts = []
    pools = Pools.of(catalog)
    for n, (_plats, qids) in enumerate(pools.classes.values()):
        parts.append(
            select(
                literal(n).label("k"),
                uid,
                func.count(AR.last_id),
                func.sum(case((AR.last_passed == true(), 1), else_=0)),
            )
            .where(AR.question_id.in_(qids), in_scope)
            .group_by(uid)
        )
    if not parts:
        return stats
    keys = list(pools.classes)
    for k, user_id, answered, ok in session.execute(union_all(*parts)):
        if answered:
            stats.setdefault(user_id, AgentStats()).classes[keys[k]] = [int(answered), int(ok or 0)]
    return stats


def answer_stats(
    *, session: Session, agents, catalog: Catalog, now: dt.datetime
) -> dict[int, AgentStats]:
    """user id → :class:`AgentStats`: :func:`activity` and :func:`mastery_counts`, with the
    latest manager override of each overridden answer applied on top (a small set)."""
    stats = activity(session=session, agents=agents, now=now)
    mastery_counts(session=session, agents=agents, catalog=catalog, stats=stats)
    _apply_overrides(session=session, agents=agents, catalog=catalog, now=now, stats=stats)
    pools = Pools.of(catalog)
    platforms = dict(
        session.execute(select(User.id, User.platform).where(User.id.in_(agents))).all()
    )
    for uid, a in stats.items():
        a.modules = pools.mastery(a.classes, platforms.get(uid))
    return stats


def latest_overrides():
    """Subquery: (response_id, override id) of the latest override of each response."""
    q = select(ScoreOverride.response_id, func.max(ScoreOverride.id).label("oid")).group_by(
        ScoreOverride.response_id
    )
    return q.subquery()


def _apply_overrides(
    *, session: Session, agents, catalog: Catalog, now: dt.datetime, stats: dict[int, AgentStats]
) -> None:
    """Correct the sums for the latest override of each overridden answer (a small set)."""
    R, AR = Response, AnswerRollup
    lo = latest_overrides()
    q = (
        select(
            R.user_id,
            R.question_id,
            R.turn_id,
            R.score,
            R.max_score,
            R.passed,
            R.created_at,
            ScoreOverride.new_score,
            ScoreOverride.passed,
            (AR.last_id == R.id).label("is_latest"),
        )
        .join(lo, lo.c.response_id == R.id)
        .join(ScoreOverride, ScoreOverride.id == lo.c.oid)
        .join(AR, and_(AR.user_id == R.user_id, AR.question_id == R.question_id))
        .where(R.user_id.in_(agents))
    )
    since = now - dt.timedelta(days=RECENT_DAYS)
    starts = week_starts(now, TREND_WEEKS)
    class_of = Pools.of(catalog).class_of()
    for uid, qid, turn, score, mx, passed, at, new, new_passed, is_latest in session.execute(q):
        a = stats.get(uid)
        if a is None:
            continue
        delta = (new - score) / mx if mx else 0.0
        a.ratio_sum += delta
        if at >= since:
            a.recent_sum += delta
        wk = max((i for i, b in enumerate(starts) if at >= b), default=-1)
        if wk in a.weeks:
            a.weeks[wk][1] += delta
        if turn is None and is_latest and bool(passed) != bool(new_passed):
            key = class_of.get(qid)
            if key in a.classes:
                a.classes[key][1] += 1 if new_passed else -1


# ---------------------------------------------------------------- the board


class _LessonsOnce(Catalog):
    """The same catalog, its module → lessons lookup computed once (the path needs it for
    every agent); read-only, never cached beyond one board."""

    def module_lessons(self, module_id: str):
        cache = self.__dict__.setdefault("_module_lessons", {})
        if module_id not in cache:
            cache[module_id] = super().module_lessons(module_id)
        return cache[module_id]

    @classmethod
    def of(cls, catalog: Catalog) -> _LessonsOnce:
        return cls(**{f.name: getattr(catalog, f.name) for f in dataclasses.fields(catalog)})


def _learned(
    *, session: Session, agents, catalog: Catalog
) -> tuple[dict[int, dict[str, int]], dict[int, dt.datetime]]:
    """Per agent: lessons learned per module, and when they last marked one learned — one
    UNION ALL of a small GROUP BY per module over ``lesson_progress``."""
    LP = LessonProgress
    in_scope = _in_scope(session, LP.user_id, agents)
    uid = (LP.user_id + 0).label("uid")
    parts = []
    for mid in catalog.modules:
        lids = [les.id for les in catalog.module_lessons(mid)]
        if lids:
            parts.append(
                select(literal(mid).label("mid"), uid, func.count(), func.max(LP.learned_at))
                .where(LP.lesson_id.in_(lids), in_scope)
                .group_by(uid)
            )
    counts: dict[int, dict[str, int]] = {}
    last: dict[int, dt.datetime] = {}
    if not parts:
        return counts, last
    for mid, uid, n, at in session.execute(union_all(*parts)):
        counts.setdefault(uid, {})[mid] = int(n)
        if at is not None and (uid not in last or at > last[uid]):
            last[uid] = at
    return counts, last


def _latest_exams(*, session: Session, agents) -> dict[int, float]:
    rank = (
        select(
            Attempt.user_id,
            Attempt.score,
            func.row_number()
            .over(
                partition_by=Attempt.user_id,
                order_by=(Attempt.finished_at.desc(), Attempt.id.desc()),
            )
            .label("rn"),
        )
        .where(
            Attempt.user_id.in_(agents),
            Attempt.kind == "exam",
            Attempt.finished_at.is_not(None),
        )
        .subquery()
    )
    q = select(rank.c.user_id, rank.c.score).where(rank.c.rn == 1)
    return {uid: score for uid, score in session.execute(q) if score is not None}


def _cards_due(*, session: Session, agents, now: dt.datetime) -> dict[int, tuple[int, int]]:
    late = now - dt.timedelta(days=OVERDUE_DAYS)
    q = (
        select(
            ReviewCard.user_id,
            func.count(),
            func.sum(case((ReviewCard.due_at <= late, 1), else_=0)),
        )
        .where(ReviewCard.user_id.in_(agents), ReviewCard.due_at <= now)
        .group_by(ReviewCard.user_id)
    )
    return {uid: (int(n), int(o or 0)) for uid, n, o in session.execute(q)}


def _agents(*, session: Session, agents) -> list:
    q = (
        select(User.id, User.display_name, User.username, User.platform, Team.name)
        .outerjoin(Team, Team.id == User.team_id)
        .where(User.id.in_(agents))
        .order_by(Team.name, User.display_name, User.id)
    )
    return session.execute(q).all()


@dataclass(frozen=True)
class Board:
    overview: pd.DataFrame  # one row per agent (COLUMNS)
    mastery: pd.DataFrame  # long: user_id, 学员, 模块ID, 模块, 掌握度, 已答题数
    trend: pd.DataFrame  # 周, 团队, 作答数, 平均得分率
    weak_rules: pd.DataFrame  # 违规, 依据, 后果, 次数, 人数


def team_board(
    *,
    session: Session,
    actor: User,
    catalog: Catalog,
    now: dt.datetime,
    team_id: int | None = None,
    platform: str | None = None,
) -> Board:
    """Everything the 团队看板 shows, each aggregate computed once."""
    agents = agent_ids(actor=actor, team_id=team_id, platform=platform)
    stats = answer_stats(session=session, agents=agents, catalog=catalog, now=now)
    overview = _overview(
        session=session,
        actor=actor,
        catalog=catalog,
        now=now,
        agents=agents,
        stats=stats,
        team_id=team_id,
        platform=platform,
    )
    return Board(
        overview=overview,
        mastery=_mastery(catalog, overview, stats),
        trend=_trend(_agents(session=session, agents=agents), stats, now),
        weak_rules=weak_rules(
            session=session,
            actor=actor,
            catalog=catalog,
            now=now,
            team_id=team_id,
            platform=platform,
        ),
    )


def team_overview(
    *,
    session: Session,
    actor: User,
    catalog: Catalog,
    now: dt.datetime,
    team_id: int | None = None,
    platform: str | None = None,
) -> pd.DataFrame:
    """The board's table for ``actor`` (manager: their teams; admin: everyone)."""
    agents = agent_ids(actor=actor, team_id=team_id, platform=platform)
    stats = answer_stats(session=session, agents=agents, catalog=catalog, now=now)
    return _overview(
        session=session,
        actor=actor,
        catalog=catalog,
        now=now,
        agents=agents,
        stats=stats,
        team_id=team_id,
        platform=platform,
    )


def _overview(
    *,
    session: Session,
    actor: User,
    catalog: Catalog,
    now: dt.datetime,
    agents,
    stats: dict[int, AgentStats],
    team_id: int | None,
    platform: str | None,
    user_id: int | None = None,
) -> pd.DataFrame:
    people = _agents(session=session, agents=agents)
    learned, last_learned = _learned(session=session, agents=agents, catalog=catalog)
    # path_progress only counts a module's learned lessons, so the first n ids of a module
    # stand for the n learned (the percent is exact; the next step, unused here, is not)
    firsts = {
        mid: [frozenset(ids[:n]) for n in range(len(ids) + 1)]
        for mid in catalog.modules
        for ids in [[les.id for les in catalog.module_lessons(mid)]]
    }

    @lru_cache(maxsize=4096)
    def learned_set(counts: tuple[tuple[str, int], ...]) -> frozenset[str]:
        return frozenset().union(*(firsts[mid][min(n, len(firsts[mid]) - 1)] for mid, n in counts))

    exams = _latest_exams(session=session, agents=agents)
    cards = _cards_due(session=session, agents=agents, now=now)
    rules = rule_state(session=session, agents=agents, catalog=catalog)
    overdue = overdue_counts(
        assignment_status(
            session=session,
            actor=actor,
            catalog=catalog,
            now=now,
            team_id=team_id,
            platform=platform,
            user_id=user_id,
        )
    )

    @lru_cache(maxsize=256)
    def rule_due(stale: tuple[str, ...], plat: str | None) -> int:
        lessons = set(stale)
        return sum(
            1
            for q in catalog.questions.values()
            if lessons.intersection(q.lessons) and for_platform(q, plat)
        )

    fast = _LessonsOnce.of(catalog)

    @lru_cache(maxsize=4096)
    def percent(path_id: str, learned_counts: tuple, practice: tuple, certified: bool) -> int:
        return path_progress(
            fast,
            path_id,
            learned=learned_set(learned_counts),
            practice=dict(practice),
            certified=certified,
        ).percent

    rows = []
    for uid, name, username, plat, team in people:
        a = stats.get(uid, AgentStats())
        cert = rules.certs.get(uid)
        status = certification_status(cert, now)
        path = path_for(catalog, plat)
        progress = None
        if path is not None:
            steps = [step.module for step in path.steps]
            practice = tuple((m, a.mastery(m)) for m in steps if a.mastery(m) is not None)
            learned_counts = tuple(sorted(learned.get(uid, {}).items()))
            progress = percent(path.id, learned_counts, practice, status in ("有效", "即将到期"))
        due_n, late_n = cards.get(uid, (0, 0))
        due_n += rule_due(tuple(sorted(rules.stale(catalog, uid))), plat)
        last = max((t for t in (a.last_at, last_learned.get(uid)) if t is not None), default=None)
        rows.append(
            [
                name,
                username,
                team or "—",
                PLATFORMS.get(plat or "", "—"),
                progress,
                a.n,
                _r(a.ratio),
                _r(a.recent_ratio),
                _r(exams.get(uid)),
                last,
                due_n,
                late_n,
                overdue.get(uid, 0),
                status,
                cert.expires_at if cert else None,
                uid,
            ]
        )
    return pd.DataFrame(rows, columns=COLUMNS)


def _r(x: float | None) -> float | None:
    return None if x is None else round(float(x), 3)


def _mastery(
    catalog: Catalog, overview: pd.DataFrame, stats: dict[int, AgentStats]
) -> pd.DataFrame:
    rows = []
    for uid, name in zip(overview["user_id"], overview["学员"], strict=True):
        a = stats.get(uid, AgentStats())
        for mid, module in catalog.modules.items():
            answered = a.answered(mid)
            rows.append([uid, name, mid, module.title, _r(a.mastery(mid)), answered])
    return pd.DataFrame(rows, columns=["user_id", "学员", "模块ID", "模块", "掌握度", "已答题数"])


def mastery_matrix(
    *,
    session: Session,
    actor: User,
    catalog: Catalog,
    now: dt.datetime,
    team_id: int | None = None,
    platform: str | None = None,
) -> pd.DataFrame:
    """Agent × module mastery (long form) for the heat map."""
    agents = agent_ids(actor=actor, team_id=team_id, platform=platform)
    stats = answer_stats(session=session, agents=agents, catalog=catalog, now=now)
    people = pd.DataFrame(
        [(uid, name) for uid, name, *_ in _agents(session=session, agents=agents)],
        columns=["user_id", "学员"],
    )
    return _mastery(catalog, people, stats)


# ---------------------------------------------------------------- trend


def score_trend(
    *,
    session: Session,
    actor: User,
    now: dt.datetime,
    team_id: int | None = None,
    platform: str | None = None,
) -> pd.DataFrame:
    """Per team and China-time week (Monday), last :data:`TREND_WEEKS` weeks: answers and
    mean score ratio.  Weeks are CASE buckets on bound times (the same SQL on both
    databases), from the same per-agent aggregate as the board."""
    agents = agent_ids(actor=actor, team_id=team_id, platform=platform)
    stats = activity(session=session, agents=agents, now=now)
    _apply_overrides(session=session, agents=agents, catalog=Catalog(), now=now, stats=stats)
    return _trend(_agents(session=session, agents=agents), stats, now)


def _trend(people, stats: dict[int, AgentStats], now: dt.datetime) -> pd.DataFrame:
    starts = week_starts(now, TREND_WEEKS)
    sums: dict[tuple[int, str], list[float]] = {}
    for uid, _name, _username, _plat, team in people:
        a = stats.get(uid)
        if a is None:
            continue
        for wk, (n, total) in a.weeks.items():
            cell = sums.setdefault((wk, team or "未分组"), [0, 0.0])
            cell[0] += n
            cell[1] += total
    rows = [
        [local_date(starts[wk]), team, int(n), _r(total / n) if n else None]
        for (wk, team), (n, total) in sorted(sums.items())
    ]
    return pd.DataFrame(rows, columns=["周", "团队", "作答数", "平均得分率"])


# ---------------------------------------------------------------- weak rules


def violation_labels(catalog: Catalog) -> dict[str, tuple[str, str, str]]:
    """violation id → (label, rule, penalty), first definition in the content wins."""
    out: dict[str, tuple[str, str, str]] = {}
    for q in catalog.questions.values():
        for _turn, rubric in reply_rubrics(q):
            for v in rubric.violations:
                out.setdefault(v.id, (v.label, v.rule, v.penalty))
    return out


def _violations(session: Session):
    """The table-valued function over ``responses.violation_ids`` and the filter that lets the
    database use the partial index ``ix_responses_violations`` (dialect-specific spelling)."""
    if session.get_bind().dialect.name == "postgresql":
        values = func.json_array_elements_text(Response.violation_ids).table_valued("value")
        return values, text("responses.violation_ids::text <> '[]'")
    values = func.json_each(Response.violation_ids).table_valued("value")
    return values, text("responses.violation_ids != '[]'")


def weak_rules(
    *,
    session: Session,
    actor: User,
    catalog: Catalog | None = None,
    now: dt.datetime | None = None,
    team_id: int | None = None,
    platform: str | None = None,
    days: int = WEAK_RULE_DAYS,
    limit: int = 10,
) -> pd.DataFrame:
    """The platform rules the actor's agents break most in replies over the last ``days``
    days: the JSON lists of violation ids unnested and counted in SQL, over the answers that
    have any (the partial index ``ix_responses_violations`` holds only those)."""
    agents = agent_ids(actor=actor, team_id=team_id, platform=platform)
    vals, has_any = _violations(session)
    q = (
        select(vals.c.value, func.count(), func.count(func.distinct(Response.user_id)))
        .select_from(Response)
        .join(vals, true())
        .where(has_any, Response.user_id.in_(agents))
        .group_by(vals.c.value)
        .order_by(func.count().desc(), vals.c.value)
        .limit(limit)
    )
    if now is not None:
        q = q.where(Response.created_at >= now - dt.timedelta(days=days))
    labels = violation_labels(catalog) if catalog is not None else {}
    rows = []
    for vid, n, people in session.execute(q):
        label, rule, penalty = labels.get(vid, (vid, "", ""))
        rows.append([vid, label, rule, penalty, int(n), int(people)])
    return pd.DataFrame(rows, columns=["违规ID", "违规", "依据", "后果", "次数", "人数"])
