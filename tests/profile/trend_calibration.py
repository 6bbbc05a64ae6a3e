"""Calibration of the reliable-change test with known truth (SYNTHETIC people, two cycles).

One organisation, rated twice: the same seed's people, true scores and rater leniency, with new
raters, views and noise in the second cycle (``rating_stream=1``), and optionally a planted true
change on some practices (``true_change``). Each person is scored in both cycles from their first
k raters (their manager first, then colleagues drawn at random), with each cycle's own cohort
statistics, and every practice's change is tested (:func:`tandem.profile.trends.compare`).

``python -m tests.profile.trend_calibration [PEOPLE] [SEED] [VERSION]`` prints the table of
``docs/people-science.md`` ("Trends"); VERSION 2 rates the second cycle on bank v2 and compares
both on the items v1 and v2 share.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass

from tandem.profile.answers import rater_scores_by_ratee
from tandem.profile.cohort import cohort_stats
from tandem.profile.scoring import score_raters
from tandem.profile.synthetic import SyntheticOrg, generate_org
from tandem.profile.trends import (
    DECLINED,
    IMPROVED,
    NO_CHANGE,
    TOWARDS_LEADER,
    TOWARDS_MANAGER,
    CycleFigures,
    compare,
    cycle_figures,
)
from tandem.review.items import ItemBank, common_bank, load_item_bank, practices_of

BANK = load_item_bank("1")
LEADER = frozenset(practices_of("leader"))
COUNTS = (4, 5, 6, 8, 12)
LABELS = frozenset({IMPROVED, DECLINED, NO_CHANGE})


def _figures(
    org: SyntheticOrg, counts: Sequence[int], bank: ItemBank = BANK
) -> dict[tuple[int, int], CycleFigures]:
    """Every person's figures from their first k raters; ``bank`` other than the org's: the
    org's answers to ``bank``'s items only (a common bank), scored on it."""
    ids = {i.id for i in bank.items}
    answers = {r: [a for a in given if a.item_id in ids] for r, given in org.answers.items()}
    rated = rater_scores_by_ratee(answers, bank)  # in order of first answer: self, manager, …
    cohort = cohort_stats(answers, bank, rated=rated)
    out = {}
    for person, raters in rated.items():
        others = [r for r in raters if r.relation != "self"]
        for k in counts:
            out[(person, k)] = cycle_figures("c", bank, score_raters(others[:k], bank, cohort))
    return out


@dataclass(frozen=True)
class Row:
    """One rater count: labelled tests and false labels on unchanged practices, hits on changed."""

    k: int
    people: int
    labelled: int  # unchanged practice tests that got a label (enough raters on both sides)
    false: int  # of those, "improved" or "declined"
    any_false: int  # people with at least one false label among their unchanged practices
    leaning_labelled: int
    leaning_false: int  # L − M "towards …" when L − M did not truly move
    detected: dict[str, tuple[int, int]]  # changed practice → (right-way labels, tests)

    @property
    def false_rate(self) -> float:
        return self.false / self.labelled if self.labelled else 0.0

    def power(self, practice: str) -> float:
        hits, of = self.detected[practice]
        return hits / of if of else 0.0


def measure(
    *,
    people: int,
    seed: int,
    change: tuple[tuple[str, float], ...] = (),
    counts: Sequence[int] = COUNTS,
    second_bank: ItemBank = BANK,
) -> list[Row]:
    """Rate one SYNTHETIC organisation twice (the second with ``change``) and count verdicts.

    ``second_bank``: the second cycle's item bank (the same people and truth); when it is not
    v1, both cycles are rescored on the items the two share (:func:`common_bank`), as a trend
    step between two bank versions is; practices not shared are not counted."""
    basis = BANK if second_bank is BANK else common_bank(BANK, second_bank)
    common = {"n_people": people, "seed": seed, "raters_per_person": (12, 12)}
    first = _figures(generate_org(BANK, **common), counts, basis)  # type: ignore[arg-type]
    second = _figures(
        generate_org(second_bank, **common, rating_stream=1, true_change=change),  # type: ignore[arg-type]
        counts,
        basis,
    )
    planted = dict(change)
    leaning_moves = sum(d if p in LEADER else -d for p, d in planted.items()) / 5  # true ΔD
    rows = []
    for k in counts:
        labelled = false = any_false = lean_labelled = lean_false = 0
        detected = {p: [0, 0] for p in planted}
        for person in range(people):
            step = compare(first[(person, k)], second[(person, k)])
            flagged = False
            for p, c in step.practices.items():
                if p in planted:
                    want = IMPROVED if planted[p] > 0 else DECLINED
                    detected[p][0] += c.verdict == want
                    detected[p][1] += 1
                elif c.verdict in LABELS:  # "not comparable" practices are no test
                    labelled += 1
                    false += c.reliable
                    flagged |= c.reliable
            any_false += flagged
            if leaning_moves == 0 and step.leaning.verdict in (
                TOWARDS_LEADER,
                TOWARDS_MANAGER,
                NO_CHANGE,
            ):
                lean_labelled += 1
                lean_false += step.leaning.reliable
        rows.append(
            Row(
                k,
                people,
                labelled,
                false,
                any_false,
                lean_labelled,
                lean_false,
                {p: (h, n) for p, (h, n) in detected.items()},
            )
        )
    return rows


def main(argv: Sequence[str]) -> None:
    people = int(argv[0]) if argv else 800
    seed = int(argv[1]) if len(argv) > 1 else 3
    bank = load_item_bank(argv[2]) if len(argv) > 2 else BANK  # the second cycle's version
    null = measure(people=people, seed=seed, second_bank=bank)
    half = measure(
        people=people, seed=seed, change=(("vision", 0.5), ("process", -0.5)), second_bank=bank
    )
    whole = measure(
        people=people, seed=seed, change=(("vision", 1.0), ("process", -1.0)), second_bank=bank
    )
    print(
        "| raters asked (k) | tests labelled | false 'reliable change' | people with ≥ 1 of 10 "
        "| false L − M shift | power, change 0.5 | power, change 1.0 |"
    )
    print("|---|---|---|---|---|---|---|")
    for n, h, w in zip(null, half, whole, strict=True):
        powers = [
            f"{(r.power('vision') + r.power('process')) / 2:.0%}" for r in (h, w)
        ]  # the two planted practices, averaged
        lean = n.leaning_false / n.leaning_labelled if n.leaning_labelled else 0.0
        print(
            f"| {n.k} | {n.labelled / (n.people * 10):.0%} | {n.false_rate:.1%} "
            f"| {n.any_false / n.people:.0%} | {lean:.1%} ({n.leaning_labelled}) "
            f"| {powers[0]} | {powers[1]} |"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
