"""Which comments of a closed cycle a reader sees, grouped by rater group (pure, no database).

A comment's text can tell who wrote it in a way a mean cannot, so comments follow rules of
their own, stricter than the scores' (:mod:`tandem.profile.groups`; docs/people-science.md,
"Comments"). Per practice, over the raters other than the ratee who left a comment on it:

* ``manager``, ``peer`` and ``report`` are each shown as a group when at least
  :data:`~tandem.profile.groups.MIN_GROUP_N` (3) of them commented, and one more when the reader
  is one of them: a reader who wrote one of 3 comments would know the other two came from the
  two others. There is no single-manager exception: a lone manager's comment is theirs, named.
* Every group below its threshold goes into one pool, ``others``, shown by the same rule (3, or 4
  with the reader inside); a pool under it is not shown. The pool never says which groups it
  holds, and no count of hidden comments is given (it would tell, e.g., that the manager wrote).
* A shown group lists its comments' texts only, in an order that depends on nothing but the texts
  and where they are shown (a hash of cycle, ratee, practice and text): never the rater, the
  relation inside a pool or the time. Each practice has its own order, so a comment's position
  does not link it to the same writer's comment on another practice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tandem.profile.groups import MIN_GROUP_N

COMMENT_GROUPS = ("manager", "peer", "report")
POOL = "others"
LABELS = {
    "manager": "managers",
    "peer": "peers",
    "report": "direct reports",
    POOL: "others (pooled; groups not named)",
}


@dataclass(frozen=True)
class StoredComment:
    """A comment as the database holds it (the rater id never leaves this module's caller)."""

    rater: int
    relation: str
    practice: str
    text: str


@dataclass(frozen=True)
class ShownGroup:
    """A group of comments a reader sees: its name, its label and the texts in shown order."""

    group: str
    label: str
    texts: tuple[str, ...]


def _order_key(salt: str, practice: str, text: str) -> tuple[str, str]:
    digest = hashlib.sha256(f"{salt}\x00{practice}\x00{text}".encode()).hexdigest()
    return digest, text


def practice_comments(
    comments: Iterable[StoredComment], practice: str, *, salt: str, viewer: int | None = None
) -> list[ShownGroup]:
    """The groups of one practice's comments that ``viewer`` may read, in group order.

    ``salt`` fixes the order of the texts (the cycle and ratee); ``viewer`` is the reader when
    they may have commented (the person a report is shared with).

    Examples
    --------
    >>> peers = [StoredComment(r, "peer", "vision", t) for r, t in ((1, "a"), (2, "b"), (3, "c"))]
    >>> [g.group for g in practice_comments(peers, "vision", salt="1:9")]
    ['peer']
    >>> practice_comments(peers, "vision", salt="1:9", viewer=2)  # 2 would know the other two
    []
    """
    by_group: dict[str, list[StoredComment]] = {g: [] for g in COMMENT_GROUPS}
    for comment in comments:
        if comment.practice == practice and comment.relation in by_group and comment.text:
            by_group[comment.relation].append(comment)
    # Groups and the pool are formed by the ratee's rule, whoever reads: a reader's view is
    # always a part of the ratee's, so two reads side by side cannot name a writer (a group
    # pooled only for a reader inside it would show the reader texts the ratee never sees).
    formed: list[tuple[str, list[StoredComment]]] = []
    pool: list[StoredComment] = []
    for group in COMMENT_GROUPS:
        found = by_group[group]
        if _enough(found, None):
            formed.append((group, found))
        else:
            pool.extend(found)
    if _enough(pool, None):
        formed.append((POOL, pool))
    # the reader then loses every group holding their own comment without one writer more
    return [
        _shown(group, found, salt, practice) for group, found in formed if _enough(found, viewer)
    ]


def _enough(comments: Sequence[StoredComment], viewer: int | None) -> bool:
    writers = {c.rater for c in comments}
    return len(writers) >= MIN_GROUP_N + (viewer is not None and viewer in writers)


def _shown(group: str, comments: Sequence[StoredComment], salt: str, practice: str) -> ShownGroup:
    texts = sorted((c.text for c in comments), key=lambda t: _order_key(salt, practice, t))
    return ShownGroup(group, LABELS[group], tuple(texts))
