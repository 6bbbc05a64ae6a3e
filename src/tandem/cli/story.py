"""``tandem story``: a goal's impact story from its evidence; ``tandem story consent``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from tandem.cli.options import JsonOption, WorkspaceOption
from tandem.cli.output import emit
from tandem.errors import InputError
from tandem.flow.engine import parse_day

app = typer.Typer(rich_markup_mode=None)

FORMATS = {".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html"}


@app.callback(invoke_without_command=True)
def story(
    ctx: typer.Context,
    team: Annotated[str | None, typer.Option("--team", help="Team name or id.")] = None,
    goal: Annotated[int | None, typer.Option("--goal", help="The goal's id.")] = None,
    start: Annotated[
        str | None, typer.Option("--from", help="First day (YYYY-MM-DD); default: the goal's.")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="Last day, included; default: the goal's.")
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the story to FILE.md (Markdown) or FILE.html."),
    ] = None,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Impact stories: a goal's period told from its evidence; who agreed to be named.

    `tandem story --team T --goal ID` tells the story of a goal over its own period (or
    --from/--to): the items aligned to it and done, notable items, its metric key results
    before and after, kudos linked to it, and the contributors who agreed to be named. Every
    sentence is a fixed template filled from evidence and cites its evidence ids. Below 5
    people behind the work nothing is counted: only "the team". -o writes Markdown (.md) or one
    self-contained HTML file (.html); --json prints the whole answer.
    """
    if ctx.invoked_subcommand is not None:
        return
    if team is None or goal is None:
        raise InputError("give --team and --goal (or a sub-command: consent)", field="goal")
    first, last = parse_day(start, "from"), parse_day(end, "to")
    kind = None
    if output is not None:
        kind = FORMATS.get(output.suffix.lower())
        if kind is None:
            raise InputError("write the story to a .md or .html file", path=output)

    from tandem.db.session import session_scope
    from tandem.flow.engine import FlowEngine
    from tandem.flow.mapping import StatusMapping
    from tandem.reports import write_atomically
    from tandem.why.stories import service
    from tandem.workspace import Workspace

    opened = Workspace.open(workspace)
    mapping = StatusMapping.from_settings(opened.settings.flow)
    with session_scope(opened.engine) as session, FlowEngine(opened.lake) as engine:
        out = service.goal_story(
            session=session,
            engine=engine,
            mapping=mapping,
            team=team,
            goal_id=goal,
            start=first,
            end=last,
        )
    if output is not None:
        write_atomically(output, out.markdown if kind == "markdown" else out.html)

    def render(console: Console) -> None:
        console.print(f"[bold]{escape(out.title)}[/]")
        console.print(escape(out.subtitle))
        console.print()
        for sentence in out.sentences:
            console.print(
                f"{escape(sentence.text)} [dim]\\[{escape(', '.join(sentence.evidence))}][/]"
            )
        if output is not None:
            console.print(f"\nwritten: {escape(str(output))}")

    data = out.model_dump(mode="json") | {"written": str(output) if output else None}
    emit(data, as_json=as_json, render=render)


@app.command("consent")
def consent(
    answer: Annotated[str, typer.Argument(help="yes: name me in stories; no: do not.")],
    person: Annotated[
        str, typer.Option("--person", help="The person (id, email or identity key).")
    ],
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Record a person's own choice to be named (yes) or not (no) in impact stories.

    The choice is the person's: run this only at their request (on the web each person sets
    it for themselves, and nobody can set it for someone else). The change is audited
    (story.consent, the actor is cli:<operating-system user>). Without a choice a person is
    never named, only counted.
    """
    choice = answer.strip().lower()
    if choice not in ("yes", "no"):
        raise InputError(f"{answer!r}: answer yes or no", field="answer")

    from tandem.audit.service import cli_actor
    from tandem.db.session import session_scope
    from tandem.people import service as people_service
    from tandem.why.stories.consent import set_naming_consent
    from tandem.workspace import Workspace

    with session_scope(Workspace.open(workspace).engine) as session:
        found = people_service.find_person(session=session, ref=person)
        out = set_naming_consent(
            session=session,
            person_id=found.id,
            by_person_id=found.id,  # on the person's behalf, at their request
            named=choice == "yes",
            actor=cli_actor(),
        )
        name = found.display_name
    data = out.model_dump(mode="json") | {"name": name}

    def render(console: Console) -> None:
        verb = "is named" if out.named else "is not named"
        console.print(f"{escape(name)} {verb} in impact stories.")

    emit(data, as_json=as_json, render=render)
