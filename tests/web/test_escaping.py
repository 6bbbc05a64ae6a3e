"""User text is escaped wherever it is shown: names, emails, echoed form input."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tandem.accounts import service
from tandem.db.session import session_scope
from tandem.people.models import Person
from tandem.workspace import Workspace
from tests.web.conftest import PASSWORD, sign_in, sign_in_directly

SCRIPT = '<script>alert("x")</script>'


def test_names_and_emails_with_markup_are_escaped(client: TestClient, workspace: Workspace) -> None:
    email = "<script>alert(1)</script>@example.org"
    with session_scope(workspace.engine) as session:
        session.add(Person(display_name=SCRIPT, email=email))
        session.flush()
        service.add_user(session=session, email=email, password=PASSWORD, role="member")
    sign_in_directly(client, workspace, email)
    home = client.get("/").text
    assert "<script>alert" not in home
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in home
    assert "&lt;script&gt;alert(1)&lt;/script&gt;@example.org" in home


def test_echoed_sign_in_input_is_escaped(client: TestClient) -> None:
    typed = '"><script>alert(2)</script>'
    page = sign_in(client, typed, "wrong password!")
    html = page.text
    assert "<script>alert(2)" not in html
    assert "&#34;&gt;&lt;script&gt;alert(2)&lt;/script&gt;" in html
