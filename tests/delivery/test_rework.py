"""Rework (a file changed again within 21 days) on a real repository, computed by hand.

The changes of ``gitflow_repos.build_merges`` (main and release-1.0 ingested), authored order;
"rework" when the same file (renames followed) changed at most 21 days before:

====  ===========  ==========  =====  ======  =======================================
 #    authored     file        lines  rework  why
====  ===========  ==========  =====  ======  =======================================
 1    01-01 C1     a.py        2      no      new
 2    01-01 C1     b.py        1      no      new
 3    01-02 F1a    a.py        2      yes     a.py 1 d 23 h before
 4    01-03 F1b    c.py        6      no      new
 5    01-05 H      hotfix.txt  1      no      new
 6    01-08 F2a    d.py ← c.py 2      yes     c.py (renamed) 5 d before
 7    01-09 F2b    b.py        2      yes     8 d
 8    01-12 D1     a.py        2      yes     10 d
 9    01-15 F3a    d.py        2      yes     7 d
10    01-22 F4a    e.py        1      no      new
11    02-20 G      b.py        2      no      42 d after #7
====  ===========  ==========  =====  ======  =======================================

11 files, 5 rework; 23 lines, 10 rework.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tandem.delivery.changes import GitSelection
from tandem.delivery.rework import rework
from tandem.flow.service import TooFewPeopleError
from tandem.lake import Lake
from tandem.settings import BotSettings
from tandem.sources.bots import DEFAULT_BOT_RULES, BotRules
from tandem.sources.git import ingest_repository
from tests.delivery import gitflow_repos as repos
from tests.delivery.gitflow_repos import ALICE, BOB, CAROL, DAVE, ERIN, FRANK, key


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Lake:
    base = tmp_path_factory.mktemp("rework")
    built = repos.build_merges(base / "repo")
    (base / "lake").mkdir()
    lake = Lake(base / "lake")
    for rev in (None, "release-1.0"):
        ingest_repository(lake=lake, path=built.path, rev=rev, bots=DEFAULT_BOT_RULES)
    return lake


def test_rework_shares_and_weeks(lake: Lake) -> None:
    report = rework(lake=lake, selection=GitSelection())
    assert (report["files"], report["rework_files"]) == (11, 5)
    assert (report["lines"], report["rework_lines"]) == (23, 10)
    assert report["file_share"] == pytest.approx(5 / 11)
    assert report["line_share"] == pytest.approx(10 / 23)
    weeks = {
        w["week"]: (w["files"], w["rework_files"], w["lines"], w["rework_lines"])
        for w in report["weekly"]
    }
    assert weeks == {
        "2024-W01": (5, 1, 12, 2),  # rows 1–5
        "2024-W02": (3, 3, 6, 6),  # rows 6–8
        "2024-W03": (1, 1, 2, 2),  # row 9
        "2024-W04": (1, 0, 1, 0),  # row 10
        "2024-W08": (1, 0, 2, 0),  # row 11
    }
    # a.py and d.py twice each (4 lines; tie broken by path), b.py once
    assert [(p["path"], p["rework_changes"], p["rework_lines"]) for p in report["top_paths"]] == [
        ("a.py", 2, 4), ("d.py", 2, 4), ("b.py", 1, 2)
    ]  # fmt: skip
    assert report["people"] is None


def test_a_shorter_horizon_and_a_window(lake: Lake) -> None:
    # 7 days: rows 3 (1 d 23 h), 6 (5 d) and 9 (7 d) stay rework; 7 (8 d) and 8 (10 d) do not
    assert rework(lake=lake, selection=GitSelection(), days=7)["rework_files"] == 3
    week2 = GitSelection(
        start=dt.datetime(2024, 1, 8, tzinfo=dt.UTC), end=dt.datetime(2024, 1, 15, tzinfo=dt.UTC)
    )
    report = rework(lake=lake, selection=week2)
    # rows 6–8; their previous changes (week 1) are read although outside the window
    assert (report["files"], report["rework_files"]) == (3, 3)


TEAM = (key(BOB), key(CAROL), key(DAVE), key(ERIN), key(FRANK))


def test_a_team_counts_its_members_changes_from_five_people_on(lake: Lake) -> None:
    team = GitSelection(people=TEAM, team_people={k: k for k in TEAM})
    report = rework(lake=lake, selection=team)
    # rows 3, 4, 6, 7, 9 are the members' (Bob, Carol, Dave, Erin, Frank): 4 of them rework
    assert (report["files"], report["rework_files"], report["people"]) == (5, 4, 5)
    small = GitSelection(people=TEAM[:4], team_people={k: k for k in TEAM[:4]})
    with pytest.raises(TooFewPeopleError, match="from fewer than 5 people"):
        rework(lake=lake, selection=small)
    one_week = GitSelection(
        people=TEAM,
        team_people={k: k for k in TEAM},
        start=dt.datetime(2024, 1, 15, tzinfo=dt.UTC),
        end=dt.datetime(2024, 1, 22, tzinfo=dt.UTC),
    )
    with pytest.raises(TooFewPeopleError, match="from fewer than 5 people"):  # only Frank's F3a
        rework(lake=lake, selection=one_week)


def test_a_team_s_weeks_below_five_people_are_withheld(lake: Lake) -> None:
    """Team rows 3, 4 (W01: Bob, Carol), 6, 7 (W02: Dave, Erin), 9 (W03: Frank): each week
    rests on fewer than five people, so each loses its rework counts and shares (the total,
    behind five, is shown); without a team every week is shown."""
    team = rework(lake=lake, selection=GitSelection(people=TEAM, team_people={k: k for k in TEAM}))
    assert team["people"] == 5 and team["rework_files"] == 4
    # a withheld week tells no count of its people, neither as a field nor in its reason
    assert [(w["week"], w["files"], w["people"]) for w in team["weekly"]] == [
        ("2024-W01", 2, None),
        ("2024-W02", 2, None),
        ("2024-W03", 1, None),
    ]
    for week in team["weekly"]:
        assert week["withheld"] and "from fewer than 5 people" in week["withheld"]
        assert (week["rework_files"], week["rework_lines"]) == (None, None)
        assert (week["file_share"], week["line_share"]) == (None, None)
    everyone = rework(lake=lake, selection=GitSelection())
    assert all(w["withheld"] is None and w["line_share"] is not None for w in everyone["weekly"])
    # a path's rework by fewer than five people is not listed for a team
    assert team["top_paths"] == [] and team["top_paths_withheld"] == 3  # a.py, b.py, d.py
    assert everyone["top_paths"] and everyone["top_paths_withheld"] == 0


def test_the_report_names_no_one(lake: Lake) -> None:
    text = repr(rework(lake=lake, selection=GitSelection()))
    for person in (ALICE, BOB, CAROL, DAVE, ERIN, FRANK):
        assert person[0] not in text and person[1] not in text


def test_bots_can_be_excluded(tmp_path: Path) -> None:
    built = repos.build_merges(tmp_path / "repo")
    (tmp_path / "lake").mkdir()
    lake = Lake(tmp_path / "lake")
    bots = BotRules.from_settings(
        BotSettings(name_patterns=[], email_patterns=[], identities=[key(ERIN)])
    )
    ingest_repository(lake=lake, path=built.path, rev=None, bots=bots)
    everyone = rework(lake=lake, selection=GitSelection())
    humans = rework(lake=lake, selection=GitSelection(include_bots=False))
    # main only (no H): 10 files, 5 rework. Without Erin's F2b (b.py, rework) G stays 42 d
    # after C1's b.py: 9 files, 4 rework
    assert (everyone["files"], everyone["rework_files"]) == (10, 5)
    assert (humans["files"], humans["rework_files"]) == (9, 4)
