"""Rater nomination: the ratee nominates, the line manager (or an admin) approves or rejects."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.accounts.errors import PermissionDeniedError
from tandem.audit import service as audit
from tandem.errors import ConflictError, InputError, NotFoundError
from tandem.people.models import Person
from tandem.people.roster import import_roster
from tandem.review import nominations
from tandem.review import service as review_service
from tandem.review.models import ReviewAssignment, ReviewNomination
from tests.review.conftest import write

CYCLE = "2026-h1"
ADMIN = nominations.Actor(person_id=None, is_admin=True, label="cli:test")


def actor(person_id: int) -> nominations.Actor:
    return nominations.Actor(person_id=person_id, is_admin=False, label=f"user:{person_id}")


@pytest.fixture
def cycle(db_session: Session, org: dict[str, int]) -> str:
    review_service.create_cycle(session=db_session, name=CYCLE)
    review_service.assign_from_teams(session=db_session, cycle=CYCLE, teams=["Edge"])
    return CYCLE  # Eve (Edge, reports to Bob) rates herself; nobody else rates her yet


def assigned(db_session: Session, ratee: int) -> dict[int, str]:
    rows = db_session.execute(
        select(ReviewAssignment.rater_id, ReviewAssignment.relation).where(
            ReviewAssignment.ratee_id == ratee
        )
    )
    return {int(r): str(rel) for r, rel in rows}


def test_a_ratee_nominates_and_the_manager_approves_which_assigns(
    db_session: Session, org: dict[str, int], cycle: str
) -> None:
    eve, bob = org["eve"], org["bob"]
    made = nominations.nominate(
        session=db_session, cycle=cycle, ratee_id=eve, rater_id=org["cy"], relation="peer",
        actor=actor(eve),
    )  # fmt: skip
    assert (made.status, made.nominated_by) == ("nominated", "ratee")
    assert org["cy"] not in assigned(db_session, eve)  # nothing assigned before the approval
    assert [n.id for n in nominations.to_decide(session=db_session, actor=actor(bob))] == [made.id]
    decided = nominations.decide(
        session=db_session, nomination_id=made.id, approve=True, actor=actor(bob)
    )
    assert decided.status == "approved" and decided.decided_at is not None
    assert assigned(db_session, eve)[org["cy"]] == "peer"
    assert nominations.to_decide(session=db_session, actor=actor(bob)) == []
    actions = [e.action for e in audit.events(session=db_session)]
    assert actions.count("review.nominate") == 1 and actions.count("review.decide") == 1


def test_a_rejection_keeps_its_reason_and_assigns_nothing(
    db_session: Session, org: dict[str, int], cycle: str
) -> None:
    eve = org["eve"]
    made = nominations.nominate(
        session=db_session, cycle=cycle, ratee_id=eve, rater_id=org["di"], relation="peer",
        actor=actor(eve),
    )  # fmt: skip
    rejected = nominations.decide(
        session=db_session, nomination_id=made.id, approve=False, actor=actor(org["bob"]),
        reason="  Di has not worked with you this half  ",
    )  # fmt: skip
    assert (rejected.status, rejected.reason) == (
        "rejected",
        "Di has not worked with you this half",
    )
    assert org["di"] not in assigned(db_session, eve)
    with pytest.raises(ConflictError, match="was rejected already"):
        nominations.decide(
            session=db_session, nomination_id=made.id, approve=True, actor=actor(org["bob"])
        )
    with pytest.raises(ConflictError, match="nominated already"):  # not nominated again
        nominations.nominate(
            session=db_session, cycle=cycle, ratee_id=eve, rater_id=org["di"], relation="peer",
            actor=actor(eve),
        )  # fmt: skip


def test_only_the_line_manager_or_an_admin_decides(
    db_session: Session, org: dict[str, int], cycle: str
) -> None:
    eve = org["eve"]
    made = nominations.nominate(
        session=db_session, cycle=cycle, ratee_id=eve, rater_id=org["cy"], relation="peer",
        actor=actor(eve),
    )  # fmt: skip
    for who in ("eve", "ada", "cy"):  # the ratee, the skip-level leader, the rater
        with pytest.raises(PermissionDeniedError, match="line manager or an admin"):
            nominations.decide(
                session=db_session, nomination_id=made.id, approve=True, actor=actor(org[who])
            )
    assert nominations.to_decide(session=db_session, actor=actor(org["ada"])) == []
    assert [n.id for n in nominations.to_decide(session=db_session, actor=ADMIN)] == [made.id]
    assert (
        nominations.decide(
            session=db_session, nomination_id=made.id, approve=True, actor=ADMIN
        ).status
        == "approved"
    )


def test_only_the_ratee_their_manager_or_an_admin_nominates(
    db_session: Session, org: dict[str, int], cycle: str
) -> None:
    with pytest.raises(PermissionDeniedError):
        nominations.nominate(
            session=db_session, cycle=cycle, ratee_id=org["eve"], rater_id=org["cy"],
            relation="peer", actor=actor(org["cy"]),
        )  # fmt: skip
    assert db_session.scalars(select(ReviewNomination)).all() == []


def test_the_manager_adds_a_rater_at_once(
    db_session: Session, org: dict[str, int], cycle: str
) -> None:
    added = nominations.nominate(
        session=db_session, cycle=cycle, ratee_id=org["eve"], rater_id=org["ada"],
        relation="manager", actor=actor(org["bob"]),
    )  # fmt: skip
    assert (added.status, added.nominated_by) == ("approved", "manager")
    assert assigned(db_session, org["eve"])[org["ada"]] == "manager"
    waiting = nominations.nominate(
        session=db_session, cycle=cycle, ratee_id=org["eve"], rater_id=org["cy"],
        relation="peer", actor=ADMIN,
    )  # fmt: skip
    assert (waiting.status, waiting.nominated_by) == ("nominated", "admin")
    direct = nominations.nominate(
        session=db_session, cycle=cycle, ratee_id=org["eve"], rater_id=org["di"],
        relation="peer", actor=ADMIN, approve=True,
    )  # fmt: skip
    assert direct.status == "approved" and org["di"] in assigned(db_session, org["eve"])


@pytest.mark.parametrize(
    ("rater", "relation", "error", "says"),
    [
        ("eve", "peer", InputError, "nominate others"),
        ("cy", "self", InputError, "field 'relation'"),
        ("cy", "friend", InputError, "is not one of peer, report, manager"),
        ("bob", "manager", ConflictError, "already rates"),  # Edge's assignment made Bob manager
    ],
)
def test_bad_nominations_are_refused_and_nothing_is_written(
    db_session: Session,
    org: dict[str, int],
    cycle: str,
    rater: str,
    relation: str,
    error: type[Exception],
    says: str,
) -> None:
    review_service.assign_rater(
        session=db_session, cycle=cycle, ratee="eve@example.com", rater="bob@example.com",
        relation="manager",
    )  # fmt: skip
    with pytest.raises(error, match=says) as refused:
        nominations.nominate(
            session=db_session, cycle=cycle, ratee_id=org["eve"], rater_id=org[rater],
            relation=relation, actor=actor(org["eve"]),
        )  # fmt: skip
    assert " as manager" not in str(refused.value)  # never the rater's group, to the ratee
    assert db_session.scalars(select(ReviewNomination)).all() == []


def test_someone_not_rated_in_the_cycle_has_nothing_to_nominate_for(
    db_session: Session, org: dict[str, int], cycle: str
) -> None:
    with pytest.raises(ConflictError, match="not rated in review cycle"):
        nominations.nominate(
            session=db_session, cycle=cycle, ratee_id=org["cy"], rater_id=org["di"],
            relation="peer", actor=actor(org["cy"]),
        )  # fmt: skip
    with pytest.raises(NotFoundError):
        nominations.nominate(
            session=db_session, cycle=cycle, ratee_id=org["eve"], rater_id=99999,
            relation="peer", actor=actor(org["eve"]),
        )  # fmt: skip


def test_below_the_target_warns_and_past_the_cap_refuses(
    db_session: Session, org: dict[str, int], cycle: str, tmp_path: Path
) -> None:
    rows = "".join(f"P{i} Person,p{i}@example.com,Far,member,\n" for i in range(14))
    import_roster(
        session=db_session,
        path=write(tmp_path / "more.csv", "name,email,team,role,manager\n" + rows),
    )
    people = [
        db_session.scalars(select(Person.id).where(Person.email == f"p{i}@example.com")).one()
        for i in range(14)
    ]
    eve = org["eve"]

    def choice() -> nominations.RaterChoiceOut:
        (found,) = nominations.rater_choices(session=db_session, ratee_id=eve)
        return found

    assert (choice().raters, choice().waiting) == (1, 0)  # Bob, her manager, from the roster
    assert "at least 4 more" in str(choice().warning)

    def put(person: int) -> None:
        nominations.nominate(
            session=db_session, cycle=cycle, ratee_id=eve, rater_id=person, relation="peer",
            actor=actor(eve),
        )  # fmt: skip

    for person in people[:3]:
        put(person)
    assert "at least 1 more" in str(choice().warning)
    put(people[3])
    assert choice().warning is None and (choice().raters, choice().waiting) == (1, 4)
    for person in people[4:11]:
        put(person)
    assert "more than the target of 8" in str(choice().warning)
    with pytest.raises(InputError, match="has 12 raters assigned or waiting; at most 12"):
        put(people[11])
    # a rejection frees a place
    first = choice().nominations[0]
    nominations.decide(session=db_session, nomination_id=first.id, approve=False, actor=ADMIN)
    put(people[11])
    assert (choice().raters, choice().waiting) == (1, 11)


def test_a_closed_cycle_takes_no_nomination_and_no_decision(
    db_session: Session, org: dict[str, int], cycle: str
) -> None:
    made = nominations.nominate(
        session=db_session, cycle=cycle, ratee_id=org["eve"], rater_id=org["cy"],
        relation="peer", actor=actor(org["eve"]),
    )  # fmt: skip
    review_service.close_cycle(session=db_session, name=cycle)
    with pytest.raises(ConflictError, match="closed"):
        nominations.decide(session=db_session, nomination_id=made.id, approve=True, actor=ADMIN)
    with pytest.raises(ConflictError, match="closed"):
        nominations.nominate(
            session=db_session, cycle=cycle, ratee_id=org["eve"], rater_id=org["di"],
            relation="peer", actor=actor(org["eve"]),
        )  # fmt: skip
    assert nominations.rater_choices(session=db_session, ratee_id=org["eve"]) == []


def test_nominations_carry_no_answer_and_no_progress(
    db_session: Session, org: dict[str, int], cycle: str
) -> None:
    """What the ratee and the manager read of a nomination says nothing about answering."""
    made = nominations.nominate(
        session=db_session, cycle=cycle, ratee_id=org["eve"], rater_id=org["cy"],
        relation="peer", actor=actor(org["bob"]),
    )  # fmt: skip
    fields = set(made.model_dump())
    assert not fields & {"answered", "submitted", "started", "value", "answers", "items"}
    (choice,) = nominations.rater_choices(session=db_session, ratee_id=org["eve"])
    assert not set(choice.model_dump()) & {"submitted", "answered", "pending", "started"}


def test_a_merge_moves_nominations_and_a_forget_removes_them(
    db_session: Session, org: dict[str, int], cycle: str, tmp_path: Path
) -> None:
    from tandem.people import privacy
    from tandem.people import service as people_service

    import_roster(
        session=db_session,
        path=write(
            tmp_path / "dup.csv",
            "name,email,team,role,manager\nCy Two,cy2@example.com,Far,member,\n",
        ),
    )
    cy2 = db_session.scalars(select(Person.id).where(Person.email == "cy2@example.com")).one()
    made = nominations.nominate(
        session=db_session, cycle=cycle, ratee_id=org["eve"], rater_id=cy2, relation="peer",
        actor=actor(org["eve"]),
    )  # fmt: skip
    people_service.merge_people(
        session=db_session, into="cy@example.com", others=["cy2@example.com"]
    )
    row = db_session.get(ReviewNomination, made.id)
    assert row is not None and row.rater_id == org["cy"]
    (exported,) = privacy.export_person(
        session=db_session, ref="cy@example.com", actor="cli:test"
    ).nominations
    assert (exported["as"], exported["status"], exported["reason"]) == ("rater", "nominated", None)
    assert "ratee_id" not in exported and "rater_id" not in exported
    privacy.forget_person(session=db_session, ref="cy@example.com", actor="cli:test")
    assert db_session.scalars(select(ReviewNomination)).all() == []
