"""The delivery service: pull request flow and the four keys, for the CLI and the web.

Surfaces (``tandem flow prs | dora``, the HOW panel's Delivery section) call these typed,
keyword-only functions and only render what they return. They take the flow engine's
:class:`~tandem.flow.engine.Filters` for the window and the team: a team's answer covers the
changes (pull requests, direct commits) its members' identities authored.

Privacy (DESIGN §7), as in :mod:`tandem.flow.service`: a team answer needs at least
``min_people`` distinct people (``Filters.team_people``) among the authors of the changes it
rests on, else :class:`~tandem.flow.service.TooFewPeopleError`; then each figure inside it is
checked on the people behind its own items and withheld alone below that (:mod:`.privacy`).
A team answer has no mean and needs a window of at least
:data:`~tandem.delivery.privacy.MIN_WINDOW_DAYS` days (an input error names the window).
Drill-down rows never carry an author. Unknown is null, never 0; every figure carries its n and
what it left out.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from tandem.delivery.dora import dora, selected_changes
from tandem.delivery.linkage import (
    DEFAULT_PRODUCTION,
    Change,
    Linkage,
    link,
    production_pattern,
)
from tandem.delivery.privacy import Floor, require_window
from tandem.delivery.prs import pr_flow, selected_prs
from tandem.delivery.records import DeliveryRecords, read_records
from tandem.delivery.schemas import DoraReport, PrFlowReport
from tandem.errors import InputError
from tandem.flow.engine import Filters, FlowEngine
from tandem.flow.service import MIN_PEOPLE, TooFewPeopleError

WINDOW_DAYS = 90  # without a start: the 90 days before the end


def compile_production(pattern: str) -> re.Pattern[str]:
    """The production environment pattern; a bad one names its setting."""
    try:
        return production_pattern(pattern)
    except re.error as exc:
        raise InputError(
            f"bad regular expression {pattern!r}: {exc}", field="flow.delivery.production"
        ) from None


def window(
    last: dt.datetime | None, filters: Filters, days: int = WINDOW_DAYS
) -> tuple[dt.datetime, dt.datetime]:
    """The filters' ``[start, end)``; without an end, midnight (UTC) after ``last``, the last
    event of the records the figure reads (pull requests; deployments and incidents), so that
    one kind's older history is not measured on another kind's recent window; without a start,
    ``days`` before the end."""
    end = filters.end
    if end is None:
        last = last or dt.datetime.now(dt.UTC)
        end = dt.datetime.combine(last.date() + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    start = filters.start or end - dt.timedelta(days=days)
    return start, end


def _authors(filters: Filters) -> set[str] | None:
    people = filters.people
    return None if people is None else set(people)


def _floor(filters: Filters, min_people: int) -> Floor | None:
    """The per-figure people check of a team answer (None without a team)."""
    if not filters.teams:
        return None
    return Floor.of(teams=filters.teams, team_people=filters.team_people, min_people=min_people)


def _people(filters: Filters, authors: Iterable[str | None]) -> int | None:
    """Distinct people behind a team answer (null without a team)."""
    if not filters.teams:
        return None
    return len({filters.team_people.get(a, a) for a in authors if a is not None})


def _check(filters: Filters, found: int | None, min_people: int, what: str) -> None:
    if found is None or found >= min_people:
        return
    teams = ", ".join(sorted(filters.teams))
    raise TooFewPeopleError(
        f"withheld: the {what} of team {teams} in this window come from fewer than "
        f"{min_people} people; team delivery figures are shown from {min_people} people on, "
        "so that they never describe one person (widen the window)"
    )


def _in_window(change: Change, start: dt.datetime, end: dt.datetime) -> bool:
    """Whether a change counts in the window: deployed or merged in it."""
    instants = (change.deployment.deployed_at if change.deployment else None, change.merged_at)
    return any(t is not None and start <= t < end for t in instants)


def _linked(engine: FlowEngine, pattern: str) -> tuple[DeliveryRecords, Linkage]:
    regex = compile_production(pattern)
    records = read_records(engine)
    return records, link(engine=engine, records=records, production=regex)


def pull_request_flow(
    *,
    engine: FlowEngine,
    filters: Filters,
    include_bots: bool = False,
    production: str = DEFAULT_PRODUCTION,
    min_people: int = MIN_PEOPLE,
) -> PrFlowReport:
    """Coding, pickup, review and deploy P50/P85/P95 over the PRs created in the window."""
    records, linkage = _linked(engine, production)
    start, end = window(records.last_pull_request_event, filters)
    floor = _floor(filters, min_people)
    require_window(start, end, floor=floor)
    authors = _authors(filters)
    prs, _ = selected_prs(records, start=start, end=end, include_bots=include_bots, authors=authors)
    people = _people(filters, (pr.author for pr in prs))
    _check(filters, people, min_people, "pull requests")
    return pr_flow(
        records=records,
        linkage=linkage,
        start=start,
        end=end,
        include_bots=include_bots,
        authors=authors,
        people=people,
        floor=floor,
    )


def dora_metrics(
    *,
    engine: FlowEngine,
    filters: Filters,
    production: str = DEFAULT_PRODUCTION,
    include_bots: bool = False,
    min_people: int = MIN_PEOPLE,
) -> DoraReport:
    """Deployment frequency, change lead time, change failure rate, time to restore."""
    records, linkage = _linked(engine, production)
    start, end = window(records.last_deployment_event, filters)
    floor = _floor(filters, min_people)
    require_window(start, end, floor=floor)
    authors = _authors(filters)
    people = None
    if authors is not None:
        changes, _ = selected_changes(linkage, include_bots=include_bots, authors=authors)
        behind = [c.author for c in changes if _in_window(c, start, end)]
        people = _people(filters, behind)
        _check(filters, people, min_people, "changes")
    return dora(
        linkage=linkage,
        start=start,
        end=end,
        production_pattern=production,
        include_bots=include_bots,
        authors=authors,
        people=people,
        floor=floor if authors is not None else None,
    )
