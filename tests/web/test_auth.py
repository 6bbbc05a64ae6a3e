"""Sign-in, sessions, cookies, sign-out, password change, first-run setup and /api/me."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tandem.accounts.models import User, WebSession
from tandem.db.session import session_scope
from tandem.web.app import create_app
from tandem.web.config import CSRF_COOKIE, SESSION_COOKIE, WebConfig
from tandem.workspace import Workspace
from tests.web.conftest import PASSWORD, Org, csrf_from, sign_in, sign_in_directly


def _session_cookie(response: Any) -> str:
    cookies = [c for c in response.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE)]
    assert len(cookies) == 1
    return str(cookies[0])


def test_login_form_posts_email_password_and_csrf_token(client: TestClient) -> None:
    page = client.get("/login")
    assert page.status_code == 200
    html = page.text
    assert 'action="/login"' in html and 'method="post"' in html
    for name in ("email", "password", "csrf_token"):
        assert f'name="{name}"' in html
    assert '<label for="email">' in html and '<label for="password">' in html
    assert CSRF_COOKIE in page.cookies


def test_login_success_sets_a_safe_session_cookie_and_goes_home(
    client: TestClient, org: Org
) -> None:
    response = sign_in(client, org.users["leader"])
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    cookie = _session_cookie(response).lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/" in cookie
    assert "secure" not in cookie  # plain HTTP (a local install)
    home = client.get("/")
    assert home.status_code == 200
    assert "leader" in home.text and "Alpha" in home.text


def test_login_returns_to_a_local_next_page_only(client: TestClient, org: Org) -> None:
    response = sign_in(client, org.users["member"], next="/account/password")
    assert response.headers["location"] == "/account/password"
    client.cookies.clear()
    response = sign_in(client, org.users["member"], next="//evil.example/")
    assert response.headers["location"] == "/"


def test_cookies_are_secure_over_https(workspace: Workspace, org: Org) -> None:
    with TestClient(create_app(workspace), base_url="https://testserver") as https:
        assert "secure" in _session_cookie(sign_in(https, org.users["member"])).lower()


def test_forwarded_proto_counts_only_behind_a_trusted_proxy(workspace: Workspace, org: Org) -> None:
    for trusted in (False, True):
        app = create_app(workspace, WebConfig(trust_proxy=trusted))
        with TestClient(app, headers={"X-Forwarded-Proto": "https"}) as proxied:
            token = csrf_from(proxied.get("/login").text)
            proxied.cookies.set(CSRF_COOKIE, token)  # a Secure cookie is not resent over http
            data = {"email": org.users["member"], "password": PASSWORD, "csrf_token": token}
            cookie = _session_cookie(proxied.post("/login", data=data, follow_redirects=False))
            assert ("secure" in cookie.lower()) is trusted


def test_login_failure_re_renders_the_form_with_401(client: TestClient, org: Org) -> None:
    response = sign_in(client, org.users["leader"], password="not the password")
    assert response.status_code == 401
    assert "the email or the password is wrong" in response.text
    assert SESSION_COOKIE not in client.cookies
    assert client.get("/api/me").status_code == 401


def test_repeated_failures_throttle_with_429_and_retry_after(client: TestClient, org: Org) -> None:
    for _ in range(5):
        assert sign_in(client, org.users["manager"], "wrong password!").status_code == 401
    locked = sign_in(client, org.users["manager"])  # even the right password waits
    assert locked.status_code == 429
    assert 0 < int(locked.headers["retry-after"]) <= 15 * 60
    assert "too many failed sign-ins" in locked.text
    assert sign_in(client, org.users["member"]).status_code == 303


def test_logout_ends_the_session_on_the_server(
    client: TestClient, org: Org, workspace: Workspace
) -> None:
    sign_in(client, org.users["member"])
    token = client.cookies[SESSION_COOKIE]
    csrf = client.get("/api/me").json()["csrf_token"]
    out = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/login"
    with session_scope(workspace.engine) as session:
        assert session.scalar(select(func.count()).select_from(WebSession)) == 0
    replay = TestClient(client.app)
    replay.cookies.set(SESSION_COOKIE, token)  # the old cookie, replayed
    assert replay.get("/api/me").status_code == 401


def test_password_change_needs_the_current_password(
    client: TestClient, org: Org, workspace: Workspace
) -> None:
    email = org.users["member"]
    sign_in(client, email)
    other = TestClient(client.app)
    sign_in_directly(other, workspace, email)
    form = client.get("/account/password")
    assert form.status_code == 200
    token = csrf_from(form.text)
    data = {
        "csrf_token": token,
        "new_password": "a new long secret",
        "new_password_confirm": "typo",
    }
    differ = client.post("/account/password", data={**data, "current_password": PASSWORD})
    assert differ.status_code == 400 and "new passwords differ" in differ.text
    data["new_password_confirm"] = "a new long secret"
    wrong = client.post("/account/password", data={**data, "current_password": "nope nope nope"})
    assert wrong.status_code == 400 and "current password is wrong" in wrong.text
    done = client.post("/account/password", data={**data, "current_password": PASSWORD})
    assert done.status_code == 200 and "Your password is changed" in done.text
    assert client.get("/api/me").status_code == 200  # this session stays
    assert other.get("/api/me").status_code == 401  # the others are signed out
    fresh = TestClient(client.app)
    assert sign_in(fresh, email).status_code == 401
    assert sign_in(fresh, email, "a new long secret").status_code == 303


def test_a_guessable_or_personal_new_password_is_refused_with_422(
    client: TestClient, org: Org, workspace: Workspace
) -> None:
    email = org.users["member"]  # member@example.org, "The member"
    sign_in(client, email)
    token = csrf_from(client.get("/account/password").text)
    with session_scope(workspace.engine) as session:
        stored = session.scalar(select(User.password_hash).where(User.email == email))
    for new, message in [
        ("iloveyou2026", "this password is too easy to guess: This is similar to a commonly"),
        ("the member of Alpha team", "a password must not contain your email address or name"),
    ]:
        data = {"new_password": new, "new_password_confirm": new, "current_password": PASSWORD}
        refused = client.post("/account/password", data={**data, "csrf_token": token})
        assert refused.status_code == 422
        assert f"field &#39;new_password&#39;: {message}" in refused.text
    with session_scope(workspace.engine) as session:
        assert session.scalar(select(User.password_hash).where(User.email == email)) == stored


def test_api_me_is_401_json_then_the_user(client: TestClient, org: Org) -> None:
    anonymous = client.get("/api/me")
    assert anonymous.status_code == 401
    assert anonymous.json() == {
        "error": {
            "status": 401,
            "code": "unauthenticated",
            "message": "sign in first",
            "field": None,
        }
    }
    sign_in(client, org.users["leader"])
    me = client.get("/api/me").json()
    assert me["email"] == "leader@example.org" and me["role"] == "leader"
    assert me["team_name"] == "Alpha" and me["display_name"] == "The leader"
    assert "password_hash" not in me and me["csrf_token"]


def test_openapi_document_is_served_under_api(client: TestClient) -> None:
    document = client.get("/api/openapi.json").json()
    assert "/api/me" in document["paths"]
    assert all(path.startswith("/api/") for path in document["paths"])
    assert client.get("/api/docs").status_code == 200


def test_first_run_setup_only_while_no_user_exists(app: FastAPI, client: TestClient) -> None:
    token = app.state.config.setup_token
    assert client.get("/setup").status_code == 403
    assert client.get("/setup?token=guessed").status_code == 403
    form = client.get(f"/setup?token={token}")
    assert form.status_code == 200
    data = {
        "csrf_token": csrf_from(form.text),
        "token": token,
        "email": "root@example.org",
        "password": "the first admin pw",
        "password_confirm": "the first admin pw!",
    }
    assert client.post("/setup", data=data).status_code == 400  # the two passwords differ
    data["password_confirm"] = data["password"]
    created = client.post("/setup", data=data, follow_redirects=False)
    assert created.status_code == 303
    assert client.get("/api/me").json()["role"] == "admin"
    assert client.get(f"/setup?token={token}").status_code == 404
    signed_in_token = client.get("/api/me").json()["csrf_token"]
    data.update(email="second@example.org", csrf_token=signed_in_token)
    again = client.post("/setup", data=data)
    assert again.status_code == 404


def test_pages_carry_security_headers(client: TestClient) -> None:
    headers = client.get("/login").headers
    assert headers["content-security-policy"].startswith("default-src 'self'")
    assert "'unsafe-inline'" not in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["cache-control"] == "no-store"
    assert client.get("/static/tandem.css").status_code == 200
