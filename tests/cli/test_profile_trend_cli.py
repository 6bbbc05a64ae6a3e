"""``tandem profile trend PERSON [--as VIEWER]`` as an operator runs it (the service's rules are
tested in ``tests/profile/test_trend_service.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tandem.db.session import session_scope
from tandem.profile import sharing
from tests.helpers import new_workspace, run_cli
from tests.profile.trend_org import write_trend_org

FIRST, SECOND = "2025-H2", "2026-H1"
PERSON = "synthetic1@example.invalid"  # a SYNTHETIC member; their manager is synthetic0
MANAGER = "synthetic0@example.invalid"


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    workspace = new_workspace(root)
    with session_scope(workspace.engine) as session:
        write_trend_org(
            session, {FIRST: (0, ()), SECOND: (1, (("vision", 1.5),))}, open_cycle="2026-H2"
        )
    workspace.engine.dispose()
    return root


def _share(ws: Path, cycle: str) -> None:
    from tandem.people.models import Person
    from tandem.workspace import Workspace

    workspace = Workspace.open(ws)
    with session_scope(workspace.engine) as session:
        person = session.query(Person).filter_by(email=PERSON).one()
        sharing.set_shared(session=session, cycle=cycle, person_id=person.id, shared=True)
    workspace.engine.dispose()


def test_the_persons_trend_as_json_and_as_a_table(ws: Path) -> None:
    result = run_cli("profile", "trend", PERSON, "-w", ws, "--json")
    assert result.exit_code == 0, result.stderr
    out = result.json()
    assert [c["cycle"] for c in out["cycles"]] == [FIRST, SECOND]
    assert out["steps"][0]["practices"]["vision"]["verdict"] == "improved"
    assert out["viewer_is_owner"] is True and out["z"] == 1.96
    text = run_cli("profile", "trend", PERSON, "-w", ws, env={"COLUMNS": "200"})
    assert text.exit_code == 0, text.stderr
    assert f"{FIRST} → {SECOND}" in text.stdout and "▲" in text.stdout
    assert "open cycle is left out" in text.stdout
    # `tandem profile PERSON --cycle NAME` is still the profile itself
    shown = run_cli("profile", PERSON, "--cycle", FIRST, "-w", ws, "--json")
    assert shown.exit_code == 0 and shown.json()["cycle"] == FIRST
    # every cycle read is audited as a report read
    events = run_cli("audit", "list", "--action", "report.read", "-w", ws, "--json").json()
    assert events["count"] == 5  # two trends of two cycles each, one profile


def test_as_a_manager_only_the_shared_cycles_and_a_clear_refusal_otherwise(ws: Path) -> None:
    refused = run_cli("profile", "trend", PERSON, "--as", MANAGER, "-w", ws, "--json")
    assert refused.exit_code != 0 and refused.stdout == ""
    assert "shared no closed review cycle with you" in refused.stderr
    _share(ws, SECOND)
    result = run_cli("profile", "trend", PERSON, "--as", MANAGER, "-w", ws, "--json")
    assert result.exit_code == 0, result.stderr
    out = result.json()
    assert [c["cycle"] for c in out["cycles"]] == [SECOND]
    assert out["steps"] == [] and out["plans"] == [] and FIRST not in result.stdout


def test_help_names_the_rules(ws: Path) -> None:
    result = run_cli("profile", "trend", "--help", env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "1.96" in result.stdout and "--as" in result.stdout
    missing = run_cli("profile", "trend", "nobody@example.invalid", "-w", ws)
    assert missing.exit_code != 0 and "nobody@example.invalid" in missing.stderr


def test_a_step_from_bank_v1_to_v2_is_shown_on_the_shared_items(tmp_path: Path) -> None:
    """The table marks the step; below it both cycles' scores on the shared items, said to
    differ from each cycle's report; empowerment (too few shared items) is not compared."""
    root = tmp_path / "ws"
    workspace = new_workspace(root)
    with session_scope(workspace.engine) as session:
        write_trend_org(session, {"v1": (0, ()), "v2": (1, ())}, banks={"v2": "2"})
    workspace.engine.dispose()
    result = run_cli("profile", "trend", PERSON, "-w", root, "--json")
    assert result.exit_code == 0, result.stderr
    [step] = result.json()["steps"]
    assert step["basis"] == "shared items (32 of 46)" and step["changed"] == ["empowerment"]
    assert step["earlier_figures"]["cycle"] == "v1" and step["shared_items"]["vision"] == 3
    text = run_cli("profile", "trend", PERSON, "-w", root, env={"COLUMNS": "200"})
    assert text.exit_code == 0, text.stderr
    assert "v1 → v2 (shared items)" in text.stdout
    assert "compared on the 32 items both item bank versions share" in text.stdout
    assert "these scores differ from each cycle's report" in text.stdout
    assert "vision (3 items)" in text.stdout and "empowerment (" not in text.stdout
    assert "not comparable: bank changed" in text.stdout  # empowerment in the main table
