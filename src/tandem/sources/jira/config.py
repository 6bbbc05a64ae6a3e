"""A Jira source's configuration (``[sources.<name>]`` with ``kind = "jira"``)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from tandem.sources.config import SourceConfig, api_url
from tandem.sources.jira.mapping import Site, source_name

_KEY = re.compile(r"^[A-Z][A-Z0-9_]{0,254}$")


class JiraOptions(BaseModel):
    """How to read: ``[sources.<name>.options]``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    page_size: int = Field(
        default=50, ge=1, le=100, description="Issues per search page (one lake batch each)."
    )
    inline_changelog: int = Field(
        default=100,
        ge=1,
        description="Jira inlines at most this many changelog entries: an issue with as many "
        "is completed from its changelog endpoint even when Jira does not say it cut it.",
    )
    api_version: Literal["2", "3"] = Field(
        default="2", description="REST API version of the search (Cloud: 2 or 3; Server: 2)."
    )


class JiraConfig(SourceConfig):
    """A Jira project: ``url`` the site (``https://acme.atlassian.net``, or a Server's base URL),
    ``project`` its key. Credentials: ``auth = "basic"`` with ``user`` (Cloud: the account's
    email; Server: the user name) and the token in ``token_env``; ``auth = "bearer"`` for Data
    Center personal access tokens; ``token_env = ""`` reads anonymously."""

    kind: Literal["jira"] = "jira"
    url: str
    token_env: str | None = "JIRA_TOKEN"
    project: str
    auth: Literal["basic", "bearer"] = "basic"
    user: str | None = Field(default=None, validate_default=True)
    options: JiraOptions = Field(default_factory=JiraOptions)

    @field_validator("url")
    @classmethod
    def _site_url(cls, value: str) -> str:
        api_url(value, "https://acme.atlassian.net")
        return Site.from_url(value.strip()).base_url

    @field_validator("project")
    @classmethod
    def _project_key(cls, value: str) -> str:
        key = value.strip().upper()
        if not _KEY.match(key):
            raise ValueError(f"{value!r} is not a Jira project key (e.g. PROJ)")
        return key

    @field_validator("user")
    @classmethod
    def _user_for_basic(cls, value: str | None, info: ValidationInfo) -> str | None:
        value = value.strip() if value else None
        if info.data.get("auth") == "basic" and info.data.get("token_env") and not value:
            raise ValueError(
                "basic authentication needs a user (Jira Cloud: the account's email; Server: "
                'the user name); Data Center personal access tokens: auth = "bearer"'
            )
        return value

    @property
    def source(self) -> str:
        """The lake's name of this source: ``jira:<host>/<PROJECT>``."""
        return source_name(Site.from_url(self.url).host, self.project)
