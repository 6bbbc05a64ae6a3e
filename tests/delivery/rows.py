"""Delivery lake rows as the connectors write them (docs/connectors.md), for the tests."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from tandem.lake import Lake

TS = pa.timestamp("us", tz="UTC")


@dataclass
class DeliveryRows:
    """Objects, events, relations and identities, written as one lake batch by :meth:`write`."""

    source: str = "github:acme/shop"
    objects: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    relations: list[dict[str, Any]] = field(default_factory=list)
    identities: dict[str, bool] = field(default_factory=dict)

    def _object(
        self, object_id: str, object_type: str, created: dt.datetime | None, **attrs: Any
    ) -> None:
        self.objects.append(
            {
                "object_id": object_id,
                "object_type": object_type,
                "source": self.source,
                "external_key": object_id.rsplit(":", 1)[1],
                "item_type": None,
                "created_at": created,
                "attributes": json.dumps(attrs),
            }
        )

    def event(
        self,
        object_id: str,
        activity: str,
        at: dt.datetime,
        who: str | None = None,
        **attrs: Any,
    ) -> None:
        self.events.append(
            {
                "event_id": f"{object_id}#{len(self.events)}",
                "object_id": object_id,
                "activity": activity,
                "timestamp": at,
                "lifecycle": "complete",
                "resource_key": who,
                "source": self.source,
                "ordinal": len(self.events),
                "attributes": json.dumps(attrs) if attrs else None,
            }
        )
        if who is not None:
            self.identities.setdefault(who, False)

    def relation(self, src: str, dst: str, kind: str) -> None:
        self.relations.append({"from_object": src, "to_object": dst, "kind": kind})

    def pull_request(
        self,
        number: int,
        *,
        author: str,
        created: dt.datetime,
        commits: list[tuple[str, dt.datetime]] | None = None,
        summaries: dict[str, tuple[str, str]] | None = None,
        ready: dt.datetime | None = None,
        reviews: list[tuple[str, dt.datetime]] | None = None,
        merged: dt.datetime | None = None,
        merged_as: str | None = None,
        author_is_bot: bool = False,
    ) -> str:
        """A PR with its events (``summaries``: sha → (summary, author email) on commit events)
        and ``contains`` / ``merged_as`` relations; its object id."""
        oid = f"@pr:{self.source}:{number}"
        self._object(
            oid,
            "pull_request",
            created,
            repo=self.source.split(":", 1)[1],
            number=number,
            author=author,
            author_is_bot=author_is_bot,
            merge_commit_sha=merged_as,
            state="merged" if merged else "open",
        )
        self.identities[author] = author_is_bot
        self.event(oid, "created", created, author)
        for sha, at in commits or []:
            extra: dict[str, Any] = {"sha": sha}
            if summaries and sha in summaries:
                extra["summary"], extra["author_email"] = summaries[sha]
            self.event(oid, "commit", at, author, **extra)
            self.relation(oid, f"@commit:{sha}", "contains")
        if ready is not None:
            self.event(oid, "ready_for_review", ready, author)
        for who, at in reviews or []:
            self.event(oid, "review", at, who, state="approved")
        if merged is not None:
            self.event(oid, "merged", merged, author)
            if merged_as:
                self.relation(oid, f"@commit:{merged_as}", "merged_as")
        return oid

    def deployment(
        self,
        key: str,
        *,
        service: str,
        environment: str,
        sha: str,
        at: dt.datetime,
        success: bool = True,
    ) -> str:
        oid = f"@deployment:{self.source}:{key}"
        self._object(
            oid,
            "deployment",
            at,
            environment=environment,
            service=service,
            sha=sha,
            status="success" if success else "failure",
        )
        self.event(oid, "deployment_created", at)
        self.event(oid, "deployed" if success else "deployment_failed", at)
        self.relation(oid, f"@commit:{sha}", "deploys")
        return oid

    def incident(
        self,
        key: str,
        *,
        service: str | None,
        opened: dt.datetime,
        resolved: dt.datetime | None = None,
        environment: str | None = "production",
        caused_by: str | None = None,
    ) -> str:
        oid = f"@incident:{self.source}:{key}"
        attrs: dict[str, Any] = {"severity": "high"}
        if service is not None:
            attrs["service"] = service
        if environment is not None:
            attrs["environment"] = environment
        self._object(oid, "incident", opened, **attrs)
        self.event(oid, "incident_opened", opened)
        if resolved is not None:
            self.event(oid, "incident_resolved", resolved)
        if caused_by is not None:
            self.relation(oid, caused_by, "caused_by")
        return oid

    def write(self, lake: Lake) -> None:
        with lake.batch(label="delivery test rows") as batch:
            batch.write("objects", pa.Table.from_pylist(self.objects))
            events = pa.Table.from_pylist(self.events)
            batch.write("events", events.set_column(3, "timestamp", events["timestamp"].cast(TS)))
            batch.write("relations", pa.Table.from_pylist(self.relations))
            keys = sorted(self.identities)
            batch.write(
                "identities",
                pa.table(
                    {
                        "identity_key": keys,
                        "source": [self.source] * len(keys),
                        "kind": ["login"] * len(keys),
                        "is_bot": [self.identities[k] for k in keys],
                    }
                ),
            )
