"""A SYNTHETIC organisation rated in several cycles, for the trend tests (service, CLI, web).

The same people, truth and rater leniency in every cycle; each cycle draws new raters and noise
(``rating_stream``), optionally with a planted true change. Written through the ORM like
``tests.profile.test_service.write_synthetic``, which makes new people for every cycle.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import insert
from sqlalchemy.orm import Session

from tandem.people.models import Person
from tandem.profile.synthetic import SyntheticOrg, generate_org
from tandem.review import service as review_service
from tandem.review.items import load_item_bank
from tandem.review.models import ReviewAssignment, ReviewResponse

PEOPLE = 24
SEED = 5
RATERS = (8, 8)


@dataclass(frozen=True)
class TrendOrg:
    """The people (synthetic id → person id) and each cycle's generated organisation."""

    ids: dict[int, int]
    cycles: dict[str, SyntheticOrg]

    def rated(self, cycle: str, ratee: int) -> dict[int, str]:
        """Person id of each rater of ``ratee`` (person id) in ``cycle`` → relation."""
        synthetic = {v: k for k, v in self.ids.items()}[ratee]
        return {self.ids[a.rater]: a.relation for a in self.cycles[cycle].answers[synthetic]}


def write_people(session: Session, org: SyntheticOrg) -> dict[int, int]:
    """The SYNTHETIC people with their managers; synthetic id → person id."""
    people = {
        p.id: Person(display_name=f"Synthetic {p.id}", email=f"synthetic{p.id}@example.invalid")
        for p in org.people
    }
    session.add_all(people.values())
    session.flush()
    for p in org.people:
        if p.manager_id is not None:
            people[p.id].manager_id = people[p.manager_id].id
    session.flush()
    return {sid: person.id for sid, person in people.items()}


def write_cycle(
    session: Session,
    name: str,
    org: SyntheticOrg,
    ids: dict[int, int],
    *,
    close: bool = True,
    bank: str = "1",
) -> None:
    """Create cycle ``name`` with the organisation's answers, closed unless ``close=False``."""
    cycle = review_service.create_cycle(session=session, name=name, item_bank_version=bank)
    found = review_service.get_cycle(session=session, name=cycle.name)
    assignments, responses = set(), []
    for ratee, answers in org.answers.items():
        for a in answers:
            assignments.add((ids[ratee], ids[a.rater], a.relation))
            responses.append(
                {
                    "cycle_id": found.id,
                    "ratee_id": ids[ratee],
                    "rater_id": ids[a.rater],
                    "relation": a.relation,
                    "item_id": a.item_id,
                    "value": a.value,
                }
            )
    session.execute(
        insert(ReviewAssignment),
        [
            {"cycle_id": found.id, "ratee_id": e, "rater_id": r, "relation": rel}
            for e, r, rel in sorted(assignments)
        ],
    )
    session.execute(insert(ReviewResponse), responses)
    session.flush()
    if close:
        review_service.close_cycle(session=session, name=name)


def write_trend_org(
    session: Session,
    cycles: dict[str, tuple[int, tuple[tuple[str, float], ...]]],
    *,
    open_cycle: str | None = None,
    banks: dict[str, str] | None = None,
) -> TrendOrg:
    """The organisation rated in each of ``cycles`` (name → (rating stream, true change)),
    closed in order; ``open_cycle`` adds one more cycle left open; ``banks``: a cycle's item
    bank version when not 1."""
    version = banks or {}
    orgs = {
        name: generate_org(
            load_item_bank(version.get(name, "1")),
            n_people=PEOPLE,
            seed=SEED,
            raters_per_person=RATERS,
            rating_stream=stream,
            true_change=change,
        )
        for name, (stream, change) in cycles.items()
    }
    ids = write_people(session, next(iter(orgs.values())))
    for name, org in orgs.items():
        write_cycle(session, name, org, ids, bank=version.get(name, "1"))
    if open_cycle is not None:
        extra = generate_org(
            load_item_bank("1"),
            n_people=PEOPLE,
            seed=SEED,
            raters_per_person=RATERS,
            rating_stream=99,
        )
        write_cycle(session, open_cycle, extra, ids, close=False)
        orgs[open_cycle] = extra
    return TrendOrg(ids, orgs)
