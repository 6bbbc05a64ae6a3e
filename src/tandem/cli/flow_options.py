"""Options every ``tandem flow`` command takes: filters and the engine."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer

from tandem.db.session import session_scope
from tandem.errors import InputError
from tandem.flow.engine import EngineName, Filters, FlowEngine
from tandem.flow.mapping import StatusMapping
from tandem.people import service as people_service
from tandem.workspace import Workspace

SourceOption = Annotated[
    list[str] | None, typer.Option("--source", help="Only this source (repeatable).")
]
FromOption = Annotated[
    str | None,
    typer.Option("--from", help="Start of the window (ISO date or time; UTC unless it says)."),
]
ToOption = Annotated[
    str | None, typer.Option("--to", help="End of the window, exclusive (ISO date or time).")
]
ItemTypeOption = Annotated[
    list[str] | None, typer.Option("--item-type", help="Only this item type (repeatable).")
]
ResourceOption = Annotated[
    list[str] | None,
    typer.Option("--resource", help="Only events by this resource identity (repeatable)."),
]
TeamOption = Annotated[
    list[str] | None,
    typer.Option(
        "--team",
        help="Only events by members of this team (repeatable; people and identities from "
        "the app database).",
    ),
]
BotsOption = Annotated[bool, typer.Option("--bots/--no-bots", help="Include events by bots.")]
EngineOption = Annotated[
    str, typer.Option("--engine", help="Where the metrics run: duckdb (in-process) or spark.")
]


def parse_instant(value: str | None, option: str) -> dt.datetime | None:
    """An ISO date or datetime; naive values are UTC."""
    if value is None:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise InputError(f"{option}: {value!r} is not an ISO date or time") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def engine_name(value: str) -> EngineName:
    """Validate ``--engine``."""
    if value == "duckdb":
        return "duckdb"
    if value == "spark":
        return "spark"
    raise InputError(f"--engine: {value!r} is not one of duckdb, spark")


def make_filters(
    *,
    source: list[str] | None,
    start: str | None,
    end: str | None,
    item_type: list[str] | None,
    resource: list[str] | None,
    bots: bool,
    team_members: dict[str, tuple[str, ...]] | None = None,
) -> Filters:
    """The filters the options describe (``team_members``: each ``--team``'s identity keys)."""
    return Filters(
        start=parse_instant(start, "--from"),
        end=parse_instant(end, "--to"),
        sources=tuple(source or ()),
        item_types=tuple(item_type or ()),
        resources=tuple(resource or ()),
        teams=team_members or {},
        include_bots=bots,
    )


@dataclass(frozen=True)
class FlowRun:
    """What a flow command works with: the engine, the filters, the status mapping."""

    engine: FlowEngine
    filters: Filters
    mapping: StatusMapping
    workspace: Workspace


@contextmanager
def open_flow(
    workspace: Path,
    *,
    engine: str,
    source: list[str] | None,
    start: str | None,
    end: str | None,
    item_type: list[str] | None,
    resource: list[str] | None,
    team: list[str] | None,
    bots: bool,
) -> Iterator[FlowRun]:
    """Open the workspace's lake on ``engine`` with the filters the options describe."""
    opened = Workspace.open(workspace)
    team_members = None
    if team:
        with session_scope(opened.engine) as session:
            team_members = people_service.team_identity_keys(session=session, teams=team)
    filters = make_filters(
        source=source,
        start=start,
        end=end,
        item_type=item_type,
        resource=resource,
        bots=bots,
        team_members=team_members,
    )
    mapping = StatusMapping.from_settings(opened.settings.flow)
    with FlowEngine(opened.lake, engine=engine_name(engine)) as flow:
        yield FlowRun(flow, filters, mapping, opened)
