"""A far day (``0001-01-01``, ``9999-12-31``) in a toolkit answer's ``as_of`` is a 400 naming
the field, never a 500: a window counted back or on from it would overflow (manage/days.py)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tandem.workspace import Workspace
from tests.web.conftest import Org, sign_in_directly
from tests.web.db_counts import row_counts
from tests.web.manage_org import link_reports

FAR_DAYS = ("0001-01-01", "1899-12-31", "2200-01-01", "9999-12-31")


@pytest.mark.parametrize(
    ("role", "path"),
    [
        ("member", "/api/manage/check-ins/person/{member}"),
        ("manager", "/api/manage/check-ins/person/{member}"),
        ("manager", "/api/manage/check-ins/team/{team}"),
        ("director", "/api/manage/check-ins/team/{team}"),
        ("member", "/api/manage/concerns?team={team}"),
        ("director", "/api/manage/concerns/overview"),
    ],
)
def test_a_far_day_is_a_400_naming_as_of(
    client: TestClient, workspace: Workspace, org: Org, role: str, path: str
) -> None:
    link_reports(workspace, org)
    sign_in_directly(client, workspace, org.users[role])
    url = path.format(member=org.person_ids["member"], team=org.own_team_id)
    assert client.get(url).status_code == 200, url  # the route itself answers
    before = row_counts(workspace)
    joiner = "&" if "?" in url else "?"
    for far in FAR_DAYS:
        answer = client.get(f"{url}{joiner}as_of={far}")
        assert answer.status_code == 400, (url, far, answer.text)
        error = answer.json()["error"]
        assert (error["code"], error["field"]) == ("invalid_input", "as_of"), (url, far)
        assert error["message"].endswith("give a day between 1900-01-01 and 2199-12-31")
    assert row_counts(workspace) == before
