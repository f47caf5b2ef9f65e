"""A run as the window shows it: growing numpy buffers per variant, the event log, the comparison.

Qt-free. A live run fills preallocated buffers frame by frame; a reopened
run wraps the arrays of its saved results. The dashboard, the event log,
the canvas colouring and the report all read a ``RunSession``.
"""
from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from engine import RunResult
from engine.compare import Comparison, build_table
from engine.grid import BucketGrid
from engine.model import FAILURE_OUTCOMES, OUTCOME_NAMES, Design

from .explain import Finding, explain
from .formatting import format_time
from .worker import VARIANT_ORDER, LiveFrame, RunOutcome, RunRequest, VariantFrame

RUNNING, FINISHED, STOPPED, FAILED = "running", "finished", "stopped", "failed"
BREAKER_NAMES = {0: "closed", 1: "open", 2: "half_open"}
# Worst first: a component shows the most alarming state among its breakers.
_BREAKER_RANK = {0: 0, 2: 1, 1: 2}
VARIANT_LABELS = {"protected": "with resilience", "unprotected": "without resilience", "baseline": "no faults"}


class VariantData:
    """The buckets of one variant received so far: the worker's arrays for the whole run (their
    first ``n`` rows written), or a finished run's results."""

    def __init__(self, components: list[str], links: list[str]):
        self.components = list(components)
        self.links = list(links)
        self.n = 0
        self.series: dict[str, np.ndarray] = {}
        self.link_series: dict[str, np.ndarray] = {}
        self.objective_series: dict[str, np.ndarray] = {}  # (buckets x objectives) counters
        self.meta: dict[str, Any] = {}  # of the latest snapshot, for verdicts while running
        self.summary: dict[str, Any] = {}
        self.events: list[dict[str, Any]] = []
        self.breaker_states: dict[str, str] = {}
        self.instances_down: dict[str, int] = {}
        self.now = 0.0
        self.result: RunResult | None = None
        self.breakers: list[str] = []  # links guarded by a circuit breaker in this variant

    @classmethod
    def from_result(cls, result: RunResult) -> VariantData:
        data = cls(result.components, result.links)
        data.series = dict(result.series)
        data.link_series = dict(result.link_series)
        data.objective_series = dict(result.objective_series or {})
        data.n = len(result.bucket_times)
        data.events = list(result.events)
        data.now = float(result.meta.get("simulated_time", 0.0))
        data.result = result
        data.breakers = list(result.meta.get("breakers", []))
        return data

    def append(self, frame: VariantFrame) -> None:
        """Take a frame's series, every row yet, as the worker's own arrays: no copy."""
        end = next((a.shape[0] for a in frame.series.values()), frame.start)
        for source, store in ((frame.series, self.series), (frame.link_series, self.link_series),
                              (frame.objective_series, self.objective_series)):
            store.update(source)
        self.n = max(self.n, end)
        self.events.extend(frame.events)
        self.breaker_states = dict(frame.breaker_states)
        self.breakers = list(frame.breaker_states)
        self.instances_down = dict(frame.instances_down)
        self.now = frame.now
        self.meta, self.summary = frame.meta, frame.summary

    def finish(self, result: RunResult) -> None:
        """Adopt the final results: summaries, every bucket, the whole event log."""
        self.result = result
        # where the run ended, as its results say: a stopped run's last live frame came earlier,
        # and its last bucket's end is later than where it stopped
        self.now = float(result.meta.get("simulated_time", self.now))
        # The results' own arrays, as a reopened run reads them (a live run's results are the
        # arrays its frames brought: app/run/worker.py).
        self.series.update(result.series)
        self.link_series.update(result.link_series)
        self.n = len(result.bucket_times)
        self.events = list(result.events)
        self.breakers = list(result.meta.get("breakers", self.breakers))
        self.objective_series = dict(result.objective_series or {})

    def column(self, metric: str, component: str) -> np.ndarray:
        """A view of one component's values so far (no copy)."""
        buf = self.series.get(metric)
        if buf is None or component not in self.components:
            return np.zeros(0)
        return buf[: self.n, self.components.index(component)]

    def link_column(self, metric: str, link: str) -> np.ndarray:
        buf = self.link_series.get(metric)
        if buf is None or link not in self.links:
            return np.zeros(0)
        return buf[: self.n, self.links.index(link)]


@dataclass
class FaultWindow:
    """A time span in which one fault was active."""

    start: float
    end: float
    title: str
    target: str = ""


@dataclass
class RunSession:
    """One run (single, or a comparison of variants) as shown in the window."""

    design_name: str
    experiment: str | None
    options: dict[str, Any]
    variant_names: list[str]
    replications: int = 1
    status: str = RUNNING
    error: str = ""
    variants: dict[str, VariantData] = field(default_factory=dict)
    comparison: Comparison | None = None
    table: list[dict[str, Any]] = field(default_factory=list)
    fault_windows: list[FaultWindow] = field(default_factory=list)
    breakers: list[str] = field(default_factory=list)
    instances: dict[str, int] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    names: list[str] = field(default_factory=list)  # components in the engine's order, known before data
    group_id: uuid.UUID = field(default_factory=uuid.uuid4)
    replicated_verdicts: dict[str, list] = field(default_factory=dict)  # variant -> RunVerdicts per seed
    progress: float = 0.0
    replication: int = 0  # which replication the worker is on (0: the live one)
    wall_time: float = 0.0
    saved: bool = False
    design: Design | None = None  # what was run, when known: the reasons for the results need it
    _by_name: tuple[Design | None, dict[str, Any], frozenset[str]] | None = field(
        default=None, init=False, repr=False, compare=False)

    # -- building ------------------------------------------------------------
    @classmethod
    def live(cls, request: RunRequest) -> RunSession:
        design = request.design
        windows: list[FaultWindow] = []
        experiment = next((e for e in design.experiments if e.name == request.experiment), None)
        if experiment is not None and request.options.faults:
            # An unknown experiment is the worker's to report, in the window, as a failed run.
            for fault in experiment.faults:
                if fault.enabled:
                    for a, b in fault.windows(request.options.duration):
                        target = design.name_of(fault.target)
                        windows.append(FaultWindow(a, b, f"{fault.title} on {target}", target))
        instances = {c.name: int(getattr(c, "instances", 0) or 0) for c in design.components}
        return cls(
            design_name=design.name,
            experiment=request.experiment,
            options=request.options.model_dump(mode="json"),
            variant_names=request.variants(),
            replications=request.replications if len(request.variants()) > 1 else 1,
            fault_windows=windows,
            instances=instances,
            kinds={c.name: c.kind for c in design.components},
            names=[c.name for c in design.components],
            design=design,
        )

    @classmethod
    def from_results(cls, results: dict[str, RunResult], table: list[dict[str, Any]] | None = None,
                     replications: int = 1, group_id: uuid.UUID | None = None) -> RunSession:
        """A finished session around results already in hand (a reopened saved run)."""
        ordered = {v: results[v] for v in VARIANT_ORDER if v in results}
        ordered.update({v: r for v, r in results.items() if v not in ordered})
        first = next(iter(ordered.values()))
        meta = first.meta
        session = cls(
            design_name=str(meta.get("design", "")),
            experiment=meta.get("experiment"),
            options=dict(meta.get("options", {})),
            variant_names=list(ordered),
            replications=replications,
            status=FINISHED if meta.get("finished", True) else STOPPED,
            group_id=group_id or uuid.uuid4(),
            progress=1.0,
            saved=True,
        )
        session.variants = {v: VariantData.from_result(r) for v, r in ordered.items()}
        session.breakers = list(meta.get("breakers", []))
        session.kinds = dict(zip(first.components, first.kinds))
        if table is not None:
            session.table = list(table)
        elif len(ordered) > 1:
            session.table = build_table({v: [r] for v, r in ordered.items()})
        session.fault_windows = fault_windows_from_events(first.events, session.duration, meta.get("faults", []))
        session.instances = {
            name: int(np.nanmax(first.series["instances_up"][:, i])) if len(first.bucket_times) else 0
            for i, name in enumerate(first.components)
        } if "instances_up" in first.series else {}
        session.wall_time = float(meta.get("wall_time", 0.0))
        return session

    # -- live updates ------------------------------------------------------
    def apply_frame(self, frame: LiveFrame) -> None:
        self.progress = frame.progress
        self.replication = frame.replication
        for v, vf in frame.variants.items():
            data = self.variants.get(v)
            if data is None:
                data = self.variants[v] = VariantData(frame.components, frame.links)
            data.append(vf)
            if v == self.primary and not self.breakers:
                self.breakers = list(vf.breaker_states)

    def finish(self, outcome: RunOutcome) -> None:
        for v, result in outcome.results.items():
            data = self.variants.get(v)
            if data is None:
                data = self.variants[v] = VariantData(result.components, result.links)
            data.finish(result)
        first = outcome.results.get(self.primary)
        if first is not None:
            self.breakers = list(first.meta.get("breakers", self.breakers))
        self.comparison = outcome.comparison
        self.replicated_verdicts = dict(outcome.verdicts)
        if outcome.comparison is not None:
            self.table = list(outcome.comparison.table)
            self.replications = outcome.comparison.replications
        self.status = STOPPED if outcome.stopped else FINISHED
        self.progress = 1.0 if not outcome.stopped else self.progress
        self.wall_time = outcome.wall_time

    def fail(self, message: str) -> None:
        self.status = FAILED
        self.error = message

    # -- reading -----------------------------------------------------------------
    @property
    def duration(self) -> float:
        return float(self.options.get("duration", 60.0))

    @property
    def grid(self) -> BucketGrid:
        """The run's bucket grid: the width its series have, which may be wider than asked."""
        return BucketGrid.of_options(self.options)

    @property
    def bucket(self) -> float:
        return self.grid.width

    @property
    def seed(self) -> int:
        return int(self.options.get("seed", 1))

    @property
    def n_buckets(self) -> int:
        return self.grid.count

    @property
    def primary(self) -> str:
        return self.variant_names[0]

    @property
    def is_comparison(self) -> bool:
        return len(self.variant_names) > 1

    @property
    def components(self) -> list[str]:
        data = self.variants.get(self.primary)
        return list(data.components) if data else list(self.names)

    @property
    def done(self) -> bool:
        return self.status != RUNNING

    def results(self) -> dict[str, RunResult]:
        return {v: d.result for v, d in self.variants.items() if d.result is not None}

    def title(self) -> str:
        what = self.experiment or "no faults"
        kind = "comparison" if self.is_comparison else ("with resilience" if self.options.get("resilience", True)
                                                       else "without resilience")
        title = f"{self.design_name} · {what} · {kind} · seed {self.seed}"
        if self.status == STOPPED:
            # A stopped run kept beside a whole one of the same settings must not pass for it.
            data = self.variants.get(self.primary)
            reached = min(self.duration, data.now or data.n * self.bucket) if data else 0.0
            title += f" · stopped at {format_time(reached)}"
        return title

    def times(self, variant: str | None = None) -> np.ndarray:
        """Bucket mid-points (s) of the buckets received so far: an evenly spaced grid."""
        data = self.variants.get(variant or self.primary)
        n = data.n if data else 0
        return self.grid.middles(n)

    def bucket_at(self, t: float) -> int:
        return self.grid.index(t)

    def client_names(self) -> list[str]:
        return [c for c in self.components if self.kinds.get(c) == "client"]

    def most_loaded(self, exclude: Sequence[str] = ()) -> str | None:
        """The component with the highest mean utilisation so far."""
        data = self.variants.get(self.primary)
        if data is None or data.n == 0 or "utilisation" not in data.series:
            return None
        with np.errstate(all="ignore"):
            means = np.nanmean(data.series["utilisation"][: data.n], axis=0)
        best, best_value = None, -1.0
        for i, name in enumerate(data.components):
            value = float(means[i]) if np.isfinite(means[i]) else -1.0
            if name not in exclude and value > best_value:
                best, best_value = name, value
        return best

    def findings(self) -> list[Finding]:
        """Why the results came out as they did (empty while running or without the design)."""
        if self.design is None or not self.done:
            return []
        experiment = next((e for e in self.design.experiments if e.name == self.experiment), None)
        return explain(self.design, experiment, self.results())

    def merged_events(self) -> list[dict[str, Any]]:
        """Every variant's events, each tagged with its variant, in time order."""
        out = []
        for v, data in self.variants.items():
            for e in data.events:
                out.append({**e, "variant": v})
        out.sort(key=lambda e: e["time"])
        return out

    def health(self, variant: str | None = None, bucket: int | None = None) -> dict[str, dict[str, Any]]:
        """Health of every component at ``bucket`` (default: the latest one received)."""
        data = self.variants.get(variant or self.primary)
        if data is None or data.n == 0:
            return {}
        latest = bucket is None
        b = data.n - 1 if bucket is None else max(0, min(bucket, data.n - 1))
        live = latest and data.result is None
        breaker_by_source: dict[str, int] = {}
        if "breaker_state" in data.link_series:
            column = {link: i for i, link in enumerate(data.links)}
            for link in data.breakers:
                if link not in column:
                    continue
                if live and data.breaker_states:
                    code = {"CLOSED": 0, "OPEN": 1, "HALF_OPEN": 2}.get(data.breaker_states.get(link, "CLOSED"), 0)
                else:
                    raw = data.link_series["breaker_state"][b, column[link]]
                    code = int(raw) if np.isfinite(raw) else 0
                source = link.split(" -> ")[0]
                if _BREAKER_RANK[code] >= _BREAKER_RANK.get(breaker_by_source.get(source, 0), 0):
                    breaker_by_source[source] = code
        scalings: dict[str, list[dict[str, Any]]] = {}  # the autoscalers' decisions, by component
        for event in data.events:
            if event.get("kind") == "scaled":
                scalings.setdefault(str(event.get("component")), []).append(event)
        components, autoscaled = self._components_by_name()
        # A bucket's row of each series at once: read value by value, a step of the time slider
        # over a thousand components spent milliseconds in numpy scalar look-ups.
        width = len(data.components)
        utilisation = _row(data.series, "utilisation", b, width)
        error_rate = _row(data.series, "error_rate", b, width)
        instances_up = _row(data.series, "instances_up", b, width)
        end = (b + 1) * self.bucket
        out: dict[str, dict[str, Any]] = {}
        for i, name in enumerate(data.components):
            h: dict[str, Any] = {"utilisation": utilisation[i], "error_rate": error_rate[i]}
            total = self.instances.get(name, 0)
            wanted = (_replicas_wanted(components.get(name), scalings.get(name, []), end)
                      if name in scalings or name in autoscaled else None)
            if wanted is not None:
                # Instances the autoscaler has not started, or has removed, are not down: only those
                # it wants and has not got are (the engine counts every slot it may start as down).
                total = wanted
                h["instances"] = total
                h["crashed"] = max(0, int(round(total - instances_up[i])))
            elif total > 0:
                if live:
                    down = int(data.instances_down.get(name, 0))
                else:
                    down = max(0, int(round(total - instances_up[i])))
                h["instances"] = total
                h["crashed"] = down
            if name in breaker_by_source:
                h["breaker"] = BREAKER_NAMES[breaker_by_source[name]]
            out[name] = h
        return out

    def _components_by_name(self) -> tuple[dict[str, Any], frozenset[str]]:
        """The run design's components by name, and the names of those with an autoscaler on.

        Once per design: a look-up per component through the design's list made each call of
        ``health`` (a live run's every health interval, every step of the time slider) quadratic in
        the design, and asking a thousand components for an autoscaler took a tenth of the step.
        The design a session holds is a snapshot, never edited: a new one replaces it.
        """
        if self._by_name is None or self._by_name[0] is not self.design:
            components: dict[str, Any] = {}
            for c in self.design.components if self.design is not None else ():
                components.setdefault(c.name, c)
            autoscaled = frozenset(name for name, c in components.items()
                                   if getattr(getattr(c, "autoscaling", None), "enabled", False))
            self._by_name = (self.design, components, autoscaled)
        return self._by_name[1], self._by_name[2]

    def link_figures(self, variant: str | None = None, bucket: int | None = None) -> dict[str, dict[str, float]]:
        """Calls per second, retries per second and the share of failed calls of every link at ``bucket``.

        The default is the latest bucket received. A call that ended in a
        fallback counts as served, as the component figures count it.
        """
        data = self.variants.get(variant or self.primary)
        if data is None or data.n == 0 or "calls" not in data.link_series:
            return {}
        b = data.n - 1 if bucket is None else max(0, min(bucket, data.n - 1))
        width = max(min(self.bucket, self.duration - b * self.bucket), 1e-9)
        n = len(data.links)
        rows = {metric: np.asarray(_row(data.link_series, metric, b, n))
                for metric in {"calls", "retries", *OUTCOME_NAMES, *FAILURE_OUTCOMES}}
        # Added outcome by outcome, in the same order as a sum of each link's figures, so that every
        # share comes out to the last bit as it did per link.
        ended, failed = np.zeros(n), np.zeros(n)
        for outcome in OUTCOME_NAMES:
            ended = ended + rows[outcome]
        for outcome in FAILURE_OUTCOMES:
            failed = failed + rows[outcome]
        errors = np.divide(failed, ended, out=np.zeros(n), where=ended > 0)
        return {name: {"rate": rate, "retries": retries, "errors": share}
                for name, rate, retries, share in zip(data.links, (rows["calls"] / width).tolist(),
                                                      (rows["retries"] / width).tolist(), errors.tolist(),
                                                      strict=True)}


def _replicas_wanted(component: Any, scalings: list[dict[str, Any]], t: float) -> int | None:
    """How many instances the autoscaler of ``component`` wants ready at time ``t``: the last of its
    ``scalings`` (an added instance from the end of its start-up), else the instances it starts
    with; None for a component without an autoscaler."""
    scaler = getattr(component, "autoscaling", None)
    if not scalings and not (scaler is not None and scaler.enabled):
        return None
    startup = scaler.startup_time if scaler is not None else 0.0
    wanted = int(scalings[0]["from_replicas"]) if scalings else int(getattr(component, "instances", 0))
    for event in scalings:
        if event["time"] > t:
            break
        grows = event["to_replicas"] > event["from_replicas"]
        wanted = int(event["from_replicas"] if grows and event["time"] + startup > t else event["to_replicas"])
    return wanted


def _row(series: dict[str, np.ndarray], metric: str, row: int, width: int) -> list[float]:
    """One bucket's values of ``metric`` for every column, as floats; missing or not finite reads 0."""
    a = series.get(metric)
    if a is None:
        return [0.0] * width
    values = np.asarray(a[row, :width], dtype=float)
    return np.where(np.isfinite(values), values, 0.0).tolist()


def fault_windows_from_events(events: list[dict[str, Any]], duration: float,
                              faults: Sequence[dict[str, Any]] = ()) -> list[FaultWindow]:
    """Pair fault_started / fault_ended events into windows (open ones run to the end)."""
    titles = {f.get("id"): f.get("title", "fault") for f in faults}
    open_: dict[Any, tuple[float, str]] = {}
    out: list[FaultWindow] = []
    for e in events:
        if e.get("kind") == "fault_started":
            open_[e.get("fault_id")] = (float(e["time"]), e.get("component") or e.get("link") or "")
        elif e.get("kind") == "fault_ended" and e.get("fault_id") in open_:
            start, target = open_.pop(e.get("fault_id"))
            out.append(FaultWindow(start, float(e["time"]), _fault_title(e, titles), target))
    for fid, (start, target) in open_.items():
        out.append(FaultWindow(start, duration, titles.get(fid, "fault"), target))
    out.sort(key=lambda w: w.start)
    return out


def _fault_title(event: dict[str, Any], titles: dict[Any, str]) -> str:
    return event.get("details") or titles.get(event.get("fault_id"), "fault")
