"""Free-text comments per practice in a rating form: checked, warned about, stored, read back.

A rater may add one comment per practice to their answers about a colleague (never to their
self-assessment). :func:`tandem.review.forms.save_answers` stores them with the answers, in the
same transaction and by the same all-or-nothing rule. Each comment is trimmed (line ends
normalised to ``\\n``), an empty one deletes the stored comment, and one longer than
:data:`~tandem.review.models.COMMENT_MAX_CHARS` characters, or holding control characters, is
refused naming its field (``comment-<practice>``).

A new or changed comment is checked by :mod:`tandem.review.comment_checks` against the roster
(names, email addresses, handles, self-references, signatures): when any rule fires, nothing is
saved (:class:`CommentWarningsError`) until the rater confirms (``confirm_comments``) or edits
the comment. A comment saved unchanged is not checked again. The web form and the JSON API take
comments; the CSV import does not.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tandem.db.unique import insert_if_absent
from tandem.errors import ConflictError
from tandem.people.models import Person
from tandem.review.comment_checks import CommentWarning, RosterNames, comment_warnings, describe
from tandem.review.models import COMMENT_MAX_CHARS, ReviewAssignment, ReviewComment

FIELD_PREFIX = "comment-"  # the form field of a practice's comment: comment-<practice>
CONFIRM_FIELD = "confirm_comments"
_ALLOWED_CONTROLS = frozenset("\n\t")


def field_of(practice: str) -> str:
    """The form field (and error field) of a practice's comment."""
    return f"{FIELD_PREFIX}{practice}"


class CommentWarningsError(ConflictError):
    """New comments that may give their writer away; nothing was saved.

    ``warnings`` maps each comment's field to its warnings; saving again with
    ``confirm_comments`` keeps the comments as written.
    """

    def __init__(self, warnings: Mapping[str, list[CommentWarning]]) -> None:
        listed = "; ".join(f"{field}: {describe(found)}" for field, found in warnings.items())
        super().__init__(
            f"nothing was saved: {listed}. Edit the comments, or save again with "
            f"{CONFIRM_FIELD} to keep them as written"
        )
        self.warnings = {field: list(found) for field, found in warnings.items()}
        self.field = next(iter(warnings))


def normalise(value: object) -> str:
    """A comment as stored: text with ``\\n`` line ends, trimmed (``None`` is empty)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise TypeError("a comment is text")
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def parse_comments(
    raw: Mapping[str, object], practices: set[str], *, is_self: bool
) -> tuple[dict[str, str | None], dict[str, str]]:
    """Check comments ``practice → text``: the parsed comments and the problems by field."""
    parsed: dict[str, str | None] = {}
    problems: dict[str, str] = {}
    for practice, value in raw.items():
        field = field_of(practice)
        if is_self:
            problems[field] = "comments are for colleagues; the self-assessment takes none"
            continue
        if practice not in practices:
            problems[field] = "is not a practice you rate in this cycle"
            continue
        if value is not None and not isinstance(value, str):
            problems[field] = "must be text"
            continue
        text = normalise(value)
        if len(text) > COMMENT_MAX_CHARS:
            problems[field] = (
                f"is {len(text):,} characters long; a comment holds at most {COMMENT_MAX_CHARS:,}"
            )
            continue
        if any(unicodedata.category(c) == "Cc" and c not in _ALLOWED_CONTROLS for c in text):
            problems[field] = "holds a control character"
            continue
        parsed[practice] = text or None
    return parsed, problems


def stored(session: Session, assignment: ReviewAssignment) -> dict[str, ReviewComment]:
    """The rater's stored comments about the assignment's ratee, by practice."""
    rows = session.scalars(
        select(ReviewComment).where(
            ReviewComment.cycle_id == assignment.cycle_id,
            ReviewComment.ratee_id == assignment.ratee_id,
            ReviewComment.rater_id == assignment.rater_id,
        )
    )
    return {row.practice: row for row in rows}


def roster_names(session: Session) -> RosterNames:
    """The display names of everyone on the roster (no bots, no stand-ins)."""
    names = session.scalars(
        select(Person.display_name).where(Person.is_bot.is_(False), Person.stand_in.is_(False))
    )
    return RosterNames.of(names)


def check(
    session: Session,
    assignment: ReviewAssignment,
    parsed: Mapping[str, str | None],
    *,
    ratee_name: str,
) -> dict[str, list[CommentWarning]]:
    """Warnings of the new or changed comments, by field (a comment saved before is not checked)."""
    before = stored(session, assignment)
    changed = {
        p: text
        for p, text in parsed.items()
        if text is not None and (p not in before or before[p].text != text)
    }
    if not changed:
        return {}
    roster = roster_names(session)
    found: dict[str, list[CommentWarning]] = {}
    for practice, text in changed.items():
        warnings = comment_warnings(text, roster, ratee=ratee_name)
        if warnings:
            found[field_of(practice)] = warnings
    return found


def save(session: Session, assignment: ReviewAssignment, parsed: Mapping[str, str | None]) -> int:
    """Store, replace or delete the comments (``None`` deletes); how many changed."""
    before = stored(session, assignment)
    changed = 0
    for practice, text in parsed.items():
        previous = before.get(practice)
        if text is None:
            if previous is not None:
                session.execute(delete(ReviewComment).where(ReviewComment.id == previous.id))
                changed += 1
            continue
        if previous is None:
            key = {
                "cycle_id": assignment.cycle_id,
                "ratee_id": assignment.ratee_id,
                "rater_id": assignment.rater_id,
                "practice": practice,
            }
            row = {**key, "relation": assignment.relation, "text": text}
            if insert_if_absent(session, ReviewComment, row, unique=list(key)):
                changed += 1
                continue
            previous = stored(session, assignment)[practice]  # a parallel save stored one
        if previous.text != text or previous.relation != assignment.relation:
            previous.text = text
            previous.relation = assignment.relation
            changed += 1
    session.flush()
    return changed


def about(session: Session, *, cycle_id: int, ratee_id: int) -> list[tuple[int, str, str, str]]:
    """Every comment about the ratee in the cycle: (rater, relation, practice, text).

    Where the database ends for comments: :mod:`tandem.profile.comments` decides what is shown.
    """
    rows = session.execute(
        select(
            ReviewComment.rater_id,
            ReviewComment.relation,
            ReviewComment.practice,
            ReviewComment.text,
        ).where(ReviewComment.cycle_id == cycle_id, ReviewComment.ratee_id == ratee_id)
    )
    return [(int(r), str(rel), str(p), str(t)) for r, rel, p, t in rows]
