"""Bot detection at ingestion: names such as ``dependabot[bot]``, noreply addresses, a deny list."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tandem.errors import InputError
from tandem.settings import BotSettings


@dataclass(frozen=True)
class BotRules:
    """Compiled bot patterns (case-insensitive)."""

    name_patterns: tuple[re.Pattern[str], ...]
    email_patterns: tuple[re.Pattern[str], ...]
    identities: frozenset[str]

    @classmethod
    def from_settings(cls, settings: BotSettings) -> BotRules:
        """Compile the workspace's bot settings; a bad pattern names its setting."""

        def compile_all(patterns: list[str], field: str) -> tuple[re.Pattern[str], ...]:
            compiled = []
            for pattern in patterns:
                try:
                    compiled.append(re.compile(pattern, re.IGNORECASE))
                except re.error as exc:
                    raise InputError(
                        f"bad regular expression {pattern!r}: {exc}", field=field
                    ) from None
            return tuple(compiled)

        return cls(
            name_patterns=compile_all(settings.name_patterns, "bots.name_patterns"),
            email_patterns=compile_all(settings.email_patterns, "bots.email_patterns"),
            identities=frozenset(key.lower() for key in settings.identities),
        )

    def is_bot(
        self, *, name: str | None, email: str | None, identity_key: str | None = None
    ) -> bool:
        """Whether an identity with this name, email or key is a bot."""
        if identity_key is not None and identity_key.lower() in self.identities:
            return True
        if name and any(p.search(name) for p in self.name_patterns):
            return True
        return bool(email) and any(p.search(email or "") for p in self.email_patterns)


DEFAULT_BOT_RULES = BotRules.from_settings(BotSettings())
