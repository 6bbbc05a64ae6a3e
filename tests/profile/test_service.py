"""Profiles from the database: hand-computed scores, suppression, privacy and synthetic cohorts.

The helpers at the top build data through the real services (roster import, cycle creation,
CSV import) or, for large SYNTHETIC cohorts, through the ORM; the plan and CLI tests reuse them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from tandem.errors import NotFoundError
from tandem.people.models import Person
from tandem.people.roster import import_roster
from tandem.profile import service
from tandem.profile.schemas import dump
from tandem.profile.scoring import cohort_stats, score_ratee
from tandem.profile.synthetic import SyntheticOrg, generate_org
from tandem.review import service as review_service
from tandem.review.items import PRACTICE_IDS, load_item_bank
from tests.helpers import V1
from tests.profile.trend_org import write_cycle, write_people

LEADER, MANAGER = PRACTICE_IDS[:5], PRACTICE_IDS[5:]

# Rae is rated by her manager Max, three peers (Pia, Pat, Pol) and two reports (Ren, Roy).
HAND_ROSTER = """name,email,team,role,manager
Max Manager,max@example.com,Core,leader,
Rae Ratee,rae@example.com,Core,manager,max@example.com
Pia Peer,pia@example.com,Core,member,max@example.com
Pat Peer,pat@example.com,Core,member,max@example.com
Pol Peer,pol@example.com,Core,member,max@example.com
Ren Report,ren@example.com,Core,member,rae@example.com
Roy Report,roy@example.com,Core,member,rae@example.com
Nia Nobody,nia@example.com,Edge,member,
"""

# Keyed value each rater gives every item of every practice (a reverse item gets 6 − value);
# Pol answers only 3 of the 5 process items (60 % < 75 %), so his process score does not exist.
HAND_RATINGS: dict[str, tuple[str, int]] = {
    "rae": ("self", 5),
    "max": ("manager", 4),
    "pia": ("peer", 3),
    "pat": ("peer", 3),
    "pol": ("peer", 4),
    "ren": ("report", 2),
    "roy": ("report", 3),
}
# Hand-computed, for every practice but process:
#   manager 4 (n 1, shown alone); peers 3, 3, 4 (n 3, shown);
#   reports 2 and 3: suppressed, merged into others with 2 raters: suppressed too.
#   others' score = the mean over the four raters behind the shown groups = (4 + 3 + 3 + 4)/4.
# For process: Pol's score is missing, so peers have n 2: suppressed; merged others = Pia 3,
#   Pat 3, Ren 2, Roy 3 (n 4, shown, mean 2.75); others' score = (4 + 3 + 3 + 2 + 3)/5 = 3.0.
# L = 3.5; M = (3.0 + 4·3.5)/5 = 3.4. Raters behind others: 4 (5 on process), so the rater sets
#   of L − M differ between practices.
# The service shows every score rounded to 2 decimals.
OTHERS_USUAL = (4 + 3 + 3 + 4) / 4
OTHERS_PROCESS = (4 + 3 + 3 + 2 + 3) / 5
HAND_L = OTHERS_USUAL
HAND_M = (OTHERS_PROCESS + 4 * OTHERS_USUAL) / 5


def shown(value: float) -> float:
    """A hand-computed value as the service shows it (2 decimals)."""
    return round(value, 2)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def hand_answers_csv(
    ratings: Mapping[str, tuple[str, int]] = HAND_RATINGS, *, ratee: str = "rae"
) -> str:
    """The CSV of answers about ``ratee`` (emails), from keyed values per rater."""
    bank = load_item_bank(V1)
    lines = ["ratee,rater,relation,item_id,value"]
    for rater, (relation, value) in ratings.items():
        for item in bank.items:
            raw: int | None = 6 - value if item.reverse else value
            if rater == "pol" and item.practice == "process" and item.id.endswith(("-4", "-5")):
                raw = None
            lines.append(
                f"{ratee}@example.com,{rater}@example.com,{relation},{item.id},"
                f"{'' if raw is None else raw}"
            )
    return "\n".join(lines) + "\n"


def setup_hand_org(
    session: Session, tmp_path: Path, cycle: str = "2026-H1", *, close: bool = True
) -> dict[str, int]:
    """Import the hand roster, open ``cycle``, import Rae's answers and (by default) close it.

    Results exist only for closed cycles; ``close=False`` leaves it open for more answers.
    """
    import_roster(session=session, path=write(tmp_path / "roster.csv", HAND_ROSTER))
    review_service.create_cycle(session=session, name=cycle, item_bank_version=V1)
    review_service.import_responses(
        session=session, cycle=cycle, path=write(tmp_path / "answers.csv", hand_answers_csv())
    )
    if close:
        review_service.close_cycle(session=session, name=cycle)
    return {
        p.display_name.split()[0].lower(): p.id for p in session.query(Person).order_by(Person.id)
    }


def write_synthetic(
    session: Session,
    *,
    cycle: str,
    n_people: int,
    seed: int,
    close: bool = True,
    **overrides: float,
) -> tuple[SyntheticOrg, dict[int, int]]:
    """Write a SYNTHETIC organisation and its answers through the ORM, then close the cycle
    (unless ``close=False``); synthetic id → person id."""
    org = generate_org(load_item_bank(V1), n_people=n_people, seed=seed, **overrides)  # type: ignore[arg-type]
    ids = write_people(session, org)
    write_cycle(session, cycle, org, ids, close=close, bank=V1)
    return org, ids


# -- hand-computed profile ------------------------------------------------------------------------


def test_profile_matches_hand_computed_scores_and_suppression(
    db_session: Session, tmp_path: Path
) -> None:
    ids = setup_hand_org(db_session, tmp_path)
    out = dump(service.profile(session=db_session, person="rae@example.com", cycle="2026-H1"))
    for key in ("person", "practices", "L", "M", "leaning", "blind_spots", "hidden_strengths"):
        assert key in out
    assert out["person"] == {"id": ids["rae"], "name": "Rae Ratee", "email": "rae@example.com"}
    assert list(out["practices"]) == list(PRACTICE_IDS)
    vision = out["practices"]["vision"]
    assert vision["self"] == 5.0
    assert vision["others"] == shown(OTHERS_USUAL) == 3.5
    assert vision["n_raters"] == 4
    assert vision["side"] == "leader"
    assert vision["groups"] == {
        "manager": {"mean": 4.0, "n": 1, "label": "manager (shown alone, not anonymous)"},
        "peer": {"mean": 3.33, "n": 3, "label": None},
        "report": "suppressed",
        "others": "suppressed",
    }
    process = out["practices"]["process"]
    assert process["others"] == shown(OTHERS_PROCESS) == 3.0
    assert process["n_raters"] == 5
    assert process["groups"] == {
        "manager": {"mean": 4.0, "n": 1, "label": "manager (shown alone, not anonymous)"},
        "peer": "suppressed",
        "report": "suppressed",
        "others": {"mean": 2.75, "n": 4, "label": "peers and reports"},
    }
    assert out["L"]["value"] == shown(HAND_L) == 3.5
    assert out["M"]["value"] == shown(HAND_M) == 3.4
    assert (out["L"]["n_raters"], out["M"]["n_raters"], out["leaning_n_raters"]) == (4, 4, 4)
    assert out["rater_sets_differ"] is True
    assert any("different rater mixes" in note for note in out["notes"])
    assert out["practices"]["conflict"]["difference"] == shown(5 - OTHERS_USUAL) == 1.5


def test_suppressed_groups_carry_no_numbers(db_session: Session, tmp_path: Path) -> None:
    setup_hand_org(db_session, tmp_path)
    out = dump(service.profile(session=db_session, person="rae@example.com", cycle="2026-H1"))
    suppressed = [
        (p, g)
        for p, practice in out["practices"].items()
        for g, value in practice["groups"].items()
        if value == "suppressed"
    ]
    # reports everywhere, others on the nine usual practices, peers on process
    assert len(suppressed) == 10 + 9 + 1
    # the reports' mean (2.5) appears nowhere in the output: no number of theirs leaks
    assert "2.5," not in json.dumps(out) and "2.5}" not in json.dumps(out)


def test_a_cohort_too_small_gives_null_bands_leaning_and_agreement(
    db_session: Session, tmp_path: Path
) -> None:
    setup_hand_org(db_session, tmp_path)
    out = dump(service.profile(session=db_session, person="rae@example.com", cycle="2026-H1"))
    assert out["n_ratees"] == 1
    assert out["leaning"] is None and out["leaning_threshold"] is None
    assert out["leaning_reason"] == "error unknown" and out["leaning_se"] is None
    assert out["L"]["band"] is None and out["M"]["band"] is None and out["L"]["se"] is None
    assert all(
        p["band"] is None and p["se"] is None and p["agreement"] is None
        for p in out["practices"].values()
    )
    assert out["blind_spots"] == [] and out["hidden_strengths"] == []
    assert out["self_tendency"]["value"] == shown(5 - (HAND_L + HAND_M) / 2) == 1.55
    assert out["self_tendency"]["label"] is None
    assert out["leaning_difference"] == shown(HAND_L - HAND_M) == 0.1
    assert any("at least 10" in note for note in out["notes"])


def test_without_self_drops_self_and_what_derives_from_it(
    db_session: Session, tmp_path: Path
) -> None:
    setup_hand_org(db_session, tmp_path)
    out = dump(
        service.profile(
            session=db_session, person="rae@example.com", cycle="2026-H1", include_self=False
        )
    )
    assert all(
        p["self"] is None and p["difference"] is None and p["relative_difference"] is None
        for p in out["practices"].values()
    )
    assert out["self_included"] is False and out["self_tendency"] is None
    assert out["L"]["value"] == shown(HAND_L)  # others' numbers unchanged


def test_only_ratees_of_the_cycle_get_a_profile(db_session: Session, tmp_path: Path) -> None:
    ids = setup_hand_org(db_session, tmp_path, close=False)
    with pytest.raises(NotFoundError, match="not rated in review cycle '2026-H1'"):
        service.profile(session=db_session, person="max@example.com", cycle="2026-H1")
    with pytest.raises(NotFoundError, match="no person matches"):
        service.profile(session=db_session, person="ghost@example.com", cycle="2026-H1")
    with pytest.raises(NotFoundError, match="no review cycle 'nope'"):
        service.profile(session=db_session, person="rae@example.com", cycle="nope")
    # an assigned ratee without answers yet gets an empty profile, not an error
    review_service.assign_rater(
        session=db_session,
        cycle="2026-H1",
        ratee="nia@example.com",
        rater="max@example.com",
        relation="peer",
    )
    review_service.close_cycle(session=db_session, name="2026-H1")
    empty = service.profile(session=db_session, person=str(ids["nia"]), cycle="2026-H1")
    assert empty.L is None and all(p.others is None for p in empty.practices.values())
    assert any(note.startswith("L unknown") for note in empty.notes)


def test_reliability_report_needs_ten_answer_sets(db_session: Session, tmp_path: Path) -> None:
    setup_hand_org(db_session, tmp_path)
    report = service.reliability(session=db_session, cycle="2026-H1")
    # 6 non-self raters; Pol's process set is incomplete → 5 complete sets there
    assert report.practices["vision"].n == 6
    assert report.practices["process"].n == 5
    assert report.practices["vision"].alpha is None
    assert report.flagged == list(PRACTICE_IDS)


def test_resolve_cycle_prefers_the_latest_closed(db_session: Session) -> None:
    with pytest.raises(NotFoundError, match="no review cycle yet"):
        service.resolve_cycle(session=db_session, name=None)
    review_service.create_cycle(session=db_session, name="a", item_bank_version=V1)
    review_service.create_cycle(session=db_session, name="b", item_bank_version=V1)
    assert service.resolve_cycle(session=db_session, name=None).name == "b"
    review_service.close_cycle(session=db_session, name="a")
    assert service.resolve_cycle(session=db_session, name=None).name == "a"


# -- a synthetic cohort ---------------------------------------------------------------------------


def test_synthetic_cycle_equals_the_pure_scoring(db_session: Session) -> None:
    org, ids = write_synthetic(db_session, cycle="synthetic", n_people=60, seed=11)
    bank = load_item_bank(V1)
    cohort = cohort_stats(org.answers, bank)
    loaded = service.cycle_scores(session=db_session, cycle="synthetic")
    assert loaded.cohort.n_ratees == 60
    assert loaded.cohort.se_d == pytest.approx(cohort.se_d)
    leanings = []
    for sid, pid in ids.items():
        pure = score_ratee(org.answers[sid], bank, cohort)
        out = service.profile_out(loaded, db_session.get_one(Person, pid))
        assert out.leaning == pure.leaning
        assert out.leaning_reason == pure.leaning_reason
        assert out.leaning_se == (None if pure.leaning_se is None else shown(pure.leaning_se))
        assert out.leaning_n_raters == pure.leaning_n_raters
        assert out.rater_sets_differ == pure.rater_sets_differ
        leanings.append(out.leaning or out.leaning_reason)
        assert (out.L is None) == (pure.L is None)
        if out.L is not None and pure.L is not None:
            assert out.L.value == shown(pure.L.value)
            assert pure.L.band is not None
            assert out.L.band == (shown(pure.L.band[0]), shown(pure.L.band[1]))
        assert out.blind_spots == list(pure.blind_spots)
        for p in PRACTICE_IDS:
            others = pure.practices[p].others
            assert out.practices[p].others == (None if others is None else shown(others))
    # every profile gets a label or says why not ("not enough raters": a lone manager)
    assert None not in leanings
    assert "balanced" in leanings and "not enough raters" in leanings
    assert {"leader-leaning", "manager-leaning"} & set(leanings)
    # the one-person entry point gives the same profile as the cycle-wide one
    one = service.profile(session=db_session, person=str(ids[0]), cycle="synthetic")
    assert one == service.profile_out(loaded, db_session.get_one(Person, ids[0]))


def test_a_cycle_s_stamp_and_scores_by_its_id(db_session: Session, tmp_path: Path) -> None:
    setup_hand_org(db_session, tmp_path, close=False)
    cycle = service.resolve_cycle(session=db_session, name="2026-H1")
    before = service.cycle_state_by_id(session=db_session, cycle_id=cycle.id)
    assert before == service.cycle_state(session=db_session, cycle=cycle)
    scores = service.load_cycle_scores_by_id(session=db_session, cycle_id=cycle.id)
    assert scores.cycle.id == cycle.id and set(scores.answers) == set(
        service.load_cycle_scores(session=db_session, cycle=cycle).answers
    )
    more = write(
        tmp_path / "more.csv",
        "ratee,rater,relation,item_id,value\nrae@example.com,rae@example.com,self,vision-1,2\n",
    )
    review_service.import_responses(session=db_session, cycle="2026-H1", path=more)
    assert service.cycle_state_by_id(session=db_session, cycle_id=cycle.id) != before
    for by_id in (service.cycle_state_by_id, service.load_cycle_scores_by_id):
        with pytest.raises(NotFoundError, match="no review cycle 999999"):
            by_id(session=db_session, cycle_id=999999)
