"""Run results: per-bucket series, summaries over the measured window, and the event log.

The results JSON (``RunResult.to_json_dict``) is a documented, versioned format:

- ``format``: ``"faultline-results"``, ``version``: ``RESULTS_VERSION``
- ``meta``: Faultline version, design, experiment, seed, options, wall time,
  events processed, simulated time reached, whether the run finished;
  ``meta.bucket_grid``: the buckets the series are on (``width`` in seconds, the
  ``requested`` width, ``count``, how many requested buckets were ``merged`` into one
  when the run would have kept more than ``options.max_buckets``, and ``x``: ``"start"``,
  what ``bucket_times`` gives). Results without it are on ``options.bucket``
  (``engine/grid.py``); ``meta.memory``: bytes the run held at its peak:
  ``metrics_bytes`` (the engine's arrays), ``pools_bytes`` (requests, calls and events in
  flight), ``results_bytes``, their sum ``used_bytes``, ``budget_bytes``
  (``options.memory_budget``) and ``request_bytes``, what one waiting request holds
- ``summary.components[name]``: throughput, goodput, outcome counts and
  rates, latency mean/p50/p90/p99/max (seconds), utilisation, mean queue
  length, ``queue_peak`` (the most requests waiting at once since the warm-up),
  retries; queue wait of the work it took on (``queue_wait_mean``,
  ``queue_wait_p50``/``p90``/``p99``, ``wait_probability`` — the share that
  waited at all — and ``waited_mean``); the time refused requests took
  (``refused``, ``refused_time_mean``, ``refused_time_total``: a rate
  limiter's timeout wait, kept out of the latency percentiles).
  ``summary.links[name]``: calls, attempts, retries, attempts per call,
  outcomes, error rate, breaker and bulkhead rejections, ``latency_mean`` of
  the answered calls (retries included), bulkhead waits
  (``bulkhead_waited``, ``bulkhead_wait_probability``,
  ``bulkhead_wait_mean``) and the time refused calls took (a bulkhead's
  maximum wait). Percentiles are interpolated inside a log-bucketed
  histogram's bin: relative error below 0.5 %.
- ``units``: what each figure is measured in (``UNITS``), by table (``series``,
  ``link_series``, the summaries' ``components`` and ``links``) and name; absent from older
  files. ``write_csv`` writes the same beside its tables as ``units.csv``
- ``bucket_times``: start of each bucket (s) of ``meta.bucket_grid``; ``series[metric][component]``
  and ``link_series[metric][link]``: one value per bucket
- ``events``: the event log (time, kind, component, link, fault, details);
  ``events_dropped``: entries beyond the log's cap
- ``meta.objectives``: every client objective judged, in order (client, index in its
  objectives, the objective, the client's recovery settings);
  ``objective_series[counter]``: per objective, one value per bucket, of the requests that
  ended ``ok`` / ``fallback`` / answered at all no slower than its threshold
  (``ok_within``, ``fallback_within``, ``served_within``); ``summary.objectives``: the
  same counters over the measured window
- ``slo`` (version 2): per objective, ``client``, ``label``, ``kind``, ``target``, ``good``
  and ``judged`` requests, ``attainment``, ``met``, ``budget_consumed`` and per bucket
  ``attainment_series`` and ``burn_rate``
- ``recovery`` (version 2): per objective and fault window, ``fault_start``, ``fault_end``,
  ``pre_fault_attainment``, ``breached``, ``time_to_impact``, ``recovered``,
  ``time_to_recover``, ``worst_attainment``, ``peak_burn_rate``, ``requests_lost``,
  ``missed_before`` (the pre-fault level already missed the target; absent from older files,
  read as false) and a ``verdict`` sentence. Definitions: ``engine/objectives.py``.

Version 1 files (no objectives) still load.
"""
from __future__ import annotations

import csv
import json
import math
import os
from collections.abc import Callable, Iterable
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .model.outcomes import OUTCOME_NAMES

RESULTS_FORMAT = "faultline-results"
RESULTS_VERSION = 2
BREAKER_STATE_NAMES = ("CLOSED", "OPEN", "HALF_OPEN")

_COUNTS = ("arrivals", "ok", "error", "timeout", "rejected", "short_circuited", "unavailable",
           "fallback", "retries", "attempts", "calls", "rate_limited", "shed", "lost", "started",
           "waited", "completed", "refused", "in_flight_at_end", "queue_peak", "bulkhead_rejected",
           "breaker_rejected", "retries_exhausted", "retries_throttled", "bulkhead_waited")
_SECONDS = ("latency_p50", "latency_p90", "latency_p99", "latency_p999", "latency_max",
            "latency_mean", "latency_sum", "sojourn_mean", "queue_wait_sum", "queue_wait_mean",
            "queue_wait_p50", "queue_wait_p90", "queue_wait_p99", "waited_mean", "refused_time",
            "refused_time_mean", "refused_time_total", "bulkhead_wait_sum", "bulkhead_wait_mean")
# The unit of every figure of the results, by its one name in the series, the summaries, the JSON
# and the CSV columns, in the words the model's fields use for theirs: "s" seconds, "1/s" per
# second, "ratio" a share from 0 to 1, "x" times (one count over another), "count" what was counted
# (in a bucket in the series, over the measured window in a summary), and for a level, what it
# counts at once ("requests", "workers", "instances", "calls"): a bucket's time average in the
# series, the measured window's in a summary.
UNITS: dict[str, str] = {
    **dict.fromkeys(_COUNTS, "count"),
    **dict.fromkeys(_SECONDS, "s"),
    **dict.fromkeys(("throughput", "goodput", "arrival_rate"), "1/s"),
    **dict.fromkeys(("error_rate", "utilisation", "wait_probability", "bulkhead_wait_probability",
                     "breaker_open_fraction", "breaker_failure_rate"), "ratio"),
    **dict.fromkeys(("amplification", "attempts_per_call"), "x"),
    **dict.fromkeys(("queue_length", "mean_queue_length", "in_flight", "mean_in_flight"), "requests"),
    **dict.fromkeys(("busy", "mean_busy"), "workers"),
    **dict.fromkeys(("instances_up", "mean_instances_up"), "instances"),
    "bulkhead_in_use": "calls",
    # a series' state code at the bucket's end; a summary's state in words
    "breaker_state": "0 closed, 1 open, 2 half-open",
    "kind": "text",
}
# Where a summary holds a figure in another form than its series
SUMMARY_UNITS = {"breaker_state": "CLOSED, OPEN or HALF_OPEN, at the end"}


@dataclass
class RunResult:
    """What a run produced; arrays are (buckets x components) or (buckets x links)."""

    meta: dict[str, Any]
    components: list[str]
    links: list[str]
    bucket_times: np.ndarray
    series: dict[str, np.ndarray]
    link_series: dict[str, np.ndarray]
    summary: dict[str, Any]
    events: list[dict[str, Any]] = field(default_factory=list)
    events_dropped: int = 0
    # (buckets x objectives) counters of meta["objectives"]; None for results without them
    objective_series: dict[str, np.ndarray] | None = None

    # -- access -------------------------------------------------------------
    @property
    def kinds(self) -> list[str]:
        return list(self.meta.get("kinds", []))

    def component_summary(self, name: str) -> dict[str, Any]:
        return self.summary["components"][name]

    def link_summary(self, name: str) -> dict[str, Any]:
        return self.summary["links"][name]

    def column(self, metric: str, component: str) -> np.ndarray:
        return self.series[metric][:, self.components.index(component)]

    def link_column(self, metric: str, link: str) -> np.ndarray:
        return self.link_series[metric][:, self.links.index(link)]

    def events_of(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e["kind"] == kind]

    def units(self) -> dict[str, dict[str, str]]:
        """What each figure of the series and the summaries is measured in, by table and name."""
        def summary_units(rows: dict[str, dict[str, Any]]) -> dict[str, str]:
            names = dict.fromkeys(k for row in rows.values() for k, v in row.items() if not isinstance(v, dict))
            return {name: column_unit(name, summary=True) for name in names}

        return {
            "series": {name: column_unit(name) for name in self.series},
            "link_series": {name: column_unit(name) for name in self.link_series},
            "components": summary_units(self.summary["components"]),
            "links": summary_units(self.summary["links"]),
        }

    # -- (de)serialisation ----------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Arrays stay numpy arrays: the project store keeps them compactly."""
        return {
            "meta": self.meta,
            "summary": self.summary,
            "events": self.events,
            "events_dropped": self.events_dropped,
            "components": list(self.components),
            "links": list(self.links),
            "bucket_times": self.bucket_times,
            "series": dict(self.series),
            "link_series": dict(self.link_series),
            # only when there are counters: results of older versions have none
            **({"objective_series": dict(self.objective_series)} if self.objective_series is not None else {}),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunResult:
        return cls(
            meta=dict(data["meta"]),
            components=list(data["components"]),
            links=list(data["links"]),
            bucket_times=np.asarray(data["bucket_times"], dtype=np.float64),
            series={k: np.asarray(v, dtype=np.float64) for k, v in data["series"].items()},
            link_series={k: np.asarray(v, dtype=np.float64) for k, v in data["link_series"].items()},
            summary=data["summary"],
            events=list(data.get("events", [])),
            events_dropped=int(data.get("events_dropped", 0)),
            objective_series=_arrays(data.get("objective_series")),
        )

    def verdicts(self, recovery=None):
        """Objectives met or missed and recovery per fault window (``engine.objectives.evaluate``)."""
        from .objectives import evaluate

        return evaluate(self, recovery)

    def to_json_dict(self) -> dict[str, Any]:
        return materialise(self.json_parts())

    def json_parts(self) -> JsonObject:
        """The results JSON as a ``JsonObject``: each series column becomes a list only when it
        is written, so a long run is never all in memory as Python lists at once."""
        def columns(arrays: dict[str, np.ndarray], names: list[str]) -> JsonObject:
            return JsonObject(
                (metric, JsonObject((name, _clean_list(values[:, i])) for i, name in enumerate(names)))
                for metric, values in arrays.items())

        def parts():
            yield "format", RESULTS_FORMAT
            yield "version", RESULTS_VERSION
            yield "meta", self.meta
            yield "summary", self.summary
            yield "units", self.units()
            yield "bucket_times", _clean_list(self.bucket_times)
            yield "series", columns(self.series, self.components)
            yield "link_series", columns(self.link_series, self.links)
            yield "events", self.events
            yield "events_dropped", self.events_dropped
            yield "objective_series", JsonObject(
                (m, JsonArray(_clean_list(v[:, j]) for j in range(v.shape[1])))
                for m, v in (self.objective_series or {}).items())
            yield from self.verdicts().to_json_dict().items()

        return JsonObject(parts())

    @classmethod
    def from_json_dict(cls, data: dict[str, Any]) -> RunResult:
        if data.get("format") != RESULTS_FORMAT:
            raise ValueError("not a Faultline results file")
        if int(data.get("version", 0)) > RESULTS_VERSION:
            raise ValueError(f"results made with a newer Faultline (version {data['version']})")
        comps = list(data["meta"]["components"])
        links = list(data["meta"]["links"])

        def stack(cols: dict[str, dict[str, list]], names: list[str]) -> dict[str, np.ndarray]:
            return {
                m: np.column_stack([np.asarray(v[n], dtype=np.float64) for n in names]) if names else
                np.zeros((len(data["bucket_times"]), 0))
                for m, v in cols.items()
            }

        return cls(
            meta=data["meta"], components=comps, links=links,
            bucket_times=np.asarray(data["bucket_times"], dtype=np.float64),
            series=stack(data["series"], comps), link_series=stack(data["link_series"], links),
            summary=data["summary"], events=data["events"], events_dropped=data["events_dropped"],
            objective_series=_arrays({
                m: np.column_stack([np.asarray(c, dtype=np.float64) for c in cols])
                if cols else np.zeros((len(data["bucket_times"]), 0))
                for m, cols in data.get("objective_series", {}).items()
            }) if data.get("objective_series") else None,
        )

    def write_json(self, path: str | Path) -> None:
        """Write the results JSON, series by series (the same text as ``json.dumps(to_json_dict(),
        indent=1)``)."""
        write_json(path, self.json_parts())

    def write_csv(self, directory: str | Path) -> list[Path]:
        """One CSV per table: series (long form), link series, summaries, events."""
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        written = []
        path = out / "series.csv"
        with replacing(path) as fh:
            w = csv.writer(fh)
            metrics = list(self.series)
            w.writerow(["time", "component", *metrics])
            for b, t in enumerate(self.bucket_times):
                for i, name in enumerate(self.components):
                    w.writerow([f"{t:g}", text_cell(name), *(_fmt(self.series[m][b, i]) for m in metrics)])
        written.append(path)
        path = out / "link_series.csv"
        with replacing(path) as fh:
            w = csv.writer(fh)
            metrics = list(self.link_series)
            w.writerow(["time", "link", *metrics])
            for b, t in enumerate(self.bucket_times):
                for i, name in enumerate(self.links):
                    w.writerow([f"{t:g}", text_cell(name), *(_fmt(self.link_series[m][b, i]) for m in metrics)])
        written.append(path)
        for key, filename, label in (("components", "summary.csv", "component"), ("links", "link_summary.csv", "link")):
            path = out / filename
            rows = self.summary[key]
            fields = sorted({k for r in rows.values() for k, v in r.items() if not isinstance(v, dict)})
            with replacing(path) as fh:
                w = csv.writer(fh)
                w.writerow([label, *fields])
                for name, row in rows.items():
                    w.writerow([text_cell(name), *(_fmt(row.get(f)) for f in fields)])
            written.append(path)
        path = out / "events.csv"
        with replacing(path) as fh:
            w = csv.writer(fh)
            w.writerow(["time", "kind", "component", "link", "fault_id", "details"])
            for e in self.events:
                w.writerow([f"{e['time']:.6f}", *(text_cell(e.get(k) or "") for k in
                                                   ("kind", "component", "link", "fault_id", "details"))])
        written.append(path)
        # The columns keep the names the JSON and the engine use; what each is measured in is
        # written once, beside them, for a spreadsheet's reader and a script alike.
        path = out / "units.csv"
        with replacing(path) as fh:
            w = csv.writer(fh)
            w.writerow(["file", "column", "unit"])
            for written_path in written:
                with written_path.open(newline="", encoding="utf-8") as table:
                    header = next(csv.reader(table))
                summary = written_path.name.endswith("summary.csv")
                for column in header:
                    w.writerow([written_path.name, column, column_unit(column, summary)])
        written.append(path)
        return written


class JsonObject:
    """A JSON object given as (key, value) pairs, produced while it is written; values may be
    ``JsonObject`` or ``JsonArray`` again. Iterable once."""

    def __init__(self, pairs: Iterable[tuple[str, Any]]):
        self.pairs = pairs


class JsonArray:
    """A JSON array given as its items, produced while it is written. Iterable once."""

    def __init__(self, items: Iterable[Any]):
        self.items = items


def materialise(value: Any) -> Any:
    """``value`` with every ``JsonObject`` / ``JsonArray`` made into a dict / list."""
    if isinstance(value, JsonObject):
        return {k: materialise(v) for k, v in value.pairs}
    if isinstance(value, JsonArray):
        return [materialise(v) for v in value.items]
    return value


def write_json(path: str | Path, value: Any) -> None:
    """Write ``value`` to ``path`` as ``json.dumps(materialise(value), indent=1, allow_nan=False)``
    would, without ever holding the whole text (or every streamed part) in memory."""
    with replacing(Path(path), newline=None) as fh:
        dump_json(value, fh.write)


@contextmanager
def replacing(path: Path, newline: str | None = ""):
    """A text file that takes ``path``'s place once it is whole: written beside it and renamed,
    so that Ctrl+C or a full disk halfway leaves the previous file (or none), never half of one."""
    temp = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        with temp.open("w", newline=newline, encoding="utf-8") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temp, path)
    except BaseException:
        with suppress(OSError):
            temp.unlink()
        raise


def dump_json(value: Any, write: Callable[[str], Any], level: int = 0) -> None:
    """Write ``value`` as indented JSON through ``write``, one part at a time: objects and arrays
    item by item, a list of numbers as one piece."""
    if isinstance(value, (JsonObject, dict)):
        pairs = value.pairs if isinstance(value, JsonObject) else value.items()
        _dump_items(((_key(k), v) for k, v in pairs), "{}", write, level)
    elif isinstance(value, (JsonArray, list, tuple)):
        items = value.items if isinstance(value, JsonArray) else value
        if isinstance(items, list) and items and all(type(v) is float or v is None for v in items):
            # a series column: json.dumps would make several small strings per number
            pad = "\n" + " " * (level + 1)
            write("[" + pad + ("," + pad).join(map(_number, items)) + "\n" + " " * level + "]")
        else:
            _dump_items(((None, v) for v in items), "[]", write, level)
    else:
        write(json.dumps(value, allow_nan=False))


def _dump_items(items: Iterable[tuple[str | None, Any]], brackets: str, write, level: int) -> None:
    pad = "\n" + " " * (level + 1)
    write(brackets[0])
    empty = True
    for key, item in items:
        write(pad if empty else "," + pad)
        if key is not None:
            write(key + ": ")
        dump_json(item, write, level + 1)
        empty = False
    write(brackets[1] if empty else "\n" + " " * level + brackets[1])


def _key(key: Any) -> str:
    # json.dumps writes a key that is not a string as the JSON text of that value, quoted
    if not isinstance(key, str):
        key = json.dumps(key, allow_nan=False)
    return json.dumps(key)


def _number(value: float | None) -> str:
    if value is None:
        return "null"
    if not math.isfinite(value):
        raise ValueError(f"Out of range float values are not JSON compliant: {value!r}")
    return float.__repr__(value)


def column_unit(column: str, summary: bool = False) -> str:
    """What a results column (``UNITS``' names, and the CSV's time, name and event columns) is
    measured in; ``summary``: the column of a summary table."""
    if column == "time":
        return "s"
    if column in ("component", "link", "details", "fault_id"):
        return "text"
    if summary and column in SUMMARY_UNITS:
        return SUMMARY_UNITS[column]
    return UNITS.get(column, "")


# A spreadsheet reads a cell that begins with one of these as a formula (OWASP, CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def text_cell(text: str) -> str:
    """A name or other text for a CSV cell: one a spreadsheet would run as a formula
    (``=HYPERLINK(...)``) gets a leading apostrophe and stays text. Numbers never pass here."""
    text = str(text)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _arrays(data: dict[str, Any] | None) -> dict[str, np.ndarray] | None:
    if data is None:
        return None
    return {k: np.asarray(v, dtype=np.float64) for k, v in data.items()}


def _fmt(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.6g}"
    if isinstance(value, str):
        return text_cell(value)
    return str(value)


def _clean_list(values: np.ndarray) -> list:
    return [None if not math.isfinite(v) else float(v) for v in np.asarray(values, dtype=np.float64)]


def outcome_rates(counts: dict[str, float]) -> dict[str, float]:
    total = sum(counts.values())
    return {f"{k}_rate": (v / total if total else 0.0) for k, v in counts.items()}


__all__ = ["JsonArray", "JsonObject", "RunResult", "RESULTS_FORMAT", "RESULTS_VERSION", "BREAKER_STATE_NAMES",
           "OUTCOME_NAMES", "dump_json", "materialise", "write_json"]
