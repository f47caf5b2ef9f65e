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
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
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
    with interrupts_held() as interrupted:
        executor = pool()
        futures = [executor.submit(fn, job) for job in jobs]
    if interrupted.is_set():
        raise KeyboardInterrupt
    return futures


# How long Ctrl+C may wait to be taken while runs are awaited.
INTERRUPT_POLL_SECONDS = 0.1


def finished(futures: Iterable[Future]) -> set[Future]:
    """Those of ``futures`` that have finished, once at least one has.

    Ctrl+C is raised here, between short waits, and never inside ``concurrent.futures.wait``:
    interrupted there, the main thread can keep a future's lock it had taken, and the pool's
    manager thread, cancelling that future at shutdown, waits for it forever, and so does the
    program's exit."""
    futures = list(futures)
    done: set[Future] = set()
    with interrupts_held() as interrupted:
        while not done and not interrupted.is_set():
            done = wait(futures, timeout=INTERRUPT_POLL_SECONDS, return_when=FIRST_COMPLETED).done
    if interrupted.is_set():
        raise KeyboardInterrupt
    return done


@contextmanager
def interrupts_held() -> Iterator[threading.Event]:
    """While inside, Ctrl+C sets the event yielded instead of interrupting whatever runs; the
    caller decides where it is safe to stop. Only the main thread gets SIGINT, and only Python's
    own handler is replaced: elsewhere the event is never set."""
    interrupted = threading.Event()
    if (threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGINT) is not signal.default_int_handler):
        yield interrupted
        return
    signal.signal(signal.SIGINT, lambda signum, frame: interrupted.set())
    try:
        yield interrupted
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)


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
    # (shutdown lets go of the executor's queues)
    queues = getattr(executor, "_result_queue", None), getattr(executor, "_call_queue", None)
    # a second Ctrl+C must not cut the shutdown off halfway, holding the executor's locks
    with interrupts_held() as interrupted:
        executor.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join()
        _unblock_manager(*queues)
    if interrupted.is_set():
        raise KeyboardInterrupt


def _unblock_manager(results: Any, calls: Any) -> None:
    # The executor's manager thread is joined at exit without a time limit, and a terminated
    # worker can leave it blocked for good in one of two places:
    # - reading a result the worker was halfway through writing. The workers are gone, so the
    #   only write end left is this process's own copy: closing it ends the read (end of file),
    #   and the manager then finds the pool broken and stops.
    # - joining the thread that feeds the call queue, blocked writing runs into a full pipe
    #   that no worker will read. That thread is a daemon, so it need not be joined.
    if results is not None:
        results._writer.close()
    if calls is not None:
        calls.cancel_join_thread()


def shutdown() -> None:
    """Let the workers finish what they run and stop them; called at exit."""
    global _pool
    with _lock:
        executor, _pool = _pool, None
    if executor is not None:
        executor.shutdown(wait=True, cancel_futures=True)


atexit.register(shutdown)

__all__ = ["BrokenProcessPool", "abandon", "finished", "interrupts_held", "pool", "shutdown", "size", "submit"]
