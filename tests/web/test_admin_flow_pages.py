"""Admin pages of the work data: sources, the status mapping wizard, data quality.

Admins only; the mapping form needs the CSRF token, refuses a bad category naming the field, and
what it writes into tandem.toml reads back as the same mapping; the audit log records the save.
The pages show counts by source only: no person's name or identity key.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tandem.audit import service as audit_service
from tandem.db.session import session_scope
from tandem.flow.mapping import StatusMapping
from tandem.settings import load_settings
from tandem.sources.jira.mapping import map_issues
from tandem.web.app import create_app
from tandem.workspace import Workspace
from tests.sources import jira_raw
from tests.web.people_org import PeopleOrg, as_user, fresh

Setup = tuple[Workspace, PeopleOrg]
SOURCE = "jira:merico.atlassian.net/EE"
PAGES = ["/admin/mapping", "/admin/quality", "/admin/sources", "/api/admin/quality",
         "/api/admin/sources"]  # fmt: skip


@pytest.fixture
def setup(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Setup:
    workspace, org = fresh(tmp_path, tmp_path_factory)
    categories = {s["name"]: s["statusCategory"]["key"] for s in jira_raw.statuses()}
    with workspace.lake.batch(label="jira test") as batch:
        map_issues(jira_raw.issues()).write(batch)
        batch.set_state(SOURCE, {"url": "https://merico.atlassian.net",
                                 "status_categories": categories})  # fmt: skip
    return workspace, org


@pytest.fixture
def client(setup: Setup) -> Iterator[TestClient]:
    with TestClient(create_app(setup[0])) as test_client:
        yield test_client


@pytest.mark.parametrize("role", ["director", "leader", "manager", "member"])
def test_other_roles_are_refused(client: TestClient, setup: Setup, role: str) -> None:
    token = as_user(client, setup, role)
    for page in PAGES:
        assert client.get(page, follow_redirects=False).status_code == 403, page
    form = {"csrf_token": token, "source": SOURCE, "activity": ["Open"], "category": ["new"]}
    posted = client.post("/admin/mapping", data=form)
    assert posted.status_code == 403


def test_anonymous_is_sent_to_sign_in(client: TestClient) -> None:
    for page in PAGES[:3]:
        answer = client.get(page, follow_redirects=False)
        assert answer.status_code in (303, 401) and "/login" in answer.headers.get(
            "location", "/login"
        )


def test_the_mapping_page_lists_statuses_with_counts_and_proposals(
    client: TestClient, setup: Setup
) -> None:
    as_user(client, setup, "admin")
    page = client.get("/admin/mapping", params={"source": SOURCE})
    assert page.status_code == 200
    issues = [i for i in jira_raw.issues() if i["fields"]["project"]["key"] == "EE"]
    for issue in issues:
        for item in jira_raw.status_items(issue["changelog"]["histories"]):
            assert f"{item['toString']}<input" in page.text
    # Jira's /status says 已完成 is in the done category
    assert "Jira status category done" in page.text


def _form(client: TestClient, setup: Setup, token: str, **override: str) -> dict[str, object]:
    page = client.get("/admin/mapping", params={"source": SOURCE}).text
    activities = _hidden_values(page, "activity")
    categories = [override.get(a, "active") for a in activities]
    return {"csrf_token": token, "source": SOURCE, "activity": activities, "category": categories}


def _hidden_values(html: str, name: str) -> list[str]:
    marker = f'<input type="hidden" name="{name}" value="'
    found = []
    for part in html.split(marker)[1:]:
        found.append(part.split('"', 1)[0].replace("&#39;", "'").replace("&amp;", "&"))
    return found


def test_saving_writes_tandem_toml_that_round_trips_and_is_audited(
    client: TestClient, setup: Setup
) -> None:
    workspace, _ = setup
    before = workspace.config_path.read_text(encoding="utf-8")
    token = as_user(client, setup, "admin")
    data = _form(client, setup, token, 已完成="done", Closed="done", Open="new")
    saved = client.post("/admin/mapping", data=data, follow_redirects=False)
    assert saved.status_code == 303
    text = workspace.config_path.read_text(encoding="utf-8")
    assert text.startswith(before.split("[flow]")[0])  # comments and other tables kept
    written = tomllib.loads(text)["flow"]["mapping"][SOURCE]
    assert written == dict(zip(data["activity"], data["category"], strict=True))  # type: ignore[arg-type]
    mapping = StatusMapping.from_settings(load_settings(workspace.root).flow)
    assert mapping.categorize(SOURCE, "已完成") == ("done", False)
    assert mapping.categorize(SOURCE, "Inbox") == ("active", False)
    shown = client.get(saved.headers["location"])
    assert "Saved." in shown.text
    with session_scope(workspace.engine) as session:
        events = audit_service.events(session=session, action="flow.mapping", limit=5)
    assert len(events) == 1 and events[0].target == f"source:{SOURCE}"
    assert events[0].detail["statuses"] == len(written)


def test_saving_needs_the_csrf_token(client: TestClient, setup: Setup) -> None:
    workspace, _ = setup
    token = as_user(client, setup, "admin")
    data = _form(client, setup, token)
    before = workspace.config_path.read_text(encoding="utf-8")
    refused = client.post("/admin/mapping", data={**data, "csrf_token": "forged"})
    assert refused.status_code == 403
    no_token = {k: v for k, v in data.items() if k != "csrf_token"}
    assert client.post("/admin/mapping", data=no_token).status_code == 403
    assert workspace.config_path.read_text(encoding="utf-8") == before


def test_a_bad_category_or_status_is_refused_naming_the_field(
    client: TestClient, setup: Setup
) -> None:
    workspace, _ = setup
    token = as_user(client, setup, "admin")
    before = workspace.config_path.read_text(encoding="utf-8")
    data = _form(client, setup, token, Open="finished")
    refused = client.post("/admin/mapping", data=data)
    assert refused.status_code == 400
    assert "field 'flow.mapping.\"jira:merico.atlassian.net/EE\".\"Open\"'" in refused.text.replace(
        "&#34;", '"').replace("&#39;", "'")  # fmt: skip
    assert "&#39;finished&#39; is not a flow category" in refused.text
    other = dict(data, activity=[*data["activity"][:-1], "Made up"])  # type: ignore[list-item]
    unknown = client.post("/admin/mapping", data=other)
    assert unknown.status_code == 400 and "field &#39;activity&#39;" in unknown.text
    assert workspace.config_path.read_text(encoding="utf-8") == before
    with session_scope(workspace.engine) as session:
        assert audit_service.events(session=session, action="flow.mapping", limit=5) == []


def test_quality_and_sources_show_counts_by_source_and_no_person_or_token(
    client: TestClient, setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    as_user(client, setup, "admin")
    rows = {r["source"]: r for r in client.get("/api/admin/quality").json()}
    issues = jira_raw.issues()
    ee = [i for i in issues if i["fields"]["project"]["key"] == "EE"]
    assert rows[SOURCE]["items"] == len(ee)
    assert rows[SOURCE]["events"] == len(ee) + sum(
        len(jira_raw.status_items(i["changelog"]["histories"])) for i in ee
    )
    sources = {s["name"]: s for s in client.get("/api/admin/sources").json()}
    assert sources[SOURCE]["url"] == "https://merico.atlassian.net"
    assert sources[SOURCE]["last_sync"] is not None
    names = {u.get("displayName") for i in issues for u in
             (i["fields"].get("assignee"), i["fields"].get("reporter")) if u}  # fmt: skip
    for page in ("/admin/quality", "/admin/sources", "/admin/mapping"):
        html = client.get(page).text
        assert not [n for n in names if n and n in html], page
        assert "account:jira:" not in html
    assert json.dumps(sources).count("token") == len(sources)  # the token_env key, no value
