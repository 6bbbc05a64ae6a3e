"""SYNTHETIC organisations and 360 answers with KNOWN latent truth, for tests and the demo.

Everything here is synthetic: invented people with invented leader (L) and manager (M) latent
traits. Nothing describes a real person. The model, per person:

* latent (L*, M*) ~ bivariate normal, means 0, SDs 1, correlation ``correlation`` (default .6:
  the two sides correlate strongly in real data);
* true practice score t_p = ``centre`` + ``trait_loading``·(L* for leader practices, M* for
  manager practices) + ``practice_sd``·e_p, e_p ~ N(0, 1) independent per practice;
* true L = mean of the five leader t_p, true M likewise; the **true leaning** is
  "leader-leaning" when true L − true M > ``leaning_margin``, "manager-leaning" when it is below
  −``leaning_margin``, otherwise "balanced";
* a rating = t_p + rater leniency (one per rater, N(0, ``leniency_sd``), shared by all that rater's
  ratings) + rater×practice view (N(0, ``view_sd``), one per rater, ratee and practice) + item
  noise (N(0, ``noise_sd``)) + halo (N(0, ``halo_sd``), one per rater and ratee, shared by every
  practice of both sides: the rater's general impression of that person); self ratings add
  ``self_bias``. Rounded and clipped to 1–5, then
  stored reverse-scored (6 − x) for reverse-keyed items, as a rater would have answered;
* each answer is "can't observe" (``None``) with probability ``missing_rate``;
* ``self_bias_practices`` (default none) adds a practice-specific self-bias on top of
  ``self_bias``: a planted blind spot, e.g. ``(("vision", 1.0),)``.

Organisation: teams of ``team_size`` (one lead, the rest members reporting to the lead); the lead
of team 0 heads the organisation and the other leads report to them. Raters of a person: self,
their manager, up to ``max_peers`` peers (teammates; for a lead, the other leads except their
manager and reports) and, for leads,
up to ``max_reports`` direct reports.

``raters_per_person=(lo, hi)`` (default ``None``: the org chart above) instead gives every person
a number of other raters drawn uniformly from lo–hi: their manager first (when they have one),
then colleagues drawn at random from everyone else, each a ``peer`` or a ``report`` with equal
chance (synthetic: the org chart does not constrain them). Its randomness comes from a separate
generator, so the defaults keep every existing seed's output unchanged.

Re-rating the same people (trends, :mod:`tandem.profile.trends`): with ``raters_per_person``
set, the answers have their own random stream, so ``rating_stream=k`` (k ≠ 0) draws new raters,
views and noise for the same seed's people, truth and rater leniency — a later review cycle of
the same organisation; ``true_change=(("vision", 0.5),)`` adds a planted true change to those
practices' true scores (everyone's), after the truth is drawn.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from tandem.profile.answers import Answer
from tandem.review.items import ItemBank, practices_of

_HALO_STREAM = 0x4A10  # the halo's random stream: default_rng([seed, _HALO_STREAM])


@dataclass(frozen=True)
class SyntheticParams:
    """Knobs of the SYNTHETIC generator; see the module docstring for the model."""

    n_people: int = 300
    team_size: int = 6
    correlation: float = 0.6
    centre: float = 3.3
    trait_loading: float = 0.6
    practice_sd: float = 0.25
    leniency_sd: float = 0.3
    view_sd: float = 0.3
    noise_sd: float = 0.6
    self_bias: float = 0.2
    missing_rate: float = 0.08
    max_peers: int = 4
    max_reports: int = 6
    leaning_margin: float = 0.25
    halo_sd: float = 0.0  # 0: no halo, and the random stream is the one without the parameter
    raters_per_person: tuple[int, int] | None = None
    self_bias_practices: tuple[tuple[str, float], ...] = ()
    rating_stream: int = 0  # ≠ 0: another cycle's answers (needs ``raters_per_person``)
    true_change: tuple[tuple[str, float], ...] = ()  # added to the true practice scores


@dataclass(frozen=True)
class SyntheticPerson:
    """A SYNTHETIC person: id, team index, manager id (None for the head) and role."""

    id: int
    team: int
    manager_id: int | None
    role: str  # "lead" | "member"


@dataclass(frozen=True)
class LatentTruth:
    """The KNOWN truth of a SYNTHETIC person: latent traits, true scores and true leaning."""

    person: int
    latent_l: float
    latent_m: float
    practices: Mapping[str, float]
    L: float
    M: float
    leaning: str


@dataclass(frozen=True)
class SyntheticOrg:
    """A SYNTHETIC organisation: people, their known truth and every ratee's answers."""

    params: SyntheticParams
    seed: int
    people: tuple[SyntheticPerson, ...]
    truth: Mapping[int, LatentTruth]
    answers: Mapping[int, tuple[Answer, ...]] = field(repr=False)
    leniency: Mapping[int, float] = field(default_factory=dict, repr=False)  # as a rater


def true_leaning(true_l: float, true_m: float, margin: float) -> str:
    """The stated truth rule: lean when |true L − true M| exceeds ``margin``, else balanced."""
    if true_l - true_m > margin:
        return "leader-leaning"
    if true_m - true_l > margin:
        return "manager-leaning"
    return "balanced"


def _people(params: SyntheticParams) -> tuple[SyntheticPerson, ...]:
    people = []
    lead_of: dict[int, int] = {}
    for pid in range(params.n_people):
        team = pid // params.team_size
        if pid % params.team_size == 0:
            lead_of[team] = pid
            manager = None if team == 0 else lead_of[0]
            people.append(SyntheticPerson(pid, team, manager, "lead"))
        else:
            people.append(SyntheticPerson(pid, team, lead_of[team], "member"))
    return tuple(people)


def _raters(
    person: SyntheticPerson, people: tuple[SyntheticPerson, ...], params: SyntheticParams
) -> list[tuple[int, str]]:
    raters: list[tuple[int, str]] = [(person.id, "self")]
    if person.manager_id is not None:
        raters.append((person.manager_id, "manager"))
    if person.role == "lead":
        reports = [p.id for p in people if p.manager_id == person.id]
        peers = [
            p.id
            for p in people
            if p.role == "lead" and p.id not in (person.id, person.manager_id, *reports)
        ]
    else:
        peers = [
            p.id for p in people if p.team == person.team and p.role == "member" and p != person
        ]
        reports = []
    raters += [(r, "peer") for r in peers[: params.max_peers]]
    raters += [(r, "report") for r in reports[: params.max_reports]]
    return raters


def generate_org(
    bank: ItemBank, *, seed: int = 0, params: SyntheticParams | None = None, **overrides: Any
) -> SyntheticOrg:
    """A seeded SYNTHETIC organisation with known latent truth and 360 answers.

    ``overrides`` replace fields of ``params`` (e.g. ``n_people=60, correlation=0.3``).

    Examples
    --------
    >>> from tandem.review.items import load_item_bank
    >>> org = generate_org(load_item_bank("1"), n_people=12, seed=7)
    >>> len(org.people), org.truth[0].leaning in ("leader-leaning", "manager-leaning", "balanced")
    (12, True)
    """
    params = replace(params or SyntheticParams(), **overrides)
    if params.rating_stream and params.raters_per_person is None:
        raise ValueError("rating_stream needs raters_per_person (the answers' own stream)")
    rng = np.random.default_rng(seed)
    shift = dict(params.true_change)
    people = _people(params)
    by_practice = bank.by_practice()
    if unknown := sorted(set(shift) - set(by_practice)):
        raise ValueError(f"true_change: unknown practice(s) {', '.join(unknown)}")
    side_of = {p: side for side in ("leader", "manager") for p in practices_of(side)}
    rho = params.correlation
    latent = rng.multivariate_normal([0.0, 0.0], [[1.0, rho], [rho, 1.0]], size=len(people))
    truth: dict[int, LatentTruth] = {}
    for person, (lat_l, lat_m) in zip(people, latent, strict=True):
        true_scores = {
            p: params.centre
            + params.trait_loading * (lat_l if side_of[p] == "leader" else lat_m)
            + params.practice_sd * float(rng.standard_normal())
            for p in by_practice
        }
        for p, delta in shift.items():  # after the draws: the random stream is unchanged
            true_scores[p] += delta
        true_l = float(np.mean([true_scores[p] for p in practices_of("leader")]))
        true_m = float(np.mean([true_scores[p] for p in practices_of("manager")]))
        truth[person.id] = LatentTruth(
            person=person.id,
            latent_l=float(lat_l),
            latent_m=float(lat_m),
            practices=true_scores,
            L=true_l,
            M=true_m,
            leaning=true_leaning(true_l, true_m, params.leaning_margin),
        )
    leniency = rng.normal(0.0, params.leniency_sd, size=len(people))
    # the halo has its own stream, drawn only when asked for: with halo_sd = 0 every existing
    # seed gives the same organisation, answer for answer, as before the parameter existed
    halo_rng = np.random.default_rng([seed, _HALO_STREAM]) if params.halo_sd > 0 else None
    planted = dict(params.self_bias_practices)
    if params.raters_per_person is not None:
        drawn = _drawn_raters_answers(bank, people, truth, leniency, params, seed, halo_rng)
        return SyntheticOrg(params, seed, people, truth, drawn, _leniency(leniency))
    answers: dict[int, tuple[Answer, ...]] = {}
    for person in people:
        rows: list[Answer] = []
        for rater, relation in _raters(person, people, params):
            bias = leniency[rater] + (params.self_bias if relation == "self" else 0.0)
            if halo_rng is not None:
                bias += float(halo_rng.normal(0.0, params.halo_sd))
            for practice, items in by_practice.items():
                extra = planted.get(practice, 0.0) if relation == "self" else 0.0
                view = rng.normal(0.0, params.view_sd) + extra
                for item in items:
                    if not item.rated_by(relation):  # routed away (bank v2): never asked
                        continue
                    raw = truth[person.id].practices[practice] + bias + view
                    raw += rng.normal(0.0, params.noise_sd)
                    # round half to even, as np.rint; clipped to 1–5 without numpy's per-call cost
                    value = min(5, max(1, round(raw)))
                    if item.reverse:
                        value = 6 - value
                    missing = rng.random() < params.missing_rate
                    rows.append(Answer(rater, relation, item.id, None if missing else value))
        answers[person.id] = tuple(rows)
    return SyntheticOrg(params, seed, people, truth, answers, _leniency(leniency))


def _leniency(values: np.ndarray[Any, np.dtype[np.float64]]) -> dict[int, float]:
    return {person: float(v) for person, v in enumerate(values)}


def _drawn_raters(
    person: SyntheticPerson, n_people: int, count: int, rng: np.random.Generator
) -> list[tuple[int, str]]:
    """Self, the manager (if any) and colleagues drawn at random, ``count`` others in all."""
    raters: list[tuple[int, str]] = [(person.id, "self")]
    if person.manager_id is not None:
        raters.append((person.manager_id, "manager"))
    taken = {r for r, _ in raters}
    pool = np.array([p for p in range(n_people) if p not in taken])
    drawn = rng.choice(pool, size=min(count - (len(raters) - 1), len(pool)), replace=False)
    relations = rng.integers(0, 2, size=len(drawn))
    raters += [(int(r), ("peer", "report")[int(k)]) for r, k in zip(drawn, relations, strict=True)]
    return raters[: count + 1]


def _drawn_raters_answers(
    bank: ItemBank,
    people: tuple[SyntheticPerson, ...],
    truth: Mapping[int, LatentTruth],
    leniency: np.ndarray[Any, np.dtype[np.float64]],
    params: SyntheticParams,
    seed: int,
    halo_rng: np.random.Generator | None = None,
) -> dict[int, tuple[Answer, ...]]:
    """The answers when ``raters_per_person`` is set: the same rating model, vectorised, with
    its own generator (the default path's random stream is untouched); the halo, when asked
    for, from its own stream as on the default path."""
    assert params.raters_per_person is not None
    lo, hi = params.raters_per_person
    if not 1 <= lo <= hi:
        raise ValueError(f"raters_per_person must be 1 ≤ lo ≤ hi, not {params.raters_per_person}")
    rng = np.random.default_rng(
        [seed, 1] if not params.rating_stream else [seed, 1, params.rating_stream]
    )
    by_practice = bank.by_practice()
    names = list(by_practice)
    items = [item for p in names for item in by_practice[p]]
    item_practice = np.array([names.index(item.practice) for item in items])
    reverse = np.array([item.reverse for item in items])
    planted = dict(params.self_bias_practices)
    extra = np.array([planted.get(p, 0.0) for p in names])
    answers: dict[int, tuple[Answer, ...]] = {}
    for person in people:
        count = int(rng.integers(lo, hi + 1))
        raters = _drawn_raters(person, len(people), count, rng)
        is_self = np.array([relation == "self" for _, relation in raters])
        bias = leniency[[r for r, _ in raters]] + np.where(is_self, params.self_bias, 0.0)
        if halo_rng is not None:
            bias = bias + halo_rng.normal(0.0, params.halo_sd, size=len(raters))
        true = np.array([truth[person.id].practices[p] for p in names])
        view = rng.normal(0.0, params.view_sd, size=(len(raters), len(names)))
        view += np.outer(is_self, extra)
        noise = rng.normal(0.0, params.noise_sd, size=(len(raters), len(items)))
        missing = rng.random(size=(len(raters), len(items))) < params.missing_rate
        raw = (true + view)[:, item_practice] + bias[:, None] + noise
        values = np.clip(np.rint(raw), 1, 5).astype(int)
        values = np.where(reverse, 6 - values, values)
        answers[person.id] = tuple(
            Answer(rater, relation, item.id, None if missing[i, j] else int(values[i, j]))
            for i, (rater, relation) in enumerate(raters)
            for j, item in enumerate(items)
        )
    return answers


def planned_share(
    answers: Mapping[int, Sequence[Answer]], bank: ItemBank, items_per_practice: int
) -> dict[int, tuple[Answer, ...]]:
    """The answers a cycle with planned missingness would hold: each rater other than self keeps
    only their share of each practice (:func:`tandem.review.subsets.asked_items`, raters numbered
    per relation in order of first appearance, as :func:`~tandem.review.subsets.number_new`
    numbers assignments), self keeps everything. For measuring what the share costs."""
    from tandem.review.subsets import asked_items, next_rotation  # review imports profile

    out: dict[int, tuple[Answer, ...]] = {}
    for ratee, rows in answers.items():
        number: dict[int, int] = {}
        taken: dict[str, set[int]] = {}
        relation_of: dict[int, str] = {}
        for a in rows:
            if a.relation != "self" and a.rater not in number:
                held = taken.setdefault(a.relation, set())
                number[a.rater] = next_rotation(a.relation, held)
                held.add(number[a.rater])
                relation_of[a.rater] = a.relation
        shares: dict[int, set[str]] = {
            rater: {i.id for i in asked_items(bank, relation, items_per_practice, number[rater])}
            for rater, relation in relation_of.items()
        }
        out[ratee] = tuple(a for a in rows if a.relation == "self" or a.item_id in shares[a.rater])
    return out
