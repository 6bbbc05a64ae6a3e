"""Real git repositories with a known change flow, for the delivery and git-tag tests.

Every date is UTC; author and committer dates are set apart where a test needs them.

``build_merges`` (branch ``main``; 2024-01-01 is a Monday, ISO week 1):

=====  ==================  =======  ==================================================
sha    authored (= commit)  who      what
=====  ==================  =======  ==================================================
C1     01-01 10:00         Alice    adds a.py (2 lines), b.py (1); tag ``v0.1`` (light)
F1a    01-02 09:00         Bob      branch f1: a.py +1 −1
F1b    01-03 09:00         Carol    branch f1: adds c.py (6 lines)
M1     01-04 12:00         Alice    merges f1
H      01-05 08:00         Alice    branch ``release-1.0`` from M1: adds hotfix.txt (1);
                                    annotated tag ``v1.0`` on H, tagger date 01-05 12:00
F2a    01-08 10:00         Dave     branch f2: renames c.py → d.py, +1 −1
F2b    01-09 10:00         Erin     branch f2: b.py +1 −1
M2     01-10 10:00         Alice    merges f2
D1     01-12 10:00         Alice    main: a.py +1 −1; lightweight tag ``rc-2`` (no deploy)
F3a    01-15 10:00         Frank    branch f3: d.py +1 −1
M3     01-16 10:00         Alice    merges f3; annotated tag ``v1.1``, tagger 01-20 10:00
F4a    01-22 10:00         Alice    branch f4: adds e.py (1)
M4     01-23 10:00         Alice    merges f4
G      02-20 10:00         Alice    main: b.py +1 −1
=====  ==================  =======  ==================================================

``build_squash`` (linear ``main``, authored ≠ committed):

=====  ============  ============  =====  ==========================================
sha    authored      committed     who    what
=====  ============  ============  =====  ==========================================
S1     03-01 10:00   03-02 10:00   Alice  adds s.py (1)
S2     03-03 10:00   03-03 12:00   Bob    s.py +1 −1; lightweight tag ``v2.0``
S3     03-04 10:00   03-06 10:00   Carol  adds t.py (1)
=====  ============  ============  =====  ==========================================
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tests.sources.gitrepo import Repo, git, init_repo

ALICE = ("Alice", "alice@example.com")
BOB = ("Bob", "bob@example.com")
CAROL = ("Carol", "carol@example.com")
DAVE = ("Dave", "dave@example.com")
ERIN = ("Erin", "erin@example.com")
FRANK = ("Frank", "frank@example.com")
C_PY = "".join(f"line {n}\n" for n in range(1, 7))


def key(person: tuple[str, str]) -> str:
    return "email:" + person[1]


@dataclass
class Built:
    path: Path
    shas: dict[str, str]


def commit_at(
    repo: Repo,
    message: str,
    *,
    author: tuple[str, str],
    authored: str,
    committed: str | None = None,
    files: dict[str, str] | None = None,
    move: tuple[str, str] | None = None,
) -> str:
    """A commit whose author and committer dates may differ; its sha."""
    if move:
        git(repo.path, "mv", *move)
    for name, content in (files or {}).items():
        (repo.path / name).write_text(content, encoding="utf-8")
        git(repo.path, "add", name)
    env = {
        "GIT_AUTHOR_NAME": author[0],
        "GIT_AUTHOR_EMAIL": author[1],
        "GIT_AUTHOR_DATE": authored,
        "GIT_COMMITTER_NAME": author[0],
        "GIT_COMMITTER_EMAIL": author[1],
        "GIT_COMMITTER_DATE": committed or authored,
    }
    git(repo.path, "commit", "-q", "--allow-empty", "-m", message, env=env)
    return git(repo.path, "rev-parse", "HEAD").strip()


def annotated_tag(repo: Repo, name: str, target: str, date: str) -> None:
    env = {
        "GIT_COMMITTER_NAME": "Release",
        "GIT_COMMITTER_EMAIL": "release@example.com",
        "GIT_COMMITTER_DATE": date,
    }
    git(repo.path, "tag", "-a", "-m", f"Release {name}", name, target, env=env)


def build_merges(path: Path) -> Built:
    """The merge-based repository of the module docstring."""
    repo = init_repo(path)
    s: dict[str, str] = {}
    day = "2024-01-{:02d}T{}:00+00:00"
    s["C1"] = commit_at(
        repo, "C1", author=ALICE, authored=day.format(1, "10:00"),
        files={"a.py": "1\n2\n", "b.py": "b\n"},
    )  # fmt: skip
    git(repo.path, "tag", "v0.1")
    git(repo.path, "checkout", "-q", "-b", "f1")
    s["F1a"] = commit_at(
        repo, "F1a", author=BOB, authored=day.format(2, "09:00"), files={"a.py": "1\n2x\n"}
    )
    s["F1b"] = commit_at(
        repo, "F1b", author=CAROL, authored=day.format(3, "09:00"), files={"c.py": C_PY}
    )
    git(repo.path, "checkout", "-q", "main")
    s["M1"] = repo.merge("f1", author=ALICE, date=day.format(4, "12:00"))
    git(repo.path, "checkout", "-q", "-b", "release-1.0")
    s["H"] = commit_at(
        repo, "H", author=ALICE, authored=day.format(5, "08:00"), files={"hotfix.txt": "h\n"}
    )
    annotated_tag(repo, "v1.0", "HEAD", day.format(5, "12:00"))
    git(repo.path, "checkout", "-q", "main")
    git(repo.path, "checkout", "-q", "-b", "f2")
    s["F2a"] = commit_at(
        repo, "F2a", author=DAVE, authored=day.format(8, "10:00"), move=("c.py", "d.py"),
        files={"d.py": C_PY.replace("line 6", "line six")},
    )  # fmt: skip
    s["F2b"] = commit_at(
        repo, "F2b", author=ERIN, authored=day.format(9, "10:00"), files={"b.py": "bb\n"}
    )
    git(repo.path, "checkout", "-q", "main")
    s["M2"] = repo.merge("f2", author=ALICE, date=day.format(10, "10:00"))
    s["D1"] = commit_at(
        repo, "D1", author=ALICE, authored=day.format(12, "10:00"), files={"a.py": "1\n2y\n"}
    )
    git(repo.path, "tag", "rc-2")
    git(repo.path, "checkout", "-q", "-b", "f3")
    s["F3a"] = commit_at(
        repo, "F3a", author=FRANK, authored=day.format(15, "10:00"),
        files={"d.py": C_PY.replace("line 6", "line 6!")},
    )  # fmt: skip
    git(repo.path, "checkout", "-q", "main")
    s["M3"] = repo.merge("f3", author=ALICE, date=day.format(16, "10:00"))
    annotated_tag(repo, "v1.1", "HEAD", day.format(20, "10:00"))
    git(repo.path, "checkout", "-q", "-b", "f4")
    s["F4a"] = commit_at(
        repo, "F4a", author=ALICE, authored=day.format(22, "10:00"), files={"e.py": "e\n"}
    )
    git(repo.path, "checkout", "-q", "main")
    s["M4"] = repo.merge("f4", author=ALICE, date=day.format(23, "10:00"))
    s["G"] = commit_at(
        repo, "G", author=ALICE, authored="2024-02-20T10:00:00+00:00", files={"b.py": "bbb\n"}
    )
    return Built(repo.path, s)


def build_squash(path: Path) -> Built:
    """The linear (squash-merged) repository of the module docstring."""
    repo = init_repo(path)
    s: dict[str, str] = {}
    s["S1"] = commit_at(
        repo, "S1", author=ALICE, authored="2024-03-01T10:00:00+00:00",
        committed="2024-03-02T10:00:00+00:00", files={"s.py": "s\n"},
    )  # fmt: skip
    s["S2"] = commit_at(
        repo, "S2", author=BOB, authored="2024-03-03T10:00:00+00:00",
        committed="2024-03-03T12:00:00+00:00", files={"s.py": "ss\n"},
    )  # fmt: skip
    git(repo.path, "tag", "v2.0")
    s["S3"] = commit_at(
        repo, "S3", author=CAROL, authored="2024-03-04T10:00:00+00:00",
        committed="2024-03-06T10:00:00+00:00", files={"t.py": "t\n"},
    )  # fmt: skip
    return Built(repo.path, s)
