"""Admin pages about the work data: sources, the status mapping wizard, data quality.

Admins only (``admin_sources``). Counts by source only, never a person. The mapping page lists a
source's statuses with counts and a proposed category (:mod:`tandem.flow.mapping_wizard`), one
select per status; Save writes ``[flow.mapping."<source>"]`` into ``tandem.toml`` atomically
and records ``flow.mapping`` in the audit log. The sources page shows each source's last sync and
counts from the lake manifest, and the name of the variable that holds a token, never a token.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import StringConstraints

from tandem.audit import service as audit
from tandem.errors import InputError, NotFoundError
from tandem.flow import mapping_wizard, quality
from tandem.flow.mapping import CATEGORIES, StatusMapping
from tandem.settings import load_settings
from tandem.sources import overview
from tandem.web.deps import CurrentUser, DbSession, Workspace
from tandem.web.permissions import ADMIN_SOURCES, requires
from tandem.web.templating import render
from tandem.workspace import Workspace as TandemWorkspace

router = APIRouter(dependencies=[Depends(requires(ADMIN_SOURCES))])

MAX_STATUSES = 500
SourceQuery = Annotated[str | None, Query(max_length=300)]
# each status or category at most 300 characters; at most MAX_STATUSES of them
Values = Annotated[
    list[Annotated[str, StringConstraints(max_length=300)]], Form(max_length=MAX_STATUSES)
]


def _mapping(workspace: TandemWorkspace) -> StatusMapping:
    """The mapping as ``tandem.toml`` says now (a save while serving shows at once)."""
    return StatusMapping.from_settings(load_settings(workspace.root).flow)


def _mapping_page(
    request: Request,
    workspace: TandemWorkspace,
    source: str | None,
    *,
    message: str | None = None,
    field: str | None = None,
    chosen: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    names = mapping_wizard.sources(workspace.lake)
    if source is None and names:
        source = names[0]
    proposal = None
    if source is not None:
        proposal = mapping_wizard.propose_mapping(
            lake=workspace.lake, mapping=_mapping(workspace), source=source
        )
    context: dict[str, Any] = {
        "sources": names,
        "source": source,
        "proposal": proposal,
        "categories": CATEGORIES,
        "chosen": chosen or {},
        "message": message,
        "field": field,
        "notice": request.query_params.get("done"),
    }
    return render(request, "admin/mapping.html", context, status_code=status_code)


@router.get("/admin/mapping", include_in_schema=False)
def mapping_page(request: Request, workspace: Workspace, source: SourceQuery = None) -> Response:
    """A source's statuses with counts, the category in use and the one proposed."""
    return _mapping_page(request, workspace, source)


@router.post("/admin/mapping", include_in_schema=False)
def save_mapping_page(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    workspace: Workspace,
    source: Annotated[str, Form(max_length=300)],
    activity: Values,
    category: Values,
) -> Response:
    """Save the chosen categories of a source's statuses (CSRF-protected form; audited)."""
    chosen = dict(zip(activity, category, strict=False))
    try:
        if len(activity) != len(category) or len(activity) > MAX_STATUSES:
            raise InputError("one category per status", field="category")
        known = {
            s.activity
            for s in mapping_wizard.propose_mapping(
                lake=workspace.lake, mapping=_mapping(workspace), source=source
            ).statuses
        }
        unknown = [a for a in activity if a not in known]
        if unknown:
            raise InputError(f"{unknown[0]!r} is not a status of {source}", field="activity")
        mapping_wizard.save_mapping(
            config_path=workspace.config_path,
            source=source,
            choices=chosen,
            session=db,
            actor=audit.user_actor(user.id),
        )
    except (InputError, NotFoundError) as exc:
        db.rollback()  # the audit row of a save that did not happen goes with it
        return _mapping_page(
            request, workspace, source, message=exc.message, field=getattr(exc, "field", None),
            chosen=chosen, status_code=exc.status,
        )  # fmt: skip
    return RedirectResponse(
        request.url_for("mapping_page").include_query_params(source=source, done="saved"),
        status_code=303,
    )


@router.get("/admin/quality", include_in_schema=False)
def quality_page(request: Request, workspace: Workspace) -> Response:
    """Data quality per source (counts only), with a bar per share."""
    rows = quality.source_quality(lake=workspace.lake, mapping=_mapping(workspace))
    return render(request, "admin/quality.html", {"rows": rows})


@router.get("/api/admin/quality")
def quality_api(workspace: Workspace) -> list[dict[str, Any]]:
    """Data quality per source: items, events, truncated histories, items never done, events
    without a resource, bot share, unmapped statuses."""
    rows = quality.source_quality(lake=workspace.lake, mapping=_mapping(workspace))
    return [row.to_dict() for row in rows]


@router.get("/admin/sources", include_in_schema=False)
def sources_page(request: Request, workspace: Workspace) -> Response:
    """Configured and ingested sources: kind, URL, token variable name, last sync, counts."""
    return render(request, "admin/sources.html", {"sources": overview.list_sources(workspace)})


@router.get("/api/admin/sources")
def sources_api(workspace: Workspace) -> list[dict[str, Any]]:
    """Each source: kind, URL, the token's variable name (never its value), last sync, counts."""
    return [s.to_dict() for s in overview.list_sources(workspace)]
