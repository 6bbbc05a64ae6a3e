"""``tandem review validity``: the CFA of the two-sides / ten-practices structure and the
reliability of the overuse scale, for one closed cycle (results wait for the close, like every
other number of a cycle: :func:`tandem.profile.service.cycle_scores` is the gate)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from pydantic import BaseModel
from sqlalchemy.orm import Session

from tandem.profile.answers import Answer
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
    for practice, items in bank.overuse_by_practice().items():
        if not items:
            continue
        column = {item.id: j for j, item in enumerate(items)}
        rows: list[list[float]] = []
        for ratee in sorted(answers_by_ratee):
            by_rater: dict[int, list[float]] = {}
            for a in answers_by_ratee[ratee]:
                if a.relation == "self" or a.item_id not in column:
                    continue
                if not bank.item(a.item_id).rated_by(a.relation):
                    continue
                row = by_rater.setdefault(a.rater, [float("nan")] * len(items))
                if a.value is not None:
                    row[column[a.item_id]] = float(a.value)
            rows.extend(by_rater.values())
        matrix = np.array(rows, dtype=np.float64).reshape(len(rows), len(items))
        scale = scale_reliability(practice, matrix, tuple(column))
        out[practice] = OveruseScaleOut(n=scale.n, k=scale.k, alpha=scale.alpha)
    return out


def validity_report(
    cycle: str, answers_by_ratee: Mapping[int, Sequence[Answer]], bank: ItemBank
) -> ValidityOut:
    """The report from a cycle's answers (pure: no database)."""
    from tandem.profile.cfa import cfa_report

    report = cfa_report(answers_by_ratee, bank)
    fits = {
        name: FitOut(
            model=f.model,
            chi2=f.chi2,
            df=f.df,
            cfi=f.cfi,
            tli=f.tli,
            rmsea=f.rmsea,
            srmr=f.srmr,
            converged=f.converged,
            loadings=dict(f.loadings),
            second_order=dict(f.second_order),
            factor_correlations=dict(f.factor_correlations),
        )
        for name, f in report.fits.items()
    }
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
