"""A team's formal leader and manager come first, and nobody is paired with their boss.

The hand organisation of ``test_service`` (Max rates Ann, Bea, Cal and Dot as their manager),
under rosters that give the team's leader and manager roles to different people. Pair scores
and gains are worked by hand from :data:`tests.duos.test_service.PROFILES`:

    alone: Ann 2.75 (5 | 2), Bea 2.75 (2 | 5), Cal 3.2 (3.8 | 3), Dot 3.25 (3 | 4)
    Ann+Bea 5.0 (gain 2.25)   Ann+Dot 4.25 (1.0)   Bea+Cal 4.1 (0.9)   Cal+Dot 3.85 (0.6)
    Ann+Cal 3.5 (0.3)         Bea+Dot 3.5 (0.25)
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.duos import service
from tandem.people.models import Person
from tandem.people.roster import import_roster
from tandem.profile import sharing
from tandem.profile.visibility import OPERATOR, Viewer
from tandem.review import service as review_service
from tests.duos.test_service import (
    CYCLE,
    PROFILES,
    answers_csv,
    as_max,
    build_org,
    pair_ids,
    write,
)
from tests.helpers import V1


def roster(leader: str, manager: str, *, reports_to: dict[str, str] | None = None) -> str:
    """Team Core with everyone rated; ``leader``/``manager`` get the roles; line managers Max,
    except ``reports_to`` (person → their manager)."""
    reports_to = reports_to or {}
    rows = ["name,email,team,role,manager", "Max Manager,max@example.com,Staff,leader,"]
    for name, full in (("ann", "Ann Leader"), ("bea", "Bea Manager"), ("cal", "Cal Mixed"),
                       ("dot", "Dot Mixed"), ("eli", "Eli Selfonly")):  # fmt: skip
        role = "leader" if name == leader else "manager" if name == manager else "member"
        boss = reports_to.get(name, "max")
        rows.append(f"{full},{name}@example.com,Core,{role},{boss}@example.com")
    return "\n".join(rows) + "\n"


def build(session: Session, tmp_path: Path, text: str) -> dict[str, int]:
    """The roster, the hand answers, the cycle closed; everyone shares with their manager."""
    import_roster(session=session, path=write(tmp_path / "roster.csv", text))
    review_service.create_cycle(session=session, name=CYCLE, item_bank_version=V1)
    review_service.import_responses(
        session=session, cycle=CYCLE, path=write(tmp_path / "answers.csv", answers_csv())
    )
    review_service.close_cycle(session=session, name=CYCLE)
    ids = {p.display_name.split()[0].lower(): p.id for p in session.scalars(select(Person))}
    for name in ("ann", "bea", "cal", "dot", "eli"):
        sharing.set_shared(session=session, cycle=CYCLE, person_id=ids[name], shared=True)
    return ids


def test_the_formal_pair_comes_first_and_says_the_matching_agrees(
    db_session: Session, tmp_path: Path
) -> None:
    ids = build(db_session, tmp_path, roster("ann", "bea"))
    out = service.suggest(session=db_session, cycle=CYCLE, teams=["Core"], viewer=as_max(ids))
    (formal,) = out.formal
    assert (formal.team, formal.a.id, formal.b.id) == ("Core", ids["ann"], ids["bea"])
    assert formal.proposed and formal.scored and formal.line is None and formal.details
    assert formal.score == 5.0 and formal.gain == 2.25
    assert formal.explanation.startswith(
        "Ann Leader and Bea Manager are team Core's formal leader and manager. Ann Leader covers"
    )
    assert formal.explanation.endswith("The matching proposes this pair too.")
    assert pair_ids(out) == {
        frozenset((ids["ann"], ids["bea"])),
        frozenset((ids["cal"], ids["dot"])),
    }
    assert list(out.model_dump())[:4] == ["cycle", "teams", "formal", "pairs"]
    assert "the pair to judge first" in out.notes[0]


def test_the_formal_pair_is_shown_even_when_the_matching_prefers_others(
    db_session: Session, tmp_path: Path
) -> None:
    """Ann leads and Cal manages: their pair helps (0.3) but Ann+Bea and Cal+Dot add more
    (weights 2.25 + 0.375 against 0.525 + 0.5); the matching runs on everyone, them included."""
    ids = build(db_session, tmp_path, roster("ann", "cal"))
    out = service.suggest(session=db_session, cycle=CYCLE, teams=["Core"], viewer=as_max(ids))
    (formal,) = out.formal
    assert (formal.a.id, formal.b.id) == (ids["ann"], ids["cal"]) and not formal.proposed
    assert formal.score == 3.5 and formal.gain == pytest.approx(0.3)
    assert "Together they cover 0.30 more than the stronger of the two alone (3.20)" in (
        formal.explanation
    )
    assert formal.explanation.endswith(
        "The matching does not propose it: it pairs them with partners who add more in total, "
        "or leaves one of them without a partner."
    )
    assert frozenset((ids["ann"], ids["cal"])) not in pair_ids(out)
    # A formal pair that adds too little is told so, without its number.
    out = service.suggest(
        session=db_session, cycle=CYCLE, teams=["Core"], viewer=as_max(ids), min_gain=0.5
    )
    assert out.formal[0].explanation.endswith(
        "together they cover less than 0.50 more than the stronger of them alone, the least a "
        "duo must add."
    )


def test_a_boss_and_their_report_are_never_suggested_only_shown_as_the_formal_pair(
    db_session: Session, tmp_path: Path
) -> None:
    """Bea reports to Ann: Ann+Bea (5.0, the best pair) is never proposed; the next best total
    is Ann+Dot and Bea+Cal. The formal pair is still shown first, with why."""
    ids = build(db_session, tmp_path, roster("ann", "bea", reports_to={"bea": "ann"}))
    as_ann = Viewer(person_id=ids["ann"], role="leader")  # herself, and Bea shared with her
    out = service.suggest(session=db_session, cycle=CYCLE, teams=["Core"], viewer=as_ann)
    assert pair_ids(out) == {
        frozenset((ids["ann"], ids["dot"])),
        frozenset((ids["bea"], ids["cal"])),
    }
    (formal,) = out.formal
    assert formal.line == (
        "Bea Manager reports to Ann Leader; a boss and their direct report are never suggested "
        "as a duo: the report cannot disagree as an equal, and the boss would decide in all "
        "but name."
    )
    assert formal.details and formal.score == 5.0 and not formal.proposed
    assert formal.explanation.endswith(f"The matching never proposes it: {formal.line}")
    # Everywhere: the whole cycle's suggestions, and the line rule wins over the best total.
    everyone = service.suggest(session=db_session, cycle=CYCLE, viewer=as_ann)
    assert frozenset((ids["ann"], ids["bea"])) not in pair_ids(everyone)
    assert everyone.formal == []  # formal pairs belong to a team's suggestions
    # Max sees Ann and Bea? Bea shared with Ann, her manager, not with Max: no numbers.
    for_max = service.suggest(session=db_session, cycle=CYCLE, teams=["Core"], viewer=as_max(ids))
    hidden = for_max.formal[0]
    assert not hidden.details and hidden.score is None and hidden.gain is None
    assert hidden.coverage is None and hidden.b.leaning is None
    assert "Bea Manager did not share it with you" in hidden.explanation
    assert hidden.line == formal.line  # who reports to whom is the roster's, not a score


def test_the_line_is_the_reason_when_it_is_why_someone_is_left_out(
    db_session: Session, tmp_path: Path
) -> None:
    """Only Ann and Bea are rated (Cal and Dot answer nothing): Bea reporting to Ann, both are
    left out for that reason, not for a lack of gain."""
    profiles = {k: PROFILES[k] for k in ("ann", "bea")}
    import_roster(
        session=db_session,
        path=write(tmp_path / "roster.csv", roster("ann", "bea", reports_to={"bea": "ann"})),
    )
    review_service.create_cycle(session=db_session, name=CYCLE, item_bank_version=V1)
    answers = write(tmp_path / "answers.csv", answers_csv(profiles, {}))
    review_service.import_responses(session=db_session, cycle=CYCLE, path=answers)
    review_service.close_cycle(session=db_session, name=CYCLE)
    ids = {p.display_name.split()[0].lower(): p.id for p in db_session.scalars(select(Person))}
    out = service.suggest(session=db_session, cycle=CYCLE, viewer=OPERATOR)
    assert out.pairs == []
    reasons = {u.person.id: (u.code, u.reason) for u in out.unpaired}
    assert reasons[ids["ann"]][0] == reasons[ids["bea"]][0] == "line"
    assert "their line manager or a direct report" in reasons[ids["ann"]][1]
    assert out.unpaired_counts == {"line": 2}


def test_an_unrated_formal_leader_is_shown_without_numbers(
    db_session: Session, tmp_path: Path
) -> None:
    """The hand roster: Max leads Core but nobody rated him; Bea, the manager, reports to him."""
    ids = build_org(db_session, tmp_path)
    out = service.suggest(session=db_session, cycle=CYCLE, teams=["Core"], viewer=as_max(ids))
    (formal,) = out.formal
    assert (formal.a.name, formal.b.name) == ("Max Manager", "Bea Manager")
    assert not formal.scored and not formal.details and formal.score is None
    assert "Max Manager is not rated in review cycle '2026-H1'" in formal.explanation
    assert formal.line is not None and formal.line.startswith("Bea Manager reports to Max")


def test_confirming_a_boss_and_their_report_says_what_the_suggestions_never_do(
    db_session: Session, tmp_path: Path
) -> None:
    """A human may confirm the formal pair though one manages the other; the duo says so."""
    ids = build(db_session, tmp_path, roster("ann", "bea", reports_to={"bea": "ann"}))
    duo = service.confirm(
        session=db_session,
        cycle=CYCLE,
        a="ann@example.com",
        b="bea@example.com",
        tie_breaker="max@example.com",
        confirmed_by="hr",
        viewer=Viewer(person_id=ids["ann"], role="leader"),
    )
    assert duo.message.endswith(
        "Note: Bea Manager reports to Ann Leader; a boss and their direct report are never "
        "suggested as a duo: the report cannot disagree as an equal, and the boss would decide "
        "in all but name."
    )
    assert duo.details and duo.explanation.endswith("in all but name.")
    assert "Together they cover 2.25 more" in duo.explanation
