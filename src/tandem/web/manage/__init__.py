"""The manager's toolkit pages (``/manage/...``) and their JSON twins (``/api/manage/...``).

One module per area, each exporting its routers; :data:`ROUTERS` lists them in the order the
app includes them. Every route is guarded by an action of :mod:`tandem.web.permissions`.
"""

from __future__ import annotations

from fastapi import APIRouter

from tandem.web.manage import concerns, conflicts

ROUTERS: tuple[APIRouter, ...] = (*concerns.ROUTERS, *conflicts.ROUTERS)

__all__ = ["ROUTERS"]
