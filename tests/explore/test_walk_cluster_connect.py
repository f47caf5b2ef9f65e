"""A --scheduler that is not a usable Dask scheduler is a sentence, soon: never a hang or a traceback."""
import socket
import threading

import pytest

from engine.explore.executors import DaskExecutor
from engine.model import DesignError

distributed = pytest.importorskip("distributed")
dask = pytest.importorskip("dask")

# Generous, only so that a regression fails instead of hanging the run.
GUARD_SECONDS = 60


def _attempt(address: str) -> BaseException | None:
    """What making an executor for ``address`` raised, from a thread so that a hang is a failure."""
    outcome: list[BaseException | None] = []

    def connect():
        try:
            DaskExecutor(scheduler=address, connect_timeout=1).close()
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=connect, daemon=True)
    thread.start()
    thread.join(GUARD_SECONDS)
    assert not thread.is_alive(), f"connecting to {address} never ended"
    return outcome[0]


@pytest.fixture
def tcp_cluster():
    # Real TCP inside this process, so that its scheduler and workers have addresses a user could type.
    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}), \
            distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp://",
                                     dashboard_address=None) as cluster:
        yield cluster


def test_a_port_that_accepts_but_never_speaks_dask_is_refused_instead_of_hanging():
    server = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []

    def hold():
        # like a web server or the dashboard's port: it takes the connection and waits for HTTP
        try:
            while True:
                accepted.append(server.accept()[0])
        except OSError:
            pass

    threading.Thread(target=hold, daemon=True).start()
    try:
        error = _attempt(f"tcp://127.0.0.1:{server.getsockname()[1]}")
    finally:
        server.close()
        for connection in accepted:
            connection.close()
    assert isinstance(error, DesignError), error
    assert "gave no Dask answer" in str(error)


def test_a_refused_port_says_so():
    probe = socket.create_server(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    error = _attempt(f"tcp://127.0.0.1:{port}")
    assert isinstance(error, DesignError), error
    assert "connection refused" in str(error) and "cannot reach the Dask scheduler" in str(error)


@pytest.mark.parametrize("address, words", [
    ("tcp://127.0.0.1", "should be an address like tcp://HOST:PORT"),
    ("tcp://127.0.0.1:99999", "is not a port"),
])
def test_an_address_dask_cannot_use_is_a_message(address, words):
    error = _attempt(address)
    assert isinstance(error, DesignError), error
    assert words in str(error)


def test_a_workers_address_is_not_taken_for_the_schedulers(tcp_cluster):
    worker = next(iter(tcp_cluster.scheduler.workers))
    error = _attempt(worker)
    assert isinstance(error, DesignError), error
    assert "that is a Dask worker, not the scheduler" in str(error)


def test_a_cluster_without_workers_is_refused_before_the_sweep():
    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}), \
            distributed.LocalCluster(n_workers=0, processes=False, protocol="tcp://",
                                     dashboard_address=None) as cluster:
        error = _attempt(cluster.scheduler_address)
    assert isinstance(error, DesignError), error
    assert "the Dask cluster has no workers" in str(error)
    assert f"dask worker {cluster.scheduler_address}" in str(error)


def test_a_scheduler_is_reached_from_a_thread_that_runs_an_event_loop(tcp_cluster):
    # as from a notebook, whose thread already runs asyncio's loop
    import asyncio

    async def from_a_loop():
        with DaskExecutor(scheduler=tcp_cluster.scheduler_address, connect_timeout=5) as executor:
            return executor.workers

    assert asyncio.run(from_a_loop()) >= 1
