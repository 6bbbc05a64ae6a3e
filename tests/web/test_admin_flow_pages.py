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


def test_sources_page_lists_configured_github_jira_and_gitlab_without_a_token(
    client: TestClient, setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tandem.ingest.sources import add_source

    workspace, _ = setup
    secrets = {"GITHUB_TOKEN": "ghp_FakeAdminPage_1", "JIRA_TOKEN": "ATATT_FakeAdminPage_2",
               "GITLAB_TOKEN": "glpat-FakeAdminPage_3"}  # fmt: skip
    for variable, value in secrets.items():
        monkeypatch.setenv(variable, value)
    add_source(workspace=workspace, name="ants", kind="github", values={"repo": "panjf2000/ants"})
    jira = {"url": "https://merico.atlassian.net", "project": "EE", "user": "me@example.com"}
    add_source(workspace=workspace, name="ee", kind="jira", values=jira)
    gitlab_values = {"url": "https://gitlab.example.com", "project": "acme/pay"}
    add_source(workspace=workspace, name="pay", kind="gitlab", values=gitlab_values)
    as_user(client, setup, "admin")
    sources = {s["name"]: s for s in client.get("/api/admin/sources").json()}
    ee = [i for i in jira_raw.issues() if i["fields"]["project"]["key"] == "EE"]
    # the configured Jira project is the source the lake holds: one row, with its sync and counts
    assert sources[SOURCE]["configured_as"] == "ee" and sources[SOURCE]["configured"]
    assert sources[SOURCE]["last_sync"] is not None and sources[SOURCE]["items"] == len(ee)
    assert sources[SOURCE]["token_env"] == "JIRA_TOKEN"
    github, gitlab = sources["github:panjf2000/ants"], sources["gitlab:gitlab.example.com/acme/pay"]
    assert (github["kind"], github["url"], github["token_env"], github["last_sync"]) == (
        "github", "https://api.github.com", "GITHUB_TOKEN", None)  # fmt: skip
    assert (gitlab["kind"], gitlab["configured_as"], gitlab["items"]) == ("gitlab", "pay", 0)
    html = client.get("/admin/sources").text
    for shown in ("[sources.ants]", "[sources.ee]", "[sources.pay]", "GITLAB_TOKEN"):
        assert shown in html
    for value in secrets.values():
        assert value not in html and value not in json.dumps(sources)
    # a table its kind refuses is still listed, by its name in tandem.toml
    with workspace.config_path.open("a", encoding="utf-8") as handle:
        handle.write('\n[sources.broken]\nkind = "jira"\nurl = "ftp://x"\n')
    names = {s["name"] for s in client.get("/api/admin/sources").json()}
    assert "broken" in names and SOURCE in names


def test_an_overlong_status_or_category_is_refused_before_anything_is_read(
    client: TestClient, setup: Setup
) -> None:
    workspace, _ = setup
    token = as_user(client, setup, "admin")
    before = workspace.config_path.read_text(encoding="utf-8")
    data = _form(client, setup, token)
    long_status = dict(data, activity=[*data["activity"][:-1], "S" * 301])  # type: ignore[list-item]
    long_category = dict(data, category=[*data["category"][:-1], "c" * 301])  # type: ignore[list-item]
    for form in (long_status, long_category):
        refused = client.post("/admin/mapping", data=form)
        assert refused.status_code == 422
        assert "S" * 301 not in refused.text and "c" * 301 not in refused.text
    assert workspace.config_path.read_text(encoding="utf-8") == before
