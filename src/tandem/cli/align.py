"""``tandem align``: link work to goals by rules and suggestions; the investment balance.

``rule add|list|remove`` manage a team's rules; ``suggest`` lists unaligned items whose text is
close to a goal's (with the score and the words that matched); ``accept``/``reject`` record a
person's decision on an item and a goal (a rejection unlinks even where a rule matches);
``balance`` shows the effort per goal against its target share (withheld below 5 people).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from tandem.cli.flow_options import FromOption, ToOption, parse_instant
from tandem.cli.options import JsonOption, TeamOption, WorkspaceOption
from tandem.cli.output import emit
from tandem.db.session import session_scope
from tandem.errors import InputError
from tandem.flow.engine import FlowEngine
from tandem.flow.mapping import StatusMapping
from tandem.people import service as people_service
from tandem.why.alignment import encoders, service
from tandem.why.alignment.encoders import MIN_SCORES
from tandem.why.alignment.investment import Balance, investment_balance
from tandem.why.alignment.models import RULE_KINDS
from tandem.why.alignment.suggestions import suggest
from tandem.why.scope import TeamRef, team_ref
from tandem.workspace import Workspace

MIN_SCORES_TEXT = ", ".join(f"{name} {score}" for name, score in MIN_SCORES.items())

app = typer.Typer(
    help="Alignment: link work to goals by rules and suggestions; the investment balance.",
    no_args_is_help=True,
)
rule_app = typer.Typer(help="A team's alignment rules: add, list, remove.", no_args_is_help=True)
app.add_typer(rule_app, name="rule")

GoalOption = Annotated[int, typer.Option("--goal", min=1, help="The goal's id.")]
ItemArgument = Annotated[str, typer.Argument(help="The work item's object id in the lake.")]
ByOption = Annotated[
    str | None, typer.Option("--by", help="Who decides (person id or email); recorded with it.")
]


@dataclass(frozen=True)
class Opened:
    session: Session
    engine: FlowEngine
    mapping: StatusMapping
    team: TeamRef


@contextmanager
def _open(workspace: Path, team: str) -> Iterator[Opened]:
    opened = Workspace.open(workspace)
    mapping = StatusMapping.from_settings(opened.settings.flow)
    with session_scope(opened.engine) as session, FlowEngine(opened.lake) as engine:
        yield Opened(session, engine, mapping, team_ref(session, team))


def _window(start: str | None, end: str | None) -> tuple[dt.datetime | None, dt.datetime | None]:
    first, last = parse_instant(start, "--from"), parse_instant(end, "--to")
    if first is not None and last is not None and first >= last:
        raise InputError("--from must be before --to")
    return first, last


@rule_app.command("add")
def rule_add(
    team: TeamOption,
    goal: GoalOption,
    kind: Annotated[str, typer.Option("--kind", help=f"One of {', '.join(RULE_KINDS)}.")],
    pattern: Annotated[
        str,
        typer.Option(
            "--pattern",
            help="Label, parent key, path glob (** across folders), keyword, source or type.",
        ),
    ],
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Add a rule: the items it matches serve the goal."""
    with session_scope(Workspace.open(workspace).engine) as session:
        ref = team_ref(session, team)
        out = service.add_rule(
            session=session, team_id=ref.id, goal_id=goal, kind=kind, pattern=pattern
        )
    emit(
        out.model_dump(mode="json"),
        as_json=as_json,
        render=lambda c: c.print(f"Added {out.reason} → goal {out.goal_id} ({out.goal_title})"),
    )


@rule_app.command("list")
def rule_list(
    team: TeamOption, workspace: WorkspaceOption = Path(), as_json: JsonOption = False
) -> None:
    """List the team's rules."""
    with session_scope(Workspace.open(workspace).engine) as session:
        ref = team_ref(session, team)
        rules = service.list_rules(session=session, team_id=ref.id)

    def render(console: Console) -> None:
        table = Table("rule", "kind", "pattern", "goal")
        for rule in rules:
            table.add_row(
                str(rule.id), rule.kind, rule.pattern, f"{rule.goal_id} {rule.goal_title}"
            )
        console.print(table)

    emit({"team": ref.model_dump(), "rules": [r.model_dump() for r in rules]}, as_json=as_json,
         render=render)  # fmt: skip


@rule_app.command("remove")
def rule_remove(
    team: TeamOption,
    rule: Annotated[int, typer.Argument(min=1, help="The rule's id (see `rule list`).")],
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Remove one of the team's rules."""
    with session_scope(Workspace.open(workspace).engine) as session:
        ref = team_ref(session, team)
        out = service.remove_rule(session=session, team_id=ref.id, rule_id=rule)
    emit(out.model_dump(), as_json=as_json, render=lambda c: c.print(f"Removed {out.reason}"))


@app.command("suggest")
def suggest_command(
    team: TeamOption,
    start: FromOption = None,
    end: ToOption = None,
    min_score: Annotated[
        float | None,
        typer.Option(
            "--min-score",
            min=0.0,
            max=1.0,
            help=f"Lowest score suggested; default: the encoder's floor ({MIN_SCORES_TEXT}).",
        ),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many.")] = 50,
    encoder: Annotated[
        str | None,
        typer.Option(
            "--encoder",
            help="Text encoder: auto (MiniLM when the extra tandem[embeddings] is installed, "
            "else TF-IDF), minilm or tfidf; default: alignment.encoder in tandem.toml (auto).",
        ),
    ] = None,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Suggest goals for unaligned items by text similarity (a person accepts or rejects)."""
    first, last = _window(start, end)
    if encoder is None:
        encoder = Workspace.open(workspace).settings.alignment.encoder
    encoders.resolve(encoder)  # an unknown or uninstalled encoder: refused before any work
    with _open(workspace, team) as run:
        out = suggest(session=run.session, engine=run.engine, team_id=run.team.id,
                      mapping=run.mapping, start=first, end=last, min_score=min_score,
                      limit=limit, encoder=encoder)  # fmt: skip

    def render(console: Console) -> None:
        console.print(f"{len(out.suggestions)} suggestions ({out.method}) for "
                      f"{out.unaligned} unaligned items")  # fmt: skip
        table = Table("item", "title", "goal", "score", "words")
        for s in out.suggestions:
            table.add_row(s.object_id, s.title, f"{s.goal_id} {s.goal_title}",
                          f"{s.score:.2f}", ", ".join(s.words))  # fmt: skip
        console.print(table)

    emit({"team": run.team.model_dump(), **out.model_dump()}, as_json=as_json, render=render)


def _decide(team: str, goal: int, item: str, by: str | None, decision: str, workspace: Path,
            as_json: bool) -> None:  # fmt: skip
    with _open(workspace, team) as run:
        person = people_service.find_person(session=run.session, ref=by).id if by else None
        out = service.decide(session=run.session, engine=run.engine, team_id=run.team.id,
                             goal_id=goal, object_id=item, decision=decision,
                             origin="manual", person_id=person)  # fmt: skip
    emit(
        out.model_dump(mode="json"),
        as_json=as_json,
        render=lambda c: c.print(f"{item}: {decision} for goal {goal} ({out.goal_title})"),
    )


@app.command("accept")
def accept(
    team: TeamOption,
    goal: GoalOption,
    item: ItemArgument,
    by: ByOption = None,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Link a work item to a goal (a person's decision, kept over rules)."""
    _decide(team, goal, item, by, "accepted", workspace, as_json)


@app.command("reject")
def reject(
    team: TeamOption,
    goal: GoalOption,
    item: ItemArgument,
    by: ByOption = None,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Unlink a work item from a goal, even where a rule matches it."""
    _decide(team, goal, item, by, "rejected", workspace, as_json)


def render_balance(console: Console, out: Balance) -> None:
    """The balance as a table; a withheld one says why."""
    console.print(f"Investment balance of team {out.team.name} ({out.model_text})")
    if out.withheld:
        console.print(out.withheld)
        return
    table = Table("goal", "items", f"effort ({out.unit})", "actual %", "target %", "flag")
    for row in out.rows:
        table.add_row(
            row.title,
            str(row.items),
            f"{row.effort:.1f}",
            "–" if row.percent is None else f"{row.percent:.1f}",
            "–" if row.target_share is None else f"{row.target_share * 100:.1f}",
            "far below target" if row.flagged else "",
        )
    console.print(table)
    console.print(out.flag_rule)


@app.command("balance")
def balance(
    team: TeamOption,
    start: FromOption = None,
    end: ToOption = None,
    model: Annotated[
        str, typer.Option("--model", help="Effort model: active_days (default) or items.")
    ] = "active_days",
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Effort share per goal against its target; unaligned work is its own row."""
    first, last = _window(start, end)
    with _open(workspace, team) as run:
        out = investment_balance(session=run.session, engine=run.engine, team_id=run.team.id,
                                 mapping=run.mapping, start=first, end=last,
                                 model=model)  # fmt: skip
    emit(out.model_dump(mode="json"), as_json=as_json, render=lambda c: render_balance(c, out))
