"""A GitHub source's configuration (``[sources.<name>]`` with ``kind = "github"``)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from tandem.sources.config import SourceConfig, api_url

GITHUB_API = "https://api.github.com"
_REPO = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+$")


class GitHubOptions(BaseModel):
    """What to read and how: ``[sources.<name>.options]``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    incident_label: str = Field(
        default="incident", min_length=1, description="Issues with this label are incidents."
    )
    bug_labels: list[str] = Field(
        default_factory=lambda: ["bug"], description="Labels that make an issue's type 'bug'."
    )
    work_items: bool = Field(
        default=True,
        description="Read issues as work items (the how panel's cases); false: pull requests, "
        "runs, releases, deployments and labelled incidents only (work tracked elsewhere).",
    )
    deployments: Literal["graphql", "rest", "off"] = Field(
        default="graphql",
        description="How deployments are read (GraphQL as DevLake does, or REST).",
    )
    per_page: int = Field(default=100, ge=1, le=100, description="Items per page requested.")
    pages_per_batch: int = Field(
        default=20, ge=1, description="Pages fetched between two lake commits (resume points)."
    )
    max_pages: int = Field(default=10_000, ge=1, description="Most pages one listing may take.")


class GitHubConfig(SourceConfig):
    """A GitHub repository: ``repo = "owner/name"``; ``url`` is the API (GitHub Enterprise:
    ``https://HOST/api/v3``); ``token_env`` the variable holding a token (``""``: anonymous)."""

    kind: Literal["github"] = "github"
    url: str = GITHUB_API
    repo: str
    token_env: str | None = "GITHUB_TOKEN"
    options: GitHubOptions = Field(default_factory=GitHubOptions)

    @field_validator("repo")
    @classmethod
    def _owner_name(cls, value: str) -> str:
        if not _REPO.match(value):
            raise ValueError(f"{value!r} is not 'owner/name'")
        return value

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        return api_url(value, GITHUB_API)

    @property
    def source(self) -> str:
        """The lake's name of this source: ``github:<owner>/<repo>``."""
        return f"github:{self.repo}"

    @property
    def graphql_url(self) -> str:
        """GitHub's ``/graphql``; GitHub Enterprise's ``/api/graphql`` beside ``/api/v3``."""
        if self.url.endswith("/api/v3"):
            return self.url.removesuffix("/v3") + "/graphql"
        return self.url + "/graphql"
