"""Credentials from the environment, and the redaction that keeps them out of every message.

A source's configuration names the environment variable that holds its token (``token_env``);
the token itself is read when a client is made and lives only in the request headers.
"""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from tandem.errors import InputError

REDACTED = "***"
# query parameters that carry credentials in some APIs (GitLab, old GitHub)
_SECRET_PARAMS = re.compile(r"(token|secret|password|key|signature|sig)$", re.IGNORECASE)


@dataclass(frozen=True, repr=False)
class Credentials:
    """Headers to send with every request, and the secret values they hold."""

    headers: Mapping[str, str] = field(default_factory=dict)
    secrets: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return f"Credentials({', '.join(self.headers) or 'anonymous'}: {REDACTED})"

    @classmethod
    def anonymous(cls) -> Credentials:
        """No credentials (public data, the replay server)."""
        return cls()

    @classmethod
    def bearer(cls, token_env: str, *, environ: Mapping[str, str] | None = None) -> Credentials:
        """``Authorization: Bearer <token>`` (GitHub, GitLab, Jira Data Center tokens)."""
        token = read_token(token_env, environ=environ)
        return cls(headers={"Authorization": f"Bearer {token}"}, secrets=(token,))

    @classmethod
    def header(
        cls, name: str, token_env: str, *, environ: Mapping[str, str] | None = None
    ) -> Credentials:
        """The token in a header of its own (GitLab's ``PRIVATE-TOKEN``)."""
        token = read_token(token_env, environ=environ)
        return cls(headers={name: token}, secrets=(token,))

    @classmethod
    def basic(
        cls, user: str, token_env: str, *, environ: Mapping[str, str] | None = None
    ) -> Credentials:
        """``Authorization: Basic`` of ``user`` and the token (Jira Cloud: email + API token)."""
        if not user:
            raise InputError("basic authentication needs a user", field="user")
        token = read_token(token_env, environ=environ)
        encoded = base64.b64encode(f"{user}:{token}".encode()).decode("ascii")
        return cls(headers={"Authorization": f"Basic {encoded}"}, secrets=(token, encoded))


ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
# Prefixes of the tokens users paste by mistake where the variable's name belongs (GitHub,
# GitLab, Atlassian): refused, so that the token is never saved, shown or echoed.
TOKEN_PREFIXES = ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "glpat-", "ATATT")


def token_env_problem(token_env: str | None) -> str | None:
    """Why ``token_env`` is not the name of an environment variable, else ``None``; the message
    never repeats the value (a token pasted there by mistake must not be echoed)."""
    if not token_env:
        return "give the name of the environment variable that holds the token"
    if token_env.startswith(TOKEN_PREFIXES):
        return (
            "this looks like a token itself: put the token in an environment variable and give "
            "that variable's name (e.g. GITHUB_TOKEN)"
        )
    if not ENV_NAME.fullmatch(token_env):
        return (
            "not the name of an environment variable (letters, digits and '_', not starting "
            "with a digit, at most 64 characters)"
        )
    return None


def read_token(
    token_env: str,
    *,
    environ: Mapping[str, str] | None = None,
    field: str = "token_env",
    path: str | None = None,
) -> str:
    """The token in the environment variable ``token_env``; an error naming ``field`` and the
    variable (never a value) if it is unset or empty."""
    env = os.environ if environ is None else environ
    problem = token_env_problem(token_env)
    if problem:
        raise InputError(problem, path=path, field=field)
    token = env.get(token_env, "").strip()
    if not token:
        raise InputError(
            f"the environment variable {token_env} (which holds the token) is not set",
            path=path,
            field=field,
        )
    return token


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    """``text`` with every secret value and credential-looking query parameter masked."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return re.sub(
        r"(?i)\b((?:access_|private_)?token|password|secret)=([^&\s#]+)", rf"\1={REDACTED}", text
    )


def redact_url(url: str, secrets: tuple[str, ...] = ()) -> str:
    """``url`` without user info and with credential query parameters masked."""
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    query = urlencode(
        [
            (name, REDACTED if _SECRET_PARAMS.search(name) else value)
            for name, value in parse_qsl(parts.query, keep_blank_values=True)
        ],
        safe="/:,=<>",
    )
    return redact(urlunsplit((parts.scheme, netloc, parts.path, query, "")), secrets)
