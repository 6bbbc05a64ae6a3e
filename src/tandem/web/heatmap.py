"""The coverage heatmap's presentation: its columns and the colour band of a shown mean.

No figure is computed here. The heatmap's cells print the coverage service's answer as it is
(:class:`~tandem.profile.team.OrgCoverageOut` on the org page, the one team's
:class:`~tandem.profile.team.TeamCoverageOut` on the team page); this module only picks the
colour band of a mean the service shows, and names the columns. A withheld cell
(``"suppressed"``) has no band: the template draws it hatched, with no number.

The bands are 0.2 wide on the one-decimal means the service gives, narrow where team means
fall (a team's mean of others' scores sits between 3 and 4 on the 1–5 frequency scale far more
often than not), open at both ends; the last two start at the cover threshold, 4.0 ("often").
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from itertools import pairwise

from tandem.review.items import PRACTICES, practices_of

# Lower bounds of bands 1..8; band 0 is everything below 2.8.
BAND_STARTS = (2.8, 3.0, 3.2, 3.4, 3.6, 3.8, 4.0, 4.2)


@dataclass(frozen=True)
class Column:
    """A practice column of the heatmap: id, display name and side."""

    practice: str
    name: str
    side: str


@dataclass(frozen=True)
class Band:
    """A colour band of the legend: its index (the CSS class ``heat-<index>``) and its label."""

    index: int
    label: str


_NAMES = {p.id: p.name for p in PRACTICES}
COLUMNS = tuple(
    Column(practice, _NAMES.get(practice, practice), side)
    for side in ("leader", "manager")
    for practice in practices_of(side)
)


def heat_band(mean: float) -> int:
    """The colour band (0 lightest … 8 darkest) of a mean the service shows.

    Examples
    --------
    >>> heat_band(2.5), heat_band(3.0), heat_band(3.1), heat_band(3.9), heat_band(4.0), heat_band(5)
    (0, 2, 2, 6, 7, 8)
    """
    return bisect_right(BAND_STARTS, mean)


def _legend() -> tuple[Band, ...]:
    bands = [Band(0, f"below {BAND_STARTS[0]:.1f}")]
    for index, (low, high) in enumerate(pairwise(BAND_STARTS), 1):
        bands.append(Band(index, f"{low:.1f}–{high - 0.1:.1f}"))
    bands.append(Band(len(BAND_STARTS), f"{BAND_STARTS[-1]:.1f} and above"))
    return tuple(bands)


LEGEND = _legend()
