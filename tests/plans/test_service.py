"""Development plans in the database: made from the profile, shown again, progress recorded."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tandem.errors import ConflictError, InputError, NotFoundError
from tandem.plans import service
from tandem.plans.library import load_action_library
from tandem.plans.models import DevelopmentPlan, PlanAction, PlanProgress
from tandem.profile import service as profile_service
from tandem.profile.service import ResultsLockedError
from tandem.review import service as review_service
from tandem.review.items import practices_of
from tests.profile.test_service import (
    HAND_RATINGS,
    hand_answers_csv,
    setup_hand_org,
    write,
    write_synthetic,
)

DAY = dt.date(2026, 1, 15)


def _practice(csv_line: str) -> str:
    return csv_line.split(",")[3].rsplit("-", 1)[0]


def count(session: Session, model: type[object]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_a_plan_is_made_from_the_profile_with_reasons_and_a_rerate_date(
    db_session: Session, tmp_path: Path
) -> None:
    ids = setup_hand_org(db_session, tmp_path)
    plan = service.get_or_create_plan(
        session=db_session, person="rae@example.com", cycle="2026-H1", plan_date=DAY
    )
    # L = 3.5 > M = 3.4: the manager side; process 3.0 lowest, then performance and
    # communication tied at 3.5 (fixed practice order), the third within 0.25 of the second.
    assert (plan.has_plan, plan.created, plan.side) == (True, True, "manager")
    assert plan.person.id == ids["rae"]
    assert plan.reason == "the manager side is weaker by others' ratings: M 3.40 < L 3.50"
    assert [p.practice for p in plan.practices] == ["process", "performance", "communication"]
    assert [p.reason for p in plan.practices] == [
        "lowest on the manager side: 3.0",
        "second lowest on the manager side: 3.5",
        "third lowest on the manager side: 3.5",
    ]
    assert plan.practices[0].others == 3.0
    assert plan.plan_date == DAY and plan.rerate_date == dt.date(2026, 7, 16)  # + 182 days
    library = load_action_library()
    for practice in plan.practices:
        expected = library.for_practice(practice.practice)[:2]
        assert [a.action_id for a in practice.actions] == [a.id for a in expected]
        assert [a.behaviour for a in practice.actions] == [a.behaviour for a in expected]
        assert all(a.status == "planned" and a.progress == [] for a in practice.actions)
        assert all(a.rerate_date == dt.date(2026, 7, 16) for a in practice.actions)
    assert (count(db_session, DevelopmentPlan), count(db_session, PlanAction)) == (1, 6)
    stored = db_session.scalars(select(DevelopmentPlan)).one()
    assert (stored.person_id, stored.weaker_side, stored.plan_date) == (ids["rae"], "manager", DAY)
    assert not plan.stale


def test_asking_again_shows_the_stored_plan(db_session: Session, tmp_path: Path) -> None:
    setup_hand_org(db_session, tmp_path)
    first = service.get_or_create_plan(
        session=db_session, person="rae@example.com", cycle="2026-H1", plan_date=DAY
    )
    again = service.get_or_create_plan(
        session=db_session,
        person="rae@example.com",
        cycle="2026-H1",
        plan_date=DAY.replace(year=2030),
    )
    assert again.created is False
    assert again.model_dump(exclude={"created"}) == first.model_dump(exclude={"created"})
    assert (count(db_session, DevelopmentPlan), count(db_session, PlanAction)) == (1, 6)


def test_progress_is_recorded_with_the_status(db_session: Session, tmp_path: Path) -> None:
    setup_hand_org(db_session, tmp_path)
    plan = service.get_or_create_plan(
        session=db_session, person="rae@example.com", cycle="2026-H1", plan_date=DAY
    )
    action_id = plan.practices[0].actions[0].id
    doing = service.record_progress(
        session=db_session, action_id=action_id, status="doing", note=" mapped the flow "
    )
    done = service.record_progress(
        session=db_session, action_id=action_id, status="done", note="removed the review queue"
    )
    assert doing.status == "doing" and done.status == "done"
    assert [(p.status, p.note) for p in done.progress] == [
        ("doing", "mapped the flow"),
        ("done", "removed the review queue"),
    ]
    assert count(db_session, PlanProgress) == 2
    shown = service.get_or_create_plan(
        session=db_session, person="rae@example.com", cycle="2026-H1"
    )
    assert shown.created is False
    statuses = [a.status for p in shown.practices for a in p.actions]
    assert statuses == ["done"] + ["planned"] * 5
    with pytest.raises(InputError, match="not one of doing, done, dropped"):
        service.record_progress(session=db_session, action_id=action_id, status="finished")
    with pytest.raises(NotFoundError, match="no plan action 999999"):
        service.record_progress(session=db_session, action_id=999999, status="done")


def test_progress_on_one_s_own_plan_only(db_session: Session, tmp_path: Path) -> None:
    ids = setup_hand_org(db_session, tmp_path)
    plan = service.get_or_create_plan(
        session=db_session, person="rae@example.com", cycle="2026-H1", plan_date=DAY
    )
    action_id = plan.practices[0].actions[0].id
    done = service.record_own_progress(
        session=db_session, person_id=ids["rae"], action_id=action_id, status="done"
    )
    assert done.status == "done"
    other = next(i for name, i in ids.items() if name != "rae")
    for person_id, missing in ((other, action_id), (ids["rae"], 999999)):
        with pytest.raises(NotFoundError, match=f"you have no plan action {missing}"):
            service.record_own_progress(
                session=db_session, person_id=person_id, action_id=missing, status="dropped"
            )
    assert count(db_session, PlanProgress) == 1  # the refused ones recorded nothing


def test_no_plan_is_stored_when_l_or_m_is_unknown(db_session: Session, tmp_path: Path) -> None:
    setup_hand_org(db_session, tmp_path, close=False)
    all_rows = hand_answers_csv({"max": ("manager", 4)}, ratee="nia")
    # Max rates Nia on the leader practices only: M is unknown
    lines = [
        line
        for line in all_rows.splitlines()
        if line.startswith("ratee") or _practice(line) in practices_of("leader")
    ]
    review_service.import_responses(
        session=db_session,
        cycle="2026-H1",
        path=write(tmp_path / "nia.csv", "\n".join(lines) + "\n"),
    )
    review_service.close_cycle(session=db_session, name="2026-H1")
    plan = service.get_or_create_plan(session=db_session, person="nia@example.com", cycle="2026-H1")
    assert (plan.has_plan, plan.plan_id, plan.practices) == (False, None, [])
    assert plan.reason == "no plan: M not known (too few ratings from others)"
    assert count(db_session, DevelopmentPlan) == 0


def test_a_plan_waits_for_the_close_and_its_answers_are_frozen_after(
    db_session: Session, tmp_path: Path
) -> None:
    setup_hand_org(db_session, tmp_path, close=False)
    with pytest.raises(ResultsLockedError, match="locked until it is closed"):
        service.get_or_create_plan(
            session=db_session, person="rae@example.com", cycle="2026-H1", plan_date=DAY
        )
    assert count(db_session, DevelopmentPlan) == 0
    review_service.close_cycle(session=db_session, name="2026-H1")
    first = service.get_or_create_plan(
        session=db_session, person="rae@example.com", cycle="2026-H1", plan_date=DAY
    )
    assert first.side == "manager"
    # everyone now tries to rate Rae 5 on every manager practice: the closed cycle refuses,
    # so the plan cannot go stale
    raised = {rater: (relation, 5) for rater, (relation, _) in HAND_RATINGS.items()}
    manager_rows = [
        line
        for line in hand_answers_csv(raised).splitlines()
        if line.startswith("ratee") or _practice(line) in practices_of("manager")
    ]
    with pytest.raises(ConflictError, match="was closed"):
        review_service.import_responses(
            session=db_session,
            cycle="2026-H1",
            path=write(tmp_path / "more.csv", "\n".join(manager_rows) + "\n"),
        )
    shown = service.get_or_create_plan(
        session=db_session, person="rae@example.com", cycle="2026-H1"
    )
    assert shown.created is False and not shown.stale and shown.side == "manager"


def test_blind_spots_come_first_with_their_reason(db_session: Session) -> None:
    _, ids = write_synthetic(db_session, cycle="synthetic", n_people=60, seed=11)
    loaded = profile_service.cycle_scores(session=db_session, cycle="synthetic")
    with_blind_spot = []
    for pid in ids.values():
        pure = loaded.scores(pid)
        if pure.L is None or pure.M is None:
            continue
        weaker = "leader" if round(pure.L.value, 2) < round(pure.M.value, 2) else "manager"
        on_side = [p for p in pure.blind_spots if p in practices_of(weaker)]
        if on_side:
            with_blind_spot.append((pid, on_side))
    assert with_blind_spot, "seed 11 should give someone a blind spot on their weaker side"
    pid, blind = with_blind_spot[0]
    plan = service.get_or_create_plan(session=db_session, person=str(pid), cycle="synthetic")
    first = plan.practices[0]
    assert first.blind_spot and first.practice in blind
    assert first.reason is not None and first.reason.startswith("blind spot: you rate yourself")
    assert first.reason.endswith(")") and "above your usual gap" in first.reason
