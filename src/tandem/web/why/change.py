"""WHY panel: change (pages and their JSON twins under ``/api/why/…``)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from tandem.web.permissions import VIEW_WHY, requires
from tandem.web.why.scope import why_resource

page = APIRouter(dependencies=[Depends(requires(VIEW_WHY, why_resource))], include_in_schema=False)
api = APIRouter(
    prefix="/api/why", tags=["why"], dependencies=[Depends(requires(VIEW_WHY, why_resource))]
)
