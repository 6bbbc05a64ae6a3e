"""``tandem flow changes | rework``: change flow and rework from git history alone (registered
by :mod:`tandem.cli.flow`; the delivery engine is imported when a command runs)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from tandem.cli.flow_options import FromOption, ToOption, parse_instant
from tandem.cli.options import JsonOption, WorkspaceOption
from tandem.cli.output import emit
from tandem.errors import InputError

if TYPE_CHECKING:
    from tandem.delivery.changes import GitSelection
    from tandem.workspace import Workspace

RepoOption = Annotated[
    str | None,
    typer.Option("--repo", help="Only this repository (its path as ingested, or its folder name)."),
]

TeamOption = Annotated[
    list[str] | None,
    typer.Option(
        "--team",
        help="Only changes a member of this team authored a commit of (repeatable; people and "
        "identities from the app database; each figure withheld below 5 people behind it; "
        "the window must be 7 days at least).",
    ),
]
BotsOption = Annotated[bool, typer.Option("--bots/--no-bots", help="Include commits by bots.")]


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 3600:
        return f"{seconds / 60:.1f} min"
    if seconds < 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def selection(
    workspace: Path,
    *,
    repo: str | None,
    start: str | None,
    end: str | None,
    team: list[str] | None,
    bots: bool,
    ref: str | None = None,
) -> tuple[Workspace, GitSelection]:
    """The workspace and the git selection the options describe (a team's identities and
    people from the app database)."""
    from tandem.db.session import session_scope
    from tandem.delivery.changes import GitSelection
    from tandem.people import service as people_service
    from tandem.workspace import Workspace

    opened = Workspace.open(workspace)
    first, last = parse_instant(start, "--from"), parse_instant(end, "--to")
    if first is not None and last is not None and first >= last:
        raise InputError("--from must be before --to")
    people: tuple[str, ...] | None = None
    team_people: dict[str, str] = {}
    if team:
        with session_scope(opened.engine) as session:
            members = people_service.team_identity_keys(session=session, teams=team)
            team_people = people_service.team_identity_people(session=session, teams=team)
        people = tuple(sorted({k for keys in members.values() for k in keys}))
    chosen = GitSelection(
        repos=(repo,) if repo else (),
        start=first,
        end=last,
        people=people,
        team_people=team_people,
        include_bots=bots,
        ref=ref,
    )
    return opened, chosen


def _render_changes(console: Console, data: dict[str, Any]) -> None:
    for repo in data["repos"]:
        how = "merge commits" if repo["mode"] == "merges" else "one change per commit (no merges)"
        console.print(escape(f"{repo['repo']} ({repo['ref']}): {how}"))
    console.print(
        f"[bold]{data['changes']:,}[/] changes; {data['not_released']:,} not released, "
        f"{data['not_deployed']:,} not deployed"
        + ("" if data["people"] is None else f"; the work of {data['people']} people")
    )
    table = Table("stage", "n", "P50", "P85", "P95", "mean")
    for label, key in (
        ("coding (first commit → merge)", "coding"),
        ("release wait (merge → tag)", "release_wait"),
        ("lead time (first commit → deploy)", "lead_time"),
    ):
        m = data[key]
        table.add_row(
            label,
            str(m["n"]),
            *(
                (escape(m["withheld"]), "", "", "")
                if m["withheld"]
                else (_duration(m[f"{p}_seconds"]) for p in ("p50", "p85", "p95", "mean"))
            ),
        )
    console.print(table)
    freq = data["deployment_frequency"]
    if freq["per_week"] is None:
        console.print("deployment frequency: — (no production deployment from git)")
    else:
        console.print(
            f"deployment frequency: {freq['per_week']:.2f} deployment days per week "
            f"({freq['days']} days with {freq['deployments']} deployments over "
            f"{freq['window_days']} days, {freq['start_date']} to {freq['end_date']})"
        )


def _render_rework(console: Console, data: dict[str, Any]) -> None:
    console.print(
        f"rework (changed again within {data['days']} days): {_share(data['file_share'])} of "
        f"{data['files']:,} file changes, {_share(data['line_share'])} of {data['lines']:,} "
        "changed lines"
        + ("" if data["people"] is None else f"; the work of {data['people']} people")
    )
    weekly = Table("week", "files", "rework files", "lines", "rework lines", "line share")
    for row in data["weekly"]:
        withheld = row["withheld"]
        weekly.add_row(
            row["week"],
            f"{row['files']:,}",
            "—" if withheld else f"{row['rework_files']:,}",
            f"{row['lines']:,}",
            "—" if withheld else f"{row['rework_lines']:,}",
            escape(withheld) if withheld else _share(row["line_share"]),
        )
    console.print(weekly)
    top = Table("path reworked most", "repository", "rework changes", "rework lines")
    for row in data["top_paths"]:
        top.add_row(
            escape(row["path"]),
            escape(row["repo"]),
            str(row["rework_changes"]),
            f"{row['rework_lines']:,}",
        )
    console.print(top)
    if data["top_paths_withheld"]:
        console.print(
            f"{data['top_paths_withheld']} reworked paths not listed: their rework comes from "
            "fewer than 5 people"
        )


def register(app: typer.Typer) -> None:
    """Add ``changes`` and ``rework`` to ``tandem flow``."""

    @app.command("changes")
    def changes(
        repo: RepoOption = None,
        ref: Annotated[
            str | None,
            typer.Option("--ref", help="The ingested ref whose first parents are the main line."),
        ] = None,
        start: FromOption = None,
        end: ToOption = None,
        team: TeamOption = None,
        bots: BotsOption = True,
        workspace: WorkspaceOption = Path(),
        as_json: JsonOption = False,
    ) -> None:
        """Change flow from git: coding, release wait, lead time (P50/P85/P95) and deployment
        frequency, from merges, tags and [git.deployments]."""
        from tandem.delivery.changes import change_flow

        opened, chosen = selection(
            workspace, repo=repo, start=start, end=end, team=team, bots=bots, ref=ref
        )
        data = change_flow(lake=opened.lake, selection=chosen)
        emit(data, as_json=as_json, render=lambda console: _render_changes(console, data))

    @app.command("rework")
    def rework_command(
        repo: RepoOption = None,
        days: Annotated[
            int,
            typer.Option(
                "--days",
                min=1,
                help="A change within this many days of the last one to the same file is rework.",
            ),
        ] = 21,
        start: FromOption = None,
        end: ToOption = None,
        team: TeamOption = None,
        bots: BotsOption = True,
        workspace: WorkspaceOption = Path(),
        as_json: JsonOption = False,
    ) -> None:
        """Rework from git: the share of changed files and lines changed again within 21 days,
        per week, and the paths reworked most (no per-person figures)."""
        from tandem.delivery.rework import rework

        opened, chosen = selection(workspace, repo=repo, start=start, end=end, team=team, bots=bots)
        data = rework(lake=opened.lake, selection=chosen, days=days)
        emit(data, as_json=as_json, render=lambda console: _render_rework(console, data))
