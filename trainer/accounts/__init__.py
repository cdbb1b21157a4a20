"""Users, teams, roles, argon2id passwords and login throttling.

Passwords are hashed with argon2id at OWASP's recommended minimum (Password Storage Cheat
Sheet: m = 19 MiB, t = 2, p = 1).  There is no default password anywhere: a fresh install
asks for the first admin (:func:`needs_setup`, :func:`create_first_admin`).

Throttling: after :data:`MAX_FAILURES` failed logins within :data:`FAILURE_WINDOW`, the
account is locked for :data:`LOCK_FOR`; every attempt is logged in ``login_events``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import secrets
from dataclasses import dataclass, field

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from trainer.records.db import transaction
from trainer.records.errors import (
    AccountLocked,
    BadCredentials,
    Duplicate,
    Forbidden,
    NotFound,
    RecordsError,
    ValidationFailed,
)
from trainer.records.models import LoginEvent, ManagedTeam, Team, User

HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
ROLES = {"trainee": "学员", "manager": "主管", "admin": "管理员"}
PLATFORMS = {"tmall": "天猫", "taobao": "淘宝", "jd": "京东"}
MAX_FAILURES = 5
FAILURE_WINDOW = dt.timedelta(minutes=15)
LOCK_FOR = dt.timedelta(minutes=15)
MIN_PASSWORD = 8
USERNAME_RE = re.compile(r"^[A-Za-z0-9_.\-\u4e00-\u9fff]{2,32}$")


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ValidationFailed(f"密码至少需要 {MIN_PASSWORD} 位")


def _check_username(username: str) -> None:
    if not USERNAME_RE.match(username):
        raise ValidationFailed("用户名需 2–32 位，只能用字母、数字、汉字、下划线、点和短横线")


def needs_setup(*, session: Session) -> bool:
    """True while no admin exists (a fresh install)."""
    return session.scalar(select(func.count()).select_from(User).where(User.role == "admin")) == 0


def get_or_create_team(
    *, session: Session, name: str, now: dt.datetime, platform: str | None = None
) -> Team:
    name = name.strip()
    if not name:
        raise ValidationFailed("团队名称不能为空")
    team = session.scalars(select(Team).where(Team.name == name)).first()
    if team is None:
        team = Team(name=name, platform=platform, created_at=now)
        session.add(team)
        session.flush()
    return team


def add_user(
    *,
    session: Session,
    username: str,
    display_name: str,
    password: str,
    role: str,
    now: dt.datetime,
    team: str | None = None,
    platform: str | None = None,
    must_change_password: bool = False,
) -> User:
    username = username.strip()
    _check_username(username)
    _check_password(password)
    if role not in ROLES:
        raise ValidationFailed(f"角色应为 {'/'.join(ROLES)}")
    if platform and platform not in PLATFORMS:
        raise ValidationFailed(f"平台应为 {'/'.join(PLATFORMS)}")
    if session.scalars(select(User).where(User.username == username)).first():
        raise Duplicate(f"用户名 {username} 已存在")
    team_id = get_or_create_team(session=session, name=team, now=now).id if team else None
    user = User(
        username=username,
        display_name=display_name.strip() or username,
        role=role,
        team_id=team_id,
        platform=platform or None,
        password_hash=hash_password(password),
        must_change_password=must_change_password,
        created_at=now,
    )
    session.add(user)
    session.flush()
    if role == "manager" and team_id is not None:
        session.add(ManagedTeam(manager_id=user.id, team_id=team_id))
    return user


def create_first_admin(
    *, session: Session, username: str, display_name: str, password: str, now: dt.datetime
) -> User:
    if not needs_setup(session=session):
        raise Forbidden("系统已经有管理员了，请直接登录")
    return add_user(
        session=session,
        username=username,
        display_name=display_name,
        password=password,
        role="admin",
        now=now,
    )


def manage_team(*, session: Session, manager: User, team_id: int) -> None:
    if manager.role != "manager":
        raise ValidationFailed("只有主管可以管理团队")
    if session.get(ManagedTeam, (manager.id, team_id)) is None:
        session.add(ManagedTeam(manager_id=manager.id, team_id=team_id))


def _failures_since(session: Session, username: str, since: dt.datetime) -> int:
    """Failed logins after ``since`` and after the last successful one."""
    last_ok = (
        session.scalar(
            select(func.max(LoginEvent.id)).where(
                LoginEvent.username == username, LoginEvent.success.is_(True)
            )
        )
        or 0
    )
    return (
        session.scalar(
            select(func.count())
            .select_from(LoginEvent)
            .where(
                LoginEvent.username == username,
                LoginEvent.success.is_(False),
                LoginEvent.id > last_ok,
                LoginEvent.at > since,
            )
        )
        or 0
    )


def check_login(
    *, session: Session, username: str, password: str, now: dt.datetime
) -> tuple[User | None, RecordsError | None]:
    """Check a login and log it (and lock the account after too many failures) without
    raising, so the caller can commit the log before reporting the failure."""
    username = username.strip()
    user = session.scalars(select(User).where(User.username == username)).first()

    def log(ok: bool, reason: str) -> None:
        session.add(LoginEvent(username=username[:64], success=ok, reason=reason, at=now))

    if user is not None and user.locked_until is not None and user.locked_until > now:
        log(False, "locked")
        minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
        return None, AccountLocked(
            f"连续输错密码次数过多，账号已锁定，请约 {minutes} 分钟后再试", user.locked_until
        )
    ok = False
    if user is not None and user.active:
        try:
            ok = HASHER.verify(user.password_hash, password)
        except (VerifyMismatchError, InvalidHashError):
            ok = False
    if not ok:
        log(False, "inactive" if user is not None and not user.active else "bad_password")
        session.flush()
        since = now - FAILURE_WINDOW
        if user is not None and _failures_since(session, username, since) >= MAX_FAILURES:
            user.locked_until = now + LOCK_FOR
        return None, BadCredentials("用户名或密码不对")
    log(True, "ok")
    user.locked_until = None
    if HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user, None


def login(engine: Engine, *, username: str, password: str, now: dt.datetime) -> User:
    """Log in: the user, or :class:`BadCredentials` / :class:`AccountLocked` raised after the
    attempt has been logged and committed.  The same message is given for an unknown user
    and a wrong password."""
    with transaction(engine) as session:
        user, error = check_login(session=session, username=username, password=password, now=now)
    if error is not None:
        raise error
    return user


def change_password(*, session: Session, user_id: int, old: str, new: str) -> None:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("找不到这个账号")
    try:
        HASHER.verify(user.password_hash, old)
    except (VerifyMismatchError, InvalidHashError):
        raise BadCredentials("原密码不对") from None
    _check_password(new)
    if new == old:
        raise ValidationFailed("新密码不能和原密码相同")
    user.password_hash = hash_password(new)
    user.must_change_password = False


def reset_password(*, session: Session, actor: User, user_id: int) -> str:
    """Admin: a new one-time password (the user must change it at next login)."""
    if actor.role != "admin":
        raise Forbidden("只有管理员可以重置密码")
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("找不到这个账号")
    pw = secrets.token_urlsafe(9)
    user.password_hash, user.must_change_password, user.locked_until = hash_password(pw), True, None
    return pw


@dataclass
class ImportReport:
    created: list[tuple[str, str]] = field(default_factory=list)  # (username, one-time password)
    errors: list[str] = field(default_factory=list)  # "第N行: …"


HEADERS = {
    "用户名": "username",
    "username": "username",
    "姓名": "display_name",
    "name": "display_name",
    "display_name": "display_name",
    "团队": "team",
    "team": "team",
    "角色": "role",
    "role": "role",
    "平台": "platform",
    "platform": "platform",
}
ROLE_WORDS = {
    "学员": "trainee",
    "客服": "trainee",
    "主管": "manager",
    "管理员": "admin",
    **{k: k for k in ROLES},
}
PLATFORM_WORDS = {
    "天猫": "tmall",
    "淘宝": "taobao",
    "京东": "jd",
    "": None,
    **{k: k for k in PLATFORMS},
}


def import_users_csv(*, session: Session, text: str, now: dt.datetime) -> ImportReport:
    """Import users from CSV (用户名,姓名,团队,角色,平台 or English headers).  Every bad line is
    reported with its line number, and nothing is imported when any line is bad."""
    report = ImportReport()
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    rows = list(reader)
    if not rows:
        report.errors.append("文件是空的")
        return report
    header = [HEADERS.get(h.strip().lower(), HEADERS.get(h.strip())) for h in rows[0]]
    missing = {"username", "display_name", "role"} - set(header)
    if missing:
        report.errors.append(
            f"第1行：表头缺少 {'、'.join(sorted(missing))}（需要 用户名,姓名,团队,角色,平台）"
        )
        return report
    existing = set(session.scalars(select(User.username)))
    seen: set[str] = set()
    parsed = []
    for n, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        rec = {k: (row[i].strip() if i < len(row) else "") for i, k in enumerate(header) if k}
        role = ROLE_WORDS.get(rec.get("role", ""))
        platform = PLATFORM_WORDS.get(rec.get("platform", ""), "bad")
        name = rec.get("username", "")
        problems = []
        if not USERNAME_RE.match(name):
            problems.append("用户名无效")
        elif name in existing or name in seen:
            problems.append(f"用户名 {name} 已存在")
        if role is None:
            problems.append(f"角色 {rec.get('role')!r} 无效（学员/主管/管理员）")
        if platform == "bad":
            problems.append(f"平台 {rec.get('platform')!r} 无效（天猫/淘宝/京东）")
        if problems:
            report.errors.append(f"第{n}行：" + "；".join(problems))
            continue
        seen.add(name)
        parsed.append(
            (name, rec.get("display_name") or name, role, rec.get("team") or None, platform)
        )
    if report.errors:
        return report
    for name, display, role, team, platform in parsed:
        pw = secrets.token_urlsafe(9)
        add_user(
            session=session,
            username=name,
            display_name=display,
            password=pw,
            role=role,
            team=team,
            platform=platform,
            now=now,
            must_change_password=True,
        )
        report.created.append((name, pw))
    return report


# ---------------------------------------------------------------- admin (issue 6: 管理 page)

UNCHANGED = object()


def _require_admin(actor: User) -> None:
    if actor is None or actor.role != "admin":
        raise Forbidden("只有管理员可以管理账号和团队")


def list_users(*, session: Session, actor: User) -> list[tuple[User, str | None]]:
    """Admin: every account with its team name, by team, role and username."""
    _require_admin(actor)
    q = (
        select(User, Team.name)
        .outerjoin(Team, Team.id == User.team_id)
        .order_by(Team.name, User.role, User.username)
    )
    return [(u, t) for u, t in session.execute(q)]


def list_teams(*, session: Session, actor: User) -> list[tuple[Team, int, list[str]]]:
    """Admin: every team with its number of active trainees and its managers' names."""
    _require_admin(actor)
    counts = dict(
        session.execute(
            select(User.team_id, func.count())
            .where(User.role == "trainee", User.active.is_(True))
            .group_by(User.team_id)
        ).all()
    )
    managers: dict[int, list[str]] = {}
    for team_id, name in session.execute(
        select(ManagedTeam.team_id, User.display_name)
        .join(User, User.id == ManagedTeam.manager_id)
        .order_by(User.display_name)
    ):
        managers.setdefault(team_id, []).append(name)
    teams = session.scalars(select(Team).order_by(Team.name))
    return [(t, counts.get(t.id, 0), managers.get(t.id, [])) for t in teams]


def create_user(
    *,
    session: Session,
    actor: User,
    username: str,
    display_name: str,
    role: str,
    now: dt.datetime,
    team: str | None = None,
    platform: str | None = None,
    password: str | None = None,
) -> tuple[User, str | None]:
    """Admin: a new account that must change its password at first login.  With no
    ``password`` a one-time password is generated and returned (else None is returned)."""
    _require_admin(actor)
    pw = password or secrets.token_urlsafe(9)
    user = add_user(
        session=session,
        username=username,
        display_name=display_name,
        password=pw,
        role=role,
        now=now,
        team=team or None,
        platform=platform or None,
        must_change_password=True,
    )
    return user, (None if password else pw)


def import_users(*, session: Session, actor: User, text: str, now: dt.datetime) -> ImportReport:
    """Admin: :func:`import_users_csv` (all lines or none; errors by line number)."""
    _require_admin(actor)
    return import_users_csv(session=session, text=text, now=now)


def update_user(
    *,
    session: Session,
    actor: User,
    user_id: int,
    now: dt.datetime,
    display_name: str | None = None,
    role: str | None = None,
    team: object = UNCHANGED,
    platform: object = UNCHANGED,
    active: bool | None = None,
) -> User:
    """Admin: change an account's name, role, team (a name; None for none), platform or
    active flag.  An admin cannot demote or deactivate themselves (there must always be one)."""
    _require_admin(actor)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("找不到这个账号")
    if user.id == actor.id and ((role and role != "admin") or active is False):
        raise ValidationFailed("不能停用自己的账号，也不能取消自己的管理员身份")
    if display_name is not None:
        if not display_name.strip():
            raise ValidationFailed("姓名不能为空")
        user.display_name = display_name.strip()[:80]
    if role is not None:
        if role not in ROLES:
            raise ValidationFailed(f"角色应为 {'/'.join(ROLES.values())}")
        user.role = role
    if team is not UNCHANGED:
        user.team_id = (
            get_or_create_team(session=session, name=str(team), now=now).id if team else None
        )
    if platform is not UNCHANGED:
        if platform and platform not in PLATFORMS:
            raise ValidationFailed(f"平台应为 {'/'.join(PLATFORMS.values())}")
        user.platform = platform or None
    if active is not None:
        user.active = bool(active)
    if user.role == "manager" and user.team_id is not None:
        manage_team(session=session, manager=user, team_id=user.team_id)
    if user.role != "manager":
        session.execute(ManagedTeam.__table__.delete().where(ManagedTeam.manager_id == user.id))
    session.flush()
    return user


def set_managed_teams(
    *, session: Session, actor: User, manager_id: int, team_ids: list[int]
) -> None:
    """Admin: the teams a manager sees (replaces the list)."""
    _require_admin(actor)
    manager = session.get(User, manager_id)
    if manager is None:
        raise NotFound("找不到这个账号")
    if manager.role != "manager":
        raise ValidationFailed("只有主管可以负责团队")
    known = set(session.scalars(select(Team.id)))
    unknown = [t for t in team_ids if t not in known]
    if unknown:
        raise NotFound("找不到所选的团队")
    session.execute(ManagedTeam.__table__.delete().where(ManagedTeam.manager_id == manager_id))
    for tid in dict.fromkeys(team_ids):
        session.add(ManagedTeam(manager_id=manager_id, team_id=tid))
    session.flush()


def create_team(
    *, session: Session, actor: User, name: str, now: dt.datetime, platform: str | None = None
) -> Team:
    """Admin: a new team (an existing name is refused, not reused)."""
    _require_admin(actor)
    name = name.strip()
    if session.scalars(select(Team).where(Team.name == name)).first():
        raise Duplicate(f"团队 {name} 已存在")
    if platform and platform not in PLATFORMS:
        raise ValidationFailed(f"平台应为 {'/'.join(PLATFORMS.values())}")
    return get_or_create_team(session=session, name=name, now=now, platform=platform or None)


def teams_of_manager(*, session: Session, actor: User, manager_id: int) -> list[int]:
    """Admin: the ids of the teams a manager is responsible for."""
    _require_admin(actor)
    return list(
        session.scalars(select(ManagedTeam.team_id).where(ManagedTeam.manager_id == manager_id))
    )
