"""``tandem kudos``: give, list, achievements, nudges and the digest on a real workspace."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from tandem.db.session import session_scope
from tandem.why.recognition.achievements import personal_achievements
from tests.helpers import run_cli
from tests.web.how_fixtures import FlowOrg, make_flow_org

WIDE = {"COLUMNS": "200"}


@dataclass(frozen=True)
class Setup:
    flow: FlowOrg
    root: Path
    leader_item: str  # the leader's own first item shipped


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Setup:
    root = tmp_path_factory.mktemp("kudos-cli") / "ws"
    flow = make_flow_org(root)
    with session_scope(flow.workspace.engine) as session:
        [first] = personal_achievements(
            session=session, workspace=flow.workspace, person_id=flow.org.person_ids["leader"]
        ).achievements
    assert first.item_id is not None
    return Setup(flow, root, first.item_id)


def kudos(setup: Setup, *args: str) -> tuple[int, str, str]:
    result = run_cli("kudos", *args, "-w", setup.root, env=WIDE)
    return result.exit_code, result.stdout, result.stderr


def test_kudos_given_by_the_operator_on_behalf_of_a_member_are_listed(setup: Setup) -> None:
    code, out, err = kudos(
        setup, "give", "--team", "Alpha", "--from", "member@example.org",
        "--to", "leader@example.org", "--to", "manager@example.org",
        "--what", "Ran the retro", "--impact", "Two fixes agreed", "--practice", "change",
        "--json",
    )  # fmt: skip
    assert code == 0, err
    made = json.loads(out)
    assert made["giver"]["name"] == "The member"
    assert [p["name"] for p in made["recipients"]] == ["The leader", "The manager"]
    code, out, _ = kudos(setup, "list", "--team", "Alpha", "--json")
    assert code == 0 and json.loads(out)["kudos"][0]["id"] == made["id"]
    code, out, _ = kudos(setup, "list", "--team", "Alpha", "--person", "manager@example.org")
    assert code == 0 and "Ran the retro" in out and "received by The manager" in out


def test_bad_kudos_exit_non_zero_with_the_field_and_write_nothing(setup: Setup) -> None:
    before = json.loads(kudos(setup, "list", "--team", "Alpha", "--json")[1])["total"]
    code, _, err = kudos(
        setup, "give", "--team", "Alpha", "--from", "member@example.org",
        "--to", "outsider@example.org", "--what", "x", "--impact", "y", "--practice", "vision",
    )  # fmt: skip
    assert code != 0 and "recipients" in err and "Traceback" not in err
    code, _, err = kudos(
        setup, "give", "--team", "Alpha", "--from", "member@example.org",
        "--to", "member@example.org", "--what", "x", "--impact", "y", "--practice", "vision",
    )  # fmt: skip
    assert code != 0 and "not only yourself" in err
    assert json.loads(kudos(setup, "list", "--team", "Alpha", "--json")[1])["total"] == before


def test_team_achievements_and_the_digest_never_show_a_personal_achievement(
    setup: Setup, tmp_path: Path
) -> None:
    code, out, err = kudos(
        setup, "achievements", "--team", "Alpha", "--as-of", "2014-09-30", "--json"
    )
    assert code == 0, err
    found = json.loads(out)
    assert found["achievements"] and all(a["scope"] == "team" for a in found["achievements"])
    code, text, _ = kudos(setup, "achievements", "--team", "Alpha", "--as-of", "2014-09-30")
    assert code == 0 and "bottleneck_removed" in text
    target = tmp_path / "wins.md"
    code, out, err = kudos(
        setup, "digest", "--team", "Alpha", "--days", "30", "--last", "2014-09-30", "-o", target
    )
    assert code == 0, err
    markdown = target.read_text(encoding="utf-8")
    assert markdown.startswith("# Wins of team Alpha") and "Bottleneck removed" in markdown
    for shown in (out, text, markdown, json.dumps(found)):
        assert setup.leader_item not in shown and "First item shipped" not in shown


def test_nudges_name_the_members_without_recent_kudos(setup: Setup) -> None:
    today = dt.date.today() + dt.timedelta(days=30)  # after every kudos given here
    code, out, err = kudos(
        setup, "nudges", "--team", "Alpha", "--today", today.isoformat(), "--json"
    )
    assert code == 0, err
    names = {n["person"]["name"] for n in json.loads(out)["nudges"]}
    assert {"The leader", "The manager", "The member"} <= names
    code, _, err = kudos(setup, "nudges", "--team", "Alpha", "--today", "soon")
    assert code != 0 and "--today" in err


def test_the_digest_json_and_file_name_nobody_who_did_not_agree(
    setup: Setup, tmp_path: Path
) -> None:
    code, out, err = kudos(
        setup, "give", "--team", "Alpha", "--from", "leader@example.org",
        "--to", "member@example.org", "--what", "Held the fort QXCLI", "--impact", "Calm",
        "--practice", "change", "--json",
    )  # fmt: skip
    assert code == 0, err
    made = json.loads(out)
    target = tmp_path / "wins.md"
    code, out, err = kudos(setup, "digest", "--team", "Alpha", "-o", str(target), "--json")
    assert code == 0, err
    found = json.loads(out)
    assert made["id"] not in {k["id"] for k in found["kudos"]}
    assert found["kudos_not_told"] >= 1 and found["kudos_total"] >= found["kudos_not_told"]
    member = made["recipients"][0]["id"]
    for text in (out, target.read_text(encoding="utf-8")):
        assert "QXCLI" not in text and "The member" not in text
        assert f"kudos {made['id']}" not in text and f"person {member}" not in text


def test_counts_name_nobody_and_a_bad_week_count_is_refused(setup: Setup) -> None:
    code, out, err = kudos(
        setup, "give", "--team", "Alpha", "--from", "manager@example.org",
        "--to", "member@example.org", "--what", "Counted QXCOUNT", "--impact", "Calm",
        "--practice", "vision", "--json",
    )  # fmt: skip
    assert code == 0, err
    code, out, err = kudos(setup, "counts", "--team", "Alpha", "--weeks", "2", "--json")
    assert code == 0, err
    found = json.loads(out)
    assert found["weeks"] == 2 and len(found["per_week"]) == 2
    assert found["total"] == sum(w["count"] for w in found["per_week"]) >= 1
    assert ("practice", "vision") in {(c["kind"], c["key"]) for c in found["per_link"]}
    assert "QXCOUNT" not in out and "The member" not in out and "The manager" not in out
    code, out, _ = kudos(setup, "counts", "--team", "Alpha")
    assert code == 0 and "Kudos of team Alpha" in out
    code, _, err = kudos(setup, "counts", "--team", "Alpha", "--weeks", "0")
    assert code != 0 and "--weeks" in err


@pytest.mark.parametrize("command", ["achievements", "digest"])
def test_a_team_period_under_seven_days_exits_2_naming_days(setup: Setup, command: str) -> None:
    code, out, err = kudos(setup, command, "--team", "Alpha", "--days", "6", "--json")
    assert code == 2 and out == ""
    assert "'days'" in err and "7 to 366 days" in err
