"""Response quality of a cycle, for admins: completion, straight-lining and speeding flags.

One row per rater × ratee pair assigned or answered in the cycle:

* **completion**: answers stored (values and "can't observe") of the items asked of the rater's
  relation (all items in bank v1; the routed ones in v2).
* **straight-lining**: the rater gave the same value to (nearly) all items about this ratee:
  at least :data:`STRAIGHT_MIN_ITEMS` answered with a value and at least
  :data:`STRAIGHT_SHARE` of them the same value (zero variance is the 100 % case). Raw answers,
  before reverse keys: a rater who ticks "often" everywhere is flagged whatever the items say.
* **speeding**: needs the time spent on the form, which Tandem does not record yet (the CSV
  import has none by nature), so every pair says ``"unknown"``; see docs/people-science.md.

Privacy (DESIGN §7): this report names raters, so it is for admins only (the operator's CLI);
no web page shows it, and a flag is never shown to the ratee or their manager. Anything shown
elsewhere may use :attr:`QualityReport.summary` counts only.
"""

from __future__ import annotations

from collections import Counter

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.audit import service as audit_service
from tandem.people.models import Person
from tandem.review import service as review_service
from tandem.review.items import load_item_bank
from tandem.review.models import ReviewAssignment, ReviewResponse

STRAIGHT_MIN_ITEMS = 10
STRAIGHT_SHARE = 0.9
SPEEDING_UNKNOWN = "unknown"


class PairQuality(BaseModel):
    """One rater's answers about one ratee, with the flags."""

    ratee_id: int
    ratee: str
    rater_id: int
    rater: str
    relation: str
    asked: int  # items routed to the rater's relation
    answered: int  # answers stored: values and "can't observe"
    with_value: int  # answers with a value 1–5
    modal_value: int | None
    modal_share: float | None  # share of the values equal to the most frequent one
    straight_lining: bool
    speeding: str  # "unknown": no form timing is recorded


class QualitySummary(BaseModel):
    """Counts only: safe to show beyond admins (no rater, no ratee)."""

    pairs: int
    not_started: int
    partial: int
    complete: int
    straight_lining: int
    speeding: int
    speeding_unknown: int


class QualityReport(BaseModel):
    """Completion and quality flags of one cycle (admins only: it names raters)."""

    cycle: str
    item_bank_version: str
    straight_min_items: int
    straight_share: float
    summary: QualitySummary
    pairs: list[PairQuality]


def straight_lining(values: list[int]) -> tuple[int | None, float | None, bool]:
    """The most frequent value, its share and the flag (see the module docstring).

    >>> straight_lining([4] * 9 + [3])
    (4, 0.9, True)
    >>> straight_lining([4] * 8 + [3, 2])
    (4, 0.8, False)
    >>> straight_lining([5] * 9)  # too few answers to judge
    (5, 1.0, False)
    """
    if not values:
        return None, None, False
    value, count = Counter(values).most_common(1)[0]
    share = count / len(values)
    # exact integers: count/n ≥ 9/10  ⇔  10·count ≥ 9·n
    flagged = len(values) >= STRAIGHT_MIN_ITEMS and 10 * count >= 9 * len(values)
    return value, share, flagged


def quality(*, session: Session, cycle: str, actor: str) -> QualityReport:
    """Every assigned or answering rater × ratee pair of ``cycle``, with completion and flags.

    The report names raters, so reading it is audited (``review.quality``, by ``actor``), in
    the same transaction.
    """
    found = review_service.get_cycle(session=session, name=cycle)
    audit_service.record(
        session=session,
        actor=actor,
        action="review.quality",
        target=f"cycle:{found.id}",
        detail={"cycle_id": found.id},
    )
    bank = load_item_bank(found.item_bank_version)
    relation_of = {
        (a.ratee_id, a.rater_id): a.relation
        for a in session.scalars(
            select(ReviewAssignment).where(ReviewAssignment.cycle_id == found.id)
        )
    }
    answers: dict[tuple[int, int], list[int | None]] = {pair: [] for pair in relation_of}
    for r in session.scalars(select(ReviewResponse).where(ReviewResponse.cycle_id == found.id)):
        pair = (r.ratee_id, r.rater_id)
        relation_of.setdefault(pair, r.relation)
        answers.setdefault(pair, []).append(r.value)
    ids = {p for pair in answers for p in pair}
    names = {
        row[0]: row[1]
        for row in session.execute(select(Person.id, Person.display_name).where(Person.id.in_(ids)))
    }
    pairs = []
    for (ratee, rater), given in sorted(answers.items()):
        relation = relation_of[(ratee, rater)]
        values = [v for v in given if v is not None]
        modal, share, flagged = straight_lining(values)
        pairs.append(
            PairQuality(
                ratee_id=ratee,
                ratee=names.get(ratee, ""),
                rater_id=rater,
                rater=names.get(rater, ""),
                relation=relation,
                asked=len(bank.items_for(relation)),
                answered=len(given),
                with_value=len(values),
                modal_value=modal,
                modal_share=share,
                straight_lining=flagged,
                speeding=SPEEDING_UNKNOWN,
            )
        )
    summary = QualitySummary(
        pairs=len(pairs),
        not_started=sum(1 for p in pairs if p.answered == 0),
        partial=sum(1 for p in pairs if 0 < p.answered < p.asked),
        complete=sum(1 for p in pairs if p.answered >= p.asked),
        straight_lining=sum(1 for p in pairs if p.straight_lining),
        speeding=0,
        speeding_unknown=len(pairs),
    )
    return QualityReport(
        cycle=found.name,
        item_bank_version=bank.version,
        straight_min_items=STRAIGHT_MIN_ITEMS,
        straight_share=STRAIGHT_SHARE,
        summary=summary,
        pairs=pairs,
    )
