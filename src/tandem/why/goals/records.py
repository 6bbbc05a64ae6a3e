"""The goals' rows as answers, and the lookups that keep every row inside the caller's team.

A goal or key result of another team is "not found" (:func:`goal`, :func:`key_result`), so a
guard on the team is a guard on everything under it.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.errors import InputError, NotFoundError
from tandem.people import service as people_service
from tandem.people.models import Person, Team
from tandem.why.goals import fields
from tandem.why.goals.metrics import MetricSpec, spec_from
from tandem.why.goals.models import CheckIn, Goal, KeyResult, Vision
from tandem.why.goals.schemas import CheckInOut, GoalBrief, KeyResultDef, VisionOut


def name(person: Person | None) -> str | None:
    """A person's display name (None for nobody)."""
    return None if person is None else person.display_name


def vision_out(vision: Vision, session: Session) -> VisionOut:
    """A vision row as the answer."""
    author = session.get(Person, vision.updated_by_id) if vision.updated_by_id else None
    return VisionOut(
        team_id=vision.team_id,
        statement=vision.statement,
        postcard=vision.postcard,
        horizon=vision.horizon,
        updated_at=vision.updated_at,
        updated_by=name(author),
    )


def brief(goal: Goal) -> GoalBrief:
    """A goal row as its brief (no progress)."""
    return GoalBrief(
        id=goal.id,
        team_id=goal.team_id,
        title=goal.title,
        why=goal.why,
        starts_on=goal.starts_on,
        ends_on=goal.ends_on,
        target_share=goal.target_share,
        owner_id=goal.owner_id,
        owner=name(goal.owner),
        status=fields.status(goal.status),
        key_results=len(goal.key_results),
    )


def spec(kr: KeyResult) -> MetricSpec | None:
    """The key result's metric contract (None for a manual key result)."""
    return None if kr.metric is None else spec_from(kr.metric)


def definition(kr: KeyResult) -> KeyResultDef:
    """A key result row as defined (no progress)."""
    contract = spec(kr)
    return KeyResultDef(
        id=kr.id,
        goal_id=kr.goal_id,
        title=kr.title,
        kind="metric" if kr.kind == "metric" else "manual",
        metric=contract,
        metric_text=contract.describe() if contract else None,
        unit=kr.unit,
        direction="down" if kr.direction == "down" else "up",
        baseline=kr.baseline,
        target=kr.target,
    )


def checkin_out(checkin: CheckIn, session: Session) -> CheckInOut:
    """A check-in row as the answer."""
    author = session.get(Person, checkin.author_id) if checkin.author_id else None
    return CheckInOut(
        id=checkin.id,
        key_result_id=checkin.key_result_id,
        checked_at=checkin.checked_at,
        confidence=checkin.confidence,
        note=checkin.note,
        value=checkin.value,
        author=name(author),
    )


def goal(session: Session, team: Team, goal_id: int) -> Goal:
    """The team's goal ``goal_id`` ("not found" when another team's)."""
    found = session.get(Goal, goal_id)
    if found is None or found.team_id != team.id:
        raise NotFoundError(f"team {team.name} has no goal {goal_id}")
    return found


def key_result(session: Session, team: Team, key_result_id: int) -> KeyResult:
    """The team's key result ``key_result_id`` ("not found" when another team's)."""
    kr = session.get(KeyResult, key_result_id)
    if kr is None or kr.goal.team_id != team.id:
        raise NotFoundError(f"team {team.name} has no key result {key_result_id}")
    return kr


def owner(session: Session, owner: int | str | None) -> Person | None:
    """The person a goal is owned by (None when not given)."""
    if owner is None or owner == "":
        return None
    try:
        return people_service.find_person(session=session, ref=str(owner))
    except NotFoundError as error:
        raise InputError(error.message, field="owner") from None


def share_total(session: Session, team: Team, *, leaving_out: int | None = None) -> float:
    """The effort share the team's active goals take (one goal left out when given)."""
    shares = session.scalars(
        select(Goal.target_share).where(
            Goal.team_id == team.id, Goal.status == "active", Goal.id != (leaving_out or -1)
        )
    ).all()
    return sum(share for share in shares if share is not None)


def check_share(session: Session, team: Team, share: float | None, goal_id: int | None) -> None:
    """Refuse a share that would take the team's active goals past 100 % of the effort."""
    if share is None:
        return
    others = share_total(session, team, leaving_out=goal_id)
    if others + share > 1 + 1e-9:
        raise InputError(
            f"team {team.name}'s active goals already take {others:.0%} of the effort; "
            f"{share:.0%} more would pass 100 %",
            field="target_share",
        )
