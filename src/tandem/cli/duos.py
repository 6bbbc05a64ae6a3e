"""``tandem duos suggest|confirm|accept|decline|list``: pairs a human confirms and both accept.

The command line is run by the workspace's operator, who is nobody's report recipient: without
``--as PERSON`` the answers carry names, statuses and qualitative reasons but no person's
numbers; ``--as PERSON`` shows what that person may see (their own results and reports shared
with them), exactly as the web does for them.
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from tandem.audit import service as audit
from tandem.cli.acting import viewer_or_operator
from tandem.cli.options import JsonOption, WorkspaceOption
from tandem.cli.output import emit
from tandem.db.session import session_scope
from tandem.duos import explain, service
from tandem.duos.matching import MIN_GAIN, ORIENTATION_BONUS
from tandem.duos.schemas import DuoOut, DuoPerson, SuggestionsOut
from tandem.flow.engine import parse_day
from tandem.ids import MAX_ID
from tandem.profile import service as profile_service
from tandem.profile.visibility import OPERATOR, Viewer
from tandem.workspace import Workspace

app = typer.Typer(
    help="Duos: pairs whose strengths, by others' ratings, cover both sides.",
    no_args_is_help=True,
)

CycleOption = Annotated[str, typer.Option("--cycle", "-c", help="Name of the review cycle.")]
BonusOption = Annotated[
    float,
    typer.Option(
        "--bonus",
        help="Orientation bonus when one partner reliably leans leader and the other manager.",
    ),
]
CompatOption = Annotated[
    Path | None,
    typer.Option(
        "--compat",
        help=(
            "Opt-in goals/values answers, CSV with columns person, answer (one row per answer): "
            "two people who both opted in must share an answer."
        ),
    ),
]


AsOption = Annotated[
    str | None,
    typer.Option(
        "--as",
        help=(
            "View as this person (id or email): numbers only of people who shared their report "
            "with them. Default: the operator, who sees no person's numbers."
        ),
    ),
]
DuoArgument = Annotated[
    int,
    typer.Argument(min=1, max=MAX_ID, help="The confirmed duo's id (see `tandem duos list`)."),
]
PersonOption = Annotated[
    str,
    typer.Option("--as", help="The partner answering, for themselves only (person id or email)."),
]


def resolve_viewer(session: Session, ref: str | None) -> Viewer:
    """The viewer an ``--as`` option names, with their account's role (no account: member).

    Without ``--as``: the operator, who sees no person's numbers.
    """
    return viewer_or_operator(session, ref)


def _name(person: DuoPerson) -> str:
    return f"{person.name} ({person.id})"


def render_suggestions(console: Console, out: SuggestionsOut) -> None:
    """Draw suggestions for people: each team's formal pair first (the pair to judge first),
    one row per suggested pair, each explanation, then the unpaired and a count per reason."""
    scope = f" — teams {', '.join(out.teams)}" if out.teams else ""
    console.print(f"Duo suggestions for cycle [bold]{out.cycle}[/]{scope}")
    for formal in out.formal:
        verdict = "proposed by the matching too" if formal.proposed else "not proposed"
        console.print(
            f"Formal pair of team {formal.team}, the pair to judge first: {_name(formal.a)} + "
            f"{_name(formal.b)}: score {_num(formal.score)}, gain {_num(formal.gain)}; {verdict}",
            markup=False,
            highlight=False,
        )
        console.print(f"  {formal.explanation}", markup=False, highlight=False)
    table = Table("#", "a", "b", "score", "gain", "coverage", "bonus", "gate")
    for index, pair in enumerate(out.pairs, 1):
        table.add_row(
            str(index),
            _name(pair.a),
            _name(pair.b),
            _num(pair.score),
            _num(pair.gain),
            _num(pair.coverage.value if pair.coverage else None),
            f"+{pair.bonus:.2f}" if pair.bonus else "",
            pair.gate,
        )
    console.print(table)
    for index, pair in enumerate(out.pairs, 1):
        console.print(f"[bold]{index}.[/] {pair.explanation}")
    for item in out.unpaired:
        console.print(f"unpaired: {_name(item.person)}: {item.reason}")
    if out.unpaired_counts:
        counts = ", ".join(
            f"{explain.UNPAIRED_LABELS.get(code, code)}: {n}"
            for code, n in out.unpaired_counts.items()
        )
        console.print(f"{len(out.unpaired)} unpaired ({counts})", markup=False, highlight=False)
    for note in out.notes:
        console.print(f"[dim]note:[/] {note}")


def _num(value: float | None) -> str:
    return "not shown" if value is None else f"{value:.2f}"


def render_duo(console: Console, duo: DuoOut) -> None:
    """Draw one confirmed duo: what happened, the tie-breaker's meaning, each consent."""
    if duo.message:
        console.print(duo.message, style="bold", markup=False, highlight=False)
    console.print(
        f"duo {duo.id}: {duo.a.name} + {duo.b.name} (cycle {duo.cycle}), {duo.status}, "
        f"score {_num(duo.score)}",
        markup=False,
    )
    console.print(f"  tie-breaker: {duo.tie_breaker_rule}", markup=False)
    console.print(
        f"  consent: {duo.a.name} {duo.a_consent}, {duo.b.name} {duo.b_consent}; "
        f"review on {duo.review_date}",
        markup=False,
    )
    console.print(
        f"  confirmed by {duo.confirmed_by} at {duo.confirmed_at:%Y-%m-%d %H:%M} UTC", markup=False
    )
    console.print(f"  {duo.explanation}", markup=False)


@app.command("suggest")
def suggest(
    cycle: CycleOption,
    team: Annotated[
        list[str] | None,
        typer.Option("--team", "-t", help="Only members of this team (repeatable)."),
    ] = None,
    bonus: BonusOption = ORIENTATION_BONUS,
    min_gain: Annotated[
        float,
        typer.Option(
            "--min-gain",
            min=0.0,
            help=(
                "Least a pair must cover beyond its stronger partner alone (1–5 scale) to be "
                "suggested."
            ),
        ),
    ] = MIN_GAIN,
    compat: CompatOption = None,
    view_as: AsOption = None,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Suggest complementary pairs among the cycle's ratees, each with its explanation.

    A pair's score is its coverage of the ten practices by others' ratings (the better partner
    per practice, the weaker side weighed more) plus the orientation bonus. A pair is suggested
    only where it helps (it covers at least --min-gain more than its stronger partner alone) and
    never a person with their line manager; maximum-weight matching then maximises what the
    pairs add, and everyone else is listed unpaired with the reason. With --team, each team's
    formal leader and manager come first, the pair to judge first. Self ratings are never used.
    Suggestions are recommendations: nothing is stored until a human runs `tandem duos
    confirm`. A pair's numbers are shown only with --as a person both partners shared their
    report with.
    """
    with session_scope(Workspace.open(workspace).engine) as session:
        answers = service.read_compat(session=session, path=compat) if compat else None
        out = service.suggest(
            session=session,
            cycle=cycle,
            teams=team or (),
            bonus=bonus,
            min_gain=min_gain,
            compat=answers,
            viewer=resolve_viewer(session, view_as),
        )
    emit(out.model_dump(mode="json"), as_json=as_json, render=lambda c: render_suggestions(c, out))


@app.command("confirm")
def confirm(
    a: Annotated[str, typer.Argument(help="First partner: person id or email.")],
    b: Annotated[str, typer.Argument(help="Second partner: person id or email.")],
    tie_breaker: Annotated[
        str,
        typer.Option(
            "--tie-breaker",
            help="Who decides when the two disagree: a person (id or email) or a rule, as text.",
        ),
    ],
    cycle: Annotated[
        str | None,
        typer.Option(
            "--cycle", "-c", help="Name of the review cycle (default: the latest closed one)."
        ),
    ] = None,
    review_date: Annotated[
        str | None,
        typer.Option(
            "--review-date", help="When to review the duo, YYYY-MM-DD (default +90 days)."
        ),
    ] = None,
    by: Annotated[
        str | None,
        typer.Option("--by", help="Who confirms (default: the operating-system user)."),
    ] = None,
    bonus: BonusOption = ORIENTATION_BONUS,
    compat: CompatOption = None,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Confirm a pair: record the tie-breaker and review date, with the score as of now.

    The duo is pending until both partners accept (`tandem duos accept DUO --as PERSON`). A
    person is in at most one pending or active duo per cycle; confirming a second is refused.
    """
    when = parse_day(review_date, "--review-date")
    with session_scope(Workspace.open(workspace).engine) as session:
        answers = service.read_compat(session=session, path=compat) if compat else None
        duo = service.confirm(
            session=session,
            cycle=cycle or profile_service.resolve_cycle(session=session, name=None).name,
            a=a,
            b=b,
            tie_breaker=tie_breaker,
            confirmed_by=by or _os_user(),
            review_date=when,
            bonus=bonus,
            compat=answers,
            viewer=OPERATOR,
            actor=audit.cli_actor(),
        )
    emit(duo.model_dump(mode="json"), as_json=as_json, render=lambda c: render_duo(c, duo))


@app.command("accept")
def accept(
    duo: DuoArgument,
    person: PersonOption,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """A partner accepts a confirmed duo for themselves; it counts once both have accepted."""
    _respond(duo, person, True, workspace, as_json)


@app.command("decline")
def decline(
    duo: DuoArgument,
    person: PersonOption,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """A partner declines a confirmed duo for themselves; the duo will not go ahead."""
    _respond(duo, person, False, workspace, as_json)


def _respond(duo_id: int, person: str, accept: bool, workspace: Path, as_json: bool) -> None:
    with session_scope(Workspace.open(workspace).engine) as session:
        out = service.respond(
            session=session,
            duo_id=duo_id,
            viewer=resolve_viewer(session, person),
            accept=accept,
            actor=audit.cli_actor(),
        )
    emit(out.model_dump(mode="json"), as_json=as_json, render=lambda c: render_duo(c, out))


@app.command("list")
def list_duos(
    cycle: CycleOption,
    view_as: AsOption = None,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """List the confirmed duos of a cycle: status (pending until both accept), tie-breaker."""
    with session_scope(Workspace.open(workspace).engine) as session:
        out = service.list_duos(
            session=session, cycle=cycle, viewer=resolve_viewer(session, view_as)
        )

    def render(console: Console) -> None:
        table = Table("id", "a", "b", "status", "score", "tie-breaker", "review on", "confirmed by")
        for d in out.duos:
            table.add_row(
                str(d.id),
                _name(d.a),
                _name(d.b),
                f"{d.status} ({d.a_consent}/{d.b_consent})",
                _num(d.score),
                d.tie_breaker,
                str(d.review_date),
                d.confirmed_by,
            )
        console.print(table)
        console.print(f"{out.count} confirmed duo(s) in cycle {out.cycle}")

    emit(out.model_dump(mode="json"), as_json=as_json, render=render)


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in the environment or the password database
        return "unknown"
