"""Identities from the lake become people: same email grouped, merges and links by hand."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.errors import InputError, NotFoundError
from tandem.ingest.service import lake_identities
from tandem.lake import Lake
from tandem.people import service
from tandem.people.models import Identity, Membership, Person, Team


def write_identities(lake: Lake, rows: list[tuple[str, str, str, str | None, bool]]) -> None:
    keys, sources, kinds, names, bots = (list(c) for c in zip(*rows, strict=True))
    table = pa.table(
        {
            "identity_key": keys,
            "source": sources,
            "kind": kinds,
            "display_name": names,
            "is_bot": bots,
        }
    )
    with lake.batch(label="identities") as batch:
        batch.write("identities", table)


@pytest.fixture
def lake(tmp_path: Path) -> Lake:
    (tmp_path / "lake").mkdir()
    return Lake(tmp_path / "lake")


def test_sync_creates_one_person_per_identity_and_flags_bots(
    db_session: Session, lake: Lake
) -> None:
    write_identities(
        lake,
        [
            ("email:ada@example.com", "git", "email", "Ada Lovelace", False),
            (
                "email:49699333+dependabot[bot]@users.noreply.github.com",
                "git",
                "email",
                "dependabot[bot]",
                True,
            ),
            ("account:sepsis:A", "sepsis", "account", "A", False),
        ],
    )
    report = service.sync_identities(session=db_session, identities=lake_identities(lake))
    assert (report.identities_added, report.people_added, report.auto_linked) == (3, 3, 0)
    people = {p.display_name: p for p in service.list_people(session=db_session)}
    assert people["dependabot[bot]"].is_bot
    assert not people["Ada Lovelace"].is_bot
    assert people["Ada Lovelace"].email == "ada@example.com"
    assert people["A"].email is None
    humans = service.list_people(session=db_session, include_bots=False)
    assert "dependabot[bot]" not in {p.display_name for p in humans}
    again = service.sync_identities(session=db_session, identities=lake_identities(lake))
    assert again.identities_added == 0
    assert len(service.list_people(session=db_session)) == 3


def test_a_new_identity_with_a_known_email_joins_that_person(
    db_session: Session, lake: Lake
) -> None:
    db_session.add(Person(display_name="Grace Hopper", email="grace@example.com"))
    db_session.flush()
    write_identities(lake, [("email:grace@example.com", "git", "email", "G. Hopper", False)])
    report = service.sync_identities(session=db_session, identities=lake_identities(lake))
    assert report.auto_linked == 1
    assert report.people_added == 0
    grace = service.show_person(session=db_session, ref="grace@example.com")
    assert [i.identity_key for i in grace.identities] == ["email:grace@example.com"]


def test_both_spellings_of_a_github_noreply_email_are_one_person(
    db_session: Session, lake: Lake
) -> None:
    write_identities(
        lake,
        [
            ("email:1234+octocat@users.noreply.github.com", "git", "email", "The Octocat", False),
            ("email:octocat@users.noreply.github.com", "git", "email", "octocat", False),
            ("email:5678+other@users.noreply.github.com", "git", "email", "Other", False),
        ],
    )
    report = service.sync_identities(session=db_session, identities=lake_identities(lake))
    assert (report.people_added, report.auto_linked) == (2, 1)
    octocat = service.show_person(session=db_session, ref="octocat@users.noreply.github.com")
    assert len(octocat.identities) == 2


def test_merge_moves_identities_and_teams_and_removes_the_other(
    db_session: Session, lake: Lake
) -> None:
    write_identities(
        lake,
        [
            ("email:linus@work.example", "git", "email", "Linus", False),
            ("email:linus@home.example", "git", "email", "Linus T", False),
        ],
    )
    service.sync_identities(session=db_session, identities=lake_identities(lake))
    home = service.find_person(session=db_session, ref="linus@home.example")
    team = Team(name="kernel")
    db_session.add(team)
    db_session.flush()
    db_session.add(Membership(person_id=home.id, team_id=team.id, role="manager"))
    db_session.flush()
    db_session.refresh(home)

    merged = service.merge_people(
        session=db_session, into="linus@work.example", others=["linus@home.example"]
    )
    assert sorted(i.identity_key for i in merged.identities) == [
        "email:linus@home.example",
        "email:linus@work.example",
    ]
    assert {i.identity_key: i.linked_by for i in merged.identities} == {
        "email:linus@home.example": "manual",
        "email:linus@work.example": "auto",
    }
    assert merged.teams == {"kernel": "manager"}
    assert len(service.list_people(session=db_session)) == 1
    with pytest.raises(NotFoundError):
        service.find_person(session=db_session, ref=str(home.id))
    # a later sync does not split them again
    service.sync_identities(session=db_session, identities=lake_identities(lake))
    assert len(service.list_people(session=db_session)) == 1


def test_merge_into_itself_is_refused(db_session: Session, lake: Lake) -> None:
    write_identities(lake, [("email:a@example.com", "git", "email", "A", False)])
    service.sync_identities(session=db_session, identities=lake_identities(lake))
    with pytest.raises(InputError, match="itself"):
        service.merge_people(
            session=db_session, into="a@example.com", others=["email:a@example.com"]
        )


def test_link_attaches_an_identity_and_drops_the_empty_person(
    db_session: Session, lake: Lake
) -> None:
    write_identities(
        lake,
        [
            ("email:b@example.com", "git", "email", "Bea", False),
            ("account:incidents:TEAM0002-agent", "incidents", "account", "agent 7", False),
        ],
    )
    service.sync_identities(session=db_session, identities=lake_identities(lake))
    linked = service.link_identity(
        session=db_session, identity_key="account:incidents:TEAM0002-agent", person="b@example.com"
    )
    assert len(linked.identities) == 2
    assert len(service.list_people(session=db_session)) == 1
    identity = db_session.scalar(
        select(Identity).where(Identity.identity_key == "account:incidents:TEAM0002-agent")
    )
    assert identity is not None and identity.linked_by == "manual"


def test_unknown_references_are_clear_errors(db_session: Session) -> None:
    with pytest.raises(NotFoundError, match=r"nobody@example\.com"):
        service.find_person(session=db_session, ref="nobody@example.com")
    with pytest.raises(NotFoundError, match="people list"):
        service.link_identity(session=db_session, identity_key="email:x@y.z", person="1")
