"""Sweeps: parameters by path, each over a range, a list or a Latin hypercube, crossed with
experiments and replications.

Every point of a sweep runs replication ``k`` with the seed ``seed + k``: the
engine keys its random streams by component name, so two points draw the same
arrivals and service times and differ only by what the parameters change
(common random numbers).

Spec syntax, one per parameter (``PATH=SPEC``):

- ``a:b:step``: ``a``, ``a+step``, ... up to ``b`` inclusive;
- ``a,b,c``: these values (numbers, choices, ``true``/``false``, ``none``);
- ``a:b``: the interval, for a Latin hypercube sample (``lhs=N``) only.

A number may carry its unit (``Parameter.number``): ``100 ms:1 s:100 ms``, ``99 %,99.9 %``.

Without ``lhs`` the points are every combination of the parameters' values;
with it, ``N`` points spread over all of them at once (``scipy.stats.qmc``,
seeded), lists and stepped ranges taking their values by equal shares.
"""
from __future__ import annotations

import hashlib
import itertools
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..grid import BucketGrid
from ..model import Design, DesignError, Problem, RunOptions
from ..model.validation import experiment_problems
from .paths import Parameter, ParameterSpace, format_value
from .worker import metric_columns

# More combinations than this is a typing mistake, not a sweep that will ever finish.
MAX_POINTS = 1_000_000


@dataclass(frozen=True)
class Axis:
    """One swept parameter: a finite list of values, or an interval for a Latin hypercube."""

    parameter: Parameter
    spec: str
    values: tuple[Any, ...] = ()
    low: float | None = None
    high: float | None = None

    @property
    def path(self) -> str:
        return self.parameter.path

    @property
    def continuous(self) -> bool:
        return not self.values

    def pick(self, u: float) -> Any:
        """The value at ``u`` in [0, 1): a share of the interval, or of the list by equal bins."""
        if self.values:
            return self.values[min(int(u * len(self.values)), len(self.values) - 1)]
        low, high = self.low, self.high
        assert low is not None and high is not None  # an axis without values is a range with both ends
        value = low + u * (high - low)
        if self.parameter.type == "int":
            return int(min(max(round(value), math.ceil(low)), math.floor(high)))
        return value


def _bad(path: str, spec: str, why: str) -> DesignError:
    return DesignError([Problem(path, f'"{spec}": {why}')])


def parse_axis(space: ParameterSpace, path: str, spec: str) -> Axis:
    """``spec`` for the parameter at ``path`` as an Axis; a ``DesignError`` naming both if bad."""
    parameter = space.get(path)
    path = parameter.path
    text = spec.strip()
    if not text:
        raise _bad(path, spec, "give a range a:b:step, a list a,b,c or an interval a:b")
    if ":" in text and "," not in text:
        if not parameter.numeric:
            raise _bad(path, spec, f"a range needs a number parameter; this one is {parameter.range_text()}, "
                                   "so list the values: a,b")
        parts = text.split(":")
        if len(parts) not in (2, 3):
            raise _bad(path, spec, "a range is a:b:step (or a:b with a Latin hypercube)")
        try:
            numbers = [parameter.number(p) for p in parts]
        except ValueError as exc:
            why = str(exc) if "unit" in str(exc) else "the ends and the step of a range must be numbers"
            raise _bad(path, spec, why) from None
        low, high = numbers[0], numbers[1]
        if high < low:
            raise _bad(path, spec, "the range ends below where it starts")
        for end in (low, high):
            try:
                parameter.check_range(end)
            except ValueError as exc:
                raise _bad(path, spec, f"the range {exc}") from None
        if len(numbers) == 2:
            return Axis(parameter, text, low=low, high=high)
        step = numbers[2]
        if step <= 0:
            raise _bad(path, spec, "the step must be greater than 0")
        count = math.floor((high - low) / step * (1 + 1e-12)) + 1
        if count > MAX_POINTS:
            raise _bad(path, spec, f"{count:,} values is more than a sweep can run")
        raw = [low + k * step for k in range(count)]
        try:
            values = tuple(dict.fromkeys(parameter.coerce(round(v, 12)) for v in raw))
        except ValueError as exc:
            raise _bad(path, spec, str(exc)) from None
        return Axis(parameter, text, values=values)
    try:
        values = tuple(dict.fromkeys(parameter.coerce(item) for item in text.split(",")))
    except ValueError as exc:
        raise _bad(path, spec, str(exc)) from None
    return Axis(parameter, text, values=values)


def parse_param_option(text: str) -> tuple[str, str]:
    """``"api.workers=4:16:4"`` as ``("api.workers", "4:16:4")``; the path may hold ``=`` only before the last."""
    path, sep, spec = text.rpartition("=")
    if not sep or not path.strip():
        raise DesignError([Problem("--param", f'"{text}" should be PATH=SPEC, e.g. api.workers=4:16:4')])
    return path.strip(), spec


def grid_points(axes: list[Axis]) -> list[dict[str, Any]]:
    """Every combination of the axes' values, the last axis varying fastest."""
    for axis in axes:
        if axis.continuous:
            raise _bad(axis.path, axis.spec, "an interval a:b needs a step (a:b:step) or a Latin hypercube (--lhs N)")
    total = math.prod(len(a.values) for a in axes)
    if total > MAX_POINTS:
        raise DesignError([Problem("sweep", f"{total:,} combinations is more than a sweep can run "
                                            f"(at most {MAX_POINTS:,}); use fewer values or --lhs N")])
    return [dict(zip((a.path for a in axes), combo)) for combo in itertools.product(*(a.values for a in axes))]


def lhs_points(axes: list[Axis], n: int, seed: int) -> list[dict[str, Any]]:
    """``n`` points of a Latin hypercube over all the axes, reproducible from ``seed``."""
    if n < 1 or n > MAX_POINTS:
        raise DesignError([Problem("--lhs", f"the number of points must be 1..{MAX_POINTS:,} (got {n})")])
    try:
        from scipy.stats import qmc
    except ImportError:
        raise DesignError([Problem("--lhs", "a Latin hypercube needs SciPy, which this installation lacks "
                                            "(pip install scipy); a grid (a:b:step, a,b,c) needs nothing")]) from None

    sample = qmc.LatinHypercube(d=len(axes), rng=seed).random(n)
    return [{a.path: a.pick(float(u)) for a, u in zip(axes, row)} for row in sample]


@dataclass(frozen=True)
class Task:
    """One run of a sweep: what a worker needs besides the design and the run options."""

    point: int
    values: tuple[tuple[str, Any], ...]
    experiment: str | None
    replication: int
    seed: int

    @property
    def key(self) -> tuple:
        """What identifies the run in a results file, however the sweep is numbered."""
        return (self.experiment or "", self.replication, tuple(format_value(v) for _, v in self.values))


@dataclass
class Sweep:
    """A planned sweep: the design, its swept axes, the points, experiments and replications."""

    design: Design
    options: RunOptions
    axes: list[Axis]
    points: list[dict[str, Any]]
    experiments: list[str | None] = field(default_factory=lambda: [None])
    replications: int = 1

    @property
    def paths(self) -> list[str]:
        """The swept parameters' paths, in the order given."""
        return [a.path for a in self.axes]

    @property
    def clients(self) -> list[str]:
        """The design's clients, whose figures each row holds."""
        return [c.name for c in self.design.components if c.kind == "client"]

    @property
    def metric_columns(self) -> list[str]:
        """The metric columns of every row (``worker.metric_columns``)."""
        return metric_columns(self.design)

    def __len__(self) -> int:
        return len(self.points) * len(self.experiments) * self.replications

    def tasks(self) -> Iterator[Task]:
        """Every run, replications of a point together so its summary fills in early."""
        for i, point in enumerate(self.points):
            values = tuple(point.items())
            for experiment in self.experiments:
                for k in range(self.replications):
                    yield Task(i, values, experiment, k, self.options.seed + k)

    def fingerprint(self) -> str:
        """A short digest of what every row depends on besides its own columns: the design and
        the run options other than the seed (which each row carries)."""
        digest = hashlib.sha256()
        digest.update(json.dumps(self.design.to_dict(), sort_keys=True).encode())
        # The bucket limit changes no row of a run that keeps its buckets as asked: leaving it out
        # then lets a results file written before the limit existed resume.
        unused = set() if BucketGrid.of_options(self.options).coarsened else {"max_buckets"}
        digest.update(self.options.model_dump_json(exclude={"seed", *unused}).encode())
        return digest.hexdigest()[:12]


def plan_sweep(design: Design, params: list[tuple[str, str]], options: RunOptions,
               experiments: list[str | None] | None = None, replications: int = 1,
               lhs: int | None = None, lhs_seed: int | None = None, check_points: bool = True) -> Sweep:
    """Check everything a sweep needs before any run starts, and list its points.

    ``params`` are (path, spec) pairs. Each point's design is validated here
    (``check_points``), so a value that breaks the design is reported at once,
    naming the point, rather than by a worker halfway through.
    """
    design.check()
    space = ParameterSpace(design)
    axes = [parse_axis(space, path, spec) for path, spec in params]
    seen: set[str] = set()
    for axis in axes:
        if axis.path in seen:
            raise DesignError([Problem(axis.path, "is swept twice; give each parameter once")])
        seen.add(axis.path)
    if replications < 1:
        raise DesignError([Problem("--replications", f"must be at least 1 (got {replications})")])
    if lhs is not None:
        if not axes:
            raise DesignError([Problem("--lhs", "needs parameters to sample (--param PATH=a:b)")])
        points = lhs_points(axes, lhs, options.seed if lhs_seed is None else lhs_seed)
    else:
        points = grid_points(axes) if axes else [{}]
    experiments = list(dict.fromkeys(experiments or [None]))
    for name in experiments:
        if name is not None:
            design.experiment(name)
    if len(points) * len(experiments) * replications > MAX_POINTS:
        raise DesignError([Problem("sweep", f"{len(points) * len(experiments) * replications:,} runs is more "
                                            f"than a sweep can hold (at most {MAX_POINTS:,})")])
    if check_points:
        for i, point in enumerate(points):
            try:
                variant = space.with_values(point)
                for name in experiments:
                    if name is not None:
                        problems = experiment_problems(variant, variant.experiment(name), options.duration)
                        if problems:
                            raise DesignError(problems)
            except DesignError as exc:
                where = ", ".join(f"{p}={format_value(v)}" for p, v in point.items())
                raise DesignError([Problem(f"point {i + 1} ({where})",
                                           p.message if p.where.startswith("with ") else str(p))
                                   for p in exc.problems]) from None
    return Sweep(design, options, axes, points, experiments, replications)
