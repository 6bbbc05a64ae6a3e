"""Status mapping: defaults by name, tandem.toml per source, reports that never drop activities."""

from __future__ import annotations

from pathlib import Path

import pytest

from tandem.errors import InputError
from tandem.flow.engine import Filters, FlowEngine
from tandem.flow.mapping import StatusMapping, default_category, mapping_report, mapping_table
from tandem.settings import FlowSettings, load_settings
from tests.flow.logs import at, new_lake, write_log


@pytest.mark.parametrize(
    ("activity", "category"),
    [
        ("Closed", "done"),
        ("Done", "done"),
        ("Resolved", "done"),
        ("Completed", "done"),
        ("Task complete", "done"),
        ("Cancelled", "canceled"),
        ("Rejected", "canceled"),
        ("Discarded", "canceled"),
        ("Open", "new"),
        ("New", "new"),
        ("Created", "new"),
        ("Submitted", "new"),
        ("Registered", "new"),
        ("Waiting for review", "waiting"),
        ("Pending vendor", "waiting"),
        ("On Hold", "waiting"),
        ("Blocked", "waiting"),
        ("Awaiting customer", "waiting"),
        ("Update from customer", "waiting"),
        ("Reopen", "active"),
        ("Assignment", "active"),
        ("Problem Closure", "active"),
        ("In Progress", "active"),
    ],
)
def test_default_categories_by_name(activity: str, category: str) -> None:
    assert default_category(activity) == category


def test_settings_accept_both_spellings_and_a_wildcard() -> None:
    settings = FlowSettings(
        mapping={
            "*": {"done": ["Approved"], "Review": "waiting"},
            "jira": {"review": "active", "Triage": "NEW"},
        }
    )
    mapping = StatusMapping.from_settings(settings)
    assert mapping.categorize("jira", "Review") == ("active", False)  # the source wins
    assert mapping.categorize("git", "REVIEW") == ("waiting", False)  # case-insensitive
    assert mapping.categorize("git", "Approved") == ("done", False)
    assert mapping.categorize("jira", "Triage") == ("new", False)
    assert mapping.categorize("jira", "Coding") == ("active", True)  # defaulted


def test_tandem_toml_mapping_is_validated(tmp_path: Path) -> None:
    (tmp_path / "tandem.toml").write_text(
        '[flow.mapping.jira]\ndone = ["Shipped"]\n"In Review" = "waiting"\n'
        '[flow.calendar]\ntimezone = "Europe/Paris"\nholidays = ["2024-12-25"]\n'
    )
    settings = load_settings(tmp_path)
    mapping = StatusMapping.from_settings(settings.flow)
    assert mapping.categorize("jira", "shipped") == ("done", False)
    assert settings.flow.calendar.timezone == "Europe/Paris"
    (tmp_path / "tandem.toml").write_text('[flow.mapping.jira]\n"In Review" = "later"\n')
    with pytest.raises(InputError, match="'later' is not one of"):
        load_settings(tmp_path)


def test_report_lists_every_activity_with_counts_and_defaults(tmp_path: Path) -> None:
    lake = new_lake(tmp_path)
    write_log(
        lake,
        [
            ("A", "Open", at(1, 8)),
            ("A", "Frobnicate", at(1, 9)),
            ("A", "Frobnicate", at(1, 10)),
            ("B", "Frobnicate", at(1, 9)),
        ],
        source="s1",
    )
    write_log(lake, [("C", "Shipped", at(1, 9))], source="s2")
    mapping = StatusMapping.from_settings(FlowSettings(mapping={"s2": {"done": ["Shipped"]}}))
    with FlowEngine(lake) as engine:
        data = mapping_report(engine=engine, filters=Filters(), mapping=mapping).to_dict()
        table = engine.backend.to_pyarrow(
            mapping_table(engine, Filters(sources=("s1",)), mapping)
        ).to_pylist()
    assert data["sources"]["s1"] == [
        {
            "activity": "Frobnicate",
            "category": "active",
            "defaulted": True,
            "events": 3,
            "cases": 2,
        },
        {"activity": "Open", "category": "new", "defaulted": True, "events": 1, "cases": 1},
    ]
    assert data["sources"]["s2"][0]["defaulted"] is False
    assert data["n"] == 5 and data["activities"] == 3
    assert [d["activity"] for d in data["defaulted"]] == ["Frobnicate", "Open"]
    assert table == [
        {"source": "s1", "activity": "Frobnicate", "category": "active", "defaulted": True},
        {"source": "s1", "activity": "Open", "category": "new", "defaulted": True},
    ]
