"""``tandem team coverage [TEAM | --org]``: which practices a team covers well, and its gaps."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from tandem.cli.duos import AsOption, resolve_viewer
from tandem.cli.options import JsonOption, WorkspaceOption
from tandem.cli.output import emit
from tandem.db.session import session_scope
from tandem.errors import InputError
from tandem.profile import team as team_service
from tandem.profile.team import OrgCoverageOut, TeamCoverageOut
from tandem.workspace import Workspace

app = typer.Typer(help="Teams: practice coverage by others' ratings.", no_args_is_help=True)


def _num(value: object) -> str:
    return f"{value:.1f}" if isinstance(value, float) else str(value)


_CALLS = {"covered": "yes", "gap": "GAP", "uncertain": "uncertain"}


def _chance(value: float | str | None) -> str:
    return f"{value:.0%}" if isinstance(value, float) else "—"


def render_team(console: Console, out: TeamCoverageOut) -> None:
    """Draw a team's coverage: one row per practice, then the gaps."""
    console.print(
        f"Team [bold]{out.team}[/], cycle {out.cycle}: {out.scored_members} of {out.members} "
        f"member(s) scored by others"
    )
    table = Table(
        "practice", "side", "covered", "chance", "covering", "mean", "by (shared with you)"
    )
    for practice, p in out.practices.items():
        hidden = p.covered == "suppressed"
        table.add_row(
            practice,
            p.side,
            "not shown" if hidden else _CALLS[str(p.call)],
            "" if hidden else _chance(p.chance),
            "" if hidden else str(p.covering),
            "" if hidden else _num(p.mean),
            ", ".join(p.by),
        )
    console.print(table)
    console.print(f"gaps: {', '.join(out.gaps) or 'none'}")
    if out.uncertain:
        console.print(f"uncertain (the ratings cannot tell yet): {', '.join(out.uncertain)}")
    if out.suppressed:
        console.print(
            f"not shown (fewer than {out.min_shown} people behind the figure): "
            f"{', '.join(out.suppressed)}"
        )
    if out.unscored:
        console.print(f"no others' score at all: {', '.join(out.unscored)}")
    if out.not_scored:
        console.print(f"members not scored in this cycle: {', '.join(out.not_scored)}")
    for note in out.notes:
        console.print(f"[dim]note:[/] {note}")


def render_org(console: Console, out: OrgCoverageOut) -> None:
    """Draw the org view: per team, covered practices as counts, hidden teams without numbers."""
    console.print(f"Org coverage, cycle {out.cycle}")
    table = Table(
        "team", "scored members", "gaps", "uncertain", "practices covered (members covering)"
    )
    for t in out.teams:
        if not t.shown:
            table.add_row(t.team, "hidden", "", "", f"fewer than {out.min_shown} scored members")
            continue
        table.add_row(
            t.team,
            str(t.scored_members),
            ", ".join(t.gaps) or "none",
            ", ".join(t.uncertain) or "none",
            ", ".join(
                f"{practice} ({p.covering})"
                for practice, p in t.practices.items()
                if p.covered is True
            ),
        )
    console.print(table)
    for note in out.notes:
        console.print(f"[dim]note:[/] {note}")


@app.command("coverage")
def coverage(
    cycle: Annotated[str, typer.Option("--cycle", "-c", help="Name of the review cycle.")],
    team: Annotated[
        str | None, typer.Argument(help="Team name (omit with --org for the org view).")
    ] = None,
    org: Annotated[
        bool,
        typer.Option("--org", help="Directors' view: every team, aggregates only, no names."),
    ] = False,
    view_as: AsOption = None,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Show which practices someone in the team covers well by others' ratings, and the gaps.

    With a TEAM: per practice, covered, a GAP or uncertain, the chance that some scored member's
    true score is 4.0 ("often") or more, how many members are more likely than not to reach it, and
    the mean (aggregates over at least 5 people, rounded), and by whom among members who shared
    their report with the --as person. Each score counts with its error: a 4.2 from one rater is
    uncertain, from eleven nearly sure. Covered from a chance of 80 %, a gap at 20 % or less;
    members nobody rated may keep a gap uncertain but never make a practice covered.
    With --org: every team as aggregates only; a team with fewer than 5 scored members is
    hidden. Teams are as frozen for the cycle. Self ratings are never used. The threshold is
    fixed, as counts read at several thresholds would give members' exact scores.
    """
    if org == (team is not None):
        raise InputError("give either a TEAM or --org, not both and not neither")
    with session_scope(Workspace.open(workspace).engine) as session:
        viewer = resolve_viewer(session, view_as)
        if team is None:
            org_out = team_service.org_view(session=session, cycle=cycle, viewer=viewer)
        else:
            team_out = team_service.team_view(
                session=session, team=team, cycle=cycle, viewer=viewer
            )
    if team is None:
        emit(
            org_out.model_dump(mode="json"),
            as_json=as_json,
            render=lambda c: render_org(c, org_out),
        )
    else:
        emit(
            team_out.model_dump(mode="json"),
            as_json=as_json,
            render=lambda c: render_team(c, team_out),
        )
