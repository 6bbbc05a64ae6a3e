"""The wins digest: a team's kudos and team achievements over a period, as one answer and as
Markdown. Every entry keeps its ids (``[kudos 12]``, ``[goal 3, key result 7]``).

The digest is forwarded, so it follows the naming rule (:mod:`~.naming`): it tells a kudos only
when every recipient agreed to be named, names its giver only when they agreed too ("a
teammate" otherwise), and counts the other kudos without id, day or text.

Two clocks meet here: kudos are app data, so their period is the ``days`` ending on ``last``
(default: the clock's day); achievements read the lake, so theirs ends on the lake's last day
unless ``last`` is given, when both periods end on it (or ``achievements_on``: the brief's own
as-of day). Personal achievements never enter the digest (DESIGN §7).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from tandem.flow.engine import FlowEngine
from tandem.why.goals.metrics import Measure
from tandem.why.recognition.achievements import check_day, check_days, team_achievements
from tandem.why.recognition.naming import told_kudos
from tandem.why.recognition.rules import DIGEST_DAYS, days_back
from tandem.why.recognition.schemas import Achievement, Digest, KudosOut
from tandem.why.recognition.service import kudos_between, today_utc
from tandem.why.scope import team_ref
from tandem.workspace import Workspace


def wins_digest(
    *,
    session: Session,
    workspace: Workspace,
    team: int | str,
    days: int = DIGEST_DAYS,
    last: dt.date | None = None,
    engine: FlowEngine | None = None,
    cached: Measure | None = None,
    achievements_on: dt.date | None = None,
) -> Digest:
    """The team's wins over the ``days`` ending on ``last`` (see the module docstring); the
    achievements end on ``achievements_on`` when given, and are measured on the caller's
    ``engine`` and ``cached`` measures when given."""
    ref = team_ref(session, team)
    days = check_days(days)
    day = check_day(last, "last") if last is not None else today_utc()
    first, start, end = days_back(day, days)
    given = kudos_between(session=session, team=ref.id, start=start, end=end)
    kudos, not_told = told_kudos(session, given)
    achievements = team_achievements(
        session=session,
        workspace=workspace,
        team=ref.id,
        as_of=achievements_on or last,
        days=days,
        engine=engine,
        cached=cached,
    )
    return Digest(
        team=ref, first=first, last=day, days=days, kudos=kudos, kudos_total=len(given),
        kudos_not_told=not_told, achievements=achievements,
    )  # fmt: skip


def _line(text: str) -> str:
    """One line of user text: no line breaks (a kudos cannot open a heading or a list)."""
    return " ".join(text.split())


def _kudos_line(kudos: KudosOut) -> str:
    giver = kudos.giver.name if kudos.giver else "a teammate"
    to = ", ".join(p.name for p in kudos.recipients)
    link = (
        f"goal: {_line(kudos.goal.title)} [goal {kudos.goal.id}]"
        if kudos.goal
        else f"practice: {kudos.practice_name or kudos.practice}"
    )
    ids = [f"kudos {kudos.id}", f"from person {kudos.giver.id}" if kudos.giver else None,
           "to person " + ", ".join(str(p.id) for p in kudos.recipients)]  # fmt: skip
    return (
        f"- {kudos.given_at.date()} · **{_line(giver)}** → {_line(to)}: {_line(kudos.what)} "
        f"— impact: {_line(kudos.impact)} ({link}) [{'; '.join(i for i in ids if i)}]"
    )


def not_told_text(count: int) -> str:
    """The line that counts the kudos a digest does not tell."""
    kudos = "1 kudos" if count == 1 else f"{count} kudos"
    return f"{kudos} to teammates who did not all agree to be named: counted here, not told."


def achievement_ids(achievement: Achievement) -> str:
    """The ids an achievement rests on, as the digest prints them."""
    parts = [
        f"goal {achievement.goal_id}" if achievement.goal_id else None,
        f"key result {achievement.key_result_id}" if achievement.key_result_id else None,
        f"check-in {achievement.checkin_id}" if achievement.checkin_id else None,
        f"{achievement.stage_kind} {achievement.stage}" if achievement.stage else None,
    ]
    return ", ".join(p for p in parts if p) or achievement.id


def digest_markdown(digest: Digest) -> str:
    """The digest as Markdown, every entry with its ids."""
    lines = [
        f"# Wins of team {_line(digest.team.name)}",
        "",
        f"Kudos from {digest.first} to {digest.last} ({digest.days} days).",
        "",
        "## Kudos",
        "",
    ]
    lines += [_kudos_line(k) for k in digest.kudos] or (
        [] if digest.kudos_not_told else ["No kudos in this period."]
    )
    if digest.kudos_not_told:
        lines.append(f"- {not_told_text(digest.kudos_not_told)}")
    found = digest.achievements
    lines += ["", "## Achievements", ""]
    if found.as_of is None:
        lines.append("The lake holds no work data yet: no achievements to read.")
    else:
        lines += [f"Read from the work data from {found.first} to {found.as_of}.", ""]
        lines += [
            f"- {a.on} · {_line(a.text)} [{achievement_ids(a)}]" for a in found.achievements
        ] or ["No team achievements in this period."]
        lines += [f"- Not shown: {_line(note)}" for note in found.withheld]
    return "\n".join(lines) + "\n"
