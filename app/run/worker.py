"""The run worker: drives ``engine.Simulation`` objects in slices inside a QThread.

The worker is a parentless QObject moved to its own QThread. The GUI starts
it with a queued signal and hears back only through signals carrying plain
Python and numpy data (``LiveFrame``, ``RunOutcome``). Stopping is the one
direct call: ``request_stop`` is thread-safe (a ``threading.Event`` plus
``Simulation.stop()``, which the engine allows from another thread), because
the worker's own event loop is busy inside ``run`` and would not see a
queued stop request until the run had ended.
"""
from __future__ import annotations

import os
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, Signal, Slot

from engine import Design, DesignError, RunOptions, RunResult, Simulation
from engine.compare import Comparison, build_table
from engine.grid import BucketGrid
from engine.objectives import RunVerdicts, evaluate
from engine.plan import VARIANTS, RunPlan

# Order in which variants are driven and listed everywhere (engine.plan defines them).
VARIANT_ORDER = VARIANTS
# The GUI redraws at 20-30 Hz; more frequent frames would only queue up.
MAX_FRAMES_PER_SECOND = 30.0
# Without a new bucket, a frame only every so often (progress, live breaker and crash state).
IDLE_FRAME_SECONDS = 0.25
# Wall time one lockstep slice aims at: short enough that frames and Stop stay prompt.
SLICE_SECONDS = 0.008
# Niceness of the worker thread (0 normal, 19 lowest): the window's thread keeps about 90 % of a contended core.
WORKER_NICENESS = 10


@dataclass(frozen=True)
class RunRequest:
    """Everything one press of Run asks for: the run's plan, and how fast to show it.

    ``speed`` is simulated seconds per wall-clock second, or None for as fast
    as the engine goes. ``options``, ``compare``, ``baseline`` and ``replications``
    make the ``RunPlan`` (``engine.plan``), which says which variants run on which
    seeds; the worker only chooses to run them in threads.
    """

    design: Design
    options: RunOptions
    experiment: str | None = None
    compare: bool = False
    baseline: bool = False
    replications: int = 1
    speed: float | None = None

    @property
    def plan(self) -> RunPlan:
        return RunPlan(options=self.options, compare=self.compare, baseline=self.baseline,
                       replications=self.replications)

    def variants(self) -> list[str]:
        """The variants this request runs, in display order."""
        return list(self.plan.variants)

    def variant_options(self, variant: str, seed: int) -> RunOptions:
        return self.plan.options_for(variant, seed)

    @property
    def n_buckets(self) -> int:
        """Buckets a finished run holds (the last one may be partial)."""
        return BucketGrid.of_options(self.options).count


@dataclass
class VariantFrame:
    """One variant's run so far: its series hold every row yet (rows ``start`` onwards are new
    since the previous frame), as views of the arrays the worker gathers them in, which it
    writes only past the rows it has sent."""

    start: int
    series: dict[str, np.ndarray]
    link_series: dict[str, np.ndarray]
    events: list[dict[str, Any]]
    breaker_states: dict[str, str]
    instances_down: dict[str, int]
    now: float
    # per-objective counters of the new rows, and the run so far as the verdicts need it
    objective_series: dict[str, np.ndarray] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)


@dataclass
class LiveFrame:
    """One update from the worker: new buckets of every live variant and the run's progress."""

    progress: float
    sim_time: float
    replication: int
    variants: dict[str, VariantFrame]
    components: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)


@dataclass
class RunOutcome:
    """How a run ended: results of the first replication per variant, and the comparison."""

    results: dict[str, RunResult]
    comparison: Comparison | None
    stopped: bool
    wall_time: float
    # every replication's verdicts per variant, judged before its time series were dropped
    verdicts: dict[str, list[RunVerdicts]] = field(default_factory=dict)


def _lower_this_threads_priority() -> None:
    """Let the GUI thread win the CPU whenever both want it: the run is the background job.

    QThread's priorities have no effect under Linux's default scheduler, so the
    worker thread renices itself (allowed without privileges); elsewhere the
    thread was started with QThread.LowPriority.
    """
    if hasattr(os, "setpriority") and hasattr(threading, "get_native_id"):
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), WORKER_NICENESS)
        except OSError:
            pass


def _summary_only(result: RunResult) -> RunResult:
    """A replication's figures without its time series: the table needs no more, and a hundred
    replications of a large design would otherwise hold hundreds of megabytes."""
    empty = np.zeros((0, 0))
    return RunResult(meta=result.meta, components=result.components, links=result.links,
                     bucket_times=np.zeros(0), series={m: empty for m in result.series},
                     link_series={m: empty for m in result.link_series}, summary=result.summary,
                     events=[], events_dropped=result.events_dropped)


class _Live:
    """One variant's simulation during the live replication, and the arrays its series are
    gathered in for the whole run. The window reads the rows already sent while the worker
    writes the next ones, and the finished run's results are these same arrays: a copy of the
    whole run made as it ended was a third copy of its series at once (with the engine's and
    the window's), gigabytes for a wide design."""

    def __init__(self, sim: Simulation):
        self.sim = sim
        self.rows = sim.grid.count
        self.sent_rows = 0
        self.sent_events = 0
        self._stores: tuple[dict[str, np.ndarray], ...] = ({}, {}, {})  # series, link_series, objective_series

    def gather(self, snap: RunResult) -> tuple[dict[str, np.ndarray], ...]:
        """Write a snapshot of the rows from ``sent_rows`` on into the arrays; views of every row yet."""
        start, end = self.sent_rows, self.sent_rows + len(snap.bucket_times)
        for source, store in zip((snap.series, snap.link_series, snap.objective_series or {}), self._stores):
            for metric, values in source.items():
                if metric not in store:
                    # rows are written once each, in order: nothing is read before it is written
                    store[metric] = np.empty((self.rows, values.shape[1]))
                store[metric][start:end] = values
        self.sent_rows = end
        return tuple({metric: values[:end] for metric, values in store.items()} for store in self._stores)

    def result(self) -> RunResult:
        """The run's results as far as it went (its end, or where it stopped), over the gathered arrays."""
        tail = self.sim.snapshot(since_bucket=self.sent_rows)
        series, link_series, objective_series = self.gather(tail)
        return RunResult(meta=tail.meta, components=tail.components, links=tail.links,
                         bucket_times=self.sim.grid.starts(self.sent_rows), series=series,
                         link_series=link_series, summary=tail.summary, events=tail.events,
                         events_dropped=tail.events_dropped, objective_series=objective_series)


class RunWorker(QObject):
    """Runs a ``RunRequest`` when ``run`` is invoked in its thread; reports through signals."""

    frame = Signal(object)  # LiveFrame
    finished = Signal(object)  # RunOutcome
    failed = Signal(str)

    def __init__(self, request: RunRequest):
        super().__init__()  # parentless: it is moved to its own thread
        self.request = request
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._sims: list[Simulation] = []
        self._last_progress = 0.0
        self._speed_changed = False  # a new pace was asked for since the loop last looked
        self._new_speed: float | None = None

    # -- called from the GUI thread ------------------------------------------
    def request_stop(self) -> None:
        """Make the run end at the simulations' next event (thread-safe)."""
        self._stop.set()
        with self._lock:
            sims = list(self._sims)
        for sim in sims:
            sim.stop()

    def set_speed(self, speed: float | None) -> None:
        """Change the pace of a running run (thread-safe; the loop takes it at its next slice)."""
        with self._lock:
            self._speed_changed, self._new_speed = True, speed

    @property
    def stop_requested(self) -> bool:
        return self._stop.is_set()

    # -- runs in the worker thread --------------------------------------------
    @Slot()
    def run(self) -> None:
        _lower_this_threads_priority()
        started = time.perf_counter()
        try:
            outcome = self._run()
            outcome.wall_time = time.perf_counter() - started
        except DesignError as exc:
            self.failed.emit(f"The design cannot run:\n{exc}")  # summarised: alike problems are counted
            return
        except Exception as exc:  # any failure must reach the window, not a console
            detail = traceback.format_exception_only(type(exc), exc)[-1].strip()
            self.failed.emit(f"The run failed: {detail}")
            return
        self.finished.emit(outcome)

    def _make(self, variant: str, seed: int) -> Simulation:
        r = self.request
        sim = Simulation(r.design, r.variant_options(variant, seed), r.experiment)
        with self._lock:
            self._sims.append(sim)
        # A stop that arrived while this simulation was being built must still count.
        if self._stop.is_set():
            sim.stop()
        return sim

    def _forget(self, sims: list[Simulation]) -> None:
        with self._lock:
            self._sims = [s for s in self._sims if s not in sims]

    def _run(self) -> RunOutcome:
        r = self.request
        plan = r.plan
        variants = list(plan.variants)
        live = {v: _Live(self._make(v, plan.seeds[0])) for v in variants}
        self._drive_live(live)
        stopped = self._stop.is_set()
        # What was reached: a stopped simulation is not run to its end.
        first = {v: lv.result() for v, lv in live.items()}
        self._forget([lv.sim for lv in live.values()])
        comparison = None
        verdicts = {v: [evaluate(first[v])] for v in variants}
        if len(variants) > 1 and not stopped:
            runs = {v: [first[v]] for v in variants}
            stopped = not self._replicate(runs, variants, verdicts)
            if stopped:
                # Stopped among the extra seeds: the finished live runs still compare, without intervals.
                runs = {v: [first[v]] for v in variants}
                verdicts = {v: vs[:1] for v, vs in verdicts.items()}
            comparison = Comparison(runs=runs, table=build_table(runs), replications=len(runs[variants[0]]))
        return RunOutcome(results=first, comparison=comparison, stopped=stopped, wall_time=0.0, verdicts=verdicts)

    def _replicate(self, runs: dict[str, list[RunResult]], variants: list[str],
                   verdicts: dict[str, list[RunVerdicts]]) -> bool:
        """Further seeds for confidence intervals, in parallel; False when stopped on the way.

        Threads, not processes: the engine's loop releases the GIL, so simulations
        on several cores share nothing but this process, and Stop reaches every
        one of them through ``Simulation.stop()`` within a slice.
        """
        # Every replication but the first, which ran live.
        jobs = [(v, seed) for v, seed in self.request.plan.jobs() if seed != self.request.plan.seeds[0]]
        if not jobs:
            return True
        results: dict[tuple[int, str], tuple[RunResult, RunVerdicts]] = {}
        workers = max(1, min(len(jobs), os.cpu_count() or 1))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="faultline-replication") as pool:
            futures = {pool.submit(self._replication, v, seed): (seed, v) for v, seed in jobs}
            pending = set(futures)
            try:
                while pending:
                    done, pending = wait(pending, timeout=1.0 / MAX_FRAMES_PER_SECOND)
                    for future in done:
                        result = future.result()
                        if result is not None:
                            results[futures[future]] = result
                    self._emit_progress(len(results), len(jobs), len(variants))
            except BaseException:
                self.request_stop()  # the other replications end at once; the error is reported
                raise
        if self._stop.is_set() or len(results) != len(jobs):
            return False
        for (k, v) in sorted(results):
            runs[v].append(results[(k, v)][0])
            verdicts[v].append(results[(k, v)][1])
        return True

    def _replication(self, variant: str, seed: int) -> tuple[RunResult, RunVerdicts] | None:
        """One replication to its end in a pool thread, with its verdicts (None when stopped)."""
        _lower_this_threads_priority()
        if self._stop.is_set():
            return None
        sim = self._make(variant, seed)
        try:
            finished = False
            while not finished and not self._stop.is_set():
                finished = sim.advance(max_events=200_000)
            if not finished:
                return None
            result = sim.result()
            return _summary_only(result), evaluate(result)
        finally:
            self._forget([sim])

    def _emit_progress(self, done: int, jobs: int, per_replication: int) -> None:
        t = time.perf_counter()
        if t - self._last_progress < 1.0 / MAX_FRAMES_PER_SECOND and done < jobs:
            return
        self._last_progress = t
        r = self.request
        progress = (1 + (r.replications - 1) * done / jobs) / r.replications
        replication = min(r.replications - 1, 1 + done // per_replication)
        self.frame.emit(LiveFrame(progress=progress, sim_time=0.0, replication=replication, variants={}))

    def _drive_live(self, live: dict[str, _Live]) -> None:
        """Advance every variant to the same simulated time, slice by slice."""
        r = self.request
        duration = r.options.duration
        sims = [lv.sim for lv in live.values()]
        width = BucketGrid.of_options(r.options).width
        step = width  # simulated seconds per slice, adapted to SLICE_SECONDS
        wall0 = time.perf_counter()
        sim0 = 0.0
        speed = r.speed
        last_frame = -1.0
        frame_cost = 0.0
        frame_every = 1.0 / MAX_FRAMES_PER_SECOND
        last_bucket = -1
        now = 0.0
        while not self._stop.is_set():
            target = min(duration, now + step)
            if self._speed_changed:
                with self._lock:
                    speed, self._speed_changed = self._new_speed, False
                # A new pace counts from here, not from the start of the run.
                wall0, sim0 = time.perf_counter(), now
            if speed is not None:
                paced = sim0 + (time.perf_counter() - wall0) * speed
                if paced <= now:
                    # Ahead of the clock: wait in short naps so Stop still lands at once.
                    self._stop.wait(min(0.01, (now - paced) / speed + 0.001))
                    continue
                target = min(target, paced)
            t0 = time.perf_counter()
            for sim in sims:
                sim.advance(until=target)
                if self._stop.is_set():
                    break
            spent = time.perf_counter() - t0
            if self._stop.is_set():
                break
            now = target
            if spent > 0:
                step = min(max(step * min(4.0, max(0.25, SLICE_SECONDS / spent)), 1e-6), duration)
            finished = all(sim.finished for sim in sims)
            t = time.perf_counter()
            # Frames cost the worker Python time (holding the GIL): keep them under a quarter of it.
            gap = max(frame_every, frame_cost * 4)
            # A slow paced run completes a bucket now and then: no new bucket, no need to redraw
            # (but the progress bar and live canvas still hear from it a few times a second).
            bucket = int(now // width)
            news = bucket != last_bucket or t - last_frame >= IDLE_FRAME_SECONDS
            if finished or (news and t - last_frame >= gap):
                # The cost is this thread's CPU time: waiting for the CPU or the GIL is not work done.
                cpu = time.thread_time()
                self._emit_frame(live)
                frame_cost = time.thread_time() - cpu
                last_frame = time.perf_counter()
                last_bucket = bucket
            if finished:
                break

    def _emit_frame(self, live: dict[str, _Live]) -> None:
        r = self.request
        frames: dict[str, VariantFrame] = {}
        components: list[str] = []
        links: list[str] = []
        sim_time = 0.0
        for v, lv in live.items():
            start = lv.sent_rows
            # only the buckets this view has not had yet: the history is never copied twice
            snap = lv.sim.snapshot(since_bucket=start)
            components, links = snap.components, snap.links
            series, link_series, objective_series = lv.gather(snap)
            frames[v] = VariantFrame(
                start=start,
                series=series,
                link_series=link_series,
                events=snap.events[lv.sent_events:],
                breaker_states=lv.sim.breaker_states(),
                instances_down=lv.sim.instances_down(),
                now=lv.sim.now,
                objective_series=objective_series,
                meta=snap.meta,
                summary=snap.summary,
            )
            lv.sent_events = len(snap.events)
            sim_time = lv.sim.now
        progress = min(1.0, sim_time / r.options.duration) / max(1, r.replications)
        self.frame.emit(LiveFrame(progress=progress, sim_time=sim_time, replication=0,
                                  variants=frames, components=components, links=links))
