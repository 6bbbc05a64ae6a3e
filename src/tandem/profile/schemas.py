"""Pydantic shapes of profiles, scale reliability and the premise report (CLI, web, tests).

Dump them with :func:`dump` (``by_alias=True``): a practice's self score is the JSON field
``"self"``. A suppressed rater group is the string ``"suppressed"`` and carries no numbers.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

SUPPRESSED_LABEL: Literal["suppressed"] = "suppressed"


class PersonRef(BaseModel):
    """Who a report is about."""

    id: int
    name: str
    email: str | None


class GroupOut(BaseModel):
    """A rater group that passed suppression: its mean, its n and an optional label."""

    mean: float
    n: int
    label: str | None = None


class PracticeOut(BaseModel):
    """One practice of a profile; ``groups`` maps manager/peer/report/others to a group or
    ``"suppressed"``; a group with no rater at all is absent."""

    side: str
    self_score: float | None = Field(serialization_alias="self")
    others: float | None
    groups: dict[str, GroupOut | Literal["suppressed"]]
    band: tuple[float, float] | None  # others ± z·se, clipped to 1–5
    se: float | None = None  # standard error of others, from this person's raters
    n_raters: int = 0  # raters behind others: the shown groups' n summed
    difference: float | None  # self − others
    relative_difference: float | None = None  # self − others minus the overall tendency
    relative_threshold: float | None = None  # z·SE: a blind spot needs more than it
    agreement: str | None  # "blind spot" | "hidden strength" | "agree" | None (no label)
    agreement_reason: str | None = None  # "not enough raters" | "error unknown" | …
    # others' score on the practice's "too much of it" scale (bank v2; None in v1 or when no
    # group is shown), with the raters behind it: the same rater-group rules as ``others``
    overuse: float | None = None
    overuse_n_raters: int = 0
    # percentile among the cycle's other people of the same role (norm_group, or "all rated"
    # when the role has fewer than 10 others), in steps of 5 with its 95 % band; None with a
    # percentile_reason ("no norm: …", "error unknown") when there is none
    percentile: int | None = None
    percentile_band: tuple[int, int] | None = None
    norm_group: str | None = None
    percentile_reason: str | None = None


class SideOut(BaseModel):
    """L or M with its band and standard error (``None`` when the cohort cannot estimate it)."""

    value: float
    band: tuple[float, float] | None
    se: float | None = None
    n_raters: int = 0  # the smallest number of raters behind one of the side's practices
    percentile: int | None = None  # as for a practice (PracticeOut)
    percentile_band: tuple[int, int] | None = None
    norm_group: str | None = None
    percentile_reason: str | None = None


class SelfTendencyOut(BaseModel):
    """How the person rates themself overall against others: the mean of self − others.

    ``label`` is "higher" or "lower" when the mean is beyond z·SE, "in line" within it, ``None``
    with a ``reason`` ("not enough raters", "error unknown") when it cannot be judged.
    """

    value: float
    se: float | None
    threshold: float | None
    label: str | None
    practices: int
    reason: str | None = None
    effective_raters: float | None = None  # of the others' mean over those practices


class RankingCountsOut(BaseModel):
    """Others' forced-ranking blocks: raters who gave one; per practice how many put it where."""

    raters: int
    practices: dict[str, dict[str, int]]  # practice → {"strongest": n, "weakest": n}


class RankingBlockOut(BaseModel):
    """One rater's own block: practice ids by rank, rank 1 first."""

    strongest: list[str]
    weakest: list[str]


class ForcedRankingOut(BaseModel):
    """The optional forced-ranking block of a profile; never per rater group.

    ``others`` is ``"suppressed"`` unless at least 4 raters other than the person gave a block;
    ``self`` is the person's own block (``None`` when they gave none or self is left out).
    """

    others: RankingCountsOut | Literal["suppressed"]
    self_block: RankingBlockOut | None = Field(serialization_alias="self")


class CommentGroupOut(BaseModel):
    """Comments of one rater group on one practice: texts only, no rater, time or count of the
    hidden ones (:mod:`tandem.profile.comments`)."""

    group: str  # "manager" | "peer" | "report" | "others" (a pool of smaller groups)
    label: str
    comments: list[str]


class ProfileOut(BaseModel):
    """A person's leader–manager profile for one review cycle (DESIGN §6)."""

    person: PersonRef
    cycle: str
    item_bank_version: str
    n_ratees: int  # ratees in the cycle's cohort (SDs and reliabilities come from them)
    practices: dict[str, PracticeOut]
    L: SideOut | None
    M: SideOut | None
    leaning: str | None
    leaning_difference: float | None  # L − M
    leaning_threshold: float | None  # |L − M| must exceed it to lean
    leaning_se: float | None = None  # standard error of L − M, from this person's raters
    leaning_n_raters: int = 0  # the smallest number of raters behind one of the ten practices
    # how many raters scoring all ten practices would give L − M the same error (a label needs 3)
    leaning_effective_raters: float | None = None
    leaning_reason: str | None = None  # why leaning is None: "not enough raters", …
    rater_sets_differ: bool = False  # L − M compares different rater mixes across practices
    blind_spots: list[str]
    hidden_strengths: list[str]
    self_tendency: SelfTendencyOut | None = None  # only with self ratings
    self_included: bool
    forced_ranking: ForcedRankingOut
    notes: list[str]
    # practice → the comment groups this reader may see (closed cycles only; none: absent)
    comments: dict[str, list[CommentGroupOut]] = Field(default_factory=dict)


class CompletionOut(BaseModel):
    """How far an open cycle is for one ratee: the only thing anyone sees before it closes.

    Counts over the raters other than the person (any relation, one total: per rater group
    they would tell which manager or which of two reports answered, and the n of a group that
    will be suppressed); ``self_answered`` whether the person has started their own form.
    """

    raters_invited: int
    raters_answered: int  # raters with at least one answer
    raters_submitted: int = 0  # raters who answered every item they were asked
    self_answered: bool | None  # None for anyone but the person themself


class LockedProfileOut(BaseModel):
    """A profile in an open cycle: results are locked until it closes; completion only."""

    person: PersonRef
    cycle: str
    results: Literal["locked"] = "locked"
    completion: CompletionOut
    notes: list[str]


class ScaleOut(BaseModel):
    """Reliability of one practice's scale over the cycle's non-self response sets."""

    n: int
    k: int
    alpha: float | None
    omega: float | None
    item_total: dict[str, float | None]
    flagged: bool
    omega_undefined: str | None = None  # why ω is None although N suffices ("ω undefined: …")


class ReliabilityOut(BaseModel):
    """Per practice α, ω, corrected item–total r, N and the < .70 flag for one cycle."""

    cycle: str
    item_bank_version: str
    min_n: int
    flag_below: float
    practices: dict[str, ScaleOut]
    flagged: list[str]


class CorrelationOut(BaseModel):
    """Pearson's r of L and M across people, with a 95 % CI by Fisher's z (``None`` if n small).

    In the premise report this is the *same-rater* r (the profile's L and M, both from the same
    raters), kept for comparison: the raters' general impression of a person lifts or lowers
    both sides together and inflates it. :class:`SplitRaterOut` is the estimate to read.
    """

    n: int
    r: float | None
    ci95: tuple[float, float] | None
    method: str


class ShareOut(BaseModel):
    """A share with its counts and a 95 % Wilson interval (``None`` when ``of`` is 0)."""

    count: int
    of: int
    share: float | None
    ci95: tuple[float, float] | None


Verdict = Literal["premise holds", "neither", "sides go together", "not enough data"]


class BootstrapOut(BaseModel):
    """How the bootstrap intervals were drawn: resamples of ratees, with a fixed seed."""

    replicates: int
    seed: int
    method: str


class SplitRaterOut(BaseModel):
    """L from one half of a person's raters and M from the other, corrected for attenuation.

    ``r_split`` is the mean of r(L_A, M_B) and r(L_B, M_A); ``reliability_l`` = r(L_A, L_B) and
    ``reliability_m`` = r(M_A, M_B) are the reliabilities of a half's L and M;
    ``r_corrected`` = r_split / √(reliability_l · reliability_m), clipped to [−1, 1], or ``None``
    with ``not_corrected_because`` when a reliability is under ``reliability_floor`` or too
    uncertain. Intervals are bootstrap percentiles (``None`` when not computed).
    """

    n: int  # ratees with L and M in both halves
    n_excluded: int  # ratees left out: fewer than 2 other raters, or a side missing in a half
    min_raters: int
    split_rule: str
    r_split: float | None
    r_split_ci95: tuple[float, float] | None
    r_ab: float | None  # L from half A, M from half B
    r_ba: float | None  # L from half B, M from half A
    reliability_l: float | None
    reliability_m: float | None
    reliability_floor: float
    r_corrected: float | None
    r_corrected_ci95: tuple[float, float] | None
    clipped: bool  # the corrected point estimate fell outside [−1, 1] and was clipped
    not_corrected_because: str | None
    method: str


class BothHighOut(BaseModel):
    """The direct test: how many are high on both sides, against what independence predicts.

    "High" is the top third of the cohort on a side (at or above its 2/3 quantile), with L and M
    from different halves of each person's raters; every share averages the two assignments.
    ``expected`` = share high on L × share high on M; ``ratio`` = observed / expected.
    """

    n: int
    definition: str
    high_l_share: float | None
    high_m_share: float | None
    both_high_counts: tuple[int, int]  # (L from A & M from B, L from B & M from A)
    observed: float | None
    observed_ci95: tuple[float, float] | None  # Wilson on n (conservative for the average)
    expected: float | None
    expected_count: float | None  # n · expected; a verdict needs at least min_expected_count
    min_expected_count: float
    ratio: float | None
    ratio_ci95: tuple[float, float] | None
    difference: float | None  # observed − expected
    difference_ci95: tuple[float, float] | None
    verdict: Verdict
    verdict_text: str


class PremiseOut(BaseModel):
    """Does "few excel at both" hold here? Split-rater L–M correlation, both-high, leaning."""

    cycle: str
    n_ratees: int
    n_with_l_and_m: int
    min_n: int
    enough_data: bool
    verdict: Verdict
    correlation: CorrelationOut  # same raters for L and M: inflated by their shared impression
    split_rater: SplitRaterOut
    both_high: BothHighOut
    bootstrap: BootstrapOut
    leaning_counts: dict[str, int]  # leader-leaning, manager-leaning, balanced, unknown
    leaning_reliably: ShareOut
    leader_leaning: ShareOut
    manager_leaning: ShareOut
    summary: str
    notes: list[str]


def dump(model: BaseModel) -> dict[str, Any]:
    """A JSON-ready dict of ``model`` with the public field names (``"self"``)."""
    return model.model_dump(mode="json", by_alias=True)
