"""Response quality of a cycle, for admins: completion, straight-lining and speeding flags.

One row per rater × ratee pair assigned or answered in the cycle:

* **completion**: answers stored (values and "can't observe") of the items asked of the rater's
  relation (all items in bank v1; the routed ones in v2).
* **straight-lining**: the rater gave the same value to (nearly) all items about this ratee:
  at least :data:`STRAIGHT_MIN_ITEMS` answered with a value and at least
  :data:`STRAIGHT_SHARE` of them the same value (zero variance is the 100 % case). Raw answers,
  before reverse keys: a rater who ticks "often" everywhere is flagged whatever the items say.
* **speeding**: the web rating form carries its opening time, signed by the server; each save
  from it adds the seconds since then and the answers it posted to the assignment
  (``form_seconds``, ``timed_answers``). A pair is ``"yes"`` when at least
  :data:`SPEEDING_MIN_ANSWERS` answers were timed and they took under
  :data:`SPEEDING_SECONDS_PER_ANSWER` seconds each on average (reading an item and choosing a
  frequency takes longer: the careless-responding literature's 2 s per item, Huang et al.
  2012), ``"no"`` when they took longer, ``"unknown"`` otherwise (CSV imports, API saves and
  forms opened too long ago carry no time); see docs/people-science.md.

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
from tandem.review import subsets
from tandem.review.items import load_item_bank
from tandem.review.models import ReviewAssignment, ReviewResponse

STRAIGHT_MIN_ITEMS = 10
STRAIGHT_SHARE = 0.9
SPEEDING_MIN_ANSWERS = STRAIGHT_MIN_ITEMS
SPEEDING_SECONDS_PER_ANSWER = 2.0
SPEEDING_UNKNOWN = "unknown"


class PairQuality(BaseModel):
    """One rater's answers about one ratee, with the flags."""

    ratee_id: int
    ratee: str
    rater_id: int
    rater: str
    relation: str
    asked: int  # items routed to the rater's relation (their share: planned missingness)
    answered: int  # answers stored: values and "can't observe"
    with_value: int  # answers with a value 1–5
    modal_value: int | None
    modal_share: float | None  # share of the values equal to the most frequent one
    straight_lining: bool
    timed_answers: int  # answers posted from signed web forms
    seconds_per_answer: float | None  # their time on the form, per answer
    speeding: str  # "yes", "no" or "unknown" (too few timed answers)


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
    speeding_min_answers: int
    speeding_seconds_per_answer: float
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


def speeding(form_seconds: float, timed_answers: int) -> tuple[float | None, str]:
    """Seconds per timed answer and the flag (see the module docstring).

    >>> speeding(30.0, 20)
    (1.5, 'yes')
    >>> speeding(40.0, 20)  # exactly 2 s per answer is not under it
    (2.0, 'no')
    >>> speeding(5.0, 9)  # too few timed answers to judge
    (0.5556, 'unknown')
    >>> speeding(0.0, 0)
    (None, 'unknown')
    """
    if timed_answers <= 0:
        return None, SPEEDING_UNKNOWN
    per_answer = form_seconds / timed_answers
    if timed_answers < SPEEDING_MIN_ANSWERS:
        return round(per_answer, 4), SPEEDING_UNKNOWN
    return round(per_answer, 4), "yes" if per_answer < SPEEDING_SECONDS_PER_ANSWER else "no"


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
    assignments = list(
        session.scalars(select(ReviewAssignment).where(ReviewAssignment.cycle_id == found.id))
    )
    relation_of = {(a.ratee_id, a.rater_id): a.relation for a in assignments}
    timing = {(a.ratee_id, a.rater_id): (a.form_seconds, a.timed_answers) for a in assignments}
    answers: dict[tuple[int, int], list[int | None]] = {pair: [] for pair in relation_of}
    for r in session.scalars(select(ReviewResponse).where(ReviewResponse.cycle_id == found.id)):
        pair = (r.ratee_id, r.rater_id)
        relation_of.setdefault(pair, r.relation)
        answers.setdefault(pair, []).append(r.value)
    asked = subsets.asked_by_pair(session, found, bank)  # a share under planned missingness
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
        seconds, timed = timing.get((ratee, rater), (0.0, 0))
        per_answer, speeding_flag = speeding(seconds, timed)
        pairs.append(
            PairQuality(
                ratee_id=ratee,
                ratee=names.get(ratee, ""),
                rater_id=rater,
                rater=names.get(rater, ""),
                relation=relation,
                asked=len(asked.get((ratee, rater)) or bank.items_for(relation)),
                answered=len(given),
                with_value=len(values),
                modal_value=modal,
                modal_share=share,
                straight_lining=flagged,
                timed_answers=timed,
                seconds_per_answer=per_answer,
                speeding=speeding_flag,
            )
        )
    summary = QualitySummary(
        pairs=len(pairs),
        not_started=sum(1 for p in pairs if p.answered == 0),
        partial=sum(1 for p in pairs if 0 < p.answered < p.asked),
        complete=sum(1 for p in pairs if p.answered >= p.asked),
        straight_lining=sum(1 for p in pairs if p.straight_lining),
        speeding=sum(1 for p in pairs if p.speeding == "yes"),
        speeding_unknown=sum(1 for p in pairs if p.speeding == SPEEDING_UNKNOWN),
    )
    return QualityReport(
        cycle=found.name,
        item_bank_version=bank.version,
        straight_min_items=STRAIGHT_MIN_ITEMS,
        straight_share=STRAIGHT_SHARE,
        speeding_min_answers=SPEEDING_MIN_ANSWERS,
        speeding_seconds_per_answer=SPEEDING_SECONDS_PER_ANSWER,
        summary=summary,
        pairs=pairs,
    )
