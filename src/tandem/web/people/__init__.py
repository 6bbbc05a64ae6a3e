"""People pages and their ``/api`` twins: my profile, sharing it, my plan, rating forms.

Two routers, one action each, as the app includes them. ``profile`` (``view_profile``) serves
the person's own area under ``/people/me`` and ``/people/{person_id}``; ``rate``
(``rate_colleague``) serves the colleagues one is assigned to in open cycles.

- :mod:`.access`: who may see whose profile and rate whom (the routers' resource loaders);
- :mod:`.profiles`: my profile, the share toggle, and someone's profile;
- :mod:`.plan`: my development plan and progress on it;
- :mod:`.trend`: my practices across closed cycles (a report's once shared), tied to my plans;
- :mod:`.rating`: the rating forms (my self-assessment, colleagues).

The pages call the domain services (:mod:`tandem.profile.service`, :mod:`tandem.profile.sharing`,
:mod:`tandem.plans.service`, :mod:`tandem.review.forms`) and nothing else decides a number.
"""

from __future__ import annotations

from fastapi import APIRouter

from tandem.web.people import plan, profiles, rating, trend

profile = APIRouter()
# /people/{person_id}… last: /people/me… are not person ids
for _part in (profiles.own, plan.own, rating.own, trend.own, profiles.by_id, trend.by_id):
    profile.include_router(_part)
rate = rating.colleagues

__all__ = ["profile", "rate"]
