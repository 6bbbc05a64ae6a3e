"""Ids beyond 64 bits, zero or negative name no record: 404 in the path, 422 in a query or body.

Never a 500 (SQLite overflows beyond 64 bits, PostgreSQL's INTEGER ids beyond 31), and nothing
is written.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tandem.ids import MAX_ID
from tandem.people.models import Person, Team
from tandem.workspace import Workspace
from tests.web.conftest import Org, sign_in_directly
from tests.web.db_counts import row_counts

HUGE = str(2**64)
BAD_IDS = [HUGE, str(2**63), str(MAX_ID + 1), "9" * 400, "-1", "0"]


def _not_found(message: str) -> dict[str, object]:
    return {"error": {"status": 404, "code": "not_found", "message": message, "field": None}}


@pytest.mark.parametrize(
    ("role", "path", "what"),
    [
        ("member", "/api/people/{}", "person"),
        ("member", "/api/people/rate/{}", "person"),
        ("director", "/api/duos?team_id={}", "team"),
        ("director", "/api/coverage?team_id={}", "team"),
        ("director", "/api/how/summary?team={}", "team"),
    ],
)
def test_an_id_out_of_range_in_a_path_or_query_is_a_404(
    client: TestClient, workspace: Workspace, org: Org, role: str, path: str, what: str
) -> None:
    sign_in_directly(client, workspace, org.users[role])
    before = row_counts(workspace)
    for raw in BAD_IDS:
        answer = client.get(path.format(raw))
        assert answer.status_code == 404, raw
        assert answer.json() == _not_found(f"{what} {raw!r} is not an id")
    assert row_counts(workspace) == before


def test_pages_answer_the_404_page(client: TestClient, workspace: Workspace, org: Org) -> None:
    sign_in_directly(client, workspace, org.users["member"])
    for raw in (HUGE, "-1"):
        for path in (f"/people/{raw}", f"/people/rate/{raw}"):
            page = client.get(path)
            assert page.status_code == 404
            assert f"person &#39;{raw}&#39; is not an id" in page.text  # Jinja's escaping


def test_an_id_out_of_range_in_a_body_is_a_422(
    client: TestClient, workspace: Workspace, org: Org
) -> None:
    token = sign_in_directly(client, workspace, org.users["member"])
    before = row_counts(workspace)
    for raw in (2**64, MAX_ID + 1, -1, 0):
        answer = client.post(
            "/api/people/me/plan/progress",
            json={"action_id": raw, "status": "done"},
            headers={"X-CSRF-Token": token},
        )
        bound = "greater than or equal to 1" if raw < 1 else f"less than or equal to {MAX_ID}"
        assert answer.status_code == 422
        assert answer.json() == {
            "error": {
                "status": 422,
                "code": "validation_error",
                "message": f"Input should be {bound}",
                "field": "action_id",
            }
        }
    assert row_counts(workspace) == before


def test_the_largest_id_is_one_both_databases_can_look_up(db_session: Session) -> None:
    assert db_session.get(Person, MAX_ID) is None
    assert db_session.get(Team, MAX_ID) is None
