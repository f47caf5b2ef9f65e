"""Running a planned sweep on an executor, writing each row as its run finishes."""
from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from .executors import Executor, InProcessExecutor
from .sweep import Sweep
from .table import ResultsFile, row_of

# on_row(row, done, total): called in the caller's thread after each finished run.
RowCallback = Callable[[dict, int, int], None]


def run_sweep(sweep: Sweep, executor: Executor | None = None, out: str | Path | None = None,
              on_row: RowCallback | None = None,
              on_start: Callable[[int, int], None] | None = None,
              stop: threading.Event | None = None) -> list[dict[str, str]]:
    """Run every run of ``sweep`` not already in ``out`` and return all its rows (as CSV cells).

    With ``out``, rows are appended to that CSV as runs finish and the runs it
    already holds are skipped (it must come from the same sweep). Interrupting
    (``KeyboardInterrupt``) leaves every finished row in the file; the executor is
    the caller's to close.
    """
    executor = executor or InProcessExecutor()
    design_json = sweep.design.model_dump_json()
    options_json = sweep.options.model_dump_json()
    if out is None:
        fingerprint = sweep.fingerprint()
        rows: list[dict[str, str]] = []
        tasks = list(sweep.tasks())
        if on_start:
            on_start(0, len(tasks))
        for task, metrics in executor.run(design_json, options_json, tasks):
            rows.append(row_of(sweep, task, metrics, fingerprint))
            if on_row:
                on_row(rows[-1], len(rows), len(tasks))
            if stop is not None and stop.is_set():
                break
        return rows
    with ResultsFile(out, sweep) as results:
        tasks = results.pending()
        total = len(sweep)
        if on_start:
            on_start(total - len(tasks), total)
        for task, metrics in executor.run(design_json, options_json, tasks):
            row = results.append(task, metrics)
            if on_row:
                on_row(row, len(results.done), total)
            if stop is not None and stop.is_set():
                break
        return results.rows
