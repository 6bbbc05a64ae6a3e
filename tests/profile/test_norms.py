"""Internal norms: percentiles within role, hand-computed, with their error and privacy rules.

The hand organisation: twelve leaders, three members and two managers, each in their own team
of the roster, every one rated by the same three peers (Ria, Rob, Rex) who agree on every item.
With no disagreement among raters the cycle's rater error Σ is 0, so every standard error is 0
and a percentile is the plain mid-rank among the others of the role: 100·(below + ½·tied)/n.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.people.models import Person
from tandem.people.roster import import_roster
from tandem.profile import norms, service
from tandem.profile.norms import ALL_RATED, Member, choose_group, norm_role, percentile_in_group
from tandem.profile.schemas import ProfileOut, dump
from tandem.review import service as review_service
from tandem.review.items import PRACTICE_IDS, load_item_bank
from tests.helpers import V1

LEADER, MANAGER = PRACTICE_IDS[:5], PRACTICE_IDS[5:]
CYCLE = "norms"

# Leader-side value a of the twelve leaders; their manager-side value is 6 − a.
LEADERS = {f"l{i:02d}": a for i, a in enumerate((1, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5), start=1)}
# name → (role, leader-side value, manager-side value)
RATEES: dict[str, tuple[str, int, int]] = {
    **{name: ("leader", a, 6 - a) for name, a in LEADERS.items()},
    "mia": ("member", 5, 5),
    "mel": ("member", 5, 5),
    "mos": ("member", 5, 5),
    "max": ("manager", 4, 2),
    "may": ("manager", 1, 1),
}
RATERS = ("ria", "rob", "rex", "rue")


def _roster() -> str:
    lines = ["name,email,team,role,manager"]
    for name, (role, _, _) in RATEES.items():
        lines.append(f"{name.title()} Ratee,{name}@example.com,Team {name},{role},")
    lines += [f"{r.title()} Rater,{r}@example.com,Raters,member," for r in RATERS]
    return "\n".join(lines) + "\n"


def _answers(ratings: dict[str, dict[str, tuple[str, int, int]]]) -> str:
    """ratee → rater → (relation, leader-side value, manager-side value), keyed."""
    bank = load_item_bank(V1)
    lines = ["ratee,rater,relation,item_id,value"]
    for ratee, by_rater in ratings.items():
        for rater, (relation, a, b) in by_rater.items():
            for item in bank.items:
                v = a if item.practice in LEADER else b
                lines.append(
                    f"{ratee}@example.com,{rater}@example.com,{relation},{item.id},"
                    f"{6 - v if item.reverse else v}"
                )
    return "\n".join(lines) + "\n"


def _agreeing_peers() -> dict[str, dict[str, tuple[str, int, int]]]:
    return {ratee: dict.fromkeys(RATERS[:3], ("peer", a, b)) for ratee, (_, a, b) in RATEES.items()}


def build(
    session: Session,
    tmp_path: Path,
    ratings: dict[str, dict[str, tuple[str, int, int]]] | None = None,
    *,
    cycle: str = CYCLE,
) -> dict[str, int]:
    """Roster (unless already there), a cycle with ``ratings`` (default: the agreeing peers),
    closed; person ids by first name."""
    if session.scalar(select(Person.id).limit(1)) is None:
        path = tmp_path / "roster.csv"
        path.write_text(_roster(), encoding="utf-8")
        import_roster(session=session, path=path)
    review_service.create_cycle(session=session, name=cycle, item_bank_version=V1)
    answers = tmp_path / f"{cycle}.csv"
    answers.write_text(_answers(ratings or _agreeing_peers()), encoding="utf-8")
    review_service.import_responses(session=session, cycle=cycle, path=answers)
    review_service.close_cycle(session=session, name=cycle)
    return {p.display_name.split()[0].lower(): p.id for p in session.scalars(select(Person))}


def _profile(session: Session, ids: dict[str, int], name: str) -> ProfileOut:
    return service.profile(session=session, person=str(ids[name]), cycle=CYCLE)


# -- the pure estimate --------------------------------------------------------------------------


def test_without_error_the_percentile_is_the_mid_rank() -> None:
    group = [(s, 0.0) for s in (1.0, 2.0, 2.0, 3.0, 3.0, 4.0, 4.0, 4.0, 5.0, 5.0, 5.0)]
    # 3.0 among them: 3 below, 2 tied → (3 + 1) / 11
    value, band = percentile_in_group(3.0, 0.0, group)
    assert value == pytest.approx(400 / 11)
    assert band == pytest.approx((400 / 11, 400 / 11), abs=1e-3)
    assert percentile_in_group(0.5, 0.0, group) == (0.0, (0.0, 0.0))
    assert percentile_in_group(9.0, 0.0, group) == (100.0, (100.0, 100.0))


def _phi(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def test_the_person_s_error_by_hand() -> None:
    """Group known exactly: five at 2, five at 4 (mean 3, variance 10/9 with n − 1). The person
    scores 4 with SE 1: λ = (10/9)/(10/9 + 1), true score ~ N(3 + λ, λ). Their percentile is
    0 below 2, 50 between 2 and 4, 100 above 4."""
    group = [(2.0, 0.0)] * 5 + [(4.0, 0.0)] * 5
    lam = (10 / 9) / (10 / 9 + 1)
    mean, sd = 3 + lam, math.sqrt(lam)
    expected = 50 * _phi((mean - 2) / sd) + 50 * _phi((mean - 4) / sd)
    value, band = percentile_in_group(4.0, 1.0, group)
    assert value == pytest.approx(expected)  # 61.96
    # P(0) = Φ((2 − 3.53)/0.73) = 1.8 % < 2.5 %, P(≤ 50) = 74 % < 97.5 %: the band is 50–100
    assert _phi((2 - mean) / sd) < 0.025
    assert band == (50.0, 100.0)
    # the same score without error sits with the 4s: (5 + ½·5) / 10
    assert percentile_in_group(4.0, 0.0, group) == (75.0, (75.0, 75.0))


def test_the_band_widens_as_the_person_s_error_grows() -> None:
    group = [(3.0 + 0.1 * k, 0.15) for k in range(-10, 11)]
    widths = []
    for se in (0.0, 0.1, 0.2, 0.4, 0.8):
        value, (lo, hi) = percentile_in_group(3.4, se, group)
        assert lo <= value <= hi
        widths.append(hi - lo)
    assert widths == sorted(widths) and widths[-1] > widths[0] + 40
    # a larger error pulls the expectation towards the group's middle (shrinkage)
    low, _ = percentile_in_group(3.9, 0.05, group)
    shrunk, _ = percentile_in_group(3.9, 0.8, group)
    assert 50 < shrunk < low


def test_norm_role_and_the_group_rules() -> None:
    assert norm_role(["member", "leader"]) == "leader"
    assert norm_role(["member", "manager"]) == "manager"
    assert norm_role([]) is None
    leaders = [Member(i, 3.0, 0.1) for i in range(11)]
    members = [Member(100 + i, 3.0, 0.1) for i in range(3)]
    groups = {"leader": leaders, "member": members}
    name, group, why = choose_group(0, "leader", groups)  # 10 others: enough
    assert name == "leader" and len(group) == 10 and 0 not in {m.person for m in group}
    assert why is None
    name, group, why = choose_group(100, "member", groups)
    assert name == ALL_RATED and len(group) == 13
    assert why == "compared with all rated: fewer than 10 other members rated"
    name, group, why = choose_group(100, "member", {"member": members})
    assert name is None and group == []
    assert why == "no norm: fewer than 10 other people rated"
    assert (
        choose_group(999, None, groups)[2]
        == "compared with all rated: no role in the cycle's roster"
    )
    missing = norms.norm_percentile(0, 3.0, None, "leader", groups)
    assert missing is not None and missing.value is None and missing.reason == norms.ERROR_UNKNOWN
    assert norms.norm_percentile(0, None, 0.1, "leader", groups) is None


# -- from the database --------------------------------------------------------------------------


def test_hand_computed_percentiles_in_role(db_session: Session, tmp_path: Path) -> None:
    ids = build(db_session, tmp_path)
    l04 = _profile(db_session, ids, "l04")
    assert l04.practices["vision"].se == 0.0  # raters agree: no error
    # leader side 3 among the other leaders 1 2 2 3 3 4 4 4 5 5 5: (3 + 1)/11 = 36.4 → 35;
    # the band (36.4, 36.4) widened outward to steps of 5
    for practice in LEADER:
        shown = l04.practices[practice]
        assert (shown.percentile, shown.percentile_band) == (35, (35, 40))
        assert shown.norm_group == "leader" and shown.percentile_reason is None
    # manager side 3 among 5 4 4 3 3 2 2 2 1 1 1: (6 + 1)/11 = 63.6 → 65
    assert (l04.practices["process"].percentile, l04.practices["process"].percentile_band) == (
        65,
        (60, 65),
    )
    assert l04.L is not None and (l04.L.percentile, l04.L.percentile_band) == (35, (35, 40))
    assert l04.M is not None and (l04.M.percentile, l04.M.norm_group) == (65, "leader")
    # the lowest and a highest leader: members' 5s are not in the leaders' group (with them,
    # l12 would be (9 + ½·5)/14 = 82 → 80, not (9 + 1)/11 = 90.9 → 90)
    assert _profile(db_session, ids, "l01").practices["vision"].percentile_band == (0, 0)
    l12 = _profile(db_session, ids, "l12").practices["vision"]
    assert (l12.percentile, l12.percentile_band) == (90, (90, 95))
    # two managers: too few, so all rated; max (4) among 12 leaders, 3 members at 5 and may (1):
    # 7 below, 3 tied: (7 + 1.5)/16 = 53.1 → 55, band (50, 55)
    max_ = _profile(db_session, ids, "max")
    vision = max_.practices["vision"]
    assert (vision.percentile, vision.percentile_band, vision.norm_group) == (
        55,
        (50, 55),
        ALL_RATED,
    )
    assert "pct in role: compared with all rated: fewer than 10 other managers rated" in max_.notes
    # a member (5) among all rated but herself: 11 below, 5 tied: (11 + 2.5)/16 = 84.4 → 85
    mia = _profile(db_session, ids, "mia").practices["vision"]
    assert (mia.percentile, mia.percentile_band) == (85, (80, 85))


def test_the_json_adds_the_fields_and_keeps_the_old_ones(
    db_session: Session, tmp_path: Path
) -> None:
    ids = build(db_session, tmp_path)
    vision = dump(_profile(db_session, ids, "l04"))["practices"]["vision"]
    assert {"percentile", "percentile_band", "norm_group", "percentile_reason"} <= set(vision)
    assert {"others", "band", "se", "n_raters", "groups"} <= set(vision)
    # the norm group's size, scores, extremes or ranks never leave the service
    assert not {"n", "min", "max", "rank", "group_scores"} & set(vision)
    assert isinstance(vision["percentile"], int) and vision["percentile"] % 5 == 0


def test_a_tiny_cycle_has_no_norm(db_session: Session, tmp_path: Path) -> None:
    ids = build(
        db_session,
        tmp_path,
        {name: v for name, v in _agreeing_peers().items() if name in ("l01", "l02", "l03", "mia")},
    )
    for name in ("l01", "mia"):
        vision = _profile(db_session, ids, name).practices["vision"]
        assert vision.percentile is None and vision.percentile_band is None
        assert vision.norm_group is None
        assert vision.percentile_reason is not None
        assert vision.percentile_reason == "no norm: fewer than 10 other people rated"


def test_an_unknown_error_gives_no_percentile(db_session: Session, tmp_path: Path) -> None:
    """One rater each: the cycle cannot estimate its rater error, so no band and no percentile."""
    ids = build(
        db_session,
        tmp_path,
        {name: {"rex": ("manager", a, b)} for name, (_, a, b) in RATEES.items()},
    )
    l04 = _profile(db_session, ids, "l04")
    vision = l04.practices["vision"]
    assert vision.se is None and vision.percentile is None
    assert (vision.norm_group, vision.percentile_reason) == ("leader", "error unknown")
    assert any("pct in role unknown" in note for note in l04.notes)


def test_a_rater_viewer_s_percentile_comes_from_their_view(
    db_session: Session, tmp_path: Path
) -> None:
    """Ria rated l04 as one of three peers; l04's lone manager Rex gave 5s. l04 sees peers (3)
    and Rex: 3.5. Ria would subtract herself from the peers, so in her view they are withheld and
    only Rex's 5 remains: her percentile must come from 5, not from the withheld 3.5."""
    ratings = _agreeing_peers()
    ratings["l04"] = dict.fromkeys(("ria", "rob", "rue"), ("peer", 3, 3)) | {
        "rex": ("manager", 5, 5)
    }
    ids = build(db_session, tmp_path, ratings)
    cycle = review_service.get_cycle(session=db_session, name=CYCLE)
    person = db_session.get_one(Person, ids["l04"])
    own = service.profile_view(session=db_session, person=person, cycle=cycle)
    seen = service.profile_view(
        session=db_session, person=person, cycle=cycle, include_self=False, viewer_id=ids["ria"]
    )
    assert isinstance(own, ProfileOut) and isinstance(seen, ProfileOut)
    assert own.practices["vision"].others == 3.5 and seen.practices["vision"].others == 5.0
    scores = service.cycle_scores(session=db_session, cycle=cycle)
    view = scores.scores(ids["l04"], viewer=ids["ria"])
    for practice in PRACTICE_IDS:
        s = view.practices[practice]
        expected = scores.percentile(ids["l04"], practice, s.others, s.se)
        assert expected is not None and expected.value is not None
        shown = seen.practices[practice]
        assert shown.percentile is not None and shown.percentile_band is not None
        lo, hi = shown.percentile_band
        assert lo <= expected.value <= hi and abs(shown.percentile - expected.value) <= 2.5
    # and it differs from the percentile of the score withheld from her
    assert seen.practices["vision"].percentile != own.practices["vision"].percentile
    assert seen.practices["vision"].percentile_band != own.practices["vision"].percentile_band


def test_the_norm_groups_use_everyone_s_own_scores(db_session: Session, tmp_path: Path) -> None:
    """The others in a group are each ratee's own profile (as duo matching uses them), whoever
    views: the group a rater-viewer's percentile is placed in is the one the ratee's is."""
    ids = build(db_session, tmp_path)
    scores = service.cycle_scores(session=db_session, cycle=CYCLE)
    leaders = scores.norm_groups("vision")["leader"]
    assert sorted(m.score for m in leaders) == sorted(float(a) for a in LEADERS.values())
    assert {m.person for m in leaders} == {ids[name] for name in LEADERS}
