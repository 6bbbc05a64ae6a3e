"""Reading and checking a CSV file of 360 answers before anything touches the database.

Columns ``ratee, rater, relation, item_id, value``: ``ratee``/``rater`` are person ids or emails,
``relation`` ∈ self|manager|peer|report (``self`` exactly when ratee = rater), ``item_id`` must
be in the cycle's item bank version and routed to the row's relation (bank v2 items say which
relations rate them), ``value`` is 1–5 or empty for "can't observe". Every row is
checked and every problem reported with its line number
(:class:`~tandem.people.roster.BadRowsError`); a person is never created by an answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from tandem.csvfile import BadRowsError, CsvRow, read_csv
from tandem.people.lookup import PersonLookup
from tandem.review.items import ItemBank, not_asked_message
from tandem.review.models import RELATIONS, Relation

RESPONSE_COLUMNS = ("ratee", "rater", "relation", "item_id", "value")
SCALE = {str(v): v for v in range(1, 6)}


@dataclass(frozen=True)
class ParsedResponse:
    """One checked answer."""

    line: int
    ratee_id: int
    rater_id: int
    relation: str
    item_id: str
    value: int | None


def parse_responses(
    path: Path,
    *,
    people: PersonLookup,
    bank: ItemBank,
    assigned: Mapping[tuple[int, int], str],
) -> list[ParsedResponse]:
    """Every answer of the file, checked; :class:`BadRowsError` listing every bad row otherwise.

    ``assigned`` maps (ratee id, rater id) to the relation already assigned in the cycle: an
    answer must agree with it, and all answers of one rater about one ratee must agree.
    """
    rows, problems = read_csv(path, columns=RESPONSE_COLUMNS)
    parsed: list[ParsedResponse] = []
    first_answer: dict[tuple[int, int, str], int] = {}
    first_relation: dict[tuple[int, int], tuple[str, int]] = {}
    for row in rows:
        response, row_problems = _parse_row(row, people, bank)
        if response is not None:
            row_problems.extend(_check_against(response, first_answer, first_relation, assigned))
        if row_problems:
            problems.extend((row.line, message) for message in row_problems)
        elif response is not None:
            parsed.append(response)
    if problems:
        raise BadRowsError(path, problems)
    return parsed


def parse_rating_pair(
    values: Mapping[str, str], people: PersonLookup
) -> tuple[tuple[int, int] | None, str, list[str]]:
    """A row's ``ratee``, ``rater`` and ``relation`` columns: the (ratee, rater) ids where both
    resolve, the relation (lower case) and what is wrong with them."""
    problems: list[str] = []
    ratee = people.resolve(values["ratee"])
    rater = people.resolve(values["rater"])
    if isinstance(ratee, str):
        problems.append(f"ratee {ratee}")
    if isinstance(rater, str):
        problems.append(f"rater {rater}")
    pair = (ratee, rater) if isinstance(ratee, int) and isinstance(rater, int) else None
    relation = values["relation"].lower()
    if relation not in RELATIONS:
        problems.append(f"relation {values['relation']!r} is not one of {', '.join(RELATIONS)}")
    elif pair is not None and (relation == Relation.SELF) != (pair[0] == pair[1]):
        problems.append(
            "relation self needs the rater to be the ratee"
            if relation == Relation.SELF
            else f"a rater rating themself is relation self, not {relation}"
        )
    return pair, relation, problems


def _parse_row(
    row: CsvRow, people: PersonLookup, bank: ItemBank
) -> tuple[ParsedResponse | None, list[str]]:
    v = row.values
    pair, relation, problems = parse_rating_pair(v, people)
    item_id = v["item_id"]
    try:
        item = bank.item(item_id)
    except KeyError:
        problems.append(f"item {item_id!r} is not in item bank version {bank.version}")
    else:
        if relation in RELATIONS and not item.rated_by(relation):
            problems.append(f"item_id: {not_asked_message(item_id, relation, bank.version)}")
    value: int | None = None
    if v["value"]:
        if v["value"] in SCALE:
            value = SCALE[v["value"]]
        else:
            problems.append(f"value {v['value']!r} is not 1–5 (or empty for can't observe)")
    if problems or pair is None:
        return None, problems
    return ParsedResponse(row.line, *pair, relation, item_id, value), problems


def _check_against(
    response: ParsedResponse,
    first_answer: dict[tuple[int, int, str], int],
    first_relation: dict[tuple[int, int], tuple[str, int]],
    assigned: Mapping[tuple[int, int], str],
) -> list[str]:
    problems: list[str] = []
    pair = (response.ratee_id, response.rater_id)
    key = (*pair, response.item_id)
    if key in first_answer:
        problems.append(
            f"repeats line {first_answer[key]} (same ratee, rater and item {response.item_id})"
        )
    else:
        first_answer[key] = response.line
    if pair in assigned and assigned[pair] != response.relation:
        problems.append(
            f"relation {response.relation} contradicts the cycle's assignment of this rater "
            f"to this ratee as {assigned[pair]}"
        )
    elif pair in first_relation and first_relation[pair][0] != response.relation:
        relation, line = first_relation[pair]
        problems.append(
            f"relation {response.relation} contradicts line {line} ({relation}) "
            "for the same rater and ratee"
        )
    else:
        first_relation.setdefault(pair, (response.relation, response.line))
    return problems
