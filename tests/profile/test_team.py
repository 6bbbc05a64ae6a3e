"""Team coverage from the database: hand-checked views, what each viewer may see, no differencing.

The attacks (issue 9): a leader reads the team view and learns an unshared member's exact score
(the "best" of the practice, or the team mean minus the members who shared with them); a
director reads the org view before and after one person joins a team, or two teams that differ
by one person, and subtracts. Each test reproduces one and shows it closed.
"""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.demo.org import DEMO_CYCLE, DEMO_TEAMS
from tandem.errors import NotFoundError
from tandem.people.models import Membership, Team
from tandem.profile import sharing
from tandem.profile import team as team_service
from tandem.profile.coverage import COVER_THRESHOLD
from tandem.profile.visibility import OPERATOR
from tandem.review import service as review_service
from tests.duos.test_privacy import build_rated_by_max, profiles_as
from tests.duos.test_service import CYCLE, PROFILES, as_max, build_org, sides

# Edge: Cal (leader 4 but vision 3, manager 3; she rates herself 5 everywhere), Dot (leader 3,
# manager 4), Eli (self rating only) and Fay (not rated). At threshold 4: vision is a gap (best
# 3.0, Cal and Dot); the other leader practices are covered by Cal (4.0), the manager ones by Dot.
DIRECTOR = OPERATOR.model_copy(update={"role": "director"})


def test_team_view_for_whom_everyone_shared(db_session: Session, tmp_path: Path) -> None:
    ids = build_org(db_session, tmp_path)  # everyone shared with Max
    view = team_service.team_view(session=db_session, team="Edge", cycle=CYCLE, viewer=as_max(ids))
    assert (view.members, view.scored_members) == (4, 2)
    # Max knows both scored members already, so the small team's aggregates reveal nothing new.
    assert view.gaps == ["vision"] and view.unscored == [] and view.suppressed == []
    assert view.not_scored == ["Eli Selfonly", "Fay Later"]
    vision = view.practices["vision"]
    assert (vision.covered, vision.covering, vision.mean, vision.by, vision.scored) == (
        False, 0, 3.0, [], 2,
    )  # fmt: skip
    assert view.practices["storytelling"].by == ["Cal Mixed"]
    process = view.practices["process"]
    assert (process.by, process.covering, process.mean) == (["Dot Mixed"], 1, 3.5)
    assert view.threshold == COVER_THRESHOLD


def test_the_threshold_cannot_be_swept(db_session: Session, tmp_path: Path) -> None:
    """The attack: read the team view at thresholds 4.0, 4.1, … and watch `covering` drop; each
    step pins a member's exact score. The views take no threshold: it is always 4.0."""
    ids = build_org(db_session, tmp_path, shared=False)
    for view in (team_service.team_view, team_service.org_view):
        assert "threshold" not in inspect.signature(view).parameters
    with pytest.raises(TypeError, match="threshold"):
        team_service.team_view(
            session=db_session, team="Edge", cycle=CYCLE, viewer=as_max(ids), threshold=4.5
        )
    with pytest.raises(TypeError, match="threshold"):
        team_service.org_view(session=db_session, cycle=CYCLE, viewer=DIRECTOR, threshold=4.5)


def test_a_recipient_who_rated_sees_the_team_as_the_profiles_show_it(
    db_session: Session, tmp_path: Path
) -> None:
    """Core is Max, Ann and Bea; Ann and Bea shared with Max, so he knows every scored member
    and the small team's aggregates are shown to him. Computed from Ann's others' scores as she
    sees them (vision 4.0: covered, by Ann, mean (4 + 2) / 2 = 3.0), they gave Max the peer group
    his profile view withholds. They are computed from what he may see: Ann 3.0, Bea 2.0."""
    ids = build_rated_by_max(db_session, tmp_path)
    profiles = profiles_as(db_session, ids, "max")
    view = team_service.team_view(session=db_session, team="Core", cycle=CYCLE, viewer=as_max(ids))
    assert view.suppressed == []
    names = {"ann": "Ann Leader", "bea": "Bea Manager"}
    for practice, p in view.practices.items():
        values = {n: profiles[n].practices[practice].others for n in names}
        assert None not in values.values()
        strong = sorted(
            (n for n, v in values.items() if v >= COVER_THRESHOLD),
            key=lambda n: (-values[n], ids[n]),
        )
        assert p.by == [names[n] for n in strong]
        assert p.covering == len(strong) and p.covered is bool(strong)
        assert p.mean == round(sum(values.values()) / len(values), 1)
    vision = view.practices["vision"]
    assert (vision.covered, vision.covering, vision.mean, vision.by) == (False, 0, 2.5, [])


def test_team_view_orders_people_best_first(db_session: Session, tmp_path: Path) -> None:
    profiles = {**PROFILES, "ann": sides(5, 2, vision=4), "bea": sides(2, 5, vision=5)}
    ids = build_org(db_session, tmp_path, profiles)
    view = team_service.team_view(session=db_session, team="Core", cycle=CYCLE, viewer=as_max(ids))
    assert view.practices["vision"].by == ["Bea Manager", "Ann Leader"]  # 5.0, then 4.0 (Ann)
    assert view.gaps == [] and view.not_scored == ["Max Manager"]
    with pytest.raises(NotFoundError, match="no team 'Nowhere'"):
        team_service.team_view(session=db_session, team="Nowhere", cycle=CYCLE, viewer=OPERATOR)


def test_team_view_shows_no_unshared_score(db_session: Session, tmp_path: Path) -> None:
    ids = build_org(db_session, tmp_path, shared=False)
    view = team_service.team_view(session=db_session, team="Edge", cycle=CYCLE, viewer=as_max(ids))
    # Before: "best" was Cal's or Dot's exact score, "by" named who reached 4. Now: nothing.
    assert view.suppressed == list(view.practices) and view.gaps == []
    for p in view.practices.values():
        assert (p.covered, p.covering, p.mean, p.by) == ("suppressed",) * 3 + ([],)
    sharing.set_shared(session=db_session, cycle=CYCLE, person_id=ids["cal"], shared=True)
    view = team_service.team_view(session=db_session, team="Edge", cycle=CYCLE, viewer=as_max(ids))
    assert view.practices["storytelling"].by == ["Cal Mixed"]  # she shared: named
    assert view.practices["process"].by == []  # Dot covers it but did not share
    # Still no aggregate: Max knows Cal, so any team figure minus Cal would be Dot.
    assert view.suppressed == list(view.practices)


def _team(session: Session, ids: dict[str, int], name: str, names: list[str]) -> None:
    team = Team(name=name)
    session.add(team)
    session.flush()
    session.add_all(Membership(person_id=ids[n], team_id=team.id) for n in names)
    session.flush()


FIVE = ["ann", "bea", "cal", "dot", "fay"]
SIX_SCORED = {**PROFILES, "fay": sides(4, 4), "eli": sides(3, 3)}


def test_team_mean_minus_shared_members_reveals_nobody(db_session: Session, tmp_path: Path) -> None:
    ids = build_org(db_session, tmp_path, SIX_SCORED, shared=False, close=False)
    _team(db_session, ids, "Wide", FIVE)
    review_service.close_cycle(session=db_session, name=CYCLE)
    view = team_service.team_view(session=db_session, team="Wide", cycle=CYCLE, viewer=as_max(ids))
    # Five people Max cannot see: coarse aggregates. vision: 5, 2, 3, 3, 4 → 2 covering, 3.4.
    vision = view.practices["vision"]
    assert (vision.covered, vision.covering, vision.mean, vision.by) == (True, 2, 3.4, [])
    for name in ("ann", "bea", "cal", "dot"):
        sharing.set_shared(session=db_session, cycle=CYCLE, person_id=ids[name], shared=True)
    view = team_service.team_view(session=db_session, team="Wide", cycle=CYCLE, viewer=as_max(ids))
    # 5 × 3.4 − (Ann + Bea + Cal + Dot) would be Fay's exact score: withheld.
    assert view.suppressed == list(view.practices)
    assert view.practices["vision"].by == ["Ann Leader"]


def test_org_view_hides_teams_under_five_scored_members(
    db_session: Session, tmp_path: Path
) -> None:
    ids = build_org(db_session, tmp_path, {**PROFILES, "fay": sides(4, 4)}, close=False)
    # Wide: Ann, Bea, Cal, Dot, Fay scored (5) and Max, Eli not (they do not count).
    _team(db_session, ids, "Wide", [*FIVE, "max", "eli"])
    review_service.close_cycle(session=db_session, name=CYCLE)
    out = team_service.org_view(session=db_session, cycle=CYCLE, viewer=DIRECTOR)
    teams = {t.team: t for t in out.teams}
    assert list(teams) == ["Core", "Edge", "Wide"]
    for hidden in ("Core", "Edge"):  # 2 and 3 scored members
        t = teams[hidden]
        assert (t.shown, t.scored_members, t.practices, t.gaps) == (False, "suppressed", {}, [])
    wide = teams["Wide"]
    assert wide.shown and wide.scored_members == 5
    # vision: Ann 5, Bea 2, Cal 3, Dot 3, Fay 4 → 2 at ≥ 4, mean 17/5.
    vision = wide.practices["vision"]
    assert (vision.covered, vision.covering, vision.mean, vision.scored) == (True, 2, 3.4, 5)
    # process: Ann 2, Bea 5, Cal 3, Dot 4, Fay 4 → 3 covering, mean 18/5.
    assert (wide.practices["process"].covering, wide.practices["process"].mean) == (3, 3.6)
    assert wide.gaps == []
    assert "Ann Leader" not in str(out.model_dump(mode="json"))  # aggregates only, never names


def test_org_view_with_four_scored_members_shows_nothing(
    db_session: Session, tmp_path: Path
) -> None:
    ids = build_org(db_session, tmp_path, close=False)
    _team(db_session, ids, "Wide", ["ann", "bea", "cal", "dot", "max", "eli", "fay"])
    review_service.close_cycle(session=db_session, name=CYCLE)
    out = team_service.org_view(session=db_session, cycle=CYCLE, viewer=DIRECTOR)
    wide = {t.team: t for t in out.teams}["Wide"]
    assert not wide.shown and wide.scored_members == "suppressed" and wide.practices == {}


def test_a_roster_change_after_close_changes_no_view(db_session: Session, tmp_path: Path) -> None:
    ids = build_org(db_session, tmp_path, SIX_SCORED, shared=False, close=False)
    _team(db_session, ids, "Wide", FIVE)
    review_service.close_cycle(session=db_session, name=CYCLE)
    before = team_service.org_view(session=db_session, cycle=CYCLE, viewer=DIRECTOR)
    team_before = team_service.team_view(
        session=db_session, team="Wide", cycle=CYCLE, viewer=OPERATOR
    )
    assert {t.team: t.shown for t in before.teams}["Wide"] is True
    # The attack: Eli joins Wide, a second read, and 6 × mean′ − 5 × mean = Eli's score.
    wide = db_session.scalars(select(Team).where(Team.name == "Wide")).one()
    db_session.add(Membership(person_id=ids["eli"], team_id=wide.id))
    _team(db_session, ids, "Later", [*FIVE, "eli"])  # a team created after the cycle closed
    db_session.flush()
    after = team_service.org_view(session=db_session, cycle=CYCLE, viewer=DIRECTOR)
    assert after == before
    team_after = team_service.team_view(
        session=db_session, team="Wide", cycle=CYCLE, viewer=OPERATOR
    )
    assert team_after == team_before
    later = team_service.team_view(session=db_session, team="Later", cycle=CYCLE, viewer=OPERATOR)
    assert later.members == 0 and later.suppressed == list(later.practices)


def test_two_teams_one_person_apart_are_not_both_shown(db_session: Session, tmp_path: Path) -> None:
    ids = build_org(db_session, tmp_path, SIX_SCORED, shared=False, close=False)
    _team(db_session, ids, "Five", FIVE)
    _team(db_session, ids, "Six", [*FIVE, "eli"])  # Six − Five = Eli
    review_service.close_cycle(session=db_session, name=CYCLE)
    out = team_service.org_view(session=db_session, cycle=CYCLE, viewer=DIRECTOR)
    teams = {t.team: t for t in out.teams}
    assert teams["Six"].practices["vision"].mean == 3.3  # (17 + 3) / 6, rounded
    # Complementary suppression: the smaller one is withheld, practice by practice.
    assert all(p.mean == "suppressed" for p in teams["Five"].practices.values())
    assert all(isinstance(p.mean, float) for p in teams["Six"].practices.values())
    # The team view applies the same rule, so it cannot be used to undo it.
    five = team_service.team_view(session=db_session, team="Five", cycle=CYCLE, viewer=OPERATOR)
    assert five.suppressed == list(five.practices)


def test_demo_org_view_shows_the_four_teams_consistently_with_team_views(
    demo_db_session: Session,
) -> None:
    out = team_service.org_view(session=demo_db_session, cycle=DEMO_CYCLE, viewer=DIRECTOR)
    assert [t.team for t in out.teams] == list(DEMO_TEAMS)
    for t in out.teams:
        assert t.shown and t.scored_members == 8
        view = team_service.team_view(
            session=demo_db_session, team=t.team, cycle=DEMO_CYCLE, viewer=OPERATOR
        )
        assert t.gaps == view.gaps
        assert {p: (a.covering, a.mean) for p, a in t.practices.items()} == {
            p: (v.covering, v.mean) for p, v in view.practices.items()
        }
        assert all(v.by == [] for v in view.practices.values())  # nobody shared with them
