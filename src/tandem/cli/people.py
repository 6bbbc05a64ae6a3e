"""``tandem people list|show|import|merge|link|export|forget|premise``: who is who."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from tandem.audit import service as audit
from tandem.cli.options import JsonOption, WorkspaceOption
from tandem.cli.output import emit
from tandem.db.session import session_scope
from tandem.errors import InputError
from tandem.people import privacy, roster, service
from tandem.people.schemas import PersonOut
from tandem.profile import premise as premise_service
from tandem.profile.schemas import PremiseOut
from tandem.workspace import Workspace

app = typer.Typer(help="People and their identities across sources.", no_args_is_help=True)


def _render_people(console: Console, people: list[PersonOut]) -> None:
    table = Table("id", "name", "email", "bot", "identities", "teams")
    for person in people:
        table.add_row(
            str(person.id),
            person.display_name,
            person.email or "",
            "bot" if person.is_bot else "",
            "\n".join(i.identity_key for i in person.identities),
            ", ".join(f"{team} ({role})" for team, role in person.teams.items()),
        )
    console.print(table)


@app.command("list")
def list_people(
    bots: Annotated[bool, typer.Option("--bots/--no-bots", help="Include bots.")] = True,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """List people with their identities; bots are flagged."""
    with session_scope(Workspace.open(workspace).engine) as session:
        people = service.list_people(session=session, include_bots=bots)
    emit(
        {"people": [p.model_dump() for p in people], "count": len(people)},
        as_json=as_json,
        render=lambda console: _render_people(console, people),
    )


@app.command("show")
def show(
    person: Annotated[str, typer.Argument(help="Person id, email or identity key.")],
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Show one person with identities and teams."""
    with session_scope(Workspace.open(workspace).engine) as session:
        found = service.show_person(session=session, ref=person)
    emit(found.model_dump(), as_json=as_json, render=lambda c: _render_people(c, [found]))


@app.command("merge")
def merge(
    into: Annotated[str, typer.Argument(help="The person to keep (id, email or identity key).")],
    others: Annotated[list[str], typer.Argument(help="People merged into it, then removed.")],
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Merge people who are one: everything of the others moves to the first, then they go.

    Identities, teams, line reports, the web account (if the first has none) and their review
    rows (answers, assignments, frozen teams, sharing, plans, duos) move. Refused with nothing
    changed when two of them appear in the same closed review cycle: they were two people
    there, and joining them would change that cycle's frozen results (link identities
    instead). In an open cycle the first person's rows win where both have one (the same
    colleague rating both, or both self-assessed); a rating between the two is dropped.
    """
    with session_scope(Workspace.open(workspace).engine) as session:
        merged = service.merge_people(
            session=session, into=into, others=others, actor=audit.cli_actor()
        )
    emit(merged.model_dump(), as_json=as_json, render=lambda c: _render_people(c, [merged]))


@app.command("link")
def link(
    identity: Annotated[str, typer.Argument(help="Identity key (or a git email).")],
    person: Annotated[str, typer.Argument(help="Person id, email or identity key.")],
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Attach an identity to a person by hand; later syncs keep it there.

    The person it leaves is removed only when nothing else is theirs (no identity, team,
    account or review row).
    """
    with session_scope(Workspace.open(workspace).engine) as session:
        linked = service.link_identity(
            session=session, identity_key=identity, person=person, actor=audit.cli_actor()
        )
    emit(linked.model_dump(), as_json=as_json, render=lambda c: _render_people(c, [linked]))


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` whole or not at all (a temporary file, then a rename), 0600."""
    folder = path.resolve().parent
    if not folder.is_dir():
        raise InputError(f"{path}: the folder {folder} does not exist", field="out")
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        Path(temporary).chmod(0o600)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@app.command("export")
def export(
    person: Annotated[str, typer.Argument(help="Person id, email or identity key.")],
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write the JSON document to FILE (else to stdout)."),
    ] = None,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Export everything Tandem holds about a person as one JSON document (audited).

    Their identities, teams, account (no password), their 360 reports as they see them, the
    answers they gave as a rater, plans, duos, sharing choices and the audit events about
    them. No other rater is named and no answer given about them is included raw.
    """
    with session_scope(Workspace.open(workspace).engine) as session:
        document = privacy.export_person(session=session, ref=person, actor=audit.cli_actor())
        text = json.dumps(document.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"
        if out is not None:
            write_atomically(out, text)  # inside the transaction: no file, no audit event
    if out is None:
        typer.echo(text, nl=False)
        return
    summary = {"person_id": document.person["id"], "path": str(out), "bytes": len(text.encode())}
    emit(
        summary,
        as_json=as_json,
        render=lambda c: c.print(f"wrote person {summary['person_id']}'s data to {out}"),
    )


@app.command("forget")
def forget(
    person: Annotated[str, typer.Argument(help="Person id, email or identity key.")],
    yes: Annotated[
        bool, typer.Option("--yes", help="Confirm: this deletes the person's data for good.")
    ] = False,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Delete a person's personal data from the app database, in one transaction (audited).

    The person, their teams, account, plans and duos are deleted; their identities are
    unlinked and their names erased, so no work data in the lake resolves to them. Open cycles
    lose every row of theirs. Closed cycles keep answering exactly as before: answers they gave
    stay under an anonymous rater, and answers about them, their place in the cycle's frozen
    teams and their sharing choice under a nameless stand-in, "a former member", whose report
    nobody can open.
    """
    if not yes:
        raise InputError("forgetting a person cannot be undone: add --yes to confirm")
    with session_scope(Workspace.open(workspace).engine) as session:
        report = privacy.forget_person(session=session, ref=person, actor=audit.cli_actor())

    def render(console: Console) -> None:
        console.print(
            f"forgot person {report.former_person_id}: "
            f"{report.answers_deleted} answer(s) deleted, "
            f"{report.answers_anonymised} kept under an anonymous rater, "
            f"{report.answers_kept} about them kept under a former member, "
            f"{report.identities_unlinked} identit(ies) unlinked, "
            f"{report.memberships_removed} membership(s), {report.plans_removed} plan(s), "
            f"{report.duos_removed} duo(s) removed; account "
            f"{'removed' if report.user_removed else 'none'}"
        )

    emit(report.model_dump(), as_json=as_json, render=render)


@app.command("import")
def import_roster(
    roster_file: Annotated[
        Path, typer.Argument(help="CSV with columns name, email, team, role, manager.")
    ],
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Import the roster: people, teams, roles and line managers, all or nothing.

    role is leader, manager or member; manager is the manager's email (in the file or already
    known) or empty. People are matched by email. Every bad row is reported with its line
    number and then nothing is imported.
    """
    with session_scope(Workspace.open(workspace).engine) as session:
        report = roster.import_roster(session=session, path=roster_file)

    def render(console: Console) -> None:
        console.print(
            f"{report.rows} people in the roster: {report.people_created} created, "
            f"{report.people_updated} updated, {report.people_unchanged} unchanged; "
            f"{report.teams_created} team(s) created, "
            f"{report.memberships_removed} old membership(s) removed"
        )

    emit(report.model_dump(), as_json=as_json, render=render)


@app.command("premise")
def premise(
    cycle: Annotated[
        str | None,
        typer.Option(
            "--cycle", "-c", help="Review cycle (default: the latest closed one, else the latest)."
        ),
    ] = None,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Test the essay's premise on your data: do few people excel at both sides?

    Gives a verdict from the share of people in the top third on both L and M against what
    independence predicts (a Wilson and bootstrap 95 % CI), with L and M taken from different
    halves of each person's raters, and their correlation corrected for attenuation (bootstrap
    95 % CI). The same-rater correlation is shown for comparison, labelled as inflated by
    shared raters, with the share who lean one way reliably. Nothing is estimated from fewer
    than 10 people; the report says so.
    """
    with session_scope(Workspace.open(workspace).engine) as session:
        report = premise_service.premise(session=session, cycle=cycle)

    def render(console: Console) -> None:
        console.print(f"cycle [bold]{report.cycle}[/]: {report.summary}")
        console.print(_premise_table(report))
        table = Table("leaning", "people")
        for leaning, count in report.leaning_counts.items():
            table.add_row(leaning, str(count))
        console.print(table)
        for note in report.notes:
            console.print(f"[dim]note:[/] {note}")

    emit(report.model_dump(mode="json"), as_json=as_json, render=render)


def _premise_table(report: PremiseOut) -> Table:
    """The premise's numbers, one per row, each with its 95 % interval and n."""

    def number(value: float | None, percent: bool = False) -> str:
        return "" if value is None else f"{value:.1%}" if percent else f"{value:.2f}"

    def interval(ci: tuple[float, float] | None, percent: bool = False) -> str:
        return "" if ci is None else f"{number(ci[0], percent)} to {number(ci[1], percent)}"

    split, both = report.split_rater, report.both_high
    table = Table("estimate", "value", "95 % CI", "n")
    rows = [
        ("L–M r, split raters, corrected", split.r_corrected, split.r_corrected_ci95, split.n),
        ("L–M r, split raters", split.r_split, split.r_split_ci95, split.n),
        ("reliability of a half's L", split.reliability_l, None, split.n),
        ("reliability of a half's M", split.reliability_m, None, split.n),
        (
            "L–M r, same raters (inflated by shared raters)",
            report.correlation.r,
            report.correlation.ci95,
            report.correlation.n,
        ),
        ("high on both / chance (ratio)", both.ratio, both.ratio_ci95, both.n),
    ]
    for label, value, ci, n in rows:
        table.add_row(label, number(value), interval(ci), str(n))
    table.add_row(
        "high on both (share)",
        number(both.observed, True),
        interval(both.observed_ci95, True),
        str(both.n),
    )
    table.add_row("high on both if independent", number(both.expected, True), "", str(both.n))
    return table
