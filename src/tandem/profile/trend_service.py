"""A person's trend across closed review cycles, as one viewer may see it, tied to their plans.

The numbers come from the pure :mod:`tandem.profile.trends`; this module decides what goes in.
Privacy (DESIGN §7) is kept here, per cycle, with the rules of the profile itself:

* only **closed** cycles: an open cycle's results are locked (:func:`profile_service.cycle_scores`);
* the person sees every closed cycle they are rated in; anyone else only the cycles the person
  shared with them (:func:`tandem.profile.visibility.visible_people`, a team role needed). A
  cycle not shared is left out entirely: a change between a shared and an unshared cycle would
  give the unshared one's scores (change + the shared cycle's score), so no step ever touches
  it — the steps run between the cycles that remain;
* each cycle's figures are that viewer's view of that cycle's profile
  (:meth:`CycleScores.scores` with ``viewer``): a viewer who rated the person in a cycle gets
  the groups holding their own rating only when they still hide enough others, so suppressed
  groups stay out of every score, SE and change;
* a step between two item bank versions rescores both cycles on their shared items
  (:func:`shared_figures`) with the same viewer, so the same group rules hold on those figures,
  and only between two cycles that viewer may both see;
* directors, admins and the command-line operator asking as one of them see no individual's
  trend (their own aside): :class:`PermissionDeniedError`;
* development plans are the person's own (they are chosen with blind spots, which come from
  self ratings): only the person sees them tied to the trend.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.accounts.errors import PermissionDeniedError
from tandem.db.base import utcnow
from tandem.people.models import Person
from tandem.plans.library import load_action_library
from tandem.plans.models import DevelopmentPlan
from tandem.profile import service as profile_service
from tandem.profile.cohort import DEFAULT_Z
from tandem.profile.schemas import PersonRef
from tandem.profile.trend_schemas import (
    ChangeOut,
    FigureOut,
    FiguresOut,
    PlanActionRef,
    PlanFollowUpOut,
    PlanPracticeOut,
    StepOut,
    TrendCycleOut,
    TrendOut,
)
from tandem.profile.trends import Change, CycleFigures, Figure, Step, cycle_figures, trend
from tandem.profile.visibility import Viewer, visible_people
from tandem.review import service as review_service
from tandem.review.items import ItemBank, common_bank, comparable_practices, load_item_bank
from tandem.review.models import CycleStatus, ReviewCycle

shown = profile_service.shown


def person_cycles(*, session: Session, person_id: int) -> tuple[list[ReviewCycle], bool]:
    """The closed cycles the person is rated in, oldest first; whether an open one was left out."""
    names = review_service.rated_cycles(session=session, person_id=person_id)
    found = [review_service.get_cycle(session=session, name=n) for n in reversed(names)]
    closed = [c for c in found if c.status == CycleStatus.CLOSED.value]
    return closed, len(closed) < len(found)


def person_trend(
    *,
    session: Session,
    person: Person,
    viewer: Viewer | None = None,
    today: dt.date | None = None,
) -> TrendOut:
    """The person's trend as ``viewer`` may see it (``None``: the person's own view).

    ``today`` (default: today, UTC) decides whether a plan's re-rate date has passed.
    """
    owner = viewer is None or viewer.person_id == person.id
    if not owner and viewer is not None and viewer.aggregates_only:
        raise PermissionDeniedError(
            "directors and admins see aggregates only: no individual's trend but their own"
        )
    cycles, open_left_out = person_cycles(session=session, person_id=person.id)
    if not owner:
        assert viewer is not None
        cycles = [
            c
            for c in cycles
            if person.id
            in visible_people(session=session, cycle=c, people=[person.id], viewer=viewer)
        ]
        if not cycles:
            raise PermissionDeniedError(
                f"{person.display_name} has shared no closed review cycle with you"
            )
    reader = None if owner or viewer is None else viewer.person_id
    scored = {c.name: profile_service.cycle_scores(session=session, cycle=c) for c in cycles}
    figures = [
        cycle_figures(
            c.name,
            load_item_bank(c.item_bank_version),
            scored[c.name].scores(person.id, viewer=reader),
        )
        for c in cycles
    ]

    def rescore(earlier: CycleFigures, later: CycleFigures) -> tuple[CycleFigures, CycleFigures]:
        common = common_bank(earlier.bank, later.bank)
        return (
            shared_figures(scored[earlier.cycle], common, person.id, reader),
            shared_figures(scored[later.cycle], common, person.id, reader),
        )

    found = trend(figures, rescore=rescore)
    steps = [_step_out(s) for s in found.steps]
    plans = _plans(session, person, cycles, found.steps, today or utcnow().date()) if owner else []
    return TrendOut(
        person=PersonRef(id=person.id, name=person.display_name, email=person.email),
        viewer_is_owner=owner,
        z=DEFAULT_Z,
        cycles=[_cycle_out(c, f) for c, f in zip(cycles, figures, strict=True)],
        steps=steps,
        overall=None if found.overall is None else _step_out(found.overall),
        plans=plans,
        notes=_notes(owner=owner, cycles=len(cycles), open_left_out=open_left_out),
    )


def shared_figures(
    own: profile_service.CycleScores, common: ItemBank, person_id: int, reader: int | None
) -> CycleFigures:
    """One cycle's figures rescored on ``common`` (:func:`~tandem.review.items.common_bank`).

    The cycle's own answers to the shared items only, scored afresh: cohort covariance Σ, every
    rater's practice score (75 % rule over the shared items routed to their relation) and the
    person's SE all come from those items, as if the cycle had asked only them. The viewer's
    view is built as for the cycle's own figures (:meth:`CycleScores.scores` with ``reader``):
    the same group rules, on the raters the shared items leave.
    """
    rescored = own.on_bank(common)
    return cycle_figures(own.cycle.name, common, rescored.scores(person_id, viewer=reader))


def _notes(*, owner: bool, cycles: int, open_left_out: bool) -> list[str]:
    notes = [
        f"a change is reliable when it exceeds {DEFAULT_Z:.2f} times the error of the difference, "
        "from each cycle's own raters (RCI = change / √(SE₁² + SE₂²)); one test in twenty is a "
        "chance 'reliable change', so over ten practices about one person in three with no real "
        "change sees one somewhere: look for changes that repeat or that a plan aimed at",
    ]
    if cycles < 2:
        notes.append("a trend needs two closed cycles: only one is shown")
    if open_left_out and owner:  # whether the person is rated in an open cycle is theirs
        notes.append("an open cycle is left out: its results are locked until it is closed")
    if not owner:
        notes.append(
            "only the cycles the person shared with you are shown, others' ratings only; a change "
            "is given only between two cycles you may both see, and the person's plans stay "
            "with them"
        )
    return notes


def _figure_out(figure: Figure) -> FigureOut:
    return FigureOut(value=shown(figure.value), se=shown(figure.se), raters=round(figure.raters, 1))


def _cycle_out(cycle: ReviewCycle, figures: CycleFigures) -> TrendCycleOut:
    return TrendCycleOut(
        cycle=cycle.name,
        item_bank_version=cycle.item_bank_version,
        closed_on=None if cycle.closed_at is None else cycle.closed_at.date(),
        practices={p: _figure_out(f) for p, f in figures.practices.items()},
        L=_figure_out(figures.L),
        M=_figure_out(figures.M),
        leaning=_figure_out(figures.leaning),
    )


def _change_out(change: Change) -> ChangeOut:
    return ChangeOut(
        difference=shown(change.difference),
        se=shown(change.se),
        rci=shown(change.rci),
        verdict=change.verdict,
    )


def _figures_out(figures: CycleFigures) -> FiguresOut:
    compared = comparable_practices(figures.bank, figures.bank)
    return FiguresOut(
        cycle=figures.cycle,
        practices={p: _figure_out(f) for p, f in figures.practices.items() if p in compared},
        L=_figure_out(figures.L),
        M=_figure_out(figures.M),
        leaning=_figure_out(figures.leaning),
    )


def _step_out(step: Step) -> StepOut:
    earlier, later = (None, None) if step.figures is None else map(_figures_out, step.figures)
    return StepOut(
        earlier=step.earlier,
        later=step.later,
        comparable=step.comparable,
        changed=list(step.changed),
        practices={p: _change_out(c) for p, c in step.practices.items()},
        L=_change_out(step.L),
        M=_change_out(step.M),
        leaning=_change_out(step.leaning),
        basis=step.basis,
        shared_items=dict(step.shared or {}),
        earlier_figures=earlier,
        later_figures=later,
        note=None if step.shared is None else _shared_note(step),
    )


def _shared_note(step: Step) -> str:
    count = sum((step.shared or {}).values())
    note = (
        f"{step.earlier} → {step.later} is compared on the {count} items both item bank "
        "versions share, both cycles rescored on them: these scores differ from each cycle's "
        "report"
    )
    if step.changed:
        note += f"; too few shared items to compare {', '.join(step.changed)}"
    return note


def _plans(
    session: Session,
    person: Person,
    cycles: Sequence[ReviewCycle],
    steps: Sequence[Step],
    today: dt.date,
) -> list[PlanFollowUpOut]:
    """Each cycle's latest plan, each planned practice with its change by the next cycle."""
    position = {c.id: i for i, c in enumerate(cycles)}
    latest: dict[int, DevelopmentPlan] = {}
    for plan in session.scalars(
        select(DevelopmentPlan)
        .where(DevelopmentPlan.person_id == person.id, DevelopmentPlan.cycle_id.in_(position))
        .order_by(DevelopmentPlan.id)
    ):
        latest[plan.cycle_id] = plan  # the newest plan of a cycle is the one shown
    library = load_action_library()
    out = []
    for cycle_id, plan in sorted(latest.items(), key=lambda kv: position[kv[0]]):
        at = position[cycle_id]
        later = cycles[at + 1] if at + 1 < len(cycles) else None
        step = steps[at] if later is not None else None
        rerate = min((a.rerate_date for a in plan.actions), default=None)
        closed = None if later is None or later.closed_at is None else later.closed_at.date()
        early = rerate is not None and closed is not None and closed < rerate
        due = later is None and rerate is not None and today >= rerate
        by_practice: dict[str, list[PlanActionRef]] = {}
        for action in plan.actions:
            try:
                title: str | None = library.action(action.action_id).title
            except KeyError:
                title = None
            by_practice.setdefault(action.practice, []).append(
                PlanActionRef(
                    id=action.id, title=title, behaviour=action.behaviour, status=action.status
                )
            )
        practices = [
            PlanPracticeOut(
                practice=practice,
                actions=actions,
                change=None
                if step is None or practice not in step.practices
                else _change_out(step.practices[practice]),
            )
            for practice, actions in by_practice.items()
        ]
        out.append(
            PlanFollowUpOut(
                plan_id=plan.id,
                plan_cycle=cycles[at].name,
                side=plan.weaker_side,
                rerate_date=rerate,
                rerated_in=None if later is None else later.name,
                rerated_early=early,
                rerate_due=due,
                practices=practices,
                note=_plan_note(later, rerate, early=early, due=due),
            )
        )
    return out


def _plan_note(later: ReviewCycle | None, rerate: dt.date | None, *, early: bool, due: bool) -> str:
    when = "" if rerate is None else f" ({rerate.isoformat()})"
    if later is None:
        if due:
            return f"the re-rate date{when} has passed: time for a new review cycle"
        return f"not re-rated yet: the re-rate date{when} has not passed yet"
    if early:
        return (
            f"re-rated in {later.name!r} before the plan's re-rate date{when}: the actions had "
            "less time than planned"
        )
    return f"re-rated in {later.name!r}"
