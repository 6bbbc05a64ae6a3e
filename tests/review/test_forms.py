"""Answers from a web form: checked like the CSV import, upserted, only by an assigned rater."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tandem.errors import ConflictError, NotFoundError
from tandem.review import forms
from tandem.review import service as review_service
from tests.helpers import V1

CYCLE = "2026-h1"


@pytest.fixture
def cycle(db_session: Session, org: dict[str, int]) -> str:
    review_service.create_cycle(session=db_session, name=CYCLE, item_bank_version=V1)
    review_service.assign_from_teams(session=db_session, cycle=CYCLE, teams=["Core"])
    return CYCLE


def stored(db_session: Session, ratee: int, rater: int) -> dict[str, tuple[str, int | None]]:
    answers = review_service.answers_by_ratee(session=db_session, cycle=CYCLE).get(ratee, [])
    return {a.item_id: (a.relation, a.value) for a in answers if a.rater == rater}


def test_answers_are_saved_and_read_back_by_the_service(
    db_session: Session, org: dict[str, int], cycle: str
) -> None:
    report = forms.save_answers(
        session=db_session,
        rater_id=org["cy"],
        ratee_id=org["bob"],
        answers={"vision-1": "4", "process-2": forms.CANT_OBSERVE, "conflict-5": 1},
    )
    assert (report.inserted, report.replaced, report.answered, report.items) == (3, 0, 3, 50)
    assert report.relation == "report"  # Cy reports to Bob
    assert stored(db_session, org["bob"], org["cy"]) == {
        "vision-1": ("report", 4),
        "process-2": ("report", None),
        "conflict-5": ("report", 1),
    }


def test_a_second_submission_replaces_and_keeps_what_it_leaves_out(
    db_session: Session, org: dict[str, int], cycle: str
) -> None:
    def save(answers: dict[str, object]) -> forms.SaveReport:
        return forms.save_answers(
            session=db_session, rater_id=org["di"], ratee_id=org["cy"], answers=answers
        )

    save({"vision-1": "2", "vision-2": "3"})
    again = save({"vision-1": "5", "vision-2": "3", "vision-3": None})
    assert (again.inserted, again.replaced, again.unchanged, again.answered) == (1, 1, 1, 3)
    save({"change-1": "1"})
    assert stored(db_session, org["cy"], org["di"]) == {
        "vision-1": ("peer", 5),
        "vision-2": ("peer", 3),
        "vision-3": ("peer", None),
        "change-1": ("peer", 1),
    }


@pytest.mark.parametrize(
    ("answers", "field", "says"),
    [
        ({"vision-1": "6"}, "vision-1", "is not 1–5"),
        ({"vision-1": "0"}, "vision-1", "is not 1–5"),
        ({"vision-1": "3", "vision-2": "often"}, "vision-2", "is not 1–5"),
        ({"vision-1": True}, "vision-1", "is not 1–5"),
        ({"vision-9": "3"}, "vision-9", "not an item"),
    ],
)
def test_bad_fields_are_named_and_nothing_is_stored(
    db_session: Session,
    org: dict[str, int],
    cycle: str,
    answers: dict[str, object],
    field: str,
    says: str,
) -> None:
    with pytest.raises(forms.AnswerFormError) as caught:
        forms.save_answers(
            session=db_session, rater_id=org["cy"], ratee_id=org["di"], answers=answers
        )
    assert caught.value.field == field
    assert field in caught.value.message and says in caught.value.message
    assert caught.value.status == 400
    assert stored(db_session, org["di"], org["cy"]) == {}


def test_only_an_assigned_rater_gets_a_form(
    db_session: Session, org: dict[str, int], cycle: str
) -> None:
    # Eve is in Edge: nobody in Core was assigned to her, and she rates nobody in Core
    for rater, ratee in ((org["cy"], org["eve"]), (org["eve"], org["cy"])):
        with pytest.raises(NotFoundError, match="not assigned"):
            forms.save_answers(
                session=db_session, rater_id=rater, ratee_id=ratee, answers={"vision-1": "3"}
            )
        with pytest.raises(NotFoundError, match="not assigned"):
            forms.rating_form(session=db_session, rater_id=rater, ratee_id=ratee)


def test_the_self_assessment_is_the_self_assignment(
    db_session: Session, org: dict[str, int], cycle: str
) -> None:
    form = forms.rating_form(session=db_session, rater_id=org["ada"], ratee_id=org["ada"])
    assert form.relation == "self" and form.items == 50 and len(form.practices) == 10
    assert form.labels[0] == "never" and form.cant_observe == "can't observe"
    forms.save_answers(
        session=db_session, rater_id=org["ada"], ratee_id=org["ada"], answers={"vision-1": "5"}
    )
    again = forms.rating_form(session=db_session, rater_id=org["ada"], ratee_id=org["ada"])
    first = again.practices[0].items[0]
    assert (first.id, first.answer, first.answered, again.answered) == ("vision-1", 5, True, 1)
    assert stored(db_session, org["ada"], org["ada"]) == {"vision-1": ("self", 5)}


def test_open_assignments_list_whom_to_rate(
    db_session: Session, org: dict[str, int], cycle: str
) -> None:
    forms.save_answers(
        session=db_session, rater_id=org["cy"], ratee_id=org["di"], answers={"vision-1": "3"}
    )
    listed = {
        (a.ratee_id, a.relation): a.answered
        for a in forms.open_assignments(session=db_session, rater_id=org["cy"])
    }
    assert listed == {
        (org["cy"], "self"): 0,
        (org["bob"], "report"): 0,
        (org["di"], "peer"): 1,
        (org["ada"], "peer"): 0,
    }


def test_a_closed_cycle_takes_no_answers(
    db_session: Session, org: dict[str, int], cycle: str
) -> None:
    review_service.close_cycle(session=db_session, name=CYCLE)
    with pytest.raises(ConflictError, match="closed"):
        forms.save_answers(
            session=db_session,
            rater_id=org["cy"],
            ratee_id=org["di"],
            answers={"vision-1": "3"},
            cycle=CYCLE,
        )
    assert forms.open_assignments(session=db_session, rater_id=org["cy"]) == []
