"""Event log files: the format from the name, gzip verified by its magic bytes, the source name."""

from __future__ import annotations

from pathlib import Path

from tandem.errors import InputError

GZIP_MAGIC = b"\x1f\x8b"
FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".xes": "xes"}


def detect_format(path: Path) -> tuple[str, bool]:
    """``(format, gzipped)`` of ``path``; ``format`` is ``csv``, ``parquet`` or ``xes``."""
    try:
        with path.open("rb") as handle:
            magic = handle.read(2)
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror or exc})", path=path) from None
    suffixes = [s.lower() for s in path.suffixes]
    gz_suffix = bool(suffixes) and suffixes[-1] == ".gz"
    if gz_suffix:
        suffixes = suffixes[:-1]
    fmt = FORMATS.get(suffixes[-1]) if suffixes else None
    if fmt is None:
        raise InputError(
            "unknown event log format (expected .csv, .csv.gz, .parquet, .xes or .xes.gz)",
            path=path,
        )
    gzipped = magic == GZIP_MAGIC
    if gz_suffix and not gzipped:
        raise InputError("named .gz but not gzip-compressed (bad magic bytes)", path=path)
    if fmt == "parquet" and gzipped:
        raise InputError("a Parquet file cannot be gzip-compressed", path=path)
    return fmt, gzipped


def default_source(path: Path) -> str:
    """The file name without its extensions: ``sepsis.csv.gz`` → ``sepsis``."""
    name = path.name
    while True:
        stem, dot, suffix = name.rpartition(".")
        if not dot or not stem or f".{suffix.lower()}" not in {*FORMATS, ".gz"}:
            return name
        name = stem
