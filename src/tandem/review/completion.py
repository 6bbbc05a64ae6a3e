"""How far an open cycle is: each ratee's raters by group, and whether each group will be shown.

One pass over a cycle's assignments and answers gives every pair's progress
(:func:`pair_progress`): answers stored of the items asked (the rater's share under planned
missingness, :mod:`tandem.review.subsets`). A rater has **started** with one answer and
**submitted** with every asked item answered (a value or "can't observe").

:func:`cycle_completion` is the admin's view: per ratee, per rater group, how many raters are
assigned and how many submitted, and whether the group reaches its display minimum with the
raters who submitted (and could with everyone assigned): one manager is shown alone, two or three
managers never, four or more as a group; peers and reports need 3 each, else they are pooled into
"others", itself shown from 3 (:mod:`tandem.profile.groups`). It names the raters still pending,
so that the admin can remind them: admins only, and audited (``review.completion``).

Anyone else sees one total per ratee (:func:`tandem.profile.service.completion`): per group, a
count would tell whether the one manager, or which of two reports, has answered.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.audit import service as audit
from tandem.audit.schemas import AuditAction
from tandem.people.models import Person
from tandem.profile.groups import MIN_GROUP_N, MIN_MANAGER_GROUP_N
from tandem.review import service as review_service
from tandem.review import subsets
from tandem.review.items import load_item_bank
from tandem.review.models import Relation, ReviewAssignment, ReviewCycle, ReviewResponse

GROUPS = ("manager", "peer", "report", "others")


@dataclass(frozen=True)
class Progress:
    """One rater's progress on one ratee: answers stored of the items asked."""

    relation: str
    answered: int
    asked: int

    @property
    def started(self) -> bool:
        """At least one answer."""
        return self.answered > 0

    @property
    def submitted(self) -> bool:
        """Every asked item answered (a value or "can't observe")."""
        return self.asked > 0 and self.answered >= self.asked


def pair_progress(
    *, session: Session, cycle: ReviewCycle, ratee_id: int | None = None
) -> dict[tuple[int, int], Progress]:
    """(ratee, rater) → progress, for every assignment of the cycle (of one ratee)."""
    bank = load_item_bank(cycle.item_bank_version)
    asked = subsets.asked_by_pair(session, cycle, bank)
    query = select(ReviewResponse.ratee_id, ReviewResponse.rater_id, ReviewResponse.item_id).where(
        ReviewResponse.cycle_id == cycle.id
    )
    if ratee_id is not None:
        query = query.where(ReviewResponse.ratee_id == ratee_id)
    answered: dict[tuple[int, int], set[str]] = {}
    for ratee, rater, item_id in session.execute(query):
        answered.setdefault((ratee, rater), set()).add(item_id)
    pairs = select(
        ReviewAssignment.ratee_id, ReviewAssignment.rater_id, ReviewAssignment.relation
    ).where(ReviewAssignment.cycle_id == cycle.id)
    if ratee_id is not None:
        pairs = pairs.where(ReviewAssignment.ratee_id == ratee_id)
    relations = session.execute(pairs)
    out: dict[tuple[int, int], Progress] = {}
    for ratee, rater, relation in relations:
        ids = {i.id for i in asked[(ratee, rater)]}
        out[(ratee, rater)] = Progress(
            relation=relation,
            answered=len(answered.get((ratee, rater), set()) & ids),
            asked=len(ids),
        )
    return out


class GroupCompletion(BaseModel):
    """One rater group of one ratee: assigned, started and submitted raters, and whether the
    group reaches its display minimum (with those who submitted; with everyone assigned)."""

    group: str
    assigned: int
    started: int
    submitted: int
    shown_now: bool
    shown_if_all_submit: bool


class PendingRater(BaseModel):
    """A rater who has not submitted (admins only: names them, for a reminder)."""

    rater_id: int
    rater: str
    email: str | None
    relation: str
    answered: int
    asked: int


class RateeCompletion(BaseModel):
    """One ratee's completion: their self-assessment, their raters by group, who is pending."""

    ratee_id: int
    ratee: str
    self_submitted: bool
    raters: int
    submitted: int
    groups: list[GroupCompletion]
    pending: list[PendingRater]


class CompletionReport(BaseModel):
    """An open (or closed) cycle's completion per ratee, for admins."""

    cycle: str
    status: str
    due_date: dt.date | None
    items_per_practice: int | None
    ratees: list[RateeCompletion]
    raters_assigned: int
    raters_submitted: int
    groups_short: int  # groups of ratees not shown with the raters who submitted so far


def _shown(counts: dict[str, int]) -> dict[str, bool]:
    """Whether each group is shown given its number of raters (the rules of profile.groups)."""
    manager = counts["manager"]
    shown = {"manager": manager == 1 or manager >= MIN_MANAGER_GROUP_N}
    pooled = 0
    for relation in ("peer", "report"):
        shown[relation] = counts[relation] >= MIN_GROUP_N
        if not shown[relation]:
            pooled += counts[relation]
    shown["others"] = pooled >= MIN_GROUP_N
    return shown


def group_completion(progress: list[Progress]) -> list[GroupCompletion]:
    """The groups of one ratee's raters other than self (a group with no rater is left out).

    ``others`` is listed when a peer or report group is pooled (not shown with the raters who
    submitted so far): its counts are those groups' together.
    """
    assigned = dict.fromkeys(GROUPS, 0)
    started = dict(assigned)
    submitted = dict(assigned)
    for p in progress:
        assigned[p.relation] += 1
        started[p.relation] += p.started
        submitted[p.relation] += p.submitted
    now, could = _shown(submitted), _shown(assigned)
    pooled = [r for r in ("peer", "report") if assigned[r] and not now[r]]
    for counts in (assigned, started, submitted):
        counts["others"] = sum(counts[r] for r in pooled)
    pooled_if_all = [r for r in ("peer", "report") if assigned[r] and not could[r]]
    could["others"] = not pooled_if_all or could["others"]
    return [
        GroupCompletion(
            group=g,
            assigned=assigned[g],
            started=started[g],
            submitted=submitted[g],
            shown_now=now[g],
            shown_if_all_submit=could[g],
        )
        for g in GROUPS
        if assigned[g]
    ]


def cycle_completion(*, session: Session, cycle: str, actor: str) -> CompletionReport:
    """Completion of every ratee of the cycle, naming pending raters (admins only; audited)."""
    found = review_service.get_cycle(session=session, name=cycle)
    progress = pair_progress(session=session, cycle=found)
    people = {
        p.id: p
        for p in session.scalars(
            select(Person).where(Person.id.in_({i for pair in progress for i in pair}))
        )
    }
    by_ratee: dict[int, dict[int, Progress]] = {}
    for (ratee, rater), p in progress.items():
        by_ratee.setdefault(ratee, {})[rater] = p
    ratees = []
    for ratee in sorted(by_ratee, key=lambda r: (people[r].display_name, r)):
        raters = by_ratee[ratee]
        others = {r: p for r, p in raters.items() if p.relation != Relation.SELF}
        own = raters.get(ratee)
        ratees.append(
            RateeCompletion(
                ratee_id=ratee,
                ratee=people[ratee].display_name,
                self_submitted=bool(own and own.submitted),
                raters=len(others),
                submitted=sum(p.submitted for p in others.values()),
                groups=group_completion(list(others.values())),
                pending=[
                    PendingRater(
                        rater_id=r,
                        rater=people[r].display_name,
                        email=people[r].email,
                        relation=p.relation,
                        answered=p.answered,
                        asked=p.asked,
                    )
                    for r, p in sorted(others.items(), key=lambda i: people[i[0]].display_name)
                    if not p.submitted
                ],
            )
        )
    audit.record(
        session=session,
        actor=actor,
        action=AuditAction.REVIEW_COMPLETION,
        target=f"cycle:{found.id}",
        detail={"ratees": len(ratees)},
    )
    return CompletionReport(
        cycle=found.name,
        status=found.status,
        due_date=found.due_date,
        items_per_practice=found.items_per_practice,
        ratees=ratees,
        raters_assigned=sum(r.raters for r in ratees),
        raters_submitted=sum(r.submitted for r in ratees),
        groups_short=sum(1 for r in ratees for g in r.groups if not g.shown_now),
    )
