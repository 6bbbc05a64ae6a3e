"""Options of one running web app, fixed when :func:`tandem.web.app.create_app` builds it."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

SESSION_COOKIE = "tandem_session"
CSRF_COOKIE = "tandem_csrf"


@dataclass(frozen=True)
class WebConfig:
    """How the app trusts its surroundings, plus the secrets that live only in this process.

    ``trust_proxy``: honour ``X-Forwarded-Proto`` and ``X-Forwarded-For`` (only behind a reverse
    proxy you run; otherwise any client could claim HTTPS or another address).
    ``setup_token``: the one-time secret of the first-run page, printed by ``tandem serve``.
    ``csrf_key``: signs the pre-session CSRF cookie of the sign-in and setup forms.
    """

    trust_proxy: bool = False
    setup_token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    csrf_key: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)
