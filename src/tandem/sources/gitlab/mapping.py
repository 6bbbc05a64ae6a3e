"""GitLab REST v4 payloads → the lake contract (docs/connectors.md), as plain functions.

GitLab has no review objects. A merge request's reviews are read from what it does have:
each approval (``/approvals``; its time from the "approved this merge request" system note, else
the request's ``updated_at``), "requested changes" system notes, and every non-system note by
someone other than the author (state ``commented``); the author's own notes are ``comment``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from tandem.sources.bots import BotRules
from tandem.sources.rows import LakeRows, commit_object
from tandem.sources.shape import PayloadShapeError

#: GitLab's bot users: project and group access tokens (``project_123_bot_…``), service accounts.
GITLAB_BOT_USERNAME = re.compile(r"^(project|group)_\d+_bot(_[0-9a-f]+)?$|^service_account_")
#: GitLab's default closing pattern: "Closes #12", "fixes #3, #4 and #5", "Resolves: #7".
CLOSING = re.compile(
    r"\b(?:clos(?:e|es|ed|ing)|fix(?:|es|ed|ing)|resolv(?:e|es|ed|ing)|implement(?:|s|ed|ing))"
    r":?\s+(?:issues?\s+)?((?:#\d+(?:\s*,\s*|\s+and\s+)?)+)",
    re.IGNORECASE,
)
REFERENCE = re.compile(r"(?<![\w/!])#(\d+)\b")
FINAL_PIPELINE = frozenset({"success", "failed", "canceled", "skipped"})
APPROVED_NOTE = "approved this merge request"
CHANGES_NOTE = "requested changes"
READY_NOTES = ("marked this merge request as **ready**", "marked this merge request as ready")


class GitLabDataError(PayloadShapeError):
    """A payload value the mapper cannot read (names the object and the field)."""


def when(value: Any, *, what: str) -> dt.datetime | None:
    """A GitLab timestamp (ISO 8601 with a zone) as UTC; ``None`` for null."""
    if value is None or value == "":
        return None
    try:
        parsed = dt.datetime.fromisoformat(str(value))
    except ValueError:
        raise GitLabDataError(f"{value!r} is not an ISO 8601 timestamp", field=what) from None
    if parsed.tzinfo is None:
        raise GitLabDataError(f"{value!r} has no time zone", field=what)
    return parsed.astimezone(dt.UTC)


@dataclass(frozen=True)
class Project:
    """Names of one project's objects."""

    source: str
    path: str

    def pr(self, iid: int) -> str:
        return f"@pr:{self.source}:{iid}"

    def work_item(self, iid: int) -> str:
        return f"{self.source}:{iid}"

    def incident(self, iid: int) -> str:
        return f"@incident:{self.source}:{iid}"


class Mapper:
    """Maps payloads of one project into :class:`LakeRows`, identities once each."""

    def __init__(self, project: Project, bots: BotRules) -> None:
        self.project = project
        self.bots = bots
        self.rows = LakeRows()
        self._seen: set[str] = set()

    # -- identities -----------------------------------------------------------------------------

    def user(self, user: Any) -> str | None:
        """The identity key of a GitLab user object (recorded once); ``None`` for null."""
        if not isinstance(user, dict) or not user.get("username"):
            return None
        username = str(user["username"])
        key = f"login:gitlab:{username}"
        if key not in self._seen:
            self._seen.add(key)
            name = user.get("name")
            self.rows.add_identity(
                identity_key=key,
                source=self.project.source,
                kind="login",
                display_name=str(name) if name else username,
                is_bot=self.is_bot(user),
            )
        return key

    def is_bot(self, user: dict[str, Any]) -> bool:
        username = str(user.get("username") or "")
        return (
            user.get("bot") is True
            or bool(GITLAB_BOT_USERNAME.match(username))
            or self.bots.is_bot(name=username, email=None, identity_key=f"login:gitlab:{username}")
            or self.bots.is_bot(name=str(user.get("name") or ""), email=None)
        )

    def email(self, name: Any, email: Any) -> str | None:
        """The identity key of a commit author (git's ``email:`` key)."""
        if not email:
            return None
        key = f"email:{str(email).strip().lower()}"
        if key not in self._seen:
            self._seen.add(key)
            self.rows.add_identity(
                identity_key=key,
                source=self.project.source,
                kind="email",
                display_name=str(name) if name else None,
                is_bot=self.bots.is_bot(name=str(name or ""), email=str(email)),
            )
        return key

    # -- merge requests -------------------------------------------------------------------------

    def merge_request(
        self,
        mr: dict[str, Any],
        *,
        commits: list[dict[str, Any]],
        approvals: dict[str, Any] | None,
        notes: list[dict[str, Any]],
    ) -> None:
        iid = int(mr["iid"])
        oid = self.project.pr(iid)
        what = f"merge request !{iid}"
        source = self.project.source
        author = self.user(mr.get("author"))
        created = when(mr.get("created_at"), what=f"{what} created_at")
        merged_at = when(mr.get("merged_at"), what=f"{what} merged_at")
        closed_at = when(mr.get("closed_at"), what=f"{what} closed_at")
        state = {"opened": "open", "locked": "open"}.get(str(mr.get("state")), str(mr.get("state")))
        merged_as = mr.get("merge_commit_sha") or mr.get("squash_commit_sha")
        if state == "merged" and not merged_as:
            merged_as = mr.get("sha")  # fast-forward (rebase) merge: the last rebased commit
        author_obj = mr.get("author") if isinstance(mr.get("author"), dict) else {}
        self.rows.add_object(
            object_id=oid,
            object_type="pull_request",
            source=source,
            external_key=f"!{iid}",
            title=mr.get("title"),
            created_at=created,
            attributes={
                "repo": self.project.path,
                "number": iid,
                "author": author,
                "author_is_bot": self.is_bot(author_obj) if author_obj else False,
                "base": mr.get("target_branch"),
                "head_ref": mr.get("source_branch"),
                "head_sha": mr.get("sha"),
                "merge_commit_sha": merged_as,
                "state": state,
                "draft": bool(mr.get("draft", mr.get("work_in_progress", False))),
                "url": mr.get("web_url"),
                "additions": None,
                "deletions": None,
                "labels": list(mr.get("labels") or []),
            },
        )
        events: list[
            tuple[dt.datetime, str, tuple[str, ...], str | None, dict[str, Any] | None]
        ] = []
        if created is not None:
            events.append((created, "created", (), author, None))
        for commit in commits:
            sha = str(commit["id"])
            self.rows.add_relation(oid, commit_object(sha), "contains")
            at = when(commit.get("authored_date") or commit.get("created_at"), what=f"commit {sha}")
            if at is not None:
                who = self.email(commit.get("author_name"), commit.get("author_email"))
                events.append((at, "commit", (sha,), who, {"sha": sha}))
        approval_times: dict[str, dt.datetime] = {}
        for note in notes:
            at = when(note.get("created_at"), what=f"{what} note {note.get('id')}")
            who = self.user(note.get("author"))
            if at is None:
                continue
            body = str(note.get("body") or "").strip()
            key = (str(note.get("id")),)
            if note.get("system"):
                if body == APPROVED_NOTE and who is not None:
                    approval_times[who] = at  # the last approval note of each approver
                elif body == CHANGES_NOTE:
                    events.append((at, "review", key, who, {"state": "changes_requested"}))
                elif body.lower() in READY_NOTES:
                    events.append((at, "ready_for_review", key, who, None))
            elif who is not None and who == author:
                events.append((at, "comment", key, who, None))
            else:
                events.append((at, "review", key, who, {"state": "commented"}))
        for approval in (approvals or {}).get("approved_by") or []:
            who = self.user(approval.get("user") if isinstance(approval, dict) else None)
            if who is None:
                continue
            at = approval_times.get(who)
            attributes: dict[str, Any] = {"state": "approved"}
            if at is None:  # no approval note: the request's last update bounds it
                at = when(mr.get("updated_at"), what=f"{what} updated_at")
                attributes["time"] = "updated_at"
            if at is not None:
                events.append((at, "review", ("approval", who), who, attributes))
        if state == "merged" and merged_at is not None:
            merger = self.user(mr.get("merge_user") or mr.get("merged_by"))
            events.append((merged_at, "merged", (), merger, None))
            if merged_as:
                self.rows.add_relation(oid, commit_object(str(merged_as)), "merged_as")
        if state == "closed" and closed_at is not None:
            events.append((closed_at, "closed", (), self.user(mr.get("closed_by")), None))
        self._events(oid, events)
        self._references(oid, str(mr.get("description") or ""))

    def _references(self, oid: str, text: str) -> None:
        fixes: set[int] = set()
        for match in CLOSING.finditer(text):
            fixes.update(int(n) for n in REFERENCE.findall(match.group(1)))
        for number in sorted(fixes):
            self.rows.add_relation(oid, self.project.work_item(number), "fixes")
        for number in sorted({int(n) for n in REFERENCE.findall(text)} - fixes):
            self.rows.add_relation(oid, self.project.work_item(number), "mentions")

    def _events(
        self,
        oid: str,
        events: list[tuple[dt.datetime, str, tuple[str, ...], str | None, dict[str, Any] | None]],
    ) -> None:
        """Add ``events`` of one object, ordinals in time order (stable for equal times)."""
        for ordinal, (at, activity, key, who, attributes) in enumerate(
            sorted(events, key=lambda e: e[0])
        ):
            self.rows.add_event(
                object_id=oid,
                activity=activity,
                timestamp=at,
                source=self.project.source,
                ordinal=ordinal,
                key=key,
                resource_key=who,
                attributes=attributes,
            )

    # -- issues and incidents -------------------------------------------------------------------

    def issue(self, issue: dict[str, Any], *, state_events: list[dict[str, Any]]) -> None:
        """A work item, or an incident when ``issue_type`` is ``incident``."""
        iid = int(issue["iid"])
        what = f"issue #{iid}"
        created = when(issue.get("created_at"), what=f"{what} created_at")
        closed_at = when(issue.get("closed_at"), what=f"{what} closed_at")
        author = self.user(issue.get("author"))
        labels = [str(label) for label in issue.get("labels") or []]
        if str(issue.get("issue_type") or "").lower() == "incident":
            self._incident(issue, iid, created, closed_at, author, labels)
            return
        oid = self.project.work_item(iid)
        assignees = issue.get("assignees") or []
        bug = any(label.lower() in ("bug", "type::bug", "kind::bug") for label in labels)
        self.rows.add_object(
            object_id=oid,
            object_type="work_item",
            source=self.project.source,
            external_key=str(iid),
            title=issue.get("title"),
            created_at=created,
            item_type="bug" if bug else "issue",
            attributes={
                "url": issue.get("web_url"),
                "labels": labels,
                "parent": None,
                "epic": (issue.get("epic") or {}).get("iid")
                if isinstance(issue.get("epic"), dict)
                else None,
                "status": "open" if issue.get("state") == "opened" else str(issue.get("state")),
                "resolution": None,
                "assignee": self.user(assignees[0]) if assignees else None,
            },
        )
        events: list[
            tuple[dt.datetime, str, tuple[str, ...], str | None, dict[str, Any] | None]
        ] = []
        if created is not None:
            events.append((created, "open", (), author, None))
        for event in state_events:
            state = str(event.get("state"))
            at = when(event.get("created_at"), what=f"{what} state event {event.get('id')}")
            if at is None or state not in ("closed", "reopened"):
                continue
            activity = "closed" if state == "closed" else "open"
            events.append(
                (at, activity, (str(event.get("id")),), self.user(event.get("user")), None)
            )
        if not state_events and issue.get("state") == "closed" and closed_at is not None:
            events.append((closed_at, "closed", (), self.user(issue.get("closed_by")), None))
        self._events(oid, events)

    def _incident(
        self,
        issue: dict[str, Any],
        iid: int,
        created: dt.datetime | None,
        closed_at: dt.datetime | None,
        author: str | None,
        labels: list[str],
    ) -> None:
        oid = self.project.incident(iid)
        resolved = closed_at if issue.get("state") == "closed" else None
        service = next(
            (label.split("::", 1)[1] for label in labels if label.lower().startswith("service::")),
            None,
        )
        severity = issue.get("severity")
        self.rows.add_object(
            object_id=oid,
            object_type="incident",
            source=self.project.source,
            external_key=str(iid),
            title=issue.get("title"),
            created_at=created,
            attributes={
                "service": service,
                "environment": None,
                "severity": str(severity).lower() if severity else None,
                "resolved_at": resolved,
                "url": issue.get("web_url"),
                "labels": labels,
            },
        )
        events: list[
            tuple[dt.datetime, str, tuple[str, ...], str | None, dict[str, Any] | None]
        ] = []
        if created is not None:
            events.append((created, "incident_opened", (), author, None))
        if resolved is not None:
            events.append(
                (resolved, "incident_resolved", (), self.user(issue.get("closed_by")), None)
            )
        self._events(oid, events)

    # -- deployments, pipelines, releases -------------------------------------------------------

    def deployment(self, deployment: dict[str, Any]) -> None:
        did = deployment["id"]
        oid = f"@deployment:{self.project.source}:{did}"
        what = f"deployment {did}"
        environment = deployment.get("environment") or {}
        status = str(deployment.get("status"))
        sha = deployment.get("sha")
        created = when(deployment.get("created_at"), what=f"{what} created_at")
        finished = when(
            deployment.get("finished_at") or deployment.get("updated_at"), what=f"{what} finished"
        )
        who = self.user(deployment.get("user"))
        self.rows.add_object(
            object_id=oid,
            object_type="deployment",
            source=self.project.source,
            external_key=str(did),
            title=f"{environment.get('name')} {deployment.get('ref')}",
            created_at=created,
            attributes={
                "environment": environment.get("name"),
                "service": self.project.path,
                "sha": sha,
                "ref": deployment.get("ref"),
                "status": status,
                "url": environment.get("external_url"),
            },
        )
        events: list[
            tuple[dt.datetime, str, tuple[str, ...], str | None, dict[str, Any] | None]
        ] = []
        if created is not None:
            events.append((created, "deployment_created", (), who, None))
        final = {"success": "deployed", "failed": "deployment_failed"}.get(status)
        if final is not None and finished is not None:
            events.append((finished, final, (), who, None))
        self._events(oid, events)
        if sha:
            self.rows.add_relation(oid, commit_object(str(sha)), "deploys")

    def pipeline(self, pipeline: dict[str, Any]) -> None:
        pid = pipeline["id"]
        oid = f"@run:{self.project.source}:{pid}"
        what = f"pipeline {pid}"
        status = str(pipeline.get("status"))
        created = when(pipeline.get("created_at"), what=f"{what} created_at")
        started = when(pipeline.get("started_at"), what=f"{what} started_at") or created
        finished = when(pipeline.get("finished_at"), what=f"{what} finished_at")
        conclusion = status if status in FINAL_PIPELINE else None
        who = self.user(pipeline.get("user"))
        self.rows.add_object(
            object_id=oid,
            object_type="ci_run",
            source=self.project.source,
            external_key=str(pid),
            title=pipeline.get("name") or f"pipeline {pid}",
            created_at=created,
            attributes={
                "workflow": pipeline.get("name") or "pipeline",
                "head_sha": pipeline.get("sha"),
                "branch": pipeline.get("ref"),
                "event": pipeline.get("source"),
                "conclusion": conclusion,
                "url": pipeline.get("web_url"),
            },
        )
        events: list[
            tuple[dt.datetime, str, tuple[str, ...], str | None, dict[str, Any] | None]
        ] = []
        if started is not None:
            events.append((started, "run_started", (), who, None))
        if conclusion is not None:
            done = finished or when(pipeline.get("updated_at"), what=f"{what} updated_at")
            if done is not None:
                events.append((done, "run_completed", (), who, {"conclusion": conclusion}))
        self._events(oid, events)

    def release(self, release: dict[str, Any]) -> None:
        tag = str(release["tag_name"])
        if release.get("upcoming_release"):
            return  # not released yet: a later sync records it
        oid = f"@release:{self.project.source}:{tag}"
        commit = release.get("commit") or {}
        released = when(
            release.get("released_at") or release.get("created_at"), what=f"release {tag}"
        )
        self.rows.add_object(
            object_id=oid,
            object_type="release",
            source=self.project.source,
            external_key=tag,
            title=release.get("name") or tag,
            created_at=released,
            attributes={"tag": tag, "sha": commit.get("id"), "name": release.get("name")},
        )
        if released is not None:
            self._events(oid, [(released, "released", (), self.user(release.get("author")), None)])
