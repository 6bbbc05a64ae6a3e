"""The demo's SYNTHETIC organisation: written through the real services, once, and scorable."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from tandem.db.session import session_scope
from tandem.demo.org import (
    DEMO_CYCLE,
    DEMO_TEAMS,
    build_demo_org,
    demo_people,
    demo_synthetic_org,
)
from tandem.people.models import Membership, Person, Team
from tandem.profile.cohort import MIN_COHORT_RATEES, cohort_stats
from tandem.profile.scoring import SUPPRESSED, GroupScore, score_ratee
from tandem.review.items import load_item_bank
from tandem.review.models import ReviewAssignment, ReviewCycle, ReviewResponse
from tandem.review.service import answers_by_ratee
from tandem.status import workspace_status
from tandem.workspace import Workspace
from tests.helpers import new_workspace

# Hand count of the answers (50 items, every rater answers every item, "can't observe" included):
# a member is rated by self, the leader and the 6 other members: 8 raters;
# leaders of teams 2-4 by self, the head, 2 fellow leaders (peers) and 7 reports: 11;
# the head by self and 10 reports (7 in Atlas, the 3 other leaders): 11.
RATERS = 28 * 8 + 3 * 11 + 11
ITEMS = 50


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, dict[str, object]]:
    workspace = new_workspace(tmp_path_factory.mktemp("demo") / "ws")
    return workspace, build_demo_org(workspace=workspace)


def answers_by_email(workspace: Workspace) -> dict[tuple[str, str, str], int | None]:
    with session_scope(workspace.engine) as session:
        email = {pid: str(e) for pid, e in session.execute(select(Person.id, Person.email))}
        return {
            (email[ratee], email[answer.rater], answer.item_id): answer.value
            for ratee, answers in answers_by_ratee(session=session, cycle=DEMO_CYCLE).items()
            for answer in answers
        }


def test_the_organisation_has_32_people_in_4_teams_each_with_a_leader_and_a_manager(
    built: tuple[Workspace, dict[str, object]],
) -> None:
    workspace, report = built
    assert report["synthetic"] is True
    assert "SYNTHETIC" in str(report["note"])
    assert report["people"] == 32
    assert report["teams"] == list(DEMO_TEAMS)
    assert report["already_present"] is False
    with session_scope(workspace.engine) as session:
        people = session.scalars(select(Person)).all()
        assert len(people) == 32
        assert all(p.email and p.email.endswith("@example.org") for p in people)
        assert len({p.display_name for p in people}) == 32
        roles = Counter(
            (team, role)
            for team, role in session.execute(
                select(Team.name, Membership.role).join(Membership.team)
            )
        )
        for team in DEMO_TEAMS:
            assert roles[(team, "leader")] == 1
            assert roles[(team, "manager")] == 1
            assert roles[(team, "member")] == 6
        # One head without a manager; the other three leaders report to the head.
        heads = [p for p in people if p.manager_id is None]
        assert len(heads) == 1
        assert heads[0].email == report["head"] == "ada.fernhollow@example.org"
        assert len(heads[0].reports) == 7 + 3


def test_one_closed_cycle_holds_every_generated_answer(
    built: tuple[Workspace, dict[str, object]],
) -> None:
    workspace, report = built
    assert report["cycle"] == DEMO_CYCLE
    assert report["status"] == "closed"
    assert report["ratees"] == 32
    assert report["assignments"] == RATERS == 268
    assert report["responses"] == RATERS * ITEMS == 13_400
    with session_scope(workspace.engine) as session:
        cycles = session.scalars(select(ReviewCycle)).all()
        assert [(c.name, c.status) for c in cycles] == [(DEMO_CYCLE, "closed")]
        relations = Counter(session.scalars(select(ReviewAssignment.relation)))
        assert relations == {
            "self": 32,
            "manager": 31,
            "peer": 28 * 6 + 3 * 2,
            "report": 3 * 7 + 10,
        }
        missing = session.scalar(
            select(func.count()).select_from(ReviewResponse).where(ReviewResponse.value.is_(None))
        )
        assert 0 < (missing or 0) < RATERS * ITEMS * 0.15  # missing_rate is 8 %
    counts = workspace_status(workspace)["database"]  # what `tandem status` reports
    assert (counts["person"], counts["team"], counts["review_cycle"]) == (32, 4, 1)
    assert counts["review_response"] == 13_400
    # The stored answers are exactly the generator's (the known truth stays usable).
    org = demo_synthetic_org()
    email = {p.synthetic_id: p.email for p in demo_people(org)}
    generated = {
        (email[ratee], email[a.rater], a.item_id): a.value
        for ratee, answers in org.answers.items()
        for a in answers
    }
    assert answers_by_email(workspace) == generated


def test_a_second_build_finds_it_and_writes_nothing(
    built: tuple[Workspace, dict[str, object]],
) -> None:
    workspace, first = built
    again = build_demo_org(workspace=workspace)
    assert again["already_present"] is True
    assert {k: v for k, v in again.items() if k != "already_present"} == {
        k: v for k, v in first.items() if k != "already_present"
    }
    with session_scope(workspace.engine) as session:
        assert session.scalar(select(func.count()).select_from(Person)) == 32
        assert session.scalar(select(func.count()).select_from(Team)) == 4
        assert session.scalar(select(func.count()).select_from(ReviewCycle)) == 1
        assert session.scalar(select(func.count()).select_from(ReviewResponse)) == 13_400


def test_two_workspaces_get_the_same_answers(
    built: tuple[Workspace, dict[str, object]], tmp_path: Path
) -> None:
    other = new_workspace(tmp_path / "other")
    build_demo_org(workspace=other)
    assert answers_by_email(other) == answers_by_email(built[0])


def test_the_cycle_scores_into_profiles_with_realistic_suppression(
    built: tuple[Workspace, dict[str, object]],
) -> None:
    workspace, _ = built
    bank = load_item_bank("1")
    with session_scope(workspace.engine) as session:
        answers = answers_by_ratee(session=session, cycle=DEMO_CYCLE)
        leaders = set(
            session.scalars(select(Membership.person_id).where(Membership.role == "leader"))
        )
        head = session.scalar(select(Person.id).where(Person.manager_id.is_(None)))
    assert len(answers) == 32 >= MIN_COHORT_RATEES
    cohort = cohort_stats(answers, bank)
    assert cohort.se_d is not None and cohort.sem_l is not None and cohort.sem_m is not None
    profiles = {ratee: score_ratee(a, bank, cohort) for ratee, a in answers.items()}
    with_both = [p for p in profiles.values() if p.L is not None and p.M is not None]
    assert len(with_both) >= 28
    assert {p.leaning for p in with_both} >= {"leader-leaning", "manager-leaning", "balanced"}
    # Members: six peers, so the peer group is shown for most practices.
    members = [r for r in profiles if r not in leaders]
    shown = [
        s.groups["peer"]
        for r in members
        for s in profiles[r].practices.values()
        if isinstance(s.groups.get("peer"), GroupScore)
    ]
    assert len(shown) > 0.9 * len(members) * 10
    # Leaders under the head have only two fellow leaders as peers: never shown, never an n
    # (absent only where neither peer answered enough items of the practice).
    peer_groups = [
        practice.groups.get("peer")
        for leader in leaders - {head}
        for practice in profiles[leader].practices.values()
    ]
    assert not any(isinstance(g, GroupScore) for g in peer_groups)
    assert peer_groups.count(SUPPRESSED) >= 25
    assert all(
        isinstance(practice.groups["report"], GroupScore)
        for leader in leaders
        for practice in profiles[leader].practices.values()
    )
    assert head is not None
    assert "peer" not in profiles[head].practices["vision"].groups


def test_a_failure_midway_leaves_nothing_half_written(tmp_path: Path) -> None:
    workspace = new_workspace(tmp_path / "ws")
    with workspace.engine.begin() as con:  # the database refuses answers (as a full disk would)
        con.execute(
            text(
                "CREATE TRIGGER refuse BEFORE INSERT ON review_response "
                "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
            )
        )
    with pytest.raises(DatabaseError, match="refused by the test"):
        build_demo_org(workspace=workspace)
    with Session(workspace.engine) as session:
        for table in (Person, Team, Membership, ReviewCycle, ReviewAssignment):
            assert session.scalar(select(func.count()).select_from(table)) == 0, table
