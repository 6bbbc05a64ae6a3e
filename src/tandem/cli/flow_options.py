"""Options every ``tandem flow`` command takes: filters and the engine."""

from __future__ import annotations

import datetime as dt
import functools
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TypeVar, cast

import typer

from tandem.db.session import session_scope
from tandem.errors import InputError
from tandem.flow import service as flow_service
from tandem.flow.calendar import WorkCalendar
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
    typer.Option(
        "--resource",
        help="Only items this resource identity worked on, each whole (repeatable).",
    ),
]
TeamOption = Annotated[
    list[str] | None,
    typer.Option(
        "--team",
        help="Only items members of this team worked on, each with its whole history "
        "(repeatable; people and identities from the app database; withheld below 5 people).",
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
    team_people: dict[str, str] | None = None,
) -> Filters:
    """The filters the options describe (``team_members``: each ``--team``'s identity keys)."""
    first, last = parse_instant(start, "--from"), parse_instant(end, "--to")
    if first is not None and last is not None and first >= last:
        raise InputError("--from must be before --to")
    return Filters(
        start=first,
        end=last,
        sources=tuple(source or ()),
        item_types=tuple(item_type or ()),
        resources=tuple(resource or ()),
        teams=team_members or {},
        team_people=team_people or {},
        include_bots=bots,
    )


@dataclass(frozen=True)
class FlowRun:
    """What a flow command works with: the engine, the filters, the status mapping."""

    engine: FlowEngine
    filters: Filters
    mapping: StatusMapping
    workspace: Workspace

    def calendar(self, working_time: bool) -> WorkCalendar | None:
        """The team calendar of ``[flow.calendar]`` when ``--working-time`` asks for it."""
        return (
            WorkCalendar.from_settings(self.workspace.settings.flow.calendar)
            if working_time
            else None
        )


@dataclass(frozen=True)
class FlowOptions:
    """The options every ``tandem flow`` command shares: filters and the engine."""

    source: list[str] | None = None
    start: str | None = None
    end: str | None = None
    item_type: list[str] | None = None
    resource: list[str] | None = None
    team: list[str] | None = None
    bots: bool = True
    engine: str = "duckdb"


#: The shared options as command parameters (name, annotation, default), in --help order.
SHARED_PARAMETERS = (
    ("source", SourceOption, None),
    ("start", FromOption, None),
    ("end", ToOption, None),
    ("item_type", ItemTypeOption, None),
    ("resource", ResourceOption, None),
    ("team", TeamOption, None),
    ("bots", BotsOption, True),
    ("engine", EngineOption, "duckdb"),
)

Command = TypeVar("Command", bound=Callable[..., None])


def flow_command(command: Command) -> Command:
    """Give a ``tandem flow`` command the shared filter and engine options.

    The command declares only its own options plus a keyword-only ``options: FlowOptions``;
    Typer sees the shared options appended to its signature, and the command receives them
    gathered in ``options``. One declaration instead of eight per command.
    """
    signature = inspect.signature(command, eval_str=True)  # the own options, resolved
    own = [p for p in signature.parameters.values() if p.name != "options"]
    last = [p for p in own if p.name in ("workspace", "as_json")]  # kept last in --help
    own = [p for p in own if p not in last]
    shared = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=kind)
        for name, kind, default in SHARED_PARAMETERS
    ]

    @functools.wraps(command)
    def with_options(**kwargs: Any) -> None:
        gathered = FlowOptions(**{name: kwargs.pop(name) for name, _, _ in SHARED_PARAMETERS})
        command(**kwargs, options=gathered)

    parameters = [*own, *shared, *(p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in last)]
    with_options.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    return cast("Command", with_options)


@contextmanager
def open_flow(workspace: Path, options: FlowOptions) -> Iterator[FlowRun]:
    """Open the workspace's lake on the options' engine with the filters they describe."""
    opened = Workspace.open(workspace)
    team_members = None
    people = None
    if options.team:
        with session_scope(opened.engine) as session:
            team_members = people_service.team_identity_keys(session=session, teams=options.team)
            people = people_service.team_identity_people(session=session, teams=options.team)
    filters = make_filters(
        source=options.source,
        start=options.start,
        end=options.end,
        item_type=options.item_type,
        resource=options.resource,
        bots=options.bots,
        team_members=team_members,
        team_people=people,
    )
    mapping = StatusMapping.from_settings(opened.settings.flow)
    with FlowEngine(
        opened.lake,
        engine=engine_name(options.engine),
        spark_remote=opened.settings.spark.remote,
    ) as flow:
        # a team's answers rest on at least MIN_PEOPLE people, for every flow command
        flow_service.require_people(engine=flow, filters=filters)
        yield FlowRun(flow, filters, mapping, opened)
