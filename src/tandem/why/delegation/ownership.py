"""Ownership concentration from git: whose changes an area of a repository comes from.

An **area** is a path prefix of a repository: the first ``depth`` (1–3) directories of each
changed file's path (``src/tandem/lake/store.py`` is ``src`` at depth 1, ``src/tandem`` at 2,
``src/tandem/lake`` at 3); files at the top of the repository form the area ``.``. A **change**
is a non-merge commit touching the area (a commit touching two areas is a change of each); the
lines changed (insertions + deletions of ``commit_files``) are given alongside. Commits are
taken by authored time in ``[start, end]`` (days, UTC); without a window, the
:data:`DEFAULT_DAYS` days up to the last commit of the selected repositories.

Authors are **people**: identity keys are merged through the identity → person mapping the
surface hands in (a key no one is linked to counts as its own person). Per area:

* ``top_share`` — the busiest person's share of the area's changes;
* ``herfindahl`` — Σ shareᵢ² over its people (1/n for n equal authors, 1 for one author);
* ``bus_factor`` — the fewest people whose changes cover **more than 50 %** of the area's
  changes (busiest first); areas with bus factor 1 are **flagged**.

Bots (identities flagged ``is_bot``) are left out by default.

The lake does the work: one DuckDB/Ibis aggregation gives (repo, area, person, commits, lines);
only those small groups reach Python, for the shares.

Privacy (DESIGN §7): the answer names no one.

* The window spans at least :data:`~tandem.delivery.privacy.MIN_WINDOW_DAYS` days
  (:func:`tandem.why.scope.require_days`; a narrower one is an input error naming ``from``).
* The answer needs at least ``min_people`` distinct people behind the window's commits, else it
  is **withheld**: no areas, and no counts either (``people`` and ``commits`` are null; the
  reason says "fewer than 5 people", never how many).
* An area is a people aggregate too: an area with fewer than ``min_people`` authors keeps its
  ``bus_factor`` and ``flagged`` (bus factor 1 says "one person", never who — the point of the
  feature), but its ``commits``, ``lines``, ``top_share``, ``herfindahl`` and ``authors`` are
  null (with two authors, the top share and the commits give each one's count; the number of
  authors below the floor is a count of those few people). Areas add up
  to the answer's commits, so they are also suppressed complementarily
  (:func:`tandem.delivery.privacy.complementary`): while the withheld areas together have fewer
  than ``min_people`` people, the shown area with the fewest is withheld too.
* The viewer alone gets ``mine``: the areas where they are the top author, with their own
  changes, and their share only where the area's figures are shown ("you wrote 82 % of changes
  in src/tandem/lake"); in a withheld area the share (own ÷ the area's total) would give the
  others' changes back, so it is null ("you wrote the most changes in lib: 4") — unless they are
  its only author. ``mine`` is empty whenever the team answer is withheld.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import ibis
import ibis.expr.types as ir
import pyarrow as pa
from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.delivery.changes import GitSelection, selected_repos
from tandem.delivery.privacy import Floor, complementary
from tandem.errors import InputError
from tandem.flow.engine import FIRST_DAY, LAST_DAY, FlowEngine, utc
from tandem.flow.service import MIN_PEOPLE
from tandem.people.models import Identity, Team
from tandem.why.delegation.schemas import AreaOwnership, MyArea, Ownership
from tandem.why.scope import require_days, team_filters, withheld_text

DEFAULT_DAYS = 365
DEPTHS = (1, 2, 3)
TOP_LEVEL = "."


@dataclass(frozen=True)
class OwnerScope:
    """Whose commits an ownership answer reads: a team's members' identity keys (``keys``) or
    everyone's (``keys=None``), and identity key → person id (as text)."""

    label: str
    keys: tuple[str, ...] | None
    people: Mapping[str, str] = field(default_factory=dict)


def team_scope(session: Session, team: Team) -> OwnerScope:
    """The team's members' identities and who they are (as the HOW panel selects them)."""
    filters = team_filters(session, team)
    return OwnerScope(f"team {team.name}", filters.people or (), dict(filters.team_people))


def all_scope(session: Session) -> OwnerScope:
    """Every commit of the repositories, identities merged by every person link."""
    rows = session.execute(
        select(Identity.identity_key, Identity.person_id).where(Identity.person_id.is_not(None))
    )
    return OwnerScope("all work data", None, {key: str(person) for key, person in rows})


@dataclass(frozen=True)
class Concentration:
    """How concentrated one area's changes are over its people."""

    top_share: float
    herfindahl: float
    bus_factor: int


def concentration(counts: Sequence[int]) -> Concentration:
    """Top share, Herfindahl index and bus factor of per-person change counts (any order).

    >>> concentration([6, 3, 1])
    Concentration(top_share=0.6, herfindahl=0.46, bus_factor=1)
    >>> concentration([5, 5]).bus_factor  # 50 % is not more than half
    2
    """
    ranked = sorted((c for c in counts if c > 0), reverse=True)
    total = sum(ranked)
    if not total:
        raise ValueError("an area without changes has no concentration")
    covered = bus = 0
    for count in ranked:
        covered += count
        bus += 1
        if covered * 2 > total:
            break
    return Concentration(
        top_share=round(ranked[0] / total, 6),
        herfindahl=round(sum((c / total) ** 2 for c in ranked), 6),
        bus_factor=bus,
    )


def area_pattern(depth: int) -> str:
    """The regular expression of an area: the first ``depth`` directories of a path's folder."""
    if depth not in DEPTHS:
        raise InputError(f"give a depth of 1, 2 or 3, not {depth}", field="depth")
    return rf"^[^/]+(/[^/]+){{0,{depth - 1}}}"


def _day(value: dt.date, name: str) -> dt.datetime:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise InputError(f"give a day between {FIRST_DAY} and {LAST_DAY}", field=name)
    return dt.datetime.combine(value, dt.time(), tzinfo=dt.UTC)


def _window(
    engine: FlowEngine, repos: list[str], start: dt.date | None, end: dt.date | None
) -> tuple[dt.date | None, dt.date | None]:
    if start and end and start > end:
        raise InputError("the first day must not be after the last day", field="from")
    if end is None:
        commits = engine.table("commits")
        last = commits.filter(commits.repo.isin(repos)).authored_at.max()
        value = engine.to_pyarrow(last.name("last").as_table()).column(0)[0].as_py()
        if value is None:
            return start, None
        end = value.astimezone(dt.UTC).date()
    first = start or end - dt.timedelta(days=DEFAULT_DAYS - 1)
    require_days(first, end, what="team ownership answers")
    return first, end


def _mapping_table(people: Mapping[str, str]) -> ir.Table:
    return ibis.memtable(
        pa.table(
            {"map_key": list(people), "map_person": list(people.values())},
            schema=pa.schema([("map_key", pa.string()), ("map_person", pa.string())]),
        )
    )


def selected_commits(
    engine: FlowEngine,
    *,
    repos: list[str],
    start: dt.date,
    end: dt.date,
    scope: OwnerScope,
    include_bots: bool,
) -> ir.Table:
    """(repo, sha, author_key) of the window's non-merge commits of the scope."""
    commits = engine.table("commits")
    authored = utc(commits.authored_at)
    chosen = commits.filter(
        commits.repo.isin(repos),
        ~commits.is_merge,
        authored >= _day(start, "from"),
        authored < _day(end, "to") + dt.timedelta(days=1),
    )
    if scope.keys is not None:
        chosen = chosen.filter(chosen.author_key.isin(scope.keys or ("",)))
    chosen = chosen.select("repo", "sha", "author_key")
    if not include_bots:
        identities = engine.table("identities")
        bots = identities.filter(identities.is_bot).select(bot_key=identities.identity_key)
        chosen = chosen.anti_join(bots, chosen.author_key == bots.bot_key)
    return chosen


def _files(engine: FlowEngine) -> ir.Table:
    files = engine.table("commit_files")
    return files.select(
        f_repo=files.repo,
        f_sha=files.sha,
        path=files.path,
        lines=files.insertions.fill_null(0) + files.deletions.fill_null(0),
    )


def changes_by_person(
    engine: FlowEngine, *, commits: ir.Table, depth: int, scope: OwnerScope
) -> pa.Table:
    """(repo, area, person, commits, lines): the commits touching each area, per person (one
    lake query)."""
    files = _files(engine)
    joined = commits.join(files, [commits.repo == files.f_repo, commits.sha == files.f_sha])
    folder = joined.path.re_replace(r"/?[^/]*$", "")
    area = folder.re_extract(area_pattern(depth), 0)
    rows = joined.mutate(area=ibis.ifelse(area == "", TOP_LEVEL, area))
    mapping = _mapping_table(scope.people)
    rows = rows.left_join(mapping, rows.author_key == mapping.map_key)
    rows = rows.mutate(person=rows.map_person.fill_null(rows.author_key))
    grouped = rows.group_by(["repo", "area", "person"]).aggregate(
        commits=rows.sha.nunique(), lines=rows.lines.sum()
    )
    # the backend route: it registers the identity → person memtable the query joins
    return engine.backend.to_pyarrow(grouped.order_by(["repo", "area", "person"]))


def commit_count(engine: FlowEngine, commits: ir.Table) -> int:
    """Distinct commits with files behind the answer (the areas' changes overlap)."""
    files = _files(engine)
    touched = commits.semi_join(files, [commits.repo == files.f_repo, commits.sha == files.f_sha])
    count = touched.select("repo", "sha").distinct().count()
    return int(engine.to_pyarrow(count.name("n").as_table()).column(0)[0].as_py())


def ownership(
    *,
    engine: FlowEngine,
    scope: OwnerScope,
    repo: str | None = None,
    depth: int = 1,
    start: dt.date | None = None,
    end: dt.date | None = None,
    include_bots: bool = False,
    viewer: str | None = None,
    min_people: int = MIN_PEOPLE,
) -> Ownership:
    """Ownership concentration per area of the scope's commits in the window (module docstring);
    ``viewer`` (a person id as text) gets the areas where they are the top author."""
    area_pattern(depth)
    repos = selected_repos(engine.lake, GitSelection(repos=(repo,) if repo else ()))
    first, last = _window(engine, repos, start, end)
    base = {
        "scope": scope.label,
        "start": first,
        "end": last,
        "depth": depth,
        "repos": repos,
        "include_bots": include_bots,
    }
    if first is None or last is None or not repos:
        return Ownership(**base, people=0, commits=0, withheld=None, areas=[], flagged=0, mine=[])
    chosen = selected_commits(
        engine, repos=repos, start=first, end=last, scope=scope, include_bots=include_bots
    )
    table = changes_by_person(engine, commits=chosen, depth=depth, scope=scope).to_pylist()
    people = len({row["person"] for row in table})
    commits = commit_count(engine, chosen)
    if people < min_people:
        return Ownership(
            **base,
            people=None,
            commits=None,
            withheld=withheld_text(scope.label, "ownership", min_people),
            areas=[],
            flagged=0,
            mine=[],
        )
    floor = Floor(whose=scope.label, team_people=scope.people, min_people=min_people)
    areas, mine = _areas(table, viewer, floor)
    return Ownership(
        **base,
        people=people,
        commits=commits,
        withheld=None,
        areas=areas,
        flagged=sum(a.flagged for a in areas),
        mine=mine,
    )


def _areas(
    rows: list[dict[str, object]], viewer: str | None, floor: Floor
) -> tuple[list[AreaOwnership], list[MyArea]]:
    grouped: dict[tuple[str, str], list[dict[str, object]]] = defaultdict(list)
    for row in rows:
        grouped[(str(row["repo"]), str(row["area"]))].append(row)
    hidden = complementary(
        {key: frozenset(str(p["person"]) for p in people) for key, people in grouped.items()},
        floor,
    )
    areas: list[AreaOwnership] = []
    mine: list[MyArea] = []
    for (repo, area), people in grouped.items():
        counts = [int(str(p["commits"])) for p in people]
        shape = concentration(counts)
        total = sum(counts)
        shown = (repo, area) not in hidden
        areas.append(
            AreaOwnership(
                area=area,
                repo=repo,
                commits=total if shown else None,
                lines=sum(int(str(p["lines"] or 0)) for p in people) if shown else None,
                authors=len(people) if len(people) >= floor.min_people else None,
                top_share=shape.top_share if shown else None,
                herfindahl=shape.herfindahl if shown else None,
                bus_factor=shape.bus_factor,
                flagged=shape.bus_factor == 1,
                withheld=None if shown else _area_reason(len(people), floor.min_people),
            )
        )
        own = next((int(str(p["commits"])) for p in people if p["person"] == viewer), 0)
        if viewer is not None and own and own == max(counts):
            mine.append(_my_area(repo, area, own, total, shown or len(people) == 1))
    areas.sort(key=_area_order)
    mine.sort(key=lambda m: (m.share is None, -(m.share or 0), m.repo, m.area))
    return areas, mine


def _area_reason(authors: int, min_people: int) -> str:
    if authors < min_people:
        return (
            f"changes and shares withheld: fewer than {min_people} people changed this area "
            "(its bus factor is shown, never who)"
        )
    return "changes and shares withheld: they would give a smaller area's back by subtraction"


def _area_order(a: AreaOwnership) -> tuple[object, ...]:
    """Most concentrated first; withheld areas after the shown ones, by bus factor and name
    only (an order by their hidden figures would rank them)."""
    if a.top_share is None:
        return (1, 0.0, a.bus_factor, 0, a.repo, a.area)
    return (0, -a.top_share, a.bus_factor, -(a.commits or 0), a.repo, a.area)


def _my_area(repo: str, area: str, own: int, total: int, with_share: bool) -> MyArea:
    """The viewer's own top area: their changes, and their share where it gives no one else's
    changes back (the area's figures are shown, or no one else changed it)."""
    if with_share:
        share: float | None = round(own / total, 6)
        text = f"you wrote {round(own / total * 100)} % of changes in {area}"
    else:
        share = None
        text = f"you wrote the most changes in {area}: {own}"
    return MyArea(area=area, repo=repo, share=share, changes=own, text=text)
