"""Answers from a web form: one rater's answers about one ratee in an open cycle.

The web twin of :func:`tandem.review.service.import_responses`, checked by the same rules: the
cycle must be open, the rater must be assigned to the ratee in it (the relation comes from the
assignment; the self-assessment is the assignment where rater = ratee; without an assignment
there is no form, :class:`~tandem.errors.NotFoundError`), every field must be an item of the
cycle's item bank version routed to the rater's relation (bank v2: an item declares which
relations rate it; the form shows a rater only those, and an answer to another is refused), and
every value 1–5 or "can't observe" (stored as no value). Every bad field is reported
(:class:`AnswerFormError`, naming the first); nothing is stored unless all are good. Answers
are upserted: a field left out keeps its stored answer.

A rater may add a comment per practice (not in the self-assessment): checked, warned about and
stored by :mod:`tandem.review.comments`, in the same transaction and by the same all-or-nothing
rule as the answers.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import BaseModel
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tandem.db.base import utcnow
from tandem.db.unique import insert_if_absent
from tandem.errors import ConflictError, InputError, NotFoundError
from tandem.people.models import Person
from tandem.review import comments as review_comments
from tandem.review import service as review_service
from tandem.review import subsets
from tandem.review.items import PRACTICES, ItemBank, load_item_bank, not_asked_message
from tandem.review.models import (
    COMMENT_MAX_CHARS,
    CycleStatus,
    Relation,
    ReviewAssignment,
    ReviewCycle,
    ReviewResponse,
)

CANT_OBSERVE = "cant_observe"  # the form's value for "can't observe"
# planned missingness (tandem.review.subsets): an item of the bank left out of this rater's share
NOT_IN_SUBSET = "is not one of the items you are asked in this cycle (each rater answers a share)"
_VALUES: dict[str, int | None] = {str(v): v for v in range(1, 6)} | {CANT_OBSERVE: None}


class AnswerFormError(InputError):
    """Bad form fields: ``problems`` maps each field to what is wrong; ``field`` is the first."""

    def __init__(self, problems: Mapping[str, str]) -> None:
        listed = "; ".join(f"{field}: {message}" for field, message in problems.items())
        super().__init__(listed)
        self.problems = dict(problems)
        self.field = next(iter(problems))


class FormItem(BaseModel):
    """One item of the form and the stored answer (``None``: none yet or can't observe)."""

    id: str
    text: str
    answer: int | None
    answered: bool  # an answer is stored (a value or "can't observe")


class FormPractice(BaseModel):
    """A practice's fieldset: its name, side and items (bank v2: the overuse scale of a practice
    is a fieldset of its own, ``id`` ``<practice>-overuse``, after the ten practices)."""

    id: str
    name: str
    side: str
    items: list[FormItem]
    commentable: bool = False  # takes a comment (a practice, in a colleague's form)
    comment: str | None = None  # the rater's stored comment


class RatingFormOut(BaseModel):
    """The form for one rater about one ratee in one open cycle."""

    cycle: str
    item_bank_version: str
    ratee_id: int
    ratee: str
    rater_id: int
    relation: str
    stem: str
    labels: list[str]
    cant_observe: str
    practices: list[FormPractice]
    answered: int
    items: int
    comment_max_chars: int = COMMENT_MAX_CHARS


class SaveReport(BaseModel):
    """What a form submission stored."""

    cycle: str
    ratee_id: int
    rater_id: int
    relation: str
    inserted: int
    replaced: int
    unchanged: int
    answered: int  # answers now stored for this rater and ratee (values and can't observe)
    items: int
    comments_changed: int = 0  # comments stored, replaced or deleted by this save
    comments: int = 0  # comments now stored for this rater and ratee


class AssignmentToRate(BaseModel):
    """Someone the rater is asked to rate in an open cycle, and how far along the form is."""

    cycle: str
    ratee_id: int
    ratee: str
    relation: str
    answered: int
    items: int
    due_date: dt.date | None = None  # the cycle's


@dataclass(frozen=True)
class _Found:
    cycle: ReviewCycle
    assignment: ReviewAssignment


def open_assignments(*, session: Session, rater_id: int) -> list[AssignmentToRate]:
    """Everyone ``rater_id`` is assigned to rate in open cycles (themself included), by cycle."""
    rows = session.execute(
        select(ReviewAssignment, ReviewCycle, Person.display_name)
        .join(ReviewCycle, ReviewCycle.id == ReviewAssignment.cycle_id)
        .join(Person, Person.id == ReviewAssignment.ratee_id)
        .where(
            ReviewAssignment.rater_id == rater_id,
            ReviewCycle.status == CycleStatus.OPEN.value,
        )
        .order_by(ReviewCycle.created_at, ReviewCycle.id, Person.display_name, Person.id)
    ).all()
    out = []
    for assignment, cycle, name in rows:
        bank = load_item_bank(cycle.item_bank_version)
        asked = {i.id for i in subsets.asked_of(session, cycle, assignment, bank)}
        out.append(
            AssignmentToRate(
                cycle=cycle.name,
                ratee_id=assignment.ratee_id,
                ratee=name,
                relation=assignment.relation,
                answered=len(_stored(session, cycle, assignment.ratee_id, rater_id).keys() & asked),
                items=len(asked),
                due_date=cycle.due_date,
            )
        )
    return out


def find_assignment(
    *, session: Session, rater_id: int, ratee_id: int, cycle: str | None = None
) -> ReviewAssignment | None:
    """The rater's assignment to the ratee in ``cycle`` (else the latest open cycle), if any."""
    query = (
        select(ReviewAssignment)
        .join(ReviewCycle, ReviewCycle.id == ReviewAssignment.cycle_id)
        .where(
            ReviewAssignment.rater_id == rater_id,
            ReviewAssignment.ratee_id == ratee_id,
            ReviewCycle.status == CycleStatus.OPEN.value,
        )
        .order_by(ReviewCycle.created_at.desc(), ReviewCycle.id.desc())
        .limit(1)
    )
    if cycle is not None:
        query = query.where(ReviewCycle.name == cycle)
    return session.scalar(query)


def _find(session: Session, *, rater_id: int, ratee_id: int, cycle: str | None) -> _Found:
    if cycle is not None:
        found_cycle = review_service.get_cycle(session=session, name=cycle)
        if found_cycle.status != CycleStatus.OPEN:
            raise ConflictError(
                f"review cycle {found_cycle.name!r} is closed; it takes no more answers"
            )
    assignment = find_assignment(session=session, rater_id=rater_id, ratee_id=ratee_id, cycle=cycle)
    if assignment is None:
        whom = "yourself" if rater_id == ratee_id else f"person {ratee_id}"
        where = f"review cycle {cycle!r}" if cycle else "any open review cycle"
        raise NotFoundError(f"no rating form: you are not assigned to rate {whom} in {where}")
    return _Found(assignment.cycle, assignment)


def _stored(
    session: Session, cycle: ReviewCycle, ratee_id: int, rater_id: int
) -> dict[str, ReviewResponse]:
    rows = session.scalars(
        select(ReviewResponse).where(
            ReviewResponse.cycle_id == cycle.id,
            ReviewResponse.ratee_id == ratee_id,
            ReviewResponse.rater_id == rater_id,
        )
    )
    return {r.item_id: r for r in rows}


def rating_form(
    *, session: Session, rater_id: int, ratee_id: int, cycle: str | None = None
) -> RatingFormOut:
    """The form for the rater's assignment to the ratee, with the answers stored so far."""
    found = _find(session, rater_id=rater_id, ratee_id=ratee_id, cycle=cycle)
    bank = load_item_bank(found.cycle.item_bank_version)
    stored = _stored(session, found.cycle, ratee_id, rater_id)
    ratee = session.get(Person, ratee_id)
    if ratee is None:  # the assignment's foreign key makes this unreachable
        raise NotFoundError(f"no person {ratee_id}")
    if bank.scale is None:
        raise ConflictError(f"item bank version {bank.version} has no answer scale")
    names = {p.id: p.name for p in PRACTICES}
    relation = found.assignment.relation
    notes = {} if relation == Relation.SELF else review_comments.stored(session, found.assignment)
    commentable = _commentable(bank, relation)
    asked = subsets.asked_of(session, found.cycle, found.assignment, bank)
    asked_ids = {i.id for i in asked}
    groups = [(p, names.get(p, p), items) for p, items in bank.by_practice().items()]
    groups += [
        (f"{p}-overuse", f"{names.get(p, p)}: too much of it", items)
        for p, items in bank.overuse_by_practice().items()
    ]
    practices = [
        FormPractice(
            id=group_id,
            name=name,
            side=routed[0].side,
            items=[
                FormItem(
                    id=item.id,
                    text=item.text,
                    answer=stored[item.id].value if item.id in stored else None,
                    answered=item.id in stored,
                )
                for item in routed
            ],
            commentable=group_id in commentable,
            comment=notes[group_id].text if group_id in notes else None,
        )
        for group_id, name, items in groups
        if (routed := [i for i in items if i.id in asked_ids])
    ]
    return RatingFormOut(
        cycle=found.cycle.name,
        item_bank_version=bank.version,
        ratee_id=ratee.id,
        ratee=ratee.display_name,
        rater_id=rater_id,
        relation=relation,
        stem=bank.scale.stem,
        labels=list(bank.scale.labels),
        cant_observe=bank.scale.cant_observe,
        practices=practices,
        answered=sum(1 for item in asked if item.id in stored),
        items=len(asked),
    )


def _commentable(bank: ItemBank, relation: str) -> set[str]:
    """The practices a rater in ``relation`` may comment on: those they rate (none for self)."""
    if relation == Relation.SELF:
        return set()
    return {
        p for p, items in bank.by_practice().items() if any(i.rated_by(relation) for i in items)
    }


def parse_answers(
    raw: Mapping[str, object],
    item_ids: set[str],
    *,
    not_asked: Mapping[str, str] | None = None,
) -> dict[str, int | None]:
    """Check fields ``item id → 1–5 | "cant_observe" | None``; :class:`AnswerFormError`.

    ``not_asked`` maps the ids of items of the bank that this rater is not asked (not routed to
    their relation) to the message that refuses them.
    """
    answers: dict[str, int | None] = {}
    problems: dict[str, str] = {}
    refused = not_asked or {}
    for field, value in raw.items():
        if field in refused:
            problems[field] = refused[field]
            continue
        if field not in item_ids:
            problems[field] = "is not an item of this cycle's item bank"
            continue
        if value is None:  # JSON null: can't observe
            answers[field] = None
            continue
        text = value.strip() if isinstance(value, str) else str(value)
        if isinstance(value, bool) or text not in _VALUES:
            problems[field] = f"value {text!r} is not 1–5 or {CANT_OBSERVE!r} (can't observe)"
            continue
        answers[field] = _VALUES[text]
    if problems:
        raise AnswerFormError(problems)
    return answers


def save_answers(
    *,
    session: Session,
    rater_id: int,
    ratee_id: int,
    answers: Mapping[str, object],
    cycle: str | None = None,
    seconds: float | None = None,
    comments: Mapping[str, object] | None = None,
    confirm_comments: bool = False,
) -> SaveReport:
    """Store the rater's answers about the ratee (all or nothing); stored answers are replaced.

    ``comments``: practice → text (``None`` or empty deletes the stored comment); a new or
    changed comment that a rule of :mod:`tandem.review.comment_checks` flags stops the save
    (:class:`~tandem.review.comments.CommentWarningsError`) unless ``confirm_comments``.

    ``seconds``: how long the form these answers come from was open (the web form's signed
    opening time, :mod:`tandem.web.people.form_timing`); added with the number of answers posted
    to the assignment's timing, which :func:`tandem.review.quality.speeding` reads. ``None``
    (CSV, API, an expired or unsigned form) records no time.
    """
    if seconds is not None and not (math.isfinite(seconds) and seconds >= 0):
        raise ValueError(f"form seconds must be finite and not negative, not {seconds!r}")
    found = _find(session, rater_id=rater_id, ratee_id=ratee_id, cycle=cycle)
    bank = load_item_bank(found.cycle.item_bank_version)
    relation = found.assignment.relation
    asked = {item.id for item in subsets.asked_of(session, found.cycle, found.assignment, bank)}
    problems: dict[str, str] = {}
    try:
        parsed = parse_answers(
            answers,
            asked,
            not_asked={
                item.id: not_asked_message(item.id, relation, bank.version)
                if not item.rated_by(relation)
                else NOT_IN_SUBSET
                for item in bank.items
                if item.id not in asked
            },
        )
    except AnswerFormError as exc:
        parsed, problems = {}, exc.problems
    notes, comment_problems = review_comments.parse_comments(
        comments or {}, _commentable(bank, relation), is_self=relation == Relation.SELF
    )
    if problems or comment_problems:
        raise AnswerFormError({**problems, **comment_problems})
    if notes and not confirm_comments:
        ratee = session.get(Person, ratee_id)
        warnings = review_comments.check(
            session, found.assignment, notes, ratee_name=ratee.display_name if ratee else ""
        )
        if warnings:
            raise review_comments.CommentWarningsError(warnings)
    if (relation == Relation.SELF) != (rater_id == ratee_id):  # the table's check, said plainly
        raise ConflictError(f"the assignment's relation {relation} does not fit this pair")
    stored = _stored(session, found.cycle, ratee_id, rater_id)
    inserted = replaced = unchanged = 0
    for item_id, value in parsed.items():
        previous = stored.get(item_id)
        if previous is None:
            key = {"cycle_id": found.cycle.id, "ratee_id": ratee_id, "rater_id": rater_id}
            new = {**key, "item_id": item_id, "relation": relation, "value": value}
            if insert_if_absent(session, ReviewResponse, new, unique=[*key, "item_id"]):
                inserted += 1
                continue
            # a parallel submission (a double click) stored it since: compare with its answer
            previous = _stored(session, found.cycle, ratee_id, rater_id)[item_id]
        if previous.value == value and previous.relation == relation:
            unchanged += 1
        else:
            previous.value = value
            previous.relation = relation
            previous.created_at = utcnow()
            replaced += 1
    if seconds is not None and (timed := inserted + replaced):
        # the answers this save stored or changed, not those posted again unchanged (a re-save
        # would count them twice and make the form look fast); one UPDATE adding to the stored
        # sums: two saves at once both count
        session.execute(
            update(ReviewAssignment)
            .where(ReviewAssignment.id == found.assignment.id)
            .values(
                form_seconds=ReviewAssignment.form_seconds + seconds,
                timed_answers=ReviewAssignment.timed_answers + timed,
            )
            .execution_options(synchronize_session=False)
        )
        session.expire(found.assignment, ["form_seconds", "timed_answers"])
    comments_changed = review_comments.save(session, found.assignment, notes) if notes else 0
    session.flush()
    return SaveReport(
        cycle=found.cycle.name,
        ratee_id=ratee_id,
        rater_id=rater_id,
        relation=relation,
        inserted=inserted,
        replaced=replaced,
        unchanged=unchanged,
        answered=len(_stored(session, found.cycle, ratee_id, rater_id).keys() & asked),
        items=len(asked),
        comments_changed=comments_changed,
        comments=len(review_comments.stored(session, found.assignment)),
    )
