"""Concerns and questions: raise (named or anonymous), answer, close, the team's board and the
directors' counts.

Who may do what is decided here, for every surface (web, API, CLI ``--as``):

* raise: a person of the team (by the roster's membership or their web account's team), in a
  team role (leader, manager, member);
  anonymously only while the team has :data:`~.rules.ANONYMITY_MIN_MEMBERS` people or more;
* read the board (items, authors of named items, answers): the team's people, in a team role;
* answer and close: the team's managers and leader (by their membership);
* directors, admins and the operator: :func:`overview` only — counts and time-to-answer
  aggregates, never an item or its text.

An anonymous item is written with no author, a random id and its day only; no audit event
names anyone for it (an event's exact time could be matched with sign-in records).
"""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from tandem.accounts.errors import PermissionDeniedError
from tandem.audit import service as audit
from tandem.db.base import utcnow
from tandem.errors import InputError, NotFoundError
from tandem.ids import MAX_ID
from tandem.manage import days
from tandem.manage.acting import team_people
from tandem.manage.concerns import rules
from tandem.manage.concerns.models import Concern, ConcernAnswer
from tandem.manage.concerns.schemas import (
    AnswerOut,
    Board,
    ConcernOut,
    Overview,
    Raised,
    TeamCounts,
)
from tandem.people.models import Team
from tandem.profile.visibility import INDIVIDUAL_ROLES, Viewer
from tandem.why.scope import find_team, team_ref

__all__ = [
    "answer",
    "close",
    "follow",
    "get_board",
    "member_count",
    "overview",
    "raise_item",
]

ANSWERING_ROLES = ("leader", "manager")


def member_count(*, session: Session, team_id: int) -> int:
    """The people of the team (roster and web accounts; no bots, no stand-ins)."""
    return len(team_people(session, team_id))


def _team_role(session: Session, team_id: int, viewer: Viewer) -> str | None:
    """The viewer's role in the team, when they hold a team role and belong to it."""
    if viewer.person_id is None or viewer.role not in INDIVIDUAL_ROLES:
        return None
    return team_people(session, team_id).get(viewer.person_id)


def _require_member(session: Session, team: Team, viewer: Viewer) -> str:
    role = _team_role(session, team.id, viewer)
    if role is None:
        raise PermissionDeniedError(
            f"only the people of team {team.name} see its concerns and questions "
            "(directors and admins: counts only)"
        )
    return role


def _require_answerer(session: Session, team_id: int, viewer: Viewer) -> None:
    if _team_role(session, team_id, viewer) not in ANSWERING_ROLES:
        raise PermissionDeniedError("only the team's managers and leader answer or close items")


def _today(today: dt.date | None) -> dt.date:
    return days.day(today)


def _random_id(session: Session) -> int:
    """An unused id drawn at random: the order of ids says nothing of who raised what when."""
    while True:
        candidate = secrets.randbelow(MAX_ID) + 1
        if session.get(Concern, candidate) is None:
            return candidate


def raise_item(
    *,
    session: Session,
    viewer: Viewer,
    team: int | str,
    kind: str,
    text: str,
    anonymous: bool = False,
    actor: str = audit.SYSTEM_ACTOR,
    today: dt.date | None = None,
) -> Raised:
    """Raise a concern or a question in the viewer's team; anonymous only in a team of ≥ 5."""
    found = find_team(session, team)
    _require_member(session, found, viewer)
    kind = rules.check_kind(kind)
    text = rules.check_text(text)
    receipt: str | None = None
    item = Concern(
        id=_random_id(session),
        team_id=found.id,
        kind=kind,
        text=text,
        anonymous=anonymous,
        raised_on=_today(today),
        status="open",
    )
    if anonymous:
        members = member_count(session=session, team_id=found.id)
        if members < rules.ANONYMITY_MIN_MEMBERS:
            raise InputError(
                f"anonymous items need a team of at least {rules.ANONYMITY_MIN_MEMBERS} people "
                f"(team {found.name} has {members}): raise it by name or talk to your manager",
                field="anonymous",
            )
        receipt, item.receipt_hash = rules.new_receipt()
    else:
        item.author_id = viewer.person_id
    session.add(item)
    session.flush()
    if not anonymous:
        audit.record(
            session=session,
            actor=actor,
            action="concern.raise",
            subject_person_id=viewer.person_id,
            target=f"concern:{item.id}",
        )
    note = (
        "Keep this receipt to follow your item: it is shown once and Tandem cannot recover it."
        if receipt
        else None
    )
    return Raised(item=_out(item, viewer, _today(today)), receipt=receipt, note=note)


def _find(session: Session, item_id: int) -> Concern:
    found = session.get(Concern, item_id)
    if found is None:
        raise NotFoundError(f"no concern or question {item_id}")
    return found


def answer(
    *,
    session: Session,
    viewer: Viewer,
    item_id: int,
    text: str,
    actor: str = audit.SYSTEM_ACTOR,
    now: dt.datetime | None = None,
) -> ConcernOut:
    """Answer an item of the team (its managers and leader); the first answer stops its clock."""
    item = _find(session, item_id)
    _require_answerer(session, item.team_id, viewer)
    if item.status == "closed":
        raise InputError("this item is closed", field="item")
    text = rules.check_text(text, field="answer", limit=rules.MAX_ANSWER)
    at = now if now is not None else utcnow()
    if at.tzinfo is None:
        raise InputError("give the time with a time zone", field="now")
    if at < rules.day_start(item.raised_on):
        raise InputError("an answer cannot come before the item", field="now")
    item.answers.append(ConcernAnswer(answerer_id=viewer.person_id, text=text, answered_at=at))
    if item.first_answer_at is None:
        item.first_answer_at = at
    item.status = "answered"
    session.flush()
    audit.record(session=session, actor=actor, action="concern.answer", target=f"concern:{item.id}")
    return _out(item, viewer, at.date())


def close(
    *,
    session: Session,
    viewer: Viewer,
    item_id: int,
    actor: str = audit.SYSTEM_ACTOR,
    today: dt.date | None = None,
) -> ConcernOut:
    """Close an item (its managers and leader): it leaves the open items and their aging."""
    item = _find(session, item_id)
    _require_answerer(session, item.team_id, viewer)
    item.status = "closed"
    item.closed_on = _today(today)
    session.flush()
    audit.record(session=session, actor=actor, action="concern.close", target=f"concern:{item.id}")
    return _out(item, viewer, _today(today))


def follow(*, session: Session, receipt: str, today: dt.date | None = None) -> ConcernOut:
    """The anonymous item a receipt belongs to, with its answers (the receipt is the key)."""
    token = receipt.strip()
    if not token or len(token) > 200:
        raise InputError("give the receipt you were shown", field="receipt")
    item = session.scalar(select(Concern).where(Concern.receipt_hash == rules.receipt_hash(token)))
    if item is None:
        raise NotFoundError("no item has this receipt")
    return _out(item, None, _today(today), mine=True)


def _out(item: Concern, viewer: Viewer | None, today: dt.date, *, mine: bool = False) -> ConcernOut:
    open_ = item.status == "open"
    return ConcernOut(
        id=item.id,
        team_id=item.team_id,
        kind=item.kind,
        text=item.text,
        anonymous=item.anonymous,
        author=None if item.anonymous or item.author is None else item.author.display_name,
        mine=mine
        or (
            viewer is not None
            and viewer.person_id is not None
            and item.author_id == viewer.person_id
        ),
        raised_on=item.raised_on,
        status=item.status,
        days_open=max(0, (today - item.raised_on).days) if open_ else None,
        days_to_first_answer=(
            round(rules.days_to_answer(item.raised_on, item.first_answer_at), 1)
            if item.first_answer_at is not None
            else None
        ),
        answers=[
            AnswerOut(
                id=a.id,
                answerer=a.answerer.display_name if a.answerer is not None else None,
                text=a.text,
                answered_at=a.answered_at,
            )
            for a in item.answers
        ],
    )


def _items(session: Session, team_id: int) -> list[Concern]:
    return list(
        session.scalars(
            select(Concern)
            .where(Concern.team_id == team_id)
            .options(
                selectinload(Concern.answers).selectinload(ConcernAnswer.answerer),
                selectinload(Concern.author),
            )
            .order_by(Concern.raised_on.desc(), Concern.id)
        )
    )


def _answer_days(items: list[Concern]) -> list[float]:
    return [
        rules.days_to_answer(i.raised_on, i.first_answer_at)
        for i in items
        if i.first_answer_at is not None
    ]


def _aging(items: list[Concern], as_of: dt.date) -> dict[str, int]:
    counts = dict.fromkeys(rules.bucket_labels(), 0)
    for item in items:
        if item.status == "open":
            counts[rules.aging_bucket(max(0, (as_of - item.raised_on).days))] += 1
    return counts


def get_board(
    *, session: Session, viewer: Viewer, team: int | str, as_of: dt.date | None = None
) -> Board:
    """The team's items (newest first) with time to first answer and the aging of the open."""
    found = find_team(session, team)
    role = _require_member(session, found, viewer)
    day = _today(as_of)
    items = _items(session, found.id)
    days = _answer_days(items)
    members = member_count(session=session, team_id=found.id)
    return Board(
        team=team_ref(session, found.id),
        as_of=day,
        members=members,
        anonymous_allowed=members >= rules.ANONYMITY_MIN_MEMBERS,
        can_answer=role in ANSWERING_ROLES,
        open=sum(i.status == "open" for i in items),
        answered=sum(i.status == "answered" for i in items),
        closed=sum(i.status == "closed" for i in items),
        median_days_to_answer=round(rules.median(days), 1) if days else None,
        p85_days_to_answer=round(rules.percentile(days, 0.85), 1) if days else None,
        aging=_aging(items, day),
        items=[_out(i, viewer, day) for i in items],
    )


def overview(*, session: Session, viewer: Viewer, as_of: dt.date | None = None) -> Overview:
    """Every team's counts and time-to-answer aggregates, for directors, admins and the operator.

    No item, text or author; the time to first answer only over ≥ 5 answered items.
    """
    if viewer.role not in ("director", "admin", "operator"):
        raise PermissionDeniedError("the counts of every team are for directors and admins")
    day = _today(as_of)
    teams: list[TeamCounts] = []
    for team in session.scalars(select(Team).order_by(Team.name)):
        items = list(session.scalars(select(Concern).where(Concern.team_id == team.id)))
        days = _answer_days(items)
        enough = len(days) >= rules.MIN_ANSWERED
        teams.append(
            TeamCounts(
                team=team_ref(session, team.id),
                open=sum(i.status == "open" for i in items),
                answered=sum(i.status == "answered" for i in items),
                closed=sum(i.status == "closed" for i in items),
                median_days_to_answer=round(rules.median(days), 1) if enough else None,
                p85_days_to_answer=round(rules.percentile(days, 0.85), 1) if enough else None,
                withheld=(
                    None
                    if enough
                    else f"time to first answer needs {rules.MIN_ANSWERED} answered items"
                ),
                aging=_aging(items, day),
            )
        )
    return Overview(as_of=day, teams=teams)


def export_person(*, session: Session, person_id: int) -> dict[str, object]:
    """A person's own records: the items they raised by name and the answers they wrote.

    Anonymous items are linked to no one, so no export can hold them.
    """
    raised = session.scalars(
        select(Concern).where(Concern.author_id == person_id).order_by(Concern.raised_on)
    )
    answers = session.scalars(
        select(ConcernAnswer)
        .where(ConcernAnswer.answerer_id == person_id)
        .order_by(ConcernAnswer.answered_at)
    )
    return {
        "raised": [
            {
                "id": c.id,
                "team_id": c.team_id,
                "kind": c.kind,
                "text": c.text,
                "raised_on": c.raised_on.isoformat(),
                "status": c.status,
            }
            for c in raised
        ],
        "answers_given": [
            {"concern_id": a.concern_id, "text": a.text, "answered_at": a.answered_at.isoformat()}
            for a in answers
        ],
    }


def forget_person(*, session: Session, person_id: int) -> dict[str, int]:
    """Erase a person from concerns: the items they raised by name go (with their answers);
    answers they wrote stay for the team, their author removed."""
    raised = list(session.scalars(select(Concern).where(Concern.author_id == person_id)))
    for item in raised:
        session.delete(item)
    answers = list(
        session.scalars(select(ConcernAnswer).where(ConcernAnswer.answerer_id == person_id))
    )
    for row in answers:
        row.answerer_id = None
    session.flush()
    return {"concerns_deleted": len(raised), "concern_answers_unlinked": len(answers)}
