"""The engine's public, steppable API: ``Simulation`` and ``simulate``."""
from __future__ import annotations

import math
import time
from typing import Any

import numpy as np

import engine._core as _core

from .compile import Compiled, compile_design
from .grid import BucketGrid
from .model import Design, DesignError, Experiment, Problem, RunOptions, describe, format_seconds
from .model.outcomes import ANSWERED_OUTCOMES, OUTCOME_NAMES, REFUSAL_OUTCOMES
from .results import BREAKER_STATE_NAMES, RunResult
from .version import __version__

_OUTCOME_COUNTERS = OUTCOME_NAMES  # the counters right after "arrivals", in Outcome order

# The event loop runs in slices of this many events: between two, a pending Ctrl+C is raised
# and a stop request is seen. A slice takes well under a second on any design.
SLICE_EVENTS = 250_000
# A run whose clock stays put for this many events in a row is caught in a loop that takes
# no simulated time. Far above what any legal instant holds (a million users sending at once
# through a deep chain), and reached in seconds.
STALL_EVENTS = 50_000_000
STALL_ARRIVALS = 1000
# The event log as results hold it: a dict of a dozen fields per entry.
EVENT_RECORD_BYTES = 640
# Room the growable pools (requests, calls, events in flight) need at the least.
MIN_POOL_BYTES = 16 * 2**20
MAX_REPLICATIONS = 1000


class RunStopped(DesignError):
    """The engine stopped a run before its end; ``reason`` names why (``memory_budget``,
    ``zero_time_loop``). What was measured up to then stays readable through ``snapshot()``."""

    def __init__(self, problems, reason: str = ""):
        super().__init__(problems)
        self.reason = reason

    def __reduce__(self):
        return (RunStopped, (self.problems, self.reason))


def format_bytes(n: float) -> str:
    """``2 GiB``, ``17.2 GiB``, ``512 MiB``: sizes as people read them."""
    for unit, size in (("PiB", 2**50), ("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= size:
            return f"{n / size:.3g} {unit}"
    return f"{int(n)} bytes"


def series_bytes_per_bucket(components: int, links: int, objectives: int) -> int:
    """Bytes one bucket of a run's series takes in the engine's arrays (and as much again in
    each copy the results, or a viewer, make of them)."""
    per_component = len(_core.COUNTER_NAMES) + len(_core.GAUGE_NAMES)
    per_link = len(_core.LINK_COUNTER_NAMES) + len(_core.LINK_GAUGE_NAMES)
    return 8 * (max(1, components) * per_component + max(1, links) * per_link
                + objectives * len(_core.OBJECTIVE_COUNTER_NAMES))


def buckets_within(design: Design, budget: int, copies: int) -> int:
    """The most buckets a run of ``design`` may keep when ``copies`` copies of its series are held
    at once (variants run side by side, each with its engine's arrays, their results and a
    viewer's copy) within ``budget`` bytes; at least 1."""
    objectives = sum(len(getattr(c, "objectives", None) or ()) for c in design.components)
    per_bucket = copies * series_bytes_per_bucket(len(design.components), len(design.links), objectives)
    return max(1, int(budget // per_bucket))


def run_memory(compiled: Compiled, options: RunOptions) -> tuple[int, int]:
    """Bytes one run comes to hold in its metrics: (engine arrays, results built from them).

    Dominated by the per-bucket metric arrays (buckets x components x counters and gauges,
    buckets x links x theirs), which the results copy once more. The latency and queue-wait
    histograms are counted as the most they can come to use, not the room they reserve
    (``histogram_bytes_bound``): no latency or wait lasts longer than the run.
    """
    n_c = max(1, len(compiled.component_names))
    n_l = max(1, len(compiled.link_names))
    n_b = max(1, int(compiled.scalars["n_buckets"]))
    n_i = len(compiled.arrays["inst_comp"])
    series = n_b * series_bytes_per_bucket(n_c, n_l, len(compiled.arrays["obj_thr"]))
    windows = int(np.sum(compiled.policies["sliding_window_size"][:n_l] * compiled.policies["cb_on"][:n_l]))
    engine = (series
              + _core.histogram_bytes_bound(n_c, options.duration)   # latency of the run and bucket, queue wait
              + 8 * 8 * int(options.event_log_cap)     # the event log's columns
              + 160 * n_i + 512 * n_l + 512 * n_c      # per-instance, per-link, per-component state
              + _core.LATENCY_BUFFER_BYTES * n_c        # each component's buffered latencies
              + 40 * windows)                          # breaker windows
    results = (series + 8 * 3 * n_b * n_c              # the copies, and throughput, goodput, error rate
               + EVENT_RECORD_BYTES * int(options.event_log_cap))
    return engine, results


def _nice_ceiling(x: float) -> float:
    """The smallest of 1, 2, 5 x 10^k at or above ``x``."""
    k = math.floor(math.log10(x))
    for m in (1, 2, 5, 10):
        if m * 10**k >= x * (1 - 1e-12):
            return float(m * 10**k)
    return float(10 ** (k + 1))  # pragma: no cover


def _budget_problem(compiled: Compiled, options: RunOptions, engine: int, results: int) -> Problem:
    n_b = int(compiled.scalars["n_buckets"])
    per_bucket = (engine + results) / max(1, n_b)
    budget = options.memory_budget
    what = (f"{n_b:,} buckets of {compiled.scalars['bucket']:g} s for {len(compiled.component_names):,} components "
            f"and {len(compiled.link_names):,} links")
    fits = int((budget - MIN_POOL_BYTES) // per_bucket) if per_bucket else 0
    if fits >= 1 and fits < n_b:
        advice = (f"use a bucket of at least {_nice_ceiling(options.duration / fits):g} s, keep at most "
                  f"{fits:,} buckets (max_buckets), or raise the memory budget")
    else:
        advice = "run a smaller design, or raise the memory budget"
    return Problem("run options", f"{what} need about {format_bytes(engine + results)} for their metrics, "
                                  f"more than the memory budget of {format_bytes(budget)}: {advice}")


def check_replications(design: Design, options: RunOptions, experiment: Experiment | str | None,
                       runs: int, at_once: int) -> None:
    """Refuse ``runs`` runs of a design (``at_once`` of them in parallel) that would not fit the budget.

    Every run's results are kept until the comparison is built; each live run also holds its engine.
    """
    if runs > MAX_REPLICATIONS:
        raise DesignError([Problem("run options", f"at most {MAX_REPLICATIONS:,} runs in one comparison "
                                                  f"(asked for {runs:,})")])
    if isinstance(experiment, str):
        experiment = design.experiment(experiment)
    engine, results = run_memory(compile_design(design, options, experiment), options)
    need = runs * results + min(runs, at_once) * (engine + MIN_POOL_BYTES)
    if need > options.memory_budget:
        most = int((options.memory_budget - min(runs, at_once) * (engine + MIN_POOL_BYTES)) // max(1, results))
        fewer = f"run at most {most:,}, " if most >= 1 else ""
        raise DesignError([Problem(
            "run options",
            f"{runs:,} runs of {format_bytes(engine + results)} each need about {format_bytes(need)}, more than "
            f"the memory budget of {format_bytes(options.memory_budget)}: {fewer}use a wider bucket, "
            f"or raise the memory budget")])


class Simulation:
    """One run of a design, advanced in slices so a caller can watch it and stop it.

    ``advance(until=...)`` and ``advance(max_events=...)`` release the GIL while
    the event loop runs and return promptly; ``snapshot()`` reads the buckets
    completed so far; ``result()`` finishes the run and summarises it.
    """

    def __init__(self, design: Design, options: RunOptions | None = None,
                 experiment: Experiment | str | None = None):
        self.design = design
        self.options = options or RunOptions()
        if isinstance(experiment, str):
            experiment = design.experiment(experiment)
        self.experiment = experiment
        self.compiled: Compiled = compile_design(design, self.options, experiment)
        self.grid = BucketGrid.of_options(self.options)
        engine, results = run_memory(self.compiled, self.options)
        pool_limit = self.options.memory_budget - engine - results
        if pool_limit < MIN_POOL_BYTES:
            raise DesignError([_budget_problem(self.compiled, self.options, engine, results)])
        scalars = dict(self.compiled.scalars, pool_limit=pool_limit, stall_limit=STALL_EVENTS)
        self._core = _core.Core(self.compiled, scalars)
        self.stopped: str | None = None        # why the run ended early: a HALT reason or "interrupted"
        self.stop_message: str | None = None
        self._wall = 0.0
        self._event_records: list[dict[str, Any]] = []   # log entries already turned into dicts

    @property
    def probe(self):
        """The compiled core's pattern probes (breaker, retry, budget, rate limiter), for
        replaying a library's scenarios call by call. Not needed to run a simulation."""
        return self._core

    def link_index(self, name: str) -> int:
        return self.compiled.link_names.index(name)

    def component_index(self, name: str) -> int:
        return self.compiled.component_names.index(name)

    # -- stepping -------------------------------------------------------------
    @property
    def now(self) -> float:
        return self._core.now

    @property
    def finished(self) -> bool:
        return bool(self._core.finished)

    @property
    def progress(self) -> float:
        return min(1.0, self._core.now / self.options.duration)

    @property
    def events_processed(self) -> int:
        return int(self._core.events_processed)

    def advance(self, until: float | None = None, max_events: int | None = None) -> bool:
        """Run to simulated time ``until`` (default: the end) or for ``max_events`` events.

        Returns True once the run has reached its duration. Raises RunStopped when the engine
        halts the run (a loop that takes no time, requests outgrowing the memory budget), and
        lets a Ctrl+C through within a slice; either way the results so far stay readable.
        """
        core = self._core
        core.resume()
        target = math.inf if until is None else float(until)
        budget = int(max_events or 0)
        done = 0
        start = time.perf_counter()
        try:
            while True:
                step = SLICE_EVENTS if budget <= 0 else min(SLICE_EVENTS, budget - done)
                before = core.events_processed
                finished = core.advance(target, step)
                ran = core.events_processed - before
                done += ran
                # A short slice ended for another reason: the target, the end, a stop, a halt.
                if finished or ran < step or (budget > 0 and done >= budget):
                    break
        finally:
            self._wall += time.perf_counter() - start
        if core.halt_reason:
            self._halted()
        return finished

    def interrupted(self) -> None:
        """Record that the run was interrupted by its user (the results say so)."""
        if not self.finished and self.stopped is None:
            self.stopped = "interrupted"
            self.stop_message = f"Interrupted at {format_seconds(self.now)} of {format_seconds(self.options.duration)}."

    def _halted(self) -> None:
        core, comp = self._core, self.compiled
        reason = _core.HALT_REASON_NAMES[core.halt_reason]
        a = core.state_arrays()
        by_name = {c.name: c for c in self.design.components}
        # Caught in the loop: whatever took arrivals by the thousand in the bucket the clock is stuck in.
        bucket = min(int(core.current_bucket), a["mc"].shape[0] - 1)
        arrivals = a["mc"][bucket, :len(comp.component_names), 0]
        involved = [describe(by_name[name]) for i, name in enumerate(comp.component_names)
                    if arrivals[i] >= STALL_ARRIVALS]
        where = f"at {format_seconds(core.now)} of {format_seconds(self.options.duration)}"
        if reason == "zero_time_loop":
            message = (f"The clock stopped {where}: {core.stalled:,} events in a row took no simulated time. "
                       f"Requests circle through {_and_list(involved) or 'the design'} without taking any "
                       f"time: give the think time, a service time or a link latency a value above zero.")
        else:
            peaks = self.queue_peaks()
            queued = sorted(((int(peaks[i]), int(a["_c_qlen"][i]), name) for i, name in enumerate(comp.component_names)
                             if peaks[i] > 0), reverse=True)[:3]
            waiting = "; ".join(f"{describe(by_name[n])} has {q:,} waiting (at most {p:,}, about "
                                f"{format_bytes(p * _core.JOB_BYTES)})" for p, q, n in queued)
            message = (f"The run stopped {where}: {core.live_jobs:,} requests and {core.live_calls:,} calls in flight "
                       f"outgrew the memory budget of {format_bytes(self.options.memory_budget)}"
                       + (f" ({waiting})" if waiting else "")
                       + ". Work arrives faster than the design serves it, or retries multiply it: bound "
                         "the queues, shed load, add capacity, or raise the memory budget.")
        self.stopped, self.stop_message = reason, message
        raise RunStopped([Problem("", message)], reason)

    def stop(self) -> None:
        """Make an ``advance`` running in another thread return at its next event."""
        self._core.stop()

    def breaker_states(self) -> dict[str, str]:
        """Current state of every circuit breaker, by link name."""
        states = self._core.breaker_states()
        return {self.compiled.link_names[l]: BREAKER_STATE_NAMES[int(states[l])]
                for l in self.compiled.breaker_links}

    def instances_down(self) -> dict[str, int]:
        down = self._core.instances_down()
        inst_comp = self.compiled.arrays["inst_comp"]
        out: dict[str, int] = {}
        for i, c in enumerate(inst_comp):
            if down[i]:
                name = self.compiled.component_names[int(c)]
                out[name] = out.get(name, 0) + 1
        return out

    # -- results --------------------------------------------------------------
    def snapshot(self, since_bucket: int = 0) -> RunResult:
        """Results up to the last completed bucket (the whole run once finished).

        ``since_bucket`` leaves out the buckets before it, for a viewer that already has them:
        the series and ``bucket_times`` then start at that bucket.
        """
        return self._build(final=self.finished, since=since_bucket)

    def result(self) -> RunResult:
        if not self.finished:
            self.advance()
        return self._build(final=True)

    def _build(self, final: bool, since: int = 0) -> RunResult:
        core, comp = self._core, self.compiled
        a = core.state_arrays()
        n_c, n_l = len(comp.component_names), len(comp.link_names)
        grid = self.grid
        done = int(core.current_bucket) if not final else grid.count
        done = max(0, min(done, grid.count))
        since = max(0, min(int(since), done))
        times = grid.starts(done, since)
        done_rows = done - since

        mc = a["mc"][since:done, :n_c, :]
        mg = a["mg"][since:done, :n_c, :]
        ml = a["ml"][since:done, :n_l, :]
        mlg = a["mlg"][since:done, :n_l, :]
        widths = grid.widths(done, since)
        series: dict[str, np.ndarray] = {}
        for i, name in enumerate(_core.COUNTER_NAMES):
            series[name] = mc[:, :, i].copy()
        for i, name in enumerate(_core.GAUGE_NAMES):
            series[name] = mg[:, :, i].copy()
        completed = sum(series[o] for o in OUTCOME_NAMES) if done_rows else np.zeros((0, n_c))
        per_s = widths[:, None] if done_rows else np.ones((0, 1))
        series["throughput"] = completed / per_s
        series["goodput"] = (series["ok"] + series["fallback"]) / per_s
        with np.errstate(invalid="ignore", divide="ignore"):
            failed = completed - series["ok"] - series["fallback"]
            series["error_rate"] = np.where(completed > 0, failed / completed, 0.0)
            started = series["started"]
            series["queue_wait_mean"] = np.where(started > 0, series["queue_wait_sum"] / np.maximum(started, 1), 0.0)
        link_series: dict[str, np.ndarray] = {}
        for i, name in enumerate(_core.LINK_COUNTER_NAMES):
            link_series[name] = ml[:, :, i].copy()
        for i, name in enumerate(_core.LINK_GAUGE_NAMES):
            link_series[name] = mlg[:, :, i].copy()

        n_o = len(comp.objectives)
        mo = a["mo"][since:done, :n_o, :]
        objective_series = {name: mo[:, :, i].copy() for i, name in enumerate(_core.OBJECTIVE_COUNTER_NAMES)}

        summary = self._summaries(a, n_c, n_l, final)
        summary["objectives"] = [self._objective_totals(a, j) for j in range(n_o)]
        meta = {
            "faultline_version": __version__,
            "design": self.design.name,
            "design_id": str(self.design.id),
            "experiment": self.experiment.name if self.experiment else None,
            "seed": self.options.seed,
            "options": self.options.model_dump(mode="json"),
            "bucket_grid": grid.to_json(),
            "memory": self.memory_used(),
            "wall_time": self._wall,
            "events_processed": self.events_processed,
            "simulated_time": float(core.now),
            "finished": bool(core.finished),
            "stopped": self.stopped,
            "stop_message": self.stop_message,
            "components": list(comp.component_names),
            "kinds": list(comp.component_kinds),
            "links": list(comp.link_names),
            "breakers": [comp.link_names[l] for l in comp.breaker_links],
            "faults": [{"id": fid, "title": t} for fid, t in zip(comp.fault_ids, comp.fault_titles)],
            "objectives": comp.objectives,
            "latency_histogram": {"bins": _core.HISTOGRAM_BINS, "min": _core.HISTOGRAM_MIN,
                                  "gamma": _core.HISTOGRAM_GAMMA},
        }
        return RunResult(
            meta=meta,
            components=list(comp.component_names),
            links=list(comp.link_names),
            bucket_times=times,
            series=series,
            link_series=link_series,
            summary=summary,
            events=self._events(a),
            events_dropped=int(core.log_dropped),
            objective_series=objective_series,
        )

    def _summaries(self, a: dict[str, Any], n_c: int, n_l: int, final: bool) -> dict[str, Any]:
        comp = self.compiled
        measured = max(0.0, (self.options.duration if final else self._core.now) - self.options.warmup)
        # A run stopped before its measured window began has no rates, not infinite ones.
        per_second = 1.0 / measured if measured > 1e-9 else 0.0
        tot_c, tot_l = a["tot_c"], a["tot_l"]
        # areas since the warm-up: everything flushed and pending, less what preceded the warm-up's end
        tot_area = a["tot_area"] + a["c_cum_area"] + a["_c_area"].reshape(a["tot_area"].shape)
        tot_lat = a["tot_lat"]
        latency = self._core.run_quantiles(np.arange(n_c), [LATENCY_QUANTILES], tot_lat[:n_c, 2])
        # the counters as Python floats at once: one float() per number cost more than the rest
        counter_rows, link_rows = tot_c[:n_c].tolist(), tot_l[:n_l].tolist()
        wait_levels = [_wait_levels(row[_STARTED], row[_WAITED]) for row in counter_rows]
        waits = self._core.wait_quantiles(
            np.arange(n_c), [[0.0 if q is None else q for q in levels] for levels in wait_levels], a["wait_max"][:n_c])
        inflight = a["_c_inflight"]
        capacity = a["_c_capacity"]
        peaks = self.queue_peaks()
        components: dict[str, Any] = {}
        client_requests = sum(counter_rows[i][0] for i, kind in enumerate(comp.component_kinds) if kind == "client")
        for i, name in enumerate(comp.component_names):
            counters = dict(zip(_core.COUNTER_NAMES, counter_rows[i]))
            outcomes = {o: counters[o] for o in OUTCOME_NAMES}
            completed = sum(outcomes.values())
            served = tot_lat[i, 1]
            vmax = float(tot_lat[i, 2])
            busy = tot_area[i, 1] * per_second
            components[name] = {
                "kind": comp.component_kinds[i],
                "arrivals": counters["arrivals"],
                "completed": completed,
                "outcomes": outcomes,
                "error_rate": (completed - outcomes["ok"] - outcomes["fallback"]) / completed if completed else 0.0,
                "arrival_rate": counters["arrivals"] * per_second,
                "throughput": completed * per_second,
                "goodput": (outcomes["ok"] + outcomes["fallback"]) * per_second,
                "latency_mean": float(tot_lat[i, 0] / served) if served else 0.0,
                "latency_p50": float(latency[i, 0]),
                "latency_p90": float(latency[i, 1]),
                "latency_p99": float(latency[i, 2]),
                # what a timeout is set from: a caller should give up on the slowest 0.1 % only
                "latency_p999": float(latency[i, 3]),
                "latency_max": vmax,
                "sojourn_mean": float(tot_lat[i, 3] / tot_lat[i, 4]) if tot_lat[i, 4] else 0.0,
                "utilisation": float(busy / capacity[i]) if capacity[i] > 0 else 0.0,
                "mean_busy": float(busy),
                "mean_queue_length": float(tot_area[i, 0] * per_second),
                # the most requests waiting at once in the measured window
                "queue_peak": int(peaks[i]),
                "mean_in_flight": float(tot_area[i, 2] * per_second),
                "mean_instances_up": float(tot_area[i, 3] * per_second),
                "in_flight_at_end": int(inflight[i]),
                "calls": counters["calls"],
                "attempts": counters["attempts"],
                "retries": counters["retries"],
                "rate_limited": counters["rate_limited"],
                "shed": counters["shed"],
                "lost": counters["lost"],
                # end-to-end amplification: requests this component saw per request a user sent
                "amplification": counters["arrivals"] / client_requests if client_requests else 0.0,
                **_wait_figures(counters, wait_levels[i], waits[i]),
                **_refusal_figures(counters, outcomes),
            }
        links: dict[str, Any] = {}
        states = self._core.breaker_states()
        for l, name in enumerate(comp.link_names):
            c = dict(zip(_core.LINK_COUNTER_NAMES, link_rows[l]))
            outcomes = {o: c[o] for o in OUTCOME_NAMES}
            has_breaker = l in comp.breaker_links
            links[name] = {
                "calls": c["calls"],
                "attempts": c["attempts"],
                "retries": c["retries"],
                "attempts_per_call": c["attempts"] / c["calls"] if c["calls"] else 0.0,
                "outcomes": outcomes,
                "error_rate": (sum(outcomes.values()) - outcomes["ok"] - outcomes["fallback"]) / sum(outcomes.values())
                if sum(outcomes.values()) else 0.0,
                "bulkhead_rejected": c["bulkhead_rejected"],
                "breaker_rejected": c["breaker_rejected"],
                "retries_exhausted": c["retries_exhausted"],
                "retries_throttled": c["retries_throttled"],
                "breaker_state": BREAKER_STATE_NAMES[int(states[l])] if has_breaker else None,
                "latency_mean": _ratio(c["latency_sum"], sum(outcomes[o] for o in ANSWERED_OUTCOMES)),
                "bulkhead_waited": c["bulkhead_waited"],
                "bulkhead_wait_probability": _ratio(c["bulkhead_waited"], c["attempts"]),
                "bulkhead_wait_mean": _ratio(c["bulkhead_wait_sum"], c["bulkhead_waited"]),
                **_refusal_figures(c, outcomes),
            }
        return {"measured_seconds": measured, "components": components, "links": links}

    def queue_peaks(self) -> np.ndarray:
        """Per component, the most requests that waited in its queues at once since the warm-up."""
        a = self._core.state_arrays()
        n_c = len(self.compiled.component_names)
        peaks = a["_c_qpeak"][:n_c].copy()
        if self._core.now >= self.options.warmup:   # the current length is not yet in the peaks
            np.maximum(peaks, a["_c_qlen"][:n_c], out=peaks)
        return peaks

    def memory_used(self) -> dict[str, int]:
        """What the run held at its peak, in bytes: the metric arrays, the records of requests,
        calls and events in flight (pools grow and never shrink, so their size is their peak),
        and the results built from the metrics; against the budget it may use. A waiting
        request holds ``request_bytes``."""
        engine, results = run_memory(self.compiled, self.options)
        # the histograms as they are, not the most they could have come to
        n_c = max(1, len(self.compiled.component_names))
        engine += int(self._core.histogram_bytes) - _core.histogram_bytes_bound(n_c, self.options.duration)
        pools = int(self._core.pool_bytes)
        return {"metrics_bytes": engine, "pools_bytes": pools, "results_bytes": results,
                "used_bytes": engine + pools + results, "budget_bytes": int(self.options.memory_budget),
                "request_bytes": _core.JOB_BYTES}

    def _objective_totals(self, a: dict[str, Any], j: int) -> dict[str, Any]:
        """An objective's counters over the measured window; a latency objective also gets its
        percentile of the client's end-to-end latency."""
        spec = self.compiled.objectives[j]
        totals: dict[str, Any] = dict(zip(_core.OBJECTIVE_COUNTER_NAMES, (float(x) for x in a["tot_o"][j])))
        if spec["objective"]["kind"] == "latency":
            c = self.compiled.component_names.index(spec["client"])
            totals["percentile"] = float(self._core.run_quantiles(
                [c], [[spec["objective"]["percentile"] / 100.0]], [a["tot_lat"][c, 2]])[0, 0])
        return totals

    def _events(self, a: dict[str, Any]) -> list[dict[str, Any]]:
        """The event log as dicts; entries are converted once, as they arrive."""
        comp = self.compiled
        n = int(self._core.log_n)
        out = self._event_records
        # the new entries' columns as Python numbers at once: indexing numpy arrays one
        # element at a time cost more than the rest of the conversion (a run with faults
        # held logs an entry or more per bucket)
        columns = zip(*(a[name][len(out):n].tolist() for name in (
            "lg_t", "lg_kind", "lg_comp", "lg_link", "lg_fault", "lg_inst", "lg_v1", "lg_v2")))
        for t, kind_code, c, l, f, inst, v1, v2 in columns:
            kind = _core.LOG_KIND_NAMES[kind_code]
            component = comp.component_names[c] if c >= 0 else None
            link = comp.link_names[l] if l >= 0 else None
            if component is None and link is not None:
                component = link.split(" -> ")[0]
            record = {
                "time": t,
                "kind": kind,
                "component": component,
                "link": link,
                "fault_id": comp.fault_ids[f] if f >= 0 else None,
                "instance": None,
                "details": "",
            }
            if kind in ("instance_crashed", "instance_restarted", "oom_killed"):
                first = int(comp.components["inst_offset"][c])
                record["instance"] = inst - first
                mode = " (hangs)" if kind == "instance_crashed" and v1 else ""
                record["details"] = f"instance {inst - first}{mode}"
            elif kind.startswith("fault_"):
                record["details"] = comp.fault_titles[f]
            elif kind.startswith("breaker_"):
                to_state = {"breaker_opened": "OPEN", "breaker_half_open": "HALF_OPEN",
                            "breaker_closed": "CLOSED"}[kind]
                record["from_state"] = BREAKER_STATE_NAMES[inst]
                record["to_state"] = to_state
                rates = ""
                if kind != "breaker_half_open":
                    record["failure_rate"] = v1
                    record["slow_call_rate"] = v2
                    rates = f" (failure rate {v1:.1f} %, slow calls {v2:.1f} %)" if v1 >= 0 else ""
                record["details"] = f"{BREAKER_STATE_NAMES[inst]} -> {to_state}{rates}"
            elif kind == "retries_exhausted":
                record["details"] = f"{int(v1)} calls failed after their last attempt"
                record["count"] = int(v1)
            elif kind.startswith("retry_budget"):
                record["details"] = f"tokens {v1:g}"
            elif kind.startswith("bulkhead"):
                used = int(v1)
                if l >= 0 and int(comp.policies["core_thread_pool_size"][l]) > 0:
                    record["details"] = f"{used} thread{'' if used == 1 else 's'} busy"
                else:
                    record["details"] = f"{used} permits in use"
            elif kind == "thread_pool_grew":
                record["details"] = f"queue full ({int(v1)} calls): a thread beyond the core started"
            elif kind == "thread_pool_shrank":
                record["details"] = "back to the core threads: the last one beyond it idled out"
            elif kind == "outstanding_limit_reached":
                record["instance"] = inst - int(comp.components["inst_offset"][c])
                record["details"] = (f"instance {record['instance']}: {int(v1)} requests wait on their calls; "
                                     "the next ones keep their workers")
            elif kind == "deadline_drops":
                record["count"] = int(v1)
                record["details"] = f"{int(v1)} requests dropped past their deadline"
            elif kind == "hedges_sent":
                record["count"] = int(v1)
                record["details"] = f"{int(v1)} hedged copies sent"
            elif kind == "scaled":
                record["from_replicas"], record["to_replicas"] = inst, int(v1)
                record["utilisation"] = v2 if v2 >= 0 else None
                measured = f" (utilisation {v2 * 100:.0f} %)" if v2 >= 0 else " (no ready instance measured)"
                record["details"] = f"{inst} -> {int(v1)} replicas{measured}"
            elif kind in ("instance_ejected", "instance_returned"):
                target = int(comp.arrays["inst_comp"][inst])
                record["target"] = comp.component_names[target]
                record["instance"] = inst - int(comp.components["inst_offset"][target])
                where = f"{record['target']} instance {record['instance']}"
                if kind == "instance_ejected":
                    record["reason"] = _core.OUTLIER_TYPE_NAMES[int(v1)]
                    record["ejection_time"] = v2
                    record["details"] = (f"{where} ejected for {v2:g} s "
                                         f"({record['reason'].replace('_', ' ')})")
                else:
                    record["ejections"] = int(v1)
                    record["details"] = f"{where} back after {v2:.3g} s out (ejected {int(v1)} times so far)"
            elif kind in ("codel_dropping_began", "adaptive_lifo_began"):
                record["instance"] = inst - int(comp.components["inst_offset"][c])
                record["queue_length"] = int(v2)
                if kind == "codel_dropping_began":
                    record["queue_wait"] = v1
                    record["details"] = (f"instance {record['instance']}: dropped a request after "
                                         f"{v1 * 1000:.1f} ms in the queue, {int(v2)} waiting")
                else:
                    record["standing_for"] = v1
                    record["details"] = (f"instance {record['instance']}: queue non-empty for {v1:.3g} s, "
                                         f"{int(v2)} waiting; newest first")
            out.append(record)
        return list(out)


def _and_list(items: list[str]) -> str:
    if len(items) > 6:
        items = items[:5] + [f"{len(items) - 5} more"]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + (" and " + items[-1] if items else "")


# The latency percentiles each component's summary gives, ascending.
LATENCY_QUANTILES = (0.50, 0.90, 0.99, 0.999)
WAIT_QUANTILES = (("queue_wait_p50", 0.50), ("queue_wait_p90", 0.90), ("queue_wait_p99", 0.99))
_STARTED = _core.COUNTER_NAMES.index("started")
_WAITED = _core.COUNTER_NAMES.index("waited")


def _ratio(num: float, den: float) -> float:
    return num / den if den else 0.0


def _wait_levels(started: float, waited: float) -> list[float | None]:
    """Where each of WAIT_QUANTILES falls in the histogram of the waits longer than zero.

    Work that found a free worker waited zero; the histogram holds only the others, so a
    percentile whose rank falls among the zeros is zero (None here: no level to read) and
    the rest are read from the histogram. The zeros are the lowest ranks, so the levels ascend.
    """
    zeros = started - waited
    levels: list[float | None] = []
    for _, q in WAIT_QUANTILES:
        rank = q * started
        levels.append(None if rank <= zeros or waited <= 0 else min(1.0, (rank - zeros) / waited))
    return levels


def _wait_figures(counters: dict[str, float], levels: list[float | None], quantiles: np.ndarray) -> dict[str, float]:
    """Queue wait of the work a component took on: mean, share that waited at all, and the
    percentiles, ``quantiles`` read at ``levels`` (``_wait_levels``)."""
    started, waited = counters["started"], counters["waited"]
    figures = {
        "queue_wait_mean": _ratio(counters["queue_wait_sum"], started),
        "wait_probability": _ratio(waited, started),
        "waited_mean": _ratio(counters["queue_wait_sum"], waited),
    }
    for (key, _), level, value in zip(WAIT_QUANTILES, levels, quantiles):
        figures[key] = 0.0 if level is None else float(value)
    return figures


def _refusal_figures(counters: dict[str, float], outcomes: dict[str, float]) -> dict[str, float]:
    """Refusals are left out of latency, but the time they took (a rate limiter's timeout wait,
    a bulkhead's maximum wait) is reported here."""
    refused = sum(outcomes[o] for o in REFUSAL_OUTCOMES)
    return {"refused": refused, "refused_time_mean": _ratio(counters["refused_time"], refused),
            "refused_time_total": counters["refused_time"]}


def simulate(design: Design, options: RunOptions | None = None,
             experiment: Experiment | str | None = None) -> RunResult:
    """Run a design (with an optional experiment) to the end and return its results."""
    return Simulation(design, options, experiment).result()
