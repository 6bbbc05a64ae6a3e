"""The demo's SYNTHETIC organisation: invented people in four teams and one closed 360 cycle.

Nothing here describes a real person. The people, their names (a small built-in list of invented
names), their ``example.org`` emails and every answer are generated: the answers come from
:func:`tandem.profile.synthetic.generate_org` with a fixed seed, so they are deterministic and
their latent truth is known (:func:`demo_synthetic_org` regenerates it).

The organisation mirrors the generator's structure: 32 people in four teams of eight. Each team
has a leader (the generator's lead, to whom the other seven report) and a manager (a role held by
one member); the leader of the first team heads the organisation and the other three leaders
report to them. It is written through the real paths, in one transaction: the roster import
(a generated CSV), a new cycle, raters assigned from the teams, the answers imported from a
generated CSV, and the cycle closed. Leaders rate each other as peers (two peers each: that
group is suppressed for anonymity, as it would be in a real organisation); the response import
adds those assignments. Running it again finds the cycle and writes nothing.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tandem.db.session import session_scope
from tandem.people.models import Person, Team
from tandem.people.roster import ROSTER_COLUMNS, import_roster
from tandem.profile.synthetic import SyntheticOrg, SyntheticParams, generate_org
from tandem.review import service as review_service
from tandem.review.items import ItemBank, load_item_bank
from tandem.review.models import ReviewCycle
from tandem.review.responses_csv import RESPONSE_COLUMNS
from tandem.workspace import Workspace

DEMO_SEED = 2026
DEMO_CYCLE = "demo-2026-h2-synthetic"
# The closed demo cycle's answers are generated in bank v1 and kept there, so the demo's figures
# (and the measurements in docs/people-science.md made on it) stay as they are; the open cycle
# (tandem.demo.open_cycle) takes the default bank, v2.
DEMO_ITEM_BANK = "1"
DEMO_DOMAIN = "example.org"
DEMO_TEAMS = ("Atlas", "Beacon", "Compass", "Harbour")
TEAM_SIZE = 8
# Every teammate rates a member as a peer; a leader's whole team rates them as reports.
DEMO_PARAMS = SyntheticParams(
    n_people=len(DEMO_TEAMS) * TEAM_SIZE,
    team_size=TEAM_SIZE,
    max_peers=TEAM_SIZE - 2,
    max_reports=TEAM_SIZE - 1 + len(DEMO_TEAMS) - 1,
)
SYNTHETIC_NOTE = (
    "SYNTHETIC demo organisation: invented people (example.org) and generated 360 answers "
    f"(seed {DEMO_SEED}, known latent truth); it describes no real person"
)

FIRST_NAMES = (
    "Ada", "Bram", "Chiara", "Dev", "Elin", "Farid", "Greta", "Hugo",
    "Ines", "Jonas", "Kemi", "Lars", "Mira", "Nikhil", "Odile", "Pavel",
    "Quinn", "Rosa", "Sami", "Tove", "Umar", "Vera", "Wim", "Xiomara",
    "Yusuf", "Zoe", "Amara", "Bastian", "Cleo", "Dario", "Esme", "Felix",
)  # fmt: skip
SURNAMES = (
    "Fernhollow", "Quillby", "Marrowdale", "Thistlecombe",
    "Brindlewick", "Copperfen", "Larkspire", "Mossbottom",
)  # fmt: skip


@dataclass(frozen=True)
class DemoPerson:
    """One invented person of the demo: the generator's id, name, email, team, role, manager."""

    synthetic_id: int
    name: str
    email: str
    team: str
    role: str  # leader | manager | member
    manager_email: str | None


@dataclass(frozen=True)
class DemoOrgReport:
    """What the demo organisation holds (``already_present``: found, nothing written)."""

    synthetic: bool
    note: str
    seed: int
    people: int
    teams: list[str]
    head: str  # email of the person who heads the organisation, for a first `tandem profile`
    cycle: str
    status: str
    ratees: int
    assignments: int
    responses: int
    already_present: bool

    def to_dict(self) -> dict[str, Any]:
        """The report as plain JSON-ready data."""
        return asdict(self)


def demo_synthetic_org(bank: ItemBank | None = None) -> SyntheticOrg:
    """The demo's SYNTHETIC organisation with its known truth (same seed, same answers)."""
    return generate_org(bank or load_item_bank(DEMO_ITEM_BANK), seed=DEMO_SEED, params=DEMO_PARAMS)


def _name(synthetic_id: int) -> str:
    return f"{FIRST_NAMES[synthetic_id]} {SURNAMES[synthetic_id % len(SURNAMES)]}"


def _email(synthetic_id: int) -> str:
    return f"{_name(synthetic_id).replace(' ', '.')}@{DEMO_DOMAIN}".lower()


def demo_people(org: SyntheticOrg) -> tuple[DemoPerson, ...]:
    """Invented names, emails, teams and roles for the people of ``org`` (at most 32)."""
    if len(org.people) > len(FIRST_NAMES) or any(p.team >= len(DEMO_TEAMS) for p in org.people):
        raise ValueError(f"the demo has names for {len(FIRST_NAMES)} people in {len(DEMO_TEAMS)}")
    people = []
    for p in org.people:
        position = p.id % org.params.team_size
        role = "leader" if p.role == "lead" else "manager" if position == 1 else "member"
        people.append(
            DemoPerson(
                synthetic_id=p.id,
                name=_name(p.id),
                email=_email(p.id),
                team=DEMO_TEAMS[p.team],
                role=role,
                manager_email=None if p.manager_id is None else _email(p.manager_id),
            )
        )
    return tuple(people)


def _csv(columns: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue()


def roster_csv(people: Sequence[DemoPerson]) -> str:
    """The roster file of the demo people (columns ``name, email, team, role, manager``)."""
    rows = [(p.name, p.email, p.team, p.role, p.manager_email or "") for p in people]
    return _csv(ROSTER_COLUMNS, rows)


def responses_csv(org: SyntheticOrg, people: Sequence[DemoPerson]) -> str:
    """The answers of ``org`` as a response file, people named by their demo emails."""
    email = {p.synthetic_id: p.email for p in people}
    rows = [
        (email[ratee], email[a.rater], a.relation, a.item_id, "" if a.value is None else a.value)
        for ratee, answers in sorted(org.answers.items())
        for a in answers
    ]
    return _csv(RESPONSE_COLUMNS, rows)


def write_demo_org(*, session: Session) -> DemoOrgReport:
    """Write the demo organisation and its closed cycle into ``session`` (flushes, no commit)."""
    if session.scalar(select(ReviewCycle.id).where(ReviewCycle.name == DEMO_CYCLE)) is not None:
        return _report(session, already_present=True)
    bank = load_item_bank(DEMO_ITEM_BANK)
    org = demo_synthetic_org(bank)
    people = demo_people(org)
    with tempfile.TemporaryDirectory(prefix="tandem-demo-") as tmp:
        roster = Path(tmp) / "roster.csv"
        roster.write_text(roster_csv(people), encoding="utf-8")
        import_roster(session=session, path=roster)
        review_service.create_cycle(
            session=session, name=DEMO_CYCLE, item_bank_version=bank.version
        )
        review_service.assign_from_teams(session=session, cycle=DEMO_CYCLE, teams=DEMO_TEAMS)
        answers = Path(tmp) / "responses.csv"
        answers.write_text(responses_csv(org, people), encoding="utf-8")
        review_service.import_responses(session=session, cycle=DEMO_CYCLE, path=answers)
    review_service.close_cycle(session=session, name=DEMO_CYCLE)
    return _report(session, already_present=False)


def _report(session: Session, *, already_present: bool) -> DemoOrgReport:
    cycle = next(c for c in review_service.list_cycles(session=session) if c.name == DEMO_CYCLE)
    emails = [_email(i) for i in range(DEMO_PARAMS.n_people)]
    people = session.scalar(
        select(func.count()).select_from(Person).where(Person.email.in_(emails))
    )
    teams = session.scalars(select(Team.name).where(Team.name.in_(DEMO_TEAMS)).order_by(Team.name))
    return DemoOrgReport(
        synthetic=True,
        note=SYNTHETIC_NOTE,
        seed=DEMO_SEED,
        people=people or 0,
        teams=list(teams),
        head=_email(0),
        cycle=cycle.name,
        status=cycle.status,
        ratees=cycle.ratees,
        assignments=cycle.assignments,
        responses=cycle.responses,
        already_present=already_present,
    )


def build_demo_org(*, workspace: Workspace) -> dict[str, Any]:
    """Add the SYNTHETIC demo organisation to ``workspace`` in one transaction; idempotent."""
    with session_scope(workspace.engine) as session:
        return write_demo_org(session=session).to_dict()
