"""Exploring a design: parameters by path, sweeps over them, and the executors that run them.

Qt-free, so the command line and a cluster worker import it without a screen;
a worker needs nothing beyond ``engine``. Dask is imported here only, and only
when a sweep is sent to a cluster.
"""
from .paths import Parameter, ParameterSpace, format_value, normalise, with_values

__all__ = ["Parameter", "ParameterSpace", "format_value", "normalise", "with_values"]
