"""Completion and quality flags: planted straight-liners are flagged, honest raters are not."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from tandem.audit import service as audit_service
from tandem.review import forms, quality
from tandem.review import service as review_service
from tandem.review.items import load_item_bank
from tests.helpers import V1
from tests.review.conftest import write

CYCLE = "2026-q"
HEADER = "ratee,rater,relation,item_id,value\n"


def _rows(ratee: int, rater: int, relation: str, values: list[int | None]) -> str:
    ids = [i.id for i in load_item_bank("1").items]
    return "".join(
        f"{ratee},{rater},{relation},{item},{'' if v is None else v}\n"
        for item, v in zip(ids, values, strict=False)
    )


def test_straight_liners_are_flagged_and_varied_answers_are_not(
    db_session: Session, org: dict[str, int], tmp_path: Path
) -> None:
    review_service.create_cycle(session=db_session, name=CYCLE, item_bank_version=V1)
    review_service.assign_from_teams(session=db_session, cycle=CYCLE, teams=["Core"])
    cy, bob, di, ada = org["cy"], org["bob"], org["di"], org["ada"]
    varied = [1 + (n * 7) % 5 for n in range(50)]
    nearly = [4] * 45 + [3] * 5  # 90 % the same value: flagged (the boundary counts)
    below = [4] * 44 + [3] * 6  # 88 %: not flagged
    too_few = [5] * 9  # the same value, but fewer than 10 answers: not judged
    with_cant = [2] * 10 + [None] * 40  # 10 values, all the same: flagged
    path = write(
        tmp_path / "answers.csv",
        HEADER
        + _rows(cy, bob, "manager", nearly)
        + _rows(cy, di, "peer", varied)
        + _rows(cy, cy, "self", below)
        + _rows(bob, cy, "report", too_few)
        + _rows(bob, ada, "manager", with_cant),
    )
    review_service.import_responses(session=db_session, cycle=CYCLE, path=path)
    report = quality.quality(session=db_session, cycle=CYCLE, actor="cli:admin")
    # it names raters: the read is audited, with the cycle's id and nothing else
    [read] = audit_service.events(session=db_session, action="review.quality")
    cycle_id = review_service.get_cycle(session=db_session, name=CYCLE).id
    assert (read.actor, read.target, read.detail) == (
        "cli:admin", f"cycle:{cycle_id}", {"cycle_id": cycle_id}
    )  # fmt: skip
    by_pair = {(p.ratee_id, p.rater_id): p for p in report.pairs}
    flagged = {pair for pair, p in by_pair.items() if p.straight_lining}
    assert flagged == {(cy, bob), (bob, ada)}
    assert by_pair[(cy, bob)].modal_value == 4 and by_pair[(cy, bob)].modal_share == 0.9
    assert by_pair[(cy, cy)].modal_share == 0.88
    assert (by_pair[(bob, ada)].answered, by_pair[(bob, ada)].with_value) == (50, 10)
    assert {p.speeding for p in report.pairs} == {"unknown"}
    s = report.summary
    assert s.straight_lining == 2
    assert s.pairs == len(report.pairs) and s.speeding_unknown == s.pairs
    assert s.complete == 4  # 50 of 50 stored (can't observe counts as an answer)
    assert s.partial == 1  # Cy's 9 answers about Bob
    assert s.not_started == s.pairs - 5  # assigned, nothing answered yet


def test_the_straight_lining_rule() -> None:
    assert quality.straight_lining([]) == (None, None, False)
    assert quality.straight_lining([3] * 10) == (3, 1.0, True)  # zero variance
    assert quality.straight_lining([4] * 9 + [3]) == (4, 0.9, True)
    assert quality.straight_lining([4] * 8 + [3, 2]) == (4, 0.8, False)
    assert quality.straight_lining([5] * 9) == (5, 1.0, False)


def test_form_time_flags_speeding_and_untimed_saves_stay_unknown(
    db_session: Session, org: dict[str, int]
) -> None:
    review_service.create_cycle(session=db_session, name=CYCLE, item_bank_version=V1)
    review_service.assign_from_teams(session=db_session, cycle=CYCLE, teams=["Core"])
    cy, bob, di, ada = org["cy"], org["bob"], org["di"], org["ada"]
    ids = [i.id for i in load_item_bank("1").items]
    answers = {item: 1 + n % 5 for n, item in enumerate(ids)}  # 50 answers, varied

    def save(rater: int, ratee: int, part: dict[str, int], seconds: float | None) -> None:
        forms.save_answers(
            session=db_session, rater_id=rater, ratee_id=ratee, answers=part, cycle=CYCLE,
            seconds=seconds,
        )  # fmt: skip

    first, rest = dict(list(answers.items())[:20]), dict(list(answers.items())[20:])
    save(bob, cy, first, 30.0)  # two timed saves: 30 + 44 s over 20 + 30 answers
    save(bob, cy, rest, 44.0)  # = 1.48 s per answer: speeding
    save(di, cy, answers, 100.0)  # exactly 2 s per answer: not under it
    save(cy, bob, answers, None)  # untimed (API, CSV): unknown
    save(ada, bob, dict(list(answers.items())[:9]), 1.0)  # 9 timed answers: too few to judge
    report = quality.quality(session=db_session, cycle=CYCLE, actor="cli:admin")
    by_pair = {(p.ratee_id, p.rater_id): p for p in report.pairs}
    assert (by_pair[(cy, bob)].timed_answers, by_pair[(cy, bob)].seconds_per_answer) == (50, 1.48)
    assert by_pair[(cy, bob)].speeding == "yes"
    assert (by_pair[(cy, di)].seconds_per_answer, by_pair[(cy, di)].speeding) == (2.0, "no")
    assert (by_pair[(bob, cy)].timed_answers, by_pair[(bob, cy)].speeding) == (0, "unknown")
    assert by_pair[(bob, cy)].seconds_per_answer is None
    assert (by_pair[(bob, ada)].timed_answers, by_pair[(bob, ada)].speeding) == (9, "unknown")
    assert report.summary.speeding == 1
    assert report.summary.speeding_unknown == sum(p.speeding == "unknown" for p in report.pairs)
    # posting the same 50 answers again a second later (a re-shown form) stores nothing new:
    # it is not 50 more answers in 1 s, and Di is still not speeding
    save(di, cy, answers, 1.0)
    again = quality.quality(session=db_session, cycle=CYCLE, actor="cli:admin")
    di_cy = next(p for p in again.pairs if (p.ratee_id, p.rater_id) == (cy, di))
    assert (di_cy.timed_answers, di_cy.seconds_per_answer, di_cy.speeding) == (50, 2.0, "no")
    assert report.summary.speeding_unknown == report.summary.pairs - 2


def test_a_form_time_must_be_a_finite_duration(db_session: Session, org: dict[str, int]) -> None:
    review_service.create_cycle(session=db_session, name=CYCLE, item_bank_version=V1)
    review_service.assign_from_teams(session=db_session, cycle=CYCLE, teams=["Core"])
    for bad in (-1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="form seconds"):
            forms.save_answers(
                session=db_session, rater_id=org["bob"], ratee_id=org["cy"],
                answers={"vision-1": 4}, cycle=CYCLE, seconds=bad,
            )  # fmt: skip
