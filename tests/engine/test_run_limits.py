"""Runs that end: a loop that takes no time is caught, memory stays inside its budget."""
import pytest

import engine.simulation as simulation
from engine import RunStopped, Simulation
from engine.model import DesignError, RunOptions, parse_design


def zero_time_loop():
    return parse_design({"name": "spin", "components": [
        {"kind": "client", "name": "users",
         "workload": {"type": "closed", "users": 3, "think_time": {"kind": "constant", "value": 0}}},
        {"kind": "service", "name": "api", "service_time": {"kind": "constant", "value": 0}},
    ], "links": [{"source": "users", "target": "api", "latency": {"kind": "constant", "value": 0}}]})


def flood():
    """200,000 requests a second into one worker that takes a second each, behind an unbounded queue."""
    return parse_design({"name": "flood", "components": [
        {"kind": "client", "name": "users", "workload": {"type": "open", "rate": 200_000}},
        {"kind": "service", "name": "api", "workers": 1, "service_time": {"kind": "constant", "value": 1}},
    ], "links": [{"source": "users", "target": "api"}]})


def wide(components: int):
    names = [f"s{i}" for i in range(components - 1)]
    return parse_design({"name": "wide", "components": [
        {"kind": "client", "name": "users", "workload": {"type": "open", "rate": 1}},
        *({"kind": "external", "name": n} for n in names),
    ], "links": [{"source": "users", "target": n} for n in names]})


def test_a_loop_that_takes_no_time_stops_and_names_its_components(monkeypatch):
    monkeypatch.setattr(simulation, "STALL_EVENTS", 200_000)
    sim = Simulation(zero_time_loop(), RunOptions(duration=10))
    with pytest.raises(RunStopped) as caught:
        sim.result()
    assert caught.value.reason == "zero_time_loop"
    message = str(caught.value)
    assert "The clock stopped at 0 s of 10 s" in message
    assert 'client "users" and service "api"' in message
    result = sim.snapshot()
    assert result.meta["stopped"] == "zero_time_loop" and not result.meta["finished"]
    assert result.meta["stop_message"] == message
    # Nothing was measured over a window of no length: no rates, rather than infinite ones.
    assert result.summary["components"]["api"]["throughput"] == 0.0
    with pytest.raises(RunStopped):     # it stays stopped
        sim.advance()


def test_time_that_advances_in_small_steps_is_not_a_loop(monkeypatch):
    monkeypatch.setattr(simulation, "STALL_EVENTS", 200_000)
    design = zero_time_loop()
    design.components[1].service_time = {"kind": "constant", "value": 1e-6}
    result = Simulation(design, RunOptions(duration=1)).result()
    assert result.meta["finished"] and result.meta["stopped"] is None


def test_advance_by_events_still_counts_exactly():
    sim = Simulation(flood(), RunOptions(duration=1))
    sim.advance(max_events=simulation.SLICE_EVENTS + 17)
    assert sim.events_processed == simulation.SLICE_EVENTS + 17


def test_a_queue_that_outgrows_the_budget_stops_the_run_with_its_partial_results():
    budget = 64 * 2**20
    sim = Simulation(flood(), RunOptions(duration=600, memory_budget=budget))
    with pytest.raises(RunStopped) as caught:
        sim.result()
    assert caught.value.reason == "memory_budget"
    assert 'service "api" has' in str(caught.value) and "waiting" in str(caught.value)
    peak = sim.snapshot().summary["components"]["api"]["queue_peak"]
    assert f"waiting (at most {peak:,}, about " in str(caught.value) and peak > 100_000
    assert "memory budget of 64 MiB" in str(caught.value)
    core = sim.probe
    assert 0 < core.pool_bytes <= core.pool_limit < budget
    result = sim.snapshot()
    assert result.meta["stopped"] == "memory_budget"
    assert 0 < result.meta["simulated_time"] < 600
    assert result.summary["components"]["api"]["arrivals"] > 100_000


def test_metric_arrays_beyond_the_budget_are_refused_before_they_are_allocated():
    design = wide(90)
    with pytest.raises(DesignError) as caught:
        Simulation(design, RunOptions(duration=1_000_000, bucket=1, max_buckets=1_000_000))
    message = str(caught.value)
    assert "1,000,000 buckets of 1 s for 90 components and 89 links need about" in message
    assert "more than the memory budget of 2 GiB" in message
    advice = message.split("use a bucket of at least ")[1].split(" s")[0]
    most = int(message.split("keep at most ")[1].split(" buckets")[0].replace(",", ""))
    sim = Simulation(design, RunOptions(duration=1_000_000, bucket=1, max_buckets=most))
    assert sim.grid.count <= most
    # The advice is good: that bucket fits.
    sim = Simulation(design, RunOptions(duration=1_000_000, bucket=float(advice), memory_budget=2 * 2**30,
                                        max_buckets=1_000_000))
    engine, results = simulation.run_memory(sim.compiled, sim.options)
    assert engine + results + simulation.MIN_POOL_BYTES <= 2 * 2**30


def test_a_long_run_keeps_a_bounded_number_of_wider_buckets_instead():
    design = wide(90)
    sim = Simulation(design, RunOptions(duration=1_000_000, bucket=1))
    assert sim.grid.count <= RunOptions().max_buckets < 1_000_000
    assert sim.grid.width == 128.0 and sim.grid.merged == 128
    engine, results = simulation.run_memory(sim.compiled, sim.options)
    assert engine + results < 2**30


def test_replications_are_bounded_by_count_and_memory():
    design = wide(5)
    with pytest.raises(DesignError, match="at most 1,000 runs"):
        simulation.check_replications(design, RunOptions(duration=10), None, runs=1001, at_once=2)
    options = RunOptions(duration=10_000, bucket=1, memory_budget=512 * 2**20)
    with pytest.raises(DesignError, match=r"200 runs of .* MiB each need about .* GiB, .* run at most \d\d, "):
        simulation.check_replications(design, options, None, runs=200, at_once=2)
    simulation.check_replications(design, options, None, runs=2, at_once=2)


def test_the_window_hears_why_a_run_stopped(qtbot, monkeypatch):
    from app.run.worker import RunRequest, RunWorker

    monkeypatch.setattr(simulation, "STALL_EVENTS", 200_000)
    worker = RunWorker(RunRequest(design=zero_time_loop(), options=RunOptions(duration=10)))
    messages = []
    worker.failed.connect(messages.append)
    worker.run()
    assert len(messages) == 1
    assert messages[0].startswith("The design cannot run:\nThe clock stopped at 0 s")


def test_the_window_hears_a_summary_of_many_alike_problems(qtbot):
    from app.run.worker import RunRequest, RunWorker

    links = [{"source": "users", "target": f"ghost {i}"} for i in range(300)]
    design = parse_design({"name": "ghosts", "components": [{"kind": "client", "name": "users"}],
                           "links": links}, check=False)
    worker = RunWorker(RunRequest(design=design, options=RunOptions(duration=10)))
    messages = []
    worker.failed.connect(messages.append)
    worker.run()
    assert len(messages) == 1
    lines = messages[0].splitlines()
    assert lines[0] == "The design cannot run:"
    assert len(lines) < 60 and lines[-1] == "and 251 more problems"
