"""The admin page and its ``/api`` twins: users and roles, teams, sources and ingest status.

Admins only (``admin_users``; the status under ``admin_sources``; a review cycle's completion,
which names the raters still pending, under ``admin_review``, audited). Users are added and changed
through :mod:`tandem.accounts.service`, the same code as ``tandem user add | role``; a new
user's initial password must meet the password policy, and a user is linked to the person with
the same email. The status is :func:`tandem.status.workspace_status` plus the lake's batches by
source label.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from tandem.accounts import passwords
from tandem.accounts import service as accounts_service
from tandem.accounts.models import ROLE_VALUES
from tandem.accounts.schemas import UserOut
from tandem.audit import service as audit
from tandem.errors import ConflictError, InputError, NotFoundError
from tandem.people import service as people_service
from tandem.people.schemas import TeamOut
from tandem.review import completion as review_completion
from tandem.review import service as review_service
from tandem.status import workspace_status
from tandem.web.deps import CurrentUser, DbSession, Workspace
from tandem.web.permissions import ADMIN_REVIEW, ADMIN_SOURCES, ADMIN_USERS, allowed, requires
from tandem.web.templating import render
from tandem.workspace import Workspace as TandemWorkspace

users = APIRouter(dependencies=[Depends(requires(ADMIN_USERS))])
sources = APIRouter(dependencies=[Depends(requires(ADMIN_SOURCES))])
review = APIRouter(dependencies=[Depends(requires(ADMIN_REVIEW))])

Text = Annotated[str, Form(max_length=320)]


class NewUserIn(BaseModel):
    """A user to add: email, role, team (by name) and the initial password."""

    email: str = Field(max_length=320)
    role: str = Field(max_length=10)
    team: str | None = Field(default=None, max_length=200)
    password: str = Field(max_length=1024)


class RoleIn(BaseModel):
    """A user's new role, and their team when given (by name)."""

    email: str = Field(max_length=320)
    role: str = Field(max_length=10)
    team: str | None = Field(default=None, max_length=200)


class SourceOut(BaseModel):
    """Batches ingested under one source label, and the latest one."""

    label: str
    batches: int
    last_committed_at: str | None


class StatusOut(BaseModel):
    """The workspace's ingest status: lake tables, app database, batches, sources."""

    status: dict[str, Any]
    sources: list[SourceOut]


def list_teams(db: Session) -> list[TeamOut]:
    """Every team with its member count, by name."""
    return people_service.list_teams(session=db)


def ingest_status(workspace: TandemWorkspace) -> StatusOut:
    """``workspace_status`` and the lake's batches grouped by their source label."""
    by_label: dict[str, SourceOut] = {}
    for batch in workspace.lake.manifest().batches:
        label = str(batch.get("label") or "unlabelled")
        seen = by_label.get(label)
        by_label[label] = SourceOut(
            label=label,
            batches=(seen.batches if seen else 0) + 1,
            last_committed_at=batch.get("committed_at"),
        )
    return StatusOut(
        status=workspace_status(workspace), sources=sorted(by_label.values(), key=lambda s: s.label)
    )


def _add(db: Session, body: NewUserIn, by: UserOut) -> UserOut:
    passwords.check_policy(body.password, field="password")
    return accounts_service.add_user(
        session=db,
        email=body.email,
        password=body.password,
        role=body.role,
        team=body.team or None,
        actor=audit.user_actor(by.id),
    )


def _set_role(db: Session, body: RoleIn, by: UserOut) -> UserOut:
    return accounts_service.set_role(
        session=db,
        email=body.email,
        role=body.role,
        team=body.team or None,
        actor=audit.user_actor(by.id),
    )


def _page(
    request: Request,
    db: Session,
    user: UserOut,
    workspace: TandemWorkspace,
    *,
    message: str | None = None,
    field: str | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    context: dict[str, Any] = {
        "users": accounts_service.list_users(session=db),
        "teams": list_teams(db),
        "roles": ROLE_VALUES,
        "message": message,
        "field": field,
        "form": form or {},
        "notice": request.query_params.get("done"),
    }
    if allowed(user, ADMIN_SOURCES):
        context["status"] = ingest_status(workspace)
    return render(request, "admin/index.html", context, status_code=status_code)


@users.get("/admin", include_in_schema=False)
def admin_page(
    request: Request, db: DbSession, user: CurrentUser, workspace: Workspace
) -> Response:
    """Users and roles, teams, sources and ingest status."""
    return _page(request, db, user, workspace)


@users.post("/admin/users", include_in_schema=False)
def add_user_page(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    workspace: Workspace,
    email: Text,
    role: Annotated[str, Form(max_length=10)],
    password: Annotated[str, Form(max_length=1024)],
    team: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Add a user with an initial password (CSRF-protected form)."""
    body = NewUserIn(email=email, role=role, team=team or None, password=password)
    try:
        added = _add(db, body, user)
    except (InputError, ConflictError, NotFoundError) as exc:
        form = {"email": email, "role": role, "team": team}
        field = getattr(exc, "field", None)
        return _page(
            request, db, user, workspace, message=exc.message, field=field, form=form,
            status_code=exc.status,
        )  # fmt: skip
    return RedirectResponse(f"/admin?done=added+{added.id}#users", status_code=303)


@users.post("/admin/users/role", include_in_schema=False)
def set_role_page(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    workspace: Workspace,
    email: Text,
    role: Annotated[str, Form(max_length=10)],
    team: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Change a user's role (and team)."""
    try:
        _set_role(db, RoleIn(email=email, role=role, team=team or None), user)
    except (InputError, NotFoundError) as exc:
        return _page(
            request, db, user, workspace, message=exc.message, field=getattr(exc, "field", None),
            status_code=exc.status,
        )  # fmt: skip
    return RedirectResponse("/admin?done=role#users", status_code=303)


@users.get("/api/admin/users")
def list_users(db: DbSession) -> list[UserOut]:
    """Every user (email, role, team, linked person)."""
    return accounts_service.list_users(session=db)


@users.post("/api/admin/users", status_code=201)
def add_user(db: DbSession, user: CurrentUser, body: NewUserIn) -> UserOut:
    """Add a user with an initial password (linked to the person with the same email)."""
    return _add(db, body, user)


@users.post("/api/admin/users/role")
def set_role(db: DbSession, user: CurrentUser, body: RoleIn) -> UserOut:
    """Change a user's role, and their team when given."""
    return _set_role(db, body, user)


@users.get("/api/admin/teams")
def teams(db: DbSession) -> list[TeamOut]:
    """Every team with its member count."""
    return list_teams(db)


@sources.get("/api/admin/status")
def status(workspace: Workspace) -> StatusOut:
    """The workspace's ingest status: lake row counts, app database counts, sources."""
    return ingest_status(workspace)


CycleQuery = Annotated[str | None, Query(max_length=200)]


def _completion(
    db: Session, user: UserOut, cycle: str | None
) -> review_completion.CompletionReport:
    if cycle is None:  # the latest open cycle, else the latest
        cycles = review_service.cycle_names(session=db)
        if not cycles:
            raise NotFoundError("no review cycle yet: create one with tandem review create")
        open_ones = [c for c in cycles if c[1] == "open"]
        cycle = (open_ones or cycles)[-1][0]
    return review_completion.cycle_completion(
        session=db, cycle=cycle, actor=audit.user_actor(user.id)
    )


@review.get("/admin/review", include_in_schema=False)
def completion_page(
    request: Request, db: DbSession, user: CurrentUser, cycle: CycleQuery = None
) -> Response:
    """A review cycle's completion: per ratee and rater group, and who is pending."""
    report = _completion(db, user, cycle)
    cycles = [name for name, _ in review_service.cycle_names(session=db)]
    return render(request, "admin/review.html", {"report": report, "cycles": cycles})


@review.get("/api/admin/review/completion")
def completion(
    db: DbSession, user: CurrentUser, cycle: CycleQuery = None
) -> review_completion.CompletionReport:
    """A review cycle's completion per ratee and rater group, naming pending raters."""
    return _completion(db, user, cycle)
