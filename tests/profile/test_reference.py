"""Profiles equal an independent recomputation (tests/profile/reference.py), number by number.

The reference is written apart from the service, in plain Python, from the rules in
docs/people-science.md; here it is compared with the product on SYNTHETIC organisations: the org
chart of the default generator and people rated by 1–12 colleagues drawn at random (where rater
sets differ between practices and many people have a single rater).
"""

from __future__ import annotations

import doctest

import pytest

from tandem.profile import error as error_module
from tandem.profile import scoring as scoring_module
from tandem.profile.cohort import cohort_stats
from tandem.profile.scoring import score_ratee
from tandem.profile.synthetic import generate_org
from tandem.review.items import PRACTICE_IDS, load_item_bank
from tests.profile import reference

BANK = load_item_bank("1")


def _approx(value: float | None) -> object:
    return None if value is None else pytest.approx(value, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize(
    "overrides",
    [{"n_people": 72, "seed": 4}, {"n_people": 90, "seed": 5, "raters_per_person": (1, 12)}],
    ids=["org-chart", "1-12-raters"],
)
def test_every_profile_equals_the_reference(overrides: dict[str, object]) -> None:
    org = generate_org(BANK, **overrides)  # type: ignore[arg-type]
    cohort = cohort_stats(org.answers, BANK)
    sigma = reference.rater_covariance(org.answers, BANK)
    for p in PRACTICE_IDS:
        for q in PRACTICE_IDS:
            assert cohort.rater_cov[p][q] == _approx(sigma[(p, q)])
    labels: set[str | None] = set()
    agreements: set[str | None] = set()
    differ = 0
    for answers in org.answers.values():
        mine = score_ratee(answers, BANK, cohort)
        ref = reference.profile(answers, BANK, sigma)
        for p in PRACTICE_IDS:
            practice = mine.practices[p]
            assert practice.others == _approx(ref.others[p])
            assert practice.n_raters == ref.n[p]
            assert practice.se == _approx(ref.se[p])
            assert practice.agreement == ref.agreement[p]
            agreements.add(practice.agreement)
        assert (mine.L is None, mine.M is None) == (ref.L is None, ref.M is None)
        if mine.L is not None and mine.M is not None:
            assert (mine.L.value, mine.M.value) == (_approx(ref.L), _approx(ref.M))
            assert (mine.L.se, mine.M.se) == (_approx(ref.se_l), _approx(ref.se_m))
        assert mine.leaning == ref.leaning
        assert mine.leaning_se == _approx(ref.leaning_se)
        assert mine.rater_sets_differ == ref.sets_differ
        tendency = mine.self_tendency
        assert (None if tendency is None else tendency.value) == _approx(ref.tendency)
        assert (None if tendency is None else tendency.label) == ref.tendency_label
        labels.add(mine.leaning)
        differ += mine.rater_sets_differ
    # the comparison covered every kind of outcome
    assert labels >= {"balanced", None} and labels & {"leader-leaning", "manager-leaning"}
    assert agreements >= {"agree", None} and agreements & {"blind spot", "hidden strength"}
    assert 0 < differ < len(org.answers)


def test_the_docstring_examples_hold() -> None:
    for module in (error_module, scoring_module):
        assert doctest.testmod(module).failed == 0
