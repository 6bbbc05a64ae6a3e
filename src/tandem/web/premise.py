"""The premise page and its ``/api`` twin: do few people excel at both sides, here?

Directors and admins (``view_premise``) read :func:`tandem.profile.premise_shown.premise_page`:
the CLI's report (``tandem people premise``) with every figure an org page may not show withheld
in the service layer (too small a cohort: no numbers; counts under 5: withheld with whatever
gives them back). The page prints that one answer: the verdict, the L–M correlations as a
forest chart (a Vega-Lite spec built here from the answer's rows, drawn by ``static/people.js``)
with the same numbers in a table, the 2×2 table of counts and the leaning counts. Never a
per-person point: a scatter of L against M would show each person.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from tandem.errors import NotFoundError
from tandem.profile import premise_shown
from tandem.profile.premise_shown import PremiseShownOut
from tandem.review import service as review_service
from tandem.web.deps import CurrentUser, DbSession
from tandem.web.duos import CycleName
from tandem.web.permissions import VIEW_PREMISE, requires
from tandem.web.templating import render

router = APIRouter(dependencies=[Depends(requires(VIEW_PREMISE))])

FOREST_COLOURS = {False: "#1d4ed8", True: "#4a5260"}  # the inflated same-rater r in grey


def forest_chart(view: PremiseShownOut) -> dict[str, Any] | None:
    """A forest plot of the shown correlations: each r with its 95 % interval on −1…1."""
    if not view.correlations:
        return None
    rows = [
        {
            "label": row.label,
            "r": row.r,
            "lo": None if row.ci95 is None else row.ci95[0],
            "hi": None if row.ci95 is None else row.ci95[1],
            "n": row.n,
            "kind": "same raters (inflated)" if row.inflated else "different raters",
        }
        for row in view.correlations
    ]
    order = [row["label"] for row in rows]
    x = {"type": "quantitative", "scale": {"domain": [-1, 1]}}
    colour = {
        "field": "kind",
        "type": "nominal",
        "scale": {
            "domain": ["different raters", "same raters (inflated)"],
            "range": [FOREST_COLOURS[False], FOREST_COLOURS[True]],
        },
        "legend": {"title": None, "orient": "top"},
    }
    return {
        "description": "The correlation of L and M across people, each with its 95 % interval",
        "width": "container",
        "height": 40 * len(rows),
        "data": {"values": rows},
        "encoding": {"y": {"field": "label", "type": "nominal", "sort": order, "title": None}},
        "layer": [
            {
                "data": {"values": [{"zero": 0}]},
                "mark": {"type": "rule", "color": "#c9cfd8", "strokeDash": [4, 3]},
                "encoding": {"x": {"field": "zero", **x}, "y": None},
            },
            {
                "transform": [{"filter": {"field": "lo", "valid": True}}],
                "mark": {"type": "rule", "strokeWidth": 3},
                "encoding": {
                    "x": {"field": "lo", **x, "title": "r of L and M (−1 … 1), 95 % interval"},
                    "x2": {"field": "hi"},
                    "color": colour,
                },
            },
            {
                "mark": {"type": "point", "filled": True, "size": 120, "shape": "square"},
                "encoding": {"x": {"field": "r", **x}, "color": colour},
            },
        ],
    }


def _view(db: DbSession, cycle: str | None) -> PremiseShownOut:
    return premise_shown.premise_page(session=db, cycle=cycle)


@router.get("/premise", include_in_schema=False)
def premise_page(
    request: Request, db: DbSession, _user: CurrentUser, cycle: CycleName = None
) -> Response:
    """The essay's premise tested on this organisation's ratings (aggregates only)."""
    context: dict[str, Any] = {
        "cycles": review_service.closed_cycle_names(session=db),
        "cycle": cycle,
    }
    try:
        view = _view(db, cycle)
    except NotFoundError as exc:
        context["empty"] = exc.message
    else:
        context.update(view=view, cycle=view.cycle, chart=forest_chart(view))
    return render(request, "premise/index.html", context)


@router.get("/api/premise")
def premise(db: DbSession, _user: CurrentUser, cycle: CycleName = None) -> PremiseShownOut:
    """The premise report (``tandem people premise --json``) with small counts withheld."""
    return _view(db, cycle)
