"""Authorization matrix entries of the WHY panel's recognition page and its JSON twins.

Merged into ``tests/web/test_authz_matrix.py``'s ``EXPECTED``. The team is a query parameter
(``?team=ID``), so both cases open the viewer's own team; another team is refused role by role
in ``test_why_recognition.py`` (``test_another_team_is_refused``). Reading is ``view_why``
(directors too; a director without a team gets 404, never 403), giving kudos ``give_kudos``
(the team's leader, manager and member), the nudges ``edit_why`` (leader and manager). The wall
is ``read_kudos`` (the team's leader, manager and member; a director gets 403 and reads the
counts), and one person's received kudos are that person's and the leader's and manager's: the
matrix asks for the viewer's own in the "own" case, so a member passes there only.
"""

from __future__ import annotations

BOTH = ("own", "other")
VIEW = {"director": BOTH, "leader": BOTH, "manager": BOTH, "member": BOTH}
GIVE = {"leader": BOTH, "manager": BOTH, "member": BOTH}
LEAD = {"leader": BOTH, "manager": BOTH}
WALL = GIVE
OWN_OR_LEAD = {"leader": BOTH, "manager": BOTH, "member": ("own",)}

EXPECTED: dict[tuple[str, str], str | dict[str, tuple[str, ...]]] = {
    ("GET", "/why/recognition"): VIEW,
    ("POST", "/why/recognition/kudos"): GIVE,
    ("GET", "/api/why/recognition/kudos"): WALL,
    ("GET", "/api/why/recognition/counts"): VIEW,
    ("POST", "/api/why/recognition/kudos"): GIVE,
    ("GET", "/api/why/recognition/people/{person_id}/kudos"): OWN_OR_LEAD,
    ("GET", "/api/why/recognition/achievements"): VIEW,
    ("GET", "/api/why/recognition/digest"): VIEW,
    ("GET", "/api/why/recognition/digest.md"): VIEW,
    ("GET", "/api/why/recognition/nudges"): LEAD,
}
