"""Edits of ``tandem.toml`` made by Tandem itself: comments and layout kept, written atomically.

The new text is parsed and validated as :class:`~tandem.settings.Settings` would read it before
it replaces the file (written aside, fsynced, renamed over it), so a crash or a bad value leaves
the previous file.
"""

from __future__ import annotations

import os
import tempfile
import tomllib
from collections.abc import Mapping
from pathlib import Path

import tomlkit
from pydantic import ValidationError

from tandem.errors import InputError
from tandem.settings import FlowSettings


def write_source_mapping(config_path: Path, source: str, choices: Mapping[str, str]) -> None:
    """Replace ``[flow.mapping."<source>"]`` with ``"activity" = "category"`` lines."""
    try:
        text = config_path.read_text(encoding="utf-8") if config_path.exists() else ""
        document = tomlkit.parse(text)
    except (OSError, tomlkit.exceptions.TOMLKitError) as exc:
        raise InputError(f"cannot read the settings ({exc})", path=config_path) from None
    flow = document.get("flow")
    if flow is None:
        flow = tomlkit.table()
        document["flow"] = flow
    mapping = flow.get("mapping")
    if mapping is None:
        mapping = tomlkit.table(is_super_table=True)
        flow["mapping"] = mapping
    table = tomlkit.table()
    for activity, category in choices.items():
        table[activity] = category
    mapping[source] = table
    new_text = tomlkit.dumps(document)
    try:
        FlowSettings.model_validate(tomllib.loads(new_text).get("flow", {}))
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InputError(first["msg"], path=config_path, field="flow.mapping") from None
    write_atomically(config_path, new_text)


def write_atomically(path: Path, text: str) -> None:
    """``text`` into ``path`` by a rename: readers see the old file or the new, never half."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        if path.exists():
            Path(temporary).chmod(path.stat().st_mode & 0o777)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
