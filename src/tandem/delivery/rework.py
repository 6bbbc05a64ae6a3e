"""Rework from git: a file changed again within 21 days of a previous change to it.

Every ``commit_files`` row (a file a non-merge commit changed) is a **change** at its commit's
authored time. It is **rework** when the same file — followed through renames by ``old_path`` —
was changed before, by anyone, at most :data:`REWORK_DAYS` days earlier. A rename continues its
file's history (a rename that also edits is a change of the renamed file); a deleted and re-added
path continues it too. Changes are read in authored order (then sha), so a rebased history
counts as written.

The report gives, for the changes in the window (previous changes are looked up in the whole
history): the rework share of changed files and of changed lines (insertions + deletions; rows
with unknown line counts, binary files and partial clones, count as files only), the same per
ISO week, and the paths reworked most. It names no person (DESIGN §7: no per-person ranking);
a team selection keeps the changes its members authored (their previous changes may be
anyone's) and is withheld below ``min_people`` people behind it. Inside a team answer each week
counts the people behind its own changes: a week below the minimum keeps its counts of changed
files and lines but loses its rework counts and shares, and so does, complementarily, the
smallest shown week while the withheld weeks together rest on fewer (:mod:`.privacy`), so the
total minus the shown weeks never gives a withheld week back. A path of the paths reworked most
is listed only when its rework changes come from at least ``min_people`` people; a team window
must be a week at least. ``include_bots=False`` drops the commits of bot identities altogether
(neither rework nor a previous change).

The lake orders and joins the rows (one query); the rename-following pass is one ordered scan
in Python.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from tandem.delivery.changes import GitSelection, require, selected_repos
from tandem.delivery.privacy import complementary
from tandem.flow.service import MIN_PEOPLE
from tandem.lake import Lake

REWORK_DAYS = 21
TOP_PATHS = 10


@dataclass
class Tally:
    """Changed files and lines, and how many of them were rework."""

    files: int = 0
    rework_files: int = 0
    lines: int = 0
    rework_lines: int = 0

    def add(self, lines: int | None, rework: bool) -> None:
        self.files += 1
        self.rework_files += rework
        self.lines += lines or 0
        self.rework_lines += (lines or 0) if rework else 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "rework_files": self.rework_files,
            "file_share": self.rework_files / self.files if self.files else None,
            "lines": self.lines,
            "rework_lines": self.rework_lines,
            "line_share": self.rework_lines / self.lines if self.lines else None,
        }


def _week(instant: dt.datetime) -> str:
    iso = instant.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def rework(
    *,
    lake: Lake,
    selection: GitSelection,
    days: int = REWORK_DAYS,
    min_people: int = MIN_PEOPLE,
    top: int = TOP_PATHS,
) -> dict[str, Any]:
    """Rework share of changed files and lines, per week and overall, with the paths reworked
    most (see the module docstring)."""
    repos = selected_repos(lake, selection)
    con = lake.connect(tables=("commits", "commit_files", "identities"))
    try:
        rows = con.execute(
            "SELECT f.repo, f.path, f.old_path, f.insertions + f.deletions AS lines, "
            "c.authored_at, c.author_key, coalesce(i.is_bot, false) AS bot "
            "FROM commit_files f JOIN commits c ON c.repo = f.repo AND c.sha = f.sha "
            "LEFT JOIN identities i ON i.identity_key = c.author_key "
            "WHERE list_contains(?, f.repo) AND NOT c.is_merge "
            "ORDER BY f.repo, c.authored_at, f.sha, f.path",
            [repos],
        ).fetchall()
    finally:
        con.close()
    selection.require_window((row[4] for row in rows), min_people)
    floor = selection.floor(min_people)
    window = dt.timedelta(days=days)
    team = set(selection.people) if selection.people is not None else None
    last: dict[tuple[str, str], dt.datetime] = {}
    total = Tally()
    weekly: dict[str, Tally] = {}
    paths: Counter[tuple[str, str]] = Counter()
    path_lines: Counter[tuple[str, str]] = Counter()
    authors: set[str] = set()
    week_authors: dict[str, set[str]] = {}
    path_authors: dict[tuple[str, str], set[str]] = {}
    for repo, path, old_path, lines, at, author, bot in rows:
        if bot and not selection.include_bots:
            continue
        previous = last.pop((repo, old_path), None) if old_path else last.get((repo, path))
        last[(repo, path)] = at
        if not selection.inside(at) or (team is not None and author not in team):
            continue
        is_rework = previous is not None and at - previous <= window
        authors.add(author)
        total.add(lines, is_rework)
        weekly.setdefault(_week(at), Tally()).add(lines, is_rework)
        week_authors.setdefault(_week(at), set()).add(author)
        if is_rework:
            path_authors.setdefault((repo, path), set()).add(author)
            paths[(repo, path)] += 1
            path_lines[(repo, path)] += lines or 0
    behind = require(selection, len(selection.persons(authors)), "the rework", min_people)
    shown_paths = paths
    if floor is not None:
        shown_paths = Counter(
            {p: n for p, n in paths.items() if floor.people(path_authors[p]) >= min_people}
        )
    ranked = sorted(shown_paths.items(), key=lambda kv: (-kv[1], -path_lines[kv[0]], kv[0]))[:top]
    week_rows = [
        {"week": week, **t.to_dict(), "people": None, "withheld": None}
        for week, t in sorted(weekly.items())
    ]
    if floor is not None:
        cells = {row["week"]: floor.persons(week_authors[row["week"]]) for row in week_rows}
        hidden = complementary(cells, floor)
        for row in week_rows:
            found = len(cells[row["week"]])
            row["people"] = None if row["week"] in hidden else found
            if row["week"] in hidden:
                what = f"the rework of week {row['week']}"
                row |= dict.fromkeys(("rework_files", "file_share", "rework_lines", "line_share"))
                row["withheld"] = (
                    floor.text(what) if found < min_people else floor.complement_text(what)
                )
    return {
        "people": behind,
        "days": days,
        **total.to_dict(),
        "weekly": week_rows,
        "top_paths": [
            {
                "repo": repo,
                "path": path,
                "rework_changes": n,
                "rework_lines": path_lines[(repo, path)],
            }
            for (repo, path), n in ranked
        ],
        "top_paths_withheld": len(paths) - len(shown_paths),  # their rework rests on too few
        "start_date": selection.start.date().isoformat() if selection.start else None,
        "end_date": (selection.end - dt.timedelta(days=1)).date().isoformat()
        if selection.end
        else None,
    }
