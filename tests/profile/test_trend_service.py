"""A person's trend from the database: the figures, the reliable-change test, plans and privacy.

SYNTHETIC organisation (``tests.profile.trend_org``): the same 24 people rated in two closed
cycles with new raters each time and a planted true rise of 1.5 on ``vision`` in the second, and
a third cycle left open. Privacy (DESIGN §7) is attacked the way a viewer would: a share of one
cycle only, a viewer who rated the person in one cycle, an open cycle, directors and admins.
"""

from __future__ import annotations

import datetime as dt
import math

import pytest
from sqlalchemy.orm import Session

from tandem.accounts.errors import PermissionDeniedError
from tandem.people.models import Person
from tandem.plans import service as plans_service
from tandem.profile import service as profile_service
from tandem.profile import sharing, trend_service
from tandem.profile.trends import (
    BANK_CHANGED,
    DECLINED,
    IMPROVED,
    NO_CHANGE,
    cycle_figures,
)
from tandem.profile.visibility import OPERATOR, Viewer
from tandem.review import service as review_service
from tandem.review.items import common_bank, load_item_bank
from tandem.review.models import ReviewCycle
from tests.profile.trend_org import TrendOrg, write_trend_org

FIRST, SECOND, OPEN = "2025-H2", "2026-H1", "2026-H2"
PERSON = 1  # a SYNTHETIC member of team 0; their manager is person 0


@pytest.fixture
def org(db_session: Session) -> TrendOrg:
    return write_trend_org(
        db_session, {FIRST: (0, ()), SECOND: (1, (("vision", 1.5),))}, open_cycle=OPEN
    )


def _person(session: Session, org: TrendOrg, synthetic: int = PERSON) -> Person:
    return session.get_one(Person, org.ids[synthetic])


def _cycle(session: Session, name: str) -> ReviewCycle:
    return review_service.get_cycle(session=session, name=name)


def _share(session: Session, person: Person, cycle: str) -> None:
    sharing.set_shared(session=session, cycle=cycle, person_id=person.id, shared=True)


def _manager(session: Session, person: Person) -> Viewer:
    assert person.manager_id is not None
    return Viewer(person_id=person.manager_id, role="manager")


def test_the_trend_is_each_cycles_profile_and_the_rci_by_hand(
    db_session: Session, org: TrendOrg
) -> None:
    """Each cycle's figures are the profile's, and every verdict is (x₂ − x₁)/√(SE₁² + SE₂²)
    computed by hand from the two profiles against 1.96; the planted rise on vision is found."""
    person = _person(db_session, org)
    out = trend_service.person_trend(session=db_session, person=person)
    assert [c.cycle for c in out.cycles] == [FIRST, SECOND]  # the open cycle is left out
    assert out.viewer_is_owner and len(out.steps) == 1 and out.overall is None
    profiles = [
        profile_service.person_profile(
            session=db_session, person=person, cycle=_cycle(db_session, c)
        )
        for c in (FIRST, SECOND)
    ]
    for shown_cycle, profile in zip(out.cycles, profiles, strict=True):
        for practice, figure in shown_cycle.practices.items():
            assert figure.value == profile.practices[practice].others
            assert figure.se == profile.practices[practice].se
            assert figure.raters == profile.practices[practice].n_raters
        assert shown_cycle.leaning.value == profile.leaning_difference
        assert shown_cycle.leaning.se == profile.leaning_se
    step = out.steps[0]
    assert (step.earlier, step.later, step.comparable) == (FIRST, SECOND, True)
    judged = 0
    for practice, change in step.practices.items():
        before, after = (p.practices[practice] for p in profiles)
        assert before.others is not None and after.others is not None
        assert before.se is not None and after.se is not None
        se = math.sqrt(before.se**2 + after.se**2)
        hand = (after.others - before.others) / se
        # the profiles show 2 decimals: ±0.005 on each score and SE bounds the hand RCI's error
        slack = 0.01 / se + abs(hand) * 0.01 / se + 0.005
        assert change.rci is not None and abs(change.rci - hand) < slack
        assert change.difference == pytest.approx(after.others - before.others, abs=0.011)
        if min(before.n_raters, after.n_raters) < 3:
            assert change.verdict == "not enough raters"
            continue
        judged += 1
        if hand > 1.96 + slack:
            assert change.verdict == IMPROVED
        elif hand < -1.96 - slack:
            assert change.verdict == DECLINED
        elif abs(hand) < 1.96 - slack:
            assert change.verdict == NO_CHANGE
    assert judged >= 8
    assert step.practices["vision"].verdict == IMPROVED  # the planted true rise of 1.5


def test_the_person_sees_their_plan_tied_to_the_next_cycle(
    db_session: Session, org: TrendOrg
) -> None:
    person = _person(db_session, org)
    made = plans_service.get_or_create_plan(
        session=db_session, person=str(person.id), cycle=FIRST, plan_date=dt.date(2020, 1, 6)
    )
    assert made.has_plan and made.rerate_date == dt.date(2020, 7, 6)
    out = trend_service.person_trend(session=db_session, person=person)
    [follow] = out.plans
    assert (follow.plan_id, follow.plan_cycle, follow.rerated_in) == (made.plan_id, FIRST, SECOND)
    assert not follow.rerated_early and not follow.rerate_due  # the second cycle closed later
    assert [p.practice for p in follow.practices] == [p.practice for p in made.practices]
    for planned in follow.practices:
        assert planned.actions and all(a.behaviour for a in planned.actions)
        assert planned.change == out.steps[0].practices[planned.practice]
    # A plan from the last cycle waits for its re-rate date, then says it is due.
    late = plans_service.get_or_create_plan(
        session=db_session, person=str(person.id), cycle=SECOND, plan_date=dt.date(2030, 1, 7)
    )
    assert late.rerate_date == dt.date(2030, 7, 8)
    for today, due in ((dt.date(2030, 7, 7), False), (dt.date(2030, 7, 8), True)):
        out = trend_service.person_trend(session=db_session, person=person, today=today)
        waiting = out.plans[-1]
        assert (waiting.plan_cycle, waiting.rerated_in, waiting.rerate_due) == (SECOND, None, due)
        assert all(p.change is None for p in waiting.practices)
        assert ("has passed" in waiting.note) is due
        assert ("has not passed yet" in waiting.note) is not due


def test_a_plan_re_rated_before_its_date_says_so(db_session: Session, org: TrendOrg) -> None:
    person = _person(db_session, org)
    plans_service.get_or_create_plan(
        session=db_session, person=str(person.id), cycle=FIRST, plan_date=dt.date(2999, 1, 1)
    )
    [follow] = trend_service.person_trend(session=db_session, person=person).plans
    assert follow.rerated_early and "before the plan's re-rate date" in follow.note


# -- privacy -------------------------------------------------------------------------------------


def test_a_viewer_shared_one_cycle_only_gets_no_other_cycle_and_no_change(
    db_session: Session, org: TrendOrg
) -> None:
    """The change between the cycles plus the second cycle's score would give the first one's:
    a manager shared only the second cycle sees that cycle alone, and no step at all."""
    person = _person(db_session, org)
    _share(db_session, person, SECOND)
    plans_service.get_or_create_plan(session=db_session, person=str(person.id), cycle=FIRST)
    out = trend_service.person_trend(
        session=db_session, person=person, viewer=_manager(db_session, person)
    )
    assert [c.cycle for c in out.cycles] == [SECOND]
    assert out.steps == [] and out.overall is None and out.plans == []
    assert not out.viewer_is_owner
    assert FIRST not in out.model_dump_json()  # not even the cycle's name
    assert not any("open cycle" in n for n in out.notes)  # the person's open cycle is theirs
    own = trend_service.person_trend(session=db_session, person=person)
    assert (
        out.cycles[0] == own.cycles[1]
    )  # the shared cycle: others' view, which is all a trend has
    # Shared both: the step appears, still without the person's plan.
    _share(db_session, person, FIRST)
    both = trend_service.person_trend(
        session=db_session, person=person, viewer=_manager(db_session, person)
    )
    assert [c.cycle for c in both.cycles] == [FIRST, SECOND] and len(both.steps) == 1
    assert both.plans == [] and own.plans and both.steps == own.steps


def test_a_share_of_the_middle_cycle_only_is_compared_with_nothing(db_session: Session) -> None:
    """Three cycles, the middle one shared: no step may reach the unshared cycles around it."""
    org = write_trend_org(
        db_session, {"alpha": (0, ()), "beta": (1, ()), "gamma": (2, (("process", -1.0),))}
    )
    person = _person(db_session, org)
    own = trend_service.person_trend(session=db_session, person=person)
    assert len(own.steps) == 2 and own.overall is not None
    _share(db_session, person, "beta")
    out = trend_service.person_trend(
        session=db_session, person=person, viewer=_manager(db_session, person)
    )
    assert [c.cycle for c in out.cycles] == ["beta"] and out.steps == [] and out.overall is None
    _share(db_session, person, "gamma")  # beta and gamma: their own step, never alpha
    out = trend_service.person_trend(
        session=db_session, person=person, viewer=_manager(db_session, person)
    )
    assert [(s.earlier, s.later) for s in out.steps] == [("beta", "gamma")] and out.overall is None
    assert "alpha" not in out.model_dump_json()


def test_a_viewer_who_rated_the_person_in_one_cycle_gets_their_own_view_of_it(
    db_session: Session, org: TrendOrg
) -> None:
    """After a reorg the person's new manager, who rated them as a colleague in the first cycle
    only, reads both shared cycles: the first cycle's figures are the rater's view (a group that
    would not hide 3 others from them is withheld), the second the plain others' view."""
    person = _person(db_session, org, 7)  # rated by 6 colleagues in each cycle, few twice
    first = profile_service.cycle_scores(session=db_session, cycle=FIRST)
    base = first.scores(person.id)
    candidates = [
        (rater, practice)
        for rater, relation in org.rated(FIRST, person.id).items()
        if relation in ("peer", "report") and rater not in org.rated(SECOND, person.id)
        for practice, score in first.scores(person.id, viewer=rater).practices.items()
        if score.others != base.practices[practice].others
    ]
    assert candidates, "the fixture needs a colleague whose view of the first cycle differs"
    rater, practice = candidates[0]
    person.manager_id = rater  # the reorg; then the person shares both cycles with them
    db_session.flush()
    _share(db_session, person, FIRST)
    _share(db_session, person, SECOND)
    viewer = Viewer(person_id=rater, role="manager")
    out = trend_service.person_trend(session=db_session, person=person, viewer=viewer)
    own = trend_service.person_trend(session=db_session, person=person)
    theirs = cycle_figures(
        FIRST, load_item_bank("1"), first.scores(person.id, viewer=rater)
    ).practices[practice]
    seen = out.cycles[0].practices[practice]
    assert seen.value == (None if theirs.value is None else round(theirs.value, 2))
    assert seen.raters == theirs.raters < own.cycles[0].practices[practice].raters
    assert seen != own.cycles[0].practices[practice]  # the rater's view, not the person's
    assert out.cycles[1] == own.cycles[1]  # they did not rate in the second cycle
    # the change is computed from the rater's view of the first cycle, not the person's
    assert out.steps[0].practices[practice] != own.steps[0].practices[practice]


@pytest.mark.parametrize("role", ["director", "admin"])
def test_directors_and_admins_see_no_individuals_trend(
    db_session: Session, org: TrendOrg, role: str
) -> None:
    """Even as the recorded recipient of a share: aggregates only (their own trend aside)."""
    person = _person(db_session, org)
    _share(db_session, person, FIRST)
    _share(db_session, person, SECOND)
    assert person.manager_id is not None
    for viewer in (Viewer(person_id=person.manager_id, role=role), OPERATOR):
        with pytest.raises(PermissionDeniedError, match="aggregates only"):
            trend_service.person_trend(session=db_session, person=person, viewer=viewer)
    own = Viewer(person_id=person.id, role=role)  # their own trend is theirs
    assert trend_service.person_trend(session=db_session, person=person, viewer=own).cycles


def test_nothing_shared_means_no_trend_for_anyone_else(db_session: Session, org: TrendOrg) -> None:
    person = _person(db_session, org)
    for viewer in (_manager(db_session, person), Viewer(person_id=org.ids[2], role="member")):
        with pytest.raises(PermissionDeniedError, match="shared no closed review cycle"):
            trend_service.person_trend(session=db_session, person=person, viewer=viewer)
    _share(db_session, person, FIRST)  # shared with the manager, not with a teammate
    with pytest.raises(PermissionDeniedError):
        trend_service.person_trend(
            session=db_session, person=person, viewer=Viewer(person_id=org.ids[2], role="member")
        )


def test_an_open_cycle_is_left_out_even_when_shared(db_session: Session, org: TrendOrg) -> None:
    person = _person(db_session, org)
    _share(db_session, person, OPEN)
    with pytest.raises(PermissionDeniedError):  # the open cycle is all that is shared
        trend_service.person_trend(
            session=db_session, person=person, viewer=_manager(db_session, person)
        )
    own = trend_service.person_trend(session=db_session, person=person)
    assert OPEN not in [c.cycle for c in own.cycles]
    assert any("open cycle is left out" in n for n in own.notes)


def _v1_v2_org(session: Session) -> TrendOrg:
    """v1, then v2 with a planted rise of 1.5 on vision, then v2 again."""
    return write_trend_org(
        session,
        {"v1": (0, ()), "v2": (1, (("vision", 1.5),)), "v2b": (2, ())},
        banks={"v2": "2", "v2b": "2"},
    )


def _shared_score(
    session: Session, cycle: str, person: Person, ids: list[str]
) -> tuple[float, int]:
    """The others' score on ``ids`` (none reverse-keyed) by hand, with its raters: each other
    rater's mean of their answers, for those who answered all (3 of 3 is the 75 % rule on three
    items); then the documented groups: one manager shown, peers and reports shown from 3, the
    smaller ones pooled and the pool shown from 3; the mean over the raters shown."""
    answers = review_service.answers_by_ratee(session=session, cycle=_cycle(session, cycle))
    given: dict[tuple[str, int], dict[str, int]] = {}
    for a in answers[person.id]:
        if a.relation != "self" and a.item_id in ids and a.value is not None:
            given.setdefault((a.relation, a.rater), {})[a.item_id] = a.value
    means: dict[str, list[float]] = {"manager": [], "peer": [], "report": []}
    for (relation, _), values in given.items():
        if len(values) == len(ids):
            means[relation].append(sum(values.values()) / len(ids))
    assert len(means["manager"]) <= 1  # one manager per person in the fixture
    shown = list(means["manager"])
    pool = []
    for relation in ("peer", "report"):
        (shown if len(means[relation]) >= 3 else pool).extend(means[relation])
    if len(pool) >= 3:
        shown += pool
    return sum(shown) / len(shown), len(shown)


def test_cycles_on_different_item_banks_are_compared_on_their_shared_items(
    db_session: Session,
) -> None:
    """A v1 cycle then a v2 cycle: both are rescored on the 32 items the versions share and
    compared as usual; empowerment (its peers rate only 2 shared items) is still not compared,
    nor L and L − M, which rest on it. vision by hand: v1's vision-4 was split in v2, so it is
    compared on vision-1..3, each rater's mean of those, and the RCI from those figures."""
    org = _v1_v2_org(db_session)
    person = _person(db_session, org)
    out = trend_service.person_trend(session=db_session, person=person)
    assert [c.item_bank_version for c in out.cycles] == ["1", "2", "2"]
    across, same = out.steps
    assert across.basis == "shared items (32 of 46)" and same.basis == "same items"
    assert (across.changed, same.changed) == (["empowerment"], [])
    assert not across.comparable and same.comparable
    assert across.shared_items["vision"] == 3 and "empowerment" not in across.shared_items
    assert same.earlier_figures is None and same.later_figures is None
    assert across.practices["empowerment"] == across.L == across.leaning
    assert across.L.verdict == BANK_CHANGED and across.L.difference is None
    assert across.M.verdict != BANK_CHANGED  # every manager practice shares ≥ 3 items
    first, second = across.earlier_figures, across.later_figures
    assert first is not None and second is not None
    assert (first.cycle, second.cycle) == ("v1", "v2") and "empowerment" not in first.practices
    ids = ["vision-1", "vision-2", "vision-3"]
    for figures, cycle in ((first, "v1"), (second, "v2")):
        value, raters = _shared_score(db_session, cycle, person, ids)
        vision = figures.practices["vision"]
        assert (vision.value, vision.raters) == (round(value, 2), raters)
        own = out.cycles[["v1", "v2"].index(cycle)].practices["vision"]
        assert vision != own  # rescored: not the cycle's own report
    before, after = first.practices["vision"], second.practices["vision"]
    assert before.value is not None and after.value is not None
    assert before.se is not None and after.se is not None
    se = math.sqrt(before.se**2 + after.se**2)
    hand = (after.value - before.value) / se
    change = across.practices["vision"]
    assert change.rci is not None and abs(change.rci - hand) < 0.01 / se + abs(hand) * 0.01 / se
    assert change.verdict == IMPROVED and hand > 1.96  # the planted rise, on shared items
    compared = [c for p, c in across.practices.items() if p != "empowerment"]
    assert all(c.difference is not None for c in compared)
    assert BANK_CHANGED not in {c.verdict for c in same.practices.values()}
    # first → last (v1 → v2b) is compared the same way, on the same shared items
    assert out.overall is not None and out.overall.basis == across.basis
    assert out.overall.changed == ["empowerment"]


def test_shared_item_figures_keep_the_viewers_view_and_need_both_cycles_shared(
    db_session: Session,
) -> None:
    """A manager shared only the v2 cycle gets no step (the change would give the v1 scores on
    the shared items). Shared both, the rescored figures are the manager's view of each cycle
    on the shared items: the same group rules, just the common bank."""
    org = _v1_v2_org(db_session)
    person = _person(db_session, org)
    manager = _manager(db_session, person)
    _share(db_session, person, "v2")
    out = trend_service.person_trend(session=db_session, person=person, viewer=manager)
    assert [c.cycle for c in out.cycles] == ["v2"] and out.steps == [] and out.overall is None
    assert '"v1"' not in out.model_dump_json()
    _share(db_session, person, "v1")
    out = trend_service.person_trend(session=db_session, person=person, viewer=manager)
    across = out.steps[0]
    assert across.basis.startswith("shared items") and across.earlier_figures is not None
    common = common_bank(load_item_bank("1"), load_item_bank("2"))
    ids = {i.id for i in common.items}
    own = profile_service.cycle_scores(session=db_session, cycle="v1")
    rescored = profile_service.CycleScores(
        own.cycle,
        common,
        {r: [a for a in given if a.item_id in ids] for r, given in own.answers.items()},
    ).scores(person.id, viewer=manager.person_id)
    for practice, figure in across.earlier_figures.practices.items():
        score = rescored.practices[practice]
        assert figure.value == (None if score.others is None else round(score.others, 2))
        assert figure.raters == score.n_raters


def test_a_rater_shared_both_cycles_gets_their_own_view_of_the_shared_item_scores(
    db_session: Session,
) -> None:
    """A colleague who rated the person in the v1 cycle, later their manager and shared both
    cycles: on the shared items too, a group holding their own rating is shown to them only
    when it still hides enough others, so their rescored v1 figures are their view, not the
    person's, and the change is computed from that view."""
    org = _v1_v2_org(db_session)
    common = common_bank(load_item_bank("1"), load_item_bank("2"))
    ids = {i.id for i in common.items}
    for synthetic in range(24):
        person = _person(db_session, org, synthetic)
        own = profile_service.cycle_scores(session=db_session, cycle="v1")
        rescored = profile_service.CycleScores(
            own.cycle,
            common,
            {r: [a for a in given if a.item_id in ids] for r, given in own.answers.items()},
        )
        base = rescored.scores(person.id)
        found = [
            (rater, practice)
            for rater, relation in org.rated("v1", person.id).items()
            if relation in ("peer", "report") and rater not in org.rated("v2", person.id)
            for practice, score in rescored.scores(person.id, viewer=rater).practices.items()
            if practice in common.by_practice()
            and common.by_practice()[practice]
            and score.others != base.practices[practice].others
        ]
        if found:
            break
    assert found, "the fixture needs a colleague whose view of the shared items differs"
    rater, practice = found[0]
    person.manager_id = rater
    db_session.flush()
    _share(db_session, person, "v1")
    _share(db_session, person, "v2")
    out = trend_service.person_trend(
        session=db_session, person=person, viewer=Viewer(person_id=rater, role="manager")
    )
    mine = trend_service.person_trend(session=db_session, person=person)
    theirs, owners = out.steps[0], mine.steps[0]
    assert theirs.earlier_figures is not None and owners.earlier_figures is not None
    view = rescored.scores(person.id, viewer=rater).practices[practice]
    seen = theirs.earlier_figures.practices[practice]
    assert seen.value == (None if view.others is None else round(view.others, 2))
    assert seen.raters == view.n_raters < owners.earlier_figures.practices[practice].raters
    assert theirs.practices[practice] != owners.practices[practice]
    assert theirs.later_figures == owners.later_figures  # they did not rate in v2
