"""The evidence model of impact stories: facts with ids, and sentences made only from templates.

Every fact a story may state is an :class:`Evidence` with an id (``goal:3``, ``item:<object>``,
``kr:5``, ``metric:5:2014-03-31``, ``kudos:12``, ``work:3``, ``people:3``, ``kudos-count:3``)
and the values it carries. A :class:`Sentence` is one of :data:`TEMPLATES` filled with fields
that come from the values of the evidence it cites (:func:`say`); there is no free text and no
model writing prose, so a sentence can always be traced back and checked
(``tests/why/test_stories.py`` parses each number back out of the text).
"""

from __future__ import annotations

import string
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

EvidenceKind = Literal["goal", "item", "work", "kr", "metric", "kudos", "kudos-count", "people"]
Value = str | int | float | bool | None | list[str]

#: Every sentence a story can say; ``{field}`` is filled from the cited evidence's values.
TEMPLATES: dict[str, str] = {
    "intro": "Between {start} and {end}, {team} worked towards the goal “{goal}”.",
    "done_none": "No item aligned to this goal was done in the period.",
    "done_one": "1 item aligned to this goal was done in the period.",
    "done_many": "{count} items aligned to this goal were done in the period.",
    "done_withheld": (
        "Items aligned to this goal were done in the period; how many is withheld, as the work "
        "rests on fewer than {floor} people and a count could describe individuals."
    ),
    "longest": (
        "The longest-running was {item}: {days} days from its first event to done on {done_on}."
    ),
    "most_effort": "The most effort went into {item}: {effort} effort days.",
    "most_goals": "{item} served {goals} goals at once, this one among them.",
    "kr_improved": (
        "{kr} ({metric}) improved from {before} to {after} {unit} (target {target} {unit})."
    ),
    "kr_worsened": (
        "{kr} ({metric}) worsened from {before} to {after} {unit} (target {target} {unit})."
    ),
    "kr_held": "{kr} ({metric}) held at {after} {unit} (target {target} {unit}).",
    "kr_withheld": (
        "{kr} ({metric}): the value {when} is withheld, so no change is stated (see the evidence)."
    ),
    "kr_unknown": (
        "{kr} ({metric}): there is no value {when} (no data in its window), so no change is stated."
    ),
    "kudos_none": "No kudos were linked to this goal in the period.",
    "kudos_one": "1 kudos was linked to this goal in the period.",
    "kudos_many": "{count} kudos were linked to this goal in the period.",
    "kudos": "On {given_on}, kudos to {recipients}: “{what}” — “{impact}”.",
    "kudos_untold_one": (
        "1 of them went to teammates who did not all agree to be named: it is counted, not told."
    ),
    "kudos_untold_many": (
        "{count} of them went to teammates who did not all agree to be named: they are counted, "
        "not told."
    ),
    "people_named_other": "Contributors: {names} and 1 other.",
    "people_named_others": "Contributors: {names} and {others} others.",
    "people_named": "Contributors: {names}.",
    "people_counted": "{count} people of the team contributed; none chose to be named.",
    "people_team_named": "{names} contributed, with the rest of the team.",
    "people_team": "The team did this work together.",
}

TEMPLATE_NAMES = tuple(TEMPLATES)


class Evidence(BaseModel):
    """One fact a story may state: its id, its kind, a label and the values it carries."""

    model_config = ConfigDict(frozen=True)

    id: str
    kind: EvidenceKind
    label: str
    values: dict[str, Value] = Field(default_factory=dict)


class Sentence(BaseModel):
    """One sentence of a story: a template, the fields it was filled with, the text, and the
    ids of the evidence the fields come from (never empty)."""

    model_config = ConfigDict(frozen=True)

    template: str
    fields: dict[str, str]
    text: str
    evidence: tuple[str, ...] = Field(min_length=1)


def fields_of(template: str) -> tuple[str, ...]:
    """The ``{field}`` names a template needs, in order."""
    return tuple(name for _, name, _, _ in string.Formatter().parse(TEMPLATES[template]) if name)


def say(template: str, evidence: tuple[str, ...] | list[str], **fields: str) -> Sentence:
    """The sentence ``template`` filled with ``fields`` and citing ``evidence``.

    Refuses an unknown template, a missing or extra field and a sentence citing nothing.
    """
    if template not in TEMPLATES:
        raise ValueError(f"{template!r} is not a story template")
    needed = set(fields_of(template))
    if set(fields) != needed:
        raise ValueError(f"template {template!r} needs {sorted(needed)}, got {sorted(fields)}")
    if not evidence:
        raise ValueError(f"a {template!r} sentence must cite its evidence")
    text = TEMPLATES[template].format(**fields)
    return Sentence(template=template, fields=dict(fields), text=text, evidence=tuple(evidence))


def number(value: float | int, decimals: int = 1) -> str:
    """A number as a story writes it: integers whole, others to ``decimals`` places."""
    if isinstance(value, int) or float(value).is_integer():
        return str(int(value))
    return f"{value:.{decimals}f}"


def names(people: list[str]) -> str:
    """``"Ana"``, ``"Ana and Bo"``, ``"Ana, Bo and Cy"``."""
    if len(people) <= 1:
        return "".join(people)
    return f"{', '.join(people[:-1])} and {people[-1]}"
