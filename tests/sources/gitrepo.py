"""Build small git repositories with known history for the git source tests.

The history (``main``), oldest first; every date is fixed, with its own time zone:

1. Alice Smith <alice@old.example.org> (mailmapped to alice@example.com), +01:00:
   adds README.md (3 lines) and src/app.py (5 lines)
2. Bob <bob@example.com>, -05:00: src/app.py +3 -1, adds logo.png (binary)
3. Carol <Carol@Example.COM>, +05:30, on branch ``feature``: renames src/app.py -> src/main.py
   (+1 line)
4. Alice Smith <alice@example.com>, +01:00, on main: README.md +1
5. the merge of ``feature`` into main (by Alice)
6. dependabot[bot]: adds requirements.txt (2 lines)
7. Alice: adds .mailmap (1 line)

Branch ``experiment`` forks at 7 with one more commit by Zoë Ünicode <zoe@example.com>.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

ALICE_OLD = ("Alice Smith", "alice@old.example.org")
ALICE = ("Alice Smith", "alice@example.com")
BOB = ("Bob", "bob@example.com")
CAROL = ("Carol", "Carol@Example.COM")
BOT = ("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com")
ZOE = ("Zoë Ünicode", "zoe@example.com")

MAILMAP = "Alice Smith <alice@example.com> <alice@old.example.org>\n"
BINARY = bytes(range(256)) * 4


def git(repo: Path, *args: str, env: dict[str, str] | None = None) -> str:
    """Run git in ``repo`` and return its stdout (raises on failure)."""
    full_env = {
        **os.environ,
        "LC_ALL": "C",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_TERMINAL_PROMPT": "0",
        **(env or {}),
    }
    done = subprocess.run(["git", *args], cwd=repo, env=full_env, capture_output=True, check=True)
    return done.stdout.decode("utf-8", "replace")


@dataclass
class Repo:
    """A work tree under construction."""

    path: Path

    def commit(
        self,
        message: str,
        *,
        author: tuple[str, str],
        date: str,
        files: dict[str, str | bytes | None] | None = None,
        move: tuple[str, str] | None = None,
        committer: tuple[str, str] | None = None,
    ) -> str:
        """Write ``files`` (None deletes), optionally ``git mv``, commit at ``date``; the sha."""
        if move:
            git(self.path, "mv", *move)
        for name, content in (files or {}).items():
            target = self.path / name
            if content is None:
                git(self.path, "rm", "-q", name)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(content, encoding="utf-8")
            git(self.path, "add", name)
        return self._commit(
            ["commit", "-q", "--allow-empty", "-m", message], author, date, committer
        )

    def merge(self, branch: str, *, author: tuple[str, str], date: str) -> str:
        """A ``--no-ff`` merge of ``branch``; its sha."""
        return self._commit(
            ["merge", "-q", "--no-ff", "-m", f"Merge branch '{branch}'", branch], author, date, None
        )

    def _commit(
        self,
        args: list[str],
        author: tuple[str, str],
        date: str,
        committer: tuple[str, str] | None,
    ) -> str:
        by = committer or author
        env = {
            "GIT_AUTHOR_NAME": author[0],
            "GIT_AUTHOR_EMAIL": author[1],
            "GIT_AUTHOR_DATE": date,
            "GIT_COMMITTER_NAME": by[0],
            "GIT_COMMITTER_EMAIL": by[1],
            "GIT_COMMITTER_DATE": date,
        }
        git(self.path, *args, env=env)
        return git(self.path, "rev-parse", "HEAD").strip()


def init_repo(path: Path) -> Repo:
    """An empty repository on branch ``main``."""
    path.mkdir(parents=True)
    git(path, "init", "-q", "-b", "main")
    git(path, "config", "uploadpack.allowFilter", "true")
    return Repo(path)


def build_history(path: Path) -> Repo:
    """The repository described in the module docstring."""
    repo = init_repo(path)
    repo.commit(
        "Initial import\n\nWith a body that is not the summary.",
        author=ALICE_OLD,
        date="2021-01-04T10:00:00+01:00",
        files={"README.md": "one\ntwo\nthree\n", "src/app.py": "a\nb\nc\nd\ne\n"},
    )
    repo.commit(
        "Fix app and add logo",
        author=BOB,
        date="2021-01-05T09:30:00-05:00",
        files={"src/app.py": "a\nB\nc\nd\ne\nf\ng\n", "logo.png": BINARY},
    )
    git(repo.path, "checkout", "-q", "-b", "feature")
    repo.commit(
        "Rename app to main",
        author=CAROL,
        date="2021-01-06T18:15:00+05:30",
        move=("src/app.py", "src/main.py"),
        files={"src/main.py": "a\nB\nc\nd\ne\nf\ng\nh\n"},
    )
    git(repo.path, "checkout", "-q", "main")
    repo.commit(
        "Extend readme",
        author=ALICE,
        date="2021-01-07T11:00:00+01:00",
        files={"README.md": "one\ntwo\nthree\nfour\n"},
    )
    repo.merge("feature", author=ALICE, date="2021-01-08T12:00:00+01:00")
    repo.commit(
        "Bump requirements",
        author=BOT,
        date="2021-01-09T00:00:00+00:00",
        files={"requirements.txt": "duckdb==1.1\npyarrow==16\n"},
    )
    repo.commit(
        "Add mailmap",
        author=ALICE,
        date="2021-01-10T08:00:00+01:00",
        files={".mailmap": MAILMAP},
    )
    git(repo.path, "checkout", "-q", "-b", "experiment")
    repo.commit(
        "Experiment",
        author=ZOE,
        date="2021-01-11T23:59:00-03:00",
        files={"notes.txt": "x\n"},
    )
    git(repo.path, "checkout", "-q", "main")
    return repo
