"""Runs that answer "does it help?": with and without resilience, on common random numbers.

The protected and unprotected runs of one replication share their seed, so
arrivals and service draws are the same and the difference between them is
the patterns' effect, not noise. Replications use seeds ``seed, seed+1, ...``
and run in worker processes; every figure gets a mean and a 95 % confidence
interval (Student t), and every difference a paired one. Objectives get the share of
replications that meet them, with a Wilson 95 % interval (``engine.objectives``).
"""
from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from .compile import compile_design
from .model import Design, Experiment, RunOptions
from .objectives import ReplicatedObjective, ReplicatedRecovery, across_replications
from .results import RunResult
from .simulation import simulate
from .stats import mean_ci, t95  # noqa: F401  (t95 re-exported for callers of this module)

VARIANTS = ("protected", "unprotected", "baseline")
COMPARED_METRICS = (
    "throughput", "goodput", "error_rate", "latency_mean", "latency_p50", "latency_p99",
    "utilisation", "mean_queue_length", "queue_wait_mean", "wait_probability",
)

def _variant_options(options: RunOptions, variant: str, seed: int) -> RunOptions:
    return options.model_copy(update={
        "seed": seed,
        # the run's own switches still hold: "protected" with resilience off stays off
        "resilience": options.resilience and variant != "unprotected",
        "faults": options.faults and variant != "baseline",
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

    def verdicts(self) -> dict[str, tuple[list[ReplicatedObjective], list[ReplicatedRecovery]]]:
        """Per variant: each objective across replications (share met, Wilson 95 %) and each
        fault window's recovery (means, Student t 95 %)."""
        return {v: across_replications([r.verdicts() for r in rs]) for v, rs in self.runs.items()}

    def to_json_dict(self) -> dict[str, Any]:
        verdicts = self.verdicts()
        return {
            "replications": self.replications,
            "table": self.table,
            "slo": {v: [o.to_json_dict() for o in objs] for v, (objs, _) in verdicts.items()},
            "recovery": {v: [r.to_json_dict() for r in recs] for v, (_, recs) in verdicts.items()},
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
            if metric not in protected[0].summary["components"][component]:
                continue   # results saved by an older version lack the newer figures

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
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            for v, seed, data in pool.map(_run_one, payload):
                results[v][seed] = RunResult.from_dict(data)
    runs = {v: [results[v][s] for s in sorted(results[v])] for v in variants}
    return Comparison(runs=runs, table=build_table(runs), replications=replications)
