"""A GitLab source: the instance URL, the project path, the variable holding the token."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote, urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

from tandem.errors import InputError
from tandem.sources.config import SourceConfig, api_url
from tandem.sources.http.auth import token_env_problem

PROJECT_PATH = re.compile(r"^[A-Za-z0-9_.][A-Za-z0-9_.\-]*(/[A-Za-z0-9_.][A-Za-z0-9_.\-]*)+$")


def check_url(url: str) -> str:
    """The instance's base URL (no trailing ``/``); ValueError if it is not one."""
    return api_url(url, "https://gitlab.example.com")


def check_project(project: str) -> str:
    """A project path (``group/name``, subgroups allowed); ValueError if it is not one."""
    project = project.strip().strip("/")
    if not PROJECT_PATH.match(project):
        raise ValueError(f"{project!r} is not a project path such as group/name or group/sub/name")
    return project


def check_env(token_env: str) -> str:
    """The name of an environment variable (GitLab needs a token: never empty); the message
    never repeats the value."""
    problem = token_env_problem(token_env)
    if problem:
        raise ValueError(problem)
    return token_env


@dataclass(frozen=True)
class GitLabConfig:
    """One GitLab project to sync (``tandem source add gitlab``)."""

    url: str
    project: str
    token_env: str

    @classmethod
    def parse(cls, *, url: str, project: str, token_env: str) -> GitLabConfig:
        """A checked configuration; each bad value is named by its field."""
        checked = {}
        for name, check, value in (
            ("url", check_url, url),
            ("project", check_project, project),
            ("token_env", check_env, token_env),
        ):
            try:
                checked[name] = check(value)
            except ValueError as exc:
                raise InputError(str(exc), field=name) from None
        return cls(**checked)

    @property
    def host(self) -> str:
        """The instance's host (with its port, if any) as it appears in the source name."""
        parts = urlsplit(self.url)
        return (parts.netloc + parts.path).lower()

    @property
    def source(self) -> str:
        """``gitlab:<host>/<group>/<project>`` (docs/connectors.md)."""
        return f"gitlab:{self.host}/{self.project}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/v4"

    @property
    def project_ref(self) -> str:
        """The project in API paths: its URL-encoded path (``group%2Fname``)."""
        return quote(self.project, safe="")

    def to_dict(self) -> dict[str, str]:
        return {"url": self.url, "project": self.project, "token_env": self.token_env}


class GitLabOptions(BaseModel):
    """How to read: ``[sources.<name>.options]``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    per_page: int = Field(
        default=100, ge=1, le=100, description="Items per page (one lake batch each)."
    )


class GitLabSource(SourceConfig):
    """``[sources.<name>]`` with ``kind = "gitlab"``: ``url`` the instance, ``project`` its path,
    ``token_env`` the variable holding a token with ``read_api``."""

    kind: Literal["gitlab"] = "gitlab"
    url: str
    token_env: str | None = "GITLAB_TOKEN"
    project: str
    options: GitLabOptions = Field(default_factory=GitLabOptions)

    @field_validator("url")
    @classmethod
    def _instance(cls, value: str) -> str:
        return check_url(value)

    @field_validator("project")
    @classmethod
    def _path(cls, value: str) -> str:
        return check_project(value)

    @field_validator("token_env")
    @classmethod
    def _variable(cls, value: str | None) -> str:
        return check_env(value or "")

    def gitlab(self) -> GitLabConfig:
        """The connector's configuration."""
        return GitLabConfig(url=self.url, project=self.project, token_env=self.token_env or "")

    @property
    def source(self) -> str:
        """``gitlab:<host>/<group>/<project>``."""
        return self.gitlab().source
