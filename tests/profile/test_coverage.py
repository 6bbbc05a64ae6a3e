"""Team coverage: who covers what by others' ratings, gaps, and the n ≥ 5 org view."""

from __future__ import annotations

import pytest

from tandem.profile.coverage import COVER_THRESHOLD, Member, org_coverage, team_coverage
from tandem.profile.groups import SUPPRESSED
from tandem.review.items import PRACTICE_IDS

ADA = Member(1, "Ada", {"vision": 4.5, "storytelling": 3.9, "process": 2.0, "conflict": None})
BO = Member(2, "Bo", {"vision": 4.0, "storytelling": 3.0, "process": 4.8})
CY = Member(3, "Cy", {})  # nobody could rate Cy yet


def test_threshold_is_often_on_the_scale() -> None:
    assert COVER_THRESHOLD == 4.0


def test_team_view_names_who_covers_each_practice() -> None:
    view = team_coverage("core", [ADA, BO, CY])
    by = {p.practice: p for p in view.practices}
    assert [p.practice for p in view.practices] == list(PRACTICE_IDS)
    assert by["vision"].covered and by["vision"].by == ("Ada", "Bo")  # best first
    assert by["vision"].best == 4.5 and by["vision"].scored == 2
    assert not by["storytelling"].covered and by["storytelling"].best == 3.9  # 3.9 < 4.0
    assert by["process"].by == ("Bo",) and by["process"].side == "manager"
    assert by["conflict"].scored == 0 and by["conflict"].best is None
    assert view.members == 3 and view.scored_members == 2
    assert set(view.gaps) == set(PRACTICE_IDS) - {"vision", "process"}
    assert "storytelling" in view.gaps and "storytelling" not in view.unscored
    assert set(view.unscored) == set(PRACTICE_IDS) - {"vision", "storytelling", "process"}


def test_threshold_is_inclusive_and_configurable() -> None:
    exact = Member(4, "Di", {"vision": 4.0})
    assert team_coverage("t", [exact]).practices[0].covered
    assert not team_coverage("t", [exact], threshold=4.25).practices[0].covered
    assert team_coverage("t", [ADA], threshold=3.5).practices[1].by == ("Ada",)


def test_empty_team_has_every_practice_as_an_unscored_gap() -> None:
    view = team_coverage("new", [])
    assert view.gaps == PRACTICE_IDS and view.unscored == PRACTICE_IDS


def team(size: int, start: int, vision: float, process: float | None = None) -> list[Member]:
    return [
        Member(start + i, f"p{start + i}", {"vision": vision + i / 10, "process": process})
        for i in range(size)
    ]


def test_org_view_hides_small_teams_without_any_number() -> None:
    view = org_coverage({"big": team(5, 0, 3.6), "small": team(4, 10, 4.6), "silent": [CY] * 6})
    shown = {t.team: t for t in view.teams}
    assert [t.team for t in view.teams] == ["big", "silent", "small"]
    assert shown["small"].shown is False
    assert shown["small"].scored_members is SUPPRESSED
    assert shown["small"].practices == () and shown["small"].gaps == ()
    assert shown["silent"].shown is False  # six members, none scored
    big = shown["big"]
    assert big.shown and big.scored_members == 5
    vision = big.practices[0]
    # 3.6, 3.7, 3.8, 3.9, 4.0 → mean 3.8, one member at the threshold
    assert vision.mean == pytest.approx(3.8) and vision.covering == 1 and vision.covered is True
    assert vision.scored == 5


def test_org_view_suppresses_a_practice_scored_for_fewer_than_five() -> None:
    members = team(5, 0, 3.0, process=4.5)
    members[0] = Member(0, "p0", {"vision": 3.0})  # process unknown for one member → 4 scored
    (aggregate,) = org_coverage({"t": members}).teams
    process = next(p for p in aggregate.practices if p.practice == "process")
    assert (process.covered, process.covering, process.mean, process.scored) == ((SUPPRESSED,) * 4)
    vision = aggregate.practices[0]
    assert vision.covered is False and vision.covering == 0
    assert aggregate.gaps == ("vision",)  # suppressed practices are neither gap nor covered


def test_org_view_carries_no_names() -> None:
    view = org_coverage({"big": team(6, 0, 4.2)})
    assert "p0" not in repr(view)
