"""CSV of a recommendation: one row per allotment (or per moved person in a what-if)."""

from __future__ import annotations

import csv
import io

from tandem.manage.allocation.schemas import Allocation, WhatIf

ASSIGNMENT_COLUMNS = (
    "person", "person_name", "project", "skill", "fte", "level", "min_level", "change", "reason",
)  # fmt: skip
MOVE_COLUMNS = ("person", "person_name", "before", "after")


def _safe(value: object) -> str:
    """A cell a spreadsheet will not run as a formula."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def allocation_csv(allocation: Allocation) -> str:
    """The assignments as CSV (header first)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(ASSIGNMENT_COLUMNS)
    for a in allocation.assignments:
        writer.writerow([_safe(getattr(a, column)) for column in ASSIGNMENT_COLUMNS])
    return out.getvalue()


def _projects(share: dict[str, float]) -> str:
    return "; ".join(f"{name} {fte:.1f}" for name, fte in sorted(share.items()))


def what_if_csv(result: WhatIf) -> str:
    """Who moves in a what-if: one row per person whose projects change."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(MOVE_COLUMNS)
    for m in result.moves:
        writer.writerow(
            [_safe(m.person), _safe(m.person_name), _safe(_projects(m.before)),
             _safe(_projects(m.after))]
        )  # fmt: skip
    return out.getvalue()
