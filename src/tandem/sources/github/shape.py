"""The shape of the GitHub payloads :mod:`.mapping` reads (REST and the GraphQL deployments
query), checked before mapping: the fields read, typed; every other field allowed."""

from __future__ import annotations

from typing import Any

from tandem.sources.shape import Open, Timestamp

Ident = str | int


class User(Open):
    login: str | None = None
    type: str | None = None


class Ref(Open):
    ref: str | None = None
    sha: str | None = None


class PullRequest(Open):
    number: int
    user: User | None = None
    title: str | None = None
    body: str | None = None
    state: str | None = None
    draft: bool | None = None
    html_url: str | None = None
    created_at: Timestamp | None = None
    merged_at: Timestamp | None = None
    closed_at: Timestamp | None = None
    merged_by: User | None = None
    merge_commit_sha: str | None = None
    head: Ref | None = None
    base: Ref | None = None
    additions: int | None = None
    deletions: int | None = None


class GitPerson(Open):
    name: str | None = None
    email: str | None = None
    date: Timestamp | None = None


class GitCommit(Open):
    author: GitPerson | None = None


class Commit(Open):
    sha: str
    author: User | None = None
    commit: GitCommit | None = None


class Review(Open):
    id: Ident
    state: str | None = None
    submitted_at: Timestamp | None = None
    user: User | None = None


class Comment(Open):
    id: Ident
    created_at: Timestamp | None = None
    user: User | None = None


class Label(Open):
    name: str | None = None


class Issue(Open):
    number: int
    title: str | None = None
    state: str | None = None
    state_reason: str | None = None
    html_url: str | None = None
    labels: list[Label] | None = None
    user: User | None = None
    assignee: User | None = None
    closed_by: User | None = None
    created_at: Timestamp | None = None
    closed_at: Timestamp | None = None


class Numbered(Open):
    number: int | None = None


class IssueEvent(Open):
    id: Ident | None = None
    event: str | None = None
    created_at: Timestamp | None = None
    issue: Numbered | None = None
    actor: User | None = None


class Run(Open):
    id: Ident
    name: str | None = None
    display_title: str | None = None
    status: str | None = None
    conclusion: str | None = None
    event: str | None = None
    head_sha: str | None = None
    head_branch: str | None = None
    html_url: str | None = None
    run_attempt: int | None = None
    actor: User | None = None
    created_at: Timestamp | None = None
    run_started_at: Timestamp | None = None
    updated_at: Timestamp | None = None


class Status(Open):
    state: str | None = None
    updatedAt: Timestamp | None = None


class Statuses(Open):
    nodes: list[Status] | None = None


class Named(Open):
    name: str | None = None


class Oid(Open):
    oid: str | None = None


class Repository(Open):
    url: str | None = None


class Deployment(Open):
    """A node of the GraphQL ``deployments`` connection."""

    id: Ident | None = None
    databaseId: Ident | None = None
    state: str | None = None
    environment: str | None = None
    createdAt: Timestamp | None = None
    updatedAt: Timestamp | None = None
    commitOid: str | None = None
    commit: Oid | None = None
    ref: Named | None = None
    latestStatus: Status | None = None
    statuses: Statuses | None = None
    repository: Repository | None = None


class Release(Open):
    tag_name: str
    name: str | None = None
    draft: bool | None = None
    target_commitish: str | None = None
    created_at: Timestamp | None = None
    published_at: Timestamp | None = None
    author: User | None = None


class ThreadComment(Comment):
    """A review comment or an issue comment of the repository-wide listings."""

    pull_request_url: str | None = None
    issue_url: str | None = None


class EventIssue(Issue):
    number: int | None = None  # type: ignore[assignment]  # an event may name no issue


class ListedIssueEvent(IssueEvent):
    issue: EventIssue | None = None  # type: ignore[assignment]


class RestDeployment(Open):
    id: Ident
    sha: str | None = None
    ref: str | None = None
    environment: str | None = None
    created_at: Timestamp | None = None
    url: str | None = None
    creator: User | None = None


class DeploymentStatus(Open):
    state: str | None = None
    created_at: Timestamp | None = None


class RunList(Open):
    workflow_runs: list[Any] | None = None


class PageInfo(Open):
    hasNextPage: bool | None = None
    endCursor: str | None = None


class DeploymentConnection(Open):
    nodes: list[Deployment] | None = None
    pageInfo: PageInfo | None = None


class DeploymentRepository(Open):
    deployments: DeploymentConnection | None = None


class DeploymentsAnswer(Open):
    """The ``data`` of the deployments GraphQL query."""

    repository: DeploymentRepository | None = None


#: The shape of one item of each listing the sync walks, by its endpoint name.
LISTED: dict[str, type[Open]] = {
    "pulls": PullRequest,
    "pr_commits": Commit,
    "pr_reviews": Review,
    "review_comments": ThreadComment,
    "issues": Issue,
    "issue_comments": ThreadComment,
    "issue_events": ListedIssueEvent,
    "runs": Run,
    "releases": Release,
    "deployments": RestDeployment,
    "statuses": DeploymentStatus,
}
