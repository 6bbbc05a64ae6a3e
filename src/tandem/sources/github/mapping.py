"""GitHub payloads → lake rows, exactly as ``docs/connectors.md`` says (pure: no HTTP here).

Every function takes one API item and adds its rows to a :class:`LakeRows`. Object ids:
``@pr:<source>:<n>``, ``<source>:<n>`` (issues, the flow engine's work items),
``@incident:<source>:<n>``, ``@run:<source>:<id>``, ``@deployment:<source>:<id>``,
``@release:<source>:<tag>``; commits are ``@commit:<sha>``. Event ids derive from the object,
the activity and the source's own id or time, so an item fetched again adds nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from tandem.sources.bots import BotRules
from tandem.sources.rows import LakeRows, ordinal_of, parse_time

_FIXES = re.compile(r"\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\s*:?\s+#(\d+)\b", re.IGNORECASE)
_MENTION = re.compile(r"(?<![\w/])#(\d+)\b")
REVIEW_STATES = {"APPROVED": "approved", "CHANGES_REQUESTED": "changes_requested"}
DEPLOYED = {"SUCCESS", "ACTIVE", "INACTIVE"}
DEPLOY_FAILED = {"FAILURE", "ERROR"}


@dataclass(frozen=True)
class Mapper:
    """The mapping of one GitHub source (its lake name, repository, bot rules, labels)."""

    source: str
    repo: str
    bots: BotRules
    incident_label: str = "incident"
    bug_labels: tuple[str, ...] = ("bug",)

    # -- ids ------------------------------------------------------------------------------------

    def pr_id(self, number: Any) -> str:
        return f"@pr:{self.source}:{number}"

    def issue_id(self, number: Any) -> str:
        return f"{self.source}:{number}"

    def incident_id(self, number: Any) -> str:
        return f"@incident:{self.source}:{number}"

    # -- rows -----------------------------------------------------------------------------------

    def _object(self, rows: LakeRows, **values: Any) -> None:
        rows.add_object(source=self.source, **values)

    def _event(
        self,
        rows: LakeRows,
        *,
        object_id: str,
        activity: str,
        timestamp: dt.datetime | None,
        key: str,
        resource_key: str | None = None,
        attributes: dict[str, Any] | None = None,
        ordinal: int | None = None,
    ) -> None:
        """An event, id ``<object>:<activity>:<key>`` (``key`` makes it unique in its object),
        its ordinal the time in microseconds unless given; no time, no event."""
        if timestamp is None:
            return
        rows.add_event(
            event_id=f"{object_id}:{activity}:{key}",
            object_id=object_id,
            activity=activity,
            timestamp=timestamp,
            source=self.source,
            ordinal=ordinal_of(timestamp) if ordinal is None else ordinal,
            resource_key=resource_key,
            attributes=attributes,
        )

    # -- people ---------------------------------------------------------------------------------

    def user(self, rows: LakeRows, user: Any) -> str | None:
        """The identity key of a GitHub user (its row added); ``None`` for no user."""
        if not isinstance(user, dict) or not user.get("login"):
            return None
        login = str(user["login"])
        key = f"login:github:{login}"
        bot = user.get("type") == "Bot" or self.bots.is_bot(
            name=login, email=None, identity_key=key
        )
        rows.add_identity(
            identity_key=key, source=self.source, kind="login", display_name=login, is_bot=bot
        )
        return key

    def git_author(self, rows: LakeRows, commit: dict[str, Any]) -> str | None:
        """Who wrote a PR commit: their GitHub login, else their git email."""
        if commit.get("author"):
            return self.user(rows, commit["author"])
        author = (commit.get("commit") or {}).get("author") or {}
        email = str(author.get("email") or "").lower()
        if not email:
            return None
        key = f"email:{email}"
        name = author.get("name")
        bot = self.bots.is_bot(name=name, email=email, identity_key=key)
        rows.add_identity(
            identity_key=key, source=self.source, kind="email", display_name=name, is_bot=bot
        )
        return key

    # -- pull requests --------------------------------------------------------------------------

    def pull_request(self, rows: LakeRows, pr: dict[str, Any]) -> str:
        """A PR object with its created, ready_for_review (not a draft at creation is not
        known), merged or closed events, ``merged_as`` and ``fixes``/``mentions`` relations."""
        number = pr["number"]
        object_id = self.pr_id(number)
        author = self.user(rows, pr.get("user"))
        merged_at = parse_time(pr.get("merged_at"))
        closed_at = parse_time(pr.get("closed_at"))
        state = "merged" if merged_at else str(pr.get("state") or "open")
        head, base = pr.get("head") or {}, pr.get("base") or {}
        self._object(
            rows,
            object_id=object_id,
            object_type="pull_request",
            external_key=f"#{number}",
            title=pr.get("title"),
            created_at=parse_time(pr.get("created_at")),
            attributes={
                "repo": self.repo,
                "number": number,
                "author": author,
                "author_is_bot": _is_bot(pr.get("user"), author, self.bots),
                "base": base.get("ref"),
                "head_ref": head.get("ref"),
                "head_sha": head.get("sha"),
                "merge_commit_sha": pr.get("merge_commit_sha") if merged_at else None,
                "state": state,
                "draft": bool(pr.get("draft")),
                "url": pr.get("html_url"),
                "additions": pr.get("additions"),
                "deletions": pr.get("deletions"),
            },
        )
        created = parse_time(pr.get("created_at"))
        self._event(
            rows,
            object_id=object_id,
            activity="created",
            timestamp=created,
            key="0",
            resource_key=author,
        )
        if merged_at:
            merger = self.user(rows, pr.get("merged_by"))
            self._event(
                rows,
                object_id=object_id,
                activity="merged",
                timestamp=merged_at,
                key="0",
                resource_key=merger,
            )
            if pr.get("merge_commit_sha"):
                rows.add_relation(object_id, f"@commit:{pr['merge_commit_sha']}", "merged_as")
        elif closed_at:
            self.pr_closed(rows, number, closed_at.isoformat(), None)
        self.references(rows, object_id, f"{pr.get('title') or ''}\n{pr.get('body') or ''}")
        return object_id

    def pr_closed(self, rows: LakeRows, number: Any, when: str, actor: Any) -> None:
        moment = parse_time(when)
        assert moment is not None
        self._event(
            rows,
            object_id=self.pr_id(number),
            activity="closed",
            timestamp=moment,
            key=moment.isoformat(),
            resource_key=self.user(rows, actor),
        )

    def pr_commit(self, rows: LakeRows, number: Any, commit: dict[str, Any]) -> None:
        object_id = self.pr_id(number)
        sha = str(commit["sha"])
        authored = parse_time(((commit.get("commit") or {}).get("author") or {}).get("date"))
        self._event(
            rows,
            object_id=object_id,
            activity="commit",
            timestamp=authored,
            key=sha,
            resource_key=self.git_author(rows, commit),
            attributes={"sha": sha},
        )
        rows.add_relation(object_id, f"@commit:{sha}", "contains")

    def pr_review(self, rows: LakeRows, number: Any, review: dict[str, Any]) -> None:
        state = str(review.get("state") or "")
        if state == "PENDING":
            return  # not submitted
        self._event(
            rows,
            object_id=self.pr_id(number),
            activity="review",
            timestamp=parse_time(review.get("submitted_at")),
            key=str(review["id"]),
            resource_key=self.user(rows, review.get("user")),
            attributes={"state": REVIEW_STATES.get(state, "commented")},
        )

    def pr_comment(self, rows: LakeRows, number: Any, comment: dict[str, Any]) -> None:
        self._event(
            rows,
            object_id=self.pr_id(number),
            activity="comment",
            timestamp=parse_time(comment.get("created_at")),
            key=str(comment["id"]),
            resource_key=self.user(rows, comment.get("user")),
        )

    def references(self, rows: LakeRows, object_id: str, text: str) -> None:
        """``fixes`` for "Fixes #12" (closes, resolves …), ``mentions`` for another "#12"."""
        fixed = {int(n) for n in _FIXES.findall(text)}
        for number in sorted(fixed):
            rows.add_relation(object_id, self.issue_id(number), "fixes")
        for number in sorted({int(n) for n in _MENTION.findall(text)} - fixed):
            if object_id != self.pr_id(number):
                rows.add_relation(object_id, self.issue_id(number), "mentions")

    # -- issues and incidents -------------------------------------------------------------------

    def issue(self, rows: LakeRows, issue: dict[str, Any]) -> str:
        """A work item with its ``open`` event at creation (and ``closed`` at ``closed_at``);
        an incident object beside it when the issue has the incident label."""
        number = issue["number"]
        object_id = self.issue_id(number)
        labels = [str(label.get("name")) for label in issue.get("labels") or []]
        lowered = {label.lower() for label in labels}
        author = self.user(rows, issue.get("user"))
        created = parse_time(issue.get("created_at"))
        closed = parse_time(issue.get("closed_at"))
        self._object(
            rows,
            object_id=object_id,
            object_type="work_item",
            external_key=f"#{number}",
            title=issue.get("title"),
            created_at=created,
            item_type="bug" if lowered & {b.lower() for b in self.bug_labels} else "issue",
            attributes={
                "url": issue.get("html_url"),
                "labels": labels,
                "parent": None,
                "epic": None,
                "status": issue.get("state"),
                "resolution": issue.get("state_reason"),
                "assignee": self.user(rows, issue.get("assignee")),
            },
        )
        self._event(
            rows,
            object_id=object_id,
            activity="open",
            timestamp=created,
            key="0",
            resource_key=author,
        )
        if closed and issue.get("state") == "closed":
            self._event(
                rows,
                object_id=object_id,
                activity="closed",
                timestamp=closed,
                key=closed.isoformat(),
                resource_key=self.user(rows, issue.get("closed_by")),
            )
        if self.incident_label.lower() in lowered:
            self.incident(rows, issue, labels)
        return object_id

    def incident(self, rows: LakeRows, issue: dict[str, Any], labels: list[str]) -> None:
        number = issue["number"]
        object_id = self.incident_id(number)
        closed = parse_time(issue.get("closed_at")) if issue.get("state") == "closed" else None
        severity = next(
            (
                label.split(":", 1)[-1].strip() if ":" in label else label
                for label in labels
                if re.match(r"(?i)^(sev|severity|p)[\s:-]*\d", label)
                or label.lower().startswith("severity:")
            ),
            None,
        )
        self._object(
            rows,
            object_id=object_id,
            object_type="incident",
            external_key=f"#{number}",
            title=issue.get("title"),
            created_at=parse_time(issue.get("created_at")),
            attributes={
                "service": self.repo,
                "environment": None,
                "severity": severity,
                "resolved_at": closed.isoformat() if closed else None,
                "url": issue.get("html_url"),
                "labels": labels,
            },
        )
        author = self.user(rows, issue.get("user"))
        self._event(
            rows,
            object_id=object_id,
            activity="incident_opened",
            timestamp=parse_time(issue.get("created_at")),
            key="0",
            resource_key=author,
        )
        if closed:
            self._event(
                rows, object_id=object_id, activity="incident_resolved", timestamp=closed, key="0"
            )

    def issue_event(self, rows: LakeRows, event: dict[str, Any], *, is_pr: bool) -> bool:
        """A status change from ``/issues/events`` (closed, reopened, ready_for_review);
        ``False`` when the event changes no status."""
        kind = event.get("event")
        moment = parse_time(event.get("created_at"))
        number = (event.get("issue") or {}).get("number")
        if moment is None or number is None:
            return False
        actor = self.user(rows, event.get("actor"))
        if is_pr:
            if kind not in ("closed", "reopened", "ready_for_review"):
                return False
            object_id = self.pr_id(number)
            activity = str(kind)
        else:
            if kind not in ("closed", "reopened"):
                return False
            object_id = self.issue_id(number)
            activity = "closed" if kind == "closed" else "open"
        self._event(
            rows,
            object_id=object_id,
            activity=activity,
            timestamp=moment,
            key=moment.isoformat() if activity == "closed" else str(event.get("id")),
            resource_key=actor,
        )
        return True

    # -- delivery -------------------------------------------------------------------------------

    def run(self, rows: LakeRows, run: dict[str, Any]) -> None:
        """A workflow run: ``run_started``, and ``run_completed`` once it completed."""
        object_id = f"@run:{self.source}:{run['id']}"
        started = parse_time(run.get("run_started_at") or run.get("created_at"))
        actor = self.user(rows, run.get("actor"))
        self._object(
            rows,
            object_id=object_id,
            object_type="ci_run",
            external_key=str(run["id"]),
            title=run.get("display_title") or run.get("name"),
            created_at=parse_time(run.get("created_at")),
            attributes={
                "workflow": run.get("name"),
                "head_sha": run.get("head_sha"),
                "branch": run.get("head_branch"),
                "event": run.get("event"),
                "conclusion": run.get("conclusion"),
                "url": run.get("html_url"),
            },
        )
        self._event(
            rows,
            object_id=object_id,
            activity="run_started",
            timestamp=started,
            key=str(run.get("run_attempt") or 1),
            resource_key=actor,
        )
        if run.get("status") == "completed":
            self._event(
                rows,
                object_id=object_id,
                activity="run_completed",
                timestamp=parse_time(run.get("updated_at")),
                key=str(run.get("run_attempt") or 1),
                resource_key=actor,
                attributes={"conclusion": run.get("conclusion")},
            )

    def deployment(
        self,
        rows: LakeRows,
        *,
        deployment_id: Any,
        sha: str | None,
        ref: str | None,
        environment: str | None,
        created: str | None,
        status: str | None,
        status_at: str | None,
        url: str | None,
        creator: Any = None,
    ) -> None:
        """A deployment with ``deployment_created``, then ``deployed`` or ``deployment_failed``."""
        object_id = f"@deployment:{self.source}:{deployment_id}"
        state = (status or "").upper()
        self._object(
            rows,
            object_id=object_id,
            object_type="deployment",
            external_key=str(deployment_id),
            title=f"{environment or 'deployment'} {(sha or '')[:12]}".strip(),
            created_at=parse_time(created),
            attributes={
                "environment": environment,
                "service": self.repo,
                "sha": sha,
                "ref": ref,
                "status": state.lower() or None,
                "url": url,
            },
        )
        who = self.user(rows, creator)
        self._event(
            rows,
            object_id=object_id,
            activity="deployment_created",
            timestamp=parse_time(created),
            key="0",
            resource_key=who,
        )
        finished = parse_time(status_at)
        if state in DEPLOYED:
            self._event(rows, object_id=object_id, activity="deployed", timestamp=finished, key="0")
        elif state in DEPLOY_FAILED:
            self._event(
                rows, object_id=object_id, activity="deployment_failed", timestamp=finished, key="0"
            )
        if sha:
            rows.add_relation(object_id, f"@commit:{sha}", "deploys")

    def graphql_deployment(self, rows: LakeRows, node: dict[str, Any]) -> None:
        latest = node.get("latestStatus") or {}
        repository = node.get("repository") or {}
        statuses = [(s.get("state"), s.get("updatedAt")) for s in _nodes(node.get("statuses"))]
        state, at = outcome(statuses or [(latest.get("state"), latest.get("updatedAt"))])
        self.deployment(
            rows,
            deployment_id=node.get("databaseId") or node.get("id"),
            sha=node.get("commitOid") or (node.get("commit") or {}).get("oid"),
            ref=(node.get("ref") or {}).get("name"),
            environment=node.get("environment"),
            created=node.get("createdAt"),
            status=state or latest.get("state") or node.get("state"),
            status_at=at or latest.get("updatedAt") or node.get("updatedAt"),
            url=f"{repository['url']}/deployments" if repository.get("url") else None,
        )

    def release(self, rows: LakeRows, release: dict[str, Any]) -> None:
        if release.get("draft"):
            return
        tag = str(release["tag_name"])
        object_id = f"@release:{self.source}:{tag}"
        published = parse_time(release.get("published_at") or release.get("created_at"))
        self._object(
            rows,
            object_id=object_id,
            object_type="release",
            external_key=tag,
            title=release.get("name") or tag,
            created_at=parse_time(release.get("created_at")),
            attributes={
                "tag": tag,
                "sha": release.get("target_commitish"),
                "name": release.get("name"),
            },
        )
        self._event(
            rows,
            object_id=object_id,
            activity="released",
            timestamp=published,
            key="0",
            resource_key=self.user(rows, release.get("author")),
        )


def outcome(statuses: list[tuple[Any, Any]]) -> tuple[str | None, str | None]:
    """A deployment's outcome from its statuses (state, time): the first success or failure in
    time (a later ``inactive`` only says a newer deployment replaced it), else the latest."""
    ordered = sorted((str(t or ""), str(s or "").upper()) for s, t in statuses)
    for at, state in ordered:
        if state in ("SUCCESS", *DEPLOY_FAILED):
            return state, at or None
    if not ordered:
        return None, None
    at, state = ordered[-1]
    return state or None, at or None


def _nodes(connection: Any) -> list[dict[str, Any]]:
    nodes = connection.get("nodes") if isinstance(connection, dict) else None
    return [n for n in nodes or [] if isinstance(n, dict)]


def _is_bot(user: Any, key: str | None, bots: BotRules) -> bool:
    if not isinstance(user, dict) or key is None:
        return False
    return user.get("type") == "Bot" or bots.is_bot(
        name=str(user.get("login")), email=None, identity_key=key
    )
