"""Routing by relation (item bank v2): forms show a rater only the items their relation rates,
and an answer to another item is refused, on the web form and in the CSV import alike."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.csvfile import BadRowsError
from tandem.review import forms
from tandem.review import service as review_service
from tandem.review.items import load_item_bank
from tandem.review.models import ReviewResponse
from tests.helpers import V1
from tests.review.conftest import write

CYCLE = "2027-v2"
HEADER = "ratee,rater,relation,item_id,value\n"


@pytest.fixture
def v2_cycle(db_session: Session, org: dict[str, int]) -> str:
    review_service.create_cycle(session=db_session, name=CYCLE, item_bank_version="2")
    review_service.assign_from_teams(session=db_session, cycle=CYCLE, teams=["Core"])
    return CYCLE


def _shown(form: forms.RatingFormOut) -> list[str]:
    return [item.id for practice in form.practices for item in practice.items]


def test_a_peer_form_shows_only_the_items_routed_to_peers(
    db_session: Session, org: dict[str, int], v2_cycle: str
) -> None:
    bank = load_item_bank("2")
    peer = forms.rating_form(session=db_session, rater_id=org["di"], ratee_id=org["cy"])
    assert peer.relation == "peer" and peer.item_bank_version == "2"
    assert _shown(peer) == [i.id for i in bank.items if i.rated_by("peer")]
    assert peer.items == len(_shown(peer)) < len(bank.items)
    assert "performance" not in {p.id for p in peer.practices}  # no item of it is asked of peers
    assert "communication-1" not in _shown(peer)
    report = forms.rating_form(session=db_session, rater_id=org["cy"], ratee_id=org["bob"])
    assert report.relation == "report"
    assert "communication-1" in _shown(report) and "performance" in {p.id for p in report.practices}
    # the overuse scale is a fieldset of its own per practice, after the ten practices
    assert report.practices[10].id == "vision-overuse"
    assert [i.id for i in report.practices[10].items] == ["vision-overuse-1", "vision-overuse-2"]
    to_rate = {
        a.ratee_id: a.items for a in forms.open_assignments(session=db_session, rater_id=org["di"])
    }
    assert to_rate[org["cy"]] == peer.items


def test_a_peer_answer_to_a_one_to_one_item_is_refused_and_nothing_is_stored(
    db_session: Session, org: dict[str, int], v2_cycle: str
) -> None:
    with pytest.raises(forms.AnswerFormError) as caught:
        forms.save_answers(
            session=db_session,
            rater_id=org["di"],
            ratee_id=org["cy"],
            answers={"vision-1": "4", "performance-2": "5"},
        )
    assert caught.value.field == "performance-2"
    assert caught.value.problems == {
        "performance-2": "item 'performance-2' is not asked of peer raters in item bank version 2 "
        "(the item bank routes it to other relations)"
    }
    assert db_session.scalars(select(ReviewResponse)).all() == []
    saved = forms.save_answers(
        session=db_session, rater_id=org["cy"], ratee_id=org["bob"], answers={"performance-2": "5"}
    )
    assert (saved.inserted, saved.relation) == (1, "report")


def test_the_csv_import_refuses_an_unrouted_answer_with_file_line_and_field(
    db_session: Session, org: dict[str, int], v2_cycle: str, tmp_path: Path
) -> None:
    cy, di = org["cy"], org["di"]
    path = write(
        tmp_path / "answers.csv",
        HEADER + f"{cy},{di},peer,vision-1,4\n" + f"{cy},{di},peer,communication-1,3\n",
    )
    with pytest.raises(BadRowsError) as caught:
        review_service.import_responses(session=db_session, cycle=v2_cycle, path=path)
    assert caught.value.problems == [
        (
            3,
            "item_id: item 'communication-1' is not asked of peer raters in item bank version 2 "
            "(the item bank routes it to other relations)",
        )
    ]
    assert str(path) in caught.value.message
    assert db_session.scalars(select(ReviewResponse)).all() == []


def test_a_v1_cycle_asks_every_item_of_every_relation(
    db_session: Session, org: dict[str, int], tmp_path: Path
) -> None:
    review_service.create_cycle(session=db_session, name="v1", item_bank_version=V1)
    review_service.assign_from_teams(session=db_session, cycle="v1", teams=["Core"])
    peer = forms.rating_form(session=db_session, rater_id=org["di"], ratee_id=org["cy"])
    assert peer.item_bank_version == "1" and peer.items == 50 == len(_shown(peer))
    path = write(tmp_path / "a.csv", HEADER + f"{org['cy']},{org['di']},peer,communication-1,3\n")
    assert review_service.import_responses(session=db_session, cycle="v1", path=path).inserted == 1
