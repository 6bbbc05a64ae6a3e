"""A GitLab source: the instance URL, the project path, the variable holding the token."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from tandem.errors import InputError

PROJECT_PATH = re.compile(r"^[A-Za-z0-9_.][A-Za-z0-9_.\-]*(/[A-Za-z0-9_.][A-Za-z0-9_.\-]*)+$")
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class GitLabConfig:
    """One GitLab project to sync (``tandem source add gitlab``)."""

    url: str
    project: str
    token_env: str

    @classmethod
    def parse(cls, *, url: str, project: str, token_env: str) -> GitLabConfig:
        """A checked configuration; each bad value is named by its field."""
        parts = urlsplit(url.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InputError(
                f"{url!r} is not an http(s) URL (e.g. https://gitlab.example.com)", field="url"
            )
        if parts.username or parts.password or parts.query or parts.fragment:
            raise InputError(
                "the URL must hold no user, password, query or fragment (the token comes from "
                "the environment)",
                field="url",
            )
        project = project.strip().strip("/")
        if not PROJECT_PATH.match(project):
            raise InputError(
                f"{project!r} is not a project path such as group/name or group/sub/name",
                field="project",
            )
        if not ENV_NAME.match(token_env):
            raise InputError(
                f"{token_env!r} is not the name of an environment variable", field="token_env"
            )
        base = f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"
        return cls(url=base, project=project, token_env=token_env)

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
