"""``tandem review …``: the item bank, cycles, assignments, answers and forced rankings."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from tandem.audit import service as audit
from tandem.cli import review_raters
from tandem.cli.options import JsonOption, WorkspaceOption
from tandem.cli.output import emit
from tandem.db.session import session_scope
from tandem.errors import InputError
from tandem.profile import service as profile_service
from tandem.review import rankings, service
from tandem.review.schemas import AssignReport, CycleOut
from tandem.workspace import Workspace

app = typer.Typer(
    help="360 reviews: the item bank, cycles, rater assignments and answers.",
    no_args_is_help=True,
)
review_raters.register(app)

CycleOption = Annotated[str, typer.Option("--cycle", "-c", help="Name of the review cycle.")]


def _render_cycles(console: Console, cycles: list[CycleOut]) -> None:
    table = Table("cycle", "status", "items", "created", "closed", "ratees", "assigned", "answers")
    for c in cycles:
        table.add_row(
            c.name,
            c.status,
            f"v{c.item_bank_version}",
            f"{c.created_at:%Y-%m-%d %H:%M}",
            f"{c.closed_at:%Y-%m-%d %H:%M}" if c.closed_at else "",
            str(c.ratees),
            str(c.assignments),
            str(c.responses),
        )
    console.print(table)


@app.command("items")
def items(
    bank_version: Annotated[
        str | None,
        typer.Option("--bank-version", help="Item bank version (default: the latest published)."),
    ] = None,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Show the item bank: every item with its side, practice and keying (no workspace needed)."""
    bank = service.item_bank(version=bank_version)

    def render(console: Console) -> None:
        status = "" if bank.status == "published" else f" ({bank.status})"
        table = Table(
            "id",
            "side",
            "practice",
            "reverse",
            "raters",
            "text",
            title=f"item bank v{bank.version}{status}",
        )
        for item in bank.items:
            table.add_row(
                item.id,
                item.side,
                item.practice + (" (overuse)" if item.scale == "overuse" else ""),
                "R" if item.reverse else "",
                "all" if len(item.raters) == 4 else ", ".join(item.raters),
                item.text,
            )
        console.print(table)

    emit(bank.model_dump(exclude_unset=True), as_json=as_json, render=render)


@app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="Name of the new cycle, e.g. 2026-H1.")],
    bank_version: Annotated[
        str | None,
        typer.Option(
            "--bank-version",
            help="Item bank version (default: the latest published, 2; 1 for trends on v1 items).",
        ),
    ] = None,
    due_date: Annotated[
        str | None,
        typer.Option("--due", help="Date raters should have answered by (YYYY-MM-DD)."),
    ] = None,
    items_per_practice: Annotated[
        int | None,
        typer.Option(
            "--items-per-practice",
            help="Planned missingness: each rater other than self answers this many items of "
            "each practice, a balanced rotation (default: every item).",
        ),
    ] = None,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Open a review cycle, pinned to the item bank version of today."""
    from tandem.flow.engine import parse_day

    due = parse_day(due_date, "--due")
    with session_scope(Workspace.open(workspace).engine) as session:
        cycle = service.create_cycle(
            session=session,
            name=name,
            item_bank_version=bank_version,
            due_date=due,
            items_per_practice=items_per_practice,
        )
    emit(
        cycle.model_dump(mode="json"),
        as_json=as_json,
        render=lambda c: _render_cycles(c, [cycle]),
    )


def _render_assign(console: Console, report: AssignReport) -> None:
    by_relation = ", ".join(f"{n} {r}" for r, n in sorted(report.created_by_relation.items()))
    console.print(
        f"cycle [bold]{report.cycle}[/]: {report.created} assignment(s) created"
        + (f" ({by_relation})" if by_relation else "")
        + f", {report.existing} already there"
    )
    if report.assignments:
        table = Table("ratee", "rater", "relation")
        for a in report.assignments:
            table.add_row(a.ratee, a.rater, a.relation)
        console.print(table)
    for conflict in report.conflicts:
        console.print(
            f"[yellow]kept[/] person {conflict.rater_id} → {conflict.ratee_id} as "
            f"{conflict.existing} (the organisation says {conflict.derived})"
        )


@app.command("assign")
def assign(
    cycle: CycleOption,
    team: Annotated[
        list[str] | None,
        typer.Option("--team", "-t", help="Assign raters to every member of this team (repeat)."),
    ] = None,
    all_teams: Annotated[
        bool, typer.Option("--all-teams", help="Assign raters to every member of every team.")
    ] = False,
    ratee: Annotated[
        str | None, typer.Option("--ratee", help="Explicit assignment: who is rated.")
    ] = None,
    rater: Annotated[
        str | None, typer.Option("--rater", help="Explicit assignment: who rates.")
    ] = None,
    relation: Annotated[
        str | None,
        typer.Option("--relation", help="Explicit assignment: self, manager, peer or report."),
    ] = None,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Assign raters: from teams (self, manager, peers, reports) or one explicit pair.

    From teams, each member rates themself, their line manager (from the roster) rates them,
    same-team members who are neither their manager nor their reports rate them as peers, and
    their direct reports rate them. Running it again creates nothing new.
    """
    explicit = (ratee, rater, relation)
    if any(v is not None for v in explicit):
        if (team or all_teams) or any(v is None for v in explicit):
            raise InputError("an explicit assignment needs --ratee, --rater and --relation alone")
    elif not team and not all_teams:
        raise InputError(
            "say whom to assign: --team NAME, --all-teams, or --ratee/--rater/--relation"
        )
    elif team and all_teams:
        raise InputError("give --team or --all-teams, not both")
    with session_scope(Workspace.open(workspace).engine) as session:
        if ratee is not None and rater is not None and relation is not None:
            report = service.assign_rater(
                session=session, cycle=cycle, ratee=ratee, rater=rater, relation=relation
            )
        else:
            report = service.assign_from_teams(
                session=session, cycle=cycle, teams=None if all_teams else team
            )
    emit(report.model_dump(), as_json=as_json, render=lambda c: _render_assign(c, report))


@app.command("import")
def import_responses(
    file: Annotated[
        Path,
        typer.Argument(help="CSV with columns ratee, rater, relation, item_id, value."),
    ],
    cycle: CycleOption,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Import answers from a CSV file; every bad row is reported and then nothing is imported.

    ratee and rater are person ids or emails (unknown people are errors, never created);
    relation is self, manager, peer or report; value is 1-5, or empty for "can't observe".
    Importing an answer again replaces it.
    """
    with session_scope(Workspace.open(workspace).engine) as session:
        report = service.import_responses(session=session, cycle=cycle, path=file)

    def render(console: Console) -> None:
        console.print(
            f"cycle [bold]{report.cycle}[/]: {report.rows} answer(s) about {report.ratees} "
            f"ratee(s): {report.inserted} new, {report.replaced} replaced, "
            f"{report.unchanged} unchanged; {report.assignments_created} assignment(s) added"
        )

    emit(report.model_dump(), as_json=as_json, render=render)


@app.command("import-ranking")
def import_ranking(
    file: Annotated[
        Path,
        typer.Argument(help="CSV with columns ratee, rater, relation, kind, rank, practice."),
    ],
    cycle: CycleOption,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Import the optional forced-ranking block: each rater's 3 strongest and 3 weakest practices.

    ratee and rater are person ids or emails (never created); relation is self, manager, peer or
    report, as in the cycle; kind is strongest or weakest; rank is 1-3; practice is a practice
    id. A rater's block about a ratee has ranks 1-3 of both kinds and six different practices,
    or no row at all. Every bad row is reported and then nothing is imported; importing a
    block again replaces it.
    """
    with session_scope(Workspace.open(workspace).engine) as session:
        report = rankings.import_rankings(session=session, cycle=cycle, path=file)

    def render(console: Console) -> None:
        console.print(
            f"cycle [bold]{report.cycle}[/]: {report.blocks} forced-ranking block(s) about "
            f"{report.ratees} ratee(s): {report.inserted} new, {report.replaced} replaced, "
            f"{report.unchanged} unchanged; {report.assignments_created} assignment(s) added"
        )

    emit(report.model_dump(), as_json=as_json, render=render)


@app.command("close")
def close(
    name: Annotated[str, typer.Argument(help="Name of the cycle to close.")],
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Close a cycle: its answers are frozen and its results (profiles, plans, duos) unlocked."""
    with session_scope(Workspace.open(workspace).engine) as session:
        cycle = service.close_cycle(session=session, name=name)
    emit(
        cycle.model_dump(mode="json"),
        as_json=as_json,
        render=lambda c: _render_cycles(c, [cycle]),
    )


@app.command("list")
def list_cycles(workspace: WorkspaceOption = Path(), as_json: JsonOption = False) -> None:
    """List review cycles with their counts of ratees, assignments and answers."""
    with session_scope(Workspace.open(workspace).engine) as session:
        cycles = service.list_cycles(session=session)
    emit(
        {"cycles": [c.model_dump() for c in cycles], "count": len(cycles)},
        as_json=as_json,
        render=lambda c: _render_cycles(c, cycles),
    )


def _omega_cell(value: float | None, undefined: str | None) -> str:
    """ω to 2 decimals, "undefined" when the one-factor model is (the reason follows the table)."""
    if value is not None:
        return f"{value:.2f}"
    return "undefined" if undefined else ""


@app.command("reliability")
def reliability(
    cycle: CycleOption, workspace: WorkspaceOption = Path(), as_json: JsonOption = False
) -> None:
    """Scale reliability per practice: Cronbach's alpha, McDonald's omega, item-total r, N.

    Over the cycle's answers from others (self ratings left out), listwise: N counts the
    complete answer sets. Values need at least 10 of them; a scale is flagged when alpha is
    under .70 or unknown. Like every result, only for a closed cycle.
    """
    with session_scope(Workspace.open(workspace).engine) as session:
        report = profile_service.reliability(session=session, cycle=cycle)

    def render(console: Console) -> None:
        table = Table(
            "practice",
            "N",
            "items",
            "alpha",
            "omega",
            "lowest item-total r",
            "flag",
            title=f"cycle {report.cycle} (item bank v{report.item_bank_version})",
        )
        for practice, scale in report.practices.items():
            known = [r for r in scale.item_total.values() if r is not None]
            table.add_row(
                practice,
                str(scale.n),
                str(scale.k),
                "" if scale.alpha is None else f"{scale.alpha:.2f}",
                _omega_cell(scale.omega, scale.omega_undefined),
                f"{min(known):.2f}" if known else "",
                "flagged" if scale.flagged else "",
            )
        console.print(table)
        console.print(
            f"flagged: alpha under {report.flag_below:.2f} or unknown "
            f"(fewer than {report.min_n} complete answer sets)"
        )
        for practice, scale in report.practices.items():
            if scale.omega_undefined:
                console.print(f"{practice}: {scale.omega_undefined}", markup=False)

    emit(report.model_dump(mode="json"), as_json=as_json, render=render)


@app.command("quality")
def quality(
    cycle: CycleOption, workspace: WorkspaceOption = Path(), as_json: JsonOption = False
) -> None:
    """Completion and response-quality flags per rater and ratee (admins only: names raters).

    straight-lining: 10 or more answers with a value and at least 90 % of them the same value.
    speeding: under 2 s per answer on the web form, over 10 or more timed answers; "unknown"
    otherwise (CSV imports and API saves carry no form time). Never show this report to a
    ratee or their manager: a flag on an anonymous rater would name them.
    """
    from tandem.review import quality as review_quality

    with session_scope(Workspace.open(workspace).engine) as session:
        report = review_quality.quality(session=session, cycle=cycle, actor=audit.cli_actor())

    def render(console: Console) -> None:
        s = report.summary
        console.print(
            f"cycle [bold]{report.cycle}[/] (item bank v{report.item_bank_version}): "
            f"{s.pairs} rater-ratee pair(s): {s.complete} complete, {s.partial} partial, "
            f"{s.not_started} not started; {s.straight_lining} straight-lining; "
            f"{s.speeding} speeding, unknown for {s.speeding_unknown}"
        )
        table = Table("ratee", "rater", "relation", "answered", "same value", "s/answer", "flags")
        for p in report.pairs:
            flags = ["straight-lining"] if p.straight_lining else []
            if p.speeding == "yes":
                flags.append("speeding")
            table.add_row(
                p.ratee,
                p.rater,
                p.relation,
                f"{p.answered}/{p.asked}",
                "" if p.modal_share is None else f"{p.modal_share:.0%} ({p.modal_value})",
                "" if p.seconds_per_answer is None else f"{p.seconds_per_answer:.1f}",
                ", ".join(flags),
            )
        console.print(table)

    emit(report.model_dump(mode="json"), as_json=as_json, render=render)


@app.command("validity")
def validity(
    cycle: CycleOption, workspace: WorkspaceOption = Path(), as_json: JsonOption = False
) -> None:
    """Confirmatory factor analysis of the ten practices and two sides, and overuse reliability.

    Three models fitted by maximum likelihood to others' answers (self left out): ten correlated
    practices, two sides over the ten practices (second order), and two sides straight on the
    items. Fit: CFI, TLI (good from about .95), RMSEA (under .06), SRMR (under .08); standardised
    loadings in --json. Like every result, only for a closed cycle.
    """
    from tandem.review import validity as review_validity

    with session_scope(Workspace.open(workspace).engine) as session:
        report = review_validity.validity(session=session, cycle=cycle)

    def render(console: Console) -> None:
        title = f"cycle {report.cycle} (item bank v{report.item_bank_version}), N = {report.n}"
        if report.cfa_undefined:
            console.print(f"{title}: no CFA, {report.cfa_undefined}", markup=False)
        else:
            table = Table("model", "chi2", "df", "CFI", "TLI", "RMSEA", "SRMR", title=title)
            for f in report.fits.values():
                table.add_row(
                    f.model + ("" if f.converged else " (not converged)"),
                    f"{f.chi2:.1f}",
                    str(f.df),
                    f"{f.cfi:.3f}",
                    f"{f.tli:.3f}",
                    f"{f.rmsea:.3f}",
                    f"{f.srmr:.3f}",
                )
            console.print(table)
            console.print(f"preferred: {report.preferred or 'none fits (CFI under .90)'}")
        if report.overuse:
            over = Table("practice", "N", "items", "alpha", title="overuse scale")
            for practice, scale in report.overuse.items():
                alpha = "" if scale.alpha is None else f"{scale.alpha:.2f}"
                over.add_row(practice, str(scale.n), str(scale.k), alpha)
            console.print(over)

    emit(report.model_dump(mode="json"), as_json=as_json, render=render)
