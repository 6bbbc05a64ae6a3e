"""The shape of the GitLab REST v4 payloads :mod:`.mapping` reads, checked before mapping:
the fields read, typed; every other field allowed. Timestamps are parsed by the mapper itself
(:func:`.mapping.when`, which names the field it could not read)."""

from __future__ import annotations

from typing import Any

from tandem.sources.shape import Open

Ident = str | int
Stamp = str | None


class User(Open):
    username: str | None = None
    name: str | None = None
    bot: bool | None = None


class MergeRequest(Open):
    iid: int
    author: User | None = None
    title: str | None = None
    description: str | None = None
    state: str | None = None
    created_at: Stamp = None
    updated_at: Stamp = None
    merged_at: Stamp = None
    closed_at: Stamp = None
    merge_commit_sha: str | None = None
    squash_commit_sha: str | None = None
    sha: str | None = None
    target_branch: str | None = None
    source_branch: str | None = None
    web_url: str | None = None
    labels: list[str] | None = None
    merge_user: User | None = None
    merged_by: User | None = None
    closed_by: User | None = None


class Commit(Open):
    id: str
    authored_date: Stamp = None
    created_at: Stamp = None
    author_name: str | None = None
    author_email: str | None = None


class Note(Open):
    id: Ident | None = None
    body: str | None = None
    system: bool | None = None
    created_at: Stamp = None
    author: User | None = None


class Approval(Open):
    user: User | None = None


class Approvals(Open):
    approved_by: list[Approval] | None = None


class Epic(Open):
    iid: Ident | None = None


class Issue(Open):
    iid: int
    title: str | None = None
    state: str | None = None
    issue_type: str | None = None
    severity: str | None = None
    created_at: Stamp = None
    closed_at: Stamp = None
    web_url: str | None = None
    labels: list[str] | None = None
    author: User | None = None
    assignees: list[User] | None = None
    closed_by: User | None = None
    epic: Any = None  # read only when it is an object


class StateEvent(Open):
    id: Ident | None = None
    state: str | None = None
    created_at: Stamp = None
    user: User | None = None


class Environment(Open):
    name: str | None = None
    external_url: str | None = None


class Deployment(Open):
    id: Ident
    status: str | None = None
    sha: str | None = None
    ref: str | None = None
    created_at: Stamp = None
    updated_at: Stamp = None
    finished_at: Stamp = None
    environment: Environment | None = None
    user: User | None = None


class Pipeline(Open):
    id: Ident
    name: str | None = None
    status: str | None = None
    sha: str | None = None
    ref: str | None = None
    source: str | None = None
    web_url: str | None = None
    created_at: Stamp = None
    started_at: Stamp = None
    finished_at: Stamp = None
    updated_at: Stamp = None
    user: User | None = None


class ReleaseCommit(Open):
    id: str | None = None


class Release(Open):
    tag_name: str
    name: str | None = None
    upcoming_release: bool | None = None
    released_at: Stamp = None
    created_at: Stamp = None
    commit: ReleaseCommit | None = None
    author: User | None = None


#: The shape of one item of each listing the sync walks.
LISTED: dict[str, type[Open]] = {
    "merge_requests": MergeRequest,
    "issues": Issue,
    "deployments": Deployment,
    "pipelines": Pipeline,
    "releases": Release,
}
