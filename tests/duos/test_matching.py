"""Duo matching: hand-computed coverage, bonus, gate, explanations, unpaired and determinism."""

from __future__ import annotations

import random

import pytest

from tandem.duos.matching import (
    ORIENTATION_BONUS,
    Candidate,
    coverage,
    gate,
    orientation_bonus,
    pair_score,
    suggest_duos,
)
from tandem.profile.groups import SUPPRESSED
from tandem.profile.scoring import PracticeScore, ProfileScores
from tandem.review.items import PRACTICE_IDS

LEADER = PRACTICE_IDS[:5]
MANAGER = PRACTICE_IDS[5:]


def person(pid: int, leader: float, manager: float, **kwargs: object) -> Candidate:
    """A candidate with one value on every leader practice and one on every manager practice."""
    practices = dict.fromkeys(LEADER, leader) | dict.fromkeys(MANAGER, manager)
    return Candidate(pid, practices, kwargs.get("leaning"), kwargs.get("compat"))  # type: ignore[arg-type]


A = Candidate(
    1,
    {
        "vision": 5.0,
        "storytelling": 4.0,
        "empowerment": 3.0,
        "change": None,
        "championing": 2.0,
        "process": 2.0,
        "performance": 3.0,
        "communication": None,
        "allocation": 1.0,
        "conflict": 2.0,
    },
    "leader-leaning",
)
B = Candidate(
    2,
    {
        "vision": 3.0,
        "storytelling": 4.0,
        "championing": 4.0,
        "process": 5.0,
        "performance": 4.0,
        "communication": 3.0,
        "conflict": 2.0,
    },
    "manager-leaning",
)


def test_coverage_hand_computed() -> None:
    cov = coverage(A, B)
    # leader covers 5, 4, 3, (none → 1), 4 = 17 / 5; manager 5, 4, 3, 1, 2 = 15 / 5
    assert cov.leader == pytest.approx(3.4)
    assert cov.manager == pytest.approx(3.0)
    assert cov.overall == pytest.approx(3.2)
    assert cov.combined == pytest.approx((3.2 + 3.0) / 2)
    assert cov.covered_by(1) == ("vision", "empowerment", "allocation")
    assert cov.covered_by(2) == ("championing", "process", "performance", "communication")
    assert cov.shared == ("storytelling", "conflict")
    assert cov.unknown == ("change",)
    change = next(c for c in cov.practices if c.practice == "change")
    assert change.value is None and change.by == ()


def test_coverage_is_symmetric_in_value() -> None:
    assert coverage(B, A).combined == pytest.approx(coverage(A, B).combined)


def test_missing_practice_never_raises_coverage() -> None:
    full = person(3, 3.0, 3.0)
    holes = Candidate(4, {p: 3.0 for p in PRACTICE_IDS if p != "vision"}, None)
    weak = Candidate(5, {p: 1.5 for p in PRACTICE_IDS if p != "vision"}, None)
    # vision unknown for both 4 and 5 → counted at the floor 1.0, below any observed score
    assert coverage(holes, weak).leader == pytest.approx((1.0 + 4 * 3.0) / 5)
    assert coverage(holes, weak).combined < coverage(full, weak).combined


def test_orientation_bonus_only_for_reliable_opposite_leanings() -> None:
    lead, mgr = (
        person(1, 4, 3, leaning="leader-leaning"),
        person(2, 3, 4, leaning="manager-leaning"),
    )
    assert orientation_bonus(lead, mgr) == ORIENTATION_BONUS
    assert orientation_bonus(mgr, lead) == ORIENTATION_BONUS
    for other in ("leader-leaning", "balanced", None):
        assert orientation_bonus(lead, person(3, 3, 4, leaning=other)) == 0.0
    assert orientation_bonus(person(4, 3, 3, leaning="balanced"), mgr) == 0.0
    plain = coverage(lead, mgr).combined
    assert pair_score(lead, mgr) == pytest.approx(plain + ORIENTATION_BONUS)
    assert pair_score(lead, mgr, bonus=0.0) == pytest.approx(plain)


def test_gate_only_when_both_opted_in() -> None:
    x = person(1, 4, 3, compat=frozenset({"craft", "family"}))
    y = person(2, 3, 4, compat=frozenset({"growth"}))
    z = person(3, 3, 4, compat=frozenset({"family", "growth"}))
    silent = person(4, 3, 4)
    assert gate(x, y).applied and not gate(x, y).passed
    assert pair_score(x, y) is None
    assert gate(x, z).passed and gate(x, z).shared == ("family",)
    assert not gate(x, silent).applied and gate(x, silent).passed
    assert gate(x, silent).not_opted_in == (4,)
    empty = person(5, 3, 4, compat=frozenset())
    assert pair_score(empty, x) is None  # opted in with no answers: nothing can be shared
    assert pair_score(empty, silent) is not None


def test_matching_pairs_complements() -> None:
    lead1, lead2 = person(1, 5.0, 2.0), person(2, 4.5, 2.0)
    mgr1, mgr2 = person(3, 2.0, 5.0), person(4, 2.0, 4.5)
    out = suggest_duos([mgr2, lead2, mgr1, lead1])
    # (1,3) 5.0 + (2,4) 4.5 = 9.5 beats (1,4) 4.625 + (2,3) 4.625 = 9.25
    assert [(p.a, p.b, p.score) for p in out.pairs] == [(1, 3, 5.0), (2, 4, 4.5)]
    assert out.total_score == pytest.approx(9.5)
    assert out.unpaired == ()


def test_gate_changes_the_matching() -> None:
    lead1 = person(1, 5.0, 2.0, compat=frozenset({"a"}))
    mgr1 = person(3, 2.0, 5.0, compat=frozenset({"b"}))
    out = suggest_duos([lead1, person(2, 4.5, 2.0), mgr1, person(4, 2.0, 4.5)])
    assert [(p.a, p.b) for p in out.pairs] == [(1, 4), (2, 3)]
    assert out.total_score == pytest.approx(9.25)


def test_unpaired_reasons() -> None:
    few = Candidate(9, {"vision": 4.0, "process": 4.0}, "balanced")
    odd = [person(3, 4, 2), person(4, 2, 4), person(5, 3, 3)]
    out = suggest_duos([few, *odd])
    reasons = {u.person: u.reason for u in out.unpaired}
    assert sorted(reasons) == [5, 9]  # 3 + 4 = 4.0 beats pairing 5 with either (3.25)
    assert "only 2 of 10 practices" in reasons[9]
    assert "self ratings are never used" in reasons[9]
    # 5 alone: 3.0; with 3: leader 4, manager 3 → 3.25, a gain of 0.25 ≥ 0.2: helpful, taken
    assert "2 partner(s) would add enough, all paired elsewhere" in reasons[5]
    assert {u.person: u.code for u in out.unpaired} == {5: "paired_elsewhere", 9: "too_few_scores"}
    assert suggest_duos([odd[0]]).unpaired[0].reason == "no other candidate to pair with"


def test_unpaired_when_the_gate_allows_nobody() -> None:
    gated = [person(pid, 4, 2, compat=frozenset({answer})) for pid, answer in [(1, "a"), (2, "b")]]
    out = suggest_duos([*gated, person(3, 2, 4, compat=frozenset({"a"}))])
    assert [(p.a, p.b) for p in out.pairs] == [(1, 3)]
    (left,) = out.unpaired
    assert left.person == 2 and "compatibility gate allows no partner" in left.reason


def test_explanation_names_each_partner_and_the_numbers() -> None:
    a = Candidate(A.person, A.practices, A.leaning, frozenset({"craft", "family"}))
    b = Candidate(B.person, B.practices, B.leaning, frozenset({"family"}))
    (pair,) = suggest_duos([b, a], min_practices=5).pairs
    assert (pair.a, pair.b) == (1, 2)  # person 1 covers more leader practices alone
    text = pair.explanation
    assert text.startswith("Person 1 covers vision (5.0), empowerment (3.0), allocation (1.0)")
    assert "person 2 covers championing (4.0), process (5.0)" in text
    assert "both equally: storytelling (4.0), conflict (2.0)" in text
    assert "Neither has others' scores for change" in text
    assert "Coverage 3.20 (leader side 3.40, manager side 3.00)" in text
    assert "combined with the weaker side: 3.10" in text
    assert "Orientation bonus +0.25" in text
    assert "shared answers family" in text
    assert pair.score == pytest.approx(3.1 + 0.25)


def test_explanation_without_bonus_or_gate() -> None:
    (pair,) = suggest_duos([person(1, 4, 2), person(2, 2, 4, leaning="balanced")]).pairs
    assert "No orientation bonus" in pair.explanation
    assert "gate not applied (person 1 and person 2 did not opt in)" in pair.explanation


def test_deterministic_and_order_free() -> None:
    rng = random.Random(3)
    people = [
        Candidate(
            pid,
            {p: rng.choice([None, 1.0, 2.0, 3.0, 3.5, 4.0, 4.5, 5.0]) for p in PRACTICE_IDS},
            rng.choice(["leader-leaning", "manager-leaning", "balanced", None]),
            rng.choice([None, frozenset({"x"}), frozenset({"y", "z"})]),
        )
        for pid in range(1, 61)
    ]
    first = suggest_duos(people, group_size=20, top_k=4, min_practices=3)
    shuffled = people[:]
    rng.shuffle(shuffled)
    again = suggest_duos(shuffled, group_size=20, top_k=4, min_practices=3)
    assert first == again
    assert len(first.pairs) * 2 + len(first.unpaired) == 60


def test_self_ratings_never_reach_a_candidate() -> None:
    practices = {
        p: PracticeScore(p, 5.0, 2.0, {"others": SUPPRESSED}, None, 3.0, "blind spot")
        for p in PRACTICE_IDS
    }
    profile = ProfileScores(practices, None, None, "balanced", 0.0, 0.3, tuple(PRACTICE_IDS), ())
    candidate = Candidate.from_profile(7, profile, compat=["craft"])
    assert dict(candidate.practices) == dict.fromkeys(PRACTICE_IDS, 2.0)
    assert candidate.leaning == "balanced" and candidate.compat == frozenset({"craft"})


def test_bad_input_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown practice"):
        Candidate(1, {"charisma": 4.0}, None)
    with pytest.raises(ValueError, match="outside 1–5"):
        Candidate(1, {"vision": 6.0}, None)
    with pytest.raises(ValueError, match="leaning"):
        Candidate(1, {"vision": 4.0}, "leader")
    with pytest.raises(ValueError, match="duplicate"):
        suggest_duos([person(1, 3, 3), person(1, 4, 4)])
