"""A person's data in the why: exported with nobody else named who did not agree, and forgotten
(``tandem.why.personal_data``; SQLite and PostgreSQL).

Ana is the subject: she gave Bo kudos, got kudos from Bo alone and from Cy together with Dee,
wrote a check-in, owns a goal and an experiment, set a delegation level and decided an alignment
link, and agreed to be named in stories. Dee never agreed and never gave Ana anything: Ana's
export must not name Dee.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.people import privacy
from tandem.people.models import Membership, Person, Team
from tandem.why.alignment.models import AlignmentLink
from tandem.why.change.models import Experiment
from tandem.why.delegation.models import DecisionArea, DelegationLevel
from tandem.why.goals.models import CheckIn, Goal, KeyResult
from tandem.why.recognition.models import Kudos, KudosRecipient, NamingConsent
from tandem.why.stories.consent import set_naming_consent

AT = dt.datetime(2026, 11, 3, 10, tzinfo=dt.UTC)


@dataclass(frozen=True)
class World:
    people: dict[str, int]
    kudos: dict[str, int]  # given | alone | shared | about
    checkin: int
    goal: int
    experiment: int
    level: int
    link: int


@pytest.fixture
def world(db_session: Session) -> World:
    team = Team(name="Harbour")
    db_session.add(team)
    names = ("ana", "bo", "cy", "dee")
    people = {n: Person(display_name=f"{n.title()} Quillfeather") for n in names}
    db_session.add_all(people.values())
    db_session.flush()
    ids = {n: p.id for n, p in people.items()}
    for pid in ids.values():
        db_session.add(Membership(person_id=pid, team_id=team.id, role="member"))
    goal = Goal(team_id=team.id, title="Calm releases", starts_on=dt.date(2026, 10, 1),
                ends_on=dt.date(2026, 12, 31), owner_id=ids["ana"])  # fmt: skip
    db_session.add(goal)
    db_session.flush()
    kr = KeyResult(goal_id=goal.id, title="Rollbacks", kind="manual", direction="down", target=1)
    experiment = Experiment(team_id=team.id, title="Pairing Fridays", hypothesis="Fewer slips",
                            owner_id=ids["ana"], starts_on=dt.date(2026, 11, 1))  # fmt: skip
    area = DecisionArea(team_id=team.id, name="Release timing", review_on=dt.date(2027, 1, 1))
    db_session.add_all([kr, experiment, area])
    db_session.flush()
    checkin = CheckIn(key_result_id=kr.id, value=2, confidence=7, author_id=ids["ana"],
                      note="Ana Quillfeather took the on-call swap", checked_at=AT)  # fmt: skip
    level = DelegationLevel(area_id=area.id, level=4, set_by_id=ids["ana"], note="agreed")
    link = AlignmentLink(goal_id=goal.id, object_id="item:1", decision="accepted", origin="manual",
                         decided_by_id=ids["ana"])  # fmt: skip

    def kudos(giver: str, to: list[str], what: str) -> Kudos:
        made = Kudos(team_id=team.id, giver_id=ids[giver], given_at=AT, what=what,
                     impact="Calmer", goal_id=goal.id)  # fmt: skip
        made.recipients = [KudosRecipient(person_id=ids[r]) for r in to]
        return made

    made = {
        "given": kudos("ana", ["bo"], "Covered the release"),
        "alone": kudos("bo", ["ana"], "Fixed the pager"),
        "shared": kudos("cy", ["ana", "dee"], "Ran the retro"),
        "about": kudos("dee", ["bo"], "Helped ana quillfeather with the queue"),
    }
    db_session.add_all([checkin, level, link, *made.values()])
    db_session.flush()
    set_naming_consent(session=db_session, person_id=ids["ana"], by_person_id=ids["ana"],
                       named=True, actor="test")  # fmt: skip
    return World(ids, {k: v.id for k, v in made.items()}, checkin.id, goal.id, experiment.id,
                 level.id, link.id)  # fmt: skip


def test_the_export_holds_the_why_and_names_nobody_who_did_not_agree(
    db_session: Session, world: World
) -> None:
    found = privacy.export_person(session=db_session, ref=str(world.people["ana"]), actor="t")
    assert [k["id"] for k in found.kudos_given] == [world.kudos["given"]]
    assert found.kudos_given[0]["to"] == ["Bo Quillfeather"]  # she chose whom to recognise
    received = {k["id"]: k for k in found.kudos_received}
    assert set(received) == {world.kudos["alone"], world.kudos["shared"]}
    assert received[world.kudos["alone"]]["from"] == "Bo Quillfeather"  # gave it to her
    assert received[world.kudos["shared"]]["also_recognised"] == 1
    assert [c["note"] for c in found.checkins] == ["Ana Quillfeather took the on-call swap"]
    assert [g["title"] for g in found.goals_owned] == ["Calm releases"]
    assert [e["title"] for e in found.experiments_owned] == ["Pairing Fridays"]
    assert [(d["area"], d["level"]) for d in found.delegation_levels_set] == [("Release timing", 4)]
    assert [a["item"] for a in found.alignment_decisions] == ["item:1"]
    assert found.naming_consent is not None and found.naming_consent["named"] is True
    text = json.dumps(found.model_dump(mode="json"))
    assert "Dee" not in text  # a co-recipient who never agreed, and never gave her anything
    assert "Helped ana" not in text  # a kudos to someone else that merely mentions her


def test_forget_erases_the_why_and_keeps_what_others_got(db_session: Session, world: World) -> None:
    ids = world.people
    report = privacy.forget_person(session=db_session, ref=str(ids["ana"]), actor="t")
    db_session.expire_all()
    assert db_session.get(Kudos, world.kudos["alone"]) is None  # about her alone: gone
    shared = db_session.get(Kudos, world.kudos["shared"])
    assert shared is not None and [r.person_id for r in shared.recipients] == [ids["dee"]]
    given = db_session.get(Kudos, world.kudos["given"])
    assert given is not None and given.giver_id is None and given.what == "Covered the release"
    about = db_session.get(Kudos, world.kudos["about"])
    assert about is not None and about.what == f"Helped {privacy.NAME_REMOVED} with the queue"
    checkin = db_session.get(CheckIn, world.checkin)
    assert checkin is not None and checkin.author_id is None
    assert checkin.note == f"{privacy.NAME_REMOVED} took the on-call swap"
    for model, key, column in (
        (Goal, world.goal, "owner_id"),
        (Experiment, world.experiment, "owner_id"),
        (DelegationLevel, world.level, "set_by_id"),
        (AlignmentLink, world.link, "decided_by_id"),
    ):
        row = db_session.get(model, key)
        assert row is not None and getattr(row, column) is None, model
    assert db_session.scalars(select(NamingConsent)).all() == []
    assert (
        db_session.scalars(
            select(KudosRecipient).where(KudosRecipient.person_id == ids["ana"])
        ).all()
        == []
    )
    assert (report.kudos_removed, report.kudos_recipient_removed, report.kudos_giver_removed) == (
        1,
        1,
        1,
    )
    assert report.why_entries_detached == 5 and report.why_texts_scrubbed == 2
    assert "Ana Quillfeather" not in json.dumps(report.model_dump())
