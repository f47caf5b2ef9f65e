"""The process pool that runs replications and sweeps: started once, reused, stopped at exit.

A worker process pays for its interpreter and for importing the engine (numpy, pydantic,
the compiled core) once; every run it takes after that costs the simulation only.
The pool is made on first use, grows to one process per core as work arrives, and
is shut down when the program exits. ``abandon()`` ends it at once (Ctrl+C, a failed
run): the processes are terminated rather than waited for, and the next ``pool()``
starts a fresh one.
"""
from __future__ import annotations

import atexit
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Any

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None


def size() -> int:
    """How many processes the pool runs at most: one per core."""
    return os.cpu_count() or 1


def pool() -> ProcessPoolExecutor:
    """The process's pool of simulation workers, made on first call and reused after."""
    global _pool
    with _lock:
        if _pool is None or _broken(_pool):
            # spawn, not fork: the GUI process has Qt threads that a fork would copy half-alive
            _pool = ProcessPoolExecutor(max_workers=size(),
                                        mp_context=multiprocessing.get_context("spawn"),
                                        initializer=_leave_interrupts_to_the_parent)
        return _pool


def submit(fn: Callable[[Any], Any], jobs: Iterable[Any]) -> list[Future]:
    """``fn(job)`` for every job, in the pool. Ctrl+C while the pool starts a process is held
    until the process has started, then raised: a child cut off halfway through its start would
    print its own traceback and be left out of what ``abandon()`` ends."""
    with _interrupt_deferred():
        executor = pool()
        return [executor.submit(fn, job) for job in jobs]


@contextmanager
def _interrupt_deferred() -> Iterator[None]:
    # only the main thread gets SIGINT, and only Python's own handler is replaced
    if (threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGINT) is not signal.default_int_handler):
        yield
        return
    caught: list[int] = []
    signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    if caught:
        raise KeyboardInterrupt


def _leave_interrupts_to_the_parent() -> None:
    # Ctrl+C reaches every process of the terminal's group: the parent decides (keeps what
    # finished, terminates the workers); a worker printing its own traceback would only be noise.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _broken(executor: ProcessPoolExecutor) -> bool:
    # a worker that died (killed, out of memory) breaks the whole executor for good
    return bool(getattr(executor, "_broken", False))


def abandon() -> None:
    """End the pool without waiting for the runs in it: terminate its processes now."""
    global _pool
    with _lock:
        executor, _pool = _pool, None
    if executor is None:
        return
    # a process whose start was itself interrupted has no pid: nothing to end
    processes = [p for p in (getattr(executor, "_processes", None) or {}).values() if p.pid]
    executor.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=5)


def shutdown() -> None:
    """Let the workers finish what they run and stop them; called at exit."""
    global _pool
    with _lock:
        executor, _pool = _pool, None
    if executor is not None:
        executor.shutdown(wait=True, cancel_futures=True)


atexit.register(shutdown)

__all__ = ["BrokenProcessPool", "abandon", "pool", "shutdown", "size", "submit"]
