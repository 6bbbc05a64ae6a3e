"""The audit log page and its ``/api`` twin: admins only (``view_audit``).

Both list :func:`tandem.audit.service.events`, newest first, filtered by person id, action and
a start date, the same code as ``tandem audit list``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from tandem.audit import service as audit_service
from tandem.audit.schemas import ACTION_NAMES, AuditListOut
from tandem.ids import MAX_ID
from tandem.web.deps import DbSession
from tandem.web.permissions import VIEW_AUDIT, requires
from tandem.web.templating import render

view = APIRouter(dependencies=[Depends(requires(VIEW_AUDIT))])

MAX_EVENTS = 500
PersonId = Annotated[int | None, Query(ge=1, le=MAX_ID, description="a person's id")]
ActionName = Annotated[str | None, Query(max_length=40, description="an audited action")]
Since = Annotated[str | None, Query(max_length=32, description="YYYY-MM-DD (UTC)")]


def _list(db: Session, person: int | None, action: str | None, since: str | None) -> AuditListOut:
    found = audit_service.events(
        session=db,
        person_id=person,
        action=action or None,
        since=audit_service.parse_since(since) if since else None,
        limit=MAX_EVENTS,
    )
    return AuditListOut(events=found, count=len(found))


@view.get("/admin/audit", include_in_schema=False)
def audit_page(
    request: Request,
    db: DbSession,
    person: PersonId = None,
    action: ActionName = None,
    since: Since = None,
) -> Response:
    """The latest audit events, with filters."""
    context: dict[str, Any] = {
        "listing": _list(db, person, action, since),
        "actions": ACTION_NAMES,
        "filters": {"person": person or "", "action": action or "", "since": since or ""},
        "limit": MAX_EVENTS,
    }
    return render(request, "admin/audit.html", context)


@view.get("/api/admin/audit")
def audit_events(
    db: DbSession, person: PersonId = None, action: ActionName = None, since: Since = None
) -> AuditListOut:
    """Audit events, newest first (at most 500): by person id, action, since a date."""
    return _list(db, person, action, since)
