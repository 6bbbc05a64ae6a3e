"""``tandem allocate PLAN``: the allocation optimiser on a plan file, with what-ifs.

The plan (TOML or JSON: people with capacity, time off, skills and current assignments;
projects with demand per skill, priority and staff bounds; settings) is read, checked and
solved with OR-Tools CP-SAT; the answer is a recommendation: a person decides.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from tandem.cli.options import JsonOption
from tandem.cli.output import emit, stderr_console, stdout_console
from tandem.errors import InputError
from tandem.manage.allocation import export, service
from tandem.manage.allocation.model import DEFAULT_TIME_LIMIT, MAX_TIME_LIMIT
from tandem.manage.allocation.plan import load_plan, load_projects
from tandem.manage.allocation.schemas import Allocation, PlanIn, WhatIf
from tandem.reports import write_atomically

FORMATS = ("table", "json", "csv")


def _capacity(values: list[str]) -> dict[str, float]:
    out: dict[str, float] = {}
    for value in values:
        ref, sep, fte = value.rpartition("=")
        try:
            number = float(fte)
        except ValueError:
            number = -1.0
        if not sep or not ref.strip() or not 0 <= number <= 1:
            raise InputError(f"{value!r}: give PERSON=FTE with 0 ≤ FTE ≤ 1", field="capacity")
        out[ref.strip()] = number
    return out


def _f(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def render_allocation(console: Console, result: Allocation) -> None:
    """Summary, assignments with reasons, uncovered demand with reasons, the load view."""
    s = result.solve
    gap = "–" if s.gap is None else f"{s.gap:.2%}"
    console.print(
        f"Status {s.status}: objective {_f(s.objective, 2)}, best bound {_f(s.best_bound, 2)}, "
        f"gap {gap} ({s.wall_seconds:.2f} s, {s.workers} workers); covered "
        f"{result.covered_fte:.1f} of {result.demand_fte:.1f} FTE; {result.moved_people} people "
        f"leave (part of) a current assignment."
    )
    table = Table("person", "project", "skill", "FTE", "change", "why", title="Assignments")
    for a in result.assignments:
        table.add_row(a.person_name, a.project, a.skill, f"{a.fte:.1f}", a.change, a.reason)
    console.print(table)
    if result.uncovered:
        gaps = Table("project", "skill", "demand", "covered", "missing", "why", title="Uncovered")
        for u in result.uncovered:
            gaps.add_row(
                u.project, u.skill, f"{u.demand:.1f}", f"{u.covered:.1f}", f"{u.missing:.1f}",
                u.reason,
            )  # fmt: skip
        console.print(gaps)
    load = Table("person", "effective", "now", "allocated", "projects", "flags", title="Load")
    for row in result.load:
        flagged = "[bold red]" if row.over_allocated_now or row.over_allocated else ""
        load.add_row(
            row.person_name, f"{row.effective_capacity:.1f}", f"{flagged}{row.current:.1f}",
            f"{row.allocated:.1f}", str(row.projects), "; ".join(row.flags),
        )  # fmt: skip
    console.print(load)
    console.print(result.note)


def render_what_if(console: Console, result: WhatIf) -> None:
    """The changes, who moves and how coverage changes, then the changed plan's allocation."""
    console.print("What if: " + "; ".join(result.changes))
    console.print(
        f"Covered FTE {result.covered_before:.1f} → {result.covered_after:.1f}; "
        f"{len(result.moves)} people move."
    )
    moves = Table("person", "before", "after", title="Who moves")
    for m in result.moves:
        moves.add_row(m.person_name, export._projects(m.before), export._projects(m.after))
    console.print(moves)
    coverage = Table("project", "covered before", "covered after", title="Coverage change")
    for c in result.coverage:
        coverage.add_row(c.project, f"{c.before:.1f}", f"{c.after:.1f}")
    console.print(coverage)
    render_allocation(console, result.variant)


def _match(plan: PlanIn, workspace: Path | None) -> PlanIn:
    if workspace is None:
        return plan
    from tandem.db.session import session_scope
    from tandem.workspace import Workspace

    with session_scope(Workspace.open(workspace).engine) as session:
        return service.match_people(session=session, plan=plan)


def _audit(plan: PlanIn, workspace: Path | None, result: Allocation) -> None:
    if workspace is None:
        return
    from tandem.audit.service import cli_actor
    from tandem.db.session import session_scope
    from tandem.workspace import Workspace

    with session_scope(Workspace.open(workspace).engine) as session:
        service.record_run(session=session, actor=cli_actor(), plan=plan, result=result)


def allocate_command(
    plan_path: Annotated[
        Path,
        typer.Argument(
            metavar="PLAN", help="The plan: .toml or .json (people, projects, settings)."
        ),
    ],
    remove: Annotated[
        list[str] | None,
        typer.Option("--remove", help="What-if: remove this person (their ref); repeatable."),
    ] = None,
    add_project: Annotated[
        list[Path] | None,
        typer.Option(
            "--add-project", help="What-if: add the projects of this file (a `projects` list)."
        ),
    ] = None,
    capacity: Annotated[
        list[str] | None,
        typer.Option("--capacity", help="What-if: set PERSON=FTE (0–1); repeatable."),
    ] = None,
    time_limit: Annotated[
        float,
        typer.Option(
            "--time-limit", min=0.1, max=MAX_TIME_LIMIT, help="Solver time limit in seconds."
        ),
    ] = DEFAULT_TIME_LIMIT,
    output_format: Annotated[
        str, typer.Option("--format", help="table, json or csv (csv: the assignments).")
    ] = "table",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write to this file (replaced atomically)."),
    ] = None,
    workspace: Annotated[
        Path | None,
        typer.Option(
            "--workspace",
            "-w",
            help="Match each person's ref (id or email) to this workspace's people and record "
            "the run in its audit log.",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Recommend who works on what: maximise priority-weighted coverage, minimise reassignments.

    Respects capacity (minus time off), skill levels, the WIP limit and staff bounds; explains
    every assignment and every uncovered demand; flags over-allocation, today's included. With
    --remove, --add-project or --capacity it solves the plan twice and shows who moves and how
    coverage changes. A recommendation: a person decides, with the people concerned.
    """
    fmt = "json" if as_json else output_format
    if fmt not in FORMATS:
        raise InputError(f"give one of {', '.join(FORMATS)}", field="format")
    plan = _match(load_plan(plan_path), workspace)
    added = [p for path in add_project or [] for p in load_projects(path)]
    changes = service.Changes(remove=remove or [], add_projects=added,
                              capacity=_capacity(capacity or []))  # fmt: skip
    if changes:
        service.apply_changes(plan, changes)  # refuse a bad what-if before any solving
    console = stderr_console()
    with console.status(f"solving ({time_limit:g} s at most)…", spinner="dots"):
        base = service.allocate(plan, time_limit=time_limit)
        result = (
            service.what_if(plan, changes, time_limit=time_limit, base=base) if changes else None
        )
    _audit(plan, workspace, base)
    data = (result or base).model_dump(mode="json")
    if fmt == "csv":
        text = export.what_if_csv(result) if result else export.allocation_csv(base)
    elif fmt == "json" and output is not None:
        import json

        text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
    else:
        text = ""
    if output is not None:
        if fmt == "table":
            buffer = io.StringIO()
            _draw(Console(file=buffer, width=200, highlight=False), base, result)
            text = buffer.getvalue()
        write_atomically(output, text)
        stderr_console().print(f"wrote {output}")
        return
    if fmt == "csv":
        stdout_console().file.write(text)
        return
    emit(data, as_json=fmt == "json", render=lambda c: _draw(c, base, result))


def _draw(console: Console, base: Allocation, result: WhatIf | None) -> None:
    if result is None:
        render_allocation(console, base)
    else:
        render_what_if(console, result)
