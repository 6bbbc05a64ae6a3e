"""Git identities: one key per (mailmapped) email, flagged as bots by the workspace's rules."""

from __future__ import annotations

import pyarrow as pa

from tandem.lake.schema import TABLES
from tandem.sources.bots import BotRules


def identity_key(name: str, email: str) -> str:
    """``email:<lowercased email>``, or ``name:<name>`` when the email is empty."""
    return "email:" + email.lower() if email else "name:" + name


class IdentityIndex:
    """Identities seen during one ingest, keyed by the raw ``(name, email)`` bytes git printed.

    Grows with the number of distinct people, not with history length. When one email appears
    with several names, the first seen (git log prints newest first: the current name) is kept.
    Parallel logs give each slice of history its own index and :meth:`merge` them in history
    order, so the result does not depend on which git process finished first.
    """

    def __init__(self, rules: BotRules) -> None:
        self.rules = rules
        self._by_raw: dict[tuple[bytes, bytes], str] = {}
        self.rows: dict[str, tuple[str, bool]] = {}

    def key(self, name_raw: bytes, email_raw: bytes) -> str:
        """The identity key of a name and email as git printed them (UTF-8, errors replaced)."""
        found = self._by_raw.get((name_raw, email_raw))
        if found is not None:
            return found
        name = name_raw.decode("utf-8", "replace")
        email = email_raw.decode("utf-8", "replace")
        key = identity_key(name, email)
        if key not in self.rows:
            bot = self.rules.is_bot(name=name, email=email, identity_key=key)
            self.rows[key] = (name, bot)
        self._by_raw[(name_raw, email_raw)] = key
        return key

    def merge(self, other: IdentityIndex) -> None:
        """Add the identities of ``other`` (seen later in history) that this index lacks."""
        for key, row in other.rows.items():
            self.rows.setdefault(key, row)

    def table(self) -> pa.Table:
        """All identities seen, as an ``identities`` lake table."""
        keys = list(self.rows)
        return pa.Table.from_pydict(
            {
                "identity_key": keys,
                "source": ["git"] * len(keys),
                "kind": ["email"] * len(keys),
                "display_name": [self.rows[k][0] for k in keys],
                "is_bot": [self.rows[k][1] for k in keys],
            },
            schema=TABLES["identities"].schema,
        )
