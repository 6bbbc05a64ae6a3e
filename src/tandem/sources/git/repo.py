"""Running git safely: fixed locale, no prompts, no network, and clear errors for bad input.

Every git process gets ``LC_ALL=C``, ``GIT_TERMINAL_PROMPT=0`` and ``-c protocol.allow=never``:
the last one blocks every transport, so a lazy fetch of a partial clone's missing object fails at
once instead of reaching the promisor remote (``GIT_NO_LAZY_FETCH`` only exists from git 2.44; it
is set too, for newer gits).

Long-running git commands stream through :func:`git_stream`; a list of shas for ``--stdin`` is
written from a thread, since git may fill its stdout pipe before it has read all of its stdin.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from tandem.errors import InputError

_F_SETPIPE_SZ = 1031  # Linux: a 1 MiB pipe lets git run ahead while Python parses or writes
_PIPE_SIZE = 1 << 20

GIT_CONFIG = (
    "-c",
    "core.quotepath=off",
    "-c",
    "protocol.allow=never",
    "-c",
    "log.showSignature=false",
    "-c",
    "color.ui=false",
)


def git_env() -> dict[str, str]:
    """The environment of every git process Tandem starts."""
    env = dict(os.environ)
    env.update(
        LC_ALL="C",
        LANG="C",
        GIT_TERMINAL_PROMPT="0",
        GIT_NO_LAZY_FETCH="1",
        GIT_ASKPASS="true",
        SSH_ASKPASS="true",
        GIT_PAGER="cat",
        GIT_OPTIONAL_LOCKS="0",
    )
    env.pop("GIT_DIR", None)
    env.pop("GIT_WORK_TREE", None)
    return env


def git_command(git_dir: Path, *args: str) -> list[str]:
    """The argv of ``git <args>`` run against ``git_dir``."""
    return ["git", *GIT_CONFIG, f"--git-dir={git_dir}", *args]


def run_git(
    cwd: Path, *args: str, git_dir: Path | None = None
) -> subprocess.CompletedProcess[bytes]:
    """Run a short git command to completion (output captured, never raises on exit status)."""
    argv = git_command(git_dir, *args) if git_dir else ["git", *GIT_CONFIG, *args]
    return subprocess.run(argv, cwd=cwd, env=git_env(), capture_output=True, check=False)


def first_line(stderr: bytes) -> str:
    """Git's last ``fatal:`` line (or its last line), for a one-line message."""
    lines = [ln.strip() for ln in stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
    fatal = [ln for ln in lines if ln.startswith(("fatal:", "error:"))]
    line = (fatal or lines or ["git failed"])[-1]
    return line.removeprefix("fatal: ").removeprefix("error: ")


@dataclass(frozen=True)
class Repository:
    """A resolved repository: ``path`` is the top of the work tree, or the bare git folder."""

    path: Path
    git_dir: Path
    bare: bool

    def git(self, *args: str) -> subprocess.CompletedProcess[bytes]:
        return run_git(self.path, *args, git_dir=self.git_dir)

    def argv(self, *args: str) -> list[str]:
        return git_command(self.git_dir, *args)


def open_repository(path: Path) -> Repository:
    """Resolve ``path`` to a repository; :class:`InputError` when it is missing or not one.

    The path must be the repository itself (its work tree top, its ``.git`` folder or a bare
    repository), not a folder somewhere inside one: otherwise a plain folder that happens to live
    inside another repository would silently ingest that repository.
    """
    if not path.exists():
        raise InputError("no such file or folder", path=path)
    if not path.is_dir():
        raise InputError("not a git repository (not a folder)", path=path)
    resolved = path.resolve()
    probe = run_git(resolved, "rev-parse", "--is-bare-repository", "--absolute-git-dir")
    if probe.returncode != 0:
        reason = first_line(probe.stderr)
        detail = "" if reason.startswith("not a git repository") else f" ({reason})"
        raise InputError(f"not a git repository{detail}", path=path)
    bare_flag, git_dir_text = probe.stdout.decode("utf-8", "surrogateescape").splitlines()[:2]
    git_dir = Path(git_dir_text).resolve()
    if bare_flag == "true":
        top = git_dir
    else:
        shown = run_git(resolved, "rev-parse", "--show-toplevel")
        if shown.returncode == 0 and shown.stdout.strip():
            top = Path(shown.stdout.decode("utf-8", "surrogateescape").strip()).resolve()
        else:  # a work tree's .git folder
            top = git_dir.parent
    if resolved not in (top, git_dir):
        raise InputError(f"not a git repository (it is inside the repository {top})", path=path)
    return Repository(path=top, git_dir=git_dir, bare=bare_flag == "true")


def resolve_rev(repo: Repository, rev: str | None) -> str | None:
    """The commit ``rev`` names (``HEAD`` by default); ``None`` for an empty repository's HEAD."""
    name = rev or "HEAD"
    if name.startswith("-"):
        raise InputError(f"unknown revision {name!r}", path=repo.path)
    done = repo.git("rev-parse", "--verify", "--quiet", "--end-of-options", f"{name}^{{commit}}")
    if done.returncode == 0:
        return done.stdout.decode("ascii").strip()
    if rev is None and repo.git("symbolic-ref", "--quiet", "HEAD").returncode == 0:
        return None  # HEAD points at a branch with no commits yet
    raise InputError(f"unknown revision {name!r}", path=repo.path)


def count_commits(repo: Repository, *revs: str) -> int:
    """``git rev-list --count <revs>``."""
    done = repo.git("rev-list", "--count", *revs, "--")
    if done.returncode != 0:
        raise InputError(f"git rev-list failed: {first_line(done.stderr)}", path=repo.path)
    return int(done.stdout)


def is_ancestor(repo: Repository, old: str, new: str) -> bool:
    """Whether commit ``old`` is an ancestor of ``new`` (false when ``old`` no longer exists)."""
    return repo.git("merge-base", "--is-ancestor", old, new).returncode == 0


def is_partial_clone(repo: Repository) -> bool:
    """Whether objects may be missing by design (a promisor remote, ``extensions.partialclone``)."""
    done = repo.git("config", "--get-regexp", r"^(extensions\.partialclone|remote\..*\.promisor)$")
    for line in done.stdout.decode("utf-8", "replace").splitlines():
        name, _, value = line.partition(" ")
        if name.endswith(".promisor") and value.strip().lower() in ("true", "yes", "on", "1", ""):
            return True
        if name == "extensions.partialclone" and value.strip():
            return True
    return any((repo.git_dir / "objects" / "pack").glob("*.promisor"))


def missing_objects(repo: Repository, revs: list[str]) -> set[bytes]:
    """Objects reachable from ``revs`` that are absent locally (``rev-list --missing=print``)."""
    done = repo.git("rev-list", "--objects", "--missing=print", *revs, "--")
    if done.returncode != 0:
        raise InputError(f"git rev-list failed: {first_line(done.stderr)}", path=repo.path)
    return {line[1:41] for line in done.stdout.splitlines() if line.startswith(b"?")}


def list_commits(repo: Repository, revs: list[str]) -> bytes:
    """``git rev-list <revs>``: one full sha and a newline per commit, in ``git log``'s order.

    Every line has the same length (41 bytes for SHA-1, 65 for SHA-256), so the result can be
    sliced by position without splitting it: 1M commits take 41 MB, once.
    """
    done = repo.git("rev-list", *revs, "--")
    if done.returncode != 0:
        raise InputError(f"git rev-list failed: {first_line(done.stderr)}", path=repo.path)
    return done.stdout


@contextlib.contextmanager
def git_stream(
    repo: Repository, argv: list[str], stdin: bytes | memoryview | None = None
) -> Iterator[IO[bytes]]:
    """Git's stdout as an unbuffered pipe; a non-zero exit becomes an :class:`InputError`.

    ``stdin`` is fed from a daemon thread. Leaving the block with an exception kills git; leaving
    it normally reads whatever git still writes, then checks its exit status.
    """
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(
            argv,
            cwd=repo.path,
            env=git_env(),
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=errors,
            bufsize=0,
        )
        assert proc.stdout is not None
        with contextlib.suppress(OSError):
            fcntl.fcntl(proc.stdout.fileno(), _F_SETPIPE_SZ, _PIPE_SIZE)
        feeder = None
        if stdin is not None:
            feeder = threading.Thread(target=_feed, args=(proc.stdin, stdin), daemon=True)
            feeder.start()
        try:
            yield proc.stdout
            # Drain to EOF before waiting, so an unread tail can never block git.
            while proc.stdout.read(_PIPE_SIZE):
                pass
            code = proc.wait()
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            proc.stdout.close()
            if feeder is not None:
                feeder.join()
        if code != 0:
            errors.seek(0)
            message = first_line(errors.read())
            raise InputError(f"git log failed: {message}", path=repo.path)


def _feed(pipe: IO[bytes] | None, data: bytes | memoryview) -> None:
    if pipe is None:
        return
    view = memoryview(data)
    with contextlib.suppress(BrokenPipeError), pipe:
        while view:  # an unbuffered pipe may take less than it is given
            written = pipe.write(view)
            view = view[written or 0 :]
