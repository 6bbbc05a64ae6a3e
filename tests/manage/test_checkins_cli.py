"""``tandem check-in person|team`` end to end on a workspace: --as, --as-of, --json, refusals."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from tandem.accounts import service as accounts_service
from tandem.db.session import session_scope
from tests.helpers import new_workspace, run_cli
from tests.manage.checkin_org import AS_OF, CheckinOrg, give, make_checkin_org

WIDE = {"COLUMNS": "200"}
DAY = AS_OF.isoformat()


@pytest.fixture
def ws(tmp_path: Path) -> tuple[str, CheckinOrg]:
    workspace = new_workspace(tmp_path / "ws")
    with session_scope(workspace.engine) as session:
        org = make_checkin_org(session, workspace)
        give(session, org, "max", "ann", AS_OF - dt.timedelta(days=5))
        for key, role in (("dir", "director"), ("adm", "admin")):
            accounts_service.add_user(
                session=session, email=f"{key}@example.org", password="correct horse battery",
                role=role,
            )  # fmt: skip
    return str(workspace.root), org


def test_a_person_reads_their_check_in(ws: tuple[str, CheckinOrg]) -> None:
    root, org = ws
    out = run_cli("check-in", "person", "ann@example.org", "--as", "ann@example.org",
                  "--as-of", DAY, "-w", root, "--json")  # fmt: skip
    assert out.exit_code == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["relation"] == "self" and data["as_of"] == DAY
    assert data["feedback"]["days_since"] == 5 and data["feedback"]["received"] == 1
    [goal] = data["goals"]
    assert goal["id"] == org.goal_id and goal["key_results"][0]["value"] == 4.0
    text = run_cli("check-in", "person", str(org.ids["ann"]), "--as", "max@example.org",
                   "--as-of", DAY, "-w", root, env=WIDE)  # fmt: skip
    assert text.exit_code == 0, text.stderr
    assert "Calmer releases" in text.stdout and "Feedback from Max: 5 days ago" in text.stdout


@pytest.mark.parametrize("reader", ["bob", "lea", "dir", "adm"])
def test_anyone_else_is_told_not_found(ws: tuple[str, CheckinOrg], reader: str) -> None:
    root, org = ws
    out = run_cli("check-in", "person", "ann@example.org", "--as", f"{reader}@example.org",
                  "--as-of", DAY, "-w", root)  # fmt: skip
    assert out.exit_code != 0
    assert f"no check-in of person {org.ids['ann']} you may read" in out.stderr
    assert "Calmer" not in out.stdout


def test_a_team_s_check_in_by_its_manager_and_a_director(ws: tuple[str, CheckinOrg]) -> None:
    root, _ = ws
    out = run_cli("check-in", "team", "Alpha", "--as", "max@example.org", "--as-of", DAY,
                  "-w", root, "--json")  # fmt: skip
    assert out.exit_code == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["view"] == "team"
    assert [m["person"]["name"] for m in data["members"]] == [
        "Ann", "Bob", "Cat", "Dan", "Fay", "Lea", "Max"
    ]  # fmt: skip
    assert data["shares"]["feedback_within"] == "0–25 %"  # 1 of 7
    director = run_cli("check-in", "team", "Alpha", "--as", "dir@example.org", "--as-of", DAY,
                       "-w", root, env=WIDE)  # fmt: skip
    assert director.exit_code == 0, director.stderr
    assert "Feedback within 30 days: 0–25 %" in director.stdout
    assert "Bob" not in director.stdout and "Runbooks written" in director.stdout


def test_a_member_is_refused_the_team_view(ws: tuple[str, CheckinOrg]) -> None:
    root, _ = ws
    out = run_cli("check-in", "team", "Alpha", "--as", "ann@example.org", "-w", root)
    assert out.exit_code != 0 and "leader and manager" in out.stderr


def test_a_bad_day_names_the_option(ws: tuple[str, CheckinOrg]) -> None:
    root, _ = ws
    out = run_cli("check-in", "team", "Alpha", "--as", "max@example.org", "--as-of", "soon",
                  "-w", root)  # fmt: skip
    assert out.exit_code != 0 and "as-of" in out.stderr
