"""Every example, experiment and the every-pattern variant give the same output, bit for bit,
however the run is cut into slices: stopping after an odd number of events leaves events due
at one instant, and events a link's constant latency ahead, waiting in the queue's line and
rings, and the next slice must take them up in the same order (tests/engine/same_results.py
compares the same outputs across a change to the engine)."""
from __future__ import annotations

import numpy as np
import pytest
from same_results import EXAMPLES, cases, differences, run_case

import engine.model as m
from engine import RunOptions, Simulation

QUICK = list(cases(quick=True))


@pytest.mark.parametrize("name,design,experiment,options", QUICK, ids=[c[0] for c in QUICK])
def test_a_run_in_slices_of_a_few_events_equals_one_in_one_go(name, design, experiment, options):
    whole = run_case(design, experiment, options)
    sim = Simulation(design, options, experiment)
    while not sim.advance(max_events=997):
        pass
    sliced = run_case(design, experiment, options, sim)
    assert list(differences(whole, sliced)) == []


def test_the_comparison_sees_one_bit():
    a = {"x": [1.0, float("nan")], "state": {"k": np.array([0.1, 0.2])}}
    b = {"x": [1.0, float("nan")], "state": {"k": np.array([0.1, 0.2])}}
    assert list(differences(a, b)) == []
    b["state"]["k"][1] = np.nextafter(0.2, 1.0)
    b["x"][0] = -1.0
    assert list(differences(a, b)) == ["/state/k: 1 of 2 values differ", "/x[0]: 1.0 against -1.0"]


def test_a_link_s_injected_errors_and_refusals_keep_their_order_in_slices():
    """Errors injected on a link and refusals one hop away (every instance of the target
    down) answer after the link's constant latency, through its ring, between the link's
    other events."""
    design = m.parse_design((EXAMPLES / "three_tier.json").read_text())
    bad_day = design.experiment("bad day")
    error = next(f for f in bad_day.faults if f.kind == "error").model_copy(
        update={"target": "api -> cache", "start": 5.0, "duration": 40.0, "fraction": 0.2})
    crash = design.experiment("cache node failure").faults[0]
    outage = crash.model_copy(update={"start": 20.0, "duration": 10.0,
                                      "instances": crash.instances.model_copy(update={"count": None})})
    design = design.model_copy(update={"experiments": [
        *design.experiments, m.Experiment(name="link faults", faults=[error, outage])]})
    options = RunOptions(duration=60.0, bucket=1.0, warmup=2.5)
    whole = run_case(design, "link faults", options)
    summary = whole["summary"]["links"]["api -> cache"]["outcomes"]
    assert summary["error"] > 0 and summary["unavailable"] > 0   # both paths were taken
    sim = Simulation(design, options, "link faults")
    while not sim.advance(max_events=997):
        pass
    assert list(differences(whole, run_case(design, "link faults", options, sim))) == []
