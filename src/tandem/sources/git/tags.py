"""Releases and deployments from git alone: tags, and a deploy-branch rule (``[git.deployments]``).

Every tag that peels to a commit becomes a ``release`` object ``@release:git:<repo>:<tag>``
with one ``released`` event at the tag's date: the tagger date of an annotated tag, the commit
date of a lightweight one (a tag of a tag, a tree or a blob is skipped). Production deployments
come from one rule (:class:`~tandem.settings.GitDeploymentSettings`):

* ``tag_pattern`` (default ``^v?\\d+\\.\\d+(\\.\\d+)?$``): a tag whose name matches is a
  deployment ``@deployment:git:<repo>:<tag>`` at the tag's date;
* ``branch``: each first-parent commit of that branch is a deployment
  ``@deployment:git:<repo>:<sha>`` at its commit date (the tag rule is then off).

A deployment has environment ``production``, service = the repository's folder name, status
``success``, one ``deployed`` event (git knows one moment, so there is no
``deployment_created``) and a ``deploys`` relation to ``@commit:<sha>`` (docs/connectors.md).
Who tagged is not recorded (``for-each-ref`` applies no mailmap, so the tagger would be a
second, unmerged identity of a person).

Keys are deterministic, so reading every tag again on each ingest adds only new tags; a tag
moved to another commit keeps its first record (the lake keeps the first row of a key). The
deploy branch is read incrementally: ``git-deploy-branch:<repo>:<branch>`` = ``{"head": sha}``
is committed with the rows, and the next run reads only ``<old head>..<branch>``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from tandem.errors import InputError
from tandem.lake import Batch, Lake
from tandem.lake.schema import TABLES
from tandem.settings import GitDeploymentSettings
from tandem.sources.git.repo import Repository, first_line, is_ancestor

# NUL between fields, one tag a line (a ref name holds no control character, a subject no newline)
TAG_FORMAT = "%00".join(
    (
        "%(refname:strip=2)",
        "%(objecttype)",
        "%(objectname)",
        "%(*objecttype)",
        "%(*objectname)",
        "%(taggerdate:raw)",
        "%(committerdate:raw)",
        "%(contents:subject)",
    )
)
PRODUCTION = "production"


@dataclass(frozen=True)
class Tag:
    """A tag that peels to a commit."""

    name: str
    sha: str
    at: dt.datetime
    annotated: bool
    subject: str


@dataclass(frozen=True)
class TagReport:
    """What one read of tags and deployments found (before the lake drops known keys)."""

    tags: int
    deployments: int


def source_name(repo_name: str) -> str:
    """The ``source`` of every row git writes for ``repo_name`` (``git:<repo>``)."""
    return f"git:{repo_name}"


def release_id(repo_name: str, tag: str) -> str:
    return f"@release:git:{repo_name}:{tag}"


def deployment_id(repo_name: str, key: str) -> str:
    return f"@deployment:git:{repo_name}:{key}"


def _raw_date(text: str) -> dt.datetime | None:
    seconds = text.split(" ", 1)[0]
    if not seconds.lstrip("-").isdigit():
        return None
    return dt.datetime.fromtimestamp(int(seconds), tz=dt.UTC)


def read_tags(repo: Repository) -> list[Tag]:
    """Every tag of ``repo`` that peels to a commit, sorted by name."""
    done = repo.git("for-each-ref", f"--format={TAG_FORMAT}", "refs/tags")
    if done.returncode != 0:
        raise InputError(f"git for-each-ref failed: {first_line(done.stderr)}", path=repo.path)
    tags = []
    for line in done.stdout.decode("utf-8", "replace").splitlines():
        fields = line.split("\x00")
        if len(fields) != 8:
            continue
        name, kind, sha, peeled_kind, peeled, tagger_date, commit_date, subject = fields
        if kind == "commit":
            at, annotated = _raw_date(commit_date), False
        elif kind == "tag" and peeled_kind == "commit":
            sha, at, annotated = peeled, _raw_date(tagger_date), True
            if at is None:  # a tag object without a tagger line (old imports): its commit's date
                at = _commit_date(repo, sha)
        else:
            continue
        if at is not None:
            tags.append(Tag(name, sha, at, annotated, subject if annotated else name))
    return sorted(tags, key=lambda t: t.name)


def _commit_date(repo: Repository, sha: str) -> dt.datetime | None:
    done = repo.git("show", "-s", "--format=%ct", sha, "--")
    return (
        _raw_date(done.stdout.decode("ascii", "replace").strip()) if done.returncode == 0 else None
    )


@dataclass(frozen=True)
class Deployment:
    key: str  # the tag name or the commit sha
    sha: str
    at: dt.datetime
    ref: str
    title: str
    rule: str  # "tag" or "branch"


def tag_deployments(tags: list[Tag], pattern: str) -> list[Deployment]:
    """The tags whose name matches ``pattern`` (none when it is empty), as deployments."""
    if not pattern:
        return []
    rule = re.compile(pattern)
    return [
        Deployment(t.name, t.sha, t.at, t.name, t.name, "tag") for t in tags if rule.search(t.name)
    ]


def branch_deployments(
    repo: Repository, branch: str, old_head: str | None
) -> tuple[list[Deployment], str | None]:
    """The first-parent commits of ``branch`` (since ``old_head`` when it is still an
    ancestor), as deployments, and the branch's head; an unknown branch is an input error."""
    done = repo.git("rev-parse", "--verify", "--quiet", "--end-of-options", f"{branch}^{{commit}}")
    if branch.startswith("-") or done.returncode != 0:
        raise InputError(
            f"no branch {branch!r} in this repository (set by [git.deployments] branch in "
            "tandem.toml)",
            path=repo.path,
            field="git.deployments.branch",
        )
    head = done.stdout.decode("ascii").strip()
    revs = [head]
    if old_head == head:
        return [], head
    if old_head and is_ancestor(repo, old_head, head):
        revs.append(f"^{old_head}")
    listed = repo.git("log", "--first-parent", "--format=%H%x1f%ct%x1f%s", *revs, "--")
    if listed.returncode != 0:
        raise InputError(f"git log failed: {first_line(listed.stderr)}", path=repo.path)
    found = []
    for line in listed.stdout.decode("utf-8", "replace").splitlines():
        sha, seconds, subject = line.split("\x1f", 2)
        at = _raw_date(seconds)
        if at is not None:
            found.append(Deployment(sha, sha, at, branch, subject, "branch"))
    return found, head


def write_releases(
    *,
    batch: Batch,
    lake: Lake,
    repo: Repository,
    repo_name: str,
    rule: GitDeploymentSettings,
) -> TagReport:
    """Write the releases and deployments of ``repo`` into ``batch`` (see the module docstring)."""
    tags = read_tags(repo)
    if rule.branch:
        state_key = f"git-deploy-branch:{repo_name}:{rule.branch}"
        previous = lake.state(state_key)
        old = previous.get("head") if isinstance(previous, dict) else None
        deployments, head = branch_deployments(repo, rule.branch, old)
        batch.set_state(state_key, {"head": head})
    else:
        deployments = tag_deployments(tags, rule.tag_pattern)
    source = source_name(repo_name)
    service = Path(repo_name).name or repo_name
    objects: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    relations: list[dict[str, Any]] = []
    for tag in tags:
        object_id = release_id(repo_name, tag.name)
        attributes: dict[str, Any] = {"tag": tag.name, "sha": tag.sha, "name": tag.subject}
        attributes["annotated"] = tag.annotated
        objects.append(
            _object(object_id, "release", source, tag.name, tag.subject, tag.at, attributes)
        )
        events.append(_event(object_id, "released", tag.at, source))
    for deployment in deployments:
        object_id = deployment_id(repo_name, deployment.key)
        attributes = {
            "environment": PRODUCTION,
            "service": service,
            "sha": deployment.sha,
            "ref": deployment.ref,
            "status": "success",
            "url": None,
            "rule": deployment.rule,
        }
        objects.append(
            _object(
                object_id,
                "deployment",
                source,
                deployment.key,
                deployment.title,
                deployment.at,
                attributes,
            )
        )
        events.append(_event(object_id, "deployed", deployment.at, source))
        relations.append(
            {"from_object": object_id, "to_object": f"@commit:{deployment.sha}", "kind": "deploys"}
        )
    for table, rows in (("objects", objects), ("events", events), ("relations", relations)):
        if rows:
            batch.write(table, pa.Table.from_pylist(rows, schema=_columns(table, rows[0])))
    return TagReport(tags=len(tags), deployments=len(deployments))


def _columns(table: str, row: dict[str, Any]) -> pa.Schema:
    schema = TABLES[table].schema
    return pa.schema([schema.field(name) for name in row])


def _object(
    object_id: str,
    object_type: str,
    source: str,
    key: str,
    title: str,
    at: dt.datetime,
    attributes: dict[str, Any],
) -> dict[str, Any]:
    return {
        "object_id": object_id,
        "object_type": object_type,
        "source": source,
        "external_key": key,
        "title": title,
        "created_at": at,
        "attributes": json.dumps(attributes, sort_keys=True),
    }


def _event(object_id: str, activity: str, at: dt.datetime, source: str) -> dict[str, Any]:
    return {
        "event_id": f"{object_id}:{activity}",
        "object_id": object_id,
        "activity": activity,
        "timestamp": at,
        "lifecycle": "complete",
        "source": source,
        "ordinal": 0,
    }
