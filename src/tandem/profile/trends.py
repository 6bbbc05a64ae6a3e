"""Trends across review cycles: did a practice reliably change between two closed cycles?

Pure, no database. A person's others' score on a practice in two cycles, x₁ and x₂, each with its
standard error from that cycle's own raters (:mod:`tandem.profile.error`), gives the
Jacobson–Truax reliable change index

    RCI = (x₂ − x₁) / √(SE₁² + SE₂²),

"improved" when RCI > z, "declined" when RCI < −z, otherwise "no reliable change" (z = 1.96, a
two-sided 95 % test). The classic index uses one standard error of measurement for everyone,
SEM = SD·√(1 − r), from a scale's reliability r; here each cycle's SE is the person's own,
√(Σ_pp / n) from the cycle's rater covariance and the n raters behind the score, so a score
resting on 3 raters needs a bigger change than one resting on 10 (``docs/people-science.md``,
"Trends", says why). No label (a reason instead) when:

* either score rests on fewer than :data:`~tandem.profile.scoring.MIN_LABEL_RATERS` raters
  (effective raters for L − M), or has no score at all: "not enough raters";
* either SE is unknown (the cycle's cohort could not estimate the rater covariance): "error
  unknown";
* the practice's items changed between the two cycles' item bank versions: "not comparable:
  bank changed", and no difference is given at all. A practice compares across versions only when
  its item set is the same (:func:`~tandem.review.items.comparable_practices`: every item
  ``same_as`` one of the previous version, none dropped, asked of the same relations); L or M when
  every practice of its side does, L − M when all ten do. Shipped v1 → v2 keeps no practice's
  item set (v2 dropped each practice's reverse item and split five items), so :func:`trend`
  takes a ``rescore`` callback: for a step between two banks it gets both cycles' figures
  rescored on the items the two versions share (:func:`~tandem.review.items.common_bank`) and
  compares those; a practice with fewer than 3 shared items (for a relation that rates it)
  stays "not comparable: bank changed". Such a step says so (:attr:`Step.basis`) and carries
  the rescored figures it compared, which differ from each cycle's own report.

The same test runs on L, M and the leaning difference L − M (whose SE is the profile's
``leaning_se``); for L − M the labels say which way it moved: "towards leader" (L − M grew) or
"towards manager". Between consecutive cycles and, with three or more, from the first to the
last. The inputs are what one viewer may see of each cycle (:mod:`tandem.profile.trend_service`
keeps that rule); this module only compares them.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from tandem.profile.cohort import DEFAULT_Z
from tandem.profile.scoring import (
    ERROR_UNKNOWN,
    MIN_LABEL_RATERS,
    NOT_ENOUGH_RATERS,
    ProfileScores,
)
from tandem.review.items import (
    PRACTICE_IDS,
    ItemBank,
    comparable_practices,
    linked,
    practices_of,
)

IMPROVED = "improved"
DECLINED = "declined"
NO_CHANGE = "no reliable change"
TOWARDS_LEADER = "towards leader"
TOWARDS_MANAGER = "towards manager"
BANK_CHANGED = "not comparable: bank changed"
RELIABLE = frozenset({IMPROVED, DECLINED, TOWARDS_LEADER, TOWARDS_MANAGER})


@dataclass(frozen=True)
class Figure:
    """One figure of one cycle: its value, standard error and the raters behind it.

    ``raters`` is the number of raters behind a practice score, the smallest such number for L
    or M, and the effective number (w′Σw / SE²) for L − M, as the profile's labels use them.
    """

    value: float | None
    se: float | None
    raters: float = 0.0


@dataclass(frozen=True)
class Change:
    """A figure from one cycle to a later one: the difference, its SE, the RCI and the verdict.

    ``verdict`` is a label (:data:`IMPROVED`, :data:`DECLINED`, :data:`NO_CHANGE`, or for L − M
    :data:`TOWARDS_LEADER` / :data:`TOWARDS_MANAGER`) or the reason there is none.
    """

    difference: float | None  # later − earlier
    se: float | None  # √(SE₁² + SE₂²)
    rci: float | None  # difference / se
    verdict: str

    @property
    def reliable(self) -> bool:
        """Whether the change is beyond the measurement error of both cycles."""
        return self.verdict in RELIABLE


def _enough(figure: Figure) -> bool:
    return figure.value is not None and figure.raters >= MIN_LABEL_RATERS - 1e-9


def reliable_change(
    earlier: Figure,
    later: Figure,
    *,
    comparable: bool = True,
    z: float = DEFAULT_Z,
    labels: tuple[str, str] = (IMPROVED, DECLINED),
) -> Change:
    """The Jacobson–Truax test of ``later`` against ``earlier`` with each cycle's own SE.

    ``labels``: the verdicts of a rise and a fall beyond ``z``. ``comparable=False`` (the items
    behind the figure changed between the cycles' item banks) gives no numbers at all.

    Examples
    --------
    >>> reliable_change(Figure(3.0, 0.12, 5), Figure(3.5, 0.16, 5))  # 0.5 / 0.2 = 2.5
    Change(difference=0.5, se=0.2, rci=2.5, verdict='improved')
    >>> reliable_change(Figure(3.0, 0.12, 5), Figure(3.3, 0.16, 5)).verdict
    'no reliable change'
    >>> reliable_change(Figure(3.0, 0.12, 2), Figure(3.8, 0.16, 5)).verdict
    'not enough raters'
    """
    if not comparable:
        return Change(None, None, None, BANK_CHANGED)
    if earlier.value is None or later.value is None:
        return Change(None, None, None, NOT_ENOUGH_RATERS)
    difference = later.value - earlier.value
    if earlier.se is None or later.se is None:
        return Change(difference, None, None, ERROR_UNKNOWN)
    se = math.sqrt(earlier.se**2 + later.se**2)
    rci = difference / se if se > 0 else None
    if not (_enough(earlier) and _enough(later)):
        return Change(difference, se, rci, NOT_ENOUGH_RATERS)
    if rci is None:  # no rater variance at all in either cycle: nothing to test against
        return Change(difference, se, None, ERROR_UNKNOWN)
    if rci > z:
        verdict = labels[0]
    elif rci < -z:
        verdict = labels[1]
    else:
        verdict = NO_CHANGE
    return Change(difference, se, rci, verdict)


@dataclass(frozen=True)
class CycleFigures:
    """What one viewer may see of one person's profile in one closed cycle, for a trend."""

    cycle: str
    bank: ItemBank  # the cycle's item bank version: which practices compare across cycles
    practices: Mapping[str, Figure]
    L: Figure
    M: Figure
    leaning: Figure  # L − M


def cycle_figures(cycle: str, bank: ItemBank, scores: ProfileScores) -> CycleFigures:
    """The figures of a profile (as computed for its viewer) that a trend compares."""
    return CycleFigures(
        cycle=cycle,
        bank=bank,
        practices={
            p: Figure(s.others, s.se if s.others is not None else None, s.n_raters)
            for p, s in scores.practices.items()
        },
        L=_side(scores, "L"),
        M=_side(scores, "M"),
        leaning=Figure(
            scores.leaning_difference,
            scores.leaning_se if scores.leaning_difference is not None else None,
            scores.leaning_effective_raters or 0.0,
        ),
    )


def _side(scores: ProfileScores, name: str) -> Figure:
    side = scores.L if name == "L" else scores.M
    if side is None:
        return Figure(None, None, 0.0)
    return Figure(side.value, side.se, side.n_raters)


@dataclass(frozen=True)
class Step:
    """The comparison of two cycles: every practice, L, M and L − M.

    ``changed``: the practices whose items changed between the two cycles' item banks, not
    compared (empty within one version); ``comparable``: no practice changed. ``basis``:
    :data:`SAME_ITEMS`, or for two banks "shared items (N of M)": N items both versions share
    out of the later version's M practice items, with ``shared`` their count per compared
    practice and ``figures`` both cycles' figures rescored on them (what was compared).
    """

    earlier: str
    later: str
    comparable: bool
    changed: tuple[str, ...]
    practices: Mapping[str, Change]
    L: Change
    M: Change
    leaning: Change
    basis: str = "same items"
    shared: Mapping[str, int] | None = None
    figures: tuple[CycleFigures, CycleFigures] | None = None


def compare(earlier: CycleFigures, later: CycleFigures, *, z: float = DEFAULT_Z) -> Step:
    """Every figure of ``later`` tested against ``earlier`` (:func:`reliable_change`).

    Only the figures whose items are the same in both cycles' item banks are compared.
    """
    same = comparable_practices(earlier.bank, later.bank)
    practices = {
        p: reliable_change(
            earlier.practices.get(p, Figure(None, None)), figure, comparable=p in same, z=z
        )
        for p, figure in later.practices.items()
    }
    leader, manager = (same.issuperset(practices_of(side)) for side in ("leader", "manager"))
    changed = tuple(p for p in PRACTICE_IDS if p in later.practices and p not in same)
    return Step(
        earlier=earlier.cycle,
        later=later.cycle,
        comparable=not changed,
        changed=changed,
        practices=practices,
        L=reliable_change(earlier.L, later.L, comparable=leader, z=z),
        M=reliable_change(earlier.M, later.M, comparable=manager, z=z),
        leaning=reliable_change(
            earlier.leaning,
            later.leaning,
            comparable=leader and manager,
            z=z,
            labels=(TOWARDS_LEADER, TOWARDS_MANAGER),
        ),
    )


@dataclass(frozen=True)
class Trend:
    """A person's cycles in order, each consecutive step, and first → last (3+ cycles)."""

    cycles: tuple[CycleFigures, ...]
    steps: tuple[Step, ...]
    overall: Step | None


SAME_ITEMS = "same items"
Rescore = Callable[[CycleFigures, CycleFigures], tuple[CycleFigures, CycleFigures]]
"""Both cycles' figures rescored on the items their two banks share (same common bank)."""


def shared_basis(common: ItemBank, later: ItemBank) -> str:
    """How a step between two banks is compared: "shared items (N of M)".

    >>> from tandem.review.items import common_bank, load_item_bank
    >>> shared_basis(common_bank(load_item_bank("1"), load_item_bank("2")), load_item_bank("2"))
    'shared items (32 of 46)'
    """
    total = sum(len(items) for items in later.by_practice().values())
    return f"shared items ({len(common.items)} of {total})"


def compare_shared(
    earlier: CycleFigures, later: CycleFigures, rescore: Rescore, *, z: float = DEFAULT_Z
) -> Step:
    """Two cycles on different banks compared on the items both share, both rescored on them.

    ``rescore`` gives both cycles' figures on the common bank (both figures' ``bank``); the
    practices it leaves without items are "not comparable: bank changed" as before.
    """
    first, second = rescore(earlier, later)
    step = compare(first, second, z=z)
    return replace(
        step,
        basis=shared_basis(second.bank, later.bank),
        shared={p: len(items) for p, items in second.bank.by_practice().items() if items},
        figures=(first, second),
    )


def _step(a: CycleFigures, b: CycleFigures, rescore: Rescore | None, z: float) -> Step:
    # versions not linked by previous_version (v1 and a future v3) share no common bank
    if rescore is None or a.bank.version == b.bank.version or linked(a.bank, b.bank) is None:
        return compare(a, b, z=z)
    return compare_shared(a, b, rescore, z=z)


def trend(
    cycles: Sequence[CycleFigures], *, z: float = DEFAULT_Z, rescore: Rescore | None = None
) -> Trend:
    """Consecutive steps over ``cycles`` (oldest first) and, with 3 or more, first → last.

    ``rescore``: how a step between two item bank versions gets both cycles on their shared
    items (:func:`compare_shared`); without it such a step compares only unchanged practices.
    """
    ordered = tuple(cycles)
    steps = tuple(_step(a, b, rescore, z) for a, b in itertools.pairwise(ordered))
    overall = _step(ordered[0], ordered[-1], rescore, z) if len(ordered) >= 3 else None
    return Trend(cycles=ordered, steps=steps, overall=overall)
