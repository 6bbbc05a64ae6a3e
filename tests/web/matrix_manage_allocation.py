"""Authorization matrix entries of the allocation optimiser (``plan_allocation``).

A global action: leaders, managers, directors and admins run it on a plan they upload, in
either team case (no team's data is read); members are refused.
"""

from __future__ import annotations

BOTH = ("own", "other")
RUN = {"admin": BOTH, "director": BOTH, "leader": BOTH, "manager": BOTH}

EXPECTED: dict[tuple[str, str], str | dict[str, tuple[str, ...]]] = {
    ("GET", "/manage/allocation"): RUN,
    ("POST", "/manage/allocation"): RUN,
    ("POST", "/api/manage/allocation"): RUN,
}
