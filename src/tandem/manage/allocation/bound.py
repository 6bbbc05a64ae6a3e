"""An upper bound on the best objective: the LP relaxation of the whole model (SciPy's HiGHS).

Integrality and the staff minimum relaxed (``y`` in [0, 1]); everything else kept: capacity,
demand caps, ``Σ_s x[i, p, s] ≤ capacity × y[i, p]``, the WIP limit on ``Σ y``, max staff on
``Σ y`` and the kept part of current assignments. Any allocation scores at most this, so it
bounds the gap honestly even when the solver searched a sparsified model (:mod:`.model`).
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

from tandem.manage.allocation.model import SCALE, Problem
from tandem.manage.allocation.schemas import STEPS_PER_FTE


def lp_bound(problem: Problem, *, wip: bool = True) -> float | None:
    """The LP relaxation's optimum in weighted FTE (``None`` when HiGHS gives no optimum)."""
    plan = problem.plan
    keys = problem.eligible
    pairs = sorted({(i, k) for i, k, _ in keys}) if wip else []
    pair_index = {pair: n for n, pair in enumerate(pairs)}
    eligible_pairs = {(i, k) for i, k, _ in keys}
    kept = [pair for pair in problem.current if pair in eligible_pairs and problem.penalty]
    nx, ny, nk = len(keys), len(pairs), len(kept)
    if nx == 0:
        return -problem.penalty * sum(problem.current.values()) / (SCALE * STEPS_PER_FTE)
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    rhs: list[float] = []

    def row(entries: list[tuple[int, float]], bound: float) -> None:
        r = len(rhs)
        for c, v in entries:
            rows.append(r)
            cols.append(c)
            vals.append(v)
        rhs.append(bound)

    by_person: dict[int, list[int]] = {}
    by_demand: dict[tuple[int, str], list[int]] = {}
    by_pair: dict[int, list[int]] = {}
    by_key: dict[tuple[int, int], list[int]] = {}
    for n, (i, k, s) in enumerate(keys):
        by_person.setdefault(i, []).append(n)
        by_demand.setdefault((k, s), []).append(n)
        by_key.setdefault((i, k), []).append(n)
        if wip:
            by_pair.setdefault(pair_index[i, k], []).append(n)
    for i, columns in by_person.items():
        row([(c, 1.0) for c in columns], problem.capacity[i])
    for key, columns in by_demand.items():
        row([(c, 1.0) for c in columns], problem.demand[key])
    for p, columns in by_pair.items():
        i = pairs[p][0]
        row([(c, 1.0) for c in columns] + [(nx + p, -float(problem.capacity[i]))], 0.0)
    pairs_of: dict[int, list[int]] = {}
    staff_of: dict[int, list[int]] = {}
    for p, (i, k) in enumerate(pairs):
        pairs_of.setdefault(i, []).append(nx + p)
        staff_of.setdefault(k, []).append(nx + p)
    for columns in pairs_of.values():
        row([(c, 1.0) for c in columns], plan.settings.wip_limit)
    for k, columns in staff_of.items():
        top = plan.projects[k].max_staff
        if top is not None:
            row([(c, 1.0) for c in columns], top)
    for n, pair in enumerate(kept):
        row([(nx + ny + n, 1.0)] + [(c, -1.0) for c in by_key[pair]], 0.0)
    weights = np.array([problem.weight[k] for _, k, _ in keys], dtype=float)
    cost = -np.concatenate([weights, np.zeros(ny), np.full(nk, float(problem.penalty))])
    upper = [min(problem.capacity[i], problem.demand[k, s]) for i, k, s in keys]
    bounds = np.array(
        [(0, u) for u in upper] + [(0, 1)] * ny + [(0, problem.current[p]) for p in kept],
        dtype=float,
    )
    matrix = coo_matrix((vals, (rows, cols)), shape=(len(rhs), nx + ny + nk)).tocsr()
    result = linprog(cost, A_ub=matrix, b_ub=np.array(rhs), bounds=bounds, method="highs")
    if result.status != 0:
        return None
    constant = problem.penalty * sum(problem.current.values())
    return float(-result.fun - constant) / (SCALE * STEPS_PER_FTE)
