"""Authorization matrix entries of the impact stories (merged into ``test_authz_matrix.py``).

Like the HOW routes, the team is a query parameter (``?team=ID``), so both cases open the
viewer's own team; another team is refused in ``tests/why/test_stories_web.py``. Reading a story
is ``view_why`` (directors: any team); the naming choice is ``give_kudos``, the team's own
members only (never a director or an admin), and always about the signed-in person.
"""

from __future__ import annotations

BOTH = ("own", "other")
VIEW = {"director": BOTH, "leader": BOTH, "manager": BOTH, "member": BOTH}
SELF = {"leader": BOTH, "manager": BOTH, "member": BOTH}

EXPECTED: dict[tuple[str, str], str | dict[str, tuple[str, ...]]] = {
    ("GET", "/why/stories"): VIEW,
    ("GET", "/why/stories/story.md"): VIEW,
    ("GET", "/why/stories/story.html"): VIEW,
    ("GET", "/api/why/stories"): VIEW,
    ("GET", "/api/why/stories/goals"): VIEW,
    ("GET", "/api/why/stories/consent"): SELF,
    ("POST", "/api/why/stories/consent"): SELF,
    ("POST", "/why/stories/consent"): SELF,
}
