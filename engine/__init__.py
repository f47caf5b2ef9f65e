"""Faultline's simulation engine: pure Python + Cython, no Qt, no SQL.

Public API::

    from engine import Simulation, simulate, RunOptions
    result = simulate(design, RunOptions(duration=60, seed=7), experiment="db crash")
"""
from .model import Design, DesignError, RunOptions, parse_design

__all__ = ["Design", "DesignError", "RunOptions", "parse_design"]
