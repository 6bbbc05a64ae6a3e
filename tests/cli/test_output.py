"""The CLI's one output sanitiser: control characters are shown, never sent to the terminal."""

from __future__ import annotations

import io

from rich.table import Table

from tandem.cli.output import SafeConsole, printable


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
