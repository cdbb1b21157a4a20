"""Fill a database with the demo organisation (see :mod:`trainer.demo`)."""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, func, insert, select

from trainer.accounts import hash_password
from trainer.catalog import Catalog
from trainer.demo.people import ADMIN, TEAMS, Agent, make_agents
from trainer.demo.simulate import HISTORY_DAYS, Content, History, RuleRaise, Simulation
from trainer.demo.texts import FIXTURES, reply_pools
from trainer.learning import certification_status, path_for
from trainer.learning.certification import Certification as CertView
from trainer.records import review, store
from trainer.records.db import transaction
from trainer.records.models import (
    Attempt,
    Base,
    Certification,
    LessonProgress,
    LoginEvent,
    ManagedTeam,
    Response,
    ReviewCard,
    RuleVersionRaise,
    ScoreOverride,
    Team,
    User,
)

#: the password of every demo account (printed at the end; a demo database only)
DEMO_PASSWORD = "kefu-demo-2024"
DEFAULT_SEED = 2024
OVERDUE_DAYS = 7

APPEAL_REASONS = (
    "我写了可以处理，只是说法和参考答案不一样，系统没认出来，麻烦主管看一下。",
    "我已经道歉并且给了买家解决办法，为什么不及格？",
    "这条是按店铺最新的话术写的，请帮忙复核。",
    "买家当时情绪很激动，我先安抚再给方案，觉得分数偏低。",
)
RAISE_REASONS = (
    "回复里已经给了明确的处理方案，只是用词和评分要点不同，人工复核改为通过。",
    "信息完整、语气得体，关键词写法不同被漏判，酌情加分。",
    "按店铺内部话术规范，这样回复可以接受，改分。",
)
KEEP_REASON = "复核确认：回复没有给出具体的处理办法，维持原分，请对照参考回复再练一次。"


class DemoRefused(Exception):
    """The database already holds accounts: the demo will not write into it."""


@dataclass
class DemoSummary:
    now: dt.datetime
    seconds: float = 0.0
    counts: Counter = field(default_factory=Counter)
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # (role, username, name)
    password: str = DEMO_PASSWORD


def existing_users(engine: Engine) -> int:
    with engine.connect() as c:
        return int(c.scalar(select(func.count()).select_from(User)) or 0)


def wipe(engine: Engine) -> None:
    """Delete every row of every table (the schema and its migration version stay)."""
    with engine.begin() as c:
        for table in reversed(Base.metadata.sorted_tables):
            c.execute(table.delete())


def demo_now(moment: dt.datetime | None = None) -> dt.datetime:
    """The demo's "now": the current time, to the hour (UTC).  Fixed for a build, so the same
    seed gives the same organisation within the hour."""
    moment = moment or dt.datetime.now(dt.UTC)
    return moment.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)


def build_demo(
    engine: Engine,
    catalog: Catalog,
    *,
    seed: int = DEFAULT_SEED,
    now: dt.datetime | None = None,
    force: bool = False,
    per_team: int = 20,
    fixtures: Path = FIXTURES,
) -> DemoSummary:
    """Build the demo organisation into ``engine`` (migrated).  Refuses
    (:class:`DemoRefused`) when the database has accounts, unless ``force``: then every row
    is deleted first."""
    started = time.perf_counter()
    users = existing_users(engine)
    if users and not force:
        raise DemoRefused(
            f"数据库里已经有 {users} 个账号，不是空库：为了不覆盖真实数据，演示数据没有写入。"
            "如果确定要清空这个数据库并重建演示组织，请加 --force。"
        )
    if users:
        wipe(engine)
    now = demo_now(now)
    summary = DemoSummary(now=now)
    rng = random.Random(seed)
    agents = make_agents(rng, per_team)
    content = Content(catalog, reply_pools(catalog, fixtures))
    rule_raise = _rule_raise(catalog, now)

    ids = _accounts(engine, agents, now, summary)
    for agent in agents:
        sim = Simulation(
            agent,
            content,
            now=now,
            rng=random.Random(f"{seed}:{agent.username}"),
            rule_raise=rule_raise,
        )
        _write(engine, ids[agent.username], sim.run(), catalog, summary)
    _staff_logins(engine, now, rng, summary)
    with transaction(engine) as s:
        if rule_raise is not None:
            s.add(
                RuleVersionRaise(
                    lesson_id=rule_raise.lesson_id,
                    version=rule_raise.version,
                    note=rule_raise.note,
                    raised_by=ids[ADMIN[0]],
                    at=rule_raise.at,
                )
            )
            summary.counts["规则版本更新"] += 1
    _assignments(engine, catalog, agents, ids, now, rng, summary)
    _appeals_and_overrides(engine, agents, ids, now, rng, summary)
    _certificate_counts(engine, now, summary)
    summary.seconds = time.perf_counter() - started
    return summary


# ---------------------------------------------------------------- accounts


def _accounts(
    engine: Engine, agents: list[Agent], now: dt.datetime, summary: DemoSummary
) -> dict[str, int]:
    """Teams, the admin, one lead per team (managing it) and the agents; one password hash
    for all (argon2id is slow on purpose)."""
    pw = hash_password(DEMO_PASSWORD)
    ids: dict[str, int] = {}
    long_ago = now - dt.timedelta(days=420)
    with transaction(engine) as s:
        teams = {}
        for name, platform, _, _, _ in TEAMS:
            team = Team(name=name, platform=platform, created_at=long_ago)
            s.add(team)
            s.flush()
            teams[name] = team

        def user(username, name, role, team=None, platform=None, created=long_ago) -> User:
            u = User(
                username=username,
                display_name=name,
                role=role,
                team_id=team.id if team else None,
                platform=platform,
                password_hash=pw,
                must_change_password=False,
                active=True,
                created_at=created,
            )
            s.add(u)
            s.flush()
            ids[username] = u.id
            return u

        user(*ADMIN, "admin")
        summary.logins.append(("管理员", ADMIN[0], ADMIN[1]))
        for name, platform, _, lead, lead_name in TEAMS:
            u = user(lead, lead_name, "manager", teams[name], platform)
            s.add(ManagedTeam(manager_id=u.id, team_id=teams[name].id))
            summary.logins.append((f"主管·{name}", lead, lead_name))
        for a in agents:
            hired = now - dt.timedelta(days=a.hired_days_ago)
            user(a.username, a.name, "trainee", teams[a.team], a.platform, hired)
    summary.counts["团队"] = len(TEAMS)
    summary.counts["主管"] = len(TEAMS)
    summary.counts["学员"] = len(agents)
    for team, *_ in TEAMS:  # per team: a fast and a slow (or stalled) learner, a veteran
        mine = [a for a in agents if a.team == team]
        picks = [
            next((a for a in mine if not a.veteran and a.profile.kind == "快"), None),
            next((a for a in mine if not a.veteran and a.profile.kind in ("慢", "停滞")), None),
            next((a for a in mine if a.veteran), None),
        ]
        for a in picks:
            if a is not None:
                kind = "老员工" if a.veteran else f"{a.profile.kind}学员"
                summary.logins.append((f"学员·{team}·{kind}", a.username, a.name))
    return ids


# ---------------------------------------------------------------- one agent's rows


def _write(
    engine: Engine, user_id: int, h: History, catalog: Catalog, summary: DemoSummary
) -> None:
    with engine.begin() as c:
        attempt_ids: list[int] = []
        if h.attempts:
            rows = [{**a, "user_id": user_id} for a in h.attempts]
            result = c.execute(
                insert(Attempt).returning(Attempt.id, sort_by_parameter_order=True), rows
            )
            attempt_ids = [r[0] for r in result]
        if h.lessons:
            c.execute(insert(LessonProgress), [{**x, "user_id": user_id} for x in h.lessons])
        if h.responses:
            rows = []
            for r in h.responses:
                idx = r["attempt"]
                row = {k: v for k, v in r.items() if k != "attempt"}
                row.update(
                    user_id=user_id,
                    attempt_id=attempt_ids[idx] if idx is not None else None,
                    content_version=catalog.version,
                )
                rows.append(row)
            c.execute(insert(Response), rows)
        if h.certifications:
            c.execute(
                insert(Certification),
                [
                    {
                        **{k: v for k, v in x.items() if k != "attempt"},
                        "user_id": user_id,
                        "attempt_id": attempt_ids[x["attempt"]],
                    }
                    for x in h.certifications
                ],
            )
        if h.cards:
            c.execute(
                insert(ReviewCard),
                [
                    {
                        "user_id": user_id,
                        "question_id": st.question_id,
                        "state": st.to_dict(),
                        "due_at": st.due_at,
                        "updated_at": st.due_at - dt.timedelta(days=1),
                    }
                    for st in h.cards.values()
                ],
            )
        if h.logins:
            c.execute(insert(LoginEvent), h.logins)
    n = summary.counts
    n["作答"] += len(h.responses)
    n["情景回复作答"] += sum(1 for r in h.responses if r["grade"]["question_type"] == "reply")
    n["对话模拟轮次"] += sum(1 for r in h.responses if r["turn_id"])
    n["违规回复"] += sum(1 for r in h.responses if r["violation_ids"])
    for a in h.attempts:
        n[f"作答批次·{a['kind']}"] += 1
    n["已学课程"] += len(h.lessons)
    n["复训卡片"] += len(h.cards)
    n["登录记录"] += len(h.logins)


def _staff_logins(engine: Engine, now: dt.datetime, rng: random.Random, s: DemoSummary) -> None:
    rows = []
    staff = [ADMIN[0], *(lead for _, _, _, lead, _ in TEAMS)]
    for day in range(HISTORY_DAYS, 0, -1):
        for username in staff:
            if rng.random() < (0.35 if username == ADMIN[0] else 0.7):
                at = now - dt.timedelta(days=day, hours=rng.randint(-3, 6))
                rows.append({"username": username, "success": True, "reason": "ok", "at": at})
    with engine.begin() as c:
        c.execute(insert(LoginEvent), rows)
    s.counts["登录记录"] += len(rows)


# ---------------------------------------------------------------- the rule change


def _rule_raise(catalog: Catalog, now: dt.datetime) -> RuleRaise | None:
    """Three weeks ago the admin raised the invoice lesson's rule version (天猫发票规则调整),
    so agents certified before that are due to re-learn it."""
    lessons = list(catalog.lessons.values())
    lesson = next((les for les in lessons if "发票" in les.title), lessons[0] if lessons else None)
    if lesson is None:
        return None
    return RuleRaise(
        lesson.id,
        lesson.version + 1,
        now - dt.timedelta(days=21, hours=3),
        f"平台规则调整：《{lesson.title}》更新，请已认证的同学重新学习并完成复训。",
    )


# ---------------------------------------------------------------- assignments


def _assignments(
    engine: Engine,
    catalog: Catalog,
    agents: list[Agent],
    ids: dict[str, int],
    now: dt.datetime,
    rng: random.Random,
    summary: DemoSummary,
) -> None:
    """Each lead gave the onboarding path to their new hires (due 75 days after joining:
    some are overdue; marked done when the agent got certified) and a refresher set to the
    whole team (one overdue, one open)."""
    refreshers = list(catalog.refreshers)
    with transaction(engine) as s:
        for i, (team_name, platform, _, lead, _) in enumerate(TEAMS):
            actor = s.get(User, ids[lead])
            path = path_for(catalog, platform)
            for a in agents:
                if a.team != team_name or a.veteran or a.hired_days_ago > 120 or path is None:
                    continue
                hired = now - dt.timedelta(days=a.hired_days_ago)
                task = store.assign(
                    session=s,
                    actor=actor,
                    kind="path",
                    ref=path.id,
                    user_id=ids[a.username],
                    due_at=hired + dt.timedelta(days=75),
                    now=hired + dt.timedelta(hours=2),
                )
                certified = s.scalar(
                    select(func.min(Certification.issued_at)).where(
                        Certification.user_id == ids[a.username],
                        Certification.issued_at >= task.created_at,
                    )
                )
                if certified is not None:  # done the day the agent was certified
                    store.complete_assignment(session=s, assignment_id=task.id, now=certified)
                summary.counts["分配任务"] += 1
            mine = [r for r in refreshers if _refresher_fits(catalog, r, platform)] or refreshers
            if not mine:
                continue
            team_id = actor.team_id
            for ref, created, due in (
                (rng.choice(mine), now - dt.timedelta(days=20 + i), now - dt.timedelta(days=6)),
                (rng.choice(mine), now - dt.timedelta(days=2), now + dt.timedelta(days=7 + i)),
            ):
                store.assign(
                    session=s,
                    actor=actor,
                    kind="refresher",
                    ref=ref,
                    team_id=team_id,
                    due_at=due,
                    now=created,
                )
                summary.counts["分配任务"] += 1


def _refresher_fits(catalog: Catalog, ref: str, platform: str) -> bool:
    path = path_for(catalog, platform)
    modules = {step.module for step in path.steps} if path else set()
    return set(catalog.refreshers[ref].modules) <= modules


# ---------------------------------------------------------------- appeals and overrides


def _appeals_and_overrides(
    engine: Engine,
    agents: list[Agent],
    ids: dict[str, int],
    now: dt.datetime,
    rng: random.Random,
    summary: DemoSummary,
) -> None:
    """Per team: three trainees appeal a failed reply of the last weeks (the lead resolves two:
    one raised, one kept; one is still open), and the lead raises one close call unasked."""
    since = now - dt.timedelta(days=review.APPEAL_DAYS - 3)
    for team_name, _, _, lead, _ in TEAMS:
        team_ids = [ids[a.username] for a in agents if a.team == team_name]
        with transaction(engine) as s:
            rows = s.execute(
                select(
                    Response.id,
                    Response.user_id,
                    Response.created_at,
                    Response.score,
                    Response.max_score,
                    Response.violation_ids,
                )
                .where(
                    Response.user_id.in_(team_ids),
                    Response.kind.in_(("reply", "practice")),
                    Response.turn_id.is_(None),
                    Response.created_at >= since,
                    Response.passed.is_(False),
                    Response.max_score > 1,
                )
                .order_by(Response.id)
            ).all()
            mild = [r for r in rows if not r.violation_ids and r.score > 0]
            rng.shuffle(mild)
            lead_user = s.get(User, ids[lead])
            seen: set[int] = set()
            chosen = []
            for r in mild:
                if r.user_id not in seen:
                    seen.add(r.user_id)
                    chosen.append(r)
            for k, r in enumerate(chosen[:4]):
                trainee = s.get(User, r.user_id)
                appealed = min(now - dt.timedelta(hours=2), r.created_at + dt.timedelta(hours=20))
                if k < 3:
                    review.appeal_response(
                        session=s,
                        actor=trainee,
                        response_id=r.id,
                        reason=APPEAL_REASONS[(k + len(seen)) % len(APPEAL_REASONS)],
                        now=appealed,
                    )
                    summary.counts["申诉"] += 1
                decided = min(now - dt.timedelta(hours=1), appealed + dt.timedelta(hours=26))
                if k in (0, 3):  # raised to a pass, with the reason
                    review.override_score(
                        session=s,
                        actor=lead_user,
                        response_id=r.id,
                        new_score=round(r.max_score * rng.uniform(0.65, 0.8)),
                        reason=RAISE_REASONS[k % len(RAISE_REASONS)],
                        now=decided,
                    )
                    summary.counts["主管改分"] += 1
                elif k == 1:  # looked at and kept
                    review.confirm_score(
                        session=s, actor=lead_user, response_id=r.id, now=decided, note=KEEP_REASON
                    )
                    summary.counts["主管复核维持"] += 1
    with engine.connect() as c:
        summary.counts["复核记录"] = int(
            c.scalar(select(func.count()).select_from(ScoreOverride)) or 0
        )


# ---------------------------------------------------------------- what the board will show


def _certificate_counts(engine: Engine, now: dt.datetime, summary: DemoSummary) -> None:
    with engine.connect() as c:
        latest: dict[int, tuple] = {}
        for uid, exam, issued, expires, ratio in c.execute(
            select(
                Certification.user_id,
                Certification.exam_id,
                Certification.issued_at,
                Certification.expires_at,
                Certification.ratio,
            ).order_by(Certification.issued_at)
        ):
            latest[uid] = (exam, issued, expires, ratio)
        due = c.execute(
            select(func.count(func.distinct(ReviewCard.user_id))).where(
                ReviewCard.due_at <= now - dt.timedelta(days=OVERDUE_DAYS)
            )
        ).scalar()
    for exam, issued, expires, ratio in latest.values():
        status = certification_status(CertView(exam, issued, expires, ratio, {}), now)
        summary.counts[f"认证·{status}"] += 1
    summary.counts["有逾期复训的学员"] = int(due or 0)
