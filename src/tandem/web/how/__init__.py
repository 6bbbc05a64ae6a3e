"""The manager's HOW panel: flow summary, bottlenecks, process map, aging WIP and forecast.

- :mod:`.scope`: whose work data a request shows (a team, or all of it) and its ``Filters``;
- :mod:`.sections`: each section's flow answer, cached per lake generation;
- :mod:`.charts`: the Vega-Lite specs and the number formats of the templates;
- :mod:`.views`: the page (``GET /how``) and its JSON twins (``/api/how/…``).
"""

from __future__ import annotations

from tandem.web.how.views import api, page

__all__ = ["api", "page"]
