"""What a viewer may see of a person's 360 results: what that person shared with that viewer.

DESIGN §7: the ratee sees their report first and chooses what to share. Duo suggestions and team
coverage may *use* everyone's others' scores, but what they *show* about a person — exact
practice scores, leaning, which practices they cover, a pair's coverage — is shown to a viewer
only when :func:`visible_people` admits that person:

* the viewer is the person themself; or
* the person shared their report of the cycle with the viewer — the recipient person recorded
  at sharing time by :mod:`tandem.profile.sharing`, whoever their line manager is today — and the
  viewer holds a team role (leader, manager, member).

Directors, admins and the command-line operator (no person) see aggregates only: n ≥ 5 and
rounded, never one person's numbers (:mod:`tandem.profile.team`). Everything else a surface
renders about a person is a name and a qualitative reason.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from tandem.profile import sharing
from tandem.review.models import ReviewCycle

INDIVIDUAL_ROLES = frozenset({"leader", "manager", "member"})


class Viewer(BaseModel):
    """Who is looking: their person (None for the CLI operator) and their role."""

    model_config = ConfigDict(frozen=True)

    person_id: int | None = None
    role: str = "operator"

    @property
    def aggregates_only(self) -> bool:
        """Directors, admins and the operator see no individual's numbers (but their own)."""
        return self.role not in INDIVIDUAL_ROLES


OPERATOR = Viewer()


def visible_people(
    *, session: Session, cycle: ReviewCycle, people: Iterable[int], viewer: Viewer
) -> frozenset[int]:
    """Those of ``people`` whose results of ``cycle`` the viewer may see (self or shared)."""
    wanted = set(people)
    me = viewer.person_id
    if me is None:
        return frozenset()
    seen = {me} & wanted
    if viewer.aggregates_only:
        return frozenset(seen)
    # A share names its recipient person (not a role): a reorg after sharing moves nothing.
    seen |= sharing.shared_with_reader(
        session=session, cycle_id=cycle.id, reader_id=me, people=wanted - seen
    )
    return frozenset(seen)
