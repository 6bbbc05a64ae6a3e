"""Completion of a cycle: each pair's progress, the admins' per-group view and its rules."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tandem.audit import service as audit
from tandem.profile import service as profile_service
from tandem.review import completion, forms
from tandem.review import service as review_service
from tandem.review.completion import Progress, group_completion
from tests.helpers import V1

CYCLE = "2026-h1"


def done(relation: str, n: int, *, of: int | None = None) -> list[Progress]:
    """``n`` submitted raters in ``relation`` out of ``of`` assigned (the rest not started)."""
    of = n if of is None else of
    return [Progress(relation, 50, 50)] * n + [Progress(relation, 0, 50)] * (of - n)


def shown(groups: list[completion.GroupCompletion]) -> dict[str, tuple[int, int, bool, bool]]:
    return {g.group: (g.submitted, g.assigned, g.shown_now, g.shown_if_all_submit) for g in groups}


def test_one_manager_is_shown_two_or_three_never_four_as_a_group() -> None:
    assert shown(group_completion(done("manager", 1)))["manager"] == (1, 1, True, True)
    assert shown(group_completion(done("manager", 2)))["manager"] == (2, 2, False, False)
    assert shown(group_completion(done("manager", 3, of=4)))["manager"] == (3, 4, False, True)
    assert shown(group_completion(done("manager", 0, of=1)))["manager"] == (0, 1, False, True)


def test_small_peer_and_report_groups_are_pooled_into_others() -> None:
    groups = shown(group_completion(done("peer", 2) + done("report", 1, of=2)))
    assert groups["peer"] == (2, 2, False, False)
    assert groups["report"] == (1, 2, False, False)
    assert groups["others"] == (3, 4, True, True)  # 2 peers + 1 report pooled: shown
    three_peers = shown(group_completion(done("peer", 3) + done("report", 1)))
    assert three_peers["peer"] == (3, 3, True, True)
    assert three_peers["others"] == (1, 1, False, False)  # a lone report: never shown
    waiting = shown(group_completion(done("peer", 1, of=3)))
    assert waiting["peer"] == (1, 3, False, True)
    assert waiting["others"] == (1, 3, False, True)  # once all submit, peers stand alone


def test_the_admins_view_names_pending_raters_and_is_audited(
    db_session: Session, org: dict[str, int]
) -> None:
    review_service.create_cycle(session=db_session, name=CYCLE, item_bank_version=V1)
    review_service.assign_from_teams(session=db_session, cycle=CYCLE, teams=["Core"])
    bob = org["bob"]  # rated by Ada (manager), Cy, Di and Eve (reports) and himself
    every = {i.id: "3" for i in load_items()}
    forms.save_answers(session=db_session, rater_id=org["cy"], ratee_id=bob, answers=every)
    forms.save_answers(
        session=db_session, rater_id=org["di"], ratee_id=bob, answers={"vision-1": "2"}
    )
    report = completion.cycle_completion(session=db_session, cycle=CYCLE, actor="cli:test")
    (row,) = [r for r in report.ratees if r.ratee_id == bob]
    assert (row.raters, row.submitted, row.self_submitted) == (4, 1, False)
    assert shown(row.groups) == {
        "manager": (0, 1, False, True),
        "report": (1, 3, False, True),
        "others": (1, 3, False, True),  # pooled for now; once all submit, reports stand alone
    }
    assert [(p.rater, p.answered, p.asked) for p in row.pending] == [
        ("Ada Lovelace", 0, 50),
        ("Di Prince", 1, 50),
        ("Eve Online", 0, 50),
    ]
    (event,) = audit.events(session=db_session, action="review.completion")
    assert event.detail == {"ratees": len(report.ratees)} and event.subject_person_id is None
    # the ratee's own view: totals only, the same raters counted
    cycle = review_service.get_cycle(session=db_session, name=CYCLE)
    theirs = profile_service.completion(session=db_session, cycle=cycle, person_id=bob)
    assert (theirs.raters_invited, theirs.raters_answered, theirs.raters_submitted) == (4, 2, 1)
    assert set(theirs.model_dump()) == {
        "raters_invited",
        "raters_answered",
        "raters_submitted",
        "self_answered",
    }


def load_items():  # type: ignore[no-untyped-def]
    from tandem.review.items import load_item_bank

    return load_item_bank("1").items


@pytest.mark.parametrize("cycle_name", ["nope"])
def test_an_unknown_cycle_is_named(db_session: Session, cycle_name: str) -> None:
    from tandem.errors import NotFoundError

    with pytest.raises(NotFoundError, match="no review cycle 'nope'"):
        completion.cycle_completion(session=db_session, cycle=cycle_name, actor="cli:test")
