"""A sweep's results: one tidy row per point x experiment x replication, written as runs finish,
and a summary per point with 95 % confidence intervals.

The CSV's columns: ``point`` (its number in the sweep, from 1), ``experiment``
(empty without one), ``replication`` (from 0), ``seed``, one column per swept
parameter path, one per metric (``CLIENT.throughput``, ``.goodput``,
``.error_rate``, ``.p50``, ``.p99``; seconds and requests per second; and per
objective ``CLIENT.objectives.K.met``, ``.attainment``, ``.recovered``,
``.time_to_recover``, see ``worker.OBJECTIVE_METRICS``) and
``fingerprint``: a digest of the design and run options, so that a file is
never resumed by a different sweep. Each row is flushed as it is written; a
sweep rerun with the same file skips the runs it already holds.
"""
from __future__ import annotations

import csv
import io
import math
from pathlib import Path
from typing import Any

from ..model import DesignError, Problem
from ..results import UNITS, replacing
from ..stats import mean_ci, wilson_interval
from .paths import format_value
from .sweep import Sweep, Task
from .worker import CLIENT_METRICS, SHARE_METRICS

KEY_COLUMNS = ("point", "experiment", "replication", "seed")


def summary_path(out: str | Path) -> Path:
    """``results.csv`` -> ``results.summary.csv``: where the per-point summary goes."""
    out = Path(out)
    return out.with_name(f"{out.stem if out.suffix == '.csv' else out.name}.summary.csv")


def units_path(out: str | Path) -> Path:
    """``results.csv`` -> ``results.units.csv``: what each column of the rows and the summary is in."""
    out = Path(out)
    return out.with_name(f"{out.stem if out.suffix == '.csv' else out.name}.units.csv")


_KEY_UNITS = {"point": "number", "experiment": "text", "replication": "number", "seed": "number",
              "fingerprint": "text", "replications": "count"}
# A row's figures by their last part: a client's are its run summary's (engine.results.UNITS)
_METRIC_UNITS = {**{column: UNITS[key] for column, key in CLIENT_METRICS},
                 "met": "1 met, 0 missed", "attainment": "ratio", "recovered": "1 recovered, 0 not",
                 "time_to_recover": "s"}


def column_unit(sweep: Sweep, column: str, summary: bool = False) -> str:
    """What a column of the sweep's rows (or, ``summary``, of its summary) is measured in: a
    parameter's own unit, a figure's as its run gives it, an interval's as the figure's."""
    parameters = {a.path: a.parameter for a in sweep.axes}
    if column in parameters:
        parameter = parameters[column]
        return parameter.unit or ("number" if parameter.numeric else "text")
    if column in _KEY_UNITS:
        return _KEY_UNITS[column]
    figure, _, interval = column.rpartition(".")
    if interval in ("ci95", "low", "high"):
        column = figure
    if summary and column.rpartition(".")[2] in SHARE_METRICS:
        return "ratio"   # the share of replications, with its Wilson interval
    return figure_unit(column)


def figure_unit(column: str) -> str:
    """The unit of a row's figure (``browsers.p99``, ``browsers.objectives.1.time_to_recover``)."""
    return _METRIC_UNITS.get(column.rpartition(".")[2], "")


def write_units(path: str | Path, sweep: Sweep, rows_file: str | Path) -> Path:
    """Every column of the rows file (``rows_file``) and of its summary with its unit, as CSV."""
    path = Path(path)
    summary = summary_fields(sweep)
    with replacing(path) as fh:
        writer = csv.writer(fh)
        writer.writerow(["file", "column", "unit"])
        for name, header, of_summary in ((Path(rows_file).name, columns(sweep), False),
                                         (summary_path(rows_file).name, summary, True)):
            for column in header:
                writer.writerow([name, column, column_unit(sweep, column, of_summary)])
    return path


def columns(sweep: Sweep) -> list[str]:
    """The header of a sweep's results file, in order."""
    return [*KEY_COLUMNS, *sweep.paths, *sweep.metric_columns, "fingerprint"]


def row_of(sweep: Sweep, task: Task, metrics: dict[str, float], fingerprint: str) -> dict[str, str]:
    """A finished run as CSV cells; floats written so they read back exactly."""
    row = {"point": str(task.point + 1), "experiment": task.experiment or "",
           "replication": str(task.replication), "seed": str(task.seed)}
    for path, value in task.values:
        row[path] = format_value(value)
    for column in sweep.metric_columns:
        value = metrics.get(column)
        row[column] = "" if value is None or (isinstance(value, float) and math.isnan(value)) else repr(float(value))
    row["fingerprint"] = fingerprint
    return row


def row_key(row: dict[str, str], paths: list[str]) -> tuple:
    """The identity of a written row, as ``Task.key`` gives it for a planned run."""
    return (row["experiment"], int(row["replication"]), tuple(row[p] for p in paths))


class ResultsFile:
    """The CSV a sweep writes into, opened for appending; what it already holds is read first.

    Refuses (``DesignError``) a file written by a sweep of other parameters, metrics,
    design or run options, naming what differs.
    """

    def __init__(self, path: str | Path, sweep: Sweep):
        self.path = Path(path)
        self.sweep = sweep
        self.columns = columns(sweep)
        self.fingerprint = sweep.fingerprint()
        self.rows: list[dict[str, str]] = []
        try:
            if self.path.is_file() and self.path.stat().st_size > 0:
                self._read_existing()
            self.done = {row_key(r, sweep.paths) for r in self.rows}
            new = not self.rows
            self._fh = self.path.open("w" if new else "a", newline="", encoding="utf-8")
        except OSError as exc:
            raise DesignError([Problem(str(self.path), f"cannot be written: {exc.strerror or exc}")]) from None
        self._writer = csv.DictWriter(self._fh, fieldnames=self.columns)
        if new:
            self._writer.writeheader()
            self._fh.flush()

    def _refuse(self, why: str) -> DesignError:
        return DesignError([Problem(str(self.path), f"{why}; give another --out, or delete the file to start over")])

    def _read_existing(self) -> None:
        data = self.path.read_bytes()
        # A run stopped mid-row leaves a partial last line: read the whole ones only, and cut it
        # off the file once the file is known to be this sweep's (never touch anyone else's).
        whole = data[:data.rfind(b"\n") + 1]
        try:
            self._read_rows(csv.DictReader(io.StringIO(whole.decode("utf-8"), newline="")))
        except (UnicodeDecodeError, csv.Error):
            raise self._refuse("it is not a sweep's results file") from None
        if len(whole) < len(data):
            with self.path.open("r+b") as fh:
                fh.truncate(len(whole))

    def _read_rows(self, reader: csv.DictReader) -> None:
        header = reader.fieldnames or []
        if header != self.columns:
            theirs = [c for c in header if c not in KEY_COLUMNS and "." in c and c not in self.columns]
            ours = [c for c in self.columns if c not in header]
            detail = "its columns differ"
            if theirs or ours:
                detail = (f"it holds {', '.join(theirs) or 'no other columns'} and lacks "
                          f"{', '.join(ours) or 'nothing'}")
            raise self._refuse(f"it was written by a sweep of other parameters or metrics ({detail})")
        for number, row in enumerate(reader, start=2):
            if row.get("fingerprint") != self.fingerprint:
                raise self._refuse("it was written by a sweep of another design or other run options "
                                   "(duration, warm-up, bucket)")
            if None in row.values() or None in row or not row["replication"].isdigit():
                raise self._refuse(f"line {number} is damaged")
            self.rows.append(row)

    def pending(self) -> list[Task]:
        """The sweep's runs not in the file yet."""
        return [t for t in self.sweep.tasks() if t.key not in self.done]

    def append(self, task: Task, metrics: dict[str, float]) -> dict[str, str]:
        """Write the row of a finished run now, and return it."""
        row = row_of(self.sweep, task, metrics, self.fingerprint)
        self.write_row(row)
        return row

    def write_row(self, row: dict[str, str]) -> None:
        """Write a row made by ``row_of`` (a finished run's, or one kept from elsewhere)."""
        self._writer.writerow(row)
        # One whole row at a time reaches the file, so a stop at any moment keeps every finished run.
        self._fh.flush()
        self.rows.append(row)
        self.done.add(row_key(row, self.sweep.paths))

    def close(self) -> None:
        if not self._fh.closed:
            self._fh.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def summarise(sweep: Sweep, rows: list[dict[str, str]]) -> list[dict[str, Any]]:
    """Per point and experiment: the parameters, the replications run, and every metric's mean
    with the half-width of its Student-t 95 % interval (nan from one replication); a verdict
    (met, recovered) as the share of replications with its Wilson 95 % interval. In sweep order."""
    metrics = sweep.metric_columns
    groups: dict[tuple, list[dict[str, str]]] = {}
    # by the point's number: two points of a Latin hypercube may round to the same values
    for row in rows:
        groups.setdefault((row["experiment"], row["point"]), []).append(row)
    out = []
    for i, point in enumerate(sweep.points):
        cells = tuple(format_value(v) for v in point.values())
        for experiment in sweep.experiments:
            members = groups.get((experiment or "", str(i + 1)))
            if not members:
                continue
            entry: dict[str, Any] = {"point": i + 1, "experiment": experiment or ""}
            entry.update(zip(sweep.paths, cells))
            entry["replications"] = len(members)
            for column in metrics:
                values = [float(r[column]) for r in members if r.get(column) not in (None, "")]
                if column.rsplit(".", 1)[-1] in SHARE_METRICS:
                    entry[column] = sum(values) / len(values) if values else math.nan
                    entry[f"{column}.low"], entry[f"{column}.high"] = wilson_interval(int(sum(values)), len(values))
                else:
                    entry[column], entry[f"{column}.ci95"] = mean_ci(values)
            out.append(entry)
    return out


def write_summary(path: str | Path, sweep: Sweep, summary: list[dict[str, Any]]) -> Path:
    """The summary as CSV: ``point, experiment, <paths>, replications``, then per metric its mean
    and ``.ci95``, or for a verdict its share and ``.low``, ``.high``."""
    path = Path(path)
    with replacing(path) as fh:
        writer = csv.DictWriter(fh, fieldnames=summary_fields(sweep), extrasaction="ignore")
        writer.writeheader()
        for entry in summary:
            writer.writerow({k: ("" if isinstance(v, float) and math.isnan(v) else
                                 repr(v) if isinstance(v, float) else v) for k, v in entry.items()})
    return path


def summary_fields(sweep: Sweep) -> list[str]:
    """The header of a sweep's summary file, in order."""
    fields = ["point", "experiment", *sweep.paths, "replications"]
    for column in sweep.metric_columns:
        share = column.rsplit(".", 1)[-1] in SHARE_METRICS
        fields += [column, *((f"{column}.low", f"{column}.high") if share else (f"{column}.ci95",))]
    return fields


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"


def _cell(mean: float, ci: float, scale: float) -> str:
    if mean is None or math.isnan(mean):
        return "-"
    text = _number(mean * scale)
    if not math.isnan(ci):
        # the half-width to two digits, or whole from 100: "596 ± 980", never "± 9.8e+02"
        text += f" ± {_number(ci * scale) if ci * scale >= 100 else f'{ci * scale:.2g}'}"
    return text


def _count(share: float, replications: int) -> str:
    """A verdict's share of replications as ``2/3``; ``-`` where it does not apply."""
    return "-" if math.isnan(share) else f"{round(share * replications)}/{replications}"


def summary_table(sweep: Sweep, summary: list[dict[str, Any]]) -> tuple[list[str], list[list[str]]]:
    """The summary as text cells for a person, with its header: one line per point and
    experiment, its parameters, then per client throughput, error rate and p99, each mean ±
    the half-width of its 95 % interval, and per objective the replications that met it (and,
    after faults, that recovered). The command line and the window show the same table."""
    shown = (("throughput", "/s", 1.0), ("error_rate", " %", 100.0), ("p99", " ms", 1000.0))
    verdicts = [c.removesuffix(".met") for c in sweep.metric_columns if c.endswith(".met")]
    recovery = [p for p in verdicts if any(not math.isnan(e.get(f"{p}.recovered", math.nan)) for e in summary)]
    heads = ["#", *sweep.paths] + (["experiment"] if sweep.experiments != [None] else []) + ["n"]
    heads += [f"{c}.{m}{u}" for c in sweep.clients for m, u, _ in shown]
    heads += [f"{p} met" for p in verdicts] + [f"{p} recovered" for p in recovery]
    table = []
    for entry in summary:
        line = [str(entry["point"]), *(entry[p] for p in sweep.paths)]
        if sweep.experiments != [None]:
            line.append(entry["experiment"] or "none")
        line.append(str(entry["replications"]))
        for client in sweep.clients:
            for metric, _, scale in shown:
                column = f"{client}.{metric}"
                line.append(_cell(entry[column], entry[f"{column}.ci95"], scale))
        line += [_count(entry[f"{p}.met"], entry["replications"]) for p in verdicts]
        line += [_count(entry[f"{p}.recovered"], entry["replications"]) for p in recovery]
        table.append(line)
    return heads, table
