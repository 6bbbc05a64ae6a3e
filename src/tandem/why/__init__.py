"""The why: the leader's half (DESIGN §3, practices 1–5).

One subpackage per practice tool, each with its ORM models (``models.py``), its pure core and a
``service.py`` the surfaces call:

- ``goals/``       vision, goals, key results bound to metric contracts, check-ins (1 vision)
- ``alignment/``   work linked to goals by rules and suggestions; the investment balance (9)
- ``stories/``     impact stories traced to their evidence (2 storytelling)
- ``recognition/`` kudos, achievements from data, nudges, the wins digest (5 championing)
- ``change/``      experiments and the change radar from repository manifests (4 change)
- ``delegation/``  the delegation board and ownership concentration from git (3 empowerment)
"""
