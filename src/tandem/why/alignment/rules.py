"""The pure rule matcher: which goals a work item serves, by rules and by people's decisions.

A rule links the work items it matches to its goal. Each kind reads one signal of an item
(:class:`ItemSignals`, read from the lake by :mod:`tandem.why.alignment.lake`):

========== ==========================================================================
label      one of the item's labels equals the pattern (case-insensitive)
parent     its parent or epic (the ``parent``/``epic`` attribute, or a ``parent``
           relation: the parent's key or object id) equals the pattern (case-insensitive)
path       a file changed by a commit linked to the item matches the glob (``*`` within a
           folder, ``**`` across folders, ``?`` one character; case-sensitive)
keyword    the pattern occurs as a whole word (or words) in the title, case-insensitive
source     the item's source equals the pattern
item_type  the item's type equals the pattern (case-insensitive)
========== ==========================================================================

People's decisions (``alignment_link``) come last and win: a *rejected* link unlinks an item
from a goal even where a rule matches; an *accepted* one links it whatever the rules say.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from tandem.errors import InputError
from tandem.why.alignment.models import RULE_KINDS

MAX_PATTERN = 400  # alignment_rule.pattern's length
ACCEPTED = "accepted by a person"


@dataclass(frozen=True)
class ItemSignals:
    """What the rules read of one work item."""

    object_id: str
    title: str
    source: str
    item_type: str | None
    labels: tuple[str, ...] = ()
    parents: tuple[str, ...] = ()  # parent/epic keys and object ids
    paths: tuple[str, ...] = ()  # files changed by the item's commits


@dataclass(frozen=True)
class Rule:
    """An alignment rule as the matcher sees it."""

    id: int
    goal_id: int
    kind: str
    pattern: str

    @property
    def reason(self) -> str:
        """``"rule 3: label = checkout"``: how an item matched, shown beside it."""
        operator = "~" if self.kind in ("path", "keyword") else "="
        return f"rule {self.id}: {self.kind} {operator} {self.pattern}"


def clean_pattern(kind: str, pattern: str) -> str:
    """The pattern as stored (trimmed), or :class:`InputError` naming the field."""
    if kind not in RULE_KINDS:
        raise InputError(f"{kind!r} is not one of {', '.join(RULE_KINDS)}", field="kind")
    text = " ".join(pattern.split()) if kind == "keyword" else pattern.strip()
    if not text:
        raise InputError("give a pattern (it is empty)", field="pattern")
    if len(text) > MAX_PATTERN:
        raise InputError(f"at most {MAX_PATTERN} characters", field="pattern")
    if kind == "path":
        glob_regex(text)  # a bad glob is named here, before anything is stored
    if kind == "keyword" and not re.search(r"\w", text):
        raise InputError("a keyword needs at least one letter or digit", field="pattern")
    return text


@lru_cache(maxsize=512)
def glob_regex(pattern: str) -> re.Pattern[str]:
    """A path glob as a regular expression over the whole path.

    ``**`` matches across folders (``src/**/pay*.py`` also matches ``src/pay.py``), ``*`` and
    ``?`` stay within one folder, ``[abc]`` is a class; anything else is literal. An unclosed
    class or an empty one is an :class:`InputError`.

    Examples
    --------
    >>> bool(glob_regex("src/**/checkout/*.py").match("src/shop/checkout/cart.py"))
    True
    >>> bool(glob_regex("src/*.py").match("src/shop/cart.py"))
    False
    """
    out: list[str] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif char == "*":
            out.append("[^/]*")
            i += 1
        elif char == "?":
            out.append("[^/]")
            i += 1
        elif char == "[":
            end = pattern.find("]", i + 2 if pattern.startswith("[!", i) else i + 1)
            if end == -1:
                raise InputError(f"bad glob {pattern!r}: '[' is never closed", field="pattern")
            body = pattern[i + 1 : end]
            if body in ("", "!"):
                raise InputError(f"bad glob {pattern!r}: an empty '[]'", field="pattern")
            negate = body.startswith("!")
            body = body[1:] if negate else body
            out.append(f"[{'^' if negate else ''}{re.escape(body).replace(chr(92) + '-', '-')}]")
            i = end + 1
        else:
            out.append(re.escape(char))
            i += 1
    try:
        return re.compile("".join(out) + r"\Z")
    except re.error as exc:
        raise InputError(f"bad glob {pattern!r}: {exc}", field="pattern") from exc


@lru_cache(maxsize=512)
def _keyword_regex(pattern: str) -> re.Pattern[str]:
    words = [re.escape(word) for word in pattern.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


def matches(rule: Rule, item: ItemSignals) -> bool:
    """Whether ``rule`` matches ``item`` (see the module docstring)."""
    pattern = rule.pattern
    if rule.kind == "label":
        return any(label.casefold() == pattern.casefold() for label in item.labels)
    if rule.kind == "parent":
        return any(parent.casefold() == pattern.casefold() for parent in item.parents)
    if rule.kind == "path":
        regex = glob_regex(pattern)
        return any(regex.match(path) for path in item.paths)
    if rule.kind == "keyword":
        return bool(_keyword_regex(pattern).search(item.title or ""))
    if rule.kind == "source":
        return item.source == pattern
    if rule.kind == "item_type":
        return (item.item_type or "").casefold() == pattern.casefold()
    raise InputError(f"{rule.kind!r} is not one of {', '.join(RULE_KINDS)}", field="kind")


def align(
    items: Iterable[ItemSignals],
    rules: Iterable[Rule],
    decisions: Mapping[tuple[str, int], str],
) -> dict[str, dict[int, tuple[str, ...]]]:
    """Each item's goals and why: ``{object_id: {goal_id: reasons}}`` (items with no goal are
    left out). ``decisions`` maps ``(object_id, goal_id)`` to ``accepted`` or ``rejected``."""
    rules = sorted(rules, key=lambda rule: rule.id)
    by_item: dict[str, list[tuple[int, str]]] = {}
    for (object_id, goal_id), decision in sorted(decisions.items()):
        by_item.setdefault(object_id, []).append((goal_id, decision))
    result: dict[str, dict[int, tuple[str, ...]]] = {}
    for item in items:
        goals: dict[int, list[str]] = {}
        for rule in rules:
            if matches(rule, item):
                goals.setdefault(rule.goal_id, []).append(rule.reason)
        for goal_id, decision in by_item.get(item.object_id, ()):
            if decision == "rejected":
                goals.pop(goal_id, None)
            elif decision == "accepted":
                goals.setdefault(goal_id, []).append(ACCEPTED)
        if goals:
            result[item.object_id] = {g: tuple(goals[g]) for g in sorted(goals)}
    return result
