"""Performance check-ins on SQLite and PostgreSQL: who reads a person's and a team's check-in,
key results equal to the goals answer's, the bands, the people floor, and no ranking."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.accounts.errors import PermissionDeniedError
from tandem.audit.models import AuditEvent
from tandem.errors import NotFoundError
from tandem.manage import bands
from tandem.manage.checkins import service
from tandem.manage.checkins.schemas import PersonCheckin, TeamCheckin
from tandem.manage.one_on_ones import service as one_on_one_service
from tandem.people.models import Membership, Person, Team
from tandem.profile.visibility import Viewer
from tandem.why.goals import service as goals_service
from tandem.workspace import Workspace
from tests.manage.checkin_org import AS_OF, CheckinOrg, give, make_checkin_org


@pytest.fixture
def org(db_session: Session, workspace: Workspace) -> CheckinOrg:
    return make_checkin_org(db_session, workspace)


def read(session: Session, ws: Workspace, org: CheckinOrg, viewer: str, person: str) -> Any:
    return service.person_checkin(
        session=session, workspace=ws, viewer=org.viewer(viewer), person_id=org.ids[person],
        as_of=AS_OF, actor=f"test:{viewer}",
    )  # fmt: skip


def team(session: Session, ws: Workspace, org: CheckinOrg, viewer: Viewer) -> TeamCheckin:
    return service.team_checkin(
        session=session, workspace=ws, viewer=viewer, team=org.team_id, as_of=AS_OF
    )


def audits(session: Session) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == "checkin.read")))


def test_a_person_reads_their_own_check_in_unaudited(
    db_session: Session, workspace: Workspace, org: CheckinOrg
) -> None:
    out = read(db_session, workspace, org, "ann", "ann")
    assert out.relation == "self" and out.person.name == "Ann"
    assert audits(db_session) == []


def test_the_line_manager_reads_it_audited_with_ids_only(
    db_session: Session, workspace: Workspace, org: CheckinOrg
) -> None:
    out = read(db_session, workspace, org, "max", "ann")
    assert out.relation == "manager"
    [event] = audits(db_session)
    assert (event.subject_person_id, event.related_person_id) == (org.ids["ann"], org.ids["max"])
    assert event.target == f"person:{org.ids['ann']}" and event.detail == {}


@pytest.mark.parametrize(
    "reader",
    [
        "bob",  # a peer
        "lea",  # the team's leader, not Ann's line manager
        "dee",  # the manager's manager
        "eve",  # nobody in the line
        "dir",  # a director (who manages Dee in the roster)
        "adm",  # an admin
    ],
)
def test_everyone_else_gets_the_same_not_found(
    db_session: Session, workspace: Workspace, org: CheckinOrg, reader: str
) -> None:
    with pytest.raises(NotFoundError) as refused:
        read(db_session, workspace, org, reader, "ann")
    missing = org.ids["eve"] + 1000
    with pytest.raises(NotFoundError) as absent:
        service.person_checkin(
            session=db_session, workspace=workspace, viewer=org.viewer("max"), person_id=missing,
            as_of=AS_OF, actor="t",
        )  # fmt: skip
    assert refused.value.message == f"no check-in of person {org.ids['ann']} you may read"
    assert absent.value.message == f"no check-in of person {missing} you may read"
    assert audits(db_session) == []


def test_a_director_is_refused_even_as_a_roster_manager(
    db_session: Session, workspace: Workspace, org: CheckinOrg
) -> None:
    with pytest.raises(NotFoundError):
        read(db_session, workspace, org, "dir", "dee")  # Dee reports to the director
    with pytest.raises(NotFoundError):  # the operator: no person
        service.person_checkin(
            session=db_session, workspace=workspace, viewer=Viewer(), person_id=org.ids["ann"],
            as_of=AS_OF, actor="t",
        )  # fmt: skip


def test_key_results_equal_the_goals_answer(
    db_session: Session, workspace: Workspace, org: CheckinOrg
) -> None:
    out = read(db_session, workspace, org, "ann", "ann")
    [goal] = out.goals
    expected = goals_service.goal_progress(
        session=db_session, workspace=workspace, team=org.team_id, goal_id=org.goal_id,
        as_of=AS_OF, history=False,
    )  # fmt: skip
    assert (goal.id, goal.team.name, goal.progress, goal.track) == (
        org.goal_id,
        "Alpha",
        expected.progress,
        expected.track,
    )
    [kr] = goal.key_results
    [want] = expected.key_results
    assert (kr.value, kr.progress, kr.track, kr.as_of) == (4.0, want.progress, want.track, AS_OF)
    assert (want.value, want.progress) == (4.0, pytest.approx(0.4))
    assert read(db_session, workspace, org, "bob", "bob").goals == []  # Bob owns none


def test_cadence_of_feedback_and_1_1s(
    db_session: Session, workspace: Workspace, org: CheckinOrg
) -> None:
    give(db_session, org, "max", "ann", AS_OF - dt.timedelta(days=10))
    give(db_session, org, "ann", "bob", AS_OF - dt.timedelta(days=100))  # out of the 90 days
    give(db_session, org, "ann", "cat", AS_OF - dt.timedelta(days=2))
    pair = one_on_one_service.start_pair(
        session=db_session, viewer=org.viewer("max"), other=org.ids["ann"], actor="t",
        as_of=AS_OF - dt.timedelta(days=40),
    )  # fmt: skip
    meeting = one_on_one_service.add_meeting(
        session=db_session, viewer=org.viewer("ann"), pair_id=pair.id,
        starts_at=dt.datetime.combine(AS_OF - dt.timedelta(days=20), dt.time(10), dt.UTC),
    )  # fmt: skip
    one_on_one_service.add_action(
        session=db_session, viewer=org.viewer("ann"), pair_id=pair.id, owner=org.ids["ann"],
        text="Write the runbook", due_date=AS_OF - dt.timedelta(days=1), meeting_id=meeting.id,
    )  # fmt: skip
    out = read(db_session, workspace, org, "ann", "ann")
    fb = out.feedback
    assert fb.manager is not None and fb.manager.name == "Max"
    assert (fb.days_since, fb.alert, fb.given, fb.received) == (10, False, 1, 1)
    meet = out.one_on_one
    assert (meet.pair_id, meet.days_since, meet.cadence_days, meet.overdue) == (
        pair.id,
        20,
        14,
        True,
    )
    assert meet.alert == "no 1:1 for 20 days (cadence: every 14 days)"
    assert (meet.open_actions, meet.overdue_actions) == (1, 1)
    # the manager reads what Ann received (all of it theirs to read), not how much she gave
    seen = read(db_session, workspace, org, "max", "ann").feedback
    assert (seen.days_since, seen.given, seen.received) == (10, None, 1)
    bob = read(db_session, workspace, org, "max", "bob")  # never given feedback, no pair
    assert (bob.feedback.days_since, bob.feedback.alert) == (None, True)
    assert bob.one_on_one.pair_id is None and bob.one_on_one.alert is not None
    assert bob.one_on_one.overdue
    lea = read(db_session, workspace, org, "lea", "lea")  # a line manager (Dee), no pair
    assert lea.one_on_one.overdue and lea.one_on_one.manager is not None
    dee = read(db_session, workspace, org, "dee", "dee")  # Dee's manager is the director
    assert dee.one_on_one.manager is not None and dee.one_on_one.pair_id is None


@pytest.mark.parametrize(
    ("within", "people", "label"),
    [
        (0, 5, "0–25 %"),
        (1, 5, "0–25 %"),
        (1, 4, "25–50 %"),  # a lower edge belongs to the band above it
        (2, 5, "25–50 %"),
        (2, 4, "50–75 %"),
        (3, 4, "75–100 %"),
        (4, 5, "75–100 %"),
        (5, 5, "75–100 %"),  # "all" is never told apart from 75 %
        (24, 100, "0–25 %"),
        (25, 100, "25–50 %"),
        (74, 100, "50–75 %"),
        (75, 100, "75–100 %"),
    ],
)
def test_quartile_band_edges(within: int, people: int, label: str) -> None:
    assert bands.band(within, people) == label


@pytest.mark.parametrize(("within", "people"), [(0, 0), (6, 5), (-1, 5)])
def test_a_band_needs_a_share(within: int, people: int) -> None:
    with pytest.raises(ValueError, match="share"):
        bands.band(within, people)


@pytest.mark.parametrize(("name", "view"), [("lea", "team"), ("max", "team")])
def test_the_team_s_leader_and_manager_read_it_by_name(
    db_session: Session, workspace: Workspace, org: CheckinOrg, name: str, view: str
) -> None:
    for receiver in ("ann", "bob", "cat", "dan"):
        give(db_session, org, "max", receiver, AS_OF - dt.timedelta(days=3))
    out = team(db_session, workspace, org, org.viewer(name))
    assert out.view == view and out.members is not None and out.goals is not None
    names = [m.person.name for m in out.members]
    assert names == ["Ann", "Bob", "Cat", "Dan", "Fay", "Lea", "Max"]
    with_rows = {m.person.name for m in out.members if m.cadence is not None}
    assert with_rows == ({"Ann", "Bob", "Cat", "Dan", "Fay"} if name == "max" else set())
    # 7 people with a line manager: 4 had feedback within 30 days (57 %), none a 1:1
    assert (out.shares.feedback_within, out.shares.one_on_one_within) == ("50–75 %", "0–25 %")
    assert out.shares.withheld is None
    [goal] = out.goals
    assert goal.id == org.goal_id and goal.key_results[0].value == 4.0


def test_member_order_is_alphabetical_whatever_the_cadence(
    db_session: Session, workspace: Workspace, org: CheckinOrg
) -> None:
    before = team(db_session, workspace, org, org.viewer("max"))
    give(db_session, org, "max", "fay", AS_OF)  # Fay: the freshest feedback
    give(db_session, org, "max", "cat", AS_OF - dt.timedelta(days=29))
    after = team(db_session, workspace, org, org.viewer("max"))
    assert before.members is not None and after.members is not None
    order = [m.person.id for m in after.members]
    assert order == [m.person.id for m in before.members]
    assert [m.person.name for m in after.members] == sorted(m.person.name for m in after.members)
    days = {m.person.name: m.cadence.feedback_days for m in after.members if m.cadence}
    assert (days["Fay"], days["Cat"], days["Ann"]) == (0, 29, None)


def test_directors_and_admins_read_aggregates_only(
    db_session: Session, workspace: Workspace, org: CheckinOrg
) -> None:
    director = team(db_session, workspace, org, org.viewer("dir"))
    assert director.view == "aggregate" and director.members is None
    assert director.goals is not None and len(director.goals) == 1
    admin = team(db_session, workspace, org, org.viewer("adm"))
    assert admin.view == "aggregate" and admin.members is None and admin.goals is None
    assert admin.goals_withheld is not None
    # a goal's owner is what the why pages show directors; nobody else is named
    assert director.goals[0].owner == "Ann" and director.goals[0].key_results[0].as_of == AS_OF
    dumped = admin.model_dump_json() + director.model_dump_json()
    for name in ("Bob", "Cat", "Dan", "Fay", "Lea", "Max"):
        assert f'"{name}"' not in dumped


@pytest.mark.parametrize("name", ["ann", "eve", "dee"])
def test_members_and_outsiders_are_refused_the_team_view(
    db_session: Session, workspace: Workspace, org: CheckinOrg, name: str
) -> None:
    with pytest.raises(PermissionDeniedError):
        team(db_session, workspace, org, org.viewer(name))
    with pytest.raises(PermissionDeniedError):  # the operator
        team(db_session, workspace, org, Viewer())


def test_a_leader_of_another_team_is_refused(
    db_session: Session, workspace: Workspace, org: CheckinOrg
) -> None:
    beta = Team(name="Beta")
    db_session.add(beta)
    db_session.flush()
    db_session.add(Membership(person_id=org.ids["eve"], team_id=beta.id, role="leader"))
    db_session.flush()
    with pytest.raises(PermissionDeniedError):
        team(db_session, workspace, org, Viewer(person_id=org.ids["eve"], role="leader"))


def test_shares_are_withheld_below_five_people_without_a_count(
    db_session: Session, workspace: Workspace, org: CheckinOrg
) -> None:
    small = Team(name="Small")
    db_session.add(small)
    db_session.flush()
    for key, role in (("max", "manager"), ("ann", "member"), ("bob", "member"), ("cat", "member")):
        db_session.add(Membership(person_id=org.ids[key], team_id=small.id, role=role))
    db_session.flush()
    out = service.team_checkin(
        session=db_session, workspace=workspace, viewer=org.viewer("dir"), team=small.id,
        as_of=AS_OF,
    )  # fmt: skip
    shares = out.shares
    assert shares.feedback_within is None and shares.one_on_one_within is None
    assert shares.withheld is not None and "fewer than 5 people" in shares.withheld
    assert not any(d in shares.withheld for d in "012346789")  # no count, only the floor
    # a fifth person with a line manager: shown
    db_session.add(Membership(person_id=org.ids["dan"], team_id=small.id, role="member"))
    db_session.flush()
    shown = service.team_checkin(
        session=db_session, workspace=workspace, viewer=org.viewer("dir"), team=small.id,
        as_of=AS_OF,
    )  # fmt: skip
    assert shown.shares.withheld is None and shown.shares.feedback_within == "0–25 %"


def test_people_without_a_line_manager_are_outside_the_shares(
    db_session: Session, workspace: Workspace, org: CheckinOrg
) -> None:
    for key in ("lea", "max"):  # Alpha keeps 5 people with a line manager
        db_session.get_one(Person, org.ids[key]).manager_id = None
    db_session.flush()
    for receiver in ("ann", "bob", "cat", "dan", "fay"):
        give(db_session, org, "max", receiver, AS_OF - dt.timedelta(days=1))
    out = team(db_session, workspace, org, org.viewer("dir"))
    assert out.shares.feedback_within == "75–100 %"


FORBIDDEN = {
    "throughput", "cycle_time", "lead_time", "wip", "commits", "commit_count",
    "pull_requests", "prs", "reviews", "insertions", "deletions", "rank", "ranking",
    "score", "items_done", "velocity", "story_points",
}  # fmt: skip


def _property_names(model: type[BaseModel]) -> set[str]:
    schema = model.model_json_schema()
    names: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            names.update(node.get("properties", {}))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    return names


@pytest.mark.parametrize("model", [PersonCheckin, TeamCheckin])
def test_no_work_metric_field_in_the_answers(model: type[BaseModel]) -> None:
    names = _property_names(model)
    assert "feedback" in names or "shares" in names  # the walk reads the schema
    assert not names & FORBIDDEN
    assert not any(
        word in name for name in names for word in ("throughput", "cycle", "commit", "rank")
    )


def test_one_s_own_check_in_lists_one_s_reports_and_a_manager_s_read_does_not(
    db_session: Session, workspace: Workspace, org: CheckinOrg
) -> None:
    mine = read(db_session, workspace, org, "max", "max")
    assert [r.name for r in mine.reports] == ["Ann", "Bob", "Cat", "Dan", "Fay"]
    assert read(db_session, workspace, org, "max", "ann").reports == []


def test_feedback_after_the_check_in_s_day_does_not_count_on_it(
    db_session: Session, workspace: Workspace, org: CheckinOrg
) -> None:
    give(db_session, org, "max", "ann", AS_OF - dt.timedelta(days=40))
    give(db_session, org, "max", "ann", AS_OF + dt.timedelta(days=3))
    out = read(db_session, workspace, org, "ann", "ann")
    assert (out.feedback.days_since, out.feedback.alert, out.feedback.received) == (40, True, 1)


def test_a_goal_owned_in_another_team_is_not_shown_to_the_manager(
    db_session: Session, workspace: Workspace, org: CheckinOrg
) -> None:
    """Ann owns a goal of team Beta too, which Max is not one of: Ann sees both of her goals,
    her line manager only Alpha's (Beta's goals are its own people's to read)."""
    beta = Team(name="Beta")
    db_session.add(beta)
    db_session.flush()
    db_session.add(Membership(person_id=org.ids["ann"], team_id=beta.id, role="member"))
    db_session.flush()
    goals_service.add_goal(
        session=db_session, team=beta.id, title="Quieter pager", starts_on="2026-01-01",
        ends_on="2026-06-30", owner=org.ids["ann"],
    )  # fmt: skip
    own = read(db_session, workspace, org, "ann", "ann")
    assert sorted(g.team.name for g in own.goals) == ["Alpha", "Beta"]
    seen = read(db_session, workspace, org, "max", "ann")
    assert [g.team.name for g in seen.goals] == ["Alpha"]
