"""Settings: one pydantic-settings class, read from ``tandem.toml`` and ``TANDEM_*`` variables.

Nothing here reads the environment at import time; :func:`load_settings` does, for one workspace,
so tests pass their own values instead of patching ``os.environ``.
Priority: explicit arguments > environment (``TANDEM_DATABASE_URL``, ``TANDEM_BOTS__…``) >
``tandem.toml`` > defaults.
"""

from __future__ import annotations

from contextvars import ContextVar
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError
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


class GitSettings(BaseModel):
    """Defaults for ``tandem ingest git``."""

    rev: str | None = Field(default=None, description="Ref to ingest; default: the default branch.")


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
