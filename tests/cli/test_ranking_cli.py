"""`tandem review import-ranking` and the forced ranking in `tandem profile`, as run by users."""

from __future__ import annotations

from pathlib import Path

from tests.cli.test_profile_cli import hand_workspace
from tests.helpers import run_cli
from tests.review.test_rankings import COUNTS_4, RAE_BLOCKS, block_rows

HEADER = "ratee,rater,relation,kind,rank,practice\n"


def ranking_file(path: Path, raters: list[str]) -> Path:
    rows = [
        row
        for rater in raters
        for row in block_rows("rae@example.com", f"{rater}@example.com", *RAE_BLOCKS[rater])
    ]
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_import_ranking_then_profile_shows_counts_from_four_others(tmp_path: Path) -> None:
    ws = hand_workspace(tmp_path, close=False)
    two = ranking_file(tmp_path / "two.csv", ["rae", "max", "pia"])
    imported = run_cli("review", "import-ranking", two, "--cycle", "2026-H1", "-w", ws, "--json")
    assert imported.exit_code == 0, imported.stderr
    assert (imported.json()["blocks"], imported.json()["inserted"]) == (3, 3)

    four = ranking_file(tmp_path / "four.csv", ["max", "pia", "ren", "roy"])
    human = run_cli("review", "import-ranking", four, "-c", "2026-H1", "-w", ws)
    assert human.exit_code == 0, human.stderr
    assert "2 new, 0 replaced, 2 unchanged" in " ".join(human.stdout.split())
    assert run_cli("review", "close", "2026-H1", "-w", ws).exit_code == 0
    out = run_cli("profile", "rae@example.com", "-c", "2026-H1", "-w", ws, "--json").json()
    others = out["forced_ranking"]["others"]
    assert others["raters"] == 4
    assert others["practices"]["process"] == {"strongest": 3, "weakest": 0}  # Rae's own: weakest
    assert {p: (c["strongest"], c["weakest"]) for p, c in others["practices"].items()} == COUNTS_4
    assert out["forced_ranking"]["self"]["weakest"] == ["process", "performance", "communication"]
    no_self = run_cli(
        "profile", "rae@example.com", "-c", "2026-H1", "--no-self", "-w", ws, "--json"
    ).json()
    assert no_self["forced_ranking"] == {"others": others, "self": None}


def test_bad_rows_exit_2_with_line_numbers_and_nothing_stored(tmp_path: Path) -> None:
    ws = hand_workspace(tmp_path, close=False)
    bad = ranking_file(tmp_path / "bad.csv", ["max"])
    lines = bad.read_text(encoding="utf-8").replace("allocation", "vision").splitlines()  # line 6
    lines[3] = lines[3].replace("max@example.com", "nobody@example.com")  # line 4
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_cli("review", "import-ranking", bad, "--cycle", "2026-H1", "-w", ws, "--json")
    assert result.exit_code == 2
    assert result.stdout == ""
    stderr = " ".join(result.stderr.split())
    assert "3 bad rows, nothing imported" in stderr
    assert (
        "line 2: the block of rater max@example.com about ratee rae@example.com starting here "
        "lacks strongest 3" in stderr
    )
    assert "line 4: rater 'nobody@example.com' is not a known person" in stderr
    assert "line 6: practice vision is already ranked on line 2 (strongest 1)" in stderr
    assert run_cli("review", "close", "2026-H1", "-w", ws).exit_code == 0
    out = run_cli("profile", "rae@example.com", "-c", "2026-H1", "-w", ws, "--json").json()
    assert out["forced_ranking"] == {"others": "suppressed", "self": None}
    good = ranking_file(tmp_path / "good.csv", ["max"])
    closed = run_cli("review", "import-ranking", good, "--cycle", "2026-H1", "-w", ws, "--json")
    assert closed.exit_code == 2
    assert "closed" in closed.stderr
