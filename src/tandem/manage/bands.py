"""Quartile bands: how a share of people is told when its exact value would describe them.

"All of the team's pairs are within their cadence" says it of each pair; a band never tells
"nobody" or "everybody" apart from its neighbours (docs/people-science.md, "Check-ins").
"""

from __future__ import annotations

__all__ = ["BANDS", "band"]

BANDS = ("0–25 %", "25–50 %", "50–75 %", "75–100 %")


def band(within: int, people: int) -> str:
    """The quartile band of ``within / people``: lower edge included, upper edge excluded,
    except 100 %, in the last band (so 0 and 100 % are never told apart from their band)."""
    if people <= 0 or not 0 <= within <= people:
        raise ValueError("a share needs 0 ≤ within ≤ people and people > 0")
    return BANDS[min(len(BANDS) - 1, len(BANDS) * within // people)]
