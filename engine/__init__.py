"""Faultline's simulation engine: pure Python + Cython, no Qt, no SQL.

Public API::

    from engine import Simulation, simulate, RunOptions
    result = simulate(design, RunOptions(duration=60, seed=7), experiment="db crash")
"""
from .model import Design, DesignError, Experiment, RunOptions, parse_design
from .results import RunResult, text_cell
from .simulation import RunStopped, Simulation, simulate

__all__ = ["Design", "DesignError", "Experiment", "RunOptions", "RunResult", "RunStopped", "Simulation", "parse_design", "simulate", "text_cell"]
