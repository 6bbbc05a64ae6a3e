"""Team coverage from the database: a hand-checked team view and the org view's suppression."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from tandem.demo.org import DEMO_CYCLE, DEMO_TEAMS, write_demo_org
from tandem.errors import NotFoundError
from tandem.people.models import Membership, Team
from tandem.profile import team as team_service
from tests.duos.test_service import CYCLE, PROFILES, build_org, sides

# Edge: Cal (leader 4 but vision 3, manager 3; she rates herself 5 everywhere), Dot (leader 3,
# manager 4), Eli (self rating only) and Fay (not rated). At threshold 4: vision is a gap (best
# 3.0, Cal and Dot); the other leader practices are covered by Cal (4.0), the manager ones by Dot.


def test_team_view_names_who_covers_what_and_the_gaps(db_session: Session, tmp_path: Path) -> None:
    build_org(db_session, tmp_path)
    view = team_service.team_view(session=db_session, team="Edge", cycle=CYCLE)
    assert (view.members, view.scored_members) == (4, 2)
    assert view.gaps == ["vision"] and view.unscored == []
    assert view.not_scored == ["Eli Selfonly", "Fay Later"]
    vision = view.practices["vision"]
    assert (vision.covered, vision.by, vision.best, vision.scored) == (False, [], 3.0, 2)
    assert view.practices["storytelling"].by == ["Cal Mixed"]
    assert view.practices["process"].by == ["Dot Mixed"]
    assert view.practices["process"].best == 4.0
    # A stricter threshold: nobody reaches 4.5 anywhere in Edge.
    strict = team_service.team_view(session=db_session, team="Edge", cycle=CYCLE, threshold=4.5)
    assert len(strict.gaps) == 10


def test_team_view_orders_people_best_first(db_session: Session, tmp_path: Path) -> None:
    profiles = {**PROFILES, "ann": sides(5, 2, vision=4), "bea": sides(2, 5, vision=5)}
    build_org(db_session, tmp_path, profiles)
    view = team_service.team_view(session=db_session, team="Core", cycle=CYCLE)
    assert view.practices["vision"].by == ["Bea Manager", "Ann Leader"]  # 5.0, then 4.0 (Ann)
    assert view.gaps == [] and view.not_scored == ["Max Manager"]
    with pytest.raises(NotFoundError, match="no team 'Nowhere'"):
        team_service.team_view(session=db_session, team="Nowhere", cycle=CYCLE)


def _wide_team(session: Session, ids: dict[str, int], names: list[str]) -> None:
    team = Team(name="Wide")
    session.add(team)
    session.flush()
    session.add_all(Membership(person_id=ids[n], team_id=team.id) for n in names)
    session.flush()


def test_org_view_hides_teams_under_five_scored_members(
    db_session: Session, tmp_path: Path
) -> None:
    ids = build_org(db_session, tmp_path, {**PROFILES, "fay": sides(4, 4)})
    # Wide: Ann, Bea, Cal, Dot, Fay scored (5) and Max, Eli not (they do not count).
    _wide_team(db_session, ids, ["ann", "bea", "cal", "dot", "fay", "max", "eli"])
    out = team_service.org_view(session=db_session, cycle=CYCLE)
    teams = {t.team: t for t in out.teams}
    assert list(teams) == ["Core", "Edge", "Wide"]
    for hidden in ("Core", "Edge"):  # 2 and 3 scored members
        t = teams[hidden]
        assert (t.shown, t.scored_members, t.practices, t.gaps) == (
            False,
            "suppressed",
            {},
            [],
        )
    wide = teams["Wide"]
    assert wide.shown and wide.scored_members == 5
    # vision: Ann 5, Bea 2, Cal 3, Dot 3, Fay 4 → 2 at ≥ 4, mean 17/5.
    vision = wide.practices["vision"]
    assert (vision.covered, vision.covering, vision.mean, vision.scored) == (True, 2, 3.4, 5)
    # process: Ann 2, Bea 5, Cal 3, Dot 4, Fay 4 → 3 covering, mean 18/5.
    assert (wide.practices["process"].covering, wide.practices["process"].mean) == (3, 3.6)
    assert wide.gaps == []
    dumped = out.model_dump(mode="json")
    assert "Ann Leader" not in str(dumped)  # aggregates only, never names


def test_org_view_with_four_scored_members_shows_nothing(
    db_session: Session, tmp_path: Path
) -> None:
    ids = build_org(db_session, tmp_path)
    _wide_team(db_session, ids, ["ann", "bea", "cal", "dot", "max", "eli", "fay"])
    wide = {t.team: t for t in team_service.org_view(session=db_session, cycle=CYCLE).teams}["Wide"]
    assert not wide.shown and wide.scored_members == "suppressed" and wide.practices == {}


def test_demo_org_view_shows_the_four_teams_consistently_with_team_views(
    db_session: Session,
) -> None:
    write_demo_org(session=db_session)
    out = team_service.org_view(session=db_session, cycle=DEMO_CYCLE)
    assert [t.team for t in out.teams] == list(DEMO_TEAMS)
    for t in out.teams:
        assert t.shown and t.scored_members == 8
        view = team_service.team_view(session=db_session, team=t.team, cycle=DEMO_CYCLE)
        assert t.gaps == view.gaps
        assert {p: a.covering for p, a in t.practices.items()} == {
            p: len(v.by) for p, v in view.practices.items()
        }
