"""Runs that answer "does it help?": with and without resilience, on common random numbers.

The protected and unprotected runs of one replication share their seed, so
arrivals and service draws are the same and the difference between them is
the patterns' effect, not noise. Replications use seeds ``seed, seed+1, ...``
and run in worker processes; every figure gets a mean and a 95 % confidence
interval (Student t), and every difference a paired one. Objectives get the share of
replications that meet them, with a Wilson 95 % interval (``engine.objectives``).
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import workers
from .compile import compile_design
from .model import Design, Experiment, RunOptions
from .objectives import ReplicatedObjective, ReplicatedRecovery, across_replications
from .plan import VARIANTS, RunPlan
from .results import JsonArray, JsonObject, RunResult, materialise, write_json
from .simulation import simulate
from .stats import mean_ci, t95  # noqa: F401  (t95 re-exported for callers of this module)

COMPARED_METRICS = (
    "throughput", "goodput", "error_rate", "latency_mean", "latency_p50", "latency_p99",
    "utilisation", "mean_queue_length", "queue_peak", "queue_wait_mean", "wait_probability",
)

def _run_one(args) -> tuple[str, int, dict[str, Any]]:
    design_json, plan_json, experiment_name, variant, seed = args
    design = Design.model_validate_json(design_json)
    plan = RunPlan.model_validate_json(plan_json)
    result = simulate(design, plan.options_for(variant, seed), experiment_name)
    return variant, seed, result.to_dict()


@dataclass
class Comparison:
    """Results of every variant and replication, and the table of differences."""

    runs: dict[str, list[RunResult]]
    table: list[dict[str, Any]] = field(default_factory=list)
    replications: int = 1

    @property
    def main(self) -> list[RunResult]:
        """The runs of the first variant: "protected", or the one variant of a run on its own."""
        return next(iter(self.runs.values()))

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
        return materialise(self.json_parts())

    def json_parts(self) -> JsonObject:
        """The comparison JSON, each run's results produced only when written. A confidence
        interval of one replication (NaN) is written null: NaN is not JSON."""
        verdicts = self.verdicts()
        table = [{k: None if isinstance(v, float) and not math.isfinite(v) else v for k, v in row.items()}
                 for row in self.table]
        return JsonObject(iter([
            ("replications", self.replications),
            ("table", table),
            ("slo", {v: [o.to_json_dict() for o in objs] for v, (objs, _) in verdicts.items()}),
            ("recovery", {v: [r.to_json_dict() for r in recs] for v, (_, recs) in verdicts.items()}),
            ("runs", JsonObject((v, JsonArray(r.json_parts() for r in rs)) for v, rs in self.runs.items())),
        ]))

    def write_json(self, path) -> None:
        """Write the comparison JSON to ``path``, one run's series at a time."""
        write_json(path, self.json_parts())


def build_table(runs: dict[str, list[RunResult]]) -> list[dict[str, Any]]:
    """Per component and metric, each variant's mean and 95 % interval, and with both a protected and
    an unprotected variant their paired difference."""
    present = [v for v in VARIANTS if runs.get(v)]
    if not present:
        return []
    first = runs[present[0]][0]
    table = []
    for component in first.components:
        for metric in COMPARED_METRICS:
            if metric not in first.summary["components"][component]:
                continue   # results saved by an older version lack the newer figures

            def values(rs, component=component, metric=metric):
                return [float(r.summary["components"][component][metric]) for r in rs]
            row: dict[str, Any] = {"component": component, "metric": metric}
            for v in present:
                row[v], row[f"{v}_ci"] = mean_ci(values(runs[v]))
            if "protected" in present and "unprotected" in present:
                pairs = zip(values(runs["protected"]), values(runs["unprotected"]))
                row["difference"], row["difference_ci"] = mean_ci([a - b for a, b in pairs])
            table.append(without_rounding(row))
    return table


# Below this share of a row's largest figure, a difference or an interval is the arithmetic's rounding.
ROUNDING = 1e-9
_SPREADS = ("difference", "difference_ci", "protected_ci", "unprotected_ci", "baseline_ci")


def without_rounding(row: dict[str, Any]) -> dict[str, Any]:
    """``row`` with each difference and interval that is the rounding of zero set to zero: the
    same time average summed over events met in another order (a hedge interleaves them) read
    "+0.0000000000000111 %" and widened the comparison's column out of sight, and a figure equal
    on every seed "0.500 ± 0.00000000000029 ms"."""
    sizes = [abs(v) for k in VARIANTS if isinstance(v := row.get(k), (int, float)) and math.isfinite(v)]
    floor = max(sizes, default=0.0) * ROUNDING
    return {k: 0.0 if k in _SPREADS and isinstance(v, (int, float)) and math.isfinite(v) and abs(v) <= floor else v
            for k, v in row.items()}


class ComparisonInterrupted(KeyboardInterrupt):
    """Ctrl+C during a comparison: the runs still going were stopped; ``partial`` holds the
    replications whose every variant had finished (None when none had)."""

    def __init__(self, partial: Comparison | None, finished: int, planned: int):
        super().__init__(f"{finished} of {planned} replications finished")
        self.partial, self.finished, self.planned = partial, finished, planned


def run_comparison(design: Design, options: RunOptions, experiment: Experiment | str | None = None,
                   replications: int = 1, baseline: bool = False, compare: bool = True,
                   processes: int | None = None,
                   progress: Callable[[int, int], Any] | None = None) -> Comparison:
    """Run protected (and unprotected, and fault-free baseline) variants over ``replications`` seeds:
    ``run_plan`` of the ``RunPlan`` these make."""
    if replications < 1:
        raise ValueError("replications must be at least 1")
    plan = RunPlan(options=options, compare=compare, baseline=baseline, replications=replications)
    return run_plan(design, plan, experiment, processes, progress)


def run_plan(design: Design, plan: RunPlan, experiment: Experiment | str | None = None,
             processes: int | None = None, progress: Callable[[int, int], Any] | None = None) -> Comparison:
    """Run every variant of ``plan`` on every seed.

    Several runs go to the shared worker pool (``engine.workers``); ``processes=1`` runs them
    here, one after another. ``progress(finished, planned)`` is called as each run ends.
    Ctrl+C raises ``ComparisonInterrupted`` with the replications that had finished.
    """
    options, replications = plan.options, plan.replications
    # Fail here, with the design's own message, rather than once per worker process.
    compile_design(design, options, experiment)
    experiment_name: str | None
    if isinstance(experiment, Experiment):
        experiment_name = experiment.name
        if experiment not in design.experiments:
            design = design.model_copy(update={"experiments": [*design.experiments, experiment]})
    else:
        experiment_name = experiment
    variants, jobs = plan.variants, plan.jobs()
    results: dict[str, dict[int, RunResult]] = {v: {} for v in variants}

    def finished(variant: str, seed: int, result: RunResult) -> None:
        results[variant][seed] = result
        if progress is not None:
            progress(sum(map(len, results.values())), len(jobs))
    try:
        if len(jobs) == 1 or processes == 1:
            for v, seed in jobs:
                finished(v, seed, simulate(design, plan.options_for(v, seed), experiment_name))
        else:
            _run_in_pool(design, plan, experiment_name, jobs, finished)
    except KeyboardInterrupt:
        done = [seed for seed in plan.seeds if all(seed in results[v] for v in variants)]
        partial = None
        if done:
            runs = {v: [results[v][s] for s in done] for v in variants}
            partial = Comparison(runs=runs, table=build_table(runs), replications=len(done))
        raise ComparisonInterrupted(partial, len(done), replications) from None
    runs = {v: [results[v][s] for s in sorted(results[v])] for v in variants}
    return Comparison(runs=runs, table=build_table(runs), replications=replications)


def _run_in_pool(design: Design, plan: RunPlan, experiment_name: str | None,
                 jobs: list[tuple[str, int]], finished: Callable[[str, int, RunResult], None]) -> None:
    """Run ``jobs`` in the worker pool, handing each result to ``finished`` as it arrives (so that
    an interruption keeps what was done)."""
    design_json, plan_json = design.model_dump_json(), plan.model_dump_json()
    try:
        pending = set(workers.submit(_run_one, [(design_json, plan_json, experiment_name, v, s) for v, s in jobs]))
        while pending:
            done = workers.finished(pending)
            pending -= done
            for future in done:
                v, seed, data = future.result()
                finished(v, seed, RunResult.from_dict(data))
    except BaseException:
        # Ctrl+C or a failed run: the runs still going are not waited for.
        workers.abandon()
        raise
