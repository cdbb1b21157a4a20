"""A seeded team for the manager / admin tests (reports, review, AppTest, browser).

Everything goes through the real code paths: accounts.add_user, records.submit.submit_answer
(the real grader and FSRS), store.issue_certification, store.assign, review.appeal_response.
Content: tests/fixtures/learning (a small valid catalog with the onboarding path).

Team 甲组 (tmall), managed by lead_a (王主管):
  xiaoli   小李   strong: practice right, good replies, certified, exam passed
  xiaozhang 小张  weak: wrong answers, a reply just under the pass mark, which he appealed
  xss_img  ``<img src=x onerror=alert(1)>``   (a name and a reply that must stay text)
  xss_md   ``[点我](javascript:alert(1))``     (likewise, Markdown)
  xiaochen 小陈   a reply breaking the invoice rule (violation)
Team 乙组 (jd), managed by lead_b: xiaowang 小王 (never visible to lead_a).
admin: 管理员.  Assignments: the onboarding path to 甲组, overdue; a refresher set to 小张, due
in a week.  Password of every account: :data:`PASSWORD`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from trainer.accounts import add_user
from trainer.catalog import Catalog, load_catalog
from trainer.records import review, store
from trainer.records.db import transaction
from trainer.records.models import User
from trainer.records.submit import submit_answer

CONTENT = Path(__file__).parent / "fixtures" / "learning"
PASSWORD = "mima12345"
XSS_IMG = "<img src=x onerror=alert(1)>"
XSS_MD = "[点我](javascript:alert(1))"
REPLY = "example-invoice-reply"
GOOD_REPLY = (
    "亲，您好！特价商品也可以开发票的哦，麻烦您提供一下发票抬头，我们免费给您开好寄出～感谢您的支持"
)
NEAR_REPLY = "稍等，可以开发票的"  # 50/100, pass mark 60: close, not passed
REFUSE_REPLY = "亲，特价商品发票开不了哦"  # violation: refuse-invoice
XSS_REPLY_IMG = f"{XSS_IMG} 可以开发票"
XSS_REPLY_MD = f"{XSS_MD} 可以开发票的，请提供抬头"


def catalog() -> Catalog:
    return load_catalog(CONTENT)


@dataclass
class Seeded:
    users: dict[str, int] = field(default_factory=dict)  # username → id
    teams: dict[str, int] = field(default_factory=dict)  # name → id
    responses: dict[str, int] = field(default_factory=dict)  # label → response id
    appeal_id: int | None = None
    now: dt.datetime | None = None

    def user(self, engine: Engine, username: str) -> User:
        with transaction(engine) as s:
            u = s.get(User, self.users[username])
            s.expunge(u)
            return u


ACCOUNTS = [
    # username, display name, role, team, platform
    ("admin", "管理员", "admin", None, None),
    ("lead_a", "王主管", "manager", "甲组", "tmall"),
    ("lead_b", "赵主管", "manager", "乙组", "jd"),
    ("xiaoli", "小李", "trainee", "甲组", "tmall"),
    ("xiaozhang", "小张", "trainee", "甲组", "tmall"),
    ("xss_img", XSS_IMG, "trainee", "甲组", "tmall"),
    ("xss_md", XSS_MD, "trainee", "甲组", "tmall"),
    ("xiaochen", "小陈", "trainee", "甲组", "taobao"),
    ("xiaowang", "小王", "trainee", "乙组", "jd"),
]


def seed_team(engine: Engine, now: dt.datetime, cat: Catalog | None = None) -> Seeded:
    """Seed the team described in the module docstring; answers are spread over the last
    three weeks before ``now``."""
    cat = cat or catalog()
    out = Seeded(now=now)
    t0 = now - dt.timedelta(days=20)
    with transaction(engine) as s:
        for username, name, role, team, platform in ACCOUNTS:
            u = add_user(
                session=s,
                username=username,
                display_name=name,
                password=PASSWORD,
                role=role,
                team=team,
                platform=platform,
                now=t0,
            )
            out.users[username] = u.id
            if u.team_id is not None:
                out.teams[team] = u.team_id

    seq = iter(range(10_000))

    def answer(who: str, qid: str, response, at: dt.datetime, kind: str = "practice") -> int:
        res = submit_answer(
            engine,
            cat,
            user_id=out.users[who],
            question_id=qid,
            response=response,
            kind=kind,
            submission_id=f"seed-{who}-{next(seq)}",
            now=at,
        )
        return res.response_id

    day = dt.timedelta(days=1)
    # 小李: everything right, two weeks ago and this week
    for i, (qid, resp) in enumerate(
        [
            ("example-invoice-tf", False),
            ("example-invoice-points", 6.0),
            ("example-invoice-single", "B"),
            ("jd-q1", True),
            ("jd-q2", False),
            ("jd-q3", True),
            ("jd-q4", False),
            ("jd-q5", True),
            ("jd-q6", False),
            ("jd-single", "C"),
        ]
    ):
        answer("xiaoli", qid, resp, t0 + day * 2 + dt.timedelta(minutes=i))
    out.responses["xiaoli_reply"] = answer("xiaoli", REPLY, GOOD_REPLY, now - day * 2, "reply")
    # 小张: mostly wrong, then a reply just under the pass mark (appealed)
    for i, (qid, resp) in enumerate(
        [
            ("example-invoice-tf", True),
            ("example-invoice-points", 3.0),
            ("example-invoice-single", "A"),
            ("jd-q1", False),
            ("jd-q2", False),
            ("jd-single", "C"),
        ]
    ):
        answer("xiaozhang", qid, resp, t0 + day * 3 + dt.timedelta(minutes=i))
    out.responses["xiaozhang_near"] = answer("xiaozhang", REPLY, NEAR_REPLY, now - day * 3, "reply")
    # the XSS names: an objective answer and a reply each
    answer("xss_img", "example-invoice-single", "B", now - day * 4)
    out.responses["xss_img_reply"] = answer("xss_img", REPLY, XSS_REPLY_IMG, now - day, "reply")
    answer("xss_md", "example-invoice-single", "A", now - day * 4)
    out.responses["xss_md_reply"] = answer("xss_md", REPLY, XSS_REPLY_MD, now - day, "reply")
    # 小陈: a violation
    answer("xiaochen", "example-invoice-tf", False, now - day * 6)
    out.responses["xiaochen_refuse"] = answer(
        "xiaochen", REPLY, REFUSE_REPLY, now - day * 5, "reply"
    )
    # 小王 (乙组)
    answer("xiaowang", "jd-q1", True, now - day * 2)
    out.responses["xiaowang_reply"] = answer("xiaowang", REPLY, NEAR_REPLY, now - day, "reply")

    with transaction(engine) as s:
        lead_a = s.get(User, out.users["lead_a"])
        xiaozhang = s.get(User, out.users["xiaozhang"])
        for lid in cat.lessons:
            store.mark_lesson_learned(
                session=s,
                user_id=out.users["xiaoli"],
                lesson_id=lid,
                rule_version=cat.lessons[lid].version,
                now=t0 + day,
            )
        store.mark_lesson_learned(
            session=s,
            user_id=out.users["xiaozhang"],
            lesson_id="example-invoice",
            rule_version=1,
            now=t0 + day,
        )
        exam = store.start_attempt(
            session=s, user_id=out.users["xiaoli"], kind="exam", ref="cert", now=now - day * 7
        )
        store.finish_attempt(
            session=s,
            attempt_id=exam.id,
            now=now - day * 7 + dt.timedelta(minutes=20),
            score=0.9,
            passed=True,
        )
        store.issue_certification(
            session=s,
            user_id=out.users["xiaoli"],
            exam_id="cert",
            ratio=0.9,
            issued_at=now - day * 7,
            expires_at=now + day * 358,
            rule_versions={lid: les.version for lid, les in cat.lessons.items()},
            attempt_id=exam.id,
        )
        store.assign(
            session=s,
            actor=lead_a,
            kind="path",
            ref="onboarding",
            due_at=now - day * 2,
            now=t0,
            team_id=out.teams["甲组"],
        )
        store.assign(
            session=s,
            actor=lead_a,
            kind="refresher",
            ref="refresh-all",
            due_at=now + day * 7,
            now=now - day,
            user_id=out.users["xiaozhang"],
        )
        appeal = review.appeal_response(
            session=s,
            actor=xiaozhang,
            response_id=out.responses["xiaozhang_near"],
            reason="我已经答应开发票了，只是说了“稍等”，扣分太多",
            now=now - day * 2,
        )
        out.appeal_id = appeal.id
    return out
