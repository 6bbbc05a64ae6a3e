"""Which kudos may leave the wall: the naming rule of the digest, the brief and stories.

The wall is the team's (its leader, manager and members see who recognised whom). Whatever
leaves it — the wins digest (JSON, Markdown, ``tandem kudos digest``), the brief, impact
stories — is forwarded, so it follows the people's own naming choice
(:func:`tandem.why.stories.consent.named_people`): a kudos is **told** (its day, text, id)
only when every one of its recipients agreed to be named, and its giver is named only when
they agreed too. Any other kudos is only **counted**: no id, day or text that could be
matched to the wall and so link a person who did not agree (``docs/why.md``, "The naming
rule").
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from tandem.why.recognition.rules import tellable
from tandem.why.recognition.schemas import KudosOut
from tandem.why.stories.consent import named_people


def told_kudos(session: Session, kudos: Sequence[KudosOut]) -> tuple[list[KudosOut], int]:
    """The kudos that may be told, their giver left out unless they agreed, and how many
    others there are (counted only)."""
    people = {p.id for k in kudos for p in k.recipients}
    people |= {k.giver.id for k in kudos if k.giver is not None}
    named = named_people(session=session, person_ids=people)
    told = [
        k.model_copy(update={"giver": k.giver if k.giver and k.giver.id in named else None})
        for k in kudos
        if tellable([p.id for p in k.recipients], named)
    ]
    return told, len(kudos) - len(told)
