"""Which parameters move a metric most: standardized regression coefficients and rank correlations
over a sweep's rows (a Latin hypercube spreads them best, a grid works too).

For each swept parameter, over every run of the chosen experiment:

- the standardized regression coefficient (SRC): the coefficient of a least-squares fit of the
  metric on all the parameters at once, each scaled by its standard deviation, so that
  coefficients compare across units; its square is the share of the metric's variance the
  parameter explains when the fit is good (R² near 1, reported with them);
- Spearman's rank correlation of the parameter with the metric, which holds for any monotonic
  effect, linear or not.

A choice parameter counts by the position of its value among its choices, ``true`` as 1.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..model import DesignError, Problem


@dataclass(frozen=True)
class Effect:
    """How one parameter moves the metric."""

    path: str
    src: float
    rank_correlation: float


@dataclass(frozen=True)
class Sensitivity:
    """The effects of every swept parameter on ``metric``, strongest first."""

    metric: str
    experiment: str
    runs: int
    r_squared: float
    effects: list[Effect]


def default_metric(columns: list[str]) -> str:
    """The first objective's attainment if the design has objectives, else the first goodput."""
    return next((c for c in columns if c.endswith(".attainment")),
                next((c for c in columns if c.endswith(".goodput")), columns[0] if columns else ""))


def _ranks(values: np.ndarray) -> np.ndarray:
    """Ranks from 1, ties sharing their mean rank."""
    order = np.argsort(values, kind="mergesort")
    ranks = np.empty(len(values))
    ranks[order] = np.arange(1, len(values) + 1)
    for value in np.unique(values):
        tied = values == value
        if tied.sum() > 1:
            ranks[tied] = ranks[tied].mean()
    return ranks


def _correlation(x: np.ndarray, y: np.ndarray) -> float:
    sx, sy = x.std(), y.std()
    if sx == 0 or sy == 0:
        return math.nan
    return float(((x - x.mean()) * (y - y.mean())).mean() / (sx * sy))


def _numeric(axis, cell: str) -> float:
    parameter = axis.parameter
    value = parameter.coerce(cell)
    if parameter.numeric:
        return float(value)
    if parameter.type == "bool":
        return 1.0 if value else 0.0
    return float(parameter.choices.index(value)) if value in parameter.choices else math.nan


def sensitivity(sweep, rows: list[dict[str, Any]], metric: str | None = None,
                experiment: str | None = None) -> Sensitivity:
    """The effect of each swept parameter on ``metric`` over ``rows`` of ``experiment`` (the
    sweep's first when not given). Raises ``DesignError`` naming what is missing when the rows
    cannot tell: an unknown metric, fewer runs than parameters + 2, or no parameter that varies."""
    columns = sweep.metric_columns
    metric = metric or default_metric(columns)
    if metric not in columns:
        raise DesignError([Problem("--sensitivity", f'"{metric}" is not a metric of this sweep; one of '
                                                    f"{', '.join(columns)}")])
    if experiment is None:
        experiment = sweep.experiments[0] or ""
    chosen = [r for r in rows if r["experiment"] == experiment and r.get(metric) not in (None, "")]
    axes = sweep.axes
    if not axes:
        raise DesignError([Problem("--sensitivity", "needs swept parameters (--param)")])
    if len(chosen) < len(axes) + 2:
        raise DesignError([Problem("--sensitivity", f"needs at least {len(axes) + 2} runs with {metric} "
                                                    f"to weigh {len(axes)} parameter(s); there are {len(chosen)}")])
    x = np.array([[_numeric(a, r[a.path]) for a in axes] for r in chosen], dtype=float)
    y = np.array([float(r[metric]) for r in chosen], dtype=float)
    spread = x.std(axis=0)
    if not (spread > 0).any():
        raise DesignError([Problem("--sensitivity", "no swept parameter takes more than one value")])
    effects = []
    r_squared = math.nan
    if y.std() > 0:
        varies = spread > 0
        z = (x[:, varies] - x[:, varies].mean(axis=0)) / spread[varies]
        zy = (y - y.mean()) / y.std()
        coefficients, *_ = np.linalg.lstsq(z, zy, rcond=None)
        fitted = z @ coefficients
        r_squared = float(1 - ((zy - fitted) ** 2).sum() / (zy ** 2).sum())
        src = np.full(len(axes), math.nan)
        src[varies] = coefficients
    else:
        src = np.zeros(len(axes))
    ranked_y = _ranks(y)
    for k, axis in enumerate(axes):
        rho = _correlation(_ranks(x[:, k]), ranked_y) if spread[k] > 0 and y.std() > 0 else math.nan
        effects.append(Effect(axis.path, float(src[k]), rho))
    effects.sort(key=lambda e: -abs(e.src) if not math.isnan(e.src) else 0.0)
    return Sensitivity(metric, experiment, len(chosen), r_squared, effects)


def sensitivity_table(result: Sensitivity) -> tuple[list[str], list[list[str]]]:
    """The effects as text cells with their header, strongest first, for the command line."""
    heads = ["parameter", "SRC", "rank corr.", "bar"]
    table = []
    for effect in result.effects:
        bar = "" if math.isnan(effect.src) else ("+" if effect.src > 0 else "-") * round(abs(effect.src) * 20)
        table.append([effect.path, "-" if math.isnan(effect.src) else f"{effect.src:+.3f}",
                      "-" if math.isnan(effect.rank_correlation) else f"{effect.rank_correlation:+.3f}", bar])
    return heads, table
