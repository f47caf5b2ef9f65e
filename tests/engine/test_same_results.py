"""Every example, experiment and the every-pattern variant give the same output, bit for bit,
however the run is cut into slices: stopping after an odd number of events leaves events due
at one instant, and events a link's constant latency ahead, waiting in the queue's line and
rings, and the next slice must take them up in the same order (tests/engine/same_results.py
compares the same outputs across a change to the engine)."""
from __future__ import annotations

import numpy as np
import pytest
from same_results import cases, differences, run_case

from engine import Simulation

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
