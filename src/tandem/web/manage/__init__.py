"""The manager's toolkit pages (``/manage/...``) and their JSON twins (``/api/manage/...``).

One module per area, each exporting its routers; :data:`ROUTERS` lists them in the order the
app includes them. Every route is guarded by an action of :mod:`tandem.web.permissions`.
"""

from __future__ import annotations

from fastapi import APIRouter

from tandem.web.manage import allocation, checkins, concerns, conflicts, feedback, one_on_ones

ROUTERS: tuple[APIRouter, ...] = (
    allocation.page,
    allocation.api,
    feedback.page,
    feedback.api,
    feedback.counts_api,
    one_on_ones.page,
    one_on_ones.api,
    one_on_ones.counts_api,
    *concerns.ROUTERS,
    *conflicts.ROUTERS,
    *checkins.ROUTERS,
)

__all__ = ["ROUTERS"]
