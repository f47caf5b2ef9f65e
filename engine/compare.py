"""Runs that answer "does it help?": with and without resilience, on common random numbers.

The protected and unprotected runs of one replication share their seed, so
arrivals and service draws are the same and the difference between them is
the patterns' effect, not noise. Replications use seeds ``seed, seed+1, ...``
and run in worker processes; every figure gets a mean and a 95 % confidence
interval (Student t), and every difference a paired one.
"""
from __future__ import annotations

import math
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any

from .compile import compile_design
from .model import Design, Experiment, RunOptions
from .results import RunResult
from .simulation import simulate

VARIANTS = ("protected", "unprotected", "baseline")
COMPARED_METRICS = (
    "throughput", "goodput", "error_rate", "latency_mean", "latency_p50", "latency_p99",
    "utilisation", "mean_queue_length",
)

# Two-sided 95 % Student t quantiles for 1..30 degrees of freedom.
_T95 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042)


def t95(df: int) -> float:
    if df < 1:
        return math.nan
    if df <= len(_T95):
        return _T95[df - 1]
    return NormalDist().inv_cdf(0.975)


def mean_ci(values: list[float]) -> tuple[float, float]:
    """Mean and the half-width of its 95 % confidence interval (nan with one value)."""
    n = len(values)
    if n == 0:
        return math.nan, math.nan
    m = sum(values) / n
    if n == 1:
        return m, math.nan
    var = sum((v - m) ** 2 for v in values) / (n - 1)
    return m, t95(n - 1) * math.sqrt(var / n)


def _variant_options(options: RunOptions, variant: str, seed: int) -> RunOptions:
    return options.model_copy(update={
        "seed": seed,
        "resilience": variant != "unprotected",
        "faults": variant != "baseline",
    })


def _run_one(args) -> tuple[str, int, dict[str, Any]]:
    design_json, options_json, experiment_name, variant, seed = args
    design = Design.model_validate_json(design_json)
    options = RunOptions.model_validate_json(options_json)
    result = simulate(design, _variant_options(options, variant, seed), experiment_name)
    return variant, seed, result.to_dict()


@dataclass
class Comparison:
    """Results of every variant and replication, and the table of differences."""

    runs: dict[str, list[RunResult]]
    table: list[dict[str, Any]] = field(default_factory=list)
    replications: int = 1

    def row(self, component: str, metric: str) -> dict[str, Any]:
        for r in self.table:
            if r["component"] == component and r["metric"] == metric:
                return r
        raise KeyError((component, metric))

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "replications": self.replications,
            "table": self.table,
            "runs": {v: [r.to_json_dict() for r in rs] for v, rs in self.runs.items()},
        }


def build_table(runs: dict[str, list[RunResult]]) -> list[dict[str, Any]]:
    protected, unprotected = runs.get("protected", []), runs.get("unprotected", [])
    baseline = runs.get("baseline", [])
    if not protected:
        return []
    table = []
    for component in protected[0].components:
        for metric in COMPARED_METRICS:
            def values(rs):
                return [float(r.summary["components"][component][metric]) for r in rs]
            p, u = values(protected), values(unprotected)
            row = {"component": component, "metric": metric}
            row["protected"], row["protected_ci"] = mean_ci(p)
            if u:
                row["unprotected"], row["unprotected_ci"] = mean_ci(u)
                row["difference"], row["difference_ci"] = mean_ci([a - b for a, b in zip(p, u)])
            if baseline:
                row["baseline"], row["baseline_ci"] = mean_ci(values(baseline))
            table.append(row)
    return table


def _abandon(pool: ProcessPoolExecutor) -> None:
    """Shut a pool down without waiting for the runs in it: they are of no use any more."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=5)


def run_comparison(design: Design, options: RunOptions, experiment: Experiment | str | None = None,
                   replications: int = 1, baseline: bool = False, compare: bool = True,
                   processes: int | None = None) -> Comparison:
    """Run protected (and unprotected, and fault-free baseline) variants over ``replications`` seeds."""
    if replications < 1:
        raise ValueError("replications must be at least 1")
    # Fail here, with the design's own message, rather than once per worker process.
    compile_design(design, options, experiment)
    if isinstance(experiment, Experiment):
        experiment_name = experiment.name
        if experiment not in design.experiments:
            design = design.model_copy(update={"experiments": [*design.experiments, experiment]})
    else:
        experiment_name = experiment
    variants = ["protected"] + (["unprotected"] if compare else []) + (["baseline"] if baseline else [])
    jobs = [(v, options.seed + k) for k in range(replications) for v in variants]
    results: dict[str, dict[int, RunResult]] = {v: {} for v in variants}
    if len(jobs) == 1 or processes == 1:
        for v, seed in jobs:
            results[v][seed] = simulate(design, _variant_options(options, v, seed), experiment_name)
    else:
        workers = processes or min(len(jobs), os.cpu_count() or 1)
        payload = [(design.model_dump_json(), options.model_dump_json(), experiment_name, v, s) for v, s in jobs]
        # spawn, not fork: the GUI process has Qt threads that a fork would copy half-alive
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))
        try:
            for v, seed, data in pool.map(_run_one, payload):
                results[v][seed] = RunResult.from_dict(data)
        except BaseException:
            # Ctrl+C or a failed run: the runs still going are not waited for.
            _abandon(pool)
            raise
        pool.shutdown()
    runs = {v: [results[v][s] for s in sorted(results[v])] for v in variants}
    return Comparison(runs=runs, table=build_table(runs), replications=replications)
