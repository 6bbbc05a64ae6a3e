"""Settings: one pydantic-settings class, read from ``tandem.toml`` and ``TANDEM_*`` variables.

Nothing here reads the environment at import time; :func:`load_settings` does, for one workspace,
so tests pass their own values instead of patching ``os.environ``.
Priority: explicit arguments > environment (``TANDEM_DATABASE_URL``, ``TANDEM_BOTS__…``) >
``tandem.toml`` > defaults.
"""

from __future__ import annotations

import datetime as dt
import re
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from tandem.errors import InputError

CONFIG_FILE = "tandem.toml"

_toml_file: ContextVar[Path | None] = ContextVar("_toml_file", default=None)


class BotSettings(BaseModel):
    """How identities are recognised as bots at ingestion (case-insensitive regexes)."""

    name_patterns: list[str] = Field(
        default_factory=lambda: [
            r"\[bot\]$",
            r"^dependabot",
            r"^renovate",
            r"^github-actions",
            r"^(gitlab|jenkins|travis|circleci|buildkite|azure[- ]pipelines)\b",
            r"\bbot$",
        ]
    )
    email_patterns: list[str] = Field(
        default_factory=lambda: [
            r"\[bot\]@",
            r"^(no-?reply|bot|ci|build|automation)@",
        ]
    )
    identities: list[str] = Field(
        default_factory=list,
        description="Extra identity keys (e.g. 'email:deploy@example.com') always treated as bots.",
    )


DEFAULT_DEPLOY_TAG_PATTERN = r"^v?\d+\.\d+(\.\d+)?$"


class GitDeploymentSettings(BaseModel):
    """Which git facts are production deployments (``[git.deployments]``).

    A tag whose name matches ``tag_pattern`` is a production deployment at the tag's date; when
    ``branch`` is set, the first-parent commits of that branch are the deployments instead (at
    their commit dates) and tags are only releases. An empty ``tag_pattern`` and no ``branch``:
    no deployments from git.
    """

    tag_pattern: str = Field(
        default=DEFAULT_DEPLOY_TAG_PATTERN,
        description="Regex (Python, searched in the tag name): a matching tag is a production "
        "deployment; empty: none.",
    )
    branch: str | None = Field(
        default=None,
        description="A deploy branch: each of its first-parent commits is a production "
        "deployment (replaces the tag rule).",
    )

    @field_validator("tag_pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression ({exc})") from None
        return value


class GitSettings(BaseModel):
    """Defaults for ``tandem ingest git``."""

    rev: str | None = Field(default=None, description="Ref to ingest; default: the default branch.")
    deployments: GitDeploymentSettings = Field(default_factory=GitDeploymentSettings)


FLOW_CATEGORIES = ("new", "waiting", "active", "done", "canceled")


class CalendarSettings(BaseModel):
    """The team calendar for working-time metrics (``--working-time``)."""

    timezone: str = Field(default="UTC", description="IANA time zone of the working hours.")
    weekdays: list[int] = Field(
        default_factory=lambda: [1, 2, 3, 4, 5], description="ISO weekdays worked (1 = Monday)."
    )
    day_start: dt.time = Field(default=dt.time(9, 0), description="Start of the working day.")
    day_end: dt.time = Field(default=dt.time(17, 0), description="End of the working day.")
    holidays: list[dt.date] = Field(default_factory=list, description="Days not worked.")

    @field_validator("weekdays")
    @classmethod
    def _iso_weekdays(cls, value: list[int]) -> list[int]:
        if any(day < 1 or day > 7 for day in value):
            raise ValueError("weekdays are ISO numbers 1 (Monday) to 7 (Sunday)")
        return value


class DeliverySettings(BaseModel):
    """Delivery metrics (pull request flow, DORA): which environments are production."""

    production: str = Field(
        default="^(prod|production|live)",
        description=(
            "Regular expression (case-insensitive, searched) naming the production "
            "environments of deployments and incidents."
        ),
    )


class FlowSettings(BaseModel):
    """Flow metrics: the status mapping per source, the team calendar, delivery."""

    mapping: dict[str, dict[str, str | list[str]]] = Field(
        default_factory=dict,
        description=(
            "Per source (or '*' for all): category -> list of activities, or activity -> "
            "category; categories are new, waiting, active, done, canceled."
        ),
    )
    calendar: CalendarSettings = Field(default_factory=CalendarSettings)
    delivery: DeliverySettings = Field(default_factory=DeliverySettings)

    @field_validator("mapping")
    @classmethod
    def _known_categories(
        cls, value: dict[str, dict[str, str | list[str]]]
    ) -> dict[str, dict[str, str | list[str]]]:
        for source, entries in value.items():
            for key, target in entries.items():
                category = key if isinstance(target, list) else target
                if category.lower() not in FLOW_CATEGORIES:
                    raise ValueError(
                        f"[flow.mapping.{source}]: {category!r} is not one of "
                        + ", ".join(FLOW_CATEGORIES)
                    )
        return value


class SparkSettings(BaseModel):
    """Where ``--engine spark`` runs: a local session, or a Spark Connect server."""

    remote: str | None = Field(
        default=None,
        description=(
            "Spark Connect URL (sc://host:15002) of a server that sees the workspace at the same "
            "path; default: a local Spark session in the process."
        ),
    )


class WebSettings(BaseModel):
    """Limits of the web app (``tandem serve``)."""

    max_body_bytes: int = Field(
        default=1_048_576,
        gt=0,
        description="Largest request body accepted, in bytes; larger ones get 413 unread.",
    )


class AlignmentSettings(BaseModel):
    """Alignment suggestions (``tandem align suggest``, the alignment page)."""

    encoder: Literal["auto", "minilm", "tfidf"] = Field(
        default="auto",
        description=(
            "Text encoder of the suggestions: minilm (the optional extra tandem[embeddings]), "
            "tfidf (built in) or auto (minilm when installed, else tfidf)."
        ),
    )


class IngestSettings(BaseModel):
    """Limits on what an ingest or import accepts; input beyond them is refused, never truncated."""

    max_bytes: int = Field(
        default=4 * 2**30,
        gt=0,
        description="Largest file accepted, in bytes after decompression (a gzip bomb stops here).",
    )
    max_field_bytes: int = Field(
        default=2**20, gt=0, description="Longest single CSV field accepted, in bytes."
    )
    max_case_events: int = Field(
        default=1_000_000, gt=0, description="Most events one case of an event log may hold."
    )
    earliest: dt.date = Field(
        default=dt.date(1970, 1, 1), description="Earliest event timestamp accepted (UTC)."
    )
    latest_ahead_days: int = Field(
        default=366,
        ge=0,
        description="How far after today an event timestamp may lie, in days.",
    )

    def latest(self, today: dt.date | None = None) -> dt.date:
        """The last day (UTC, inclusive) on which an event timestamp is accepted."""
        today = today or dt.datetime.now(dt.UTC).date()
        try:
            return today + dt.timedelta(days=self.latest_ahead_days)
        except OverflowError:
            return dt.date.max


def over_limit(setting: str, value: object) -> str:
    """The tail of a message for input beyond a limit: the setting, its value, how to raise it."""
    shown = f"{value:,}" if isinstance(value, int) else str(value)
    return f"exceeds ingest.{setting} = {shown}; raise it in tandem.toml"


class Settings(BaseSettings):
    """Everything configurable about one workspace."""

    model_config = SettingsConfigDict(
        env_prefix="TANDEM_", env_nested_delimiter="__", extra="ignore"
    )

    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the app database; default: SQLite in the workspace.",
    )
    bots: BotSettings = Field(default_factory=BotSettings)
    git: GitSettings = Field(default_factory=GitSettings)
    flow: FlowSettings = Field(default_factory=FlowSettings)
    spark: SparkSettings = Field(default_factory=SparkSettings)
    web: WebSettings = Field(default_factory=WebSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    alignment: AlignmentSettings = Field(default_factory=AlignmentSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        toml_file = _toml_file.get()
        if toml_file is not None and toml_file.exists():
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml_file))
        return tuple(sources)


def load_settings(workspace_root: Path | None, **overrides: Any) -> Settings:
    """Settings of the workspace at ``workspace_root`` (``tandem.toml``), environment, overrides."""
    toml_file = workspace_root / CONFIG_FILE if workspace_root is not None else None
    token = _toml_file.set(toml_file)
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise InputError(first["msg"], path=toml_file, field=field) from None
    except ValueError as exc:  # a TOML syntax error
        raise InputError(f"not valid TOML ({exc})", path=toml_file) from None
    finally:
        _toml_file.reset(token)
