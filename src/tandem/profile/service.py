"""Profiles from the database: a cycle's answers → cohort statistics → a person's profile.

This is the only way a surface (CLI, web, API) gets profile numbers. It reads a cycle's answers
(:func:`tandem.review.service.answers_by_ratee`), computes the cohort statistics once
(:func:`tandem.profile.cohort.cohort_stats`) and scores ratees with the pure
:func:`tandem.profile.scoring.score_raters`. Privacy (DESIGN §7) is kept here, not in templates:

* results of an open cycle are locked (:class:`ResultsLockedError` from :func:`cycle_scores`,
  the one gate to a cycle's numbers): while answers can still change, two reads around one more
  answer would give that rater's scores by n·mean differencing; :func:`profile_view` shows
  completion counts instead (:func:`completion`), and a closed cycle takes no answers;
* a suppressed rater group leaves this layer as the string ``"suppressed"`` with no mean and no n;
* shown scores are rounded to 2 decimals here (:data:`SHOWN_DECIMALS`), JSON included; labels
  such as leaning and agreement are decided on the unrounded values;
* a profile is computed only for a person rated in the cycle (an assignment or an answer);
* the self score is included for the operator's CLI; ``include_self=False`` drops it and
  everything derived from it (self − others, blind spots, hidden strengths), for views shown to
  anyone but the ratee;
* comments per practice (:mod:`tandem.profile.comments`) are attached by
  :func:`person_profile` as texts only, per rater group of at least 3 commenters (4 with the
  reader among them), in an order that tells nothing of the writer;
* a practice's (and L's, M's) percentile among the cycle's people of the same role
  (:mod:`tandem.profile.norms`) is computed from the person's score as the viewer sees it, in
  steps of :data:`PERCENTILE_STEP`, only with a norm group of at least 10 others;
* the optional forced-ranking block is reported as counts over raters other than the person,
  only when at least 4 of them gave a block (the person it is shared with may be one of them and
  subtract their own block: 3 must remain; else ``"suppressed"``), never per rater group; the
  person's own block only with ``include_self``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tandem.errors import ConflictError, NotFoundError
from tandem.people import service as people_service
from tandem.people.models import Person
from tandem.profile import comments as profile_comments
from tandem.profile import frozen_roster, norms
from tandem.profile.answers import Answer, overuse_rater_scores, rater_scores_by_ratee
from tandem.profile.cohort import MIN_COHORT_RATEES, CohortStats, cohort_stats
from tandem.profile.groups import MIN_GROUP_N, MIN_MANAGER_GROUP_N, GroupScore
from tandem.profile.prior import Prior, estimate_prior
from tandem.profile.reliability import FLAG_BELOW, MIN_RELIABILITY_N
from tandem.profile.schemas import (
    SUPPRESSED_LABEL,
    CommentGroupOut,
    CompletionOut,
    ForcedRankingOut,
    GroupOut,
    LockedProfileOut,
    PersonRef,
    PracticeOut,
    ProfileOut,
    RankingBlockOut,
    RankingCountsOut,
    ReliabilityOut,
    ScaleOut,
    SelfTendencyOut,
    SideOut,
)
from tandem.profile.scoring import (
    ERROR_UNKNOWN,
    MIN_LABEL_RATERS,
    NOT_ENOUGH_RATERS,
    ProfileScores,
    SideScore,
    score_raters,
)
from tandem.review import comments as review_comments
from tandem.review import rankings as review_rankings
from tandem.review import service as review_service
from tandem.review.items import PRACTICE_IDS, ItemBank, load_item_bank, practices_of
from tandem.review.models import (
    CycleStatus,
    ForcedRanking,
    ReviewAssignment,
    ReviewCycle,
    ReviewResponse,
)

_SIDE_NAME = {"leader": "L", "manager": "M"}
SHOWN_DECIMALS = 2  # every score leaving this layer; finer digits only help reconstruction
MIN_RANKING_RATERS = MIN_GROUP_N + 1  # the recipient may subtract their own block
PERCENTILE_STEP = 5  # shown percentiles: a norm group of 10 moves by 10 points per person


class ResultsLockedError(ConflictError):
    """A cycle's results are asked for while it is open: they are locked until it closes."""

    def __init__(self, cycle: ReviewCycle) -> None:
        super().__init__(
            f"the results of review cycle {cycle.name!r} are locked until it is closed "
            f"(`tandem review close {cycle.name}`); until then only completion counts are shown"
        )
        self.cycle_name = cycle.name


def require_closed(cycle: ReviewCycle) -> None:
    """Refuse (:class:`ResultsLockedError`) unless the cycle is closed and its answers frozen."""
    if cycle.status != CycleStatus.CLOSED.value:
        raise ResultsLockedError(cycle)


def shown(value: float | None) -> float | None:
    """A score as it leaves the service: rounded to :data:`SHOWN_DECIMALS` places."""
    return None if value is None else round(value, SHOWN_DECIMALS)


def _shown_band(band: tuple[float, float] | None) -> tuple[float, float] | None:
    return (
        None if band is None else (round(band[0], SHOWN_DECIMALS), round(band[1], SHOWN_DECIMALS))
    )


class CycleScores:
    """One cycle's answers and cohort statistics, computed once; ratees scored on demand."""

    def __init__(
        self,
        cycle: ReviewCycle,
        bank: ItemBank,
        answers: Mapping[int, Sequence[Answer]],
        rankings: Mapping[int, Mapping[int, review_rankings.RankingBlock]] | None = None,
        roles: Mapping[int, str | None] | None = None,
    ) -> None:
        self.cycle = cycle
        self.roles = roles or {}  # norm role by person, from the frozen roster (norms.norm_role)
        self.bank = bank
        self.answers = answers
        self.rankings = rankings or {}  # forced-ranking blocks: ratee → rater → block
        try:
            # every rater's practice scores, once: the cohort, the profiles and the premise
            # split all read them
            self.rated = rater_scores_by_ratee(
                answers, bank, items_per_practice=cycle.items_per_practice
            )
            self.cohort: CohortStats = cohort_stats(answers, bank, rated=self.rated)
        except ValueError as exc:  # answers written around the import checks
            raise ConflictError(
                f"review cycle {cycle.name!r} holds unscorable answers: {exc}"
            ) from None
        self.overuse = (  # bank v2's overuse scale, scored apart from the practices
            {ratee: overuse_rater_scores(a, bank) for ratee, a in answers.items()}
            if any(bank.overuse_by_practice().values())  # v1: no overuse items, no pass
            else {}
        )
        self._scores: dict[tuple[int, int | None], ProfileScores] = {}
        self._raters: dict[int, frozenset[int]] = {}
        self._prior: tuple[Prior | None] | None = None
        self._norm_groups: dict[str, dict[str | None, list[norms.Member]]] | None = None
        self._on_bank: dict[str, CycleScores] = {}

    @property
    def ratees(self) -> tuple[int, ...]:
        """Ids of the people with at least one answer about them, ascending."""
        return tuple(sorted(self.answers))

    def scores(self, person_id: int, *, viewer: int | None = None) -> ProfileScores:
        """The pure profile of one ratee (no answers at all gives an empty profile).

        ``viewer``: who will see it, when not the ratee; a rater among the ratee's raters gets
        the groups holding their own rating only when they hide enough others. Anyone else gets
        the ratee's own profile (the same object: ``is`` tells whether the viewer's differs).
        Every surface that shows a person's numbers to someone (profile, duos, team coverage)
        asks with that someone as ``viewer``.
        """
        rated = viewer is not None and viewer != person_id and viewer in self.raters(person_id)
        key = (person_id, viewer if rated else None)
        if key not in self._scores:
            self._scores[key] = score_raters(
                self.rated.get(person_id, ()),
                self.bank,
                self.cohort,
                viewer=key[1],
                overuse=self.overuse.get(person_id, ()),
            )
        return self._scores[key]

    def prior(self) -> Prior | None:
        """The cycle's empirical-Bayes prior of true practice scores (:mod:`tandem.profile.prior`)
        from every ratee's others' scores and errors as the ratee sees them — one for every
        viewer, so coverage calls and duo matching do not depend on who looks. An aggregate over
        at least 10 people per practice; None when no practice has that many with an error."""
        if self._prior is None:
            self._prior = (
                estimate_prior(
                    (s.others_by_practice(), s.errors_by_practice())
                    for s in map(self.scores, self.ratees)
                ),
            )
        return self._prior[0]

    def norm_groups(self, figure: str) -> Mapping[str | None, Sequence[norms.Member]]:
        """Everyone's others' score on ``figure`` (a practice, ``"L"`` or ``"M"``) with its
        error, by norm role: each ratee's own profile, as duo matching uses it."""
        if self._norm_groups is None:
            own = {p: self.scores(p) for p in self.ratees}
            figures: dict[str, dict[int, tuple[float | None, float | None]]] = {
                name: {} for name in (*self.bank.by_practice(), "L", "M")
            }
            for person, pure in own.items():
                for practice, score in pure.practices.items():
                    figures[practice][person] = (score.others, score.se)
                for name, side in (("L", pure.L), ("M", pure.M)):
                    figures[name][person] = (None, None) if side is None else (side.value, side.se)
            self._norm_groups = {
                name: norms.members_by_role(values, self.roles) for name, values in figures.items()
            }
        return self._norm_groups.get(figure, {})

    def percentile(
        self, person_id: int, figure: str, score: float | None, se: float | None
    ) -> norms.Percentile | None:
        """The person's percentile on ``figure`` from ``score`` ± ``se`` (as the viewer sees
        them) among the others of their role; ``None`` without a score."""
        return norms.norm_percentile(
            person_id, score, se, self.roles.get(person_id), self.norm_groups(figure)
        )

    def on_bank(self, bank: ItemBank) -> CycleScores:
        """This cycle's answers to ``bank``'s items only, scored afresh on that bank (cohort Σ,
        rater scores, errors) — the shared items of two versions a trend compares across
        (:func:`tandem.review.items.common_bank`). Kept with these scores, by bank version, so a
        cached cycle rescores once however many steps and readers ask."""
        found = self._on_bank.get(bank.version)
        if found is None:
            ids = {item.id for item in bank.items}
            answers = {
                ratee: [a for a in given if a.item_id in ids]
                for ratee, given in self.answers.items()
            }
            found = CycleScores(self.cycle, bank, answers, roles=self.roles)
            self._on_bank[bank.version] = found
        return found

    def raters(self, person_id: int) -> frozenset[int]:
        """Who rated the person in the cycle, the person's self-assessment aside."""
        found = self._raters.get(person_id)
        if found is None:
            found = frozenset(
                a.rater for a in self.answers.get(person_id, ()) if a.relation != "self"
            )
            self._raters[person_id] = found
        return found


def resolve_cycle(*, session: Session, name: str | None) -> ReviewCycle:
    """The cycle called ``name``; when ``None``, the latest closed cycle, else the latest one."""
    if name is not None:
        return review_service.get_cycle(session=session, name=name)
    latest_closed = session.scalar(
        select(ReviewCycle)
        .where(ReviewCycle.status == CycleStatus.CLOSED.value)
        .order_by(ReviewCycle.closed_at.desc(), ReviewCycle.id.desc())
        .limit(1)
    )
    if latest_closed is not None:
        return latest_closed
    latest = session.scalar(
        select(ReviewCycle).order_by(ReviewCycle.created_at.desc(), ReviewCycle.id.desc()).limit(1)
    )
    if latest is None:
        raise NotFoundError("no review cycle yet; create one with `tandem review create NAME`")
    return latest


ScoresProvider = Callable[[Session, ReviewCycle], CycleScores]
_provider: ContextVar[ScoresProvider | None] = ContextVar("tandem_scores_provider", default=None)


@contextmanager
def scores_provider(provider: ScoresProvider) -> Iterator[None]:
    """Within the block, :func:`cycle_scores` asks ``provider`` (a cache) instead of loading.

    The web app serves every request inside one (:mod:`tandem.web.review_cache`), so the
    profile, coverage and duo pages share one computation of a cycle until its answers change;
    the provider must answer what :func:`load_cycle_scores` would.
    """
    token = _provider.set(provider)
    try:
        yield
    finally:
        _provider.reset(token)


def cycle_scores(*, session: Session, cycle: str | ReviewCycle) -> CycleScores:
    """A closed cycle's answers and cohort statistics (computed once; :func:`scores_provider`).

    The one gate to a cycle's numbers: an open cycle raises :class:`ResultsLockedError`, so
    profiles, plans, duos, coverage, team views and reliability all wait for the close.
    """
    found = (
        cycle
        if isinstance(cycle, ReviewCycle)
        else review_service.get_cycle(session=session, name=cycle)
    )
    require_closed(found)
    provider = _provider.get()
    if provider is not None:
        return provider(session, found)
    return load_cycle_scores(session=session, cycle=found)


def load_cycle_scores(*, session: Session, cycle: ReviewCycle) -> CycleScores:
    """Load a cycle's answers and compute its cohort statistics (the expensive part)."""
    bank = load_item_bank(cycle.item_bank_version)
    answers = review_service.answers_by_ratee(session=session, cycle=cycle)
    rankings = review_rankings.blocks_by_ratee(session=session, cycle=cycle)
    held = frozen_roster.roles(session=session, cycle=cycle)
    roles = {person: norms.norm_role(r) for person, r in held.items()}
    return CycleScores(cycle, bank, answers, rankings, roles)


def _cycle_by_id(session: Session, cycle_id: int) -> ReviewCycle:
    cycle = session.get(ReviewCycle, cycle_id)
    if cycle is None:  # e.g. deleted since a request found it
        raise NotFoundError(f"no review cycle {cycle_id}")
    return cycle


def cycle_state_by_id(*, session: Session, cycle_id: int) -> int:
    """:func:`cycle_state` of the cycle with id ``cycle_id`` (:class:`NotFoundError` if none)."""
    return cycle_state(session=session, cycle=_cycle_by_id(session, cycle_id))


def load_cycle_scores_by_id(*, session: Session, cycle_id: int) -> CycleScores:
    """:func:`load_cycle_scores` of the cycle with id ``cycle_id`` (:class:`NotFoundError`)."""
    return load_cycle_scores(session=session, cycle=_cycle_by_id(session, cycle_id))


def cycle_state(*, session: Session, cycle: ReviewCycle) -> int:
    """A stamp of everything :func:`load_cycle_scores` reads for ``cycle``, for in-process caches.

    It covers the cycle's own row, every answer (one added, deleted or changed in place changes
    it) and every forced-ranking row: equal stamps mean equal scores (it is a 64-bit hash of
    those rows, valid within one process). It reads the rows without building anything from
    them, so it costs a fraction of loading them; a cache checks it only when the database may
    have changed.
    """
    parts: list[tuple[object, ...]] = [
        (cycle.id, cycle.name, cycle.status, cycle.item_bank_version, cycle.closed_at)
    ]
    for model, columns in (
        (ReviewResponse, ("ratee_id", "rater_id", "relation", "item_id", "value")),
        (ForcedRanking, ("ratee_id", "rater_id", "practice", "kind", "rank")),
    ):
        rows = session.execute(
            select(model.id, *(getattr(model, c) for c in columns))
            .where(model.cycle_id == cycle.id)
            .order_by(model.id)
        )
        parts.append(tuple(map(tuple, rows)))
    return hash(tuple(parts))


def is_ratee(*, session: Session, cycle: ReviewCycle, person_id: int) -> bool:
    """Whether the person is rated in the cycle: assigned raters or answers about them."""
    for model in (ReviewAssignment, ReviewResponse):
        hit = session.scalar(
            select(model.id).where(model.cycle_id == cycle.id, model.ratee_id == person_id).limit(1)
        )
        if hit is not None:
            return True
    return False


def completion(*, session: Session, cycle: ReviewCycle, person_id: int) -> CompletionOut:
    """How many of the person's raters (self aside) have started and submitted, in one total.

    The counts come from :func:`tandem.review.completion.pair_progress` (the admins' per-group
    view counts the same raters); one total, never per group or per rater.
    """
    from tandem.review import completion as review_completion  # it imports profile.groups

    progress = review_completion.pair_progress(session=session, cycle=cycle, ratee_id=person_id)
    raters = {rater: p for (_, rater), p in progress.items() if rater != person_id}
    answered = set(
        session.scalars(
            select(ReviewResponse.rater_id)
            .where(ReviewResponse.cycle_id == cycle.id, ReviewResponse.ratee_id == person_id)
            .group_by(ReviewResponse.rater_id)
            .having(func.count() > 0)
        )
    )  # answers imported without an assignment count too, as they always did
    own = progress.get((person_id, person_id))
    return CompletionOut(
        raters_invited=len(raters.keys() | (answered - {person_id})),
        raters_answered=len(answered - {person_id}),
        raters_submitted=sum(p.submitted for p in raters.values()),
        self_answered=person_id in answered or bool(own and own.started),
    )


def locked_profile(
    *, session: Session, person: Person, cycle: ReviewCycle, include_self: bool = True
) -> LockedProfileOut:
    """What anyone sees of a profile in an open cycle: completion counts and why.

    Whether the person started their self-assessment is theirs alone (``include_self``).
    """
    done = completion(session=session, cycle=cycle, person_id=person.id)
    if not include_self:
        done = done.model_copy(update={"self_answered": None})
    return LockedProfileOut(
        person=PersonRef(id=person.id, name=person.display_name, email=person.email),
        cycle=cycle.name,
        completion=done,
        notes=[
            "results are locked until the cycle is closed: while answers can still change, "
            "two looks before and after one more answer would reveal that rater's scores",
        ],
    )


def profile(*, session: Session, person: str, cycle: str, include_self: bool = True) -> ProfileOut:
    """A person's profile in a closed cycle; person by id, email or identity key."""
    found_cycle = review_service.get_cycle(session=session, name=cycle)
    found_person = people_service.find_person(session=session, ref=person)
    return person_profile(
        session=session, person=found_person, cycle=found_cycle, include_self=include_self
    )


def profile_view(
    *,
    session: Session,
    person: Person,
    cycle: ReviewCycle,
    include_self: bool = True,
    viewer_id: int | None = None,
) -> ProfileOut | LockedProfileOut:
    """The profile in a closed cycle, else the locked view with completion counts only.

    ``viewer_id``: the person who will read it, when not the ratee (see :func:`profile_out`).
    """
    _require_ratee(session, person, cycle)
    if cycle.status != CycleStatus.CLOSED.value:
        return locked_profile(
            session=session, person=person, cycle=cycle, include_self=include_self
        )
    return person_profile(
        session=session,
        person=person,
        cycle=cycle,
        include_self=include_self,
        viewer_id=viewer_id,
    )


def _require_ratee(session: Session, person: Person, cycle: ReviewCycle) -> None:
    if not is_ratee(session=session, cycle=cycle, person_id=person.id):
        raise NotFoundError(
            f"{person.display_name} (id {person.id}) is not rated in review cycle {cycle.name!r}"
        )


def person_profile(
    *,
    session: Session,
    person: Person,
    cycle: ReviewCycle,
    include_self: bool = True,
    viewer_id: int | None = None,
) -> ProfileOut:
    """A found person's profile in a closed cycle; :class:`NotFoundError` if not rated there.

    An open cycle raises :class:`ResultsLockedError` (see :func:`profile_view`).
    """
    _require_ratee(session, person, cycle)
    scores = cycle_scores(session=session, cycle=cycle)
    out = profile_out(scores, person, include_self=include_self, viewer_id=viewer_id)
    shown = practice_comments(session=session, cycle=cycle, person=person, viewer_id=viewer_id)
    return out.model_copy(update={"comments": shown})


def practice_comments(
    *, session: Session, cycle: ReviewCycle, person: Person, viewer_id: int | None = None
) -> dict[str, list[CommentGroupOut]]:
    """The comments about ``person`` that the reader may see, by practice (closed cycles only).

    ``viewer_id`` is the reader when not the ratee; who may read a report at all is decided by
    the caller (:mod:`tandem.profile.visibility`), as for the numbers.
    """
    require_closed(cycle)
    stored = [
        profile_comments.StoredComment(rater, relation, practice, text)
        for rater, relation, practice, text in review_comments.about(
            session, cycle_id=cycle.id, ratee_id=person.id
        )
        if rater != person.id
    ]
    salt = f"{cycle.id}:{person.id}"
    viewer = None if viewer_id == person.id else viewer_id
    out: dict[str, list[CommentGroupOut]] = {}
    for practice in PRACTICE_IDS:
        groups = profile_comments.practice_comments(stored, practice, salt=salt, viewer=viewer)
        if groups:
            out[practice] = [
                CommentGroupOut(group=g.group, label=g.label, comments=list(g.texts))
                for g in groups
            ]
    return out


def profile_out(
    scores: CycleScores, person: Person, *, include_self: bool = True, viewer_id: int | None = None
) -> ProfileOut:
    """The JSON-ready profile of one ratee from an already loaded cycle.

    ``viewer_id`` is who reads it when not the ratee (the person it is shared with): if they
    rated the ratee themselves, a group holding their rating is shown only when it still hides
    3 others after they subtract their own answers.
    """
    pure = scores.scores(person.id, viewer=viewer_id)
    cohort = scores.cohort
    forced = forced_ranking_out(
        scores.rankings.get(person.id, {}), person.id, include_self=include_self
    )
    notes = _notes(pure, cohort, include_self=include_self)
    if forced.others == SUPPRESSED_LABEL:
        notes.append(
            "forced ranking suppressed: it needs the optional block from at least "
            f"{MIN_RANKING_RATERS} raters other than the person"
        )
    # percentiles from the scores as this viewer sees them (their own group may be withheld)
    pct = {p: scores.percentile(person.id, p, s.others, s.se) for p, s in pure.practices.items()}
    for name, side in (("L", pure.L), ("M", pure.M)):
        pct[name] = (
            None if side is None else scores.percentile(person.id, name, side.value, side.se)
        )
    notes += _norm_notes(pct.values())
    practices = {}
    for practice, score in pure.practices.items():
        groups: dict[str, GroupOut | str] = {
            name: GroupOut(mean=round(g.mean, SHOWN_DECIMALS), n=g.n, label=g.label)
            if isinstance(g, GroupScore)
            else SUPPRESSED_LABEL
            for name, g in score.groups.items()
        }
        practices[practice] = PracticeOut.model_validate(
            {
                "side": _side_of(practice),
                "self_score": shown(score.self) if include_self else None,
                "others": shown(score.others),
                "groups": groups,
                "band": _shown_band(score.band),
                "se": shown(score.se),
                "n_raters": score.n_raters,
                "difference": shown(score.difference) if include_self else None,
                "relative_difference": shown(score.relative_difference) if include_self else None,
                "relative_threshold": shown(score.relative_threshold) if include_self else None,
                "agreement": score.agreement if include_self else None,
                "agreement_reason": score.agreement_reason if include_self else None,
                "overuse": shown(score.overuse),
                "overuse_n_raters": score.overuse_n_raters,
                **_percentile_fields(pct[practice]),
            }
        )
    tendency = pure.self_tendency
    return ProfileOut(
        person=PersonRef(id=person.id, name=person.display_name, email=person.email),
        cycle=scores.cycle.name,
        item_bank_version=scores.bank.version,
        n_ratees=cohort.n_ratees,
        practices=practices,
        L=_side_out(pure.L, pct["L"]),
        M=_side_out(pure.M, pct["M"]),
        leaning=pure.leaning,
        leaning_difference=shown(pure.leaning_difference),
        leaning_threshold=shown(pure.leaning_threshold),
        leaning_se=shown(pure.leaning_se),
        leaning_n_raters=pure.leaning_n_raters,
        leaning_effective_raters=_one_decimal(pure.leaning_effective_raters),
        leaning_reason=pure.leaning_reason,
        rater_sets_differ=pure.rater_sets_differ,
        blind_spots=list(pure.blind_spots) if include_self else [],
        hidden_strengths=list(pure.hidden_strengths) if include_self else [],
        self_tendency=None
        if tendency is None or not include_self
        else SelfTendencyOut(
            value=round(tendency.value, SHOWN_DECIMALS),
            se=shown(tendency.se),
            threshold=shown(tendency.threshold),
            label=tendency.label,
            practices=tendency.practices,
            reason=tendency.reason,
            effective_raters=_one_decimal(tendency.effective_raters),
        ),
        self_included=include_self,
        forced_ranking=forced,
        notes=notes,
    )


def forced_ranking_out(
    blocks: Mapping[int, review_rankings.RankingBlock], person_id: int, *, include_self: bool
) -> ForcedRankingOut:
    """Others' forced-ranking counts (suppressed under 4 raters) and, optionally, the own block."""
    counts = review_rankings.others_counts(blocks, ratee=person_id)
    own = blocks.get(person_id) if include_self else None
    return ForcedRankingOut(
        others=SUPPRESSED_LABEL
        if counts.raters < MIN_RANKING_RATERS
        else RankingCountsOut(
            raters=counts.raters,
            practices={
                p: {"strongest": counts.strongest[p], "weakest": counts.weakest[p]}
                for p in counts.strongest
            },
        ),
        self_block=None
        if own is None
        else RankingBlockOut(strongest=list(own.strongest), weakest=list(own.weakest)),
    )


def _side_out(side: SideScore | None, percentile: norms.Percentile | None) -> SideOut | None:
    if side is None:
        return None
    return SideOut(
        value=round(side.value, SHOWN_DECIMALS),
        band=_shown_band(side.band),
        se=shown(side.se),
        n_raters=side.n_raters,
        **_percentile_fields(percentile),
    )


def _percentile_fields(found: norms.Percentile | None) -> dict[str, Any]:
    """A percentile as it leaves the service: in steps of :data:`PERCENTILE_STEP`, the band
    widened outward to them (no finer step tells how many of the group scored below)."""
    if found is None:
        return {}
    fields: dict[str, Any] = {"norm_group": found.group, "percentile_reason": found.reason}
    if found.value is not None and found.band is not None:
        step = PERCENTILE_STEP
        lo = step * math.floor(found.band[0] / step + 1e-9)
        hi = step * math.ceil(found.band[1] / step - 1e-9)
        fields["percentile"] = min(hi, max(lo, step * round(found.value / step)))
        fields["percentile_band"] = (lo, hi)
    return fields


def _side_of(practice: str) -> str:
    return "leader" if practice in practices_of("leader") else "manager"


def _norm_notes(found: Iterable[norms.Percentile | None]) -> list[str]:
    """What the percentiles in role mean, and each reason a group was changed or missing."""
    shown_any = [p for p in found if p is not None]
    if not shown_any:
        return []
    notes = [
        "pct in role: where others' score stands among the cycle's other people of the same "
        f"role (at least {norms.MIN_NORM_GROUP}), in steps of {PERCENTILE_STEP}, with a 95 % "
        "band from every score's error"
    ]
    for why in dict.fromkeys(p.note or p.reason for p in shown_any):
        if why is not None and why != norms.ERROR_UNKNOWN:
            notes.append(f"pct in role: {why}")
    if any(p.reason == norms.ERROR_UNKNOWN for p in shown_any):
        notes.append("pct in role unknown: the cycle's rater error could not be estimated")
    return notes


def _notes(pure: ProfileScores, cohort: CohortStats, *, include_self: bool) -> list[str]:
    """Plain-language explanations of every null and label in the profile."""
    notes = []
    if any(
        not isinstance(g, GroupScore) for s in pure.practices.values() for g in s.groups.values()
    ):
        notes.append(
            f"groups marked suppressed had too few raters: peers or reports under {MIN_GROUP_N} "
            "are pooled into 'others', itself shown only with at least "
            f"{MIN_GROUP_N}; 2 to {MIN_MANAGER_GROUP_N - 1} managers are neither shown nor "
            "pooled (only a single manager is shown alone)"
        )
    for side in ("leader", "manager"):
        value = pure.L if side == "leader" else pure.M
        if value is None:
            missing = [p for p in practices_of(side) if pure.practices[p].others is None]
            notes.append(
                f"{_SIDE_NAME[side]} unknown: it needs others' scores on all five {side} "
                f"practices (missing: {', '.join(missing)})"
            )
    if cohort.n_ratees < MIN_COHORT_RATEES:
        notes.append(
            f"the cycle has {cohort.n_ratees} ratee(s); bands, leaning and blind spots need the "
            f"rater spread of at least {MIN_COHORT_RATEES}, so they are unknown"
        )
    elif pure.leaning_reason == ERROR_UNKNOWN:
        notes.append(
            "leaning unknown: the cycle's rater error could not be estimated (it needs at least "
            f"{MIN_COHORT_RATEES} ratees with two or more raters on every practice)"
        )
    effective = pure.leaning_effective_raters
    if pure.leaning_reason == NOT_ENOUGH_RATERS and pure.leaning_difference is not None:
        notes.append(
            f"leaning: not enough raters — L − M = {pure.leaning_difference:+.2f} carries the "
            f"information of {effective or 0:.1f} raters (as few as "
            f"{_raters(pure.leaning_n_raters)} behind a practice); a leaning label needs at least "
            f"{MIN_LABEL_RATERS}"
        )
    elif pure.leaning is not None and pure.leaning_difference is not None:
        verdict = "is within" if pure.leaning == "balanced" else "exceeds"
        notes.append(
            f"{pure.leaning}: L − M = {pure.leaning_difference:+.2f} {verdict} the measurement "
            f"error (±{pure.leaning_threshold:.2f}, from {_raters(pure.leaning_n_raters)} or "
            "more per practice)"
        )
    if pure.rater_sets_differ:
        notes.append(
            "L − M compares different rater mixes: not every rater behind the shown figures "
            "scored all ten practices (or a group is shown on some practices only); the error "
            "of L − M allows for it"
        )
    tendency = pure.self_tendency
    if include_self and tendency is not None:
        if tendency.label in ("higher", "lower"):
            notes.append(
                f"overall you rate yourself {tendency.label} than others do, by "
                f"{abs(tendency.value):.2f} on average over {tendency.practices} practices "
                f"(beyond the error ±{tendency.threshold:.2f}); blind spots and hidden "
                "strengths are judged after taking this out"
            )
        elif tendency.label == "in line":
            notes.append(
                f"overall you rate yourself in line with others (mean difference "
                f"{tendency.value:+.2f}, within the error ±{tendency.threshold:.2f})"
            )
        thin = [p for p, s in pure.practices.items() if s.agreement_reason == NOT_ENOUGH_RATERS]
        if thin:
            notes.append(
                f"blind spots and hidden strengths need at least {MIN_LABEL_RATERS} raters "
                f"behind others' score; not enough raters on: {', '.join(thin)}"
            )
    if not include_self:
        notes.append("self ratings left out: blind spots and hidden strengths are not shown")
    return notes


def _one_decimal(value: float | None) -> float | None:
    """An effective number of raters as shown: one decimal (a count, not a score)."""
    return None if value is None else round(value, 1)


def _raters(n: int) -> str:
    return f"{n} rater{'' if n == 1 else 's'}"


def reliability(*, session: Session, cycle: str) -> ReliabilityOut:
    """Per practice Cronbach's α, McDonald's ω, corrected item–total r, N and the flag."""
    scores = cycle_scores(session=session, cycle=cycle)
    report = scores.cohort.reliability
    return ReliabilityOut(
        cycle=scores.cycle.name,
        item_bank_version=scores.bank.version,
        min_n=MIN_RELIABILITY_N,
        flag_below=FLAG_BELOW,
        practices={
            p: ScaleOut(
                n=r.n,
                k=r.k,
                alpha=r.alpha,
                omega=r.omega,
                item_total=dict(r.item_total),
                flagged=r.flagged,
                omega_undefined=r.omega_undefined,
            )
            for p, r in report.items()
        },
        flagged=[p for p, r in report.items() if r.flagged],
    )
