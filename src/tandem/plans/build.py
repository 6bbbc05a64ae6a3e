"""The plan builder: which practices a person develops next, and with which actions (pure).

Rules (DESIGN §6, refined in ``docs/people-science.md``):

1. **Side.** The weaker side is the lower of L and M by others' ratings. Compared as shown (two
   decimals); on a tie, the side holding the single lowest practice score; if that ties too, the
   leader side. When L or M is unknown there is no plan, with the reason.
2. **Practices.** On the weaker side, practices with an others' score are ordered: blind spots
   first, then the rest; within each group by others' score, lowest first, ties in practice order.
   The first two are taken; a third when it is a blind spot too or when its others' score is within
   ``THIRD_WITHIN`` (0.25) of the second's. Practices without an others' score cannot be ranked.
3. **Actions.** Each chosen practice gets the first ``ACTIONS_PER_PRACTICE`` (2) actions of the
   library for that practice, in the library's priority order.
4. **Re-rate** ``RERATE_AFTER_DAYS`` (182) days — about six months — after the plan date.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from tandem.plans.library import Action, ActionLibrary, load_action_library
from tandem.review.items import PRACTICE_IDS, SIDES, practices_of

RERATE_AFTER_DAYS = 182
THIRD_WITHIN = 0.25
ACTIONS_PER_PRACTICE = 2
_ORDINALS = ("lowest", "second lowest", "third lowest", "fourth lowest", "fifth lowest")
_SIDE_SCORE = {"leader": "L", "manager": "M"}


@dataclass(frozen=True)
class PlannedPractice:
    """A practice chosen for the plan: why it was chosen and the actions to take."""

    practice: str
    others: float
    blind_spot: bool
    reason: str
    actions: tuple[Action, ...]


@dataclass(frozen=True)
class PlanDraft:
    """A proposed development plan; ``side`` is ``None`` (and ``practices`` empty) when none."""

    plan_date: date
    side: str | None
    reason: str
    practices: tuple[PlannedPractice, ...]
    rerate_date: date | None
    library_version: str

    @property
    def has_plan(self) -> bool:
        """Whether the builder chose any practice."""
        return bool(self.practices)


def build_plan(
    *,
    others: Mapping[str, float | None],
    L: float | None,
    M: float | None,
    blind_spots: Collection[str],
    plan_date: date,
    self_scores: Mapping[str, float | None] | None = None,
    relative: Mapping[str, float | None] | None = None,
    library: ActionLibrary | None = None,
) -> PlanDraft:
    """Propose a plan: the 2–3 lowest practices of the weaker side, blind spots first.

    Parameters
    ----------
    others
        Others' score per practice id (missing or ``None`` = not computable). Never self scores.
    L, M
        The leader and manager side scores by others' ratings; ``None`` when unknown.
    blind_spots
        Practice ids where the person rates themself above others beyond their overall
        self-rating tendency and the measurement error (the profile's tested blind spots).
    plan_date
        The day the plan starts; the re-rate date is 182 days later.
    self_scores
        Optional self scores, used only to word a blind spot's reason ("0.8 above others").
    relative
        Optional self − others minus the person's overall tendency, per practice; only words a
        blind spot's reason ("0.9 above your usual gap across practices").
    library
        The action library; the latest shipped version when ``None``.

    Examples
    --------
    >>> from datetime import date
    >>> scores = {"vision": 3.6, "storytelling": 3.4, "empowerment": 3.9, "change": 3.8,
    ...           "championing": 4.0, "process": 2.9, "performance": 3.3,
    ...           "communication": 3.1, "allocation": 3.5, "conflict": 3.6}
    >>> plan = build_plan(others=scores, L=3.74, M=3.28, blind_spots=["performance"],
    ...                   plan_date=date(2025, 1, 10))
    >>> plan.side, [p.practice for p in plan.practices], plan.rerate_date
    ('manager', ['performance', 'process', 'communication'], datetime.date(2025, 7, 11))
    """
    library = library or load_action_library()
    unknown = sorted((set(others) | set(blind_spots)) - set(PRACTICE_IDS))
    if unknown:
        raise ValueError(f"unknown practice ids: {', '.join(unknown)}")

    def no_plan(reason: str) -> PlanDraft:
        return PlanDraft(plan_date, None, reason, (), None, library.version)

    if L is None or M is None:
        missing = " and ".join(n for n, v in (("L", L), ("M", M)) if v is None)
        return no_plan(f"no plan: {missing} not known (too few ratings from others)")
    side, side_reason = _weaker_side(others, L, M)
    scored = [p for p in practices_of(side) if others.get(p) is not None]
    if not scored:
        return no_plan(f"no plan: no {side} practice has a score from others")
    chosen = _choose(scored, others, set(blind_spots))
    rank = sorted(scored, key=lambda p: (_value(others, p), PRACTICE_IDS.index(p)))
    planned = tuple(
        PlannedPractice(
            practice=p,
            others=_value(others, p),
            blind_spot=p in blind_spots,
            reason=_reason(p, side, rank, others, set(blind_spots), self_scores, relative),
            actions=library.for_practice(p)[:ACTIONS_PER_PRACTICE],
        )
        for p in chosen
    )
    return PlanDraft(
        plan_date=plan_date,
        side=side,
        reason=side_reason,
        practices=planned,
        rerate_date=plan_date + timedelta(days=RERATE_AFTER_DAYS),
        library_version=library.version,
    )


def _value(others: Mapping[str, float | None], practice: str) -> float:
    value = others.get(practice)
    assert value is not None  # callers pass scored practices only
    return value


def _weaker_side(others: Mapping[str, float | None], L: float, M: float) -> tuple[str, str]:
    """The weaker side and the sentence that explains the choice."""
    lead, manage = round(L, 2), round(M, 2)
    if lead != manage:
        side = SIDES[0] if lead < manage else SIDES[1]
        low, high = (lead, manage) if side == SIDES[0] else (manage, lead)
        other = SIDES[1] if side == SIDES[0] else SIDES[0]
        return side, (
            f"the {side} side is weaker by others' ratings: "
            f"{_SIDE_SCORE[side]} {low:.2f} < {_SIDE_SCORE[other]} {high:.2f}"
        )
    lowest = {
        s: min((v for p in practices_of(s) if (v := others.get(p)) is not None), default=None)
        for s in SIDES
    }
    lo_leader, lo_manager = lowest[SIDES[0]], lowest[SIDES[1]]
    if lo_leader is not None and lo_manager is not None and lo_manager < lo_leader:
        return SIDES[1], (
            f"L and M tie at {lead:.2f}; the manager side holds the lowest practice "
            f"({lo_manager:.2f})"
        )
    if lo_leader is not None and lo_manager is not None and lo_leader < lo_manager:
        return SIDES[0], (
            f"L and M tie at {lead:.2f}; the leader side holds the lowest practice "
            f"({lo_leader:.2f})"
        )
    return SIDES[0], f"L and M tie at {lead:.2f}, and so do their lowest practices: leader side"


def _choose(
    scored: list[str], others: Mapping[str, float | None], blind: set[str]
) -> tuple[str, ...]:
    """Blind spots first, then the lowest; two practices, three when the third is close."""

    def key(p: str) -> tuple[bool, float, int]:
        return (p not in blind, _value(others, p), PRACTICE_IDS.index(p))

    ordered = sorted(scored, key=key)
    chosen = ordered[:2]
    if len(ordered) >= 3:
        third, second = ordered[2], ordered[1]
        # The tolerance absorbs float noise so that exactly 0.25 apart counts as "within".
        close = _value(others, third) <= _value(others, second) + THIRD_WITHIN + 1e-9
        if third in blind or close:
            chosen.append(third)
    return tuple(chosen)


def _reason(
    practice: str,
    side: str,
    rank: list[str],
    others: Mapping[str, float | None],
    blind: set[str],
    self_scores: Mapping[str, float | None] | None,
    relative: Mapping[str, float | None] | None = None,
) -> str:
    """Why this practice is in the plan, in the person's language."""
    score = _value(others, practice)
    position = f"{_ORDINALS[rank.index(practice)]} on the {side} side: {score:.1f}"
    if practice not in blind:
        return position
    own = self_scores.get(practice) if self_scores else None
    beyond = relative.get(practice) if relative else None
    if own is None:
        return f"blind spot: you rate yourself above others ({position})"
    if beyond is not None:
        return (
            f"blind spot: you rate yourself {own - score:+.1f} against others, {beyond:.1f} "
            f"above your usual gap across practices ({position})"
        )
    return f"blind spot: you rate yourself {own - score:.1f} above others ({position})"
