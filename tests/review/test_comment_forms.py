"""Comments in the rating form: trimmed, limited, warned about, saved with the answers."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.errors import ConflictError
from tandem.people import service as people_service
from tandem.people.models import Person
from tandem.review import comments as review_comments
from tandem.review import forms
from tandem.review import service as review_service
from tandem.review.models import ReviewComment, ReviewResponse
from tests.review.comment_org import CYCLE, build


@pytest.fixture
def ids(db_session: Session, tmp_path: Path) -> dict[str, int]:
    return build(db_session, tmp_path)


def stored(session: Session, rater: int) -> dict[str, str]:
    rows = session.scalars(select(ReviewComment).where(ReviewComment.rater_id == rater))
    return {row.practice: row.text for row in rows}


def answers_of(session: Session, rater: int) -> int:
    return len(
        session.scalars(select(ReviewResponse).where(ReviewResponse.rater_id == rater)).all()
    )


def save(session: Session, ids: dict[str, int], rater: str, **kwargs: object) -> forms.SaveReport:
    return forms.save_answers(
        session=session,
        rater_id=ids[rater],
        ratee_id=ids["rae"],
        answers=kwargs.pop("answers", {"vision-1": "4"}),  # type: ignore[arg-type]
        **kwargs,  # type: ignore[arg-type]
    )


def test_a_comment_is_trimmed_saved_with_the_answers_and_shown_back_to_its_writer(
    db_session: Session, ids: dict[str, int]
) -> None:
    report = save(db_session, ids, "pia", comments={"vision": "  Clear goals.\r\nEvery quarter. "})
    assert (report.inserted, report.comments_changed, report.comments) == (1, 1, 1)
    assert stored(db_session, ids["pia"]) == {"vision": "Clear goals.\nEvery quarter."}
    form = forms.rating_form(session=db_session, rater_id=ids["pia"], ratee_id=ids["rae"])
    by_id = {p.id: p for p in form.practices}
    assert by_id["vision"].commentable and by_id["vision"].comment == "Clear goals.\nEvery quarter."
    assert not by_id["vision-overuse"].commentable if "vision-overuse" in by_id else True
    # someone else's form shows none of it
    other = forms.rating_form(session=db_session, rater_id=ids["paz"], ratee_id=ids["rae"])
    assert all(p.comment is None for p in other.practices)


def test_an_empty_comment_deletes_and_an_unchanged_one_changes_nothing(
    db_session: Session, ids: dict[str, int]
) -> None:
    save(db_session, ids, "pia", comments={"vision": "Clear goals", "process": "Fast reviews"})
    again = save(db_session, ids, "pia", comments={"vision": "Clear goals", "process": "   "})
    assert (again.comments_changed, again.comments) == (1, 1)
    assert stored(db_session, ids["pia"]) == {"vision": "Clear goals"}
    assert save(db_session, ids, "pia", comments={"vision": None}).comments == 0


@pytest.mark.parametrize(
    ("comments", "field", "says"),
    [
        ({"vision": "x" * 1001}, "comment-vision", "is 1,001 characters long; a comment holds"),
        ({"nonsense": "hi"}, "comment-nonsense", "is not a practice you rate"),
        ({"vision-overuse": "hi"}, "comment-vision-overuse", "is not a practice you rate"),
        ({"process": "bell\x07"}, "comment-process", "control character"),
        ({"vision": 5}, "comment-vision", "must be text"),
    ],
)
def test_a_bad_comment_is_named_and_nothing_is_saved(
    db_session: Session, ids: dict[str, int], comments: dict[str, object], field: str, says: str
) -> None:
    with pytest.raises(forms.AnswerFormError) as caught:
        save(db_session, ids, "pia", comments=comments)
    assert caught.value.field == field and says in caught.value.problems[field]
    assert stored(db_session, ids["pia"]) == {} and answers_of(db_session, ids["pia"]) == 0


def test_exactly_the_limit_is_kept_after_trimming(db_session: Session, ids: dict[str, int]) -> None:
    save(db_session, ids, "pia", comments={"vision": "\n " + "y" * 1000 + " \n"})
    assert len(stored(db_session, ids["pia"])["vision"]) == 1000


def test_bad_answers_and_bad_comments_are_reported_together(
    db_session: Session, ids: dict[str, int]
) -> None:
    with pytest.raises(forms.AnswerFormError) as caught:
        save(db_session, ids, "pia", answers={"vision-1": "9"}, comments={"vision": "z" * 2000})
    assert set(caught.value.problems) == {"vision-1", "comment-vision"}


def test_the_self_assessment_takes_no_comment(db_session: Session, ids: dict[str, int]) -> None:
    form = forms.rating_form(session=db_session, rater_id=ids["rae"], ratee_id=ids["rae"])
    assert not any(p.commentable for p in form.practices)
    with pytest.raises(forms.AnswerFormError, match="self-assessment takes none"):
        forms.save_answers(
            session=db_session,
            rater_id=ids["rae"],
            ratee_id=ids["rae"],
            answers={},
            comments={"vision": "I am great"},
        )


def test_a_warning_stops_the_save_until_confirmed(db_session: Session, ids: dict[str, int]) -> None:
    text = "As your manager I see Pia and Rae grow"
    with pytest.raises(review_comments.CommentWarningsError) as caught:
        forms.save_answers(
            session=db_session,
            rater_id=ids["max"],
            ratee_id=ids["rae"],
            answers={"vision-1": "5"},
            comments={"vision": text},
        )
    rules = [w.rule for w in caught.value.warnings["comment-vision"]]
    assert rules == ["name", "name", "relation"] and caught.value.status == 409
    assert "confirm_comments" in caught.value.message
    assert stored(db_session, ids["max"]) == {} and answers_of(db_session, ids["max"]) == 0
    kept = forms.save_answers(
        session=db_session,
        rater_id=ids["max"],
        ratee_id=ids["rae"],
        answers={"vision-1": "5"},
        comments={"vision": text},
        confirm_comments=True,
    )
    assert kept.comments == 1 and stored(db_session, ids["max"]) == {"vision": text}
    # saving the form again with the comment unchanged asks nothing
    again = forms.save_answers(
        session=db_session,
        rater_id=ids["max"],
        ratee_id=ids["rae"],
        answers={"vision-1": "4"},
        comments={"vision": text},
    )
    assert again.replaced == 1 and again.comments_changed == 0
    # a changed comment is checked again
    with pytest.raises(review_comments.CommentWarningsError):
        forms.save_answers(
            session=db_session,
            rater_id=ids["max"],
            ratee_id=ids["rae"],
            answers={},
            comments={"vision": text + " — write to max@example.com"},
        )


def test_a_closed_cycle_takes_no_comment(db_session: Session, ids: dict[str, int]) -> None:
    review_service.close_cycle(session=db_session, name=CYCLE)
    with pytest.raises(ConflictError, match="closed"):
        forms.save_answers(
            session=db_session,
            rater_id=ids["pia"],
            ratee_id=ids["rae"],
            answers={},
            comments={"vision": "late"},
            cycle=CYCLE,
        )


def test_merge_moves_comments_with_the_answers_and_the_kept_persons_win_a_clash(
    db_session: Session, ids: dict[str, int]
) -> None:
    save(db_session, ids, "pia", comments={"vision": "Pia's words"}, confirm_comments=True)
    save(db_session, ids, "paz", comments={"vision": "Paz's words"}, confirm_comments=True)
    twin = Person(display_name="Pia Lund", email="pia.lund@example.com")
    db_session.add(twin)
    db_session.flush()
    people_service.merge_people(session=db_session, into=str(twin.id), others=["pia@example.com"])
    assert stored(db_session, twin.id) == {"vision": "Pia's words"}
    # both rated Rae: the kept person's assignment, answers and comment win, the other's go
    people_service.merge_people(session=db_session, into="paz@example.com", others=[str(twin.id)])
    texts = set(db_session.scalars(select(ReviewComment.text)).all())
    assert texts == {"Paz's words"}
