"""``tandem feedback`` and ``tandem one-on-one`` on a real workspace: --json, --as, privacy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from icalendar import Calendar

from tandem.db.session import session_scope
from tandem.people.models import Person
from tests.helpers import new_workspace, run_cli

WIDE = {"COLUMNS": "200"}
PRIVATE = "SYNTHETIC-cli-private-note"
SECRET = "SYNTHETIC-cli-feedback"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """Max manages Ann; Pat is a peer."""
    workspace = new_workspace(tmp_path / "ws")
    with session_scope(workspace.engine) as session:
        people = [Person(display_name=n, email=f"{n.lower()}@example.org")
                  for n in ("Max", "Ann", "Pat")]  # fmt: skip
        session.add_all(people)
        session.flush()
        people[1].manager_id = people[0].id
    return workspace.root


def cli(root: Path, *args: str) -> tuple[int, str, str]:
    result = run_cli(*args, "-w", root, env=WIDE)
    return result.exit_code, result.stdout, result.stderr


def ok(root: Path, *args: str) -> dict[str, object]:
    code, out, err = cli(root, *args, "--json")
    assert code == 0, err
    data: dict[str, object] = json.loads(out)
    return data


def test_feedback_lint_give_and_who_reads_it(root: Path) -> None:
    result = run_cli("feedback", "lint", "--behaviour", "You are always rude", "--json")
    assert result.exit_code == 0
    lint = json.loads(result.stdout)
    assert [f["rule"] for f in lint["findings"]] == ["absolute", "trait", "missing_impact"]
    give = ("feedback", "give", "--as", "max@example.org", "--to", "ann@example.org",
            "--kind", "redirect", "--situation", "Tuesday review",
            "--behaviour", f"You were always late {SECRET}", "--impact", "We waited")  # fmt: skip
    code, _, err = cli(root, *give)
    assert code != 0 and "lint_seen" in err and "Traceback" not in err
    given = ok(root, *give, "--lint-seen")
    feedback_id = str(given["id"])
    assert given["lint_rules"] == ["absolute"]
    assert (
        ok(root, "feedback", "show", feedback_id, "--as", "ann@example.org")["relation"]
        == "receiver"
    )
    code, out, err = cli(root, "feedback", "show", feedback_id, "--as", "pat@example.org", "--json")
    assert code != 0 and SECRET not in out + err
    listed = ok(root, "feedback", "list", "--as", "pat@example.org")
    assert listed["count"] == 0
    cadence = ok(root, "feedback", "cadence", "--as", "max@example.org")
    assert [r["days_since"] for r in cadence["reports"]] == [0]  # type: ignore[index]
    counts = ok(root, "feedback", "counts")
    assert counts["total"] is None and counts["withheld"]
    code, out, _ = cli(root, "feedback", "cadence", "--as", "max@example.org")
    assert code == 0 and "Ann" in out


def test_one_on_ones_keep_private_notes_private_on_every_cli_surface(
    root: Path, tmp_path: Path
) -> None:
    pair = ok(root, "one-on-one", "start", "--as", "ann@example.org", "--with", "max@example.org")
    pair_id = str(pair["id"])
    meeting = ok(root, "one-on-one", "meet", pair_id, "--as", "max@example.org",
                 "--at", "2030-01-07T10:00")  # fmt: skip
    ok(root, "one-on-one", "agenda", pair_id, "--as", "ann@example.org", "--text", "Growth")
    ok(root, "one-on-one", "note", str(meeting["id"]), "--as", "ann@example.org", "--text",
       PRIVATE, "--private")  # fmt: skip
    action = ok(root, "one-on-one", "action", pair_id, "--as", "max@example.org", "--owner",
                "ann@example.org", "--text", "Book the course", "--due", "2030-01-20")  # fmt: skip
    ok(root, "one-on-one", "done", str(action["id"]), "--as", "ann@example.org")
    mine = ok(root, "one-on-one", "show", pair_id, "--as", "ann@example.org")
    assert PRIVATE in json.dumps(mine)
    code, out, _ = cli(root, "one-on-one", "show", pair_id, "--as", "ann@example.org")
    assert code == 0 and "private note (only you)" in out
    for args in (
        ("one-on-one", "show", pair_id, "--as", "max@example.org"),
        ("one-on-one", "show", pair_id, "--as", "max@example.org", "--json"),
        ("one-on-one", "ics", pair_id, "--as", "max@example.org"),
        ("people", "export", "max@example.org"),
    ):
        code, out, err = cli(root, *args)
        assert code == 0, err
        assert PRIVATE not in out, args
    code, out, err = cli(root, "one-on-one", "show", pair_id, "--as", "pat@example.org")
    assert code != 0 and "Growth" not in out + err
    target = tmp_path / "series.ics"
    ok(root, "one-on-one", "ics", pair_id, "--as", "ann@example.org", "-o", str(target))
    event = Calendar.from_ical(target.read_bytes()).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "1:1 Max & Ann" and PRIVATE not in target.read_text()
    code, _, err = cli(root, "one-on-one", "cadence", pair_id, "--as", "max@example.org",
                       "--days", "120")  # fmt: skip
    assert code != 0 and "cadence_days" in err
