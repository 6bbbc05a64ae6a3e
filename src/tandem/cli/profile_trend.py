"""``tandem profile trend PERSON [--as VIEWER]``: reliable changes across a person's closed cycles.

Without ``--as`` the operator sees the person's own trend (as ``tandem profile`` shows the
person's own report), plans included; every cycle read is audited as a report read.
``--as VIEWER`` shows exactly what that person may see: their own trend, or only the cycles the
person shared with them; directors and admins see no individual's trend but their own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from tandem.audit import service as audit
from tandem.cli.duos import resolve_viewer
from tandem.cli.options import JsonOption, WorkspaceOption
from tandem.cli.output import emit
from tandem.db.session import session_scope
from tandem.people import service as people_service
from tandem.profile import trend_service
from tandem.profile.trend_schemas import ChangeOut, FigureOut, StepOut, TrendOut
from tandem.workspace import Workspace

AsOption = Annotated[
    str | None,
    typer.Option(
        "--as",
        help=(
            "View as this person (id or email): only what they may see. Default: the person's "
            "own trend, plans included."
        ),
    ),
]
_MARK = {
    "improved": "▲",
    "declined": "▼",
    "towards leader": "→L",
    "towards manager": "→M",
    "no reliable change": "=",
}


def _figure(figure: FigureOut) -> str:
    if figure.value is None:
        return "—"
    se = "" if figure.se is None else f" ±{figure.se:.2f}"
    return f"{figure.value:.2f}{se}"


def _change(change: ChangeOut) -> str:
    mark = _MARK.get(change.verdict)
    if mark is None:  # a reason, not a verdict
        return change.verdict
    if change.difference is None:
        return mark
    rci = "" if change.rci is None else f" ({change.rci:+.1f})"
    return f"{mark} {change.difference:+.2f}{rci}"


def _rows(out: TrendOut) -> list[tuple[str, list[FigureOut], list[ChangeOut]]]:
    """Per practice, L, M and L − M: the figure of each cycle and each step's change."""
    steps = [*out.steps, *([out.overall] if out.overall is not None else [])]
    empty = FigureOut(value=None, se=None, raters=0)
    rows = [
        (
            practice,
            [c.practices.get(practice, empty) for c in out.cycles],
            [s.practices[practice] for s in steps],
        )
        for practice in out.cycles[-1].practices
    ]
    rows.append(("L", [c.L for c in out.cycles], [s.L for s in steps]))
    rows.append(("M", [c.M for c in out.cycles], [s.M for s in steps]))
    rows.append(("L − M", [c.leaning for c in out.cycles], [s.leaning for s in steps]))
    return rows


def _render_shared(console: Console, step: StepOut) -> None:
    """A step between two item banks: both cycles' scores on the shared items, and the change."""
    first, second = step.earlier_figures, step.later_figures
    if first is None or second is None:
        return
    console.print(f"\n[bold]{step.earlier} → {step.later}[/] on {step.basis}: {step.note}")
    table = Table("", f"{first.cycle} (shared)", f"{second.cycle} (shared)", "change")
    table.columns[0].no_wrap = True
    for practice, figure in first.practices.items():
        table.add_row(
            f"{practice} ({step.shared_items.get(practice, 0)} items)",
            _figure(figure),
            _figure(second.practices[practice]),
            _change(step.practices[practice]),
        )
    table.add_section()
    for name, a, b, change in (
        ("L", first.L, second.L, step.L),
        ("M", first.M, second.M, step.M),
        ("L − M", first.leaning, second.leaning, step.leaning),
    ):
        table.add_row(name, _figure(a), _figure(b), _change(change))
    console.print(table)


def render_trend(console: Console, out: TrendOut) -> None:
    """Draw a trend: per practice each cycle's others' score ± SE and each step's change; then
    how each plan's practices moved by the next cycle, and the notes."""
    console.print(f"[bold]{out.person.name}[/] (id {out.person.id}) across review cycles")
    if not out.cycles:
        console.print("no closed review cycle rates this person yet")
    else:
        shared = " (shared items)"
        steps = [f"{s.earlier} → {s.later}{shared if s.earlier_figures else ''}" for s in out.steps]
        if out.overall is not None:
            steps.append(
                f"first → last ({out.overall.earlier} → {out.overall.later})"
                f"{shared if out.overall.earlier_figures else ''}"
            )
        table = Table("", *(c.cycle for c in out.cycles), *steps)
        table.columns[0].no_wrap = True
        for index, (name, figures, changes) in enumerate(_rows(out)):
            if index == len(out.cycles[-1].practices):
                table.add_section()
            table.add_row(name, *(_figure(f) for f in figures), *(_change(c) for c in changes))
        console.print(table)
        console.print(
            "others' score ± its standard error, from that cycle's own raters; ▲ improved, "
            f"▼ declined, = no reliable change (RCI within ±{out.z:.2f}, shown in brackets); "
            "→L / →M: L − M moved towards the leader / manager side"
        )
    for step in [*out.steps, *([out.overall] if out.overall is not None else [])]:
        _render_shared(console, step)
    for plan in out.plans:
        console.print(f"\n[bold]plan {plan.plan_id}[/] from {plan.plan_cycle}: {plan.note}")
        for planned in plan.practices:
            actions = "; ".join(a.title or a.behaviour for a in planned.actions)
            change = "not re-rated yet" if planned.change is None else _change(planned.change)
            console.print(f"  {planned.practice}: {change} — {actions}")
    for note in out.notes:
        console.print(f"[dim]note:[/] {note}")


def trend_command(
    person: Annotated[str, typer.Argument(help="Person id, email or identity key.")],
    view_as: AsOption = None,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Show whether each practice reliably changed between a person's closed review cycles.

    Per practice, L, M and L − M: others' score and its standard error in each closed cycle (from
    that cycle's own raters), then each cycle against the one before (and the first against the
    last with three or more): "improved" or "declined" when the change exceeds 1.96 times the
    error of the difference, else "no reliable change"; "not enough raters" under 3 raters;
    two cycles on different item bank versions (v1 to v2) are compared on the items both
    versions share, both cycles rescored on them and shown apart (these scores differ from each
    cycle's report); a practice with fewer than 3 shared items is "not comparable: bank
    changed" (v1 to v2: empowerment, and L and L − M with it). The person's development plans are
    tied in: each planned practice and whether it changed by the next cycle, and whether the
    re-rate date has passed. Open cycles are left out. With --as VIEWER: only what that person
    may see (the cycles shared with them, their own view where they rated the person).
    """
    with session_scope(Workspace.open(workspace).engine) as session:
        found_person = people_service.find_person(session=session, ref=person)
        viewer = None if view_as is None else resolve_viewer(session, view_as)
        out = trend_service.person_trend(session=session, person=found_person, viewer=viewer)
        for cycle in out.cycles:
            audit.record_report_read(
                session=session,
                actor=audit.cli_actor(),
                viewer_person_id=None,
                person_id=out.person.id,
                cycle=cycle.cycle,
            )
    emit(out.model_dump(mode="json"), as_json=as_json, render=lambda c: render_trend(c, out))
