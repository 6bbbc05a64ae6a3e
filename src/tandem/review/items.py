"""The item bank: Tandem's own behavioural items for the ten practices, versioned data.

Each version lives in ``data/items_v<N>.toml`` inside this package and is validated when loaded:
the ten practices in the fixed order, item ids ``<practice>-<n>``, 4–6 practice items per
practice with at least one reverse-keyed item or an overuse scale, a five-point frequency scale
plus "can't observe". A bad file raises :class:`~tandem.errors.InputError` naming the file and the
field. See ``docs/people-science.md``.

Version 2 adds, per item (all optional, so version 1 reads as before):

* ``raters``: the relations that rate the item (default: all four). An item is *routed* to those
  relations only: forms show it to them alone, imports refuse it from anyone else, and a rater's
  75 % rule counts only the practice items routed to their relation. A relation rates a practice
  on none of its items or on at least :data:`MIN_ROUTED` of them.
* ``scale``: ``"practice"`` (default) or ``"overuse"``, the separate "too much of the practice"
  scale (ids ``<practice>-overuse-<n>``); overuse items never enter a practice score.
* ``same_as`` / ``split_from``: the item of ``previous_version`` this item repeats word for word
  (its answers compare across versions) or was split from (they do not).

A version with ``status = "preview"`` is loaded only when asked for by number: new cycles take
the latest *published* version. :func:`comparable_practices` says which practice scores compare
across two versions; :func:`common_bank` is the items two linked versions share, on which a
trend rescores both cycles to compare the practices that changed.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
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
RATER_RELATIONS = ("self", "manager", "peer", "report")
SCALES = ("practice", "overuse")
MIN_ROUTED = 3  # a relation rates a practice on none of its items or on at least this many
MIN_OVERUSE, MAX_OVERUSE = 2, 4  # overuse items per practice, when a version has the scale
STATUSES = ("published", "preview")

_BANK_FILE = re.compile(r"^items_v([1-9][0-9]*)\.toml$")
_ITEM_ID = re.compile(r"^([a-z]+)-([1-9][0-9]*)$")
_OVERUSE_ID = re.compile(r"^([a-z]+)-overuse-([1-9][0-9]*)$")


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
    """One behavioural item, rated on the frequency scale; ``reverse`` items score as 6 − x.

    ``raters``: the relations the item is routed to; ``scale``: ``practice`` or ``overuse``;
    ``same_as`` / ``split_from``: its link to an item of the previous bank version.
    """

    id: str
    side: str
    practice: str
    reverse: bool
    text: str
    raters: tuple[str, ...] = RATER_RELATIONS
    scale: str = "practice"
    same_as: str | None = None
    split_from: str | None = None

    def rated_by(self, relation: str) -> bool:
        """True when raters in ``relation`` are asked this item."""
        return relation in self.raters


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
    status: str = "published"
    previous_version: str | None = None
    _by_id: Mapping[str, Item] = field(init=False, repr=False, compare=False)
    _by_scale: Mapping[str, Mapping[str, tuple[Item, ...]]] = field(
        init=False, repr=False, compare=False
    )
    _routed: Mapping[tuple[str, str], Mapping[str, frozenset[str]]] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        # Asked for every answer scored: grouped once here (the bank is frozen).
        object.__setattr__(self, "_by_id", {item.id: item for item in self.items})
        by_scale = {
            scale: {
                p: tuple(i for i in self.items if i.practice == p and i.scale == scale)
                for p in PRACTICE_IDS
            }
            for scale in ("practice", "overuse")
        }
        object.__setattr__(self, "_by_scale", by_scale)
        routed = {
            (scale, relation): {
                p: frozenset(i.id for i in items if i.rated_by(relation))
                for p, items in by_scale[scale].items()
            }
            for scale in by_scale
            for relation in RATER_RELATIONS
        }
        object.__setattr__(self, "_routed", routed)

    def item(self, item_id: str) -> Item:
        """The item with this id; ``KeyError`` if the bank has none."""
        return self._by_id[item_id]

    def by_practice(self) -> dict[str, tuple[Item, ...]]:
        """Practice-scale items grouped by practice, every practice present, in the fixed order.

        Overuse items are not part of a practice's scale: see :meth:`overuse_by_practice`.
        """
        return dict(self._by_scale["practice"])

    def overuse_by_practice(self) -> dict[str, tuple[Item, ...]]:
        """Overuse-scale items grouped by practice (empty tuples in a bank without the scale)."""
        return dict(self._by_scale["overuse"])

    def routed_ids(self, relation: str, *, scale: str = "practice") -> dict[str, frozenset[str]]:
        """Practice → ids of its items of ``scale`` routed to raters in ``relation``."""
        return dict(self._routed[(scale, relation)])

    def items_for(self, relation: str) -> tuple[Item, ...]:
        """Every item (both scales) routed to raters in ``relation``, in bank order."""
        return tuple(i for i in self.items if i.rated_by(relation))

    def routed_count(self, practice_id: str, relation: str) -> int:
        """How many of the practice's scale items raters in ``relation`` are asked."""
        return sum(1 for i in self.by_practice()[practice_id] if i.rated_by(relation))

    def comparable_items(self) -> dict[str, str]:
        """This version's item id → the identical item id of :attr:`previous_version`."""
        return {i.id: i.same_as for i in self.items if i.same_as is not None}


def comparable_practices(first: ItemBank, second: ItemBank) -> frozenset[str]:
    """The practices whose score means the same in both bank versions, in either order.

    One version: every practice that has items (every practice of a loaded bank; a
    :func:`common_bank` leaves out the practices its two versions do not share). Two versions,
    one the other's ``previous_version``: a practice whose practice items in the newer version
    are each ``same_as`` an item of the older, cover every practice item the older had (none
    dropped, none split) and are asked of the same relations as before. Overuse items are no
    part of a practice score and do not count. Any other pair of versions: none. Shipped v1 →
    v2: none, since v2 dropped every practice's reverse item (``docs/people-science.md``,
    "Trends across cycles"); a trend then compares on :func:`common_bank`.
    """
    if first.version == second.version:
        return frozenset(p for p, items in first.by_practice().items() if items)
    pair = linked(first, second)
    if pair is None:
        return frozenset()
    older, newer = pair
    return frozenset(
        p
        for p, items in newer.by_practice().items()
        if _unchanged(items, older.by_practice()[p], older)
    )


def linked(first: ItemBank, second: ItemBank) -> tuple[ItemBank, ItemBank] | None:
    """``(older, newer)`` when one version is the other's ``previous_version``, else ``None``."""
    if second.previous_version == first.version:
        return first, second
    if first.previous_version == second.version:
        return second, first
    return None


def common_bank(first: ItemBank, second: ItemBank) -> ItemBank:
    """The items two linked versions share, as a bank: used only to compare cycles across them.

    Per practice, the newer version's practice items that are ``same_as`` the older item *of the
    same id* (word for word, same keying: the loader checks), each asked only of the relations
    that rate it in both versions. A practice keeps its shared items when there are at least
    :data:`MIN_ROUTED` of them and every relation that rates any of them rates at least
    :data:`MIN_ROUTED`; otherwise it keeps none and is not comparable
    (:func:`comparable_practices` of the common bank with itself leaves it out). Overuse items
    are no part of a practice score and are left out.

    This bank skips the loader's file-level rules (4–6 items, a reverse item or an overuse scale
    per practice): it is never a version cycles are created with, only the basis on which both
    cycles' answers are rescored (:mod:`tandem.profile.trend_service`). Its version reads
    ``"<older>&<newer>"``. Raises ``ValueError`` for two versions not linked by
    ``previous_version``.
    """
    pair = linked(first, second)
    if pair is None:
        raise ValueError(
            f"item bank versions {first.version} and {second.version} are not linked "
            "by previous_version: they share no items"
        )
    older, newer = pair
    items: list[Item] = []
    for candidates in newer.by_practice().values():
        shared = []
        for item in candidates:
            if item.same_as != item.id or item.id not in older._by_id:
                continue
            before = older.item(item.id)
            raters = tuple(r for r in RATER_RELATIONS if item.rated_by(r) and before.rated_by(r))
            if raters and (before.text, before.reverse) == (item.text, item.reverse):
                shared.append(replace(item, raters=raters))
        counts = [sum(1 for i in shared if i.rated_by(r)) for r in RATER_RELATIONS]
        if len(shared) >= MIN_ROUTED and all(c == 0 or c >= MIN_ROUTED for c in counts):
            items += shared
    return ItemBank(
        version=f"{older.version}&{newer.version}", items=tuple(items), scale=newer.scale
    )


def _unchanged(items: tuple[Item, ...], before: tuple[Item, ...], older: ItemBank) -> bool:
    kept = [(i, i.same_as) for i in items if i.same_as is not None]
    if len(kept) != len(items) or sorted(link for _, link in kept) != sorted(i.id for i in before):
        return False
    return all(i.raters == older.item(link).raters for i, link in kept)


def not_asked_message(item_id: str, relation: str, version: str) -> str:
    """Why an answer to an item not routed to the rater's relation is refused (forms, imports)."""
    return (
        f"item {item_id!r} is not asked of {relation} raters in item bank version {version} "
        "(the item bank routes it to other relations)"
    )


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


@cache
def shipped_versions() -> tuple[str, ...]:
    """Every item bank version shipped with Tandem (previews included), oldest first."""
    found = []
    for entry in _data_dir().iterdir():
        match = _BANK_FILE.match(entry.name)
        if match:
            found.append(int(match.group(1)))
    return tuple(str(v) for v in sorted(found))


@cache
def available_versions() -> tuple[str, ...]:
    """The published item bank versions, oldest first: the last is what new cycles take."""
    return tuple(v for v in shipped_versions() if _load_version(v).status == "published")


def load_item_bank(version: str | None = None) -> ItemBank:
    """The item bank of ``version`` (the latest published when ``None``), validated, cached."""
    if version is None:
        version = available_versions()[-1]
    return _load_version(version)


@cache
def _load_version(version: str) -> ItemBank:
    known = shipped_versions()
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
        raw,
        "",
        required={"version", "scale", "practices", "items"},
        optional={"forced_ranking", "status", "previous_version"},
    )
    version = check.text(raw, "version")
    status = check.text(raw, "status") if "status" in raw else "published"
    if status not in STATUSES:
        raise check.fail("status", f"must be one of {', '.join(STATUSES)}")
    previous = _parse_previous(check, raw, version)
    scale = _parse_scale(check, raw["scale"])
    practices = _parse_practices(check, raw["practices"])
    items = _parse_items(check, raw["items"], previous)
    forced = _parse_forced(check, raw["forced_ranking"]) if "forced_ranking" in raw else None
    bank = ItemBank(
        version=version,
        items=items,
        scale=scale,
        forced_ranking=forced,
        status=status,
        previous_version=None if previous is None else previous.version,
    )
    return bank, practices


def _parse_previous(check: FieldChecker, raw: dict[str, Any], version: str) -> ItemBank | None:
    if "previous_version" not in raw:
        return None
    previous = check.text(raw, "previous_version")
    if not previous.isdigit() or not version.isdigit() or int(previous) >= int(version):
        raise check.fail("previous_version", f"must be an earlier version than {version!r}")
    if previous not in shipped_versions():
        raise check.fail("previous_version", f"unknown item bank version {previous!r}")
    return _load_version(previous)


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


def _parse_items(
    check: FieldChecker, raw: Any, previous: ItemBank | None = None
) -> tuple[Item, ...]:
    items: list[Item] = []
    seen: set[str] = set()
    for n, entry in enumerate(check.array(raw, "items")):
        prefix = f"items[{n}]."
        table = check.table(entry, f"items[{n}]")
        check.keys(
            table,
            prefix,
            required={"id", "side", "practice", "reverse", "text"},
            optional={"raters", "scale", "same_as", "split_from"},
        )
        scale = check.text(table, "scale", prefix) if "scale" in table else "practice"
        if scale not in SCALES:
            raise check.fail(prefix + "scale", f"must be one of {', '.join(SCALES)}")
        item = Item(
            id=check.text(table, "id", prefix),
            side=check.text(table, "side", prefix),
            practice=check.text(table, "practice", prefix),
            reverse=check.flag(table, "reverse", prefix),
            text=check.text(table, "text", prefix),
            raters=_parse_raters(check, table, prefix),
            scale=scale,
            same_as=check.text(table, "same_as", prefix) if "same_as" in table else None,
            split_from=check.text(table, "split_from", prefix) if "split_from" in table else None,
        )
        if item.practice not in _SIDE_OF:
            raise check.fail(prefix + "practice", f"unknown practice {item.practice!r}")
        pattern, form = (
            (_OVERUSE_ID, f"'{item.practice}-overuse-<n>'")
            if scale == "overuse"
            else (_ITEM_ID, f"'{item.practice}-<n>'")
        )
        match = pattern.match(item.id)
        if not match or match.group(1) != item.practice:
            raise check.fail(prefix + "id", f"{item.id!r} must have the form {form}")
        if item.id in seen:
            raise check.fail(prefix + "id", f"duplicate item id {item.id!r}")
        if item.side != _SIDE_OF[item.practice]:
            raise check.fail(
                prefix + "side", f"{item.practice} belongs to the {_SIDE_OF[item.practice]} side"
            )
        if scale == "overuse" and item.reverse:
            raise check.fail(prefix + "reverse", "an overuse item is not reverse-keyed")
        _check_link(check, prefix, item, previous)
        seen.add(item.id)
        items.append(item)
    for practice_id in PRACTICE_IDS:
        _check_practice(check, practice_id, items)
    return tuple(items)


def _parse_raters(check: FieldChecker, table: dict[str, Any], prefix: str) -> tuple[str, ...]:
    if "raters" not in table:
        return RATER_RELATIONS
    raw = table["raters"]
    if (
        not isinstance(raw, list)
        or not raw
        or not all(isinstance(r, str) and r in RATER_RELATIONS for r in raw)
        or len(set(raw)) != len(raw)
    ):
        raise check.fail(
            prefix + "raters",
            f"must be a non-empty list of different relations from {', '.join(RATER_RELATIONS)}",
        )
    return tuple(r for r in RATER_RELATIONS if r in raw)


def _check_link(check: FieldChecker, prefix: str, item: Item, previous: ItemBank | None) -> None:
    for key, target in (("same_as", item.same_as), ("split_from", item.split_from)):
        if target is None:
            continue
        if previous is None:
            raise check.fail(prefix + key, "needs previous_version at the top of the file")
        try:
            old = previous.item(target)
        except KeyError:
            raise check.fail(
                prefix + key, f"no item {target!r} in item bank version {previous.version}"
            ) from None
        if old.practice != item.practice:
            raise check.fail(prefix + key, f"{target!r} belongs to practice {old.practice!r}")
        if key == "same_as" and (old.text, old.reverse) != (item.text, item.reverse):
            raise check.fail(
                prefix + key,
                f"the text or keying differs from {target!r} of version {previous.version}; "
                "a changed item is a new item (use split_from or no link)",
            )
    if item.same_as is not None and item.split_from is not None:
        raise check.fail(prefix + "split_from", "an item is either the same as or split from one")


def _check_practice(check: FieldChecker, practice_id: str, items: list[Item]) -> None:
    mine = [i for i in items if i.practice == practice_id and i.scale == "practice"]
    overuse = [i for i in items if i.practice == practice_id and i.scale == "overuse"]
    if not MIN_ITEMS <= len(mine) <= MAX_ITEMS:
        raise check.fail(
            "items",
            f"practice {practice_id!r} has {len(mine)} items; {MIN_ITEMS}–{MAX_ITEMS} are required",
        )
    if overuse and not MIN_OVERUSE <= len(overuse) <= MAX_OVERUSE:
        raise check.fail(
            "items",
            f"practice {practice_id!r} has {len(overuse)} overuse items; "
            f"{MIN_OVERUSE}–{MAX_OVERUSE} are required when it has any",
        )
    if not overuse and not any(i.reverse for i in mine):
        raise check.fail(
            "items", f"practice {practice_id!r} has no reverse-keyed item and no overuse scale"
        )
    for relation in RATER_RELATIONS:
        routed = sum(1 for i in mine if i.rated_by(relation))
        if 0 < routed < MIN_ROUTED:
            raise check.fail(
                "items",
                f"practice {practice_id!r} routes {routed} item(s) to {relation} raters; "
                f"a relation rates none of a practice's items or at least {MIN_ROUTED}",
            )


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


# The practice records (names, essay wording, constructs) come from the latest published version.
PRACTICES: tuple[Practice, ...] = _load_bank_file(
    _data_dir() / f"items_v{available_versions()[-1]}.toml"
)[1]
