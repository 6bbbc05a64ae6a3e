"""Performance check-ins (DESIGN §3, practice 7): key-result progress, feedback and 1:1 cadence
in one view, for a person and for a team — and no ranking of people by work metrics.

**A person's check-in** (:func:`person_checkin`) is read by the person and by their line
manager today (``Person.manager_id``), nobody else: not a peer, not the team's leader unless
they are the line manager, not a director or an admin. Everyone else gets the same "not found",
so a refusal does not say who reports to whom. A manager's read is audited (``checkin.read``,
ids only). It holds the goals the person owns, measured by the goals answer
(:func:`tandem.why.goals.answer.goal_progress`, no new calculation: a withheld value stays
withheld), feedback cadence from the feedback service's rule and the 1:1 cadence from the 1:1
service's rule — never the person's throughput, cycle time or commits.

**A team's check-in** (:func:`team_checkin`) is read by the team's leader and manager (their
team role, as for concerns) and by directors and admins. It holds the team's goals (directors:
as on the why pages; admins, who do not read the why pages, none), the members by display name
in alphabetical order (leader and manager only; a member's cadence only to their own line
manager) and the team's shares in quartile bands, withheld below 5 people (DESIGN §7).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.accounts.errors import PermissionDeniedError
from tandem.audit import service as audit
from tandem.errors import NotFoundError
from tandem.flow.engine import FIRST_DAY
from tandem.manage.acting import acting_person, person_ref, team_people
from tandem.manage.bands import band
from tandem.manage.checkins.schemas import (
    FeedbackCadence,
    GoalLine,
    KeyResultLine,
    MemberCadence,
    MemberRow,
    OneOnOneCadence,
    PersonCheckin,
    TeamCheckin,
    TeamShares,
)
from tandem.manage.days import day
from tandem.manage.feedback import service as feedback_service
from tandem.manage.feedback.schemas import PersonRef
from tandem.manage.one_on_ones import service as one_on_one_service
from tandem.people.models import Person
from tandem.profile.visibility import INDIVIDUAL_ROLES, Viewer
from tandem.why.goals import answer as goals_answer
from tandem.why.goals.metrics import Measure
from tandem.why.goals.models import Goal
from tandem.why.goals.schemas import GoalProgress
from tandem.why.scope import TeamRef, find_team
from tandem.workspace import Workspace

__all__ = ["MIN_PEOPLE", "person_checkin", "team_checkin"]

MIN_PEOPLE = 5  # DESIGN §7: people-derived aggregates need n ≥ 5
TEAM_ROLES = ("leader", "manager")  # who reads a team's check-in in the team (by team role)
AGGREGATE_ROLES = ("director", "admin")  # any team, aggregates only
GOAL_ROLES = ("director",)  # of the aggregate roles, who reads a team's goals (view_why)

NOT_FOUND = "no check-in of person {} you may read"
TEAM_REFUSAL = (
    "a team's check-in is read by its leader and manager, and by directors and admins "
    "(aggregates only)"
)
WITHHELD = (
    f"withheld: fewer than {MIN_PEOPLE} people with a line manager in this team; the shares "
    f"show from {MIN_PEOPLE} on"
)
GOALS_WITHHELD = "admins run the install: a team's goals are read by its people and directors"


def _key_result_lines(answer: GoalProgress) -> list[KeyResultLine]:
    fields = set(KeyResultLine.model_fields)
    return [KeyResultLine(**kr.model_dump(include=fields)) for kr in answer.key_results]


def _goal_line(answer: GoalProgress, team: TeamRef) -> GoalLine:
    brief = answer.goal
    return GoalLine(
        id=brief.id, team=team, title=brief.title, status=brief.status,
        starts_on=brief.starts_on, ends_on=brief.ends_on, owner=brief.owner,
        as_of=answer.as_of, progress=answer.progress, track=answer.track,
        key_results=_key_result_lines(answer),
    )  # fmt: skip


def _goal_day(as_of: dt.date, lake_last: dt.date | None, ends_on: dt.date | None) -> dt.date | None:
    """The day to ask the goals answer for: ``as_of`` when it is before the goals page's own
    day (the goal's last day or the lake's, the earlier; a team's goals: the lake's), else None
    (that rule itself: a goal is not measured past its end or the lake's last day)."""
    default = ends_on
    if lake_last is not None and (default is None or lake_last < default):
        default = max(lake_last, FIRST_DAY)
    return as_of if default is None or as_of < default else None


class _Goals:
    """The goals a check-in shows, measured by the goals answer (which opens a flow engine only
    for a measure the cache does not hold: a warm page opens none)."""

    def __init__(self, workspace: Workspace, cached: Measure | None) -> None:
        self.workspace, self.cached = workspace, cached

    def lake_last(self) -> dt.date | None:
        return self.workspace.lake.last_day()  # remembered per lake commit

    def owned(
        self, session: Session, person: Person, as_of: dt.date, reader: Person
    ) -> list[GoalLine]:
        """The goals ``person`` owns; to another ``reader`` (their line manager) only those of
        teams the reader is one of the people of (the why pages' rule): a goal the person owns
        in another team is that team's to show."""
        goals = session.scalars(
            select(Goal)
            .where(Goal.owner_id == person.id, Goal.status != "dropped")
            .order_by(Goal.starts_on.desc(), Goal.id)
        ).all()
        if reader.id != person.id:
            goals = [g for g in goals if reader.id in team_people(session, g.team_id)]
        lines = []
        for goal in goals:
            answer = goals_answer.goal_progress(
                session=session, workspace=self.workspace, team=goal.team_id, goal_id=goal.id,
                as_of=_goal_day(as_of, self.lake_last(), goal.ends_on), cached=self.cached,
                history=False,
            )  # fmt: skip
            lines.append(_goal_line(answer, TeamRef(id=goal.team.id, name=goal.team.name)))
        return lines

    def team(self, session: Session, team: TeamRef, as_of: dt.date) -> list[GoalLine]:
        answer = goals_answer.team_goals(
            session=session, workspace=self.workspace, team=team.id,
            as_of=_goal_day(as_of, self.lake_last(), None), cached=self.cached, history=False,
        )  # fmt: skip
        return [_goal_line(goal, answer.team) for goal in answer.goals]


def _feedback(
    session: Session, person: Person, as_of: dt.date, *, own: bool = False
) -> FeedbackCadence:
    """``own``: the person reads it (how much they gave is theirs alone: their line manager
    may not read the feedback they gave to others, nor learn how much there is)."""
    given, received = feedback_service.person_counts(
        session=session, person_id=person.id, as_of=as_of
    )
    common = {
        "alert_days": feedback_service.ALERT_DAYS,
        "count_days": feedback_service.COUNT_DAYS,
        "given": given if own else None,
        "received": received,
    }
    if person.manager is None:
        return FeedbackCadence(
            manager=None, last_given_at=None, days_since=None, alert=False, **common
        )
    row = feedback_service.cadence_row(session, person.manager, person, as_of)
    return FeedbackCadence(
        manager=row.manager, last_given_at=row.last_given_at, days_since=row.days_since,
        alert=row.alert, **common,
    )  # fmt: skip


def _one_on_one(session: Session, person: Person, as_of: dt.date) -> OneOnOneCadence:
    manager = person.manager
    found = (
        None
        if manager is None
        else one_on_one_service.roster_pair(
            session=session, manager=manager, report=person, as_of=as_of
        )
    )
    if found is None:
        return OneOnOneCadence(
            manager=None if manager is None else person_ref(manager), pair_id=None,
            cadence_days=None, last_meeting_at=None, days_since=None, overdue=manager is not None,
            alert=None if manager is None else "no 1:1 pair started with the line manager",
            open_actions=0, overdue_actions=0,
        )  # fmt: skip
    pair, open_actions, overdue_actions = found
    return OneOnOneCadence(
        manager=pair.manager, pair_id=pair.id, cadence_days=pair.cadence_days,
        last_meeting_at=pair.last_meeting_at, days_since=pair.days_since, overdue=pair.overdue,
        alert=pair.alert, open_actions=open_actions, overdue_actions=overdue_actions,
    )  # fmt: skip


def _reports(session: Session, person: Person) -> list[PersonRef]:
    rows = session.scalars(
        select(Person)
        .where(Person.manager_id == person.id, Person.stand_in.is_(False))
        .order_by(Person.display_name, Person.id)
    )
    return [person_ref(p) for p in rows]


def person_checkin(
    *,
    session: Session,
    workspace: Workspace,
    viewer: Viewer,
    person_id: int,
    as_of: dt.date,
    actor: str,
    cached: Measure | None = None,
) -> PersonCheckin:
    """The person's check-in on ``as_of``: their goals' key results, feedback and 1:1 cadence
    (the person and their line manager only; anyone else: not found)."""
    as_of = day(as_of)
    refusal = NOT_FOUND.format(person_id)
    me = acting_person(session, viewer, refusal=refusal)
    person = session.get(Person, person_id)
    if person is None or person.stand_in:
        raise NotFoundError(refusal)
    if person.id == me.id:
        relation = "self"
    elif person.manager_id == me.id:
        relation = "manager"
    else:
        raise NotFoundError(refusal)
    owned = _Goals(workspace, cached).owned(session, person, as_of, me)
    if relation == "manager":
        audit.record(
            session=session, actor=actor, action="checkin.read", subject_person_id=person.id,
            related_person_id=me.id, target=f"person:{person.id}",
        )  # fmt: skip
    return PersonCheckin(
        as_of=as_of,
        person=person_ref(person),
        relation=relation,
        goals=owned,
        feedback=_feedback(session, person, as_of, own=relation == "self"),
        one_on_one=_one_on_one(session, person, as_of),
        reports=_reports(session, person) if relation == "self" else [],
    )


def _member_cadence(session: Session, person: Person, as_of: dt.date) -> MemberCadence:
    feedback = _feedback(session, person, as_of)
    meeting = _one_on_one(session, person, as_of)
    return MemberCadence(
        feedback_days=feedback.days_since,
        feedback_alert=feedback.alert,
        one_on_one_days=meeting.days_since,
        one_on_one_overdue=meeting.overdue,
    )


def _shares(people: list[Person], cadence: Callable[[Person], MemberCadence]) -> TeamShares:
    """The share of the team's people with a line manager whose feedback is within the alert
    and whose 1:1 is within its cadence, as quartile bands; withheld below the floor."""
    managed = [p for p in people if p.manager is not None]
    if len(managed) < MIN_PEOPLE:
        return TeamShares(
            feedback_within=None, one_on_one_within=None,
            alert_days=feedback_service.ALERT_DAYS, withheld=WITHHELD,
        )  # fmt: skip
    feedback_ok = meeting_ok = 0
    for person in managed:
        found = cadence(person)
        feedback_ok += not found.feedback_alert
        meeting_ok += not found.one_on_one_overdue
    return TeamShares(
        feedback_within=band(feedback_ok, len(managed)),
        one_on_one_within=band(meeting_ok, len(managed)),
        alert_days=feedback_service.ALERT_DAYS,
        withheld=None,
    )


def team_checkin(
    *,
    session: Session,
    workspace: Workspace,
    viewer: Viewer,
    team: int | str,
    as_of: dt.date,
    cached: Measure | None = None,
) -> TeamCheckin:
    """The team's check-in on ``as_of``: its goals' key results, its members by name (the
    viewer's own reports with their cadence) and its cadence shares in bands."""
    as_of = day(as_of)
    found = find_team(session, team)
    ref = TeamRef(id=found.id, name=found.name)
    roles = team_people(session, found.id)
    if viewer.role in AGGREGATE_ROLES:
        view = "aggregate"
    elif (
        viewer.person_id is not None
        and viewer.role in INDIVIDUAL_ROLES
        and roles.get(viewer.person_id) in TEAM_ROLES
    ):
        view = "team"
    else:
        raise PermissionDeniedError(TEAM_REFUSAL)
    people = list(session.scalars(select(Person).where(Person.id.in_(roles))) if roles else [])
    people.sort(key=lambda p: (p.display_name.casefold(), p.display_name, p.id))
    known: dict[int, MemberCadence] = {}

    def cadence(person: Person) -> MemberCadence:
        """A member's cadence, read once for their row and the team's shares."""
        if person.id not in known:
            known[person.id] = _member_cadence(session, person, as_of)
        return known[person.id]

    goals: list[GoalLine] | None = None
    if view == "team" or viewer.role in GOAL_ROLES:
        goals = _Goals(workspace, cached).team(session, ref, as_of)
    members = None
    if view == "team":
        members = [
            MemberRow(
                person=person_ref(p),
                cadence=(cadence(p) if p.manager_id == viewer.person_id else None),
            )
            for p in people
        ]
    return TeamCheckin(
        as_of=as_of,
        team=ref,
        view=view,
        goals=goals,
        goals_withheld=None if goals is not None else GOALS_WITHHELD,
        members=members,
        shares=_shares(people, cadence),
    )
