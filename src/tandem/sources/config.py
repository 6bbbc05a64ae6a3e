"""Source configurations: ``[sources.<name>]`` tables of ``tandem.toml``, read and written.

A source names its kind, its URL, what to read (``repo``, ``project`` …), the environment
variable that holds its token (``token_env``; never the token) and kind-specific ``options``.
:func:`load_sources` validates each against its kind's model (``tandem.sources.registry``), a bad
one named by its field; :func:`save_source` and :func:`remove_source` rewrite only that source's
tables of ``tandem.toml`` (comments elsewhere kept), atomically.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import tomli_w
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from tandem.errors import InputError, NotFoundError
from tandem.reports import write_atomically

NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
_HEADER = re.compile(r"^\s*\[\s*sources\s*\.\s*(\"[^\"]*\"|'[^']*'|[A-Za-z0-9_-]+)\s*[\].]")
_ANY_HEADER = re.compile(r"^\s*\[")


class SourceConfig(BaseModel):
    """What every source has; each kind extends it (``tandem.sources.<kind>.config``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: str
    url: str
    token_env: str | None = None

    @field_validator("token_env", check_fields=False)
    @classmethod
    def _variable_name(cls, value: str | None) -> str | None:
        """An environment variable's name, or empty (anonymous); never a token (the message
        does not repeat the value)."""
        from tandem.sources.http.auth import token_env_problem

        if value and (problem := token_env_problem(value)):
            raise ValueError(problem)
        return value


def api_url(url: str, example: str) -> str:
    """An http(s) base URL without a trailing ``/``; ValueError if it is not one or carries a
    user, password, query or fragment (a token there would be saved and shown; tokens come from
    the environment). ``example`` shows a good one in the message."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL (e.g. {example})")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise ValueError(
            "the URL must hold no user, password, query or fragment (the token comes from "
            "the environment)"
        )
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


def check_name(name: str) -> str:
    """``name`` if it is a usable source name (lower case, digits, ``-``, ``_``)."""
    if not NAME.match(name):
        raise InputError(
            f"{name!r} is not a source name: lower-case letters, digits, '-' and '_', "
            "starting with a letter or digit",
            field="name",
        )
    return name


def read_tables(config_path: Path) -> dict[str, dict[str, Any]]:
    """The raw ``[sources.*]`` tables of ``tandem.toml`` (``{}`` when there are none)."""
    if not config_path.exists():
        return {}
    try:
        raw = tomllib.loads(config_path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML ({exc})", path=config_path) from None
    sources = raw.get("sources", {})
    if not isinstance(sources, dict):
        raise InputError("must be a table of sources", path=config_path, field="sources")
    return {str(k): v for k, v in sources.items()}


def validate(
    model: type[SourceConfig], name: str, data: dict[str, Any], path: Path | None
) -> SourceConfig:
    """``data`` as ``model``; a validation error names ``sources.<name>.<field>``."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(["sources", name, *(str(p) for p in first["loc"])])
        raise InputError(first["msg"], path=path, field=field) from None


def load_sources(config_path: Path) -> dict[str, SourceConfig]:
    """Every configured source, validated by its kind's model."""
    from tandem.sources import registry

    configs: dict[str, SourceConfig] = {}
    for name, data in read_tables(config_path).items():
        if not isinstance(data, dict):
            raise InputError("must be a table", path=config_path, field=f"sources.{name}")
        kind = registry.get(str(data.get("kind", "")), field=f"sources.{name}.kind")
        configs[name] = validate(kind.config, name, data, config_path)
    return configs


def load_source(config_path: Path, name: str) -> SourceConfig:
    """One configured source; a clear error naming the known ones if it is not configured."""
    sources = load_sources(config_path)
    if name not in sources:
        known = ", ".join(sorted(sources)) or "none"
        raise NotFoundError(f"no source {name!r} in {config_path} (configured: {known})")
    return sources[name]


def save_source(config_path: Path, name: str, config: SourceConfig) -> None:
    """Write ``[sources.<name>]`` (replacing an older one), atomically, other text untouched."""
    check_name(name)
    data = config.model_dump(mode="json", exclude_none=True, exclude_unset=True)
    block = tomli_w.dumps({"sources": {name: data}})
    text = _without_source(_text(config_path), name).rstrip("\n")
    write_atomically(config_path, f"{text}\n\n{block}" if text else block)


def remove_source(config_path: Path, name: str) -> None:
    """Delete ``[sources.<name>]`` from ``tandem.toml``; an error if it is not there."""
    if name not in read_tables(config_path):
        raise NotFoundError(f"no source {name!r} in {config_path}")
    write_atomically(config_path, _without_source(_text(config_path), name).rstrip("\n") + "\n")


def _text(config_path: Path) -> str:
    return config_path.read_text(encoding="utf-8") if config_path.exists() else ""


def _without_source(text: str, name: str) -> str:
    """``text`` without the tables ``[sources.<name>]`` and ``[sources.<name>.…]``."""
    kept: list[str] = []
    skipping = False
    for line in text.splitlines(keepends=True):
        if _ANY_HEADER.match(line):
            found = _HEADER.match(line)
            skipping = found is not None and found[1].strip("\"'") == name
        if not skipping:
            kept.append(line)
    return "".join(kept)
