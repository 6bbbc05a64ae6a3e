"""The feedback lint: trait words, absolutes and missing parts, each with a suggestion.

A pure function (no database): :func:`lint` reads the four parts of a piece of feedback and
answers findings, each with the part (``field``), the span of the words it flags (``start``,
``end``: character offsets in that part), the ``rule`` and a ``suggestion``. The rules
(docs/people-science.md, "Feedback lint"):

* **trait** — a word that labels the person instead of describing what they did ("lazy",
  "arrogant", "careless", …; :data:`TRAIT_WORDS`, with simple inflections: "rude" also matches
  "rudely", "rudeness"). Matching is by whole word, any case, so "carelessly" is flagged and
  "scare" is not flagged for "care".
* **absolute** — always, never, every time, constantly, … (:data:`ABSOLUTES`): one counter
  example ends the conversation; name the occasion instead.
* **missing_behaviour** — the behaviour part is empty or too short to be observable
  (fewer than :data:`MIN_BEHAVIOUR_WORDS` words).
* **missing_impact** — the impact part is empty.

The lint warns; the giver decides (a human decides, DESIGN §6). The service records which rules
the giver saw before giving the feedback as written.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict

Rule = Literal["trait", "absolute", "missing_behaviour", "missing_impact"]
Part = Literal["situation", "behaviour", "impact", "intent"]
PARTS: tuple[Part, ...] = ("situation", "behaviour", "impact", "intent")
MIN_BEHAVIOUR_WORDS = 3

#: Words that judge a person's character rather than describe an act (curated, lower case stems).
TRAIT_WORDS: tuple[str, ...] = (
    "lazy", "arrogant", "careless", "rude", "sloppy", "difficult", "selfish", "stubborn",
    "incompetent", "unprofessional", "aggressive", "abrasive", "bossy", "toxic",
    "disrespectful", "unreliable", "immature", "emotional", "defensive", "passive-aggressive",
    "dismissive", "condescending", "irresponsible", "disorganised", "disorganized", "stupid",
    "useless", "clueless", "hostile", "moody", "pushy", "naive", "brilliant", "genius",
    "smart",
)  # fmt: skip
#: Words that turn one occasion into a rule about the person.
ABSOLUTES: tuple[str, ...] = (
    "always", "never", "every time", "each time", "constantly", "all the time", "forever",
    "continually", "invariably", "nobody", "no one", "everyone", "everybody",
)  # fmt: skip


def inflections(word: str) -> set[str]:
    """The word and its simple inflections: ``rude`` → rude, rudely, rudeness, ruder, rudest.

    >>> sorted(inflections("lazy"))
    ['lazier', 'laziest', 'lazily', 'laziness', 'lazy']
    """
    forms = {word}
    if " " in word or "-" in word:
        return forms | {word + "ly"}
    if word.endswith("y"):
        stem = word[:-1]
        return forms | {stem + "ily", stem + "iness", stem + "ier", stem + "iest"}
    if word.endswith("e"):
        return forms | {word + "ly", word + "ness", word + "r", word + "st"}
    forms |= {word + "ly", word + "ness", word + "er", word + "est", word + "s"}
    if word.endswith("ant"):
        forms.add(word[:-3] + "ance")
    if word.endswith("ent"):
        forms.add(word[:-3] + "ence")
    return forms


def _words(words: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = sorted(words, key=len, reverse=True)
    body = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in alternatives)
    return re.compile(rf"(?<![\w-])(?:{body})(?![\w-])", re.IGNORECASE)


_TRAIT = _words(tuple(form for word in TRAIT_WORDS for form in inflections(word)))
_ABSOLUTE = _words(ABSOLUTES)
TRAIT_SUGGESTION = (
    'describe what they did, and when, instead of what they are: "You arrived 10 minutes late '
    'to Monday\'s stand-up" rather than "you are careless"'
)
ABSOLUTE_SUGGESTION = (
    'name the occasion instead of a rule: "on Monday and Wednesday this week" rather than '
    '"always" — one counter-example ends the conversation'
)
BEHAVIOUR_SUGGESTION = (
    'say what they did that you could have seen or heard: "You merged the release branch '
    'without the second review"'
)
IMPACT_SUGGESTION = (
    'say what it caused, for you, the team or the users: "the hotfix waited two hours for a '
    'rollback"'
)


class Finding(BaseModel):
    """One thing the lint flags: where (``field``, ``start``–``end``), the rule and a fix."""

    model_config = ConfigDict(frozen=True)

    field: Part
    start: int
    end: int
    text: str
    rule: Rule
    suggestion: str


def lint(*, situation: str, behaviour: str, impact: str, intent: str = "") -> list[Finding]:
    """Findings of the four parts, in the order of the parts and of the text.

    >>> [f.rule for f in lint(situation="Monday", behaviour="You are always late", impact="")]
    ['absolute', 'missing_impact']
    >>> lint(situation="", behaviour="You were rude", impact="x")[0].text
    'rude'
    """
    parts: dict[Part, str] = {
        "situation": situation,
        "behaviour": behaviour,
        "impact": impact,
        "intent": intent,
    }
    found: list[Finding] = []
    for field in PARTS:
        text = parts[field]
        spans = [(m, "trait") for m in _TRAIT.finditer(text)]
        spans += [(m, "absolute") for m in _ABSOLUTE.finditer(text)]
        for match, rule in sorted(spans, key=lambda s: s[0].start()):
            found.append(
                Finding(
                    field=field,
                    start=match.start(),
                    end=match.end(),
                    text=match.group(0),
                    rule="trait" if rule == "trait" else "absolute",
                    suggestion=TRAIT_SUGGESTION if rule == "trait" else ABSOLUTE_SUGGESTION,
                )
            )
        if field == "behaviour" and len(text.split()) < MIN_BEHAVIOUR_WORDS:
            found.append(
                Finding(
                    field="behaviour", start=0, end=len(text), text=text,
                    rule="missing_behaviour", suggestion=BEHAVIOUR_SUGGESTION,
                )
            )  # fmt: skip
        if field == "impact" and not text.strip():
            found.append(
                Finding(
                    field="impact", start=0, end=0, text="", rule="missing_impact",
                    suggestion=IMPACT_SUGGESTION,
                )
            )  # fmt: skip
    return found
