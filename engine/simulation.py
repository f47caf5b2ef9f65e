"""The engine's public, steppable API: ``Simulation`` and ``simulate``."""
from __future__ import annotations

import math
import time
from typing import Any

import numpy as np

from . import _core
from .compile import Compiled, compile_design
from .model import Design, Experiment, RunOptions
from .model.outcomes import ANSWERED_OUTCOMES, OUTCOME_NAMES, REFUSAL_OUTCOMES
from .results import BREAKER_STATE_NAMES, RunResult
from .version import __version__

_OUTCOME_COUNTERS = OUTCOME_NAMES  # the counters right after "arrivals", in Outcome order


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
        self._core = _core.Core(self.compiled.arrays, self.compiled.scalars)
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

        Returns True once the run has reached its duration.
        """
        self._core.resume()
        start = time.perf_counter()
        try:
            return self._core.advance(math.inf if until is None else float(until), int(max_events or 0))
        finally:
            self._wall += time.perf_counter() - start

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
        done = int(core.current_bucket) if not final else int(comp.scalars["n_buckets"])
        done = max(0, min(done, int(comp.scalars["n_buckets"])))
        since = max(0, min(int(since), done))
        width = self.options.bucket
        times = np.arange(since, done, dtype=np.float64) * width
        done_rows = done - since

        mc = a["mc"][since:done, :n_c, :]
        mg = a["mg"][since:done, :n_c, :]
        ml = a["ml"][since:done, :n_l, :]
        mlg = a["mlg"][since:done, :n_l, :]
        widths = np.minimum(width, self.options.duration - times) if done_rows else np.zeros(0)
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
            series["error_rate"] = np.where(completed > 0, (completed - series["ok"] - series["fallback"]) / completed, 0.0)
            series["queue_wait_mean"] = np.where(series["started"] > 0, series["queue_wait_sum"] / np.maximum(series["started"], 1), 0.0)
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
            "wall_time": self._wall,
            "events_processed": self.events_processed,
            "simulated_time": float(core.now),
            "finished": bool(core.finished),
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
        measured = max(1e-12, (self.options.duration if final else self._core.now) - self.options.warmup)
        tot_c, tot_l = a["tot_c"], a["tot_l"]
        # areas since the warm-up: everything flushed and pending, less what preceded the warm-up's end
        tot_area = a["tot_area"] + a["c_cum_area"] + a["_c_area"].reshape(a["tot_area"].shape)
        tot_lat, hist = a["tot_lat"], a["hist_t"]
        inflight = a["_c_inflight"]
        capacity = a["_c_capacity"]
        components: dict[str, Any] = {}
        client_requests = sum(float(tot_c[i][0]) for i, kind in enumerate(comp.component_kinds) if kind == "client")
        for i, name in enumerate(comp.component_names):
            counters = dict(zip(_core.COUNTER_NAMES, (float(x) for x in tot_c[i])))
            outcomes = {o: counters[o] for o in OUTCOME_NAMES}
            completed = sum(outcomes.values())
            served = tot_lat[i, 1]
            vmax = float(tot_lat[i, 2])
            busy = tot_area[i, 1] / measured
            components[name] = {
                "kind": comp.component_kinds[i],
                "arrivals": counters["arrivals"],
                "completed": completed,
                "outcomes": outcomes,
                "error_rate": (completed - outcomes["ok"] - outcomes["fallback"]) / completed if completed else 0.0,
                "arrival_rate": counters["arrivals"] / measured,
                "throughput": completed / measured,
                "goodput": (outcomes["ok"] + outcomes["fallback"]) / measured,
                "latency_mean": float(tot_lat[i, 0] / served) if served else 0.0,
                "latency_p50": _core.histogram_quantile(hist[i], 0.50, vmax),
                "latency_p90": _core.histogram_quantile(hist[i], 0.90, vmax),
                "latency_p99": _core.histogram_quantile(hist[i], 0.99, vmax),
                "latency_max": vmax,
                "sojourn_mean": float(tot_lat[i, 3] / tot_lat[i, 4]) if tot_lat[i, 4] else 0.0,
                "utilisation": float(busy / capacity[i]) if capacity[i] > 0 else 0.0,
                "mean_busy": float(busy),
                "mean_queue_length": float(tot_area[i, 0] / measured),
                "mean_in_flight": float(tot_area[i, 2] / measured),
                "mean_instances_up": float(tot_area[i, 3] / measured),
                "in_flight_at_end": int(inflight[i]),
                "calls": counters["calls"],
                "attempts": counters["attempts"],
                "retries": counters["retries"],
                "rate_limited": counters["rate_limited"],
                "shed": counters["shed"],
                "lost": counters["lost"],
                # end-to-end amplification: requests this component saw per request a user sent
                "amplification": counters["arrivals"] / client_requests if client_requests else 0.0,
                **_wait_figures(counters, a["hist_w"][i], float(a["wait_max"][i])),
                **_refusal_figures(counters, outcomes),
            }
        links: dict[str, Any] = {}
        states = self._core.breaker_states()
        for l, name in enumerate(comp.link_names):
            c = dict(zip(_core.LINK_COUNTER_NAMES, (float(x) for x in tot_l[l])))
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

    def _objective_totals(self, a: dict[str, Any], j: int) -> dict[str, Any]:
        """An objective's counters over the measured window; a latency objective also gets its
        percentile of the client's end-to-end latency."""
        spec = self.compiled.objectives[j]
        totals: dict[str, Any] = dict(zip(_core.OBJECTIVE_COUNTER_NAMES, (float(x) for x in a["tot_o"][j])))
        if spec["objective"]["kind"] == "latency":
            c = self.compiled.component_names.index(spec["client"])
            totals["percentile"] = _core.histogram_quantile(
                a["hist_t"][c], spec["objective"]["percentile"] / 100.0, float(a["tot_lat"][c, 2]))
        return totals

    def _events(self, a: dict[str, Any]) -> list[dict[str, Any]]:
        """The event log as dicts; entries are converted once, as they arrive."""
        comp = self.compiled
        n = int(self._core.log_n)
        out = self._event_records
        for k in range(len(out), n):
            kind = _core.LOG_KIND_NAMES[int(a["lg_kind"][k])]
            c, l, f, inst = (int(a["lg_comp"][k]), int(a["lg_link"][k]), int(a["lg_fault"][k]), int(a["lg_inst"][k]))
            v1, v2 = float(a["lg_v1"][k]), float(a["lg_v2"][k])
            component = comp.component_names[c] if c >= 0 else None
            link = comp.link_names[l] if l >= 0 else None
            if component is None and link is not None:
                component = link.split(" -> ")[0]
            record = {
                "time": float(a["lg_t"][k]),
                "kind": kind,
                "component": component,
                "link": link,
                "fault_id": comp.fault_ids[f] if f >= 0 else None,
                "instance": None,
                "details": "",
            }
            if kind in ("instance_crashed", "instance_restarted", "oom_killed"):
                first = int(comp.arrays["c_inst_offset"][c])
                record["instance"] = inst - first
                mode = " (hangs)" if kind == "instance_crashed" and v1 else ""
                record["details"] = f"instance {inst - first}{mode}"
            elif kind.startswith("fault_"):
                record["details"] = comp.fault_titles[f]
            elif kind.startswith("breaker_"):
                to_state = {"breaker_opened": "OPEN", "breaker_half_open": "HALF_OPEN", "breaker_closed": "CLOSED"}[kind]
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
                record["details"] = f"{int(v1)} permits in use"
            out.append(record)
        return list(out)


WAIT_QUANTILES = (("queue_wait_p50", 0.50), ("queue_wait_p90", 0.90), ("queue_wait_p99", 0.99))


def _ratio(num: float, den: float) -> float:
    return num / den if den else 0.0


def _wait_figures(counters: dict[str, float], hist: np.ndarray, vmax: float) -> dict[str, float]:
    """Queue wait of the work a component took on: mean, share that waited at all, percentiles.

    Work that found a free worker waited zero; the histogram holds only the others, so a
    percentile whose rank falls among the zeros is zero and the rest are read from the histogram.
    """
    started, waited = counters["started"], counters["waited"]
    figures = {
        "queue_wait_mean": _ratio(counters["queue_wait_sum"], started),
        "wait_probability": _ratio(waited, started),
        "waited_mean": _ratio(counters["queue_wait_sum"], waited),
    }
    for key, q in WAIT_QUANTILES:
        rank = q * started
        zeros = started - waited
        figures[key] = 0.0 if rank <= zeros or waited <= 0 else \
            _core.histogram_quantile(hist, min(1.0, (rank - zeros) / waited), vmax)
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
