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
    "UNPAIRED_LABELS",
    "explain_gate",
    "explain_pair",
    "explain_scores",
    "formal_hidden",
    "formal_verdict",
    "gate_allows_none",
    "hidden_reason",
    "line_note",
    "no_partner_adds_enough",
    "only_line_partners",
    "paired_elsewhere",
    "qualitative",
    "strengths",
    "tie_breaker_rule",
    "too_few_scores",
    "unmatched",
]

# What each unpaired reason code means, in a few words (the CLI and the page count them).
UNPAIRED_LABELS = {
    "no_gain": "no partner adds enough",
    "paired_elsewhere": "partners who would add enough are paired elsewhere",
    "line": "only their line manager or reports would add enough",
    "gate": "the compatibility gate allows no partner",
    "too_few_scores": "too few others' ratings",
    "no_other_candidate": "nobody else to pair with",
    "not_rated": "not rated in the cycle",
    "already_in_duo": "already in a confirmed duo",
}

LINE_RULE = (
    "a boss and their direct report are never suggested as a duo: the report cannot disagree "
    "as an equal, and the boss would decide in all but name"
)


def explain_pair(
    coverage: Coverage,
    bonus: float,
    gate: Gate,
    *,
    leanings: tuple[str | None, str | None] = (None, None),
    names: Mapping[int, str] | None = None,
    gain: float | None = None,
) -> str:
    """One paragraph: each partner's practices, the coverage, the gain, the bonus and the gate.

    Examples
    --------
    >>> from tandem.duos.matching import Candidate, coverage, gate
    >>> a = Candidate(1, {"vision": 5.0, "process": 2.0}, None)
    >>> b = Candidate(2, {"vision": 3.0, "process": 4.5}, None)
    >>> explain_pair(coverage(a, b), 0.0, gate(a, b)).split(". ")[0]
    'Person 1 covers vision (5.0); person 2 covers process (4.5)'
    """
    scores = explain_scores(coverage, bonus, leanings=leanings, names=names, gain=gain)
    return f"{scores} {explain_gate(gate, names=names)}"


def explain_scores(
    coverage: Coverage,
    bonus: float,
    *,
    leanings: tuple[str | None, str | None] = (None, None),
    names: Mapping[int, str] | None = None,
    gain: float | None = None,
) -> str:
    """:func:`explain_pair` without the gate: the part computed from the partners' scores.

    ``gain``: the pair's combined coverage minus the stronger partner's alone (omitted: no
    sentence). Covers counted at an expected true score other than the others' score shown
    (when errors are known) are listed with it.
    """

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
    if coverage.shrunk:
        pulled = ", ".join(
            f"{c.practice} {c.value:.1f} → {c.expected:.1f}" for c in coverage.shrunk
        )
        sentences.append(
            "Each cover counts as its expected true score, the others' score pulled toward the "
            f"cycle's mean the more the fewer its raters: {pulled}"
        )
    sentences.append(
        f"Coverage {coverage.overall:.2f} (leader side {coverage.leader:.2f}, manager side "
        f"{coverage.manager:.2f}); combined with the weaker side: {coverage.combined:.2f}"
    )
    if gain is not None:
        sentences.append(
            f"Together they cover {gain:.2f} more than the stronger of the two alone "
            f"({coverage.combined - gain:.2f})"
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
    """Why an eligible candidate ended without a partner (no other candidate, or the gate)."""
    if others == 0:
        return "no other candidate to pair with"
    if allowed == 0:
        return gate_allows_none(helpful=False)
    return paired_elsewhere(allowed)


def paired_elsewhere(helpful: int) -> str:
    """Partners who would add enough exist, and the matching paired them elsewhere."""
    return (
        f"{helpful} partner(s) would add enough, all paired elsewhere with a higher total gain "
        "(or an odd number of people)"
    )


def gate_allows_none(*, helpful: bool) -> str:
    """The compatibility gate blocks every partner (who would add enough)."""
    who = "no partner who would add enough" if helpful else "no partner"
    return f"the compatibility gate allows {who} (no shared goals/values answer)"


def only_line_partners() -> str:
    """Everyone who would add enough is the person's line manager or a direct report."""
    return f"no partner adds enough but their line manager or a direct report, and {LINE_RULE}"


def no_partner_adds_enough(min_gain: float) -> str:
    """Nobody raises the pair's coverage enough over what the two cover alone."""
    return (
        "no partner adds enough: paired with anyone, the two would cover less than "
        f"{min_gain:.2f} more than the stronger of them alone; no duo is suggested rather "
        "than one that changes little"
    )


def line_note(report: str, boss: str) -> str:
    """The sentence for a pair of a person and their line manager (confirmed or formal)."""
    return f"{report} reports to {boss}; {LINE_RULE}."


def formal_verdict(
    *,
    proposed: bool,
    line: str | None,
    unscored: str | None,
    gain: float | None,
    min_gain: float,
) -> str:
    """Whether the matching proposes the team's formal pair too, and if not, why.

    ``gain`` (from everyone's scores, as the matching decides) only for a viewer who may see
    both, and then only compared with ``min_gain``, never printed: a viewer who rated a partner
    is shown numbers from their own view. ``unscored`` the reason the pair has no coverage (a
    partner not rated, or with too few others' scores).
    """
    if unscored:
        text = f"No coverage for this pair: {unscored}."
        return f"{text} {line}" if line else text
    if proposed:
        return "The matching proposes this pair too."
    if line:
        return f"The matching never proposes it: {line}"
    if gain is not None and gain < min_gain:
        return (
            "The matching does not propose it: together they cover less than "
            f"{min_gain:.2f} more than the stronger of them alone, the least a duo must add."
        )
    if gain is not None:
        return (
            "The matching does not propose it: it pairs them with partners who add more in "
            "total, or leaves one of them without a partner."
        )
    return "The matching does not propose this pair."


def _why_hidden(a: str, b: str, *, shared: tuple[bool, bool], aggregates_only: bool) -> str:
    """The end of a "shown only to …" sentence: why this viewer is not shown both people."""
    hidden = [name for name, ok in zip((a, b), shared, strict=True) if not ok]
    if aggregates_only:
        return " (your role sees aggregates only)."
    if hidden:
        return f" ({' and '.join(hidden)} did not share it with you)."
    return "."


def formal_hidden(
    a: str, b: str, *, shared: tuple[bool, bool], aggregates_only: bool = False
) -> str:
    """A formal pair the viewer may not see in full: why nothing about both is shown.

    Examples
    --------
    >>> formal_hidden("Ann", "Bea", shared=(True, False)).split("report with ")[1]
    '(Bea did not share it with you).'
    """
    why = _why_hidden(a, b, shared=shared, aggregates_only=aggregates_only)
    return (
        "Their practices, scores and leanings together are shown only to someone both have "
        "shared their report with" + why
    )


def qualitative(a: str, b: str, *, shared: tuple[bool, bool], aggregates_only: bool = False) -> str:
    """Why a pair is suggested, without any person's numbers, practices or leaning.

    Examples
    --------
    >>> qualitative("Ann", "Bea", shared=(True, False)).split(". ")[1][:67]
    'Practices, scores and leanings are shown only to someone both have '
    """
    why = _why_hidden(a, b, shared=shared, aggregates_only=aggregates_only)
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


def hidden_reason(reason: str, code: str | None = None) -> str:
    """An unpaired reason with no number about the person (for a viewer who may not see them).

    The counts of scored practices and of helpful partners, and the minimum gain next to the
    person's name, are left out; the kind of reason stays.
    """
    if code == "too_few_scores" or "practices have others' scores" in reason:
        return "not enough others' ratings to be paired; self ratings are never used for pairing"
    if code == "no_gain":
        return "no partner adds enough over what each of the two covers alone"
    if code == "paired_elsewhere":
        return "the partners who would add enough were paired elsewhere with a higher total gain"
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
