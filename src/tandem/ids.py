"""Record ids as users type them: the one bound every surface checks before a lookup."""

from __future__ import annotations

# Ids are INTEGER columns: 32 bits on PostgreSQL, which refuses a larger value in a query.
MAX_ID = 2**31 - 1


def as_id(text: str) -> int | None:
    """``text`` as a record id (ASCII digits, 1 to :data:`MAX_ID`), else ``None``."""
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ID)):
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None
