"""The allocation optimiser on the web: ``/manage/allocation`` (upload a plan) and
``POST /api/manage/allocation`` (a JSON plan in the body).

Both read the plan the user sends, and nothing else: refs stay free text (no lookup of the
workspace's people, so the answer holds only what the uploader sent), nothing is stored, and
the run is recorded in the audit log with counts only. The answer is a recommendation: the page
says so, a person decides. Guarded by ``plan_allocation``.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from tandem.audit.service import user_actor
from tandem.errors import InputError
from tandem.manage.allocation import service
from tandem.manage.allocation.model import DEFAULT_TIME_LIMIT
from tandem.manage.allocation.plan import decode, kind_of, parse_plan
from tandem.manage.allocation.schemas import Allocation, WhatIf
from tandem.web.deps import CurrentUser, DbSession
from tandem.web.how.charts import AUTOSIZE, VEGA_LITE_SCHEMA
from tandem.web.permissions import PLAN_ALLOCATION, requires
from tandem.web.templating import render

PATH = "/manage/allocation"
WEB_MAX_TIME_LIMIT = 30.0  # a request holds a worker while it solves
MAX_UPLOAD_BYTES = 1_000_000
OVER = "#a4161a"
FITS = "#1d4ed8"

page = APIRouter(dependencies=[Depends(requires(PLAN_ALLOCATION))], include_in_schema=False)
api = APIRouter(
    prefix="/api/manage", tags=["manage"], dependencies=[Depends(requires(PLAN_ALLOCATION))]
)


def _time_limit(value: Any) -> float:
    if value is None or value == "":
        return DEFAULT_TIME_LIMIT
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{value!r} is not a number of seconds", field="time_limit") from None
    if not 0 < seconds <= WEB_MAX_TIME_LIMIT:
        raise InputError(f"give 0 < seconds ≤ {WEB_MAX_TIME_LIMIT:g}", field="time_limit")
    return seconds


def _what_if(data: Any) -> service.Changes:
    if data is None:
        return service.Changes()
    if not isinstance(data, dict) or set(data) - {"remove", "add_projects", "capacity"}:
        raise InputError("give remove, add_projects and capacity only", field="what_if")
    remove = data.get("remove") or []
    capacity = data.get("capacity") or {}
    projects = data.get("add_projects") or []
    if not isinstance(remove, list) or not all(isinstance(r, str) for r in remove):
        raise InputError("give a list of people's refs", field="what_if.remove")
    if not isinstance(capacity, dict) or not all(
        isinstance(v, int | float) and not isinstance(v, bool) and 0 <= v <= 1
        for v in capacity.values()
    ):
        raise InputError("give {ref: FTE} with 0 ≤ FTE ≤ 1", field="what_if.capacity")
    if not isinstance(projects, list):
        raise InputError("give a list of projects", field="what_if.add_projects")
    added = parse_plan({"people": [], "projects": projects}, "what_if.add_projects").projects
    return service.Changes(remove=remove, add_projects=list(added), capacity=dict(capacity))


def _run(db: Any, user: Any, plan_data: Any, seconds: float, changes: service.Changes,
         source: str | None = None) -> tuple[Allocation, WhatIf | None]:  # fmt: skip
    plan = parse_plan(plan_data, source)
    if changes:
        service.apply_changes(plan, changes)
    base = service.allocate(plan, time_limit=seconds)
    result = service.what_if(plan, changes, time_limit=seconds, base=base) if changes else None
    service.record_run(session=db, actor=user_actor(user.id), plan=plan, result=base)
    return base, result


@api.post("/allocation", summary="Optimise an allocation plan (a recommendation)")
async def api_allocate(request: Request, db: DbSession, user: CurrentUser) -> dict[str, Any]:
    """Body: ``{"plan": {settings, people, projects}, "time_limit": 8, "what_if": {"remove":
    [...], "add_projects": [...], "capacity": {ref: FTE}}}``. The answer: the allocation (or,
    with ``what_if``, the base, the variant and who moves), each assignment explained."""
    raw = await request.body()
    try:
        body = json.loads(raw or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise InputError(f"the body is not JSON: {error}", field="body") from None
    if not isinstance(body, dict) or "plan" not in body:
        raise InputError('send {"plan": {...}}', field="plan")
    if set(body) - {"plan", "time_limit", "what_if"}:
        extra = sorted(set(body) - {"plan", "time_limit", "what_if"})[0]
        raise InputError("unknown field", field=extra)
    seconds = _time_limit(body.get("time_limit"))
    changes = _what_if(body.get("what_if"))
    base, result = await run_in_threadpool(_run, db, user, body["plan"], seconds, changes, "plan")
    return (result or base).model_dump(mode="json")


def load_chart(allocation: Allocation) -> dict[str, Any] | None:
    """Allocated vs effective capacity per person; today's over-allocation in red."""
    if not allocation.load:
        return None
    values = [
        {
            "person": row.person_name,
            "allocated": row.allocated,
            "effective": row.effective_capacity,
            "now": row.current,
            "flag": "over-allocated now" if row.over_allocated_now else "fits",
        }
        for row in allocation.load
    ]
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "description": "Recommended FTE per person against effective capacity",
        "width": "container",
        "autosize": AUTOSIZE,
        "height": max(120, 22 * len(values)),
        "data": {"values": values},
        "layer": [
            {
                "mark": {"type": "bar"},
                "encoding": {
                    "y": {"field": "person", "type": "nominal", "sort": None, "title": None},
                    "x": {"field": "allocated", "type": "quantitative", "title": "FTE"},
                    "color": {
                        "field": "flag", "type": "nominal", "title": "today",
                        "scale": {"domain": ["over-allocated now", "fits"], "range": [OVER, FITS]},
                    },
                    "tooltip": [
                        {"field": "person"}, {"field": "allocated"}, {"field": "effective"},
                        {"field": "now", "title": "current FTE"},
                    ],
                },
            },
            {
                "mark": {"type": "tick", "color": "#111", "thickness": 2},
                "encoding": {
                    "y": {"field": "person", "type": "nominal", "sort": None},
                    "x": {"field": "effective", "type": "quantitative"},
                },
            },
        ],
    }  # fmt: skip


@page.get(PATH)
def allocation_page(request: Request) -> Response:
    """The upload form and what the optimiser does."""
    return render(request, "manage/allocation.html", {"result": None, "form": {}})


@page.post(PATH)
async def allocation_upload(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    plan: UploadFile,
    time_limit: Annotated[str, Form(max_length=20)] = "",
    remove: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Solve the uploaded plan; with ``remove`` (refs, comma-separated): the what-if too."""
    name = plan.filename or "plan"
    kind = kind_of(name)
    raw = await plan.read(MAX_UPLOAD_BYTES + 1)
    if len(raw) > MAX_UPLOAD_BYTES:
        raise InputError(f"a plan upload has at most {MAX_UPLOAD_BYTES:,} bytes", field="plan")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("the plan is not UTF-8 text", field="plan") from None
    data = decode(text, kind=kind, source=name)
    seconds = _time_limit(time_limit)
    refs = [r.strip() for r in remove.split(",") if r.strip()]
    changes = service.Changes(remove=refs)
    base, result = await run_in_threadpool(_run, db, user, data, seconds, changes, name)
    shown = result.variant if result else base
    chart = load_chart(shown)
    return render(
        request,
        "manage/allocation.html",
        {
            "result": shown,
            "what_if": result,
            "chart": json.dumps(chart) if chart else None,
            "form": {"time_limit": time_limit, "remove": remove, "name": name},
        },
    )
