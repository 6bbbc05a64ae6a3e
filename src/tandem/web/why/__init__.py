"""The leader's WHY panel: one page per practice tool, each with its JSON twins.

- :mod:`.scope`: which team a request is about (``?team=ID`` or the viewer's own);
- :mod:`.goals`: vision, goals, key results and their progress, check-ins (``/why``);
- :mod:`.alignment`: alignment rules, suggestions and the investment balance;
- :mod:`.stories`: impact stories (Markdown and HTML export);
- :mod:`.recognition`: kudos, achievements, nudges, the wins digest;
- :mod:`.change`: experiments and the change radar;
- :mod:`.delegation`: the delegation board and ownership concentration;
- :mod:`.brief`: the team's brief as one offline HTML file (``/why/brief``).

Every route is guarded by a team-scoped action (``view_why``; writes by ``edit_why`` or
``give_kudos``; the kudos wall by ``read_kudos``), and every number comes from one service
answer.
"""

from __future__ import annotations

from fastapi import APIRouter

from tandem.web.why import alignment, brief, change, delegation, goals, recognition, stories

ROUTERS: tuple[APIRouter, ...] = (
    *tuple(
        router
        for module in (goals, alignment, stories, recognition, change, delegation)
        for router in (module.page, module.api)
    ),
    goals.edit_page,
    goals.edit_api,
    alignment.edit,  # alignment's writes (edit_why)
    stories.own,
    *recognition.MORE_ROUTERS,
    change.edit,
    delegation.edit,
    brief.page,  # the brief has a page (a download) and no API twin: tandem brief --json
)

__all__ = ["ROUTERS"]
