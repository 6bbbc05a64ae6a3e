"""The action library: concrete actions per practice for development plans, versioned data.

Each version lives in ``data/actions_v<N>.toml`` inside this package. Within a practice, actions
are in priority order (the essay's own advice first); the plan builder takes the first ones.
A bad file raises :class:`~tandem.errors.InputError` naming the file and the field.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from tandem.errors import InputError
from tandem.review.items import PRACTICE_IDS, FieldChecker, display_name

CADENCES = (
    "daily",
    "weekly",
    "fortnightly",
    "every sprint",
    "monthly",
    "quarterly",
    "each time",
)
MIN_ACTIONS = 3

_LIBRARY_FILE = re.compile(r"^actions_v([1-9][0-9]*)\.toml$")
_ACTION_ID = re.compile(r"^([a-z]+)-[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Action:
    """One concrete action: what to do (behaviour), how often (cadence), what shows it happened."""

    id: str
    practice: str
    title: str
    behaviour: str
    cadence: str
    evidence: str


@dataclass(frozen=True)
class ActionLibrary:
    """A validated version of the action library."""

    version: str
    actions: tuple[Action, ...]
    _by_id: Mapping[str, Action] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {action.id: action for action in self.actions})

    def action(self, action_id: str) -> Action:
        """The action with this id; ``KeyError`` if the library has none."""
        return self._by_id[action_id]

    def for_practice(self, practice: str) -> tuple[Action, ...]:
        """The actions of one practice in priority order; ``KeyError`` for an unknown practice."""
        if practice not in PRACTICE_IDS:
            raise KeyError(practice)
        return tuple(a for a in self.actions if a.practice == practice)


def available_versions() -> tuple[str, ...]:
    """The action library versions shipped with Tandem, oldest first."""
    found = [
        int(match.group(1))
        for entry in _data_dir().iterdir()
        if (match := _LIBRARY_FILE.match(entry.name))
    ]
    return tuple(str(v) for v in sorted(found))


def load_action_library(version: str | None = None) -> ActionLibrary:
    """The action library of ``version`` (the latest when ``None``), validated and cached."""
    if version is None:
        version = available_versions()[-1]
    return _load_version(version)


@cache
def _load_version(version: str) -> ActionLibrary:
    known = available_versions()
    if version not in known:
        raise InputError(
            f"unknown action library version {version!r}; known: {', '.join(known)}",
            field="version",
        )
    source = _data_dir() / f"actions_v{version}.toml"
    library = _load_library_file(source)
    if library.version != version:
        raise InputError(
            f"declares version {library.version!r} but is named for version {version!r}",
            path=display_name(source),
            field="version",
        )
    return library


def _data_dir() -> Traversable:
    return resources.files("tandem.plans") / "data"


def _load_library_file(source: Path | Traversable) -> ActionLibrary:
    """Parse and validate one action library file; raise ``InputError`` naming file and field."""
    check = FieldChecker(display_name(source))
    try:
        raw = tomllib.loads(source.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}", path=check.where) from None
    check.keys(raw, "", required={"version", "actions"})
    version = check.text(raw, "version")
    actions = [
        _parse_action(check, entry, n)
        for n, entry in enumerate(check.array(raw["actions"], "actions"))
    ]
    seen: set[str] = set()
    for n, action in enumerate(actions):
        if action.id in seen:
            raise check.fail(f"actions[{n}].id", f"duplicate action id {action.id!r}")
        seen.add(action.id)
    for practice in PRACTICE_IDS:
        count = sum(1 for a in actions if a.practice == practice)
        if count < MIN_ACTIONS:
            raise check.fail(
                "actions",
                f"practice {practice!r} has {count} actions; at least {MIN_ACTIONS} are required",
            )
    return ActionLibrary(version=version, actions=tuple(actions))


def _parse_action(check: FieldChecker, entry: Any, n: int) -> Action:
    prefix = f"actions[{n}]."
    table = check.table(entry, f"actions[{n}]")
    fields = {"id", "practice", "title", "behaviour", "cadence", "evidence"}
    check.keys(table, prefix, required=fields)
    action = Action(**{key: check.text(table, key, prefix) for key in sorted(fields)})
    if action.practice not in PRACTICE_IDS:
        raise check.fail(prefix + "practice", f"unknown practice {action.practice!r}")
    match = _ACTION_ID.match(action.id)
    if not match or match.group(1) != action.practice:
        raise check.fail(
            prefix + "id",
            f"{action.id!r} must have the form '{action.practice}-<words-with-dashes>'",
        )
    if action.cadence not in CADENCES:
        raise check.fail(
            prefix + "cadence",
            f"unknown cadence {action.cadence!r}; expected one of {', '.join(CADENCES)}",
        )
    return action
