"""Dependencies of every route, as ``Annotated`` aliases: the workspace, the database, the user.

The database session comes from a ``yield`` dependency (not middleware): committed when the
endpoint returns, rolled back when it raises, before the response is sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from pydantic import Field
from sqlalchemy.orm import Session, sessionmaker

from tandem.accounts import service as accounts_service
from tandem.accounts.errors import AuthenticationError
from tandem.accounts.schemas import SignedIn, UserOut
from tandem.errors import NotFoundError
from tandem.ids import MAX_ID, as_id
from tandem.web.config import SESSION_COOKIE, WebConfig
from tandem.workspace import Workspace as TandemWorkspace

# -- record ids ----------------------------------------------------------------------------------


Id = Annotated[int, Field(ge=1, le=MAX_ID)]
"""A record id in a query or a body: 1 to 2³¹−1, else 422 (``Annotated[Id | None, Query()]``)."""


def parse_id(raw: str, what: str) -> int:
    """The id in a path segment: digits from 1 to 2³¹−1; anything else names no record (404)."""
    value = as_id(raw)
    if value is None:
        raise NotFoundError(f"{what} {raw!r} is not an id")
    return value


def get_workspace(request: Request) -> TandemWorkspace:
    """The workspace this app serves."""
    workspace: TandemWorkspace = request.app.state.workspace
    return workspace


def get_config(request: Request) -> WebConfig:
    """The app's :class:`WebConfig`."""
    config: WebConfig = request.app.state.config
    return config


def get_db(request: Request) -> Iterator[Session]:
    """One app-database session per request: committed on success, rolled back on error."""
    factory: sessionmaker[Session] = request.app.state.session_factory
    with factory() as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


Workspace = Annotated[TandemWorkspace, Depends(get_workspace)]
Config = Annotated[WebConfig, Depends(get_config)]
DbSession = Annotated[Session, Depends(get_db, scope="function")]


def optional_signed_in(request: Request, db: DbSession) -> SignedIn | None:
    """The session behind the cookie, or ``None``; kept on ``request.state`` for templates."""
    token = request.cookies.get(SESSION_COOKIE)
    signed_in = accounts_service.resolve_session(session=db, token=token) if token else None
    request.state.signed_in = signed_in
    return signed_in


OptionalSignedIn = Annotated[SignedIn | None, Depends(optional_signed_in)]


def signed_in(current: OptionalSignedIn) -> SignedIn:
    """The current session; 401 when there is none."""
    if current is None:
        raise AuthenticationError("sign in first")
    return current


def optional_user(current: OptionalSignedIn) -> UserOut | None:
    """The signed-in user, or ``None``."""
    return current.user if current else None


def current_user(current: Annotated[SignedIn, Depends(signed_in)]) -> UserOut:
    """The signed-in user; 401 when nobody is."""
    return current.user


CurrentSession = Annotated[SignedIn, Depends(signed_in)]
OptionalUser = Annotated[UserOut | None, Depends(optional_user)]
CurrentUser = Annotated[UserOut, Depends(current_user)]


def client_ip(request: Request, config: WebConfig) -> str:
    """The client's address: the proxy's ``X-Forwarded-For`` only when the proxy is trusted."""
    if config.trust_proxy:
        forwarded = request.headers.get("x-forwarded-for")
        if forwarded:
            return forwarded.split(",")[-1].strip()[:45]
    return request.client.host if request.client else "unknown"


def is_https(request: Request, config: WebConfig) -> bool:
    """Whether the browser talks HTTPS to us (``X-Forwarded-Proto`` only from a trusted proxy)."""
    if config.trust_proxy:
        proto = request.headers.get("x-forwarded-proto")
        if proto:
            return proto.split(",")[0].strip().lower() == "https"
    return request.url.scheme == "https"
