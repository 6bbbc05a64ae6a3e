"""Ownership concentration on a real repository with known shares (tests/why/ownership_repo)."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from tandem.errors import InputError
from tandem.flow.engine import FlowEngine
from tandem.lake import Lake
from tandem.why.delegation.ownership import OwnerScope, concentration, ownership
from tests.why import ownership_repo as r

IDS = {"A": "1", "B": "2", "C": "3", "D": "4", "E": "5", "F": "6"}
EVERYONE = OwnerScope("all work data", None, r.person_map(IDS))


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Lake:
    base = tmp_path_factory.mktemp("ownership")
    return r.ingest(r.build_repo(base / "repo"), base / "lake")


def by_area(lake: Lake, scope: OwnerScope = EVERYONE, **options: object) -> dict[str, object]:
    with FlowEngine(lake) as engine:
        report = ownership(engine=engine, scope=scope, **options)  # type: ignore[arg-type]
    return {a.area: a for a in report.areas} | {"_report": report}


def test_concentration_by_hand() -> None:
    assert concentration([6, 3, 1]).top_share == 0.6
    assert concentration([6, 3, 1]).herfindahl == pytest.approx(0.46)
    assert concentration([6, 3, 1]).bus_factor == 1
    assert concentration([5, 5]).bus_factor == 2  # half is not more than half
    assert concentration([2, 2, 1, 1]).bus_factor == 2
    assert concentration([1, 1, 1, 1, 1]).bus_factor == 3
    assert concentration([7]).bus_factor == 1


def test_shares_and_bus_factors_per_top_level_area(lake: Lake) -> None:
    # the arithmetic, with the people floor out of the way (min_people=1: every area shown)
    areas = by_area(lake, min_people=1)
    report = areas.pop("_report")
    got = {
        name: (a.commits, a.authors, a.top_share, a.herfindahl, a.bus_factor, a.flagged)  # type: ignore[attr-defined]
        for name, a in areas.items()
    }
    assert got == {
        "src": (10, 3, 0.6, pytest.approx(0.46), 1, True),
        "docs": (7, 5, pytest.approx(2 / 7), pytest.approx(11 / 49), 2, False),
        "lib": (1, 1, 1.0, 1.0, 1, True),
        ".": (5, 3, 0.4, pytest.approx(0.36), 2, False),
    }
    assert areas["lib"].lines == 4  # type: ignore[attr-defined]  # one new file of 4 lines
    # docs: seven commits of 2-line files; D and E each rewrote theirs once (+2 -2)
    assert areas["docs"].lines == 2 * 2 + 2 * 4 + 2 + 2 + 2  # type: ignore[attr-defined]
    assert (report.people, report.commits, report.flagged) == (6, 22, 2)  # type: ignore[attr-defined]
    assert report.withheld is None  # type: ignore[attr-defined]
    # the 365 days up to the last commit of the repository (the merge)
    assert (report.start, report.end) == (dt.date(2023, 3, 30), dt.date(2024, 3, 28))  # type: ignore[attr-defined]
    # flagged first: the most concentrated areas lead
    assert [a.area for a in report.areas][:2] == ["lib", "src"]  # type: ignore[attr-defined]


def test_an_area_of_fewer_than_five_people_shows_only_its_authors_and_bus_factor(
    lake: Lake,
) -> None:
    areas = by_area(lake)
    report = areas.pop("_report")
    figures = {
        name: (a.commits, a.lines, a.top_share, a.herfindahl)  # type: ignore[attr-defined]
        for name, a in areas.items()
    }
    assert figures == {
        "docs": (7, 18, pytest.approx(2 / 7), pytest.approx(11 / 49)),
        "src": (None, None, None, None),  # 3 people: 0.6 of 10 would be Ada's 6
        "lib": (None, None, None, None),  # 1 person: its commits are Fay's
        ".": (None, None, None, None),
    }
    shape = {n: (a.authors, a.bus_factor, a.flagged) for n, a in areas.items()}  # type: ignore[attr-defined]
    # authors below 5 are a count of those few people: null too
    assert shape == {"docs": (5, 2, False), "src": (None, 1, True), "lib": (None, 1, True),
                     ".": (None, 2, False)}  # fmt: skip
    for name in ("src", "lib", "."):
        assert "fewer than 5 people" in areas[name].withheld  # type: ignore[attr-defined]
    assert areas["docs"].withheld is None  # type: ignore[attr-defined]
    # the bus factor still flags the one-person areas, without saying whose
    assert report.flagged == 2  # type: ignore[attr-defined]
    # withheld areas are not ranked by their hidden figures: shown first, then bus factor, name
    assert [a.area for a in report.areas] == ["docs", "lib", "src", "."]  # type: ignore[attr-defined]
    # nothing in the JSON gives a withheld area's figures: no share, HHI or count of theirs
    dumped = json.loads(report.model_dump_json())  # type: ignore[attr-defined]
    hidden = ("commits", "lines", "top_share", "herfindahl", "authors")
    for area in dumped["areas"]:
        if area["withheld"]:
            assert {k: area[k] for k in hidden} == dict.fromkeys(hidden)


def test_an_area_that_would_give_a_withheld_one_back_is_withheld_too(lake: Lake) -> None:
    # with a floor of 3, lib (Fay alone) is withheld; the total minus the shown areas would then
    # give lib's commits back, so the shown area with the fewest people goes with it ("." and
    # src tie at 3; "." comes first by name)
    areas = by_area(lake, min_people=3)
    areas.pop("_report")
    held = {n for n, a in areas.items() if a.commits is None}  # type: ignore[attr-defined]
    assert held == {"lib", "."}
    assert "subtraction" in areas["."].withheld  # type: ignore[attr-defined]
    assert areas["."].top_share is None and areas["."].bus_factor == 2  # type: ignore[attr-defined]
    assert areas["src"].commits == 10 and areas["docs"].commits == 7  # type: ignore[attr-defined]


def test_identities_of_one_person_are_merged(lake: Lake) -> None:
    apart = OwnerScope("all work data", None, {})  # every identity its own person
    areas = by_area(lake, apart, min_people=1)
    report = areas.pop("_report")
    src = areas["src"]
    assert (src.authors, src.top_share, src.bus_factor) == (4, 0.3, 2)  # type: ignore[attr-defined]
    assert report.people == 7  # type: ignore[attr-defined]


def test_bots_are_left_out_by_default(lake: Lake) -> None:
    top = by_area(lake, include_bots=True, min_people=1)["."]
    assert (top.commits, top.authors, top.bus_factor) == (10, 4, 2)  # type: ignore[attr-defined]
    assert top.top_share == pytest.approx(5 / 10)  # type: ignore[attr-defined]
    assert by_area(lake, min_people=1)["."].commits == 5  # type: ignore[attr-defined]
    # with the floor: the bot is not a person, so "." (3 people and a bot) stays withheld
    assert by_area(lake, include_bots=True)["."].top_share is None  # type: ignore[attr-defined]


def test_deeper_areas(lake: Lake) -> None:
    areas = by_area(lake, depth=2, min_people=1)
    areas.pop("_report")
    assert {n: (a.commits, a.bus_factor) for n, a in areas.items()} == {  # type: ignore[attr-defined]
        "src/core": (7, 1),
        "src/web": (3, 1),
        "docs": (7, 2),
        "lib": (1, 1),
        ".": (5, 2),
    }


def test_the_viewer_sees_the_areas_they_lead(lake: Lake) -> None:
    with FlowEngine(lake) as engine:
        ada = ownership(engine=engine, scope=EVERYONE, viewer=IDS["A"])
        fay = ownership(engine=engine, scope=EVERYONE, viewer=IDS["F"])
        cyd = ownership(engine=engine, scope=EVERYONE, viewer=IDS["C"])
        dee = ownership(engine=engine, scope=EVERYONE, viewer=IDS["D"])
        shown = ownership(engine=engine, scope=EVERYONE, viewer=IDS["A"], min_people=1)
    # src has 3 people: Ada's share (6 of 10) would give Brook's and Cyd's 4 back; her own
    # changes are hers to see
    assert [(m.area, m.share, m.changes, m.text) for m in ada.mine] == [
        ("src", None, 6, "you wrote the most changes in src: 6")
    ]
    assert [(m.area, m.share, m.text) for m in shown.mine] == [
        ("src", 0.6, "you wrote 60 % of changes in src")
    ]
    # the only author of an area: her share gives no one else's work
    assert [(m.area, m.share, m.text) for m in fay.mine] == [
        ("lib", 1.0, "you wrote 100 % of changes in lib")
    ]
    assert [(m.area, m.share, m.changes) for m in cyd.mine] == [(".", None, 2)]  # a tie counts
    assert [(m.area, m.share) for m in dee.mine] == [("docs", pytest.approx(2 / 7))]  # shown
    # nobody's name or identity key is in the answer, only the viewer's own share
    text = ada.model_dump_json()
    for who in r.NAMES:
        assert who not in text
    for identity in r.person_map(IDS):
        assert identity not in text and identity.split(":")[1] not in text


def test_a_viewer_cannot_derive_another_persons_changes(lake: Lake) -> None:
    """Try every viewer: in each area with other authors that is withheld, nothing the viewer
    gets (their own changes, their share, the area's figures) gives the others' total."""
    with FlowEngine(lake) as engine:
        for letter, pid in IDS.items():
            report = ownership(engine=engine, scope=EVERYONE, viewer=pid)
            unfloored = ownership(engine=engine, scope=EVERYONE, viewer=pid, min_people=1)
            authors = {(a.repo, a.area): a.authors for a in unfloored.areas}
            areas = {(a.repo, a.area): a for a in report.areas}
            for mine in report.mine:
                area = areas[(mine.repo, mine.area)]
                if area.withheld is None or authors[(mine.repo, mine.area)] == 1:
                    continue  # shown, or no one else's changes to give back
                assert mine.share is None and area.commits is None, (letter, mine.area)
                assert "%" not in mine.text


def test_a_team_is_its_members_commits_and_withheld_below_five_people(lake: Lake) -> None:
    five = OwnerScope(
        "team Five",
        tuple(k for k in r.person_map(IDS) if not k.startswith("email:fay")),
        r.person_map(IDS),
    )
    areas = by_area(lake, five, min_people=1)
    report = areas.pop("_report")
    assert report.people == 5  # type: ignore[attr-defined]
    assert "lib" not in areas  # only Fay changed it
    assert areas["docs"].commits == 6  # type: ignore[attr-defined]
    # with the floor: docs has 4 of the team's people now, so every area is withheld
    assert all(a.commits is None for a in by_area(lake, five).values() if hasattr(a, "area"))
    four = OwnerScope(
        "team Four", tuple(k for k in five.keys or () if "eli" not in k), r.person_map(IDS)
    )
    with FlowEngine(lake) as engine:
        held = ownership(engine=engine, scope=four, viewer=IDS["A"])
    assert held.withheld is not None and "fewer than 5 people" in held.withheld
    # a withheld answer carries no count: not the people, not the commits, not in the reason
    assert held.areas == [] and held.mine == [] and held.people is None and held.commits is None
    assert re.search(r"\b[0-4] (person|people)\b", held.withheld) is None
    # a window holding fewer people is withheld too
    with FlowEngine(lake) as engine:
        early = ownership(
            engine=engine, scope=EVERYONE, start=dt.date(2024, 3, 1), end=dt.date(2024, 3, 10)
        )
    assert early.withheld is not None and early.areas == []
    dumped = json.loads(early.model_dump_json())
    assert (dumped["areas"], dumped["people"], dumped["commits"]) == ([], None, None)


def test_a_window_under_seven_days_is_refused_not_widened(lake: Lake) -> None:
    with FlowEngine(lake) as engine:
        week = ownership(
            engine=engine, scope=EVERYONE, start=dt.date(2024, 3, 1), end=dt.date(2024, 3, 7)
        )
        assert (week.start, week.end) == (dt.date(2024, 3, 1), dt.date(2024, 3, 7))
        for start, end in (
            (dt.date(2024, 3, 1), dt.date(2024, 3, 6)),  # 6 days
            (dt.date(2024, 3, 5), dt.date(2024, 3, 5)),  # 1 day
            (dt.date(2024, 3, 25), None),  # to the last commit's day (the 28th): 4 days
        ):
            with pytest.raises(InputError, match="at least 7 days") as caught:
                ownership(engine=engine, scope=EVERYONE, start=start, end=end)
            assert caught.value.field == "from"


def test_bad_input_names_the_field(lake: Lake, tmp_path: Path) -> None:
    with FlowEngine(lake) as engine:
        with pytest.raises(InputError, match="depth"):
            ownership(engine=engine, scope=EVERYONE, depth=4)
        with pytest.raises(InputError, match="'from'"):
            ownership(
                engine=engine, scope=EVERYONE, start=dt.date(2024, 3, 9), end=dt.date(2024, 3, 1)
            )
        with pytest.raises(InputError, match="'repo'"):
            ownership(engine=engine, scope=EVERYONE, repo="nowhere")
