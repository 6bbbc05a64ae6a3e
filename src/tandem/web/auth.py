"""Sign-in, sign-out, password change, first-run setup and ``/api/me``.

Routes are grouped by the action guarding them, one router each (``requires`` at router level).
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel

from tandem.accounts import service as accounts_service
from tandem.accounts.errors import AuthenticationError, PermissionDeniedError, ThrottledError
from tandem.accounts.schemas import NewSession, UserOut
from tandem.errors import InputError, NotFoundError
from tandem.web.config import CSRF_COOKIE, SESSION_COOKIE
from tandem.web.deps import (
    Config,
    CurrentSession,
    DbSession,
    OptionalSignedIn,
    client_ip,
    is_https,
)
from tandem.web.permissions import MANAGE_OWN_ACCOUNT, PUBLIC, requires
from tandem.web.templating import render

public = APIRouter(dependencies=[Depends(requires(PUBLIC))], include_in_schema=False)
account = APIRouter(dependencies=[Depends(requires(MANAGE_OWN_ACCOUNT))])

Email = Annotated[str, Form(max_length=320)]
Password = Annotated[str, Form(max_length=1024)]


def safe_next(target: str | None) -> str:
    """``target`` when it is a path on this site, else ``/`` (no open redirects)."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"


def _signed_in_redirect(
    request: Request, config: Config, new: NewSession, target: str
) -> RedirectResponse:
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        new.token,
        httponly=True,
        samesite="lax",
        secure=is_https(request, config),
        path="/",
        max_age=int(accounts_service.SESSION_MAX.total_seconds()),
    )
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


@public.get("/login")
def login_form(
    request: Request, current: OptionalSignedIn, next: Annotated[str | None, Query()] = None
) -> Response:
    """The sign-in form (signed-in users go home)."""
    if current is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "auth/login.html", {"next": safe_next(next), "email": ""})


@public.post("/login")
def login(
    request: Request,
    db: DbSession,
    config: Config,
    email: Email,
    password: Password,
    next: Annotated[str | None, Form()] = None,
) -> Response:
    """Check the credentials (throttled), start a session and go where the user was headed."""
    try:
        user = accounts_service.authenticate(
            session=db, email=email, password=password, client_ip=client_ip(request, config)
        )
    except (AuthenticationError, ThrottledError) as exc:
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, ThrottledError) else None
        context = {"next": safe_next(next), "email": email, "message": exc.message}
        return render(request, "auth/login.html", context, status_code=exc.status, headers=headers)
    new = accounts_service.create_session(session=db, user_id=user.id)
    return _signed_in_redirect(request, config, new, safe_next(next))


def _check_setup(db: DbSession, config: Config, token: str | None) -> None:
    if accounts_service.has_users(session=db):
        raise NotFoundError("Tandem is set up already; sign in instead")
    if not token or not hmac.compare_digest(token, config.setup_token):
        raise PermissionDeniedError(
            "this setup link is not valid; use the one `tandem serve` printed"
        )


@public.get("/setup")
def setup_form(
    request: Request,
    db: DbSession,
    config: Config,
    token: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """First run only: the form creating the first admin (needs the printed token)."""
    _check_setup(db, config, token)
    return render(request, "auth/setup.html", {"token": token, "email": ""})


@public.post("/setup")
def setup(
    request: Request,
    db: DbSession,
    config: Config,
    email: Email,
    password: Password,
    password_confirm: Password,
    token: Annotated[str, Form(max_length=200)],
) -> Response:
    """Create the first admin and sign them in."""
    _check_setup(db, config, token)
    try:
        if password != password_confirm:
            raise InputError("the two passwords differ", field="password_confirm")
        user = accounts_service.bootstrap_admin(session=db, email=email, password=password)
    except InputError as exc:
        context = {"token": token, "email": email, "message": exc.message, "field": exc.field}
        return render(request, "auth/setup.html", context, status_code=exc.status)
    new = accounts_service.create_session(session=db, user_id=user.id)
    return _signed_in_redirect(request, config, new, "/")


@account.post("/logout", include_in_schema=False)
def logout(request: Request, db: DbSession, current: CurrentSession) -> Response:
    """End this session on the server and drop the cookie."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        accounts_service.revoke_session(session=db, token=token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@account.get("/account/password", include_in_schema=False)
def password_form(request: Request, current: CurrentSession) -> Response:
    """The change-password form."""
    return render(request, "auth/password.html")


@account.post("/account/password", include_in_schema=False)
def change_password(
    request: Request,
    db: DbSession,
    current: CurrentSession,
    current_password: Password,
    new_password: Password,
    new_password_confirm: Password,
) -> Response:
    """Change one's own password (needs the current one); other sessions are signed out."""
    try:
        if new_password != new_password_confirm:
            raise InputError("the two new passwords differ", field="new_password_confirm")
        accounts_service.change_password(
            session=db,
            user_id=current.user.id,
            current_password=current_password,
            new_password=new_password,
            keep_session_id=current.session_id,
        )
    except InputError as exc:
        context = {"message": exc.message, "field": exc.field}
        return render(request, "auth/password.html", context, status_code=exc.status)
    return render(request, "auth/password.html", {"changed": True})


class Me(UserOut):
    """The signed-in user, with the CSRF token their scripts send as ``X-CSRF-Token``."""

    csrf_token: str


class ErrorDetail(BaseModel):
    """The canonical error body's content."""

    status: int
    code: str
    message: str
    field: str | None


class ErrorBody(BaseModel):
    """Every ``/api`` error has this shape."""

    error: ErrorDetail


@account.get("/api/me", responses={401: {"model": ErrorBody}})
def me(current: CurrentSession) -> Me:
    """The signed-in user; 401 when nobody is signed in."""
    return Me(**current.user.model_dump(), csrf_token=current.csrf_token)
