"""Peak queue length and the memory a run used, in its results."""
from __future__ import annotations

import numpy as np

import engine._core as _core
from engine import simulate
from engine.model import Client, Constant, Design, Exponential, Link, OpenLoop, RateSpike, RunOptions, Service
from engine.simulation import Simulation


def _overloaded(workers: int = 1) -> Design:
    """Ten requests a second, evenly spaced, to one worker taking about a second each (never at the
    instant one arrives): the queue only grows."""
    return Design(name="overloaded", components=[
        Client(name="users", workload=OpenLoop(rate=10, arrivals="constant")),
        Service(name="api", instances=1, workers=workers, service_time=Constant(value=1.03)),
    ], links=[Link(source="users", target="api", latency=Constant(value=0.0))])


def test_a_queue_that_only_grows_peaks_at_its_length_at_the_end():
    result = simulate(_overloaded(), RunOptions(duration=5))
    api = result.summary["components"]["api"]
    assert api["queue_peak"] == api["in_flight_at_end"] - 1 > 40   # all but the one in service wait
    assert result.summary["components"]["users"]["queue_peak"] == 0


def test_the_peak_is_the_longest_queue_not_a_bucket_average():
    design = Design(name="mm1", components=[
        Client(name="users", workload=OpenLoop(rate=9)),
        Service(name="api", instances=1, workers=1, service_time=Exponential(mean=0.1)),
    ], links=[Link(source="users", target="api")])
    result = simulate(design, RunOptions(duration=300, seed=3))
    api = result.summary["components"]["api"]
    averages = result.column("queue_length", "api")
    assert api["queue_peak"] >= np.ceil(averages.max()) and api["queue_peak"] > 3 * api["mean_queue_length"]
    assert api["queue_peak"] < api["arrivals"]


def test_the_warm_up_is_left_out_of_the_peak():
    # 20 requests a second for 2 s to a worker that serves 5: about 30 wait at 2 s, then drain by 8 s
    design = Design(name="burst", components=[
        Client(name="users", workload=OpenLoop(rate=0, arrivals="constant",
                                               schedule=[RateSpike(at=0, duration=2, rate=20)])),
        Service(name="api", instances=1, workers=1, service_time=Constant(value=0.2)),
    ], links=[Link(source="users", target="api", latency=Constant(value=0.0))])

    def peak(warmup: float) -> int:
        return simulate(design, RunOptions(duration=20, warmup=warmup)).summary["components"]["api"]["queue_peak"]

    assert 28 <= peak(0) <= 31
    assert 13 <= peak(5) <= 16      # the queue as the measured window began, still draining
    assert peak(10) == 0


def test_the_results_say_what_memory_the_run_used():
    sim = Simulation(_overloaded(), RunOptions(duration=5, memory_budget=256 * 2**20))
    memory = sim.result().meta["memory"]
    assert memory["request_bytes"] == _core.JOB_BYTES
    assert memory["budget_bytes"] == 256 * 2**20
    assert memory["pools_bytes"] == sim.probe.pool_bytes > 0
    assert memory["used_bytes"] == memory["metrics_bytes"] + memory["pools_bytes"] + memory["results_bytes"]
    assert memory["used_bytes"] < memory["budget_bytes"]
