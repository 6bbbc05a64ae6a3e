"""The item bank: Tandem's own behavioural items for the ten practices, versioned data.

Each version lives in ``data/items_v<N>.toml`` inside this package and is validated when loaded:
the ten practices in the fixed order, item ids ``<practice>-<n>``, 4–6 items per practice with at
least one reverse-keyed item, a five-point frequency scale plus "can't observe". A bad file raises
:class:`~tandem.errors.InputError` naming the file and the field. See ``docs/people-science.md``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from tandem.errors import InputError

SIDES = ("leader", "manager")
PRACTICE_IDS = (
    "vision",
    "storytelling",
    "empowerment",
    "change",
    "championing",
    "process",
    "performance",
    "communication",
    "allocation",
    "conflict",
)
_SIDE_OF = {p: SIDES[0] if i < 5 else SIDES[1] for i, p in enumerate(PRACTICE_IDS)}
SCALE_POINTS = 5  # values 1..5; "can't observe" is None
MIN_ITEMS, MAX_ITEMS = 4, 6

_BANK_FILE = re.compile(r"^items_v([1-9][0-9]*)\.toml$")
_ITEM_ID = re.compile(r"^([a-z]+)-([1-9][0-9]*)$")


@dataclass(frozen=True)
class Practice:
    """One of the ten practices: its side, name, the essay's wording and the research construct."""

    id: str
    side: str
    name: str
    essay: str
    construct: str


@dataclass(frozen=True)
class Item:
    """One behavioural item, rated on the frequency scale; ``reverse`` items score as 6 − x."""

    id: str
    side: str
    practice: str
    reverse: bool
    text: str


@dataclass(frozen=True)
class Scale:
    """The answer scale: labels for values 1..5 and the label of "can't observe" (no value)."""

    labels: tuple[str, ...]
    cant_observe: str
    stem: str


@dataclass(frozen=True)
class ForcedRanking:
    """The optional forced-ranking block: pick the ``strongest`` and ``weakest`` practices."""

    optional: bool
    strongest: int
    weakest: int
    instructions: str


@dataclass(frozen=True)
class ItemBank:
    """A validated version of the item bank."""

    version: str
    items: tuple[Item, ...]
    scale: Scale | None = None
    forced_ranking: ForcedRanking | None = None
    _by_id: Mapping[str, Item] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {item.id: item for item in self.items})

    def item(self, item_id: str) -> Item:
        """The item with this id; ``KeyError`` if the bank has none."""
        return self._by_id[item_id]

    def by_practice(self) -> dict[str, tuple[Item, ...]]:
        """Items grouped by practice, every practice present, in the fixed practice order."""
        return {p: tuple(i for i in self.items if i.practice == p) for p in PRACTICE_IDS}


def practices_of(side: str) -> tuple[str, ...]:
    """The practice ids of one side (``leader`` or ``manager``), in the fixed order."""
    if side not in SIDES:
        raise ValueError(f"unknown side {side!r}; expected one of {', '.join(SIDES)}")
    return tuple(p for p in PRACTICE_IDS if _SIDE_OF[p] == side)


def practice(practice_id: str) -> Practice:
    """The practice record with this id; ``KeyError`` if unknown."""
    for record in PRACTICES:
        if record.id == practice_id:
            return record
    raise KeyError(practice_id)


def available_versions() -> tuple[str, ...]:
    """The item bank versions shipped with Tandem, oldest first."""
    found = []
    for entry in _data_dir().iterdir():
        match = _BANK_FILE.match(entry.name)
        if match:
            found.append(int(match.group(1)))
    return tuple(str(v) for v in sorted(found))


def load_item_bank(version: str | None = None) -> ItemBank:
    """The item bank of ``version`` (the latest when ``None``), validated and cached."""
    if version is None:
        version = available_versions()[-1]
    return _load_version(version)


@cache
def _load_version(version: str) -> ItemBank:
    known = available_versions()
    if version not in known:
        raise InputError(
            f"unknown item bank version {version!r}; known: {', '.join(known)}", field="version"
        )
    source = _data_dir() / f"items_v{version}.toml"
    bank, _ = _load_bank_file(source)
    if bank.version != version:
        raise InputError(
            f"declares version {bank.version!r} but is named for version {version!r}",
            path=display_name(source),
            field="version",
        )
    return bank


def _data_dir() -> Traversable:
    return resources.files("tandem.review") / "data"


def display_name(source: Path | Traversable) -> str:
    """How a data file is named in error messages: its path, or its place in the package."""
    return str(source)


def _load_bank_file(source: Path | Traversable) -> tuple[ItemBank, tuple[Practice, ...]]:
    """Parse and validate one item bank file; raise ``InputError`` naming the file and field."""
    where = display_name(source)
    try:
        raw = tomllib.loads(source.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}", path=where) from None
    check = FieldChecker(where)
    check.keys(
        raw, "", required={"version", "scale", "practices", "items"}, optional={"forced_ranking"}
    )
    version = check.text(raw, "version")
    scale = _parse_scale(check, raw["scale"])
    practices = _parse_practices(check, raw["practices"])
    items = _parse_items(check, raw["items"])
    forced = _parse_forced(check, raw["forced_ranking"]) if "forced_ranking" in raw else None
    return ItemBank(version=version, items=items, scale=scale, forced_ranking=forced), practices


class FieldChecker:
    """Field checks for Tandem's TOML data files; failures name the file and a dotted field."""

    def __init__(self, where: str) -> None:
        self.where = where

    def fail(self, name: str, message: str) -> InputError:
        """An ``InputError`` for field ``name`` of this file."""
        return InputError(message, path=self.where, field=name)

    def table(self, value: Any, name: str) -> dict[str, Any]:
        """``value`` if it is a TOML table."""
        if not isinstance(value, dict):
            raise self.fail(name, "must be a table")
        return value

    def array(self, value: Any, name: str) -> list[Any]:
        """``value`` if it is a non-empty TOML array."""
        if not isinstance(value, list) or not value:
            raise self.fail(name, "must be a non-empty array")
        return value

    def keys(
        self,
        table: dict[str, Any],
        prefix: str,
        *,
        required: AbstractSet[str],
        optional: AbstractSet[str] = frozenset(),
    ) -> None:
        """Fail on the first missing required key or unknown key."""
        for key in sorted(required - table.keys()):
            raise self.fail(prefix + key, "is missing")
        for key in sorted(table.keys() - required - optional):
            raise self.fail(prefix + key, "is not a known field")

    def text(self, table: dict[str, Any], key: str, prefix: str = "") -> str:
        """The stripped non-empty string at ``key``."""
        value = table[key]
        if not isinstance(value, str) or not value.strip():
            raise self.fail(prefix + key, "must be a non-empty string")
        return value.strip()

    def flag(self, table: dict[str, Any], key: str, prefix: str = "") -> bool:
        """The boolean at ``key``."""
        value = table[key]
        if not isinstance(value, bool):
            raise self.fail(prefix + key, "must be true or false")
        return value

    def count(self, table: dict[str, Any], key: str, prefix: str = "") -> int:
        """The positive integer at ``key``."""
        value = table[key]
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise self.fail(prefix + key, "must be a positive integer")
        return value


def _parse_scale(check: FieldChecker, raw: Any) -> Scale:
    table = check.table(raw, "scale")
    check.keys(table, "scale.", required={"labels", "cant_observe", "stem"})
    labels = table["labels"]
    if (
        not isinstance(labels, list)
        or len(labels) != SCALE_POINTS
        or not all(isinstance(label, str) and label.strip() for label in labels)
    ):
        raise check.fail("scale.labels", f"must be {SCALE_POINTS} non-empty strings (values 1..5)")
    return Scale(
        labels=tuple(label.strip() for label in labels),
        cant_observe=check.text(table, "cant_observe", "scale."),
        stem=check.text(table, "stem", "scale."),
    )


def _parse_practices(check: FieldChecker, raw: Any) -> tuple[Practice, ...]:
    records = []
    for n, entry in enumerate(check.array(raw, "practices")):
        prefix = f"practices[{n}]."
        table = check.table(entry, f"practices[{n}]")
        check.keys(table, prefix, required={"id", "side", "name", "essay", "construct"})
        values = {key: check.text(table, key, prefix) for key in sorted(table)}
        records.append(Practice(**values))
    ids = tuple(r.id for r in records)
    if ids != PRACTICE_IDS:
        raise check.fail(
            "practices", f"must list the ten practices in order: {', '.join(PRACTICE_IDS)}"
        )
    for n, record in enumerate(records):
        if record.side != _SIDE_OF[record.id]:
            raise check.fail(
                f"practices[{n}].side", f"{record.id} belongs to the {_SIDE_OF[record.id]} side"
            )
    return tuple(records)


def _parse_items(check: FieldChecker, raw: Any) -> tuple[Item, ...]:
    items: list[Item] = []
    seen: set[str] = set()
    for n, entry in enumerate(check.array(raw, "items")):
        prefix = f"items[{n}]."
        table = check.table(entry, f"items[{n}]")
        check.keys(table, prefix, required={"id", "side", "practice", "reverse", "text"})
        item = Item(
            id=check.text(table, "id", prefix),
            side=check.text(table, "side", prefix),
            practice=check.text(table, "practice", prefix),
            reverse=check.flag(table, "reverse", prefix),
            text=check.text(table, "text", prefix),
        )
        if item.practice not in _SIDE_OF:
            raise check.fail(prefix + "practice", f"unknown practice {item.practice!r}")
        match = _ITEM_ID.match(item.id)
        if not match or match.group(1) != item.practice:
            raise check.fail(prefix + "id", f"{item.id!r} must have the form '{item.practice}-<n>'")
        if item.id in seen:
            raise check.fail(prefix + "id", f"duplicate item id {item.id!r}")
        if item.side != _SIDE_OF[item.practice]:
            raise check.fail(
                prefix + "side", f"{item.practice} belongs to the {_SIDE_OF[item.practice]} side"
            )
        seen.add(item.id)
        items.append(item)
    for practice_id in PRACTICE_IDS:
        mine = [i for i in items if i.practice == practice_id]
        if not MIN_ITEMS <= len(mine) <= MAX_ITEMS:
            raise check.fail(
                "items",
                f"practice {practice_id!r} has {len(mine)} items; "
                f"{MIN_ITEMS}–{MAX_ITEMS} are required",
            )
        if not any(i.reverse for i in mine):
            raise check.fail("items", f"practice {practice_id!r} has no reverse-keyed item")
    return tuple(items)


def _parse_forced(check: FieldChecker, raw: Any) -> ForcedRanking:
    table = check.table(raw, "forced_ranking")
    prefix = "forced_ranking."
    check.keys(table, prefix, required={"optional", "strongest", "weakest", "instructions"})
    block = ForcedRanking(
        optional=check.flag(table, "optional", prefix),
        strongest=check.count(table, "strongest", prefix),
        weakest=check.count(table, "weakest", prefix),
        instructions=check.text(table, "instructions", prefix),
    )
    if block.strongest + block.weakest > len(PRACTICE_IDS):
        raise check.fail(prefix + "weakest", "strongest + weakest exceeds the ten practices")
    return block


# The practice records (names, essay wording, constructs) come from the latest shipped version.
PRACTICES: tuple[Practice, ...] = _load_bank_file(
    _data_dir() / f"items_v{available_versions()[-1]}.toml"
)[1]
