"""The rating form's opening time, signed: how long a rater spent before saving (speeding).

A rating page carries ``opened``: the Unix time it was rendered and an HMAC of that time, the
rater, the ratee and the cycle under the process's key (``WebConfig.csrf_key``). Its save gives
back :func:`seconds_since`, the seconds from opening to saving, or ``None`` when the field is
missing, altered, for another pair or cycle, from before a restart (another key), in the future,
or older than :data:`MAX_OPEN_SECONDS` (a tab left open over lunch says nothing about reading
speed). The rater can delay a save but never make it look faster than it was: the time is the
server's on both ends. :func:`tandem.review.quality.speeding` reads the sums.
"""

from __future__ import annotations

import hmac
import time

from tandem.web.csrf import mac

FIELD = "opened"
MAX_OPEN_SECONDS = 2 * 60 * 60


def _mac(key: bytes, rater: int, ratee: int, cycle: str, opened: int) -> str:
    # the "form-opened" prefix keeps these MACs apart from the CSRF tokens under the same key
    return mac(key, f"form-opened:{rater}:{ratee}:{cycle}:{opened}")


def sign_opened(key: bytes, *, rater: int, ratee: int, cycle: str, now: float | None = None) -> str:
    """The ``opened`` value for a form rendered ``now`` (the current time by default)."""
    opened = int(time.time() if now is None else now)
    return f"{opened}.{_mac(key, rater, ratee, cycle, opened)}"


def seconds_since(
    key: bytes, token: object, *, rater: int, ratee: int, cycle: str, now: float | None = None
) -> float | None:
    """Seconds from the signed opening to ``now``; ``None`` when the token cannot be trusted."""
    if not isinstance(token, str) or len(token) > 100:
        return None
    stamp, _, signature = token.partition(".")
    if not stamp.isdigit() or len(stamp) > 12:
        return None
    opened = int(stamp)
    if not hmac.compare_digest(signature, _mac(key, rater, ratee, cycle, opened)):
        return None
    elapsed = (time.time() if now is None else now) - opened
    if not 0 <= elapsed <= MAX_OPEN_SECONDS:
        return None
    return float(elapsed)
