"""Model facts behind the modelling walkthrough: a bulkhead of no permits, the window of a new fault."""
from __future__ import annotations

import pytest
from pydantic import ValidationError

from engine import simulate
from engine.model import (
    AFTER_LAST_FAULT,
    SHORTEST_DEFAULT_RUN,
    AvailabilityObjective,
    BulkheadPolicy,
    Client,
    Constant,
    CrashFault,
    Design,
    Experiment,
    Link,
    OpenLoop,
    RunOptions,
    Service,
    covering_duration,
)
from engine.objectives import evaluate


def test_a_bulkhead_of_no_permits_is_legal_as_in_resilience4j_and_cautioned():
    # BulkheadConfig.Builder.maxConcurrentCalls refuses only a negative count.
    shut = BulkheadPolicy(max_concurrent_calls=0)
    assert "rejected at once" in shut.cautions()["max_concurrent_calls"]
    waiting = BulkheadPolicy(max_concurrent_calls=0, max_wait_duration=0.5)
    assert "after waiting" in waiting.cautions()["max_concurrent_calls"]
    assert BulkheadPolicy().cautions() == {}
    with pytest.raises(ValidationError):
        BulkheadPolicy(max_concurrent_calls=-1)


def _outage_design(faults) -> Design:
    return Design(
        name="outage",
        components=[
            Client(name="users", workload=OpenLoop(rate=10, arrivals="constant"),
                   objectives=[AvailabilityObjective(target=0.99)]),
            Service(name="api", instances=1, workers=4, service_time=Constant(value=0.01)),
        ],
        links=[Link(source="users", target="api", latency=Constant(value=0.0))],
        experiments=[Experiment(name="outage", faults=faults)],
    )


@pytest.mark.parametrize("run, window", [(None, (20, 20)), (60, (20, 20)), (100, (30, 30)), (300, (100, 100)),
                                         (600, (180, 180)), (3600, (1200, 1200)), (10, (3, 3)), (1, (0.3, 0.3))])
def test_a_new_fault_takes_the_middle_third_of_the_run_in_readable_times(run, window):
    start, duration = Experiment(name="e").new_fault_window(run)
    assert (start, duration) == pytest.approx(window)
    length = run or SHORTEST_DEFAULT_RUN
    assert 0 < start and start + duration < length


def test_a_new_fault_starts_after_the_warm_up():
    start, duration = Experiment(name="e").new_fault_window(100, warmup=10)
    assert (start, duration) == (40, 30)


def test_a_new_fault_leaves_a_run_of_the_experiment_the_steady_state_before_and_the_recovery_after():
    experiment = Experiment(name="outage")
    start, duration = experiment.new_fault_window()
    design = _outage_design([CrashFault(target="api", start=start, duration=duration)])
    run = covering_duration(design.experiments)
    assert start + duration + AFTER_LAST_FAULT <= run  # the run the window gives itself: room to recover
    recovery = evaluate(simulate(design, RunOptions(duration=run), "outage")).recovery[0]
    assert recovery.pre_fault_attainment == 1.0 and recovery.breached
    assert recovery.recovered and recovery.time_to_recover is not None


def test_a_fault_saved_without_a_window_still_lasts_the_whole_run():
    # Files written before keep their meaning: the model's own defaults are unchanged.
    fault = CrashFault.model_validate({"target": "api"})
    assert (fault.start, fault.duration) == (0.0, None)
