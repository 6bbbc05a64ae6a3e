"""A team around one ratee with enough raters for comment groups (imported through the roster)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.people.models import Person
from tandem.people.roster import import_roster
from tandem.review import forms
from tandem.review import service as review_service

CYCLE = "2026-comments"
# Rae is the ratee: Max manages her; Pia, Paz, Pim and Poe are her peers (Max's reports too);
# Ria and Rob report to Rae.
ROSTER = """name,email,team,role,manager
Max Stone,max@example.com,Core,manager,
Rae Quinn,rae@example.com,Core,manager,max@example.com
Pia Lund,pia@example.com,Core,member,max@example.com
Paz Ortiz,paz@example.com,Core,member,max@example.com
Pim Vos,pim@example.com,Core,member,max@example.com
Poe Hart,poe@example.com,Core,member,max@example.com
Ria Moss,ria@example.com,Core,member,rae@example.com
Rob Vale,rob@example.com,Core,member,rae@example.com
"""


def build(session: Session, tmp_path: Path) -> dict[str, int]:
    """Import the roster, open :data:`CYCLE` with raters from the team; ids by first name."""
    path = tmp_path / "roster.csv"
    path.write_text(ROSTER, encoding="utf-8")
    import_roster(session=session, path=path)
    review_service.create_cycle(session=session, name=CYCLE)
    review_service.assign_from_teams(session=session, cycle=CYCLE, teams=["Core"])
    people = session.scalars(select(Person)).all()
    return {p.display_name.split()[0].lower(): p.id for p in people}


def rate(
    session: Session, ids: dict[str, int], rater: str, comments: dict[str, str], ratee: str = "rae"
) -> forms.SaveReport:
    """``rater`` answers every item about ``ratee`` (4s) with ``comments``, confirmed."""
    form = forms.rating_form(session=session, rater_id=ids[rater], ratee_id=ids[ratee])
    answers = {item.id: "4" for practice in form.practices for item in practice.items}
    return forms.save_answers(
        session=session,
        rater_id=ids[rater],
        ratee_id=ids[ratee],
        answers=answers,
        comments=comments,
        confirm_comments=True,
    )
