"""Duos show only what each person shared with the viewer, and a confirmed duo needs both consents.

The attack (issue 9): a leader, manager or director reads the duo suggestions or the confirmed
duos and learns the exact practice scores and leaning of people who never shared their report.
Each test reads as such a viewer and checks that nothing numeric about an unshared person
leaves the service, while the matching itself still uses everyone's scores.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.accounts.errors import PermissionDeniedError
from tandem.duos import service
from tandem.duos.models import Duo
from tandem.duos.schemas import CoverageOut, DuoOut, PairOut
from tandem.errors import ConflictError
from tandem.people.models import Person
from tandem.people.roster import import_roster
from tandem.profile import service as profile_service
from tandem.profile import sharing
from tandem.profile.schemas import ProfileOut
from tandem.profile.visibility import OPERATOR, Viewer
from tandem.review import service as review_service
from tandem.review.items import PRACTICE_IDS, load_item_bank
from tests.duos.test_service import CYCLE, ROSTER, as_max, build_org, pair_ids, sides, write
from tests.helpers import V1

DIGIT = re.compile(r"\d")


def _leaks_nothing(text: str) -> bool:
    """No number and no practice named: a qualitative explanation."""
    return DIGIT.search(text) is None and not any(p in text for p in PRACTICE_IDS)


def _hidden(pair: PairOut | DuoOut) -> bool:
    """No pair numbers; leanings and strengths only of whom the viewer may see."""
    unseen = [p for p in (pair.a, pair.b) if not p.shared]
    text = " ".join(
        s
        for s in pair.explanation.split(". ")
        if not any(s.startswith(p.name) for p in (pair.a, pair.b) if p.shared and "strongest" in s)
    )
    return (
        not pair.details
        and pair.score is None
        and pair.coverage is None
        and all(p.leaning is None for p in unseen)
        and DIGIT.search(pair.explanation) is None
        and _leaks_nothing(text)
    )


def test_unshared_scores_never_reach_the_line_manager(db_session: Session, tmp_path: Path) -> None:
    ids = build_org(db_session, tmp_path, shared=False)
    out = service.suggest(session=db_session, cycle=CYCLE, viewer=as_max(ids))
    # The matching still used everyone's scores (the hand-computed best pairs) ...
    assert pair_ids(out) == {
        frozenset((ids["ann"], ids["bea"])),
        frozenset((ids["cal"], ids["dot"])),
    }
    # ... but the viewer learns none of them.
    assert all(_hidden(pair) for pair in out.pairs)
    assert out.total_score is None
    assert "did not share it with you" in out.pairs[0].explanation
    (eli,) = out.unpaired
    assert DIGIT.search(eli.reason) is None and "self ratings are never used" in eli.reason
    dumped = out.model_dump_json()
    assert "leader-leaning" not in dumped and "covers" not in dumped


def test_one_share_is_not_enough_for_a_pair(db_session: Session, tmp_path: Path) -> None:
    ids = build_org(db_session, tmp_path, shared=False)
    sharing.set_shared(session=db_session, cycle=CYCLE, person_id=ids["ann"], shared=True)
    out = service.suggest(session=db_session, cycle=CYCLE, viewer=as_max(ids))
    ann_bea = next(p for p in out.pairs if p.a.id == ids["ann"])
    # max(Ann, Bea) per practice would reveal Bea wherever she is the stronger one.
    assert _hidden(ann_bea) and ann_bea.a.shared and not ann_bea.b.shared
    # Still useful: what Ann shared, and nothing of Bea's.
    assert (
        "Ann Leader's strongest practices by others' ratings: championing, change, empowerment."
        in ann_bea.explanation
    )
    assert "Bea Manager's strongest" not in ann_bea.explanation
    sharing.set_shared(session=db_session, cycle=CYCLE, person_id=ids["bea"], shared=True)
    out = service.suggest(session=db_session, cycle=CYCLE, viewer=as_max(ids))
    shown = {frozenset((p.a.id, p.b.id)): p for p in out.pairs}
    ann_bea = shown[frozenset((ids["ann"], ids["bea"]))]
    assert ann_bea.details and ann_bea.score == 5.0 and "vision (5.0)" in ann_bea.explanation
    assert _hidden(shown[frozenset((ids["cal"], ids["dot"]))])


@pytest.mark.parametrize("role", ["director", "admin"])
def test_directors_see_no_individual_numbers_even_when_shared(
    db_session: Session, tmp_path: Path, role: str
) -> None:
    ids = build_org(db_session, tmp_path)  # everyone shared with Max
    director = Viewer(person_id=ids["max"], role=role)
    out = service.suggest(session=db_session, cycle=CYCLE, viewer=director)
    assert out.pairs and all(_hidden(pair) for pair in out.pairs)


def test_sharing_with_someone_else_shows_nothing_to_a_peer(
    db_session: Session, tmp_path: Path
) -> None:
    ids = build_org(db_session, tmp_path)  # shared with Max, not with Bea
    as_bea = Viewer(person_id=ids["bea"], role="manager")
    out = service.suggest(session=db_session, cycle=CYCLE, viewer=as_bea)
    pair = next(p for p in out.pairs if ids["bea"] in (p.a.id, p.b.id))
    assert pair.b.shared and not pair.a.shared  # herself, and Ann who did not share with her
    assert _hidden(pair)


def test_confirmed_duos_and_the_operator_show_no_unshared_numbers(
    db_session: Session, tmp_path: Path
) -> None:
    ids = build_org(db_session, tmp_path, shared=False)
    duo = service.confirm(
        session=db_session,
        cycle=CYCLE,
        a="ann@example.com",
        b="bea@example.com",
        tie_breaker="max@example.com",
        confirmed_by="hr",
        viewer=as_max(ids),
    )
    assert _hidden(duo)
    for viewer in (as_max(ids), OPERATOR, Viewer(person_id=ids["cal"], role="member")):
        (listed,) = service.list_duos(session=db_session, cycle=CYCLE, viewer=viewer).duos
        assert _hidden(listed)
    # What was stored is unchanged: once both share with Max he sees the numbers.
    for name in ("ann", "bea"):
        sharing.set_shared(session=db_session, cycle=CYCLE, person_id=ids[name], shared=True)
    (listed,) = service.list_duos(session=db_session, cycle=CYCLE, viewer=as_max(ids)).duos
    assert listed.details and listed.score == 5.0 and "vision (5.0)" in listed.explanation


# -- consent -----------------------------------------------------------------------------------


def _confirm(session: Session, ids: dict[str, int], a: str = "ann", b: str = "bea") -> DuoOut:
    return service.confirm(
        session=session,
        cycle=CYCLE,
        a=f"{a}@example.com",
        b=f"{b}@example.com",
        tie_breaker="the person closer to the customer decides",
        confirmed_by="hr",
        viewer=as_max(ids),
    )


def _as(ids: dict[str, int], name: str) -> Viewer:
    return Viewer(person_id=ids[name], role="member")


def test_a_confirmed_duo_is_pending_until_both_accept(db_session: Session, tmp_path: Path) -> None:
    ids = build_org(db_session, tmp_path)
    duo = _confirm(db_session, ids)
    assert (duo.status, duo.a_consent, duo.b_consent) == ("pending", "pending", "pending")
    assert duo.tie_breaker_rule.endswith("they follow: the person closer to the customer decides.")
    first = service.respond(session=db_session, duo_id=duo.id, viewer=_as(ids, "ann"), accept=True)
    assert (first.status, first.a_consent, first.b_consent) == ("pending", "accepted", "pending")
    assert first.message == "You accepted; the duo counts once Bea Manager accepts too."
    again = service.respond(session=db_session, duo_id=duo.id, viewer=_as(ids, "ann"), accept=True)
    assert again.status == "pending"  # idempotent
    both = service.respond(session=db_session, duo_id=duo.id, viewer=_as(ids, "bea"), accept=True)
    assert both.status == "active" and both.message.startswith("Both accepted")
    with pytest.raises(ConflictError, match="is active already"):
        service.respond(session=db_session, duo_id=duo.id, viewer=_as(ids, "bea"), accept=False)


@pytest.mark.parametrize("who", ["max", "cal"])
def test_only_the_partners_answer_each_for_themselves(
    db_session: Session, tmp_path: Path, who: str
) -> None:
    ids = build_org(db_session, tmp_path)
    duo = _confirm(db_session, ids)
    # Max, who confirmed it and manages both, cannot accept for them; nor can a colleague.
    with pytest.raises(PermissionDeniedError, match="each for themselves"):
        service.respond(session=db_session, duo_id=duo.id, viewer=_as(ids, who), accept=True)
    with pytest.raises(PermissionDeniedError):
        service.respond(session=db_session, duo_id=duo.id, viewer=OPERATOR, accept=True)
    (listed,) = service.list_duos(session=db_session, cycle=CYCLE, viewer=OPERATOR).duos
    assert (listed.a_consent, listed.b_consent) == ("pending", "pending")


def test_a_decline_ends_the_duo_and_frees_both(db_session: Session, tmp_path: Path) -> None:
    ids = build_org(db_session, tmp_path)
    duo = _confirm(db_session, ids)
    # While pending, the pair holds its people: no second duo, not suggested again.
    with pytest.raises(ConflictError, match=r"already in a confirmed duo \(pending\)"):
        _confirm(db_session, ids, "ann", "cal")
    held = service.suggest(session=db_session, cycle=CYCLE, viewer=as_max(ids))
    assert frozenset((ids["ann"], ids["bea"])) not in pair_ids(held)
    out = service.respond(session=db_session, duo_id=duo.id, viewer=_as(ids, "bea"), accept=False)
    assert (out.status, out.a_consent, out.b_consent) == ("declined", "pending", "declined")
    assert "will not go ahead" in out.message
    with pytest.raises(ConflictError, match="is declined already"):
        service.respond(session=db_session, duo_id=duo.id, viewer=_as(ids, "ann"), accept=True)
    free = service.suggest(session=db_session, cycle=CYCLE, viewer=as_max(ids))
    assert frozenset((ids["ann"], ids["bea"])) in pair_ids(free)
    # Confirmed again later: both are asked again.
    again = _confirm(db_session, ids)
    assert again.id == duo.id and (again.a_consent, again.b_consent) == ("pending", "pending")


def test_a_reorg_after_sharing_moves_no_numbers_to_the_new_manager(
    db_session: Session, tmp_path: Path
) -> None:
    """Ann and Bea shared with Max; a reorg makes Eli their manager: Max keeps, Eli gets nothing."""
    from tandem.people.models import Person

    ids = build_org(db_session, tmp_path)  # everyone shared with their line manager, Max
    before = service.suggest(session=db_session, cycle=CYCLE, viewer=as_max(ids))
    ann_bea = next(p for p in before.pairs if p.a.id == ids["ann"])
    assert ann_bea.details and ann_bea.score is not None
    for name in ("ann", "bea"):
        person = db_session.get(Person, ids[name])
        assert person is not None
        person.manager_id = ids["eli"]
    db_session.flush()
    eli = Viewer(person_id=ids["eli"], role="leader")
    after_eli = service.suggest(session=db_session, cycle=CYCLE, viewer=eli)
    assert all(_hidden(pair) for pair in after_eli.pairs if ids["ann"] in (pair.a.id, pair.b.id))
    after_max = service.suggest(session=db_session, cycle=CYCLE, viewer=as_max(ids))
    kept = next(p for p in after_max.pairs if p.a.id == ids["ann"])
    assert kept.score == ann_bea.score and kept.details == ann_bea.details


# -- a recipient who rated the person ----------------------------------------------------------

# Ann is rated by Bea (manager, 3 everywhere) and three peers: Max, Cal and Dot (5 on the leader
# side, 1 on the manager side). Her own profile, each rater weighted alike: others =
# (3 + 3·5) / 4 = 4.5 on the leader side, (3 + 3·1) / 4 = 1.5 on the manager side. Max, who
# receives her shared report, is one of the three peers: subtracting his own answers would leave
# the mean of two, so in his view the peer group (and the pool) is suppressed and her others'
# score is Bea's alone, 3.0 everywhere. Bea is rated by Max alone (manager): 2 leader, 5 manager.
RATED_BY_MAX = (
    ("ann", "bea", "manager", sides(3, 3)),
    ("ann", "max", "peer", sides(5, 1)),
    ("ann", "cal", "peer", sides(5, 1)),
    ("ann", "dot", "peer", sides(5, 1)),
    ("bea", "max", "manager", sides(2, 5)),
)


def build_rated_by_max(session: Session, tmp_path: Path) -> dict[str, int]:
    """The hand roster, :data:`RATED_BY_MAX` answered and closed; Ann and Bea share with Max."""
    bank = load_item_bank(V1)
    lines = ["ratee,rater,relation,item_id,value"]
    for ratee, rater, relation, values in RATED_BY_MAX:
        for item in bank.items:
            v = values[item.practice]
            keyed = 6 - v if item.reverse else v
            lines.append(f"{ratee}@example.com,{rater}@example.com,{relation},{item.id},{keyed}")
    import_roster(session=session, path=write(tmp_path / "roster.csv", ROSTER))
    review_service.create_cycle(session=session, name=CYCLE, item_bank_version=V1)
    answers = write(tmp_path / "answers.csv", "\n".join(lines) + "\n")
    review_service.import_responses(session=session, cycle=CYCLE, path=answers)
    review_service.close_cycle(session=session, name=CYCLE)
    ids = {p.display_name.split()[0].lower(): p.id for p in session.scalars(select(Person))}
    for name in ("ann", "bea"):
        sharing.set_shared(session=session, cycle=CYCLE, person_id=ids[name], shared=True)
    return ids


def profiles_as(session: Session, ids: dict[str, int], viewer: str) -> dict[str, ProfileOut]:
    """Ann's and Bea's profiles as ``viewer`` reads them (shared with them: no self ratings)."""
    cycle = review_service.get_cycle(session=session, name=CYCLE)
    out = {}
    for name in ("ann", "bea"):
        found = profile_service.profile_view(
            session=session,
            person=session.get_one(Person, ids[name]),
            cycle=cycle,
            include_self=False,
            viewer_id=ids[viewer],
        )
        assert isinstance(found, ProfileOut)
        out[name] = found
    return out


def _covers_as_the_profiles_show(
    cov: CoverageOut | None, profiles: dict[str, ProfileOut], ids: dict[str, int]
) -> None:
    """Every practice of the pair is max(Ann, Bea) of the others' scores the profiles show."""
    assert cov is not None
    for practice, cover in cov.practices.items():
        values = {n: profiles[n].practices[practice].others for n in ("ann", "bea")}
        best = max(v for v in values.values() if v is not None)
        assert cover.value == best
        assert cover.by == sorted(ids[n] for n, v in values.items() if v == best)


def test_a_recipient_who_rated_sees_in_a_pair_what_the_profile_shows(
    db_session: Session, tmp_path: Path
) -> None:
    """The attack: Max reads the pair's vision cover, 4.5, takes Bea's 3.0 (shown alone on the
    profile) and his own 5 away and has Cal + Dot = 10, which the profile withholds from him."""
    ids = build_rated_by_max(db_session, tmp_path)
    profiles = profiles_as(db_session, ids, "max")
    vision = profiles["ann"].practices["vision"]
    assert vision.groups["peer"] == "suppressed" and vision.others == 3.0
    ann_own = profile_service.profile(session=db_session, person="ann@example.com", cycle=CYCLE)
    assert ann_own.practices["vision"].others == 4.5  # what the matching uses
    out = service.suggest(session=db_session, cycle=CYCLE, viewer=as_max(ids))
    (pair,) = out.pairs
    assert pair.details and (pair.a.id, pair.b.id) == (ids["ann"], ids["bea"])
    _covers_as_the_profiles_show(pair.coverage, profiles, ids)
    # leader 3 (Ann), manager 5 (Bea): C = 4, score (4 + 3) / 2; not what the matching saw,
    # leader 4.5 (Ann), manager 5: C = 4.75, score (4.75 + 4.5) / 2 = 4.625
    assert pair.score == 3.5 and out.total_score == 3.5
    assert "vision (3.0)" in pair.explanation and "(4.5)" not in pair.explanation
    assert (pair.a.leaning, pair.b.leaning) == (
        profiles["ann"].leaning,
        profiles["bea"].leaning,
    )
    # A confirmed duo stores what the matching saw; Max is shown his view of it.
    confirmed = service.confirm(
        session=db_session,
        cycle=CYCLE,
        a="ann@example.com",
        b="bea@example.com",
        tie_breaker="max@example.com",
        confirmed_by="hr",
        viewer=as_max(ids),
    )
    stored = db_session.get_one(Duo, confirmed.id)
    assert stored.score == 4.625
    (listed,) = service.list_duos(session=db_session, cycle=CYCLE, viewer=as_max(ids)).duos
    for shown in (confirmed, listed):
        assert shown.details and shown.score == 3.5
        _covers_as_the_profiles_show(shown.coverage, profiles, ids)
        assert shown.explanation == pair.explanation
    # A duo stored before the gate sentence and the bonus setting were kept is recomputed too.
    older = {k: v for k, v in stored.explanation.items() if k not in ("gate_text", "bonus_setting")}
    stored.explanation = older
    db_session.flush()
    (listed,) = service.list_duos(session=db_session, cycle=CYCLE, viewer=as_max(ids)).duos
    assert listed.score == 3.5 and "vision (3.0)" in listed.explanation
    assert listed.explanation.endswith("Compatibility gate not applied.")


def test_a_recipient_who_rated_gets_no_strengths_the_profile_withholds(
    db_session: Session, tmp_path: Path
) -> None:
    """Bea takes her share back: the pair is qualitative for Max, with Ann's strongest practices
    by name. From her others' scores of 4.5 they were the leader practices; in Max's view of her
    profile nothing reaches 4."""
    ids = build_rated_by_max(db_session, tmp_path)
    sharing.set_shared(session=db_session, cycle=CYCLE, person_id=ids["bea"], shared=False)
    profiles = profiles_as(db_session, ids, "max")
    assert all(p.others is not None and p.others < 4 for p in profiles["ann"].practices.values())
    (pair,) = service.suggest(session=db_session, cycle=CYCLE, viewer=as_max(ids)).pairs
    assert _hidden(pair) and pair.a.shared
    assert "Ann Leader has no practice others see 'often' or more." in pair.explanation
