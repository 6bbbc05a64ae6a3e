"""The premise report as an org page shows it: aggregates only, small counts withheld.

:func:`tandem.profile.premise.premise` is the whole report, for whoever holds the workspace (the
CLI). The web page and its ``/api`` twin are read by directors and admins, who see aggregates
only (DESIGN §7), so they get :func:`shown_premise` of it. Suppression is decided here, in the
service layer; the page prints what is left:

* **cohort floor**: with too few people (``enough_data`` false) nothing but the verdict "not
  enough data" and the floor itself is given — no n, no count, no correlation;
* **correlations** (same raters, split raters, corrected) are over at least
  :data:`~tandem.profile.premise.MIN_PREMISE_N` people: shown with their intervals;
* **high on both, a 2×2 table of counts** (L high or not × M high or not; each count the mean
  of the two rater assignments, so a half is possible): a count of 1–4 people is withheld
  (:data:`MIN_CELL`, n ≥ 5). The table's margins (the shares high on L and on M) and n are
  shown, so one count gives the other three: when any count is withheld, all four are, and so
  is everything that gives the both-high count back — the observed share and its interval,
  the ratio and the difference and theirs. The verdict (a direction, no figure) stays;
* **leaning counts** (leader, manager, balanced, unknown) over the cohort: a count of 1–4 is
  withheld; when exactly one is, the smallest other non-zero count goes too (their total is
  shown), and the shares (of the known) are shown only when no count is withheld.

A zero count is shown, as :func:`~tandem.profile.coverage.suppressed_cells` does: it points to
nobody. No person's L or M, nor any per-person point, ever leaves this module.
"""

from __future__ import annotations

from typing import Literal, TypeVar

from pydantic import BaseModel
from sqlalchemy.orm import Session

from tandem.profile import premise as premise_service
from tandem.profile.coverage import MIN_SHOWN
from tandem.profile.schemas import BootstrapOut, PremiseOut, ShareOut, Verdict

SuppressedLabel = Literal["suppressed"]
_T = TypeVar("_T")
SUPPRESSED_LABEL: SuppressedLabel = "suppressed"
MIN_CELL = MIN_SHOWN  # n ≥ 5 for people-derived aggregates (DESIGN §7)
_NOT_ENOUGH = (
    "Not enough data to test the essay's premise: it needs at least {n} people rated by at "
    "least two colleagues each in the cycle."
)


class CorrelationRowOut(BaseModel):
    """One L–M correlation of the forest chart, with its 95 % interval."""

    key: Literal["same_raters", "split", "split_corrected"]
    label: str
    r: float
    ci95: tuple[float, float] | None
    n: int
    inflated: bool  # the same raters' general impression lifts both sides


class BothHighShownOut(BaseModel):
    """The both-high test as shown: the 2×2 counts and the figures a withheld count allows."""

    n: int
    definition: str
    high_l_share: float | None
    high_m_share: float | None
    expected: float | None
    expected_count: float | None
    min_expected_count: float  # a verdict needs independence to predict this many high on both
    table: dict[str, float | SuppressedLabel]  # both, leader_only, manager_only, neither
    observed: float | SuppressedLabel | None
    observed_ci95: tuple[float, float] | SuppressedLabel | None
    ratio: float | SuppressedLabel | None
    ratio_ci95: tuple[float, float] | SuppressedLabel | None
    difference: float | SuppressedLabel | None
    difference_ci95: tuple[float, float] | SuppressedLabel | None
    withheld_because: str | None


class LeaningShownOut(BaseModel):
    """How many lean one way reliably: counts over the cohort, small ones withheld."""

    of: int
    counts: dict[str, int | SuppressedLabel]
    reliably: ShareOut | SuppressedLabel
    leader: ShareOut | SuppressedLabel
    manager: ShareOut | SuppressedLabel


class PremiseShownOut(BaseModel):
    """The premise report for an org page: aggregates only; see the module docstring."""

    cycle: str
    min_n: int
    min_cell: int
    enough_data: bool
    verdict: Verdict
    verdict_text: str
    correlations: list[CorrelationRowOut]
    split_note: str | None  # why the split-rater r is not corrected, when it is not
    both_high: BothHighShownOut | None
    leaning: LeaningShownOut | None
    bootstrap: BootstrapOut | None
    notes: list[str]


def premise_page(*, session: Session, cycle: str | None = None) -> PremiseShownOut:
    """The premise report of ``cycle`` as directors and admins may see it (default as the CLI)."""
    return shown_premise(premise_service.premise(session=session, cycle=cycle))


def shown_premise(report: PremiseOut) -> PremiseShownOut:
    """``report`` with every figure an org page may not show withheld (module docstring)."""
    if not report.enough_data:
        return PremiseShownOut(
            cycle=report.cycle,
            min_n=report.min_n,
            min_cell=MIN_CELL,
            enough_data=False,
            verdict="not enough data",
            verdict_text=_NOT_ENOUGH.format(n=report.min_n),
            correlations=[],
            split_note=None,
            both_high=None,
            leaning=None,
            bootstrap=None,
            notes=[],
        )
    both_high = _both_high(report)
    notes = [n for n in report.notes if not n.startswith("too few people")]
    return PremiseShownOut(
        cycle=report.cycle,
        min_n=report.min_n,
        min_cell=MIN_CELL,
        enough_data=True,
        verdict=report.verdict,
        verdict_text=report.both_high.verdict_text,
        correlations=_correlations(report),
        split_note=report.split_rater.not_corrected_because,
        both_high=both_high,
        leaning=_leaning(report),
        bootstrap=report.bootstrap,
        notes=notes,
    )


def _correlations(report: PremiseOut) -> list[CorrelationRowOut]:
    split = report.split_rater
    rows = []
    if split.r_corrected is not None:
        rows.append(
            CorrelationRowOut(
                key="split_corrected",
                label="Different raters, corrected for attenuation",
                r=split.r_corrected,
                ci95=split.r_corrected_ci95,
                n=split.n,
                inflated=False,
            )
        )
    if split.r_split is not None:
        rows.append(
            CorrelationRowOut(
                key="split",
                label="Different raters, uncorrected",
                r=split.r_split,
                ci95=split.r_split_ci95,
                n=split.n,
                inflated=False,
            )
        )
    if report.correlation.r is not None:
        rows.append(
            CorrelationRowOut(
                key="same_raters",
                label="Same raters (inflated by shared raters)",
                r=report.correlation.r,
                ci95=report.correlation.ci95,
                n=report.correlation.n,
                inflated=True,
            )
        )
    return rows


def _withheld(count: float) -> bool:
    return 0 < count < MIN_CELL


def _both_high(report: PremiseOut) -> BothHighShownOut:
    """The averaged 2×2 table from the service's shares (exact: each is a mean of the same two
    assignments), all four counts withheld when one is (the margins give it back)."""
    both_high = report.both_high
    n = both_high.n
    table: dict[str, float | SuppressedLabel] = {}
    if (
        both_high.observed is not None
        and both_high.high_l_share is not None
        and both_high.high_m_share is not None
    ):
        both = both_high.observed * n
        leader_only = both_high.high_l_share * n - both
        manager_only = both_high.high_m_share * n - both
        counts = {
            "both": both,
            "leader_only": leader_only,
            "manager_only": manager_only,
            "neither": n - both - leader_only - manager_only,
        }
        table = {cell: round(value, 1) for cell, value in counts.items()}  # halves, float noise
    hidden = any(_withheld(v) for v in table.values() if v != SUPPRESSED_LABEL)

    def shown(value: _T) -> _T | SuppressedLabel:
        return SUPPRESSED_LABEL if hidden else value

    return BothHighShownOut(
        n=n,
        definition=both_high.definition,
        high_l_share=both_high.high_l_share,
        high_m_share=both_high.high_m_share,
        expected=both_high.expected,
        expected_count=both_high.expected_count,
        min_expected_count=both_high.min_expected_count,
        table={cell: shown(value) for cell, value in table.items()},
        observed=shown(both_high.observed),
        observed_ci95=shown(both_high.observed_ci95),
        ratio=shown(both_high.ratio),
        ratio_ci95=shown(both_high.ratio_ci95),
        difference=shown(both_high.difference),
        difference_ci95=shown(both_high.difference_ci95),
        withheld_because=None
        if not hidden
        else (
            f"the counts of the high-on-both table are withheld: one of them is under "
            f"{MIN_CELL} people, and with the shares high on each side any one count gives the "
            "others; so are the observed share, the ratio and the difference, which give the "
            "count back"
        ),
    )


def _leaning(report: PremiseOut) -> LeaningShownOut:
    counts = report.leaning_counts
    hidden = {k for k, v in counts.items() if _withheld(v)}
    if len(hidden) == 1:  # the total is shown: one withheld count is the total minus the rest
        # never "unknown" as the partner: n (people with L and M, shown with the correlations)
        # and the total bound it (unknown ≥ of − n), and equal they would give it back
        others = sorted(
            (v, k) for k, v in counts.items() if k not in hidden and k != "unknown" and v > 0
        )
        if others:
            hidden.add(others[0][1])
    shown: dict[str, int | SuppressedLabel] = {
        k: SUPPRESSED_LABEL if k in hidden else v for k, v in counts.items()
    }
    full = not hidden
    return LeaningShownOut(
        of=sum(counts.values()),
        counts=shown,
        reliably=report.leaning_reliably if full else SUPPRESSED_LABEL,
        leader=report.leader_leaning if full else SUPPRESSED_LABEL,
        manager=report.manager_leaning if full else SUPPRESSED_LABEL,
    )
