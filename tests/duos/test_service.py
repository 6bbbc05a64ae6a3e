"""Duos from the database: hand-computed suggestions, confirmation rules, the demo organisation.

The hand organisation is rated by one manager (Max) per ratee, so every others' score is the
manager's keyed value (the manager group is shown alone), and the pairs can be worked by hand.
The team-coverage and CLI tests reuse its builders.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tandem.csvfile import BadRowsError
from tandem.demo.org import DEMO_CYCLE
from tandem.duos import service
from tandem.duos.matching import MIN_GAIN, Candidate, pair_gain
from tandem.duos.models import Duo
from tandem.errors import ConflictError, InputError, NotFoundError
from tandem.people.models import Person
from tandem.people.roster import import_roster
from tandem.profile import service as profile_service
from tandem.profile import sharing
from tandem.profile.visibility import OPERATOR, Viewer
from tandem.review import service as review_service
from tandem.review.items import PRACTICE_IDS, load_item_bank
from tandem.review.models import ReviewResponse
from tests.helpers import V1

LEADER, MANAGER = PRACTICE_IDS[:5], PRACTICE_IDS[5:]
CYCLE = "2026-H1"

ROSTER = """name,email,team,role,manager
Max Manager,max@example.com,Core,leader,
Ann Leader,ann@example.com,Core,member,max@example.com
Bea Manager,bea@example.com,Core,manager,max@example.com
Cal Mixed,cal@example.com,Edge,member,max@example.com
Dot Mixed,dot@example.com,Edge,member,max@example.com
Eli Selfonly,eli@example.com,Edge,member,max@example.com
Fay Later,fay@example.com,Edge,member,max@example.com
"""


def sides(leader: int, manager: int, **override: int) -> dict[str, int]:
    """Keyed values: ``leader`` on the five leader practices, ``manager`` on the other five."""
    return dict.fromkeys(LEADER, leader) | dict.fromkeys(MANAGER, manager) | override


# Max's keyed value for each ratee, per practice (the others' score, since he rates alone).
PROFILES = {
    "ann": sides(5, 2),
    "bea": sides(2, 5),
    "cal": sides(4, 3, vision=3),
    "dot": sides(3, 4),
}
# Self ratings: Cal rates herself 5 everywhere (it must change nothing); Eli has only a self rating.
SELVES = {"cal": 5, "eli": 3}
# Hand computation, pair score = (C + min(C_leader, C_manager)) / 2, C = mean of the 10 covers:
#   Ann+Bea: leader 5, manager 5 → 5.0          Cal+Dot: leader (3+4·4)/5 = 3.8, manager 4 → 3.85
#   Ann+Dot: leader 5, manager 4 → 4.25         Bea+Cal: leader 3.8, manager 5 → 4.1
#   Ann+Cal: leader 5, manager 3 → 3.5          Bea+Dot: leader 3, manager 5 → 3.5
# Best total: Ann+Bea and Cal+Dot = 8.85 (vs 8.35 and 7.0). Leanings are unknown (4 ratees < 10),
# so no orientation bonus. Eli has no others' score: unpaired.


def answers_csv(
    profiles: Mapping[str, Mapping[str, int]] = PROFILES, selves: Mapping[str, int] = SELVES
) -> str:
    """Max's answers about each ratee (keyed values; reverse items get 6 − v), and self answers."""
    bank = load_item_bank(V1)
    lines = ["ratee,rater,relation,item_id,value"]
    for ratee, values in profiles.items():
        for item in bank.items:
            v = values[item.practice]
            keyed = 6 - v if item.reverse else v
            lines.append(f"{ratee}@example.com,max@example.com,manager,{item.id},{keyed}")
    for ratee, v in selves.items():
        for item in bank.items:
            lines.append(
                f"{ratee}@example.com,{ratee}@example.com,self,{item.id},"
                f"{6 - v if item.reverse else v}"
            )
    return "\n".join(lines) + "\n"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def build_org(
    session: Session,
    tmp_path: Path,
    profiles: Mapping[str, Mapping[str, int]] = PROFILES,
    selves: Mapping[str, int] = SELVES,
    *,
    shared: bool = True,
    close: bool = True,
) -> dict[str, int]:
    """Roster, cycle and answers through the real services, the cycle closed (results exist only
    for closed cycles); person ids by first name.

    With ``shared`` every ratee shares their report with their line manager, Max, so that
    :func:`as_max` sees every number (the hand computations); without, nobody has shared.
    """
    import_roster(session=session, path=write(tmp_path / "roster.csv", ROSTER))
    review_service.create_cycle(session=session, name=CYCLE, item_bank_version=V1)
    review_service.import_responses(
        session=session,
        cycle=CYCLE,
        path=write(tmp_path / "answers.csv", answers_csv(profiles, selves)),
    )
    if close:
        review_service.close_cycle(session=session, name=CYCLE)
    ids = {p.display_name.split()[0].lower(): p.id for p in session.scalars(select(Person))}
    if shared:
        for name in (*profiles, *selves):
            sharing.set_shared(session=session, cycle=CYCLE, person_id=ids[name], shared=True)
    return ids


def as_max(ids: Mapping[str, int]) -> Viewer:
    """Max, the line manager everyone in the hand organisation shares their report with."""
    return Viewer(person_id=ids["max"], role="leader")


def pair_ids(out: service.SuggestionsOut) -> set[frozenset[int]]:
    return {frozenset((p.a.id, p.b.id)) for p in out.pairs}


def test_suggestions_follow_the_hand_computed_best_matching(
    db_session: Session, tmp_path: Path
) -> None:
    ids = build_org(db_session, tmp_path)
    out = service.suggest(session=db_session, cycle=CYCLE, viewer=as_max(ids))
    assert pair_ids(out) == {
        frozenset((ids["ann"], ids["bea"])),
        frozenset((ids["cal"], ids["dot"])),
    }
    first, second = out.pairs
    assert first.score == pytest.approx(5.0) and second.score == pytest.approx(3.85)
    assert out.total_score == pytest.approx(8.85)
    assert second.coverage.leader == pytest.approx(3.8) and second.coverage.manager == 4.0
    vision = second.coverage.practices["vision"]
    assert vision.value == 3.0 and set(vision.by) == {ids["cal"], ids["dot"]}  # tie: both
    assert second.coverage.practices["process"].by == [ids["dot"]]
    assert first.bonus == 0.0 and first.a.leaning is None  # 4 ratees: leaning unknown
    assert first.gate == "not applied"
    # Explanations name people and practices; Ann (leader side) first.
    assert first.a.name == "Ann Leader" and first.b.name == "Bea Manager"
    assert first.explanation.startswith(
        "Ann Leader covers vision (5.0), storytelling (5.0), empowerment (5.0)"
    )
    assert "Bea Manager covers process (5.0)" in first.explanation
    assert [(u.person.name, u.reason) for u in out.unpaired] == [
        ("Eli Selfonly", "only 0 of 10 practices have others' scores (needs 5); "
         "self ratings are never used for pairing")
    ]  # fmt: skip
    assert "nothing stored" in out.notes[0]
    assert db_session.scalar(select(Duo.id)) is None


def test_self_ratings_never_change_a_suggestion(db_session: Session, tmp_path: Path) -> None:
    ids = build_org(db_session, tmp_path)
    before = service.suggest(session=db_session, cycle=CYCLE, viewer=as_max(ids))
    db_session.execute(
        update(ReviewResponse).where(ReviewResponse.relation == "self").values(value=1)
    )
    after = service.suggest(session=db_session, cycle=CYCLE, viewer=as_max(ids))
    assert after.model_dump() == before.model_dump()


def test_team_restriction_lists_unrated_members_as_unpaired(
    db_session: Session, tmp_path: Path
) -> None:
    ids = build_org(db_session, tmp_path)
    out = service.suggest(session=db_session, cycle=CYCLE, teams=["Edge"], viewer=as_max(ids))
    assert pair_ids(out) == {frozenset((ids["cal"], ids["dot"]))}
    reasons = {u.person.id: u.reason for u in out.unpaired}
    assert set(reasons) == {ids["eli"], ids["fay"]}
    assert reasons[ids["fay"]] == "not rated in review cycle '2026-H1'"
    assert out.teams == ["Edge"]
    with pytest.raises(NotFoundError, match="no team 'Nowhere'"):
        service.suggest(
            session=db_session, cycle=CYCLE, teams=["Edge", "Nowhere"], viewer=as_max(ids)
        )


def test_compatibility_gate_from_a_csv_changes_the_matching(
    db_session: Session, tmp_path: Path
) -> None:
    ids = build_org(db_session, tmp_path)
    # Ann and Bea opt in without a shared answer: their pair is blocked; the next best is
    # Ann+Dot (4.25) and Bea+Cal (4.1) = 8.35. Cal opts in sharing "craft" with Bea: gate passes.
    path = write(
        tmp_path / "compat.csv",
        "person,answer\nann@example.com,Growth\nbea@example.com,craft\n"
        f"{ids['bea']},  Customers \ncal@example.com,CRAFT\n",
    )
    compat = service.read_compat(session=db_session, path=path)
    assert compat == {
        ids["ann"]: frozenset({"growth"}),
        ids["bea"]: frozenset({"craft", "customers"}),
        ids["cal"]: frozenset({"craft"}),
    }
    out = service.suggest(session=db_session, cycle=CYCLE, compat=compat, viewer=as_max(ids))
    assert pair_ids(out) == {
        frozenset((ids["ann"], ids["dot"])),
        frozenset((ids["bea"], ids["cal"])),
    }
    assert out.total_score == pytest.approx(8.35)
    gates = {frozenset((p.a.id, p.b.id)): p.gate for p in out.pairs}
    assert gates[frozenset((ids["bea"], ids["cal"]))] == "passed"
    assert gates[frozenset((ids["ann"], ids["dot"]))] == "not applied"


def test_bad_compat_rows_are_reported_with_line_numbers(
    db_session: Session, tmp_path: Path
) -> None:
    build_org(db_session, tmp_path)
    path = write(
        tmp_path / "c.csv",
        "person,answer\nann@example.com,x\nghost@example.com,y\nann@example.com,\n",
    )
    with pytest.raises(BadRowsError) as caught:
        service.read_compat(session=db_session, path=path)
    assert [line for line, _ in caught.value.problems] == [3, 4]


def test_confirm_stores_tie_breaker_review_date_and_the_score_now(
    db_session: Session, tmp_path: Path
) -> None:
    ids = build_org(db_session, tmp_path)
    duo = service.confirm(
        session=db_session,
        cycle=CYCLE,
        a="bea@example.com",
        b=str(ids["ann"]),
        tie_breaker="max@example.com",
        confirmed_by="hr-lead",
        viewer=as_max(ids),
        today=dt.date(2026, 1, 10),
    )
    stored = db_session.get(Duo, duo.id)
    assert stored is not None
    assert (stored.person_a_id, stored.person_b_id) == tuple(sorted((ids["ann"], ids["bea"])))
    assert stored.tie_breaker == "Max Manager <max@example.com>"
    assert stored.review_date == dt.date(2026, 4, 10)  # 90 days on
    assert stored.confirmed_by == "hr-lead" and stored.confirmed_at is not None
    assert stored.score == pytest.approx(5.0)
    assert "Ann Leader covers vision (5.0)" in stored.explanation["text"]
    assert duo.coverage is not None and duo.coverage.value == pytest.approx(5.0)
    listed = service.list_duos(session=db_session, cycle=CYCLE, viewer=as_max(ids))
    assert listed.count == 1
    assert listed.duos[0].model_dump() == duo.model_dump() | {"message": ""}
    assert duo.status == "pending" and (duo.a_consent, duo.b_consent) == ("pending", "pending")
    assert duo.tie_breaker_rule == (
        "When Ann Leader and Bea Manager disagree and cannot settle it themselves, "
        "Max Manager <max@example.com> decides."
    )
    assert duo.message.startswith("Duo confirmed: Ann Leader + Bea Manager (cycle 2026-H1)")
    assert "counts once both accept" in duo.message
    # The confirmed pair leaves later suggestions; Cal and Dot are still paired.
    out = service.suggest(session=db_session, cycle=CYCLE, viewer=as_max(ids))
    assert pair_ids(out) == {frozenset((ids["cal"], ids["dot"]))}
    reasons = {u.person.id: u.reason for u in out.unpaired}
    assert reasons[ids["ann"]] == "already in a confirmed duo with Bea Manager in this cycle"


def test_a_second_duo_for_anyone_is_refused(db_session: Session, tmp_path: Path) -> None:
    ids = build_org(db_session, tmp_path)
    common = {"session": db_session, "cycle": CYCLE, "confirmed_by": "hr", "viewer": OPERATOR}
    service.confirm(a="ann@example.com", b="bea@example.com", tie_breaker="Bea on budget", **common)
    with pytest.raises(ConflictError, match="are already a confirmed duo"):
        service.confirm(a="bea@example.com", b="ann@example.com", tie_breaker="x", **common)
    with pytest.raises(ConflictError, match="Ann Leader is already in a confirmed duo"):
        service.confirm(a="cal@example.com", b="ann@example.com", tie_breaker="x", **common)
    assert len(db_session.scalars(select(Duo)).all()) == 1
    listed = service.list_duos(session=db_session, cycle=CYCLE, viewer=OPERATOR)
    assert listed.duos[0].tie_breaker == "Bea on budget"
    assert ids  # both confirmed people exist


@pytest.mark.parametrize(
    ("a", "b", "tie_breaker", "review_date", "error", "message"),
    [
        ("ann@example.com", "ann@example.com", "Max", None, InputError, "needs two people"),
        ("ann@example.com", "max@example.com", "Max", None, NotFoundError,
         "Max Manager .* is not rated in review cycle"),
        ("ann@example.com", "bea@example.com", "mx@example.com", None, InputError,
         "matches no person"),
        ("ann@example.com", "bea@example.com", "999", None, InputError, "matches no person"),
        ("ann@example.com", "bea@example.com", "  ", None, InputError, "is empty"),
        ("ann@example.com", "bea@example.com", "Max", dt.date(2026, 1, 10), InputError,
         "must be after today"),
    ],
)  # fmt: skip
def test_bad_confirmations_are_refused(
    db_session: Session,
    tmp_path: Path,
    a: str,
    b: str,
    tie_breaker: str,
    review_date: dt.date | None,
    error: type[Exception],
    message: str,
) -> None:
    build_org(db_session, tmp_path)
    with pytest.raises(error, match=message):
        service.confirm(
            session=db_session,
            cycle=CYCLE,
            a=a,
            b=b,
            tie_breaker=tie_breaker,
            confirmed_by="hr",
            viewer=OPERATOR,
            review_date=review_date,
            today=dt.date(2026, 1, 10),
        )
    assert db_session.scalar(select(Duo.id)) is None


def test_confirm_respects_the_gate_people_opted_in_to(db_session: Session, tmp_path: Path) -> None:
    ids = build_org(db_session, tmp_path)
    with pytest.raises(ConflictError, match="share no goals/values answer"):
        service.confirm(
            session=db_session,
            cycle=CYCLE,
            a="ann@example.com",
            b="bea@example.com",
            tie_breaker="Max",
            confirmed_by="hr",
            viewer=as_max(ids),
            compat={ids["ann"]: ["growth"], ids["bea"]: ["craft"]},
        )
    duo = service.confirm(
        session=db_session,
        cycle=CYCLE,
        a="ann@example.com",
        b="bea@example.com",
        tie_breaker="Max",
        confirmed_by="hr",
        viewer=as_max(ids),
        compat={ids["ann"]: ["growth"]},  # Bea did not opt in: no gate
    )
    assert "Compatibility gate not applied (Bea Manager did not opt in)" in duo.explanation


def test_demo_org_every_scored_person_is_paired_once_or_unpaired(demo_db_session: Session) -> None:
    scores = profile_service.cycle_scores(session=demo_db_session, cycle=DEMO_CYCLE)
    managers = {}
    for person in scores.ratees:  # everyone who has a line manager shares with them
        managers[person] = demo_db_session.get(Person, person).manager_id  # type: ignore[union-attr]
        if managers[person] is not None:
            sharing.set_shared(
                session=demo_db_session, cycle=DEMO_CYCLE, person_id=person, shared=True
            )
    out = service.suggest(session=demo_db_session, cycle=DEMO_CYCLE, viewer=OPERATOR)
    seen = [p for pair in out.pairs for p in (pair.a.id, pair.b.id)]
    seen += [u.person.id for u in out.unpaired]
    assert sorted(seen) == sorted(scores.ratees) and len(scores.ratees) == 32
    assert not any(p.details or p.score is not None or p.a.leaning for p in out.pairs)
    # Nobody with their line manager (in the demo every team's leader manages the team); and
    # whoever is left out is left out for a reason the scores bear out.
    candidates = {p: Candidate.from_profile(p, scores.scores(p)) for p in scores.ratees}
    prior = service.cohort_prior(scores)  # None until profiles carry errors

    def gain(a: int, b: int) -> float:
        return pair_gain(candidates[a], candidates[b], prior=prior)

    for pair in out.pairs:
        assert managers[pair.a.id] != pair.b.id and managers[pair.b.id] != pair.a.id
        assert gain(pair.a.id, pair.b.id) >= MIN_GAIN - 1e-9
    codes = {u.person.id: u.code for u in out.unpaired}
    assert set(codes.values()) <= {"no_gain", "paired_elsewhere", "line"}
    assert sum(out.unpaired_counts.values()) == len(out.unpaired) == 32 - 2 * len(out.pairs)
    paired = {p for pair in out.pairs for p in (pair.a.id, pair.b.id)}
    for person, code in codes.items():
        helpful = [
            q
            for q in candidates
            if q != person
            and gain(person, q) >= MIN_GAIN - 1e-9
            and q != managers[person]
            and managers[q] != person
        ]
        if code == "no_gain":
            assert not helpful
        else:  # paired elsewhere: everyone who would help is in another pair
            assert code == "paired_elsewhere" and helpful and set(helpful) <= paired
    assert len(out.pairs) >= 8  # the demo's complements are still found
    checked = 0
    for manager in {m for m in managers.values() if m is not None}:
        view = Viewer(person_id=manager, role="leader")
        as_manager = service.suggest(session=demo_db_session, cycle=DEMO_CYCLE, viewer=view)
        assert pair_ids(as_manager) == pair_ids(out)  # the matching never depends on the viewer
        for pair in as_manager.pairs:
            both = all(managers[p.id] == manager or p.id == manager for p in (pair.a, pair.b))
            assert pair.details == both, pair
            if not both:
                assert pair.coverage is None and pair.score is None and pair.bonus is None
                assert not any(f"{p} (" in pair.explanation for p in PRACTICE_IDS)
                continue
            checked += 1
            assert pair.coverage is not None and pair.bonus is not None
            others = {
                person.id: scores.scores(person.id).others_by_practice()
                for person in (pair.a, pair.b)
            }
            for practice, cover in pair.coverage.practices.items():
                values = [
                    v for v in (others[pair.a.id][practice], others[pair.b.id][practice]) if v
                ]
                assert cover.value == round(max(values), 2)
                assert all(round(others[p][practice] or 0, 2) == cover.value for p in cover.by)
            named = [p for p in PRACTICE_IDS if f"{p} (" in pair.explanation]
            assert named and pair.a.name in pair.explanation and pair.b.name in pair.explanation
            assert pair.score == pytest.approx(pair.coverage.value + pair.bonus, abs=0.011)
    assert checked > 0
