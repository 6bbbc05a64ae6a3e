"""Ownership concentration on a real repository with known shares (tests/why/ownership_repo)."""

from __future__ import annotations

import datetime as dt
import json
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
    areas = by_area(lake)
    report = areas.pop("_report")
    got = {
        name: (a.commits, a.authors, a.top_share, round(a.herfindahl, 6), a.bus_factor, a.flagged)
        for name, a in areas.items()
    }
    assert got == {
        "src": (10, 3, 0.6, 0.46, 1, True),
        "docs": (6, 4, pytest.approx(1 / 3), round(10 / 36, 6), 2, False),
        "lib": (1, 1, 1.0, 1.0, 1, True),
        ".": (4, 2, 0.5, 0.5, 2, False),
    }
    assert areas["lib"].lines == 4  # one new file of 4 lines
    # docs: six commits of 2-line files; D and E each rewrote theirs once (+2 -2): 2·2 + 2·4 + 2 + 2
    assert areas["docs"].lines == 16
    assert (report.people, report.commits, report.flagged) == (6, 20, 2)  # type: ignore[attr-defined]
    assert report.withheld is None  # type: ignore[attr-defined]
    # the 365 days up to the last commit of the repository (the merge)
    assert (report.start, report.end) == (dt.date(2023, 3, 30), dt.date(2024, 3, 28))  # type: ignore[attr-defined]
    # flagged first: the most concentrated areas lead
    assert [a.area for a in report.areas][:2] == ["lib", "src"]  # type: ignore[attr-defined]


def test_identities_of_one_person_are_merged(lake: Lake) -> None:
    apart = OwnerScope("all work data", None, {})  # every identity its own person
    areas = by_area(lake, apart)
    report = areas.pop("_report")
    src = areas["src"]
    assert (src.authors, src.top_share, src.bus_factor) == (4, 0.3, 2)  # type: ignore[attr-defined]
    assert report.people == 7  # type: ignore[attr-defined]


def test_bots_are_left_out_by_default(lake: Lake) -> None:
    top = by_area(lake, include_bots=True)["."]
    assert (top.commits, top.authors, top.bus_factor) == (9, 3, 1)  # type: ignore[attr-defined]
    assert top.top_share == pytest.approx(5 / 9)  # type: ignore[attr-defined]
    assert by_area(lake)["."].commits == 4  # type: ignore[attr-defined]


def test_deeper_areas(lake: Lake) -> None:
    areas = by_area(lake, depth=2)
    areas.pop("_report")
    assert {n: (a.commits, a.bus_factor) for n, a in areas.items()} == {  # type: ignore[attr-defined]
        "src/core": (7, 1),
        "src/web": (3, 1),
        "docs": (6, 2),
        "lib": (1, 1),
        ".": (4, 2),
    }


def test_the_viewer_sees_the_areas_they_lead(lake: Lake) -> None:
    with FlowEngine(lake) as engine:
        ada = ownership(engine=engine, scope=EVERYONE, viewer=IDS["A"])
        fay = ownership(engine=engine, scope=EVERYONE, viewer=IDS["F"])
        cyd = ownership(engine=engine, scope=EVERYONE, viewer=IDS["C"])
        dee = ownership(engine=engine, scope=EVERYONE, viewer=IDS["D"])
    assert [(m.area, m.share, m.text) for m in ada.mine] == [
        ("src", 0.6, "you wrote 60 % of changes in src")
    ]
    assert [(m.area, m.share) for m in fay.mine] == [("lib", 1.0)]
    assert [(m.area, m.share) for m in cyd.mine] == [(".", 0.5)]  # a tie for the top counts
    assert [(m.area, m.share) for m in dee.mine] == [("docs", pytest.approx(1 / 3))]  # tied
    # nobody's name or identity key is in the answer, only the viewer's own share
    text = ada.model_dump_json()
    for who in r.NAMES:
        assert who not in text
    for identity in r.person_map(IDS):
        assert identity not in text and identity.split(":")[1] not in text


def test_a_team_is_its_members_commits_and_withheld_below_five_people(lake: Lake) -> None:
    five = OwnerScope(
        "team Five",
        tuple(k for k in r.person_map(IDS) if not k.startswith("email:fay")),
        r.person_map(IDS),
    )
    areas = by_area(lake, five)
    report = areas.pop("_report")
    assert report.people == 5  # type: ignore[attr-defined]
    assert "lib" not in areas  # only Fay changed it
    assert areas["docs"].commits == 5  # type: ignore[attr-defined]
    four = OwnerScope(
        "team Four", tuple(k for k in five.keys or () if "eli" not in k), r.person_map(IDS)
    )
    with FlowEngine(lake) as engine:
        held = ownership(engine=engine, scope=four, viewer=IDS["A"])
    assert held.withheld is not None and "4 people" in held.withheld
    assert held.areas == [] and held.mine == [] and held.people == 4
    # a window holding fewer people is withheld too
    with FlowEngine(lake) as engine:
        early = ownership(
            engine=engine, scope=EVERYONE, start=dt.date(2024, 3, 1), end=dt.date(2024, 3, 10)
        )
    assert early.withheld is not None and early.areas == []
    assert json.loads(early.model_dump_json())["areas"] == []


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
