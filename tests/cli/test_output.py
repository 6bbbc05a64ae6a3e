"""The CLI's output: control characters shown, never sent; piped, what a wide terminal shows.

Piped (not a terminal), tables keep every number whole and every row on one line.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from rich.table import Table

from tandem.cli.output import SafeConsole, printable
from tests.helpers import DATA, run_cli


def test_printable_escapes_c0_del_and_c1_but_keeps_tabs_and_newlines() -> None:
    assert printable("a\x1b[2Jb\x07\x7f\x9b\tc\nd\re") == "a\\x1b[2Jb\\x07\\x7f\\x9b\tc\nd\\x0de"
    assert printable("Zoë 🚲 [bold]") == "Zoë 🚲 [bold]"


def test_every_line_and_table_cell_is_sanitised_and_bad_markup_cannot_fail() -> None:
    out = io.StringIO()
    console = SafeConsole(file=out, width=200, highlight=False)
    table = Table("name")
    table.add_row("Eve\x1b]0;owned\x07")
    console.print(table)
    console.print("closing tag [/x] and \x1b[31mred")
    text = out.getvalue()
    assert "Eve\\x1b]0;owned\\x07" in text
    assert "closing tag [/x] and \\x1b[31mred" in text
    assert "\x1b" not in text and "\x07" not in text


ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture(scope="module")
def sepsis(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace with the shipped Sepsis log: long activity and resource names."""
    root = tmp_path_factory.mktemp("piped")
    assert run_cli("init", "-w", root).exit_code == 0
    ingest = run_cli("ingest", "events", DATA / "sepsis.csv.gz", "-w", root)
    assert ingest.exit_code == 0, ingest.stderr
    return root


def table_rows(text: str) -> list[list[str]]:
    """The cells of every body row of the Rich tables in ``text``."""
    return [
        [cell.strip() for cell in line.strip("│").split("│")]
        for line in text.splitlines()
        if line.startswith("│")
    ]


# Piped with no COLUMNS (pytest-xdist sets COLUMNS=80 in its workers: unset it for these runs).
PIPED = {"COLUMNS": None}


def test_a_piped_table_keeps_every_number_whole_on_one_row(sepsis: Path) -> None:
    data = run_cli("flow", "bottlenecks", "-w", sepsis, "--limit", "15", "--json").json()
    piped = run_cli("flow", "bottlenecks", "-w", sepsis, "--limit", "15", env=PIPED)
    assert piped.exit_code == 0, piped.stderr
    assert "…" not in piped.stdout
    rows = table_rows(piped.stdout)
    # One line per bottleneck (nothing wrapped onto a second line), numbers as on a terminal.
    assert [row[0] for row in rows] == [str(n) for n in range(1, len(data["bottlenecks"]) + 1)]
    assert [row[4] for row in rows] == [f"{b['evidence']['count']:,}" for b in data["bottlenecks"]]
    assert any("," in row[4] for row in rows)  # thousands separators, e.g. 3,365
    assert [row[2] for row in rows] == [b["name"] for b in data["bottlenecks"]]


@pytest.mark.parametrize("command", [("flow", "dfg"), ("flow", "bottlenecks"), ("status",)])
def test_piped_output_is_what_a_wide_terminal_shows(sepsis: Path, command: tuple[str, ...]) -> None:
    piped = run_cli(*command, "-w", sepsis, env=PIPED)
    terminal = run_cli(*command, "-w", sepsis, env={"FORCE_COLOR": "1", "COLUMNS": "400"})
    assert piped.exit_code == terminal.exit_code == 0
    assert "\x1b[" in terminal.stdout  # Rich did take it for a terminal
    assert piped.stdout == ANSI.sub("", terminal.stdout)


def test_columns_still_sets_the_width_of_piped_output(sepsis: Path) -> None:
    narrow = run_cli("flow", "dfg", "-w", sepsis, env={"COLUMNS": "60"})
    assert max(len(line) for line in narrow.stdout.splitlines()) <= 60
