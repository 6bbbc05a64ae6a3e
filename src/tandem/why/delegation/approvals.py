"""Approval bottlenecks (DESIGN §3, empowerment evidence): do reviews wait on one person?

Read from the lake's pull requests with their reviews (:mod:`tandem.delivery.records`): the
pull requests **created** in the window (by the team's members when a team is asked), bots'
pull requests and reviews left out, and a review by the pull request's own author ignored. Of
the pull requests with at least one review:

* ``busiest_share`` — the share of all their reviews done by the busiest reviewer (a person:
  identities merged by the identity → person mapping);
* ``waited_on_one`` — how many had every review from that busiest reviewer;
* ``single_reviewer`` — how many were reviewed by exactly one person (anyone).

The window is the delivery service's (:func:`tandem.delivery.service.window`): without dates,
the 90 days up to the last pull request event.

Privacy (DESIGN §7): team-level only, never a name; withheld below ``min_people`` distinct
people among the authors and reviewers of the reviewed pull requests — and a withheld answer
carries no count at all (pull requests, reviews, reviewers and people are null; the reason says
"fewer than 5 people"), since counts of fewer people than the floor describe them. The window
spans at least :data:`~tandem.delivery.privacy.MIN_WINDOW_DAYS` days (an input error naming
``from`` otherwise).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from tandem.delivery.records import read_records
from tandem.delivery.service import window
from tandem.flow.engine import Filters, FlowEngine
from tandem.flow.service import MIN_PEOPLE
from tandem.why.delegation.ownership import OwnerScope
from tandem.why.delegation.schemas import Approvals
from tandem.why.scope import require_window, withheld_text


def _midnight(day: dt.date | None) -> dt.datetime | None:
    return None if day is None else dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def approvals(
    *,
    engine: FlowEngine,
    scope: OwnerScope,
    start: dt.date | None = None,
    end: dt.date | None = None,
    min_people: int = MIN_PEOPLE,
) -> Approvals:
    """Approval bottlenecks of the scope's pull requests in the window (module docstring)."""
    records = read_records(engine)
    last = _midnight(end + dt.timedelta(days=1)) if end else None
    first, stop = window(records.last_pull_request_event, Filters(start=_midnight(start), end=last))
    require_window(first, stop, what="team approval answers")
    authors = None if scope.keys is None else set(scope.keys)
    person = scope.people.get
    reviewed: list[list[str]] = []
    people: set[str] = set()
    for pr in records.pull_requests:
        if pr.created_at is None or not first <= pr.created_at < stop or pr.author_is_bot:
            continue
        if authors is not None and pr.author not in authors:
            continue
        reviewers = [
            person(r.reviewer, r.reviewer)
            for r in pr.reviews
            if r.reviewer is not None and not r.reviewer_is_bot and r.reviewer != pr.author
        ]
        if not reviewers:
            continue
        reviewed.append(reviewers)
        people.update(reviewers)
        if pr.author is not None:
            people.add(person(pr.author, pr.author))
    counts = Counter(name for reviewers in reviewed for name in reviewers)
    base = {
        "scope": scope.label,
        "start": first.date(),
        "end": (stop - dt.timedelta(days=1)).date(),
        "pull_requests": len(reviewed),
        "reviews": sum(counts.values()),
        "reviewers": len(counts),
        "people": len(people),
    }
    if not counts:  # nothing reviewed: nothing to withhold
        return Approvals(
            **base, busiest_share=None, waited_on_one=None, single_reviewer=None, withheld=None
        )
    if len(people) < min_people:
        return Approvals(
            **base | {"pull_requests": None, "reviews": None, "reviewers": None, "people": None},
            busiest_share=None,
            waited_on_one=None,
            single_reviewer=None,
            withheld=withheld_text(scope.label, "approval", min_people),
        )
    busiest, most = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
    return Approvals(
        **base,
        busiest_share=round(most / sum(counts.values()), 6),
        waited_on_one=sum(1 for reviewers in reviewed if set(reviewers) == {busiest}),
        single_reviewer=sum(1 for reviewers in reviewed if len(set(reviewers)) == 1),
        withheld=None,
    )
