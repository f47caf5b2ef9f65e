"""Faultline's simulation engine: pure Python + Cython, no Qt, no SQL.

Public API::

    from engine import Simulation, simulate, RunOptions
    result = simulate(design, RunOptions(duration=60, seed=7), experiment="db crash")

The names below are imported on first use, not with the package: ``faultline --help`` or a
sub-module such as ``engine.version`` must not pay for numpy, pydantic and the compiled core.
"""
from __future__ import annotations

import importlib

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing, which costs more than this package

_HOME = {
    "Design": "model", "DesignError": "model", "Experiment": "model", "RunOptions": "model",
    "parse_design": "model", "RunResult": "results", "text_cell": "results", "UNITS": "results", "RunPlan": "plan",
    "RunStopped": "simulation", "Simulation": "simulation", "simulate": "simulation",
    "format_bytes": "simulation", "buckets_within": "simulation",
}

__all__ = sorted(_HOME)

if TYPE_CHECKING:
    from .model import Design, DesignError, Experiment, RunOptions, parse_design
    from .plan import RunPlan
    from .results import UNITS, RunResult, text_cell
    from .simulation import RunStopped, Simulation, buckets_within, format_bytes, simulate


def __getattr__(name: str) -> object:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module 'engine' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # found once, then an ordinary attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOME})
