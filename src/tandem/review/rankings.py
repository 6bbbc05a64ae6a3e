"""The optional forced-ranking block: import it from CSV, store it, count it for profiles.

After the items a rater may pick a ratee's 3 strongest and 3 weakest practices. The CSV has the
columns ``ratee, rater, relation, kind, rank, practice``: ``ratee``/``rater`` are person ids or
emails (never created), ``relation`` ∈ self|manager|peer|report and agrees with the cycle's
assignment (or answers) of that pair, ``kind`` ∈ strongest|weakest, ``rank`` is 1–3 and
``practice`` a practice id of the cycle's item bank. A rater's block about one ratee is complete
(ranks 1, 2, 3 of each kind, six distinct practices) or absent: the block is optional. The whole
file is checked first; every bad row is reported with its line number
(:class:`~tandem.people.roster.BadRowsError`) and nothing is stored. Importing a block again
replaces that rater's block for that ratee. The block never enters scores, L, M, leaning or
pairing; profiles only count it (:func:`others_counts`, suppressed by the profile service).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tandem.csvfile import BadRowsError, CsvRow, read_csv
from tandem.errors import ConflictError, InputError
from tandem.people.lookup import PersonLookup
from tandem.review import service as review_service
from tandem.review import subsets
from tandem.review.items import PRACTICE_IDS, load_item_bank
from tandem.review.models import (
    CycleStatus,
    ForcedRanking,
    RankingKind,
    ReviewAssignment,
    ReviewCycle,
    ReviewResponse,
)
from tandem.review.responses_csv import parse_rating_pair

RANKING_COLUMNS = ("ratee", "rater", "relation", "kind", "rank", "practice")
KINDS: tuple[str, ...] = tuple(k.value for k in RankingKind)
PER_KIND = 3  # practices per list; the table's CHECK allows ranks 1–3
RANKS = {str(r): r for r in range(1, PER_KIND + 1)}


@dataclass(frozen=True)
class RankingBlock:
    """One rater's block about one ratee: practice ids by rank (rank 1 first)."""

    strongest: tuple[str, ...]
    weakest: tuple[str, ...]


@dataclass(frozen=True)
class ParsedBlock:
    """A checked, complete block from the file; ``line`` is its first row."""

    line: int
    ratee_id: int
    rater_id: int
    relation: str
    block: RankingBlock


@dataclass(frozen=True)
class _Row:
    line: int
    ratee_id: int
    rater_id: int
    relation: str
    kind: str
    rank: int
    practice: str


class RankingReport(BaseModel):
    """What a forced-ranking import did: blocks new, replaced or unchanged."""

    cycle: str
    rows: int
    blocks: int
    inserted: int
    replaced: int
    unchanged: int
    assignments_created: int
    ratees: int


def parse_rankings(
    path: Path,
    *,
    people: PersonLookup,
    practices: frozenset[str],
    known: Mapping[tuple[int, int], str],
) -> list[ParsedBlock]:
    """Every block of the file, checked; :class:`BadRowsError` listing every bad row otherwise.

    ``known`` maps (ratee id, rater id) to the relation the cycle already has for the pair
    (assignment or answers): the block's rows must agree with it and with each other. A block
    that lacks a rank is reported on its first row.
    """
    rows, problems = read_csv(path, columns=RANKING_COLUMNS)
    checker = _BlockChecker(known)
    for csv_row in rows:
        row_problems = checker.add(csv_row, *_parse_row(csv_row, people, practices))
        problems.extend((csv_row.line, message) for message in row_problems)
    problems.extend(checker.incomplete())
    if problems:
        raise BadRowsError(path, problems)
    return checker.blocks()


def _parse_row(
    row: CsvRow, people: PersonLookup, practices: frozenset[str]
) -> tuple[tuple[int, int] | None, tuple[str, int] | None, _Row | None, list[str]]:
    """The row's (ratee, rater) pair and (kind, rank) slot where they parse, the row if all do."""
    v = row.values
    pair, relation, problems = parse_rating_pair(v, people)
    kind = v["kind"].lower()
    if kind not in KINDS:
        problems.append(f"kind {v['kind']!r} is not one of {', '.join(KINDS)}")
    rank = RANKS.get(v["rank"])
    if rank is None:
        problems.append(f"rank {v['rank']!r} is not 1, 2 or 3")
    practice = v["practice"].lower()
    if practice not in practices:
        problems.append(
            f"practice {v['practice']!r} is not a practice of the cycle's item bank "
            f"({', '.join(p for p in PRACTICE_IDS if p in practices)})"
        )
    slot = (kind, rank) if kind in KINDS and rank is not None else None
    if problems or pair is None or slot is None:
        return pair, slot, None, problems
    return pair, slot, _Row(row.line, *pair, relation, kind, slot[1], practice), problems


class _BlockChecker:
    """Checks across rows: repeats, one relation per pair, complete blocks."""

    def __init__(self, known: Mapping[tuple[int, int], str]) -> None:
        self.known = known
        self.first_line: dict[tuple[int, int], int] = {}
        self.refs: dict[tuple[int, int], tuple[str, str]] = {}  # ratee, rater as first written
        self.slots: dict[tuple[int, int], dict[tuple[str, int], int]] = {}
        self.practices: dict[tuple[int, int, str], tuple[int, str, int]] = {}
        self.relation: dict[tuple[int, int], tuple[str, int]] = {}
        self.rows: dict[tuple[int, int], list[_Row]] = {}
        self.bad: set[tuple[int, int]] = set()
        self.unslotted: set[tuple[int, int]] = set()  # a row's kind or rank did not parse

    def add(
        self,
        csv_row: CsvRow,
        pair: tuple[int, int] | None,
        slot: tuple[str, int] | None,
        row: _Row | None,
        problems: list[str],
    ) -> list[str]:
        """Record one row; its problems, the cross-row ones added."""
        if pair is None:
            return problems
        if pair not in self.first_line:
            self.first_line[pair] = csv_row.line
            self.refs[pair] = (csv_row.values["ratee"], csv_row.values["rater"])
        if slot is None:
            self.unslotted.add(pair)
        else:
            taken = self.slots.setdefault(pair, {})
            if slot in taken:
                problems.append(f"repeats {slot[0]} rank {slot[1]} of line {taken[slot]}")
            else:
                taken[slot] = csv_row.line
        if row is not None:
            problems.extend(self._check(row))
        if problems:
            self.bad.add(pair)
        elif row is not None:
            self.rows.setdefault(pair, []).append(row)
        return problems

    def _check(self, row: _Row) -> list[str]:
        problems: list[str] = []
        pair = (row.ratee_id, row.rater_id)
        key = (*pair, row.practice)
        if key in self.practices:
            line, kind, rank = self.practices[key]
            problems.append(
                f"practice {row.practice} is already ranked on line {line} ({kind} {rank}); "
                "a block names six different practices"
            )
        else:
            self.practices[key] = (row.line, row.kind, row.rank)
        if pair in self.known and self.known[pair] != row.relation:
            problems.append(
                f"relation {row.relation} contradicts the cycle's {self.known[pair]} "
                "relation of this rater to this ratee"
            )
        elif pair in self.relation and self.relation[pair][0] != row.relation:
            relation, line = self.relation[pair]
            problems.append(
                f"relation {row.relation} contradicts line {line} ({relation}) "
                "for the same rater and ratee"
            )
        else:
            self.relation.setdefault(pair, (row.relation, row.line))
        return problems

    def incomplete(self) -> list[tuple[int, str]]:
        """Blocks lacking a rank, on their first row (unless a bad kind or rank explains it)."""
        problems = []
        for pair, line in self.first_line.items():
            if pair in self.unslotted:
                continue
            taken = self.slots.get(pair, {})
            missing = [
                f"{kind} {rank}"
                for kind in KINDS
                for rank in RANKS.values()
                if (kind, rank) not in taken
            ]
            if missing:
                problems.append(
                    (
                        line,
                        f"the block of rater {self.refs[pair][1]} about ratee "
                        f"{self.refs[pair][0]} starting here "
                        f"lacks {', '.join(missing)}: give ranks 1-3 of both kinds, or no row "
                        "at all (the block is optional)",
                    )
                )
                self.bad.add(pair)
        return problems

    def blocks(self) -> list[ParsedBlock]:
        """The complete, faultless blocks in file order."""
        parsed = []
        for pair, line in self.first_line.items():
            if pair in self.bad:
                continue
            by_slot = {(r.kind, r.rank): r.practice for r in self.rows[pair]}
            parsed.append(
                ParsedBlock(
                    line=line,
                    ratee_id=pair[0],
                    rater_id=pair[1],
                    relation=self.rows[pair][0].relation,
                    block=RankingBlock(
                        strongest=tuple(by_slot[("strongest", r)] for r in RANKS.values()),
                        weakest=tuple(by_slot[("weakest", r)] for r in RANKS.values()),
                    ),
                )
            )
        return parsed


# -- storing and reading --------------------------------------------------------------------------


def import_rankings(*, session: Session, cycle: str, path: Path) -> RankingReport:
    """Import a CSV of forced-ranking blocks into an open cycle, all or nothing.

    A block imported again replaces the rater's previous block about that ratee; a pair not yet
    in the cycle gets an assignment in the block's relation, as with answers.
    """
    found = review_service.get_cycle(session=session, name=cycle)
    if found.status != CycleStatus.OPEN:
        raise ConflictError(
            f"review cycle {found.name!r} is closed; it takes no more forced rankings "
            "(create a new cycle)"
        )
    bank = load_item_bank(found.item_bank_version)
    if bank.forced_ranking is None:
        raise InputError(
            f"item bank version {bank.version} of cycle {found.name!r} has no forced-ranking block"
        )
    known = _known_relations(session, found)
    parsed = parse_rankings(
        path,
        people=PersonLookup.load(session),
        practices=frozenset(i.practice for i in bank.items),
        known=known,
    )
    stored = blocks_by_ratee(session=session, cycle=found)
    inserted = replaced = unchanged = assignments_created = 0
    created: list[ReviewAssignment] = []
    for item in parsed:
        pair = (item.ratee_id, item.rater_id)
        if pair not in known:
            created.append(
                ReviewAssignment(
                    cycle_id=found.id,
                    ratee_id=item.ratee_id,
                    rater_id=item.rater_id,
                    relation=item.relation,
                )
            )
            session.add(created[-1])
            assignments_created += 1
        previous = stored.get(item.ratee_id, {}).get(item.rater_id)
        if previous == item.block:
            unchanged += 1
            continue
        if previous is None:
            inserted += 1
        else:
            replaced += 1
            session.execute(
                delete(ForcedRanking).where(
                    ForcedRanking.cycle_id == found.id,
                    ForcedRanking.ratee_id == item.ratee_id,
                    ForcedRanking.rater_id == item.rater_id,
                )
            )
        for kind, chosen in (("strongest", item.block.strongest), ("weakest", item.block.weakest)):
            session.add_all(
                ForcedRanking(
                    cycle_id=found.id,
                    ratee_id=item.ratee_id,
                    rater_id=item.rater_id,
                    practice=practice,
                    kind=kind,
                    rank=rank,
                )
                for rank, practice in enumerate(chosen, start=1)
            )
    subsets.number_new(session, found.id, created)
    session.flush()
    return RankingReport(
        cycle=found.name,
        rows=2 * PER_KIND * len(parsed),
        blocks=len(parsed),
        inserted=inserted,
        replaced=replaced,
        unchanged=unchanged,
        assignments_created=assignments_created,
        ratees=len({b.ratee_id for b in parsed}),
    )


def _known_relations(session: Session, cycle: ReviewCycle) -> dict[tuple[int, int], str]:
    """The relation of every pair in the cycle: its assignment, else its answers."""
    known: dict[tuple[int, int], str] = {}
    for model in (ReviewAssignment, ReviewResponse):
        query = select(model.ratee_id, model.rater_id, model.relation).where(
            model.cycle_id == cycle.id
        )
        for ratee, rater, relation in session.execute(query.distinct()):
            known.setdefault((ratee, rater), relation)
    return known


def blocks_by_ratee(*, session: Session, cycle: ReviewCycle) -> dict[int, dict[int, RankingBlock]]:
    """Every stored block of a cycle: ratee id → rater id → block."""
    rows = session.execute(
        select(
            ForcedRanking.ratee_id,
            ForcedRanking.rater_id,
            ForcedRanking.kind,
            ForcedRanking.rank,
            ForcedRanking.practice,
        )
        .where(ForcedRanking.cycle_id == cycle.id)
        .order_by(ForcedRanking.ratee_id, ForcedRanking.rater_id, ForcedRanking.rank)
    )
    lists: dict[int, dict[int, dict[str, list[str]]]] = {}
    for ratee, rater, kind, _rank, practice in rows:
        block = lists.setdefault(ratee, {}).setdefault(rater, {"strongest": [], "weakest": []})
        block[kind].append(practice)
    return {
        ratee: {
            rater: RankingBlock(strongest=tuple(b["strongest"]), weakest=tuple(b["weakest"]))
            for rater, b in raters.items()
        }
        for ratee, raters in lists.items()
    }


@dataclass(frozen=True)
class RankingCounts:
    """Others' blocks about one ratee: how many raters gave one, and per practice the counts."""

    raters: int
    strongest: Mapping[str, int]
    weakest: Mapping[str, int]


def others_counts(blocks: Mapping[int, RankingBlock], *, ratee: int) -> RankingCounts:
    """Count the blocks of raters other than ``ratee`` (the self block never counts).

    Every practice is present, in the fixed order; ranks are not weighted, a practice counts
    once per rater who put it among their strongest (or weakest). Suppression is the caller's.

    Examples
    --------
    >>> b = RankingBlock(("vision", "change", "process"), ("conflict", "allocation", "empowerment"))
    >>> counts = others_counts({1: b, 2: b}, ratee=1)  # person 1's own block is left out
    >>> counts.raters, counts.strongest["vision"], counts.weakest["conflict"]
    (1, 1, 1)
    """
    others = [block for rater, block in blocks.items() if rater != ratee]
    strongest = Counter(p for block in others for p in block.strongest)
    weakest = Counter(p for block in others for p in block.weakest)
    return RankingCounts(
        raters=len(others),
        strongest={p: strongest[p] for p in PRACTICE_IDS},
        weakest={p: weakest[p] for p in PRACTICE_IDS},
    )
