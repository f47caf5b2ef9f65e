"""Where a sweep's runs execute: this process, local worker processes, or a Dask cluster.

Every executor takes the same (design JSON, options JSON, tasks) and yields
``(task, metrics)`` as runs finish, keeping only a few runs per worker in
flight so that stopping is quick and a long sweep holds little memory. The
work itself is ``worker.run_task``: the numbers do not depend on where it ran.

Dask is imported here only, and only when a cluster executor is made.
"""
from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from .. import workers as shared_pool
from ..model import DesignError, Problem
from ..version import __version__
from .worker import engine_version, run_batch, run_task

# Runs in flight per worker: enough to hide the round trip, few enough to stop at once.
IN_FLIGHT_PER_WORKER = 3


class SweepError(RuntimeError):
    """A run failed for a reason other than its design (a worker died, the cluster went away)."""


def _outcome(future, where: str, timeout: float | None = None):
    """The future's result; its failure as a ``SweepError`` saying where, unless it is the design's
    (or the ``timeout`` passing before the result is at hand: ``TimeoutError``)."""
    try:
        return future.result(timeout=timeout)
    except DesignError:
        raise
    except TimeoutError:
        if future.done() and getattr(future, "status", None) == "error":
            raise SweepError(f"a run failed on {where}: TimeoutError") from None
        raise
    except Exception as exc:
        raise SweepError(f"a run failed on {where}: {type(exc).__name__}: {exc}") from exc


class Executor:
    """Runs sweep tasks somewhere; use as a context manager so workers are always released."""

    name = "executor"
    _workers = 1
    # Runs sent again because the worker holding them stopped answering (a Dask cluster's).
    resent = 0

    @property
    def workers(self) -> int:
        """Runs this executor can have going at once (a property so that Dask can ask its cluster)."""
        return self._workers

    def run(self, design_json: str, options_json: str, tasks: Iterable[Any]) -> Iterator[tuple[Any, dict]]:
        """Run ``tasks`` of the design and options given as JSON; yield ``(task, metrics)`` as each finishes."""
        raise NotImplementedError

    def close(self) -> None:
        """Cancel what has not run and release the workers (idempotent)."""

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def describe(self) -> str:
        """Where runs go, for a person: ``2 local process workers``."""
        return f"{self.workers} {self.name} worker{'s' if self.workers != 1 else ''}"


class InProcessExecutor(Executor):
    """Runs every task here, one after another: the reference the others are measured against."""

    name = "in-process"

    def run(self, design_json, options_json, tasks):
        for task in tasks:
            yield run_task(design_json, options_json, task)


def _ignore_sigint() -> None:
    # Ctrl+C reaches every process of the terminal's group; the parent alone decides how to
    # stop, and a worker interrupted while idle would only print a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def dask_setup(worker) -> None:
    """Run by each worker of a local Dask cluster as it starts (a Dask preload hook)."""
    _ignore_sigint()


def _windowed(submit_next, window: int, wait_some) -> Iterator[Any]:
    """Keep ``window`` futures in flight, made by ``submit_next()`` until it returns None;
    yield finished ones as they come."""
    in_flight: set = set()

    def refill():
        while len(in_flight) < window:
            future = submit_next()
            if future is None:
                return
            in_flight.add(future)

    refill()
    while in_flight:
        for future in wait_some(in_flight):
            in_flight.discard(future)
            yield future
        refill()


class LocalExecutor(Executor):
    """Worker processes on this machine: the process's one pool (``engine.workers.pool()``), which
    replications and comparisons use too, so its processes start once and serve every sweep."""

    name = "local process"

    def __init__(self, workers: int | None = None):
        size = shared_pool.size()
        # More than the pool's processes cannot run at once; fewer is honoured by keeping only
        # that many runs in flight.
        self._workers = min(max(1, workers or size), size)
        self._in_flight: set = set()
        # Start the workers now rather than with the first run, so that the first figures and
        # the estimate of the time left are not the pool's start-up.
        starting = set(shared_pool.submit(_worker_pid, range(self.workers)))
        while starting:
            starting -= shared_pool.finished(starting)

    def run(self, design_json, options_json, tasks):
        pending = iter(tasks)
        # Several runs queued per process hide the round trip, unless the sweep asked for fewer
        # processes than the pool has: then at most that many runs may be in the pool at once.
        window = self.workers * (IN_FLIGHT_PER_WORKER if self.workers == shared_pool.size() else 1)

        def submit_next():
            task = next(pending, None)
            if task is None:
                return None
            future, = shared_pool.submit(partial(run_task, design_json, options_json), [task])
            self._in_flight.add(future)
            return future

        try:
            for future in _windowed(submit_next, window, shared_pool.finished):
                self._in_flight.discard(future)
                yield _outcome(future, self.describe())
        except (KeyboardInterrupt, SweepError):
            # Ctrl+C or a dead worker: the runs still going are not waited for, as with replications.
            self._in_flight.clear()
            shared_pool.abandon()
            raise

    def close(self) -> None:
        # The pool stays for the next sweep or comparison; only this sweep's queued runs go.
        for future in self._in_flight:
            future.cancel()
        self._in_flight.clear()


def _worker_pid(_: object) -> int:
    return os.getpid()


def _distributed():
    try:
        import distributed
    except ImportError:
        raise DesignError([Problem("cluster", "sweeps on a Dask cluster need Dask's distributed scheduler: "
                                              "pip install 'dask[distributed]'")]) from None
    return distributed


# What a LocalCluster started here changes in Dask's defaults, which suit a long-lived cluster
# watched from its dashboard. The scheduler and the client share this machine's cores with the
# workers, so every wake-up of theirs is taken from a run:
LOCAL_CLUSTER_CONFIG = {
    # a worker samples its threads' stacks every 10 ms for Dask's profiler
    "distributed.worker.profile.enabled": False,
    # every server (scheduler, worker, nanny) checks every 20 ms that its event loop is not blocked
    "distributed.admin.tick.interval": "1s",
    # CPU, memory and network figures for the dashboard, every 500 ms in every server
    "distributed.admin.system-monitor.interval": "2s",
    # a nanny measures its worker's memory every 100 ms; sweep runs hold little
    "distributed.worker.memory.monitor-interval": "1s",
}


def _unreachable(address: str, why: str) -> DesignError:
    return DesignError([Problem("--scheduler", f"cannot reach the Dask scheduler at {address}: {why}")])


@contextmanager
def _quiet(*names: str) -> Iterator[None]:
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels):
            logger.setLevel(level)


def _reach_scheduler(distributed, address: str, timeout: float) -> None:
    """Refuse, within ``timeout`` and in words, an address where no Dask scheduler answers.

    Dask's own connect retries a refused port until its timeout and calls it a timeout, and
    waits for ever on a port that accepts but never answers its handshake (a web server, the
    scheduler's dashboard): a sweep would hang before its first run without a word.
    """
    import asyncio
    import socket

    from distributed.comm.addressing import parse_address, parse_host_port

    try:
        scheme, location = parse_address(address)
        host, port = parse_host_port(location) if scheme in ("tcp", "tls") else (None, None)
    except ValueError as exc:
        raise _unreachable(address, f"it should be an address like tcp://HOST:PORT ({exc})") from None
    if port is not None:
        if not 0 < port < 65536:
            raise _unreachable(address, f"{port} is not a port (1 to 65535)")
        try:
            socket.create_connection((host, port), timeout=timeout).close()
        except socket.gaierror:
            raise _unreachable(address, f'no host is called "{host}"') from None
        except ConnectionRefusedError:
            raise _unreachable(address, "nothing listens there (connection refused); is the scheduler "
                                        "running, and is that its port (8786 unless told otherwise)?") from None
        except TimeoutError:
            raise _unreachable(address, f"no answer within {timeout:g} s (is the host up, "
                                        "and does a firewall let the port through?)") from None
        except OSError as exc:
            raise _unreachable(address, exc.strerror or str(exc)) from None

    async def identity():
        comm = await distributed.comm.connect(address, timeout=timeout,
                                              **distributed.Security().get_connection_args("client"))
        try:
            await comm.write({"op": "identity", "reply": True})
            return await comm.read()
        finally:
            comm.abort()

    def ask():
        return asyncio.run(asyncio.wait_for(identity(), timeout))

    try:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            answer = ask()
        else:
            # a notebook's thread runs an event loop already, and asyncio.run refuses to nest
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(1) as apart:
                answer = apart.submit(ask).result()
    except TimeoutError:
        raise _unreachable(address, f"something listens there but gave no Dask answer within {timeout:g} s "
                                    "(a dashboard or web server? the scheduler's port is 8786 unless "
                                    "told otherwise)") from None
    except Exception as exc:
        raise _unreachable(address, f"{type(exc).__name__}: {exc}") from None
    kind = answer.get("type") if isinstance(answer, dict) else None
    if kind != "Scheduler":
        what = f"a Dask {kind.lower()}" if isinstance(kind, str) else "not a Dask server"
        raise _unreachable(address, f"that is {what}, not the scheduler (its address is in the workers' "
                                    "logs: \"Registered to\")")


class DaskExecutor(Executor):
    """A Dask ``distributed`` cluster: an existing one by its scheduler's address, or a
    ``LocalCluster`` started (and closed) here, with ``LOCAL_CLUSTER_CONFIG`` unless not ``quiet``."""

    name = "Dask"

    def __init__(self, scheduler: str | None = None, local_workers: int | None = None,
                 processes: bool = True, connect_timeout: float = 10.0, quiet: bool = True):
        distributed = _distributed()
        self._cluster = None
        self._in_flight: set = set()
        self._connect_timeout = connect_timeout
        if scheduler:
            _reach_scheduler(distributed, scheduler, connect_timeout)
            try:
                self._client = distributed.Client(scheduler, timeout=connect_timeout)
            except Exception as exc:
                # Dask raises ValueError and TypeError as well as OSError for addresses it cannot use
                raise _unreachable(scheduler, f"{type(exc).__name__}: {exc}") from None
        else:
            import dask

            with dask.config.set(LOCAL_CLUSTER_CONFIG if quiet else {}):
                self._cluster = distributed.LocalCluster(
                    n_workers=max(1, local_workers or os.cpu_count() or 1), threads_per_worker=1,
                    # ":0": any free port, so that several sweeps (or engineers) never fight over 8787.
                    # Workers' own logs are noise here (a heartbeat that misses a closing scheduler):
                    # a run that fails reaches the sweep through its future.
                    processes=processes, dashboard_address=":0", silence_logs=logging.CRITICAL,
                    # worker processes share the terminal: Ctrl+C is the sweep's to handle, not theirs
                    **({"preload": [__name__]} if processes else {}),
                )
            self._client = distributed.Client(self._cluster)
        self.where = scheduler or self._client.scheduler.address
        try:
            self._check_workers()
        except BaseException:
            self.close()
            raise

    def _check_workers(self) -> None:
        """Refuse workers that cannot run this engine, or run another version of it: their
        numbers would differ from a local run's without saying so."""
        try:
            # Without workers the design cannot be sent (Dask's scatter fails after its own timeout),
            # and run() would find nothing to refuse; workers starting alongside get this long to join.
            self._client.wait_for_workers(1, timeout=self._connect_timeout)
        except TimeoutError:
            raise DesignError([Problem(self.where, f"the Dask cluster has no workers (none joined within "
                                                   f"{self._connect_timeout:g} s); start some with: "
                                                   f"dask worker {self.where}")]) from None
        ours = __version__
        versions = self._engine_versions(self._client.run, "workers", "on them")
        other = sorted({v for v in versions.values() if v != ours})
        if other:
            raise DesignError([Problem(self.where, f"Dask workers run Faultline {', '.join(other)}, this is {ours}; "
                                                  "install the same version on every worker")])
        # The scheduler unpickles every task it is sent: without the engine, each run would fail on it.
        on_scheduler = self._engine_versions(self._client.run_on_scheduler, "scheduler", "beside it")
        if on_scheduler != ours:
            raise DesignError([Problem(self.where, f"the Dask scheduler runs Faultline {on_scheduler}, this is "
                                                   f"{ours}; install the same version beside it")])

    def _engine_versions(self, run_there, who: str, where: str):
        """``engine_version`` run by ``run_there`` (the workers' or the scheduler's), or a refusal
        saying that ``who`` cannot load the engine."""
        try:
            return run_there(engine_version)
        except Exception as exc:
            raise DesignError([Problem(self.where, f"the Dask {who} cannot load Faultline's engine "
                                                   f"({type(exc).__name__}: {exc}); install Faultline {where}")
                               ]) from exc

    @property
    def workers(self) -> int:
        """Worker threads the cluster has now (at least 1: tasks wait for workers that join later)."""
        threads = self._client.nthreads() if self._client is not None else {}
        return max(1, sum(threads.values()))

    def worker_cpu_seconds(self) -> float:
        """CPU time used so far by the worker processes, summed (for measuring a sweep's cost)."""
        return float(sum(self._client.run(time.process_time).values()))

    def describe(self) -> str:
        n = self.workers
        return f"{n} Dask worker thread{'s' if n != 1 else ''} at {self.where}"

    def run(self, design_json, options_json, tasks):
        with shared_pool.interrupts_held() as stop:
            yield from self._run(design_json, options_json, list(tasks), stop)

    def _run(self, design_json, options_json, tasks, stop: threading.Event):
        client = self._client
        workers = max(1, self.workers)
        ready = threading.Event()
        sizer = _BatchSizer(workers)
        position = 0
        watch = _WorkerWatch(client, self._connect_timeout)

        def send(design, batch, **where):
            future = client.submit(run_batch, design, options_json, batch, pure=False, **where)
            future.add_done_callback(lambda _: ready.set())
            self._in_flight.add(future)
            return future

        def send_again(batch, others):
            # with the design itself: the worker holding the design's future may be the one that
            # stopped answering
            self.resent += len(batch)
            return send(design_json, batch, workers=others, allow_other_workers=False)

        # The design is sent once to each worker, not once per task, as the result of a task
        # rather than scattered: Dask keeps one copy of scattered data (its memory manager drops
        # the other replicas within seconds) and cannot make it again, so losing the one worker
        # holding it would cancel the whole sweep; a task's result is recomputed elsewhere. (str,
        # a builtin: the scheduler unpickles every task's function, and needs no new code for it.)
        stragglers = _Stragglers(client, lambda **where: client.submit(str, design_json, pure=False, **where),
                                 send_again, self._in_flight.discard)

        def submit_next():
            nonlocal position
            if position >= len(tasks):
                return None
            size = sizer.next_size(len(tasks) - position)
            batch, position = tasks[position:position + size], position + size
            future = send(stragglers.design, batch)
            stragglers.sent(future, batch)
            return future

        def wait_some(futures):
            # A future's state is known here without asking the scheduler; waiting on an event its
            # callback sets costs nothing, where distributed.wait is a round trip per call. Short
            # waits, so that Ctrl+C is taken here, between Dask's calls, and never inside one
            # (where it leaves Dask's event loop logging half-done callbacks).
            while True:
                if stop.is_set():
                    raise KeyboardInterrupt
                ready.clear()
                done = {future for future in futures if stragglers.finished(future)}
                if done:
                    return done
                if ready.wait(0.2):
                    continue
                stragglers.check(futures)
                stop_without_workers()

        def stop_without_workers():
            if watch.gone():
                # runs would wait for workers that may never come: stop, keeping what finished
                raise SweepError(f"the Dask cluster at {self.where} has no workers left "
                                 f"(none for {self._connect_timeout:g} s)")

        for future in _windowed(submit_next, workers * IN_FLIGHT_PER_WORKER, wait_some):
            future = stragglers.taken(future)
            self._in_flight.discard(future)
            if future.cancelled():
                # Dask cancels what it can no longer run; its reason names a task, not the cause
                raise SweepError(self._lost())
            results, seconds = stragglers.result(future, f"the Dask cluster at {self.where}", stop,
                                                 stop_without_workers)
            sizer.observe(len(results), seconds)
            yield from results

    def _lost(self) -> str:
        """Why the cluster stopped running the sweep, in words: the scheduler or every worker gone."""
        where = f"the Dask cluster at {self.where}"
        if self._client.status != "running":
            return f"lost the connection to the Dask scheduler at {self.where}"
        try:
            workers = self._client.nthreads()
        except Exception:
            return f"lost the connection to the Dask scheduler at {self.where}"
        if not workers:
            return f"{where} has no workers left"
        return f"{where} cancelled the sweep's runs"

    def close(self) -> None:
        if self._client is None:
            return
        try:
            # A client whose scheduler went away logs the traceback of its reconnection, cut short
            # by this close, after the sweep has said what happened.
            with _quiet("distributed.client", "distributed.core"):
                if self._in_flight and self._client.status == "running":
                    self._client.cancel(list(self._in_flight))
                self._client.close()
        finally:
            self._client = None
            if self._cluster is not None:
                self._cluster.close()
                self._cluster = None


class _WorkerWatch:
    """Whether a cluster has been without workers for ``grace`` seconds, asking its scheduler at
    most every ``CHECK_SECONDS``: workers restarted by their nannies come back within the grace."""

    CHECK_SECONDS = 2.0

    def __init__(self, client, grace: float):
        self._client = client
        self._grace = grace
        self._checked = time.monotonic()
        self._since: float | None = None

    def gone(self) -> bool:
        now = time.monotonic()
        if now - self._checked < self.CHECK_SECONDS:
            return False
        self._checked = now
        if self._client.status != "running":
            return False  # a lost scheduler cancels the runs, which says so; asking it would wait
        try:
            workers = self._client.nthreads()
        except Exception:
            return False
        if workers:
            self._since = None
            return False
        self._since = self._since if self._since is not None else now
        return now - self._since >= self._grace


class _Stragglers:
    """Runs held by a worker that stopped answering, sent once more, to one that answers.

    A worker that stops without going away (its host asleep, its process stopped or swapping)
    keeps what it holds until the scheduler gives up on it: five minutes by default
    (``distributed.scheduler.worker-ttl``), the whole sweep waiting. It holds runs under way, the
    results of runs it finished that are not fetched yet, and maybe the one copy of the design
    that runs sent elsewhere wait for. Such a worker no longer heartbeats: one whose last
    heartbeat is ``SILENT_HEARTBEATS`` of its intervals (and at least ``SILENT_SECONDS``) behind
    the freshest worker's is taken as stopped (the freshest, not the clock here: a remote
    scheduler's clock may differ from ours). A run gives the same numbers wherever it runs, so
    the copy that finishes first is taken and the other cancelled."""

    SILENT_SECONDS = 10.0
    SILENT_HEARTBEATS = 3
    CHECK_SECONDS = 2.0

    def __init__(self, client, make_design, send_again, forget):
        self._client = client
        self._make_design = make_design  # (**where) -> a future of the design, on those workers
        self._send_again = send_again    # (batch, workers) -> a future running it on one of them
        self._forget = forget            # a future no longer in flight
        self.design = make_design()      # what the runs sent from now on take their design from
        self._batches: dict[Any, list] = {}
        self._designs: dict[Any, Any] = {}   # the design's future each run sent waits for
        self._copies: dict[Any, Any] = {}
        self._checked = time.monotonic()

    def sent(self, future, batch: list) -> None:
        self._batches[future] = batch
        self._designs[future] = self.design

    def finished(self, future) -> bool:
        """Whether ``future`` or its copy has finished."""
        copy = self._copies.get(future)
        return future.done() or (copy is not None and copy.done())

    def taken(self, future):
        """Of ``future`` (finished, or its copy is) and its copy, the one whose result counts; the
        other is cancelled."""
        self._designs.pop(future, None)
        copy = self._copies.pop(future, None)
        if copy is None:
            return future
        first, other = (future, copy) if future.done() and not future.cancelled() else (copy, future)
        self._batches[first] = self._batches.pop(future)
        self._cancel(other)
        return first

    def result(self, future, where: str, stop: threading.Event, stop_without_workers):
        """The result of finished ``future`` (as ``_outcome`` gives it), or of a copy of its runs if
        the worker holding it stops answering before it is fetched. A result lost with its worker
        is made again by Dask, if the cluster has workers left (``stop_without_workers`` raises
        when it has had none for a while)."""
        while True:
            try:
                outcome = _outcome(future, where, timeout=1.0)
                self._batches.pop(future, None)
                return outcome
            except TimeoutError:
                if stop.is_set():
                    raise KeyboardInterrupt from None
                stop_without_workers()
                silent, answering = self._silent()
                try:
                    holders = set(self._client.who_has([future]).get(future.key, ())) if silent else set()
                except Exception:
                    continue
                if holders and holders <= silent and answering:
                    batch = self._batches.pop(future)
                    self._cancel(future)
                    future = self._send_again(batch, answering)
                    self._batches[future] = batch

    def check(self, futures) -> None:
        """Send a copy of each of ``futures`` that a silent worker runs, or that waits for a design
        only a silent worker holds, to the workers that answer; and make the design again on them."""
        waiting = [f for f in futures if f not in self._copies and not f.done() and f in self._batches]
        if not waiting:
            return
        silent, answering = self._silent()
        if not silent or not answering:
            return
        try:
            running = self._client.processing(workers=sorted(silent))
            held = {key for keys in running.values() for key in keys}
            designs = {*self._designs.values(), self.design}
            who = self._client.who_has(list(designs))
        except Exception:
            return   # a cluster going away is said by the runs themselves
        stranded = {d for d in designs if d.key in held or (set(who.get(d.key, ())) or {None}) <= silent}
        if self.design in stranded:
            self.design = self._make_design(workers=answering, allow_other_workers=False)
        for future in waiting:
            if future.key in held or self._designs.get(future) in stranded:
                self._copies[future] = self._send_again(self._batches[future], answering)

    def _silent(self) -> tuple[set[str], list[str]]:
        """The workers taken as stopped, and those that answer; asked of the scheduler at most
        every ``CHECK_SECONDS`` (nothing is silent between)."""
        now = time.monotonic()
        if now - self._checked < self.CHECK_SECONDS or self._client.status != "running":
            return set(), []   # a lost scheduler cancels the runs, which says so; asking it would wait
        self._checked = now
        try:
            seen = {address: info["last_seen"] for address, info in self._client.scheduler_info()["workers"].items()}
        except Exception:
            return set(), []
        if not seen:
            return set(), []
        allowed = max(self.SILENT_SECONDS, self.SILENT_HEARTBEATS * heartbeat_interval(len(seen)))
        freshest = max(seen.values())
        silent = {address for address, last in seen.items() if freshest - last > allowed}
        return silent, sorted(set(seen) - silent)

    def _cancel(self, future) -> None:
        self._forget(future)
        try:
            self._client.cancel([future])
        except Exception:
            pass   # the cluster going away is said by the runs still in flight


def heartbeat_interval(workers: int) -> float:
    """How often a Dask worker heartbeats in a cluster of ``workers`` (Dask's own rule, in
    ``distributed.scheduler``, which is not public)."""
    if workers <= 10:
        return 0.5
    if workers < 50:
        return 1.0
    if workers < 200:
        return 2.0
    return workers / 200 + 1


class _BatchSizer:
    """How many runs to send in one Dask task: one at first, then as many as take about
    ``BATCH_SECONDS``, so that the scheduler's and the client's cost per task (about 5 ms of CPU,
    on the cores the workers use when the cluster is local) stays under 1 % of the runs, while the
    last batches shrink so that no worker is left with a long tail."""

    BATCH_SECONDS = 1.0
    MAX_BATCH = 64

    def __init__(self, workers: int):
        self.workers = workers
        self._runs = 0
        self._seconds = 0.0

    def observe(self, runs: int, seconds: float) -> None:
        """A batch of ``runs`` took ``seconds`` on its worker."""
        self._runs += runs
        self._seconds += seconds

    def next_size(self, remaining: int) -> int:
        """Runs for the next batch, with ``remaining`` runs not yet sent."""
        if not self._runs:
            return 1
        per_run = max(self._seconds / self._runs, 1e-6)
        wanted = max(1, min(self.MAX_BATCH, int(self.BATCH_SECONDS / per_run)))
        fair = max(1, -(-remaining // (self.workers * IN_FLIGHT_PER_WORKER)))
        return min(wanted, fair)


def make_executor(scheduler: str | None = None, dask_local: int | None = None,
                  workers: int | None = None) -> Executor:
    """The executor a command line asks for: a cluster by address, a local Dask cluster of
    ``dask_local`` workers, or ``workers`` local processes (one run in this process if 1)."""
    if scheduler and dask_local:
        raise DesignError([Problem("--scheduler", "give either --scheduler or --dask-local, not both")])
    if scheduler:
        if not scheduler.startswith(("tcp://", "tls://", "inproc://", "ucx://", "ws://", "wss://")):
            raise DesignError([Problem("--scheduler", f'"{scheduler}" should be an address like tcp://HOST:PORT')])
        return DaskExecutor(scheduler=scheduler)
    if dask_local is not None:
        if dask_local < 1:
            raise DesignError([Problem("--dask-local", f"needs at least 1 worker (got {dask_local})")])
        return DaskExecutor(local_workers=dask_local)
    if workers is not None and workers < 1:
        raise DesignError([Problem("--workers", f"needs at least 1 (got {workers})")])
    if workers == 1:
        return InProcessExecutor()
    return LocalExecutor(workers)
