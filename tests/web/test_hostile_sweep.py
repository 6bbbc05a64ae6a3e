"""A route-wide hostile-input sweep: every route, every parameter, never a 5xx.

The product rule "every input has a limit and a clear error", checked over ``app.routes`` (not
a hand list, so a new route is swept the day it lands): each path parameter, each query
parameter (declared ones and the window/scope ones views read by hand), each body (JSON and
form) gets hostile values, as a role the authorization matrix lets in and one it keeps out.
A refused request answers 4xx — under ``/api`` in the canonical JSON error shape, elsewhere an
HTML page — and leaves every table's row count as it was.
"""

from __future__ import annotations

import tempfile
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from fastapi.params import Form
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import BaseModel
from sqlalchemy import text

from tandem.db.base import Base
from tandem.db.session import session_scope
from tandem.people.models import Membership
from tandem.web.app import create_app
from tandem.web.config import SESSION_COOKIE
from tandem.web.permissions import iter_routes
from tandem.workspace import Workspace
from tests.conftest import BACKENDS, fresh_postgres_database
from tests.helpers import new_workspace, run_cli
from tests.web.conftest import ROLES, Org, make_org, sign_in_directly
from tests.web.manage_org import link_reports
from tests.web.test_authz_matrix import ANYONE, EXPECTED, _fill

HUGE = 2**64
LONG = "x" * 300
# Raw path segments (already URL-encoded where it matters: "%00" is a NUL, "%201" is " 1").
PATH_VALUES = [str(HUGE), str(2**63), "-1", "0", "9" * 400, "abc", "%00", LONG, "1e9", "%201"]
QUERY_VALUES = [
    str(HUGE), str(2**63), "-1", "0", "9" * 400, "abc", "\x00", LONG, "1e9", " 1", "",
    "2024-02-30", "9999-99-99", "0000-01-01", "99999-01-01", "y" * 500,
]  # fmt: skip
# Query parameters some views read from ``request.query_params`` by hand (grep
# ``query_params.get(``) or pass to a shared scope helper: swept on every GET route.
HAND_READ = ("from", "to", "as_of", "team", "team_id", "source", "cycle", "model", "done")
HAND_READ_VALUES = [str(HUGE), "-1", "abc", "\x00", "2024-02-30", "99999-01-01", "y" * 500]
WRONG_VALUES: list[Any] = [
    HUGE, -HUGE, 2**63, -1, 0, 1.5, True, None, "", "z" * 100_000, [[[[]]]], {"a": {"b": []}},
    "2024-02-30", "9999-99-99", "99999-01-01", "\x00",
]  # fmt: skip
WRONG_FORM_VALUES = [
    str(HUGE), "-1", "0", "1e9", "abc", "", "z" * 100_000, "\x00",
    "2024-02-30", "9999-99-99", "0000-01-01", "99999-01-01",
]  # fmt: skip
WHOLE_BODIES: list[Any] = [{}, [], None, 0, "text", [[[[[]]]]], {"unknown": 1}]
ROLE_PREFERENCE = ("manager", "leader", "member", "director", "admin")
# Routes whose success ends the signed-in session the sweep relies on.
SESSION_ENDING = {("POST", "/logout")}
# Tables a request may write by design, refused or read-only: a failed sign-in is counted
# (throttling) and audited; an admin's look at who completed a review is audited.
RECORDED = {
    ("POST", "/login"): {"login_attempt", "audit_event"},
    ("GET", "/admin/review"): {"audit_event"},
    ("GET", "/api/admin/review/completion"): {"audit_event"},
}
ERROR_KEYS = {"status", "code", "message", "field"}


@dataclass
class Sweep:
    app: FastAPI
    workspace: Workspace
    org: Org
    client: TestClient
    tokens: dict[str, str] = field(default_factory=dict)  # role -> session token
    csrf: dict[str, str] = field(default_factory=dict)  # role -> CSRF token
    ids: dict[str, str] = field(default_factory=dict)  # path parameter -> a seeded record's id


@pytest.fixture(scope="module", params=BACKENDS)
def sweep(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Sweep]:
    """One app and workspace per database for the sweep; every role signed in once.

    PostgreSQL matters: it refuses what SQLite stores (a NUL in a string, an id past 2**31).
    """
    root = tmp_path_factory.mktemp("hostile") / "ws"
    if request.param == "sqlite":
        workspace = new_workspace(root)
    else:
        workspace = Workspace.create(root, database_url=fresh_postgres_database())
    app = create_app(workspace)
    org = make_org(workspace)
    with TestClient(app, raise_server_exceptions=False) as client:
        state = Sweep(app, workspace, org, client)
        for role in ROLES:
            state.csrf[role] = sign_in_directly(client, workspace, org.users[role])
            token = client.cookies.get(SESSION_COOKIE)
            assert token is not None
            state.tokens[role] = token
        state.ids = _seed(state)
        yield state
    workspace.engine.dispose()  # no pooled connection outlives the test database


# (path parameter, route, body): one record of each kind the manager owns, in order, so that
# hostile input meets the services' checks instead of a 404 for a missing record.
SEEDS: list[tuple[str, str, dict[str, Any]]] = [
    ("goal_id", "/api/why/goals", {"title": "Ship", "starts_on": "2026-01-05",
                                   "ends_on": "2026-03-31"}),
    ("key_result_id", "/api/why/goals/{goal_id}/key-results",
     {"title": "Lead time", "target": 3, "baseline": 9, "direction": "down"}),
    ("experiment_id", "/api/why/change/experiments",
     {"title": "Pairing", "hypothesis": "fewer bugs", "owner": "manager@example.org",
      "starts_on": "2026-01-05"}),
    ("pair_id", "/api/manage/one-on-ones", {"other": "{member}"}),
    ("meeting_id", "/api/manage/one-on-ones/{pair_id}/meetings",
     {"starts_at": "2026-01-05T10:00:00Z"}),
    ("item_id", "/api/manage/one-on-ones/{pair_id}/agenda", {"text": "Growth"}),
    ("action_id", "/api/manage/one-on-ones/{pair_id}/actions",
     {"owner": "{member}", "text": "Read", "due_date": "2026-02-01"}),
    ("concern_id", "/api/manage/concerns", {"text": "Why the reorg?"}),
    ("case_id", "/api/manage/conflicts",
     {"kind": "task", "issue": "Ownership", "parties": ["leader@example.org", "member@example.org"],
      "facilitator": "manager@example.org"}),
    ("follow_up_id", "/api/manage/conflicts/{case_id}/follow-ups",
     {"text": "Talk", "due_on": "2026-02-01"}),
    ("feedback_id", "/api/manage/feedback",
     {"receiver_id": "{member}", "kind": "praise", "situation": "In the demo",
      "behaviour": "you answered every question", "lint_seen": True}),
]  # fmt: skip


def _seed(state: Sweep) -> dict[str, str]:
    """Post :data:`SEEDS` as the manager (their report is the member); the ids made."""
    link_reports(state.workspace, state.org)
    created = run_cli("review", "create", "2026-H1", "-w", state.workspace.root)
    assert created.exit_code == 0, created.stderr  # an open cycle: the review routes answer
    with session_scope(state.workspace.engine) as session:
        for role in ("leader", "manager", "member"):
            session.add(
                Membership(person_id=state.org.person_ids[role], team_id=state.org.own_team_id)
            )
    people = {role: state.org.person_ids[role] for role in ("manager", "member")}
    ids: dict[str, str] = {}
    for name, path, body in SEEDS:
        filled = {
            key: people[value[1:-1]] if isinstance(value, str) and value[1:-1] in people else value
            for key, value in body.items()
        }
        url = path.format(**ids)
        made = _send(state, "manager", "POST", Probe(url, "seed", json=filled, has_json=True))
        assert made.status_code < 300, f"seeding {url}: {made.text}"
        answer = made.json()
        ids[name] = str(answer.get("id") or answer["item"]["id"])
    return ids


def _counts_query() -> str:
    tables = [table.name for table in Base.metadata.sorted_tables]
    return "SELECT " + ", ".join(f'(SELECT count(*) FROM "{name}")' for name in tables)


COUNTS_QUERY = _counts_query()


def row_counts(workspace: Workspace) -> dict[str, int]:
    """Rows per table, in one statement (the sweep counts after every write it sends)."""
    with workspace.engine.connect() as connection:
        counts = connection.execute(text(COUNTS_QUERY)).one()
    return dict(zip((t.name for t in Base.metadata.sorted_tables), counts, strict=True))


def _changed(before: dict[str, int], after: dict[str, int]) -> set[str]:
    return {name for name, count in after.items() if before[name] != count}


def _routes() -> list[tuple[str, str, str]]:
    """(method, path, route name) of every API route of an app, HEAD aside (at collection)."""
    with tempfile.TemporaryDirectory(prefix="tandem-sweep-") as folder:
        workspace = new_workspace(Path(folder) / "ws")
        app = create_app(workspace)
        workspace.engine.dispose()
    found = []
    for path, route in iter_routes(app.routes):
        if isinstance(route, APIRoute):
            for method in sorted(route.methods - {"HEAD"}):
                found.append((method, path, route.name))
    return sorted(found)


ROUTES = _routes()


def _route(app: FastAPI, method: str, path: str) -> APIRoute:
    for full, route in iter_routes(app.routes):
        if full == path and isinstance(route, APIRoute) and method in route.methods:
            return route
    raise AssertionError(f"no route {method} {path}")


def _roles(method: str, path: str) -> tuple[str, str | None]:
    """A role the matrix lets in (in its own team) and one it keeps out, if any."""
    expected = EXPECTED[(method, path)]
    if expected == ANYONE:
        return "member", None
    assert isinstance(expected, dict)
    allowed = [r for r in ROLE_PREFERENCE if "own" in expected.get(r, ())]
    denied = [r for r in ROLE_PREFERENCE if r not in expected]
    return (allowed[0] if allowed else "member"), (denied[0] if denied else None)


# -- sample values ------------------------------------------------------------------------------


def _sample(annotation: Any) -> Any:
    """A plausible valid JSON value for a field's type, to let one hostile field through."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _sample(args[0])
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        return _sample(inner[0]) if inner else None
    if origin is typing.Literal:
        return args[0]
    if origin in (list, tuple, set, frozenset):
        return [_sample(args[0])] if args else []
    if origin is dict:
        return {}
    if isinstance(annotation, type):
        if issubclass(annotation, bool):
            return True
        if issubclass(annotation, Enum):
            return next(iter(annotation)).value
        if issubclass(annotation, int):
            return 1
        if issubclass(annotation, float):
            return 0.5
        if issubclass(annotation, datetime):
            return "2026-01-05T10:00:00"
        if issubclass(annotation, date):
            return "2026-01-05"
        if issubclass(annotation, BaseModel):
            return _valid_body(annotation)
    return "x"


def _valid_body(model: type[BaseModel]) -> dict[str, Any]:
    return {
        info.alias or name: _sample(info.annotation)
        for name, info in model.model_fields.items()
        if info.is_required()
    }


def _as_form(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# -- requests -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Probe:
    """One hostile request: where it goes, what it sends, and what it tries."""

    url: str
    what: str
    query: dict[str, str] | None = None
    json: Any = None
    has_json: bool = False
    form: dict[str, str] | None = None
    field: str | None = None  # the query or JSON field it aims at: a 400/422 names a field


def _path_probes(path: str, base: dict[str, str]) -> Iterator[Probe]:
    names = [p for p in base if "{" + p + "}" in path]
    for name in names:
        for raw in PATH_VALUES:
            filled = {**base, name: raw}
            yield Probe(path.format(**filled), f"path {name}={raw[:20]!r}")


def _declared_queries(dependant: Any) -> list[str]:
    names = [param.alias for param in dependant.query_params]
    for sub in dependant.dependencies:
        names += _declared_queries(sub)
    return names


def _query_probes(url: str, declared: list[str], hand_read: tuple[str, ...]) -> Iterator[Probe]:
    for name in declared:
        for raw in QUERY_VALUES:
            yield Probe(url, f"query {name}={raw[:20]!r}", query={name: raw}, field=name)
    for name in hand_read:
        if name not in declared:
            for raw in HAND_READ_VALUES:
                yield Probe(url, f"query {name}={raw[:20]!r}", query={name: raw}, field=name)


def _body_probes(route: APIRoute, url: str) -> Iterator[Probe]:
    params = route.dependant.body_params
    forms = [p for p in params if isinstance(p.field_info, Form)]
    if forms:
        valid = {p.alias: _as_form(_sample(p.field_info.annotation)) for p in forms}
        yield Probe(url, "form {}", form={})
        yield Probe(url, "form unknown", form={**valid, "unknown": "1"})
        for param in forms:
            for raw in WRONG_FORM_VALUES:
                yield Probe(
                    url, f"form {param.alias}={raw[:20]!r}", form={**valid, param.alias: raw}
                )
        return
    for body in WHOLE_BODIES:
        yield Probe(url, f"json {body!r}", json=body, has_json=True)
    model = next(
        (
            p.field_info.annotation
            for p in params
            if isinstance(p.field_info.annotation, type)
            and issubclass(p.field_info.annotation, BaseModel)
        ),
        None,
    )
    if model is None:
        yield Probe(url, "form on a route without a body", form={"x": "z" * 100_000})
        return
    valid = _valid_body(model)
    yield Probe(url, "json unknown field", json={**valid, "unknown": [1]}, has_json=True)
    for name, info in model.model_fields.items():
        key = info.alias or name
        for raw in WRONG_VALUES:
            body = {**valid, key: raw}
            yield Probe(url, f"json {key}={str(raw)[:20]!r}", json=body, has_json=True, field=key)
    yield Probe(url, "form where JSON is due", form={k: _as_form(v) for k, v in valid.items()})


def _probes(route: APIRoute, method: str, path: str, url: str, base: dict[str, str]) -> list[Probe]:
    found = list(_path_probes(path, base))
    declared = _declared_queries(route.dependant)
    found += _query_probes(url, declared, HAND_READ if method == "GET" else ())
    if method != "GET":
        found += _body_probes(route, url)
    return found


def _send(sweep: Sweep, role: str, method: str, probe: Probe) -> Any:
    sweep.client.cookies.set(SESSION_COOKIE, sweep.tokens[role])
    headers = {"X-CSRF-Token": sweep.csrf[role]}
    kwargs: dict[str, Any] = {"params": probe.query, "headers": headers}
    if probe.has_json:
        kwargs["json"] = probe.json
    elif probe.form is not None:
        kwargs["data"] = probe.form
    return sweep.client.request(method, probe.url, follow_redirects=False, **kwargs)


def _problems(path: str, probe: Probe, response: Any) -> list[str]:
    status = response.status_code
    if status >= 500:
        return [f"{status}"]
    if status < 400:
        return []
    kind = response.headers.get("content-type", "")
    if path.startswith("/api"):
        if not kind.startswith("application/json"):
            return [f"{status} answered {kind!r}, not JSON"]
        body = response.json()
        if not (isinstance(body, dict) and set(body) == {"error"}):
            return [f"{status} not the canonical error shape: {body!r:.200}"]
        if set(body["error"]) != ERROR_KEYS or body["error"]["status"] != status:
            return [f"{status} not the canonical error shape: {body!r:.200}"]
        if status in (400, 422) and probe.field and body["error"]["field"] is None:
            return [f"{status} names no field: {body['error']['message']!r:.200}"]
        return []
    if not kind.startswith("text/html"):
        return [f"{status} answered {kind!r}, not an HTML page"]
    return []


def _base(path: str, sweep: Sweep, role: str) -> dict[str, str]:
    names = [part[1:-1] for part in path.split("/") if part.startswith("{")]
    if not names:
        return {}
    filled = _fill("/".join("{" + n + "}" for n in names), sweep.org, role, "own").split("/")
    return {name: sweep.ids.get(name, value) for name, value in zip(names, filled, strict=True)}


@pytest.mark.slow  # about 65 s on two workers per database, over 2 min on one
@pytest.mark.parametrize(("method", "path", "name"), ROUTES)
def test_hostile_input_is_refused_clearly(sweep: Sweep, method: str, path: str, name: str) -> None:
    if (method, path) in SESSION_ENDING:
        pytest.skip("ends the session the sweep signs in with; its form is swept as /login")
    route = _route(sweep.app, method, path)
    allowed, denied = _roles(method, path)
    base = _base(path, sweep, allowed)
    url = path.format(**{k: quote(v) for k, v in base.items()})
    probes = _probes(route, method, path, url, base)
    writes = method != "GET"
    failures: list[str] = []
    before = row_counts(sweep.workspace)
    for role, role_probes in ((allowed, probes), (denied, probes[:: max(1, len(probes) // 8)])):
        if role is None:
            continue
        for probe in role_probes:
            response = _send(sweep, role, method, probe)
            for problem in _problems(path, probe, response):
                failures.append(f"{role} {probe.what}: {problem}")
            if writes:
                after = row_counts(sweep.workspace)
                changed = _changed(before, after) - RECORDED.get((method, path), set())
                if response.status_code >= 400 and changed:
                    failures.append(f"{role} {probe.what}: refused but wrote {sorted(changed)}")
                before = after
    if not writes:
        changed = _changed(before, row_counts(sweep.workspace))
        assert not changed - RECORDED.get((method, path), set()), f"a GET wrote {changed}"
    assert not failures, "\n".join(failures[:40])
