"""``tandem review validity``: the CFA of the two-sides / ten-practices structure and the
reliability of the overuse scale, for one closed cycle (results wait for the close, like every
other number of a cycle: :func:`tandem.profile.service.cycle_scores` is the gate)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pydantic import BaseModel
from sqlalchemy.orm import Session

from tandem.profile.answers import Answer, item_matrices
from tandem.profile.reliability import scale_reliability
from tandem.review.items import ItemBank


class FitOut(BaseModel):
    """One CFA model's fit."""

    model: str
    chi2: float
    df: int
    cfi: float
    tli: float
    rmsea: float
    srmr: float
    converged: bool
    loadings: dict[str, float]
    second_order: dict[str, float]
    factor_correlations: dict[str, float]


class OveruseScaleOut(BaseModel):
    """Reliability of one practice's overuse scale (others' answers, listwise)."""

    n: int
    k: int
    alpha: float | None


class ValidityOut(BaseModel):
    """The structure's CFA and the overuse scale's reliability for one cycle."""

    cycle: str
    item_bank_version: str
    n: int  # smallest pairwise N of the item correlations
    cfa_undefined: str | None
    fits: dict[str, FitOut]
    preferred: str | None  # the model with the lowest RMSEA among those with CFI ≥ .90
    overuse: dict[str, OveruseScaleOut]  # empty for a bank without the overuse scale


def overuse_reliability(
    answers_by_ratee: Mapping[int, Sequence[Answer]], bank: ItemBank
) -> dict[str, OveruseScaleOut]:
    """α of each practice's overuse scale over others' answers (self left out, listwise)."""
    out = {}
    matrices = item_matrices(answers_by_ratee, bank, scale="overuse")
    for practice, (matrix, item_ids) in matrices.items():
        if item_ids:
            scale = scale_reliability(practice, matrix, item_ids)
            out[practice] = OveruseScaleOut(n=scale.n, k=scale.k, alpha=scale.alpha)
    return out


def validity_report(
    cycle: str, answers_by_ratee: Mapping[int, Sequence[Answer]], bank: ItemBank
) -> ValidityOut:
    """The report from a cycle's answers (pure: no database)."""
    from tandem.profile.cfa import cfa_report

    report = cfa_report(answers_by_ratee, bank)
    fits = {name: FitOut.model_validate(f, from_attributes=True) for name, f in report.fits.items()}
    acceptable = [f for f in fits.values() if f.cfi >= 0.90 and f.converged]
    preferred = min(acceptable, key=lambda f: f.rmsea).model if acceptable else None
    return ValidityOut(
        cycle=cycle,
        item_bank_version=bank.version,
        n=report.n,
        cfa_undefined=report.undefined,
        fits=fits,
        preferred=preferred,
        overuse=overuse_reliability(answers_by_ratee, bank),
    )


def validity(*, session: Session, cycle: str) -> ValidityOut:
    """The validity report of a closed cycle."""
    from tandem.profile import service as profile_service

    scores = profile_service.cycle_scores(session=session, cycle=cycle)
    return validity_report(scores.cycle.name, scores.answers, scores.bank)
