"""Warnings for a comment that may give its writer away, before it is saved (pure, no database).

A 360 comment is shown to the ratee without the rater's name, inside a group of at least 3
commenters (docs/people-science.md, "Comments"), but text can still tell who wrote it. Before a
comment is saved, :func:`comment_warnings` flags four simple, documented patterns; the rater may
edit the comment or keep it as written (the form asks them to confirm). Nothing here tries to
judge writing style as a whole: that cannot be checked reliably, and a false sense of safety is
worse than a plain rule.

1. **A name on the roster** (:func:`name_warnings`): a person's whole display name, or any part
   of it of at least 2 letters (a first name, a surname), as a whole word, case-insensitively
   (``anna`` flags "Anna Berg"; "Annabel" does not; a possessive ``Anna's`` flags). A name that is
   also a common word ("Will", "May") flags that word too: the warning asks, it does not block.
   The exception is a two-letter part that is one of the commonest words (:data:`SHORT_WORDS`:
   "he", "an", "do", …), which would fire on nearly every comment ("Wei He", "An Tran"): it
   flags only capitalised inside a sentence ("I asked An") — the whole name always flags.
2. **An email address**: ``something@domain.tld``.
3. **A handle**: ``@name`` not preceded by a letter or digit (a chat or code-review mention).
4. **A self-reference that reveals the relation**: "as your manager/lead/peer/colleague/
   report/…", "I manage you", "you report to me", "my/our team", "my report(s)", "your report",
   "in our 1:1s" — phrases that say which rater group (or which single person) wrote it.
5. **A signature**: a last line that is a sign-off ("Best, …", "Cheers", "Regards", "Thanks, …")
   or a dash and a name ("— Sam", "-- S.", "- Sam B.": one to three capitalised words or
   initials). A dash line after another bullet line is the last item of a list, not a signature
   ("- clear goals" / "- Good 1:1s").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

MIN_NAME_PART = 2  # shorter parts of a name (initials) are not checked on their own
# Two-letter words so common that a name part spelled so ("He", "An", "Do") would fire on nearly
# every comment: such a part flags only capitalised inside a sentence.
SHORT_WORDS = frozenset({
    "am", "an", "as", "at", "be", "by", "do", "go", "he", "hi", "if", "in", "is", "it", "me",
    "my", "no", "of", "oh", "ok", "on", "or", "so", "to", "up", "us", "we",
})  # fmt: skip

# words: letters, with inner apostrophes or hyphens (O'Brien, Jean-Luc); digits split words
_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
_POSSESSIVE = re.compile(r"['’]s$")
_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
_HANDLE = re.compile(r"(?<![\w@.])@[A-Za-z0-9_][\w.\-]*")
_ROLES = (
    "manager", "boss", "lead", "team lead", "tech lead", "leader", "supervisor", "peer",
    "colleague", "teammate", "team mate", "report", "direct report", "line manager",
)  # fmt: skip
_MINE = (
    "team", "squad", "direct reports?", "reports?", "manager", "boss", "lead", "1:1s?",
    "1-on-1s?", "one-on-ones?", "one on ones?",
)  # fmt: skip


def _either(words: Sequence[str]) -> str:
    return "(?:" + "|".join(w.replace(" ", r"\s+") for w in words) + ")"


_RELATION = re.compile(
    r"\b(?:"
    + "|".join(
        [
            rf"as\s+(?:your|a|the|his|her|their)\s+{_either(_ROLES)}",
            r"i\s+(?:manage|managed|supervise|lead|led|report\s+to|reported\s+to|work\s+for|"
            r"worked\s+for)\s+(?:you|him|her|them)",
            r"you\s+(?:manage|managed|supervise|lead|led)\s+me",
            r"(?:you|he|she|they)\s+(?:report|reported|reports)\s+to\s+me",
            rf"(?:my|our)\s+{_either(_MINE)}",
            r"your\s+(?:direct\s+)?reports?",
        ]
    )
    + r")(?![\w:-])",
    re.IGNORECASE,
)
_SIGN_OFF = re.compile(
    r"^(?:best|best\s+regards|kind\s+regards|regards|cheers|thanks|thank\s+you|sincerely|"
    r"warmly|all\s+the\s+best)\b[\s,.!]*\S{0,40}$",
    re.IGNORECASE,
)
# a dash and a name: one to three capitalised words or initials ("— Sam", "-- S.", "- Sam B.")
# (each word after the first needs white space before it: one way to split a line, so the match
# is linear; an optional separator let a long run of letters split cubically many ways)
_DASH_NAME = re.compile(r"^[-–—]{1,2}\s*[^\W\d_][\w'’.\-]*(?:\s+[^\W\d_][\w'’.\-]*){0,2}\s*$")
_BULLET = re.compile(r"^(?:[-–—*•]|\d+[.)])\s")


@dataclass(frozen=True)
class CommentWarning:
    """One reason a comment may identify its writer: which rule, and the words that matched."""

    rule: str  # "name" | "email" | "handle" | "relation" | "signature"
    match: str
    message: str


def _words(text: str) -> list[str]:
    return [_POSSESSIVE.sub("", w.casefold()) for w in _WORD.findall(text)]


@dataclass(frozen=True)
class RosterNames:
    """The names to look for: each person's name as words, and the single words to look for."""

    full: tuple[tuple[tuple[str, ...], str], ...]  # (words, display name)
    parts: dict[str, str]  # a word of a name → a display name holding it

    @classmethod
    def of(cls, names: Iterable[str]) -> RosterNames:
        """The roster's names, from display names."""
        full: list[tuple[tuple[str, ...], str]] = []
        parts: dict[str, str] = {}
        for name in sorted(set(names)):
            words = tuple(_words(name))
            if not words:
                continue
            full.append((words, name))
            for word in words:
                if len(word) >= MIN_NAME_PART:
                    parts.setdefault(word, name)
        return cls(tuple(full), parts)


def name_warnings(
    text: str, roster: RosterNames, *, ratee: str | None = None
) -> list[CommentWarning]:
    """A warning for each distinct roster name (or part of one) the text holds as a word."""
    words = _words(text)
    found: dict[str, CommentWarning] = {}
    joined = f" {' '.join(words)} "
    for name_words, name in roster.full:
        if len(name_words) > 1 and f" {' '.join(name_words)} " in joined:
            found[" ".join(name_words)] = _name_warning(name, name, ratee)
    named = _capitalised_inside_a_sentence(text)
    for word in words:
        holder = roster.parts.get(word)
        if holder is None or any(word in key.split() for key in found):
            continue
        if word in SHORT_WORDS and word not in named:
            continue  # "he", "an": a name part only when written as a name
        found[word] = _name_warning(word, holder, ratee)
    return list(found.values())


def _capitalised_inside_a_sentence(text: str) -> set[str]:
    """The words (casefolded) written with a capital initial and not opening a sentence."""
    out: set[str] = set()
    for match in _WORD.finditer(text):
        before = text[: match.start()].rstrip()
        opening = not before or before[-1] in '.!?:;\n"“(' or before.endswith(("-", "•", "*"))
        if match.group(0)[0].isupper() and not opening:
            out.add(_POSSESSIVE.sub("", match.group(0).casefold()))
    return out


def _name_warning(match: str, name: str, ratee: str | None) -> CommentWarning:
    whose = (
        "the name of the person you rate"
        if ratee is not None and match.casefold() in [*_words(ratee), " ".join(_words(ratee))]
        else "a name on the roster"
    )
    return CommentWarning(
        "name",
        match,
        f"mentions {match!r}, {whose}: names can tell who wrote it (or whom it is about)",
    )


def comment_warnings(
    text: str, roster: RosterNames, *, ratee: str | None = None
) -> list[CommentWarning]:
    """Every warning for one comment, in the module's rule order (names, email, …)."""
    warnings = name_warnings(_EMAIL.sub(" ", text), roster, ratee=ratee)
    for match in dict.fromkeys(m.group(0) for m in _EMAIL.finditer(text)):
        warnings.append(
            CommentWarning("email", match, f"holds an email address ({match}): it names someone")
        )
    for match in dict.fromkeys(m.group(0) for m in _HANDLE.finditer(_EMAIL.sub(" ", text))):
        warnings.append(
            CommentWarning("handle", match, f"holds a handle ({match}): it names someone")
        )
    for match in dict.fromkeys(" ".join(m.group(0).split()) for m in _RELATION.finditer(text)):
        warnings.append(
            CommentWarning(
                "relation",
                match,
                f"says how you stand to the person ({match!r}): it tells which group, "
                "or which one person, wrote it",
            )
        )
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) > 1 and _signed(lines[-1], lines[-2]):
        warnings.append(
            CommentWarning(
                "signature",
                lines[-1],
                f"ends with a signature or sign-off ({lines[-1]!r}): comments are anonymous",
            )
        )
    return warnings


def _signed(last: str, before: str) -> bool:
    """Whether the last line is a sign-off, or a dash and a name that ends no list."""
    if _SIGN_OFF.match(last):
        return True
    return bool(_DASH_NAME.match(last)) and _names_only(last) and not _BULLET.match(before)


def _names_only(line: str) -> bool:
    """Every word after the dash starts with a capital letter (a name or initials)."""
    words = _WORD.findall(line)
    return bool(words) and all(w[0].isupper() for w in words)


def describe(warnings: Sequence[CommentWarning]) -> str:
    """The warnings of one comment as one sentence."""
    return "; ".join(w.message for w in warnings)
