"""The 360 privacy holes, each attack reproduced against the service and shown closed.

* differencing in an open cycle: two reads around one more answer gave that rater's scores;
* two managers shown as a group of 2 (and three: the recipient subtracts their own answers);
* every shown score leaves the service with at most 2 decimals.

Reorg after sharing is in ``test_sharing.py`` (service) and ``tests/web/test_people_privacy.py``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tandem.errors import ConflictError
from tandem.people.models import Person
from tandem.profile import service
from tandem.profile.schemas import LockedProfileOut, ProfileOut, dump
from tandem.review import forms
from tandem.review import service as review_service
from tandem.review.items import PRACTICE_IDS, load_item_bank
from tests.helpers import V1
from tests.profile.test_service import (
    HAND_RATINGS,
    hand_answers_csv,
    setup_hand_org,
    write,
    write_synthetic,
)

CYCLE = "2026-H1"


def _rae(session: Session, ids: Mapping[str, int]) -> Person:
    return session.get_one(Person, ids["rae"])


def _import(
    session: Session, tmp_path: Path, name: str, ratings: dict[str, tuple[str, int]]
) -> None:
    path = write(tmp_path / f"{name}.csv", hand_answers_csv(ratings))
    review_service.import_responses(session=session, cycle=CYCLE, path=path)


def _peer_sum(read: dict[str, Any], practice: str) -> float | None:
    """What the attacker computes from one read: n·mean of the peer group, if shown."""
    practices = read.get("practices", {})
    group = practices.get(practice, {}).get("groups", {}).get("peer")
    if not isinstance(group, dict):
        return None
    return float(group["n"] * group["mean"])


# -- differencing in an open cycle ----------------------------------------------------------------


def test_reading_before_and_after_one_more_answer_reveals_nothing(
    db_session: Session, tmp_path: Path
) -> None:
    """Rae reads her profile, Nia answers as a fourth peer, Rae reads again: n·mean before and
    after used to give Nia's exact practice scores. An open cycle shows completion counts only."""
    ids = setup_hand_org(db_session, tmp_path, close=False)
    cycle = review_service.get_cycle(session=db_session, name=CYCLE)
    rae = _rae(db_session, ids)
    before = service.profile_view(session=db_session, person=rae, cycle=cycle)
    _import(db_session, tmp_path, "nia", {"nia": ("peer", 1)})
    after = service.profile_view(session=db_session, person=rae, cycle=cycle)
    for read in (before, after):
        assert isinstance(read, LockedProfileOut)
        assert "practices" not in dump(read) and "L" not in dump(read)
    # the attack finds no number to subtract
    assert _peer_sum(dump(before), "vision") is None and _peer_sum(dump(after), "vision") is None
    assert before.completion.raters_answered == 6 and after.completion.raters_answered == 7
    assert after.completion.raters_invited == 7 and after.completion.self_answered
    # Whether Rae started her self-assessment is hers: a recipient's view leaves it out.
    other = service.profile_view(session=db_session, person=rae, cycle=cycle, include_self=False)
    assert isinstance(other, LockedProfileOut) and other.completion.self_answered is None
    # every way to the numbers is locked while the cycle is open
    with pytest.raises(service.ResultsLockedError, match="locked until it is closed"):
        service.person_profile(session=db_session, person=rae, cycle=cycle)
    with pytest.raises(service.ResultsLockedError):
        service.cycle_scores(session=db_session, cycle=CYCLE)
    with pytest.raises(service.ResultsLockedError):
        service.reliability(session=db_session, cycle=CYCLE)
    with pytest.raises(service.ResultsLockedError):
        service.profile(session=db_session, person="rae@example.com", cycle=CYCLE)


def test_after_the_close_the_answers_are_frozen(db_session: Session, tmp_path: Path) -> None:
    """Closed: results shown once, and no answer can change them, so there is no second read."""
    ids = setup_hand_org(db_session, tmp_path, close=False)
    review_service.close_cycle(session=db_session, name=CYCLE)
    cycle = review_service.get_cycle(session=db_session, name=CYCLE)
    shown = service.profile_view(session=db_session, person=_rae(db_session, ids), cycle=cycle)
    assert isinstance(shown, ProfileOut)
    with pytest.raises(ConflictError, match="closed"):
        _import(db_session, tmp_path, "late", {"pia": ("peer", 1)})
    with pytest.raises(ConflictError, match="closed"):
        forms.save_answers(
            session=db_session,
            rater_id=ids["pia"],
            ratee_id=ids["rae"],
            answers={"vision-1": 1},
            cycle=CYCLE,
        )
    again = service.profile_view(session=db_session, person=_rae(db_session, ids), cycle=cycle)
    assert again == shown


# -- managers -------------------------------------------------------------------------------------


def test_two_managers_are_not_a_group_of_two(db_session: Session, tmp_path: Path) -> None:
    """Max and Nia both rate Rae as manager. A shown mean of the two let Max, who receives the
    shared report, subtract his own score and read Nia's. Now neither is shown nor pooled."""
    ratings = {**HAND_RATINGS, "nia": ("manager", 2)}
    setup_hand_org(db_session, tmp_path, close=False)
    _import(db_session, tmp_path, "nia", {"nia": ratings["nia"]})
    review_service.close_cycle(session=db_session, name=CYCLE)
    out = dump(service.profile(session=db_session, person="rae@example.com", cycle=CYCLE))
    vision = out["practices"]["vision"]
    assert vision["groups"]["manager"] == "suppressed"
    # others = the peers alone (10/3): the managers feed no shown number
    assert vision["others"] == round(10 / 3, 2)
    max_score = HAND_RATINGS["max"][1]
    two_mean = (max_score + 2) / 2  # what the old group of 2 showed
    assert f"{two_mean}" not in json.dumps(vision)
    # Nia's answers change nothing shown: nothing to subtract from
    other = {"nia": ("manager", 5)}
    _reopen_with(db_session, tmp_path, other)
    changed = dump(service.profile(session=db_session, person="rae@example.com", cycle="again"))
    assert changed["practices"] == out["practices"] and changed["L"] == out["L"]
    assert any("only a single manager is shown alone" in note for note in out["notes"])


def _reopen_with(session: Session, tmp_path: Path, extra: dict[str, tuple[str, int]]) -> None:
    """The same answers in a second cycle ``again``, with ``extra`` raters, closed."""
    review_service.create_cycle(session=session, name="again", item_bank_version=V1)
    for name, ratings in (("base", HAND_RATINGS), ("extra", extra)):
        path = write(tmp_path / f"again-{name}.csv", hand_answers_csv(ratings))
        review_service.import_responses(session=session, cycle="again", path=path)
    review_service.close_cycle(session=session, name="again")


def test_three_managers_stay_hidden_and_four_are_shown(db_session: Session, tmp_path: Path) -> None:
    """Of three managers the recipient subtracts their own answers and reads two: hidden.
    From four, three remain after any one's subtraction: shown as a group."""
    setup_hand_org(db_session, tmp_path)  # the roster; Nia, Ren (and Roy) rate as managers
    three = {"nia": ("manager", 2), "ren": ("manager", 5)}
    review_service.create_cycle(session=db_session, name="three", item_bank_version=V1)
    four = {**three, "roy": ("manager", 3)}
    review_service.create_cycle(session=db_session, name="four", item_bank_version=V1)
    base = {k: v for k, v in HAND_RATINGS.items() if k not in ("ren", "roy")}
    for cycle, extra in (("three", three), ("four", four)):
        path = write(tmp_path / f"{cycle}.csv", hand_answers_csv({**base, **extra}))
        review_service.import_responses(session=db_session, cycle=cycle, path=path)
        review_service.close_cycle(session=db_session, name=cycle)
    hidden = service.profile(session=db_session, person="rae@example.com", cycle="three")
    assert hidden.practices["vision"].groups["manager"] == "suppressed"
    shown = service.profile(session=db_session, person="rae@example.com", cycle="four")
    group = shown.practices["vision"].groups["manager"]
    assert not isinstance(group, str)
    assert (group.n, group.mean, group.label) == (4, round((4 + 2 + 5 + 3) / 4, 2), "managers")


# -- rounding -------------------------------------------------------------------------------------


def _floats(value: object) -> list[float]:
    if isinstance(value, float):
        return [value]
    if isinstance(value, dict):
        return [f for v in value.values() for f in _floats(v)]
    if isinstance(value, list | tuple):
        return [f for v in value for f in _floats(v)]
    return []


def test_every_shown_score_has_at_most_two_decimals(db_session: Session) -> None:
    _, ids = write_synthetic(db_session, cycle="synthetic", n_people=60, seed=11)
    seen = 0
    for pid in list(ids.values())[:10]:
        out = dump(service.profile(session=db_session, person=str(pid), cycle="synthetic"))
        floats = _floats({k: v for k, v in out.items() if k != "notes"})
        assert floats and all(round(f, 2) == f for f in floats)
        seen += len(floats)
    assert seen > 10 * len(PRACTICE_IDS)
    # the labels are decided on the unrounded values: the same as the pure scoring's
    scores = service.cycle_scores(session=db_session, cycle="synthetic")
    bank = load_item_bank(V1)
    assert scores.bank.version == bank.version
    for pid in ids.values():
        person = db_session.get_one(Person, pid)
        assert service.profile_out(scores, person).leaning == scores.scores(pid).leaning


def test_a_viewer_who_rated_as_a_peer_cannot_subtract_themselves(
    db_session: Session, tmp_path: Path
) -> None:
    """Max, Rae's line manager (who receives her shared report), was assigned to rate her as a
    peer with Pia and Pat. The peer mean of 3 is fine for Rae; Max subtracting his own answers
    from it would read the mean of two. In Max's view that group hides, and nothing takes its
    place: the two reports stay hidden as for Rae, never pooled with the peers for him alone
    (that pool beside Rae's peer mean, shared with him, would give the reports' mean back)."""
    ids = setup_hand_org(db_session, tmp_path)  # the roster (and the usual cycle)
    ratings = {
        "rae": ("self", 5),
        "max": ("peer", 4),
        "pia": ("peer", 3),
        "pat": ("peer", 3),
        "ren": ("report", 2),
        "roy": ("report", 3),
    }
    review_service.create_cycle(session=db_session, name="peers", item_bank_version=V1)
    path = write(tmp_path / "peers.csv", hand_answers_csv(ratings))
    review_service.import_responses(session=db_session, cycle="peers", path=path)
    review_service.close_cycle(session=db_session, name="peers")
    cycle = review_service.get_cycle(session=db_session, name="peers")
    rae = _rae(db_session, ids)
    own = service.person_profile(session=db_session, person=rae, cycle=cycle)
    assert own.practices["vision"].groups["peer"] != "suppressed"
    for viewer in (ids["max"], ids["pia"]):
        seen = service.profile_view(
            session=db_session, person=rae, cycle=cycle, include_self=False, viewer_id=viewer
        )
        assert isinstance(seen, ProfileOut)
        groups = seen.practices["vision"].groups
        assert groups["peer"] == "suppressed" and groups["report"] == "suppressed"
        assert groups["others"] == "suppressed"  # the reports stay two, as for Rae
        assert own.practices["vision"].groups["others"] == "suppressed"
        assert seen.practices["vision"].others is None and seen.practices["vision"].n_raters == 0
    # a viewer who did not rate Rae sees what Rae sees (without self)
    outsider = service.profile_view(
        session=db_session, person=rae, cycle=cycle, include_self=False, viewer_id=ids["nia"]
    )
    assert isinstance(outsider, ProfileOut)
    assert outsider.practices == {
        p: s.model_copy(
            update={
                "self_score": None,
                "difference": None,
                "relative_difference": None,
                "relative_threshold": None,
                "agreement": None,
                "agreement_reason": None,
            }
        )
        for p, s in own.practices.items()
    }
