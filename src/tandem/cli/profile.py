"""``tandem profile PERSON --cycle NAME``: a person's leader–manager profile from a 360 cycle.

``tandem profile PERSON …`` is short for ``tandem profile show PERSON …`` (the group inserts
``show`` when the first word is not a sub-command); ``tandem profile trend PERSON`` compares the
person's closed cycles (:mod:`tandem.cli.profile_trend`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from tandem.audit import service as audit
from tandem.cli.options import JsonOption, WorkspaceOption
from tandem.cli.output import emit
from tandem.cli.plan import DefaultShowGroup
from tandem.cli.profile_trend import trend_command
from tandem.db.session import session_scope
from tandem.people import service as people_service
from tandem.profile import service
from tandem.profile.norms import ALL_RATED
from tandem.profile.schemas import (
    GroupOut,
    LockedProfileOut,
    PracticeOut,
    ProfileOut,
    SideOut,
    dump,
)
from tandem.review import service as review_service
from tandem.workspace import Workspace

GROUP_COLUMNS = ("manager", "peer", "report", "others")
GROUP_NAMES = {"manager": "mgr", "peer": "peers", "report": "reports", "others": "pooled"}


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _band(band: tuple[float, float] | None) -> str:
    return "" if band is None else f"{band[0]:.2f}–{band[1]:.2f}"


def _group(group: GroupOut | str) -> str:
    if isinstance(group, str):
        return "hidden"
    return f"{group.mean:.2f} ({group.n})"


def _percentile(score: PracticeOut | SideOut) -> str:
    """A percentile in role as "60 (35–85)", "*" when compared with all rated."""
    if score.percentile is None or score.percentile_band is None:
        return ""
    lo, hi = score.percentile_band
    return f"{score.percentile} ({lo}–{hi}){'*' if score.norm_group == ALL_RATED else ''}"


def _side(name: str, side: SideOut | None) -> str:
    if side is None:
        return f"{name} unknown"
    band = f" [{_band(side.band)}]" if side.band else ""
    pct = _percentile(side)
    return f"{name} {side.value:.2f}{band}{f', pct in role {pct}' if pct else ''}"


def _leaning(profile: ProfileOut) -> str:
    if profile.leaning is not None:
        return profile.leaning
    return profile.leaning_reason or "unknown"


def _tendency(profile: ProfileOut) -> str | None:
    t = profile.self_tendency
    if t is None:
        return None
    said = {"higher": "higher than others", "lower": "lower than others", "in line": "in line"}
    verdict = said.get(t.label or "", t.reason or "unknown")
    error = f", error ±{t.threshold:.2f}" if t.threshold is not None else ""
    return f"self-rating overall: {verdict} (mean self − others {t.value:+.2f}{error})"


def render_profile(console: Console, profile: ProfileOut) -> None:
    """Draw a profile for people: one row per practice, then L, M, leaning and notes."""
    console.print(
        f"[bold]{profile.person.name}[/] (id {profile.person.id}) in cycle "
        f"[bold]{profile.cycle}[/] — {profile.n_ratees} ratee(s) in the cohort"
    )
    # bank v2's overuse scale ("too much of it"), when any practice has a shown figure
    overuse = any(s.overuse is not None for s in profile.practices.values())
    columns = ["practice", "self", "others", "band", "n", "pct in role"]
    columns += ["agreement", "rater groups: mean (n)"]
    table = Table(*columns, *(["too much (n)"] if overuse else []))
    table.columns[0].no_wrap = True
    for index, (practice, score) in enumerate(profile.practices.items()):
        if index and score.side != list(profile.practices.values())[index - 1].side:
            table.add_section()
        table.add_row(
            practice,
            _num(score.self_score),
            _num(score.others),
            _band(score.band),
            str(score.n_raters) if score.others is not None else "",
            _percentile(score),
            score.agreement or score.agreement_reason or "",
            ", ".join(
                f"{GROUP_NAMES[g]} {_group(score.groups[g])}"
                for g in GROUP_COLUMNS
                if g in score.groups
            ),
            *(
                [
                    ""
                    if score.overuse is None
                    else f"{_num(score.overuse)} ({score.overuse_n_raters})"
                ]
                if overuse
                else []
            ),
        )
    console.print(table)
    console.print(
        "hidden: too few raters, no numbers shown; pooled: hidden peers and reports merged; "
        "n: raters behind others; pct in role: percentile among the cycle's other people of "
        "the same role (95 % band; *: among all rated)"
    )
    console.print(f"{_side('L', profile.L)}   {_side('M', profile.M)}")
    console.print(f"leaning: {_leaning(profile)}")
    if profile.self_included:
        tendency = _tendency(profile)
        if tendency:
            console.print(tendency)
        console.print(f"blind spots: {', '.join(profile.blind_spots) or 'none'}")
        console.print(f"hidden strengths: {', '.join(profile.hidden_strengths) or 'none'}")
    for note in profile.notes:
        console.print(f"[dim]note:[/] {note}")
    render_comments(console, profile)


def render_comments(console: Console, profile: ProfileOut) -> None:
    """Draw the comments the reader may see, by practice and rater group (texts only)."""
    if not profile.comments:
        console.print("comments: none to show (a rater group needs at least 3 commenters)")
        return
    console.print("[bold]comments[/] (by rater group; a group needs at least 3 commenters)")
    for practice, groups in profile.comments.items():
        for group in groups:
            console.print(f"{practice} · {group.label}:", markup=False)
            for text in group.comments:
                console.print(f"  “{text}”", markup=False, highlight=False)


def render_locked(console: Console, locked: LockedProfileOut) -> None:
    """Draw what an open cycle shows of a profile: completion counts only."""
    c = locked.completion
    console.print(
        f"[bold]{locked.person.name}[/] (id {locked.person.id}) in cycle [bold]{locked.cycle}[/]"
        " — results locked until the cycle is closed"
    )
    line = (
        f"{c.raters_answered} of {c.raters_invited} invited raters answered "
        f"({c.raters_submitted} every question)"
    )
    if c.self_answered is not None:
        line += f"; self-assessment {'started' if c.self_answered else 'not started'}"
    console.print(line)
    for note in locked.notes:
        console.print(f"[dim]note:[/] {note}")


def profile_command(
    person: Annotated[str, typer.Argument(help="Person id, email or identity key.")],
    cycle: Annotated[str, typer.Option("--cycle", "-c", help="Name of the review cycle.")],
    include_self: Annotated[
        bool,
        typer.Option(
            "--self/--no-self",
            help="Include self ratings and what derives from them (blind spots).",
        ),
    ] = True,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Show a person's profile: ten practices, L and M with bands, leaning and blind spots.

    Others' scores come from the manager, peers and direct reports, each rater counting once; a
    peer or report group with fewer than 3 raters is suppressed (no numbers: "suppressed" in
    JSON, "hidden" in the table) and pooled into "others"; only a single manager is shown alone.
    Bands and labels use an error that shrinks with the person's own raters; with too few the
    leaning says "not enough raters". "pct in role" places others' score among the cycle's
    other people of the same role (at least 10, else among all rated, marked *), in steps of
    5 with a 95 % band. Blind spots are judged against the person's overall
    self-rating, which is shown apart. Self ratings never change others' scores, L, M or the
    leaning. Raters' comments follow, by practice and rater group, texts only: a group is shown
    when at least 3 of its raters commented (smaller groups pooled by the same rule; a manager is
    never shown alone). While the cycle is open, results are locked: only how many raters have
    answered is shown.
    """
    with session_scope(Workspace.open(workspace).engine) as session:
        found = service.profile_view(
            session=session,
            person=people_service.find_person(session=session, ref=person),
            cycle=review_service.get_cycle(session=session, name=cycle),
            include_self=include_self,
        )
        if isinstance(found, ProfileOut):  # a locked view shows completion counts only
            audit.record_report_read(
                session=session,
                actor=audit.cli_actor(),
                viewer_person_id=None,
                person_id=found.person.id,
                cycle=found.cycle,
            )
    if isinstance(found, LockedProfileOut):
        locked = found
        emit(dump(locked), as_json=as_json, render=lambda c: render_locked(c, locked))
        return
    shown = found
    emit(dump(shown), as_json=as_json, render=lambda c: render_profile(c, shown))


app = typer.Typer(
    cls=DefaultShowGroup,
    help=(
        "Show a person's profile: ten practices, L and M with bands, leaning and blind spots. "
        "`tandem profile PERSON --cycle NAME` is short for `tandem profile show PERSON --cycle "
        "NAME`; `tandem profile trend PERSON` shows reliable changes across closed cycles."
    ),
    no_args_is_help=True,
)
app.command("show")(profile_command)
app.command("trend")(trend_command)
