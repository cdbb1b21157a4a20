"""Who may see what: the agents and teams of a manager (or everyone, for an admin).

Every report function starts here, so a trainee gets :class:`Forbidden` from all of them and a
manager only ever aggregates over the teams listed for them in ``managed_teams``.  The scope
is a SQL subquery, so the database filters; no id list travels through Python.
"""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from trainer.records.errors import Forbidden, NotFound
from trainer.records.models import ManagedTeam, Team, User

REPORT_ROLES = ("manager", "admin")


def require_reports(actor: User) -> None:
    """Managers and admins only; anybody else gets :class:`Forbidden` (Chinese message)."""
    if actor is None or actor.role not in REPORT_ROLES:
        raise Forbidden("只有主管和管理员可以查看团队数据")


def managed_team_ids(actor: User) -> Select:
    return select(ManagedTeam.team_id).where(ManagedTeam.manager_id == actor.id)


def agent_ids(
    *,
    actor: User,
    team_id: int | None = None,
    platform: str | None = None,
    user_id: int | None = None,
    include_inactive: bool = False,
) -> Select:
    """A subquery of the ids of the agents (trainees) ``actor`` may see, filtered."""
    require_reports(actor)
    q = select(User.id).where(User.role == "trainee")
    if not include_inactive:
        q = q.where(User.active.is_(True))
    if actor.role == "manager":
        q = q.where(User.team_id.in_(managed_team_ids(actor)))
    if team_id is not None:
        q = q.where(User.team_id == team_id)
    if platform:
        q = q.where(User.platform == platform)
    if user_id is not None:
        q = q.where(User.id == user_id)
    return q


def visible_teams(*, session: Session, actor: User) -> list[Team]:
    """The teams ``actor`` may filter by (manager: theirs; admin: all), by name."""
    require_reports(actor)
    q = select(Team).order_by(Team.name)
    if actor.role == "manager":
        q = q.where(Team.id.in_(managed_team_ids(actor)))
    return list(session.scalars(q))


def require_agent(*, session: Session, actor: User, user_id: int) -> User:
    """The agent ``user_id`` if ``actor`` may see them; :class:`Forbidden` / :class:`NotFound`."""
    require_reports(actor)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("找不到这位学员")
    allowed = session.scalar(
        agent_ids(actor=actor, user_id=user_id, include_inactive=True).limit(1)
    )
    if allowed is None:
        raise Forbidden("没有权限查看这位学员的数据")
    return user


def visible_agents(
    *, session: Session, actor: User, team_id: int | None = None, platform: str | None = None
) -> list[tuple[int, str, str, str]]:
    """(user id, display name, username, team name) of the actor's agents, by team and name."""
    q = (
        select(User.id, User.display_name, User.username, Team.name)
        .outerjoin(Team, Team.id == User.team_id)
        .where(User.id.in_(agent_ids(actor=actor, team_id=team_id, platform=platform)))
        .order_by(Team.name, User.display_name, User.id)
    )
    return [(uid, name, username, team or "—") for uid, name, username, team in session.execute(q)]
