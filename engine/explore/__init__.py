"""Exploring a design: parameters by path, sweeps over them, and the executors that run them.

Qt-free, so the command line and a cluster worker import it without a screen;
a worker needs nothing beyond ``engine``. Dask is imported here only, and only
when a sweep is sent to a cluster.

    from engine.explore import plan_sweep, run_sweep, make_executor
    sweep = plan_sweep(design, [("api.workers", "4:16:4")], RunOptions(duration=60), replications=3)
    with make_executor(workers=2) as executor:
        rows = run_sweep(sweep, executor, out="sweep.csv")
"""
from .executors import (
    DaskExecutor,
    Executor,
    InProcessExecutor,
    LocalExecutor,
    SweepError,
    make_executor,
)
from .paths import Parameter, ParameterSpace, format_value, normalise, with_values
from .runner import run_sweep
from .sweep import Sweep, plan_sweep
from .table import ResultsFile, summarise, summary_path, summary_table, units_path, write_summary, write_units

__all__ = [
    "DaskExecutor", "Executor", "InProcessExecutor", "LocalExecutor", "Parameter", "ParameterSpace",
    "ResultsFile", "Sweep", "SweepError", "format_value", "make_executor", "normalise", "plan_sweep",
    "run_sweep", "summarise", "summary_path", "summary_table", "units_path", "with_values", "write_summary",
    "write_units",
]
