"""What runs on a worker: one point of a sweep, from the design JSON, the point's values and a seed.

Only ``engine`` is needed here, so a cluster worker with Faultline's engine
installed (and nothing of the application) can run sweeps.
"""
from __future__ import annotations

import functools
import time
from collections.abc import Iterable
from typing import Any

from ..model import Design, RunOptions
from ..results import RunResult
from ..simulation import simulate
from .paths import ParameterSpace

# Per client, the figures a sweep row keeps: (column suffix, summary key).
CLIENT_METRICS = (
    ("throughput", "throughput"),
    ("goodput", "goodput"),
    ("error_rate", "error_rate"),
    ("p50", "latency_p50"),
    ("p99", "latency_p99"),
)


# Per objective of a client: met (1 or 0), attainment (good share over the measured run),
# recovered (1 when it came back after every fault window that ended, 0 when not, empty
# without one) and time_to_recover (the longest, seconds; empty unless recovered).
OBJECTIVE_METRICS = ("met", "attainment", "recovered", "time_to_recover")
# Columns that hold a 1-or-0 verdict, summarised as a share with a Wilson interval.
SHARE_METRICS = ("met", "recovered")


def objective_prefix(client: str, index: int) -> str:
    """``browsers.objectives.1``: an objective named as its parameters' paths name it."""
    return f"{client}.objectives.{index + 1}"


def objective_words(design: Design, swept: Iterable[str] = ()) -> dict[str, str]:
    """Each objective's prefix and its words as the check command prints them:
    ``{"browsers.objectives.1": "browsers: availability 99 % (ok)"}``; a field of it among the
    ``swept`` parameter paths is named as swept, not given the design's value, which no point has."""
    swept = tuple(swept)
    words = {}
    for c in design.components:
        for i, objective in enumerate(getattr(c, "objectives", None) or ()):
            prefix = objective_prefix(c.name, i)
            words[prefix] = f"{c.name}: {objective.describe(swept_fields(prefix, swept))}"
    return words


def swept_fields(prefix: str, swept: Iterable[str]) -> frozenset[str]:
    """The fields under ``prefix`` (an objective's) among the ``swept`` parameter paths."""
    return frozenset(path.removeprefix(prefix + ".") for path in swept if path.startswith(prefix + "."))


def metric_columns(design: Design) -> list[str]:
    """The metric columns of a sweep row for this design, in order."""
    columns = []
    for component in design.components:
        if component.kind != "client":
            continue
        columns += [f"{component.name}.{name}" for name, _ in CLIENT_METRICS]
        for index, _ in enumerate(getattr(component, "objectives", ())):
            columns += [f"{objective_prefix(component.name, index)}.{m}" for m in OBJECTIVE_METRICS]
    return columns


def row_metrics(result: RunResult) -> dict[str, float]:
    """A run's figures as sweep columns: per client throughput, goodput, error rate, p50 and
    p99, and the verdict of each of its objectives (``engine.objectives``)."""
    from ..objectives import evaluate

    kinds = dict(zip(result.components, result.kinds))
    out: dict[str, float] = {}
    for name in result.components:
        if kinds.get(name) != "client":
            continue
        summary = result.summary["components"][name]
        for column, key in CLIENT_METRICS:
            out[f"{name}.{column}"] = float(summary[key])
    verdicts = evaluate(result)
    for verdict in verdicts.objectives:
        prefix = objective_prefix(verdict.client, verdict.index)
        out[f"{prefix}.met"] = 1.0 if verdict.met else 0.0
        out[f"{prefix}.attainment"] = float(verdict.attainment)
        ended = [r for r in verdicts.recovery if r.key[:2] == verdict.key and r.recovered is not None]
        if ended:
            recovered = all(r.recovered for r in ended)
            out[f"{prefix}.recovered"] = 1.0 if recovered else 0.0
            if recovered:
                out[f"{prefix}.time_to_recover"] = max(float(r.time_to_recover) for r in ended
                                                       if r.time_to_recover is not None)
    return out


@functools.lru_cache(maxsize=4)
def _space(design_json: str) -> ParameterSpace:
    # Parsed once per worker and design: every task of a sweep carries the same text.
    return ParameterSpace(Design.model_validate_json(design_json))


@functools.lru_cache(maxsize=4)
def _options(options_json: str) -> RunOptions:
    return RunOptions.model_validate_json(options_json)


def run_point(design_json: str, options_json: str, values: tuple[tuple[str, Any], ...],
              experiment: str | None, seed: int) -> dict[str, float]:
    """Simulate one point of a sweep and return its row's metrics.

    The sweep checked every point's design before sending it, so it is not checked again.
    """
    design = _space(design_json).with_values(dict(values), check=False)
    options = _options(options_json).model_copy(update={"seed": seed})
    return row_metrics(simulate(design, options, experiment))


def run_task(design_json: str, options_json: str, task) -> tuple[Any, dict[str, float]]:
    """``run_point`` for a ``sweep.Task``; returns the task with its metrics."""
    return task, run_point(design_json, options_json, task.values, task.experiment, task.seed)


def engine_version() -> str:
    """The Faultline version this worker runs (a sweep refuses workers that differ)."""
    from ..version import __version__

    return __version__


def run_batch(design_json: str, options_json: str, tasks) -> tuple[list[tuple[Any, dict[str, float]]], float]:
    """``run_task`` for several tasks in a row, and the seconds they took (for sizing batches)."""
    start = time.perf_counter()
    results = [run_task(design_json, options_json, task) for task in tasks]
    return results, time.perf_counter() - start
