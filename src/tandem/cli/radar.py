"""``tandem radar``: dependencies adopted and dropped in the lake's git repositories."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from tandem.cli.options import JsonOption, WorkspaceOption
from tandem.cli.output import emit
from tandem.flow.engine import parse_day
from tandem.why.change.radar import change_radar
from tandem.why.change.schemas import RadarAnswer
from tandem.workspace import Workspace

LATEST_SHOWN = 10


def render_radar(console: Console, answer: RadarAnswer) -> None:
    """The radar for people: per quarter, the rings now, the latest changes, what was skipped."""
    for gone in answer.unavailable:
        console.print(f"[bold]skipped:[/] {gone.reason}")
    if not answer.repos:
        console.print("no git repository with dependency manifests to read")
        return
    console.print(
        f"{len(answer.repos)} repositories, {answer.manifests} manifests, "
        f"{answer.versions_read} versions read; up to {answer.as_of}"
    )
    quarters = Table("quarter", "added", "removed", "adopted", "dropped", title="Per quarter")
    for q in answer.quarters:
        quarters.add_row(q.quarter, str(q.added), str(q.removed), str(q.adopted), str(q.dropped))
    console.print(quarters)
    rings = Table("dependency", "ecosystem", "ring", "since", "dropped on", "manifests",
                  title="Rings")  # fmt: skip
    for r in answer.rings:
        rings.add_row(r.dependency, r.ecosystem, r.ring, str(r.since), str(r.dropped_on or ""),
                      str(r.manifests))  # fmt: skip
    console.print(rings)
    console.print(f"[dim]{answer.ring_rule}[/]")
    latest = Table("day", "dependency", "change", "manifest", "commit", title="Latest changes")
    for e in answer.latest[:LATEST_SHOWN]:
        latest.add_row(str(e.day), f"{e.dependency} ({e.ecosystem})", e.change, e.manifest,
                       e.sha[:10])  # fmt: skip
    console.print(latest)
    for p in answer.problems:
        console.print(f"[bold]skipped[/] {p.repo}:{p.path} at {p.sha[:10]}: {p.reason}")


def radar_command(
    repo: Annotated[
        str | None,
        typer.Option("--repo", help="Only this repository (its path, as ingested)."),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option("--since", help="Count and list changes from this day on (YYYY-MM-DD)."),
    ] = None,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """The change radar: dependencies added and removed over time in the lake's repositories.

    Reads pyproject.toml, requirements*.txt, package.json, go.mod and Cargo.toml along each
    repository's first-parent history (the repository must still be on disk). Rings: new
    (adopted in the last 90 days), adopted, established (kept a year or more), dropped.
    """
    answer = change_radar(
        lake=Workspace.open(workspace).lake, repo=repo, since=parse_day(since, "since")
    )
    emit(answer.model_dump(mode="json"), as_json=as_json, render=lambda c: render_radar(c, answer))
