"""``tandem people export|forget`` and ``tandem audit list`` as an operator meets them.

A SQLite workspace with the demo's synthetic organisation (closed cycle), like every CLI test
(each command opens its own engine); the same services run on PostgreSQL in
tests/people/test_privacy.py and tests/audit/test_service.py.
"""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from tandem.audit import service as audit_service
from tandem.db.session import session_scope
from tandem.demo.org import DEMO_CYCLE, write_demo_org
from tandem.workspace import Workspace
from tests.helpers import run_cli

SUBJECT = "chiara.marrowdale@example.org"


@pytest.fixture
def demo_ws(workspace: Workspace) -> Path:
    with session_scope(workspace.engine) as session:
        write_demo_org(session=session)
    return workspace.root


def audit_list(ws: Path, *args: str) -> list[dict[str, object]]:
    result = run_cli("audit", "list", "-w", ws, "--json", *args)
    assert result.exit_code == 0, result.stderr
    events: list[dict[str, object]] = result.json()["events"]
    return events


def test_export_writes_one_private_file_and_is_audited(demo_ws: Path, tmp_path: Path) -> None:
    ws = demo_ws
    person_id = run_cli("people", "show", SUBJECT, "-w", ws, "--json").json()["id"]
    out = tmp_path / "chiara.json"
    result = run_cli("people", "export", SUBJECT, "--out", out, "-w", ws, "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["person_id"] == person_id and result.json()["path"] == str(out)
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["person"]["email"] == SUBJECT
    assert document["reports"][0]["cycle"] == DEMO_CYCLE
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
    to_stdout = run_cli("people", "export", str(person_id), "-w", ws)
    assert to_stdout.exit_code == 0 and json.loads(to_stdout.stdout)["person"]["id"] == person_id
    [second, first] = audit_list(ws, "--action", "people.export")
    actor = audit_service.cli_actor()
    assert (first["actor"], first["subject_person_id"]) == (actor, person_id)
    assert second["subject_person_id"] == person_id

    nowhere = run_cli("people", "export", SUBJECT, "--out", tmp_path / "no" / "x.json", "-w", ws)
    assert nowhere.exit_code == 2 and "does not exist" in nowhere.stderr
    assert len(audit_list(ws, "--action", "people.export")) == 2  # rolled back with the failure


def test_forget_drops_the_status_counts_and_leaves_one_event(demo_ws: Path) -> None:
    ws = demo_ws
    person_id = run_cli("people", "show", SUBJECT, "-w", ws, "--json").json()["id"]
    before = run_cli("status", "-w", ws, "--json").json()["database"]

    refused = run_cli("people", "forget", SUBJECT, "-w", ws)
    assert refused.exit_code == 2 and "--yes" in refused.stderr
    assert run_cli("status", "-w", ws, "--json").json()["database"] == before

    forgot = run_cli("people", "forget", SUBJECT, "--yes", "-w", ws, "--json")
    assert forgot.exit_code == 0, forgot.stderr
    report = forgot.json()
    assert report["former_person_id"] == person_id
    after = run_cli("status", "-w", ws, "--json").json()["database"]
    assert (
        after["membership"]
        == before["membership"] - report["memberships_removed"]
        == (before["membership"] - 1)
    )
    # One closed cycle: no answer is deleted, they stay under two nameless stand-ins.
    assert after["review_response"] == before["review_response"]
    assert report["answers_deleted"] == 0
    assert report["answers_anonymised"] > 0 and report["answers_kept"] > 0
    assert after["person"] == before["person"] + 1  # − Chiara + anonymous rater + former member
    assert run_cli("people", "show", SUBJECT, "-w", ws).exit_code == 2
    listing = run_cli("people", "list", "-w", ws, "--json").json()
    assert "Chiara Marrowdale" not in json.dumps(listing) and SUBJECT not in json.dumps(listing)
    assert listing["count"] == before["person"] - 1  # the stand-ins are nobody: not listed
    for stand_in in (report["anonymous_rater_id"], report["former_member_id"]):
        for command in (["people", "show"], ["people", "export"], ["profile", "-c", DEMO_CYCLE]):
            shown = run_cli(*command, str(stand_in), "-w", ws)
            assert shown.exit_code == 2 and "no person" in shown.stderr, command

    [event] = audit_list(ws, "--person", str(person_id))
    assert event["action"] == "people.forget" and event["actor"] == audit_service.cli_actor()
    assert "Chiara" not in json.dumps(event)
    again = run_cli("people", "forget", SUBJECT, "--yes", "-w", ws)
    assert again.exit_code == 2 and "no person" in again.stderr


def test_cli_reads_and_role_changes_are_audited_and_listed(demo_ws: Path) -> None:
    ws = demo_ws
    person_id = run_cli("people", "show", SUBJECT, "-w", ws, "--json").json()["id"]
    shown = run_cli("profile", SUBJECT, "--cycle", DEMO_CYCLE, "-w", ws, "--json")
    assert shown.exit_code == 0, shown.stderr
    [read] = audit_list(ws, "--action", "report.read")
    assert (read["actor"], read["subject_person_id"]) == (audit_service.cli_actor(), person_id)
    plan = run_cli("plan", "show", SUBJECT, "--cycle", DEMO_CYCLE, "-w", ws, "--json")
    assert plan.exit_code == 0, plan.stderr  # the plan is made from the report: a read too
    assert len(audit_list(ws, "--action", "report.read")) == 2

    assert audit_list(ws, "--since", "2999-01-01") == []
    assert len(audit_list(ws, "--person", SUBJECT)) == 2
    assert [e["id"] for e in audit_list(ws, "--limit", "1")] == [audit_list(ws)[0]["id"]]
    bad = run_cli("audit", "list", "--action", "nope", "-w", ws)
    assert bad.exit_code == 2 and "not an audited action" in bad.stderr
    huge = run_cli("audit", "list", "--person", str(2**63), "-w", ws)
    assert huge.exit_code == 2 and "no such person id" in huge.stderr
    bad_date = run_cli("audit", "list", "--since", "last week", "-w", ws)
    assert bad_date.exit_code == 2 and "not a date" in bad_date.stderr
    table = run_cli("audit", "list", "-w", ws)
    assert table.exit_code == 0 and "report.read" in table.stdout and "2 event(s)" in table.stdout


def test_a_lake_drop_is_audited_once(workspace: Workspace, tmp_path: Path) -> None:
    ws = workspace.root
    events = tmp_path / "events.csv"
    events.write_text("case_id,activity,timestamp\nc1,Open,2024-01-01\n", encoding="utf-8")
    assert run_cli("ingest", "events", events, "-w", ws).exit_code == 0
    [batch] = run_cli("lake", "batches", "-w", ws, "--json").json()["batches"]
    assert run_cli("lake", "drop", batch["id"], "--yes", "-w", ws).exit_code == 0
    [event] = audit_list(ws, "--action", "lake.drop")
    assert event["actor"] == audit_service.cli_actor()
    assert event["detail"]["batches"] == [batch["id"]]
    assert event["detail"]["rows_removed.events"] == 1
    assert run_cli("lake", "drop", "nope", "--yes", "-w", ws).exit_code == 2
    assert len(audit_list(ws, "--action", "lake.drop")) == 1  # a refused drop records nothing
