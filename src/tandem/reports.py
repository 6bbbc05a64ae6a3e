"""Files Tandem writes for people (process maps, later the brief): written whole or not at all."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from tandem.errors import InputError


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder and a rename."""
    folder = path.parent if str(path.parent) else Path()
    if not folder.is_dir():
        raise InputError("folder does not exist", path=folder)
    # mkstemp makes the file private (0600); a picture replaces its old mode, or gets 0644.
    mode = path.stat().st_mode & 0o777 if path.is_file() else 0o644
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as file:
            file.write(text)
        Path(temporary).chmod(mode)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
