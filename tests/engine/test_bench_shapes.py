"""The benchmark's designs of 10 to 1,000 components are what their names say, and run."""
from __future__ import annotations

import pytest

from benchmarks.bench_peers import shape_design
from engine import RunOptions, Simulation


@pytest.mark.parametrize("shape", ["chain", "fan_out", "lb"])
@pytest.mark.parametrize("n", [10, 100])
def test_shape_has_n_components_and_every_one_serves(shape, n):
    design, duration = shape_design(shape, n)
    assert len(design.components) == n
    result = Simulation(design, RunOptions(duration=duration, bucket=1.0, seed=3)).result()
    # past the client (and the hub or balancer), every component of the shape got work
    served = [c.name for c in design.components[1:] if result.component_summary(c.name)["arrivals"] > 0]
    assert served == [c.name for c in design.components[1:]]


def test_unknown_shape_is_named():
    with pytest.raises(ValueError, match="ring"):
        shape_design("ring", 10)
