"""The API's schema and reference page (the home page lives in :mod:`tandem.web.home`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from tandem.web.permissions import PUBLIC, requires
from tandem.web.templating import render

api_docs = APIRouter(dependencies=[Depends(requires(PUBLIC))], include_in_schema=False)

METHODS = ("get", "post", "put", "patch", "delete")


@api_docs.get("/api/openapi.json")
def openapi_document(request: Request) -> JSONResponse:
    """The OpenAPI document of the JSON API."""
    return JSONResponse(request.app.openapi())


@api_docs.get("/api/docs")
def api_reference(request: Request) -> Response:
    """A plain reference of the JSON API, rendered on the server from the OpenAPI document."""
    document: dict[str, Any] = request.app.openapi()
    operations = [
        {
            "method": method.upper(),
            "path": path,
            "summary": operation.get("summary", ""),
            "description": operation.get("description", ""),
            "responses": sorted(operation.get("responses", {})),
        }
        for path, item in sorted(document.get("paths", {}).items())
        for method, operation in item.items()
        if method in METHODS
    ]
    return render(request, "api_docs.html", {"operations": operations})
