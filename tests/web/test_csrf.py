"""CSRF: every state-changing route refuses a request without the right token."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tandem.web.config import CSRF_COOKIE
from tandem.web.csrf import PRE_SESSION_PATHS
from tandem.web.permissions import iter_routes
from tandem.workspace import Workspace
from tests.web.conftest import Org, csrf_from, sign_in_directly

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def unsafe_routes(app: FastAPI) -> list[tuple[str, str]]:
    return sorted(
        (method, path)
        for path, route in iter_routes(app.routes)
        for method in getattr(route, "methods", None) or ()
        if method in UNSAFE
    )


def test_the_app_has_state_changing_routes_to_check(app: FastAPI) -> None:
    assert ("POST", "/login") in unsafe_routes(app)
    assert ("POST", "/logout") in unsafe_routes(app)


def _refused(response: object) -> bool:
    status = response.status_code
    return status == 403 and "did not come from Tandem" in response.text


def test_signed_in_requests_need_the_session_token(
    app: FastAPI, workspace: Workspace, org: Org
) -> None:
    for method, path in unsafe_routes(app):
        with TestClient(app) as client:
            token = sign_in_directly(client, workspace, org.users["admin"])
            missing = client.request(method, path, follow_redirects=False)
            assert _refused(missing), (method, path, missing.status_code)
            wrong = client.request(
                method, path, data={"csrf_token": "forged"}, follow_redirects=False
            )
            assert _refused(wrong), (method, path)
            in_header = client.request(
                method, path, headers={"X-CSRF-Token": token + "x"}, follow_redirects=False
            )
            assert _refused(in_header), (method, path)
            right = client.request(
                method, path, headers={"X-CSRF-Token": token}, follow_redirects=False
            )
            assert not _refused(right), (method, path)


@pytest.mark.parametrize("path", sorted(PRE_SESSION_PATHS))
def test_sign_in_forms_need_the_signed_cookie_and_the_same_field(app: FastAPI, path: str) -> None:
    data = {"email": "a@x.org", "password": "whatever long", "password_confirm": "x", "token": "t"}
    with TestClient(app) as client:
        assert _refused(client.post(path, data=data))  # no token at all
        token = csrf_from(client.get("/login").text)
        assert _refused(client.post(path, data={**data, "csrf_token": "forged.value"}))
        cookie = client.cookies[CSRF_COOKIE]
        client.cookies.clear()
        assert _refused(client.post(path, data={**data, "csrf_token": token}))  # no cookie
        client.cookies.set(CSRF_COOKIE, "forged.value")
        assert _refused(client.post(path, data={**data, "csrf_token": "forged.value"}))
        client.cookies.clear()
        client.cookies.set(CSRF_COOKIE, cookie)
        assert not _refused(client.post(path, data={**data, "csrf_token": token}))


def test_a_token_of_another_session_is_refused(
    app: FastAPI, workspace: Workspace, org: Org
) -> None:
    with TestClient(app) as theirs, TestClient(app) as mine:
        their_token = sign_in_directly(theirs, workspace, org.users["member"])
        sign_in_directly(mine, workspace, org.users["member"])
        response = mine.post("/logout", data={"csrf_token": their_token})
        assert _refused(response)
        assert mine.get("/api/me").status_code == 200
