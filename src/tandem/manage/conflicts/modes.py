"""Tandem's suggested conflict-handling mode: a documented rule over four inputs, each
suggestion with its reasons. A human chooses; the suggestion is only a starting point.

The five modes and their two dimensions (assertiveness: pursuing one's own concern;
cooperativeness: pursuing the other's) are the generic two-dimension model of conflict
handling (Blake & Mouton; Thomas, 1976). No item of any licensed instrument is used: the
inputs are the case's own facts, rated by the facilitator.

Inputs: how much the issue matters to each party (1–5), time pressure (1–5), the power
balance (balanced or unequal) and how much the relationship matters (1–5). The rule, first
match wins (docs/manage.md, docs/people-science.md):

1. the issue matters little to every party (all ≤ 2) → **avoiding**;
2. it matters far more to one party than another (gap ≥ 2) and the relationship matters
   (≥ 4) → **accommodating** (the party it matters less to yields this one);
3. time is pressing (≥ 4): power unequal and the relationship matters little (≤ 2) →
   **competing**; otherwise → **compromising**;
4. the issue matters to every party (all ≥ 4) and the relationship matters (≥ 3) →
   **collaborating**;
5. power balanced and the issue moderately important (the highest stake ≤ 3) →
   **compromising**;
6. otherwise → **collaborating**, the interest-based default when time allows.

A **relationship** conflict is never suggested *competing*: one side winning a relationship
conflict tends to deepen it (De Dreu & Weingart, 2003); the rule falls back to compromising.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

#: The modes, with their place on the two dimensions (assertive, cooperative).
DIMENSIONS: dict[str, tuple[str, str]] = {
    "competing": ("high", "low"),
    "collaborating": ("high", "high"),
    "compromising": ("medium", "medium"),
    "avoiding": ("low", "low"),
    "accommodating": ("low", "high"),
}

MEANINGS: dict[str, str] = {
    "competing": "one side decides and stands by it; fast, at a cost to the relationship",
    "collaborating": "work on both sides' interests together until an option meets them all",
    "compromising": "each side gives up part of what it asked for; quick and even-handed",
    "avoiding": "leave it for now, or for good; fits issues that matter little",
    "accommodating": "one side yields this one to the other, for whom it matters more",
}


class Suggestion(BaseModel):
    """The suggested mode, where it sits on the two dimensions and why it was suggested."""

    model_config = ConfigDict(frozen=True)

    mode: str
    assertiveness: str
    cooperativeness: str
    meaning: str
    reasons: list[str]
    note: str = "A suggestion from the case's inputs: the facilitator and the parties choose."


def suggest(
    *,
    kind: str,
    importance: Sequence[int],
    time_pressure: int,
    power_balance: str,
    relationship_importance: int,
) -> Suggestion:
    """The suggested mode for a case's inputs (the rule of the module docstring)."""
    high, low = max(importance), min(importance)
    stakes = ", ".join(str(i) for i in importance)
    reasons: list[str]
    if high <= 2:
        mode = "avoiding"
        reasons = [f"the issue matters little to every party (stakes {stakes} of 5)"]
    elif high - low >= 2 and relationship_importance >= 4:
        mode = "accommodating"
        reasons = [
            f"the issue matters far more to one party than another (stakes {stakes})",
            f"the relationship matters ({relationship_importance} of 5): the party it matters "
            "less to can yield this one",
        ]
    elif time_pressure >= 4:
        reasons = [f"time is pressing ({time_pressure} of 5)"]
        if power_balance == "unequal" and relationship_importance <= 2:
            mode = "competing"
            reasons.append(
                f"power is unequal and the relationship matters little "
                f"({relationship_importance} of 5): the one with the authority decides, "
                "and explains why"
            )
        else:
            mode = "compromising"
            reasons.append(
                "a quick, even-handed split fits better than one side deciding"
                if power_balance == "balanced"
                else f"the relationship matters ({relationship_importance} of 5): "
                "split the difference rather than impose"
            )
    elif low >= 4 and relationship_importance >= 3:
        mode = "collaborating"
        reasons = [
            f"the issue matters to every party (stakes {stakes})",
            f"the relationship matters ({relationship_importance} of 5) and time allows "
            f"(pressure {time_pressure} of 5): look for an option that meets every interest",
        ]
    elif power_balance == "balanced" and high <= 3:
        mode = "compromising"
        reasons = [
            f"the issue is moderately important (stakes {stakes}) and power is balanced",
        ]
    else:
        mode = "collaborating"
        reasons = [
            f"time allows (pressure {time_pressure} of 5): the interest-based default is to "
            "work on every side's interests together"
        ]
    if kind == "relationship" and mode == "competing":
        mode = "compromising"
        reasons.append(
            "this is a relationship conflict: one side winning tends to deepen it, so Tandem "
            "suggests compromising instead of competing"
        )
    assertive, cooperative = DIMENSIONS[mode]
    return Suggestion(
        mode=mode,
        assertiveness=assertive,
        cooperativeness=cooperative,
        meaning=MEANINGS[mode],
        reasons=reasons,
    )
