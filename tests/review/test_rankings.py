"""The optional forced-ranking block: import (all or nothing, line numbers) and profile counts."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tandem.csvfile import BadRowsError
from tandem.errors import ConflictError
from tandem.people.models import Person
from tandem.profile import service as profile_service
from tandem.profile.schemas import dump
from tandem.review import service
from tandem.review.models import ForcedRanking, ReviewAssignment, ReviewResponse
from tandem.review.rankings import RankingBlock, blocks_by_ratee, import_rankings, others_counts
from tests.helpers import V1
from tests.profile.test_service import setup_hand_org
from tests.review.conftest import write

HEADER = "ratee,rater,relation,kind,rank,practice"
STRONG = ("vision", "change", "process")
WEAK = ("conflict", "allocation", "storytelling")


def block_rows(
    ratee: str,
    rater: str,
    relation: str,
    strongest: Sequence[str] = STRONG,
    weakest: Sequence[str] = WEAK,
) -> list[str]:
    """The six CSV rows of one block, strongest 1–3 then weakest 1–3."""
    return [
        f"{ratee},{rater},{relation},{kind},{rank},{practice}"
        for kind, chosen in (("strongest", strongest), ("weakest", weakest))
        for rank, practice in enumerate(chosen, start=1)
    ]


def csv_file(path: Path, rows: Sequence[str]) -> Path:
    return write(path, "\n".join([HEADER, *rows]) + "\n")


def stored_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(ForcedRanking)) or 0


@pytest.fixture
def cycle(db_session: Session, org: dict[str, int]) -> str:
    """An open cycle with Core's raters assigned (Cy: self, manager Bob, peers Ada and Di)."""
    service.create_cycle(session=db_session, name="2026-H1", item_bank_version=V1)
    service.assign_from_teams(session=db_session, cycle="2026-H1", teams=["Core"])
    return "2026-H1"


def test_a_good_file_is_stored_block_by_block(
    db_session: Session, org: dict[str, int], cycle: str, tmp_path: Path
) -> None:
    rows = block_rows("cy@example.com", "bob@example.com", "manager") + block_rows(
        str(org["cy"]), str(org["cy"]), "self", ("process", "vision", "change"), WEAK
    )
    report = import_rankings(
        session=db_session, cycle=cycle, path=csv_file(tmp_path / "r.csv", rows)
    )
    assert (report.rows, report.blocks, report.inserted, report.ratees) == (12, 2, 2, 1)
    assert (report.replaced, report.unchanged, report.assignments_created) == (0, 0, 0)
    assert stored_count(db_session) == 12
    found = service.get_cycle(session=db_session, name=cycle)
    assert blocks_by_ratee(session=db_session, cycle=found) == {
        org["cy"]: {
            org["bob"]: RankingBlock(STRONG, WEAK),
            org["cy"]: RankingBlock(("process", "vision", "change"), WEAK),
        }
    }
    vision_rank = db_session.scalar(
        select(ForcedRanking.rank).where(
            ForcedRanking.rater_id == org["cy"], ForcedRanking.practice == "vision"
        )
    )
    assert vision_rank == 2


def test_reimport_replaces_only_that_raters_block(
    db_session: Session, org: dict[str, int], cycle: str, tmp_path: Path
) -> None:
    first = block_rows("cy@example.com", "bob@example.com", "manager") + block_rows(
        "cy@example.com", "ada@example.com", "peer"
    )
    import_rankings(session=db_session, cycle=cycle, path=csv_file(tmp_path / "1.csv", first))
    new_bob = RankingBlock(
        ("performance", "process", "vision"), ("change", "conflict", "empowerment")
    )
    again = block_rows(
        "cy@example.com", "bob@example.com", "manager", new_bob.strongest, new_bob.weakest
    )
    report = import_rankings(
        session=db_session, cycle=cycle, path=csv_file(tmp_path / "2.csv", again)
    )
    assert (report.inserted, report.replaced, report.unchanged) == (0, 1, 0)
    assert stored_count(db_session) == 12
    found = service.get_cycle(session=db_session, name=cycle)
    assert blocks_by_ratee(session=db_session, cycle=found)[org["cy"]] == {
        org["bob"]: new_bob,
        org["ada"]: RankingBlock(STRONG, WEAK),
    }
    same = import_rankings(
        session=db_session, cycle=cycle, path=csv_file(tmp_path / "3.csv", again)
    )
    assert (same.inserted, same.replaced, same.unchanged) == (0, 0, 1)


def _mutate(line: int, column: str, value: str) -> list[str]:
    """Bob's good block about Cy (lines 2–7) with one cell changed."""
    rows = block_rows("cy@example.com", "bob@example.com", "manager")
    cells = rows[line - 2].split(",")
    cells[("ratee", "rater", "relation", "kind", "rank", "practice").index(column)] = value
    rows[line - 2] = ",".join(cells)
    return rows


# Lines: 2–4 strongest vision, change, process; 5–7 weakest conflict, allocation, storytelling.
BAD_ROWS = {
    "unknown rater": (_mutate(4, "rater", "zed@example.com"), {2: "lacks strongest 3", 4: "zed"}),
    "unknown ratee id": (_mutate(5, "ratee", "999"), {2: "lacks weakest 1", 5: "'999'"}),
    "bad kind": (_mutate(3, "kind", "best"), {3: "kind 'best'"}),
    "rank out of range": (_mutate(3, "rank", "4"), {3: "rank '4'"}),
    "unknown practice": (_mutate(5, "practice", "charisma"), {5: "practice 'charisma'"}),
    "strongest and weakest": (_mutate(7, "practice", "vision"), {7: "already ranked on line 2"}),
    "six distinct practices": (_mutate(3, "practice", "vision"), {3: "already ranked on line 2"}),
    "rank twice": (_mutate(4, "rank", "2"), {2: "lacks strongest 3", 4: "repeats strongest"}),
    "relation contradicts assignment": (_mutate(6, "relation", "peer"), {6: "cycle's manager"}),
    "self with another rater": (_mutate(6, "relation", "self"), {6: "relation self needs"}),
    "bad relation": (_mutate(6, "relation", "boss"), {6: "relation 'boss'"}),
    "incomplete block": (_mutate(2, "ratee", "cy@example.com")[:-1], {2: "lacks weakest 3"}),
}


@pytest.mark.parametrize("case", BAD_ROWS)
def test_each_bad_row_is_reported_with_its_line_and_nothing_is_stored(
    db_session: Session, org: dict[str, int], cycle: str, tmp_path: Path, case: str
) -> None:
    rows, expected = BAD_ROWS[case]
    # Ada's good block about Cy (lines 8–13) would be fine alone; it is not stored either.
    rows = rows + block_rows("cy@example.com", "ada@example.com", "peer")
    people = db_session.scalar(select(func.count()).select_from(Person))
    with pytest.raises(BadRowsError) as caught:
        import_rankings(session=db_session, cycle=cycle, path=csv_file(tmp_path / "b.csv", rows))
    problems = caught.value.problems
    assert {line for line, _ in problems} == set(expected)
    for line, fragment in expected.items():
        assert any(ln == line and fragment in msg for ln, msg in problems), (line, problems)
    assert stored_count(db_session) == 0
    assert db_session.scalar(select(func.count()).select_from(Person)) == people


def test_every_bad_row_of_a_file_is_reported_at_once(
    db_session: Session, org: dict[str, int], cycle: str, tmp_path: Path
) -> None:
    ada = block_rows("cy@example.com", "ada@example.com", "peer")
    ada[3] = ada[3].replace("conflict", "charisma")  # line 8 + 3
    rows = _mutate(3, "kind", "best") + ada
    with pytest.raises(BadRowsError) as caught:
        import_rankings(session=db_session, cycle=cycle, path=csv_file(tmp_path / "b.csv", rows))
    assert [line for line, _ in caught.value.problems] == [3, 11]
    assert "2 bad rows, nothing imported" in caught.value.message


def test_relation_follows_answers_and_the_file_itself(
    db_session: Session, org: dict[str, int], cycle: str, tmp_path: Path
) -> None:
    found = service.get_cycle(session=db_session, name=cycle)
    # Di answered about Eve as a peer without an assignment (written around the import).
    db_session.add(
        ReviewResponse(
            cycle_id=found.id,
            ratee_id=org["eve"],
            rater_id=org["di"],
            relation="peer",
            item_id="vision-1",
            value=3,
        )
    )
    db_session.flush()
    as_report = block_rows("eve@example.com", "di@example.com", "report")
    unknown_pair = block_rows("eve@example.com", "ada@example.com", "peer")
    unknown_pair[3] = unknown_pair[3].replace(",peer,", ",report,")  # line 11 vs line 8
    with pytest.raises(BadRowsError) as caught:
        import_rankings(
            session=db_session,
            cycle=cycle,
            path=csv_file(tmp_path / "b.csv", as_report + unknown_pair),
        )
    lines = dict(caught.value.problems)
    assert set(lines) == {2, 3, 4, 5, 6, 7, 11}
    assert "cycle's peer relation" in lines[2]
    assert "contradicts line 8 (peer)" in lines[11]
    report = import_rankings(
        session=db_session,
        cycle=cycle,
        path=csv_file(tmp_path / "g.csv", block_rows("eve@example.com", "ada@example.com", "peer")),
    )
    assert report.assignments_created == 1
    relation = db_session.scalar(
        select(ReviewAssignment.relation).where(
            ReviewAssignment.ratee_id == org["eve"], ReviewAssignment.rater_id == org["ada"]
        )
    )
    assert relation == "peer"


def test_a_closed_cycle_takes_no_rankings(
    db_session: Session, org: dict[str, int], cycle: str, tmp_path: Path
) -> None:
    service.close_cycle(session=db_session, name=cycle)
    rows = block_rows("cy@example.com", "bob@example.com", "manager")
    with pytest.raises(ConflictError, match="closed"):
        import_rankings(session=db_session, cycle=cycle, path=csv_file(tmp_path / "r.csv", rows))
    assert stored_count(db_session) == 0


# -- in the profile -------------------------------------------------------------------------------

# About Rae (hand organisation: self, manager Max, peers Pia/Pat/Pol, reports Ren/Roy).
RAE_BLOCKS = {
    "rae": (
        "self",
        ("vision", "storytelling", "empowerment"),
        ("process", "performance", "communication"),
    ),
    "max": ("manager", STRONG, WEAK),
    "pia": ("peer", ("vision", "process", "communication"), ("conflict", "change", "empowerment")),
    "ren": ("report", ("process", "vision", "conflict"), ("allocation", "storytelling", "change")),
    "roy": (
        "report",
        ("conflict", "change", "championing"),
        ("performance", "allocation", "vision"),
    ),
}
# Hand-counted over Max, Pia and Ren (Rae's own block never counts): strongest / weakest.
COUNTS_3 = {
    "vision": (3, 0),
    "storytelling": (0, 2),
    "empowerment": (0, 1),
    "change": (1, 2),
    "championing": (0, 0),
    "process": (3, 0),
    "performance": (0, 0),
    "communication": (1, 0),
    "allocation": (0, 2),
    "conflict": (1, 2),
}
# ... and with Roy's block added: the four others a profile needs.
COUNTS_4 = {
    **COUNTS_3,
    "vision": (3, 1),
    "change": (2, 2),
    "championing": (1, 0),
    "performance": (0, 1),
    "allocation": (0, 3),
    "conflict": (2, 2),
}


def import_rae_blocks(session: Session, tmp_path: Path, raters: Sequence[str]) -> None:
    rows = [
        row
        for rater in raters
        for row in block_rows(
            "rae@example.com",
            f"{rater}@example.com",
            *RAE_BLOCKS[rater],
        )
    ]
    import_rankings(session=session, cycle="2026-H1", path=csv_file(tmp_path / "rk.csv", rows))


def test_profile_counts_four_others_and_never_self(db_session: Session, tmp_path: Path) -> None:
    setup_hand_org(db_session, tmp_path, close=False)
    import_rae_blocks(db_session, tmp_path, ["rae", "max", "pia", "ren", "roy"])
    service.close_cycle(session=db_session, name="2026-H1")
    out = dump(
        profile_service.profile(session=db_session, person="rae@example.com", cycle="2026-H1")
    )
    forced = out["forced_ranking"]
    assert forced["others"]["raters"] == 4
    assert {
        p: (c["strongest"], c["weakest"]) for p, c in forced["others"]["practices"].items()
    } == COUNTS_4
    assert list(forced["others"]["practices"]) == list(COUNTS_4)
    assert forced["self"] == {
        "strongest": ["vision", "storytelling", "empowerment"],
        "weakest": ["process", "performance", "communication"],
    }
    assert "manager" not in forced["others"] and "peer" not in forced["others"]
    hidden = profile_service.profile(
        session=db_session, person="rae@example.com", cycle="2026-H1", include_self=False
    )
    assert hidden.forced_ranking.self_block is None
    assert dump(hidden)["forced_ranking"]["others"] == forced["others"]


def test_profile_suppresses_three_others_the_recipient_could_subtract_from(
    db_session: Session, tmp_path: Path
) -> None:
    """Counts over Max, Pia and Ren, shared with Max: Max subtracts his block and reads the
    counts of two people. Shown only from four raters, so three remain after any one."""
    setup_hand_org(db_session, tmp_path, close=False)
    import_rae_blocks(db_session, tmp_path, ["rae", "max", "pia", "ren"])
    service.close_cycle(session=db_session, name="2026-H1")
    out = dump(
        profile_service.profile(session=db_session, person="rae@example.com", cycle="2026-H1")
    )
    assert out["forced_ranking"]["others"] == "suppressed"
    assert any("at least 4 raters" in note for note in out["notes"])


def test_profile_suppresses_two_others_even_with_self(db_session: Session, tmp_path: Path) -> None:
    setup_hand_org(db_session, tmp_path, close=False)
    import_rae_blocks(db_session, tmp_path, ["rae", "max", "pia"])
    service.close_cycle(session=db_session, name="2026-H1")
    out = dump(
        profile_service.profile(session=db_session, person="rae@example.com", cycle="2026-H1")
    )
    assert out["forced_ranking"]["others"] == "suppressed"
    assert out["forced_ranking"]["self"]["strongest"][0] == "vision"
    assert any("forced ranking suppressed" in note for note in out["notes"])


def test_profile_without_any_block(db_session: Session, tmp_path: Path) -> None:
    setup_hand_org(db_session, tmp_path)
    out = dump(
        profile_service.profile(session=db_session, person="rae@example.com", cycle="2026-H1")
    )
    assert out["forced_ranking"] == {"others": "suppressed", "self": None}


def test_others_counts_leaves_the_ratee_out() -> None:
    own = RankingBlock(("vision", "change", "process"), ("conflict", "allocation", "performance"))
    other = RankingBlock(("conflict", "change", "process"), ("vision", "allocation", "empowerment"))
    counts = others_counts({7: own, 8: other}, ratee=7)
    assert counts.raters == 1
    assert (counts.strongest["conflict"], counts.weakest["conflict"]) == (1, 0)
    assert (counts.strongest["vision"], counts.weakest["vision"]) == (0, 1)
    assert counts.weakest["performance"] == 0
    assert sum(counts.strongest.values()) == sum(counts.weakest.values()) == 3
