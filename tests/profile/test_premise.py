"""The essay-premise report: L–M correlation with a Fisher CI, and who leans one way reliably."""

from __future__ import annotations

import doctest
import math
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy.orm import Session

from tandem.profile import premise as premise_module
from tandem.profile.premise import (
    MIN_PREMISE_N,
    fisher_ci,
    lm_correlation,
    premise,
    premise_report,
    wilson_interval,
)
from tandem.profile.scoring import cohort_stats, score_ratee
from tandem.profile.service import CycleScores, ResultsLockedError
from tandem.profile.synthetic import generate_org
from tandem.review import service as review_service
from tandem.review.items import load_item_bank
from tandem.review.models import ReviewCycle
from tests.profile.test_service import setup_hand_org, write_synthetic


def test_fisher_ci_by_hand() -> None:
    # atanh(.5) = 0.5493061, SE = 1/√25 = 0.2, ±1.959964·0.2 = ±0.3919928
    lo, hi = fisher_ci(0.5, 28) or (0.0, 0.0)
    assert lo == pytest.approx(math.tanh(0.5493061443 - 0.3919927969), abs=1e-9)
    assert hi == pytest.approx(math.tanh(0.5493061443 + 0.3919927969), abs=1e-9)
    assert (round(lo, 4), round(hi, 4)) == (0.1560, 0.7358)
    assert fisher_ci(0.5, 3) is None
    assert fisher_ci(1.0, 20) == (1.0, 1.0)


def test_wilson_interval_by_hand() -> None:
    # p = .3, n = 10, z² = 3.8415: centre = (.3 + .19207)/1.38415 = .35550;
    # half = 1.95996·√(.021 + .0096037)/1.38415 = .24771
    lo, hi = wilson_interval(3, 10) or (0.0, 0.0)
    assert (round(lo, 4), round(hi, 4)) == (0.1078, 0.6032)
    assert wilson_interval(0, 0) is None
    assert wilson_interval(0, 5) == (0.0, pytest.approx(0.4345, abs=1e-4))


def test_correlation_needs_ten_people() -> None:
    few = lm_correlation([1.0, 2.0, 3.0], [1.0, 3.0, 2.0])
    assert (few.n, few.r, few.ci95) == (3, None, None)
    ten = lm_correlation(list(range(10)), [2 * v for v in range(10)])
    assert ten.r == pytest.approx(1.0) and ten.n == MIN_PREMISE_N
    with pytest.raises(ValueError, match="paired"):
        lm_correlation([1.0], [])


def cycle_of(n_people: int, seed: int, **overrides: float) -> CycleScores:
    bank = load_item_bank()
    org = generate_org(bank, n_people=n_people, seed=seed, **overrides)  # type: ignore[arg-type]
    return CycleScores(ReviewCycle(name=f"synthetic-{seed}"), bank, org.answers)


def test_premise_tracks_the_latent_correlation_on_synthetic_data() -> None:
    together = premise_report(cycle_of(240, 5, correlation=0.9))
    apart = premise_report(cycle_of(240, 5, correlation=0.0))
    assert together.enough_data and apart.enough_data
    assert together.correlation.r is not None and apart.correlation.r is not None
    assert together.correlation.r > apart.correlation.r + 0.3
    # when the sides go together, fewer people lean one way reliably
    assert together.leaning_reliably.share is not None
    assert apart.leaning_reliably.share is not None
    assert together.leaning_reliably.share < apart.leaning_reliably.share


def test_premise_from_the_database_equals_the_pure_computation(db_session: Session) -> None:
    org, _ = write_synthetic(db_session, cycle="synthetic", n_people=60, seed=4)
    bank = load_item_bank()
    cohort = cohort_stats(org.answers, bank)
    pure = [score_ratee(answers, bank, cohort) for answers in org.answers.values()]
    both = [(p.L.value, p.M.value) for p in pure if p.L is not None and p.M is not None]
    r = float(np.corrcoef([b[0] for b in both], [b[1] for b in both])[0, 1])
    counts = {k: sum(1 for p in pure if (p.leaning or "unknown") == k) for k in ("balanced",)}

    report = premise(session=db_session, cycle="synthetic")
    assert report.n_ratees == 60 and report.n_with_l_and_m == len(both)
    assert report.correlation.r == pytest.approx(r)
    assert report.correlation.ci95 == pytest.approx(fisher_ci(r, len(both)))
    assert report.leaning_counts["balanced"] == counts["balanced"]
    assert sum(report.leaning_counts.values()) == 60
    leaning = report.leaning_counts["leader-leaning"] + report.leaning_counts["manager-leaning"]
    known = leaning + report.leaning_counts["balanced"]
    assert (report.leaning_reliably.count, report.leaning_reliably.of) == (leaning, known)
    assert report.leaning_reliably.share == pytest.approx(leaning / known)
    assert report.enough_data
    assert f"r = {r:.2f}" in report.summary and f"{leaning} of {known} people" in report.summary


def test_premise_says_plainly_when_there_are_too_few_people(
    db_session: Session, tmp_path: Path
) -> None:
    setup_hand_org(db_session, tmp_path)
    report = premise(session=db_session, cycle="2026-H1")
    assert not report.enough_data
    assert (report.n_ratees, report.n_with_l_and_m) == (1, 1)
    assert report.correlation.r is None and report.correlation.ci95 is None
    assert report.leaning_counts == {
        "leader-leaning": 0,
        "manager-leaning": 0,
        "balanced": 0,
        "unknown": 1,
    }
    assert report.leaning_reliably.share is None
    assert report.summary.startswith("Not enough data: 1 person with both L and M, 0 with")
    assert "too few people" in report.notes[0]


def test_premise_defaults_to_the_latest_closed_cycle(db_session: Session, tmp_path: Path) -> None:
    setup_hand_org(db_session, tmp_path, close=False)  # opens and fills 2026-H1
    review_service.create_cycle(session=db_session, name="2026-H2")
    with pytest.raises(ResultsLockedError, match="'2026-H2' are locked"):
        premise(session=db_session)  # none closed: the latest, whose results are locked
    review_service.close_cycle(session=db_session, name="2026-H1")
    assert premise(session=db_session).cycle == "2026-H1"


def test_the_docstring_examples_hold() -> None:
    assert doctest.testmod(premise_module).failed == 0
