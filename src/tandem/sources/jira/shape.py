"""The shape of the Jira payloads :mod:`.mapping` reads (REST v2/v3 ``search`` with
``expand=changelog``, and ``/issue/{id}/changelog`` pages), checked before mapping."""

from __future__ import annotations

from typing import Any

from tandem.sources.shape import Open

Ident = str | int | None


class User(Open):
    """A Jira user (field names are Jira's own)."""

    accountId: str | None = None
    self: str | None = None
    name: str | None = None
    key: str | None = None
    displayName: str | None = None
    emailAddress: str | None = None
    accountType: str | None = None


class Keyed(Open):
    key: str | None = None


class Named(Open):
    name: str | None = None


class Status(Named):
    statusCategory: Keyed | None = None


class ParentFields(Open):
    issuetype: Named | None = None


class Parent(Keyed):
    fields: ParentFields | None = None


class Link(Open):
    outwardIssue: Keyed | None = None
    inwardIssue: Keyed | None = None


class Item(Open):
    field: str | None = None
    fromString: str | None = None
    toString: str | None = None


class History(Open):
    """One changelog entry: an inline history or a ``/changelog`` page's value."""

    id: Ident = None
    created: str
    author: User | None = None
    items: list[Item] | None = None


class Changelog(Open):
    histories: list[History] | None = None
    total: int | None = None


class Fields(Open):
    created: str
    updated: str | None = None
    summary: str | None = None
    project: Keyed | None = None
    parent: Parent | None = None
    epic: Any = None  # the agile API's epic; the mapper reads it only when it is an object
    status: Status | None = None
    issuetype: Named | None = None
    resolution: Named | None = None
    resolutiondate: str | None = None
    assignee: User | None = None
    creator: User | None = None
    reporter: User | None = None
    labels: list[str] | None = None
    subtasks: list[Keyed] | None = None
    issuelinks: list[Link] | None = None


class Issue(Open):
    id: Ident = None
    key: str
    self: str | None = None
    fields: Fields
    changelog: Changelog | None = None
