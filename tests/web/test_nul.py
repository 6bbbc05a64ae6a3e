"""A NUL character in any text input is a 400 naming the field, on both databases.

PostgreSQL refuses a NUL in a text column (SQLite stores it): before the guard refused them,
a title, a cycle name or an email holding one answered 500 there. The hostile sweep
(``test_hostile_sweep.py``) sends one to every parameter of every route.
"""

from __future__ import annotations

from fastapi.testclient import TestClient

from tandem.workspace import Workspace
from tests.web.conftest import Org, sign_in_directly
from tests.web.db_counts import row_counts


def _refused(field: str) -> dict[str, object]:
    return {
        "error": {
            "status": 400,
            "code": "invalid_input",
            "message": f"field {field!r}: {field} holds a NUL character (\\x00), "
            "which no text may hold",
            "field": field,
        }
    }


def test_a_nul_in_a_body_query_or_form_is_refused_naming_the_field(
    client: TestClient, workspace: Workspace, org: Org
) -> None:
    token = sign_in_directly(client, workspace, org.users["manager"])
    headers = {"X-CSRF-Token": token}
    before = row_counts(workspace)
    body = {"title": "Ship\x00it", "starts_on": "2026-01-05", "ends_on": "2026-03-31"}
    answer = client.post("/api/why/goals", json=body, headers=headers)
    assert (answer.status_code, answer.json()) == (400, _refused("title"))
    nested = client.post("/api/manage/concerns", json={"text": ["a", "\x00"]}, headers=headers)
    assert nested.json()["error"]["field"] == "text[1]"
    query = client.get("/api/people/me", params={"cycle": "\x00"})
    assert (query.status_code, query.json()) == (400, _refused("cycle"))
    form = client.post("/why/vision", data={"statement": "\x00"}, headers=headers)
    assert form.status_code == 400 and "statement holds a NUL character" in form.text
    assert row_counts(workspace) == before


def test_the_check_leaves_the_body_for_a_view_that_reads_it_whole(
    client: TestClient, workspace: Workspace, org: Org
) -> None:
    # The allocation API reads the raw body; a form sent to it once crashed ("Stream consumed").
    token = sign_in_directly(client, workspace, org.users["manager"])
    answer = client.post(
        "/api/manage/allocation", data={"plan": "x"}, headers={"X-CSRF-Token": token}
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["field"] == "body"
