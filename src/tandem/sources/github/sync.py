"""Sync one GitHub repository into the lake: REST listings (+ GraphQL deployments), resumable.

Order: pull requests (each with its commits and reviews), review comments, issues (incidents
among them), issue comments, issue events, workflow runs, releases, deployments. Every listing
is read newest first (``sort=updated&direction=desc`` where GitHub offers it) and stops at the
item older than its **cursor**: the newest time the previous complete pass saw (items at the
cursor itself are read again; their keys make them add nothing). The first page is asked with
the ETag it had last time, so an unchanged listing costs one 304 and adds nothing.

State, per endpoint, in the lake manifest under the source's name (``github:<owner>/<repo>``):
``{"cursor": time, "etag": etag, "pending": {"next": url, "high": time}}``. Every
``pages_per_batch`` pages, and after each endpoint, the rows gathered so far are committed as one
lake batch together with this state; ``pending`` names the next page of an unfinished listing, so
a sync killed mid-way resumes there. Newest-first order makes that safe: items updated meanwhile
move to the front (the next sync reads them), so none slides past the resume point unread.
Runs and deployments not yet finished hold their listing's cursor back to their creation, so
their completion is read later.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

from tandem.progress import Progress
from tandem.sources.github import shape
from tandem.sources.github.config import GitHubConfig
from tandem.sources.github.mapping import Mapper, outcome
from tandem.sources.http import ApiClient, ApiError, Credentials, Page, link_pages, next_link
from tandem.sources.registry import SyncReport, SyncRequest
from tandem.sources.rows import LakeRows
from tandem.sources.shape import check

DEPLOYMENTS_QUERY = (
    "query($name:String!,$owner:String!,$pageSize:Int!,$skipCursor:String){rateLimit{cost},"
    "repository(owner:$owner,name:$name){deployments(first:$pageSize,after:$skipCursor,"
    "orderBy:{field:CREATED_AT,direction:DESC}){totalCount,pageInfo{endCursor,hasNextPage},"
    "nodes{task,id,commitOid,environment,state,databaseId,description,payload,"
    "ref{id,name,prefix},statuses(first:100){nodes{state,updatedAt}},"
    "latestStatus{id,state,updatedAt},repository{id,name,url},createdAt,updatedAt,"
    "commit{oid,message,author{name,email},committedDate}}}}}"
)
FINISHED_DEPLOYMENT = {"SUCCESS", "ACTIVE", "INACTIVE", "FAILURE", "ERROR", "DESTROYED"}
# A handler maps one item and says whether it is final (False: hold the cursor back to it).
Handler = Callable[[dict[str, Any]], bool]


def sync(request: SyncRequest) -> SyncReport:
    """Sync the repository ``request.config`` names (see the module docstring)."""
    config = request.config
    assert isinstance(config, GitHubConfig)
    credentials = (
        Credentials.bearer(config.token_env, environ=request.environ)
        if config.token_env
        else Credentials.anonymous()
    )
    report = SyncReport(
        name=request.name, kind="github", source=config.source, dry_run=request.dry_run
    )
    with ApiClient(
        base_url=config.url,
        credentials=credentials,
        clock=request.clock,
        transport=request.transport,
        headers={"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"},
    ) as api:
        try:
            _Sync(request, config, api, report).run()
        finally:
            report.take_stats(api.stats)
    return report


class _Sync:
    def __init__(
        self, request: SyncRequest, config: GitHubConfig, api: ApiClient, report: SyncReport
    ) -> None:
        self.request = request
        self.config = config
        self.options = config.options
        self.api = api
        self.report = report
        self.lake = request.lake
        self.progress: Progress = request.progress
        self.rows = LakeRows()
        self.mapper = Mapper(
            source=config.source,
            repo=config.repo,
            bots=request.bots,
            incident_label=self.options.incident_label,
            bug_labels=tuple(self.options.bug_labels),
        )
        self.state: dict[str, Any] = dict(self.lake.state(config.source) or {})
        self.committed_state = dict(self.state)
        self.pages = 0
        self.prs, self.issues = self._known_numbers()
        self.base = f"/repos/{config.repo}"

    def run(self) -> None:
        per_page = self.options.per_page
        listed: dict[str, str | int] = {
            "state": "all",
            "sort": "updated",
            "direction": "desc",
            "per_page": per_page,
        }
        by_update: dict[str, str | int] = {
            "sort": "updated",
            "direction": "desc",
            "per_page": per_page,
        }
        self._listing("pulls", f"{self.base}/pulls", listed, "updated_at", self._pull_request)
        self._listing(
            "review_comments",
            f"{self.base}/pulls/comments",
            by_update,
            "updated_at",
            self._review_comment,
        )
        self._listing("issues", f"{self.base}/issues", listed, "updated_at", self._issue)
        self._listing(
            "issue_comments",
            f"{self.base}/issues/comments",
            by_update,
            "updated_at",
            self._issue_comment,
        )
        self._listing(
            "issue_events",
            f"{self.base}/issues/events",
            {"per_page": per_page},
            "created_at",
            self._issue_event,
        )
        self._listing(
            "runs",
            f"{self.base}/actions/runs",
            {"per_page": per_page},
            "created_at",
            self._run,
            items_key="workflow_runs",
        )
        self._listing(
            "releases", f"{self.base}/releases", {"per_page": per_page}, None, self._release
        )
        if self.options.deployments == "graphql":
            self._graphql_deployments()
        elif self.options.deployments == "rest":
            self._listing(
                "deployments",
                f"{self.base}/deployments",
                {"per_page": per_page},
                "created_at",
                self._rest_deployment,
            )
        self._commit(only_if_changed=True)

    # -- the walk -------------------------------------------------------------------------------

    def _listing(
        self,
        endpoint: str,
        path: str,
        params: dict[str, str | int],
        time_key: str | None,
        handle: Handler,
        *,
        items_key: str | None = None,
    ) -> None:
        """Walk one listing newest first down to its cursor (see the module docstring)."""
        before: dict[str, Any] = dict(self.state.get(endpoint) or {})
        cursor = before.get("cursor")
        pending = before.get("pending")
        high: str | None = pending["high"] if pending else None
        held: str | None = pending.get("held") if pending else None
        first_etag: str | None = None
        self.progress.start(f"{self.request.name}: {endpoint.replace('_', ' ')}")
        pages: Iterator[Page] = link_pages(
            self.api,
            pending["next"] if pending else path,
            params=None if pending else params,
            etag=None if pending else before.get("etag"),
            items_key=items_key,
            max_pages=self.options.max_pages,
        )
        for page in pages:
            if page.not_modified:
                self.progress.finish()
                return
            if page.number == 1 and not pending:
                first_etag = page.etag
            reached_cursor = False
            for item in page.items:
                check(shape.LISTED[endpoint], item, what=f"an item of GET {path}")
                stamp = str(item.get(time_key) or "") if time_key else ""
                if cursor and stamp and stamp < cursor:
                    reached_cursor = True
                    break
                if not handle(item) and stamp:
                    held = min(held or stamp, stamp)
                self.report.fetched[endpoint] = self.report.fetched.get(endpoint, 0) + 1
                if stamp:
                    high = max(high or stamp, stamp)
                self.progress.advance()
            following = next_link(page.response.headers.get("link"))
            self.pages += 1
            if reached_cursor or following is None:
                break
            if self.pages >= self.options.pages_per_batch:
                progress = {"next": following, "high": high, "held": held}
                self.state[endpoint] = {**before, "pending": progress}
                self._commit()
        done: dict[str, Any] = {"cursor": _cursor(high, held) or cursor}
        etag = first_etag or (None if pending else before.get("etag"))
        if etag and not pending:
            done["etag"] = etag
        self.state[endpoint] = done
        self.progress.finish()
        self._commit(only_if_changed=True)

    def _commit(self, *, only_if_changed: bool = False) -> None:
        """Commit the gathered rows with the state (a dry run counts them and writes nothing)."""
        for table, count in self.rows.counts().items():
            self.report.staged[table] = self.report.staged.get(table, 0) + count
        self.pages = 0
        if self.request.dry_run:
            self.rows.clear()
            return
        if only_if_changed and not len(self.rows) and self.state == self.committed_state:
            return
        label = f"sync {self.request.name} ({self.config.source})"
        added = self.rows.commit(
            self.lake, label=label, state={self.config.source: dict(self.state)}
        )
        self.committed_state = dict(self.state)
        self.report.batches += 1
        for table, count in added.items():
            self.report.added[table] = self.report.added.get(table, 0) + count

    def _known_numbers(self) -> tuple[set[int], set[int]]:
        """PR and issue numbers of this source already in the lake."""
        con = self.lake.connect(tables=("objects",))
        try:
            found = con.execute(
                "SELECT object_type, external_key FROM objects WHERE source = ? "
                "AND object_type IN ('pull_request', 'work_item')",
                [self.config.source],
            ).fetchall()
        finally:
            con.close()
        prs = {int(key.lstrip("#")) for kind, key in found if kind == "pull_request"}
        issues = {int(key.lstrip("#")) for kind, key in found if kind == "work_item"}
        return prs, issues

    # -- items ----------------------------------------------------------------------------------

    def _pull_request(self, pr: dict[str, Any]) -> bool:
        number = int(pr["number"])
        self.mapper.pull_request(self.rows, pr)
        self.prs.add(number)
        for commit in self._all(f"{self.base}/pulls/{number}/commits", "pr_commits"):
            self.mapper.pr_commit(self.rows, number, commit)
        for review in self._all(f"{self.base}/pulls/{number}/reviews", "pr_reviews"):
            self.mapper.pr_review(self.rows, number, review)
        return True

    def _all(self, path: str, endpoint: str) -> Iterator[dict[str, Any]]:
        for page in link_pages(
            self.api,
            path,
            params={"per_page": self.options.per_page},
            max_pages=self.options.max_pages,
        ):
            self.pages += 1
            self.report.fetched[endpoint] = self.report.fetched.get(endpoint, 0) + len(page.items)
            for item in page.items:
                check(shape.LISTED[endpoint], item, what=f"an item of GET {path}")
                yield item

    def _review_comment(self, comment: dict[str, Any]) -> bool:
        number = _number_in(comment.get("pull_request_url"))
        if number is not None and number in self.prs:
            self.mapper.pr_comment(self.rows, number, comment)
        return True

    def _issue(self, issue: dict[str, Any]) -> bool:
        if "pull_request" in issue:
            return True  # a PR, read from /pulls
        if not self.options.work_items:
            labels = [str(label.get("name")) for label in issue.get("labels") or []]
            if self.mapper.incident_label.lower() in {label.lower() for label in labels}:
                self.mapper.incident(self.rows, issue, labels)
            return True
        self.mapper.issue(self.rows, issue)
        self.issues.add(int(issue["number"]))
        return True

    def _issue_comment(self, comment: dict[str, Any]) -> bool:
        number = _number_in(comment.get("issue_url"))
        if number is not None and number in self.prs:
            self.mapper.pr_comment(self.rows, number, comment)
        return True

    def _issue_event(self, event: dict[str, Any]) -> bool:
        issue = event.get("issue") or {}
        number = issue.get("number")
        if number is None:
            return True
        if "pull_request" in issue:
            if int(number) in self.prs:
                self.mapper.issue_event(self.rows, event, is_pr=True)
            return True
        if not self.options.work_items:
            return True  # no work items: an incident's times come from the issue itself
        if int(number) not in self.issues:
            self.mapper.issue(self.rows, issue)  # an issue last updated before the cursor
            self.issues.add(int(number))
        self.mapper.issue_event(self.rows, event, is_pr=False)
        return True

    def _run(self, run: dict[str, Any]) -> bool:
        self.mapper.run(self.rows, run)
        return run.get("status") == "completed"

    def _release(self, release: dict[str, Any]) -> bool:
        self.mapper.release(self.rows, release)
        return True

    def _rest_deployment(self, deployment: dict[str, Any]) -> bool:
        path = f"{self.base}/deployments/{deployment['id']}/statuses"
        statuses = [(s.get("state"), s.get("created_at")) for s in self._all(path, "statuses")]
        state, at = outcome(statuses)
        self.mapper.deployment(
            self.rows,
            deployment_id=deployment["id"],
            sha=deployment.get("sha"),
            ref=deployment.get("ref"),
            environment=deployment.get("environment"),
            created=deployment.get("created_at"),
            status=state,
            status_at=at,
            url=deployment.get("url"),
            creator=deployment.get("creator"),
        )
        return (state or "").upper() in FINISHED_DEPLOYMENT

    def _graphql_deployments(self) -> None:
        """Deployments through GraphQL, newest first, as DevLake reads them."""
        endpoint = "deployments"
        before: dict[str, Any] = dict(self.state.get(endpoint) or {})
        cursor = before.get("cursor")
        pending = before.get("pending") or {}
        after: str | None = pending.get("next")
        high: str | None = pending.get("high")
        held: str | None = pending.get("held")
        owner, name = self.config.repo.split("/", 1)
        self.progress.start(f"{self.request.name}: deployments")
        pages = 0
        while True:
            variables = {
                "owner": owner,
                "name": name,
                "pageSize": self.options.per_page,
                "skipCursor": after,
            }
            data = self.api.graphql(DEPLOYMENTS_QUERY, variables, path=self.config.graphql_url)
            check(shape.DeploymentsAnswer, data, what=f"the deployments of {self.config.repo}")
            connection = ((data.get("repository") or {}).get("deployments")) or {}
            reached_cursor = False
            for node in connection.get("nodes") or []:
                stamp = str(node.get("createdAt") or "")
                if cursor and stamp and stamp < cursor:
                    reached_cursor = True
                    break
                self.mapper.graphql_deployment(self.rows, node)
                state = str((node.get("latestStatus") or {}).get("state") or node.get("state"))
                if state.upper() not in FINISHED_DEPLOYMENT and stamp:
                    held = min(held or stamp, stamp)
                if stamp:
                    high = max(high or stamp, stamp)
                self.report.fetched[endpoint] = self.report.fetched.get(endpoint, 0) + 1
                self.progress.advance()
            pages += 1
            self.pages += 1
            info = connection.get("pageInfo") or {}
            if reached_cursor or not info.get("hasNextPage"):
                break
            if pages >= self.options.max_pages:
                _too_many(self.config.graphql_url, self.options.max_pages)
            after = info.get("endCursor")
            if self.pages >= self.options.pages_per_batch:
                progress = {"next": after, "high": high, "held": held}
                self.state[endpoint] = {**before, "pending": progress}
                self._commit()
        self.state[endpoint] = {"cursor": _cursor(high, held) or cursor}
        self.progress.finish()
        self._commit(only_if_changed=True)


def _too_many(url: str, limit: int) -> None:
    raise ApiError(f"more than {limit:,} pages; the listing was stopped", url=url)


def _cursor(high: str | None, held: str | None) -> str | None:
    """The next cursor: the newest time seen, or an unfinished item's creation if earlier."""
    if held and high:
        return min(held, high)
    return high or held


def _number_in(url: Any) -> int | None:
    """The trailing number of an API URL (``…/issues/12``, ``…/pulls/7``)."""
    if not url:
        return None
    tail = urlsplit(str(url)).path.rstrip("/").rsplit("/", 1)[-1]
    return int(tail) if tail.isdigit() else None
