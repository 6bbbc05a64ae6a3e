"""A closed cycle's results never change: not by forgetting a person, merging or linking people.

The attack (issue 9): read a closed cycle's team or org view, forget (or merge away) one of its
people, read it again and subtract — n·mean before minus (n − 1)·mean after is the person's
score. Each test takes every closed-cycle answer before, does the operation, and asks again.
Built on the demo's synthetic organisation (4 teams of 8 scored people, one closed cycle); every
test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import BaseModel
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from tandem.audit import service as audit_service
from tandem.db.models import metadata
from tandem.db.session import session_scope
from tandem.demo.org import DEMO_CYCLE, DEMO_TEAMS, write_demo_org
from tandem.duos import service as duos_service
from tandem.duos.models import Duo
from tandem.errors import ConflictError
from tandem.people import cycle_rows, privacy
from tandem.people import service as people_service
from tandem.people.models import Identity, Membership, Person
from tandem.profile import premise as premise_service
from tandem.profile import service as profile_service
from tandem.profile import sharing
from tandem.profile import team as team_service
from tandem.profile.schemas import dump
from tandem.profile.visibility import OPERATOR, Viewer
from tandem.review import service as review_service
from tandem.review.models import ReviewAssignment, ReviewResponse
from tandem.workspace import Workspace
from tests.helpers import run_cli, scores_loaded_once

DIRECTOR = OPERATOR.model_copy(update={"role": "director"})
LEADER = "ines.fernhollow@example.org"  # Beacon's leader: every Beacon member reports to her
SUBJECT = "kemi.marrowdale@example.org"  # Beacon member who covers communication and conflict
COLLEAGUE = "lars.thistlecombe@example.org"  # another Beacon member; rated Kemi as a peer
PARTNER = "odile.larkspire@example.org"  # Kemi's duo partner (a higher id than hers)


@pytest.fixture
def demo(demo_db_session: Session) -> dict[str, int]:
    """The demo organisation (shared, rolled back after each test).

    Kemi shared her report with Ines and is in a duo with Odile.
    """
    ids = {p.email: p.id for p in demo_db_session.scalars(select(Person)) if p.email}
    sharing.set_shared(
        session=demo_db_session, cycle=DEMO_CYCLE, person_id=ids[SUBJECT], shared=True
    )
    duo = duos_service.confirm(
        session=demo_db_session, cycle=DEMO_CYCLE, a=SUBJECT, b=PARTNER, tie_breaker=LEADER,
        confirmed_by="admin@example.org", viewer=OPERATOR, today=dt.date(2026, 12, 1),
    )  # fmt: skip
    duos_service.respond(
        session=demo_db_session, duo_id=duo.id, viewer=Viewer(person_id=ids[SUBJECT]), accept=True
    )
    demo_db_session.flush()
    return ids


def _leader(ids: dict[str, int]) -> Viewer:
    return Viewer(person_id=ids[LEADER], role="leader")


def closed_results(session: Session, ids: dict[str, int]) -> dict[str, Any]:
    """Every answer about the closed cycle that is not one person's own report (model_dump).

    The cycle's scores are loaded once for all these questions (afresh on every call).
    """
    session.expire_all()
    with scores_loaded_once():
        return {
            "org": team_service.org_view(
                session=session, cycle=DEMO_CYCLE, viewer=DIRECTOR
            ).model_dump(),
            "teams": {
                team: team_service.team_view(
                    session=session, team=team, cycle=DEMO_CYCLE, viewer=OPERATOR
                ).model_dump()
                for team in DEMO_TEAMS
            },
            # Kemi shared her report with Ines: Ines's view names her where she covers a practice.
            "leader": team_service.team_view(
                session=session, team="Beacon", cycle=DEMO_CYCLE, viewer=_leader(ids)
            ).model_dump(),
            # Raw, unrounded cohort statistics: a stand-in's new id changes the order in which the
            # answers are summed, so only the last bits of a float may differ (12 digits compared).
            "premise": unrounded(premise_service.premise(session=session, cycle=DEMO_CYCLE)),
            "reliability": unrounded(
                profile_service.reliability(session=session, cycle=DEMO_CYCLE)
            ),
            "cycles": [
                c.model_dump() for c in review_service.list_cycles(session=session) if c.closed_at
            ],
            "reports": {
                pid: _report(session, pid) for email, pid in sorted(ids.items()) if email != SUBJECT
            },
        }


def _report(session: Session, person_id: int) -> dict[str, Any]:
    person = people_service.get_person(session=session, person_id=person_id)
    cycle = review_service.get_cycle(session=session, name=DEMO_CYCLE)
    return dump(profile_service.person_profile(session=session, person=person, cycle=cycle))


def unrounded(model: BaseModel) -> Any:
    """A model's dump with every float to 12 significant digits."""

    def digits(value: Any) -> Any:
        if isinstance(value, float):
            return float(f"{value:.12g}")
        if isinstance(value, dict):
            return {k: digits(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [digits(v) for v in value]
        return value

    return digits(model.model_dump())


def renamed(value: Any, old: str, new: str) -> Any:
    """``value`` with every string equal to ``old`` replaced by ``new`` (deeply)."""
    if isinstance(value, dict):
        return {k: renamed(v, old, new) for k, v in value.items()}
    if isinstance(value, list):
        return [renamed(v, old, new) for v in value]
    return new if value == old else value


def scan(session: Session, needles: list[str]) -> list[str]:
    """Every (table, value) in the app database whose text mentions one of ``needles``."""
    lowered = [n.lower() for n in needles]
    return [
        f"{table.name}: {value!r}"
        for table in metadata.sorted_tables
        for row in session.execute(select(table))
        for value in row
        if value is not None and any(n in str(value).lower() for n in lowered)
    ]


def every_row(session: Session) -> dict[str, list[tuple[Any, ...]]]:
    """The whole app database, table by table, in a stable order."""
    session.flush()
    return {
        table.name: sorted(
            (tuple(map(repr, row)) for row in session.execute(select(table))), key=repr
        )
        for table in metadata.sorted_tables
    }


# -- forget ----------------------------------------------------------------------------------------


def test_forget_changes_no_closed_team_org_or_cohort_figure(
    demo_db_session: Session, demo: dict[str, int]
) -> None:
    kemi = people_service.find_person(session=demo_db_session, ref=SUBJECT)
    name = kemi.display_name
    before = closed_results(demo_db_session, demo)
    assert name in before["leader"]["practices"]["communication"]["by"]  # what she shared
    assert before["org"]["teams"][1]["shown"] is True  # Beacon, all 8 scored
    export_before = privacy.export_person(session=demo_db_session, ref=COLLEAGUE, actor="cli:t")

    report = privacy.forget_person(session=demo_db_session, ref=SUBJECT, actor="cli:tester")

    after = closed_results(demo_db_session, demo)
    # Aggregates, cohort figures and everyone else's reports answer exactly as before; where
    # a viewer was shown her name (she had shared with them), the stand-in's is shown instead.
    assert after == renamed(before, name, privacy.FORMER_MEMBER)
    assert after["org"] == before["org"] and after["teams"] == before["teams"]
    assert report.answers_deleted == 0 and report.answers_kept > 0 and report.roster_rows_kept == 1
    # Her name and email are nowhere in the database; the stand-in holds none of her data.
    assert scan(demo_db_session, [name, SUBJECT]) == []
    stand_in = demo_db_session.get(Person, report.former_member_id)
    assert stand_in is not None and stand_in.stand_in
    assert (stand_in.display_name, stand_in.email, stand_in.manager_id) == (
        privacy.FORMER_MEMBER, None, None
    )  # fmt: skip
    for column in (Identity.person_id, Membership.person_id, Duo.person_a_id, Duo.person_b_id):
        held = select(func.count()).select_from(column.class_).where(column == stand_in.id)
        assert demo_db_session.scalar(held) == 0
    # Nobody is paired with a stand-in, and nobody may read its report.
    suggestions = duos_service.suggest(
        session=demo_db_session, cycle=DEMO_CYCLE, teams=["Beacon"], viewer=DIRECTOR
    )
    paired = {p.a.id for p in suggestions.pairs} | {p.b.id for p in suggestions.pairs}
    assert stand_in.id not in paired | {u.person.id for u in suggestions.unpaired}
    # Other people's exports keep their content: answers given about her name the stand-in.
    export_after = privacy.export_person(session=demo_db_session, ref=COLLEAGUE, actor="cli:t")
    for section in ("person", "memberships", "cycle_memberships", "reports", "plans", "duos"):
        assert getattr(export_after, section) == getattr(export_before, section), section
    kemi_id = demo[SUBJECT]
    assert any(a["ratee_id"] == kemi_id for a in export_before.answers_given)
    expected = [
        {**a, "ratee_id": stand_in.id} if a["ratee_id"] == kemi_id else a
        for a in export_before.answers_given
    ]
    assert sorted(export_after.answers_given, key=repr) == sorted(expected, key=repr)


def test_forget_in_an_open_cycle_deletes_what_is_about_the_person(
    demo_db_session: Session, demo: dict[str, int]
) -> None:
    review_service.create_cycle(session=demo_db_session, name="open-now")
    review_service.assign_from_teams(session=demo_db_session, cycle="open-now", teams=["Beacon"])
    open_cycle = review_service.get_cycle(session=demo_db_session, name="open-now")
    about = select(func.count()).where(
        ReviewAssignment.cycle_id == open_cycle.id, ReviewAssignment.ratee_id == demo[SUBJECT]
    )
    assert demo_db_session.scalar(about.select_from(ReviewAssignment))
    before = closed_results(demo_db_session, demo)

    report = privacy.forget_person(session=demo_db_session, ref=SUBJECT, actor="cli:tester")

    # The open cycle's rows about her are gone, not kept under the stand-in: nothing was shown.
    open_rows = select(func.count()).where(
        ReviewAssignment.cycle_id == open_cycle.id,
        ReviewAssignment.ratee_id.in_([demo[SUBJECT], report.former_member_id]),
    )
    assert demo_db_session.scalar(open_rows.select_from(ReviewAssignment)) == 0
    assert closed_results(demo_db_session, demo) == renamed(
        before, "Kemi Marrowdale", privacy.FORMER_MEMBER
    )


# -- merge -----------------------------------------------------------------------------------------


def _duplicate(session: Session) -> Person:
    """Kemi again, as a second person (a private email seen in git), with no review rows."""
    person = Person(display_name="Kemi M.", email="kemi@home.example")
    session.add(person)
    session.flush()
    return person


def test_merging_a_closed_cycle_participant_moves_her_rows_whole(
    demo_db_session: Session, demo: dict[str, int]
) -> None:
    before = closed_results(demo_db_session, demo)
    kemi = demo[SUBJECT]
    cycle = review_service.get_cycle(session=demo_db_session, name=DEMO_CYCLE)
    her_report = dump(
        profile_service.person_profile(
            session=demo_db_session, person=demo_db_session.get(Person, kemi), cycle=cycle
        )
    )
    duplicate = _duplicate(demo_db_session)
    assert duplicate.id > demo[PARTNER]  # so her duo's partner order flips

    # The roster person is merged into the duplicate: every row of hers must move.
    people_service.merge_people(
        session=demo_db_session, into=str(duplicate.id), others=[SUBJECT], actor="cli:tester"
    )

    assert demo_db_session.get(Person, kemi) is None
    after = closed_results(demo_db_session, demo)
    assert after == renamed(before, "Kemi Marrowdale", "Kemi M.")
    assert after["org"] == before["org"] and after["teams"] == before["teams"]
    moved = dump(
        profile_service.person_profile(
            session=demo_db_session, person=demo_db_session.get(Person, duplicate.id), cycle=cycle
        )
    )
    assert {**moved, "person": None} == {**her_report, "person": None}
    # Her duo followed her, partner order and consents kept straight.
    [duo] = duos_service.list_duos(
        session=demo_db_session, cycle=DEMO_CYCLE, viewer=OPERATOR, people=[duplicate.id]
    ).duos
    assert (duo.a.id, duo.b.id) == (demo[PARTNER], duplicate.id)
    assert (duo.a_consent, duo.b_consent) == ("pending", "accepted")
    event = _merge_detail(demo_db_session)
    assert event["merged_person_ids"] == [kemi] and event["cycle_rows_dropped"] == 0
    assert event["cycle_rows_moved"] > 0


def _merge_detail(session: Session) -> dict[str, Any]:
    [event] = audit_service.events(session=session, action="people.merge")
    return dict(event.detail)


def _refusal(session: Session, ids: dict[str, int]) -> str:
    kemi = session.get(Person, ids[SUBJECT])
    lars = session.get(Person, ids[COLLEAGUE])
    assert kemi is not None and lars is not None
    return (
        f"Kemi Marrowdale (id {kemi.id}) and Lars Thistlecombe (id {lars.id}) both appear in "
        f"closed review cycle '{DEMO_CYCLE}' as different people; merging them would change "
        "that cycle's frozen results, so nothing was merged (`tandem people link` moves an "
        "identity without merging)"
    )


def test_merging_two_people_of_one_closed_cycle_is_refused_and_changes_nothing(
    demo_db_session: Session, demo: dict[str, int]
) -> None:
    everything = every_row(demo_db_session)
    with pytest.raises(ConflictError) as refused:
        people_service.merge_people(
            session=demo_db_session, into=COLLEAGUE, others=[SUBJECT], actor="cli:tester"
        )
    assert refused.value.message == _refusal(demo_db_session, demo)
    assert refused.value.exit_code == 2
    assert every_row(demo_db_session) == everything
    # Also when the clash is between two of the people merged, in either order.
    duplicate = _duplicate(demo_db_session)
    everything = every_row(demo_db_session)
    with pytest.raises(ConflictError):
        people_service.merge_people(
            session=demo_db_session, into=str(duplicate.id), others=[SUBJECT, COLLEAGUE]
        )
    assert every_row(demo_db_session) == everything


def test_cli_refuses_the_merge_with_exit_2(workspace: Workspace) -> None:
    # SQLite, like every CLI test (the command opens an engine of its own and never closes it);
    # the service's refusal is tested on both backends above.
    with session_scope(workspace.engine) as session:
        write_demo_org(session=session)
        ids = {p.email: p.id for p in session.scalars(select(Person)) if p.email}
    with session_scope(workspace.engine) as session:
        everything = every_row(session)
        message = _refusal(session, ids)
    result = run_cli("people", "merge", COLLEAGUE, SUBJECT, "-w", workspace.root)
    assert result.exit_code == 2
    assert " ".join(result.stderr.split()) == f"error: {message}"
    with session_scope(workspace.engine) as session:
        assert every_row(session) == everything


def test_merging_in_an_open_cycle_keeps_the_kept_persons_rows(db_session: Session) -> None:
    names = ("kept", "merged", "both", "one")
    people = {n: Person(display_name=n, email=f"{n}@x.org") for n in names}
    db_session.add_all(people.values())
    db_session.flush()
    ids = {n: p.id for n, p in people.items()}
    review_service.create_cycle(session=db_session, name="c-open")
    cycle = review_service.get_cycle(session=db_session, name="c-open")
    rows = [  # (ratee, rater, relation, value)
        ("kept", "both", "peer", 4),  # "both" rated each of them: the kept person's set wins
        ("merged", "both", "peer", 2),
        ("merged", "one", "peer", 3),  # only about the merged person: moves
        ("kept", "merged", "peer", 5),  # one rated the other: dropped
        ("merged", "merged", "self", 1),  # the kept person has no self-assessment: moves
        ("one", "merged", "report", 4),  # given by the merged person: moves
    ]
    for ratee, rater, relation, value in rows:
        review_service.assign_rater(
            session=db_session, cycle="c-open", ratee=str(ids[ratee]), rater=str(ids[rater]),
            relation=relation,
        )  # fmt: skip
        db_session.add(
            ReviewResponse(
                cycle_id=cycle.id, ratee_id=ids[ratee], rater_id=ids[rater], relation=relation,
                item_id="vision-1", value=value,
            )
        )  # fmt: skip
    db_session.flush()

    people_service.merge_people(session=db_session, into="kept@x.org", others=["merged@x.org"])

    by_id = {v: k for k, v in ids.items()}
    answers = {
        (by_id[r.ratee_id], by_id[r.rater_id], r.relation, r.value)
        for r in db_session.scalars(
            select(ReviewResponse).where(ReviewResponse.cycle_id == cycle.id)
        )
    }
    assert answers == {
        ("kept", "both", "peer", 4),
        ("kept", "one", "peer", 3),
        ("kept", "kept", "self", 1),
        ("one", "kept", "report", 4),
    }
    assignments = {
        (by_id[a.ratee_id], by_id[a.rater_id])
        for a in db_session.scalars(
            select(ReviewAssignment).where(ReviewAssignment.cycle_id == cycle.id)
        )
    }
    assert assignments == {("kept", "both"), ("kept", "one"), ("kept", "kept"), ("one", "kept")}
    # Moved: 3 assignments and their 3 answers; dropped: 2 of each (a clash, one rating the other).
    event = _merge_detail(db_session)
    assert (event["cycle_rows_moved"], event["cycle_rows_dropped"]) == (6, 4)


# -- link ------------------------------------------------------------------------------------------


def test_linking_away_the_last_identity_keeps_a_person_with_closed_rows(
    demo_db_session: Session, demo: dict[str, int]
) -> None:
    kemi = demo[SUBJECT]
    # She left Beacon after the cycle closed; her one git identity turns out to be Lars's.
    demo_db_session.execute(delete(Membership).where(Membership.person_id == kemi))
    demo_db_session.add(
        Identity(
            identity_key="email:shared-laptop@example.org", source="git", kind="email",
            person_id=kemi,
        )
    )  # fmt: skip
    demo_db_session.flush()
    before = closed_results(demo_db_session, demo)

    people_service.link_identity(
        session=demo_db_session, identity_key="shared-laptop@example.org", person=COLLEAGUE
    )

    assert demo_db_session.get(Person, kemi) is not None  # kept: the closed cycle holds her rows
    assert closed_results(demo_db_session, demo) == before


# -- every table that ties a person to a cycle is known ------------------------------------------


def test_every_table_with_a_person_and_a_cycle_is_in_the_registry() -> None:
    known = {model.__table__.name: set(columns) for model, columns in cycle_rows.CYCLE_ROWS}
    found = {}
    for table in metadata.sorted_tables:
        targets = {fk.column.table.name for fk in table.foreign_keys}
        if "review_cycle" in targets and "person" in targets:
            found[table.name] = {
                fk.parent.name for fk in table.foreign_keys if fk.column.table.name == "person"
            }
    assert found == known
