"""Plain-language explanations for duo suggestions: who covers what, the score, bonus and gate.

Every suggestion explains itself (DESIGN §6–7: pairing is a recommendation a human confirms).
People are named by id unless the caller passes ``names`` (the CLI and web views do).

:func:`explain_pair` names practices and scores, so the duo service uses it only for a viewer
who may see both people's results; everyone else gets :func:`qualitative`, which says why such
pairs are suggested without any number, practice or leaning (DESIGN §7).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tandem.duos.matching import Coverage, Gate

__all__ = [
    "explain_gate",
    "explain_pair",
    "explain_scores",
    "hidden_reason",
    "qualitative",
    "strengths",
    "tie_breaker_rule",
    "too_few_scores",
    "unmatched",
]


def explain_pair(
    coverage: Coverage,
    bonus: float,
    gate: Gate,
    *,
    leanings: tuple[str | None, str | None] = (None, None),
    names: Mapping[int, str] | None = None,
) -> str:
    """One paragraph: each partner's practices, the coverage, the bonus and the gate.

    Examples
    --------
    >>> from tandem.duos.matching import Candidate, coverage, gate
    >>> a = Candidate(1, {"vision": 5.0, "process": 2.0}, None)
    >>> b = Candidate(2, {"vision": 3.0, "process": 4.5}, None)
    >>> explain_pair(coverage(a, b), 0.0, gate(a, b)).split(". ")[0]
    'Person 1 covers vision (5.0); person 2 covers process (4.5)'
    """
    scores = explain_scores(coverage, bonus, leanings=leanings, names=names)
    return f"{scores} {explain_gate(gate, names=names)}"


def explain_scores(
    coverage: Coverage,
    bonus: float,
    *,
    leanings: tuple[str | None, str | None] = (None, None),
    names: Mapping[int, str] | None = None,
) -> str:
    """:func:`explain_pair` without the gate: the part computed from the partners' scores."""

    def name(person: int) -> str:
        return names.get(person, f"person {person}") if names else f"person {person}"

    value = {c.practice: c.value for c in coverage.practices}

    def listing(practices: tuple[str, ...]) -> str:
        return ", ".join(f"{p} ({value[p]:.1f})" for p in practices)

    parts = []
    for person in (coverage.a, coverage.b):
        mine = coverage.covered_by(person)
        parts.append(f"{name(person)} covers {listing(mine) if mine else 'no practice alone'}")
    text = "; ".join(parts)
    text = text[0].upper() + text[1:]
    if coverage.shared:
        text += f"; both equally: {listing(coverage.shared)}"
    sentences = [text]
    if coverage.unknown:
        sentences.append(
            f"Neither has others' scores for {', '.join(coverage.unknown)}, counted as uncovered"
        )
    sentences.append(
        f"Coverage {coverage.overall:.2f} (leader side {coverage.leader:.2f}, manager side "
        f"{coverage.manager:.2f}); combined with the weaker side: {coverage.combined:.2f}"
    )
    if bonus:
        sentences.append(
            f"Orientation bonus +{bonus:.2f}: {name(coverage.a)} is {leanings[0]}, "
            f"{name(coverage.b)} is {leanings[1]} (both reliable)"
        )
    else:
        sentences.append("No orientation bonus (needs one reliable leader- and one manager-lean)")
    return ". ".join(sentences) + "."


def explain_gate(gate: Gate, *, names: Mapping[int, str] | None = None) -> str:
    """The compatibility gate's sentence: no score enters it, only who opted in and what is shared.

    Examples
    --------
    >>> from tandem.duos.matching import Gate
    >>> explain_gate(Gate(applied=False, passed=True, not_opted_in=(2,)), names={2: "Bo"})
    'Compatibility gate not applied (Bo did not opt in).'
    """
    if gate.applied:
        return f"Compatibility gate passed: shared answers {', '.join(gate.shared)}."
    who = " and ".join(
        names.get(p, f"person {p}") if names else f"person {p}" for p in gate.not_opted_in
    )
    return f"Compatibility gate not applied ({who} did not opt in)."


def too_few_scores(scored: int, needed: int) -> str:
    """Why a candidate with too few others'-scored practices is not matched."""
    return (
        f"only {scored} of 10 practices have others' scores (needs {needed}); "
        "self ratings are never used for pairing"
    )


def unmatched(allowed: int, others: int) -> str:
    """Why an eligible candidate ended without a partner."""
    if others == 0:
        return "no other candidate to pair with"
    if allowed == 0:
        return "the compatibility gate allows no partner (no shared goals/values answer)"
    return (
        f"{allowed} allowed partner(s), all paired elsewhere with a higher total "
        "(or an odd number of people)"
    )


def qualitative(a: str, b: str, *, shared: tuple[bool, bool], aggregates_only: bool = False) -> str:
    """Why a pair is suggested, without any person's numbers, practices or leaning.

    Examples
    --------
    >>> qualitative("Ann", "Bea", shared=(True, False)).split(". ")[1][:67]
    'Practices, scores and leanings are shown only to someone both have '
    """
    hidden = [name for name, ok in zip((a, b), shared, strict=True) if not ok]
    if aggregates_only:
        why = " (your role sees aggregates only)."
    elif hidden:
        why = f" ({' and '.join(hidden)} did not share it with you)."
    else:
        why = "."
    return (
        f"{a} and {b} are suggested because, by others' ratings, each is strong where the other "
        "is less so, across the leader and the manager practices. Practices, scores and "
        "leanings are shown only to someone both have shared their report with" + why
    )


def strengths(
    name: str, practices: Mapping[str, float | None], *, threshold: float = 4.0, limit: int = 3
) -> str:
    """One visible partner's strongest practices by others' ratings, named without numbers.

    Used beside :func:`qualitative` for a partner whose report the viewer may see (their own,
    or shared with them): it is about that person alone, so it reveals nothing of the other.

    Examples
    --------
    >>> strengths("Ann", {"vision": 4.5, "process": 2.0, "coaching": 4.0})
    "Ann's strongest practices by others' ratings: vision, coaching."
    >>> strengths("Bo", {"vision": 3.0})
    "Bo has no practice others see 'often' or more."
    """
    strong = sorted(
        ((v, p) for p, v in practices.items() if v is not None and v >= threshold),
        key=lambda vp: (-vp[0], vp[1]),
    )[:limit]
    if not strong:
        return f"{name} has no practice others see 'often' or more."
    return f"{name}'s strongest practices by others' ratings: {', '.join(p for _, p in strong)}."


def hidden_reason(reason: str) -> str:
    """An unpaired reason with no count of the person's scored practices (for other viewers)."""
    if "practices have others' scores" in reason:
        return "not enough others' ratings to be paired; self ratings are never used for pairing"
    return reason


def tie_breaker_rule(a: str, b: str, tie_breaker: str) -> str:
    """What the recorded tie-breaker means, in one sentence.

    Examples
    --------
    >>> tie_breaker_rule("Ann", "Bea", "Max <max@example.com>")
    'When Ann and Bea disagree and cannot settle it themselves, Max <max@example.com> decides.'
    >>> tie_breaker_rule("Ann", "Bea", "the client wins")
    'When Ann and Bea disagree and cannot settle it themselves, they follow: the client wins.'
    """
    start = f"When {a} and {b} disagree and cannot settle it themselves"
    if tie_breaker.endswith(">") and "<" in tie_breaker:  # a person, as stored: "Name <email>"
        return f"{start}, {tie_breaker} decides."
    return f"{start}, they follow: {tie_breaker}."
