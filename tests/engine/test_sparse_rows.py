"""A bucket keeps records only of the components and links active in it; the dense rows the
results read are rebuilt from them (engine/_metrics.pxd, "Rows"). These runs have hundreds
of components of which most are idle in any bucket, so the rebuilt rows, the caught-up
areas and the incremental rebuild while a run streams are all exercised."""
from __future__ import annotations

import numpy as np
import pytest

import engine.model as m
from benchmarks.bench_peers import shape_design
from engine import RunOptions, Simulation

GROUPS = ("series", "link_series")


def _balancer(n: int, rate: float) -> m.Design:
    design, _ = shape_design("lb", n)
    client = design.components[0].model_copy(update={"workload": m.OpenLoop(rate=rate)})
    return design.model_copy(update={"components": [client, *design.components[1:]]})


@pytest.mark.parametrize("options", [
    dict(duration=40.0, bucket=1.0, warmup=3.0, seed=2),
    dict(duration=33.3, bucket=0.7, warmup=2.45, seed=5),   # a short last bucket, a warm-up inside one
])
def test_snapshots_while_streaming_agree_with_the_finished_run(options):
    """Each snapshot's finished buckets are the final run's, bit for bit, whenever it is taken."""
    design = _balancer(300, 40.0)
    whole = Simulation(design, RunOptions(**options)).result()
    sim = Simulation(design, RunOptions(**options))
    seen = 0
    for until in (0.3, 4.1, 4.2, 11.0, 17.75, 30.0):
        sim.advance(until)
        part = sim.snapshot()
        done = len(part.series["arrivals"])
        assert done == sim._core.current_bucket
        for group in GROUPS:
            for name, rows in getattr(part, group).items():
                assert np.array_equal(rows, getattr(whole, group)[name][:done], equal_nan=True), (until, group, name)
        seen = max(seen, done)
    assert seen > 20


def test_an_idle_component_keeps_its_levels():
    """A service with nothing to do in a bucket shows its instances up and nothing busy or
    queued; its time averages over the run are those of its rows."""
    design = _balancer(400, 30.0)
    sim = Simulation(design, RunOptions(duration=60.0, bucket=1.0, seed=3))
    r = sim.result()
    s = r.series
    idle = (s["arrivals"] == 0) & (s["ok"] == 0) & (s["started"] == 0)
    services = np.zeros_like(idle)
    services[:, 2:] = True
    quiet = idle & services
    # every service is idle in most buckets: over 30 requests a second among 398
    assert quiet.sum() > 0.8 * services.sum()
    assert np.all(s["instances_up"][quiet] == 1.0)
    for name in ("busy", "queue_length", "in_flight", "utilisation", "latency_p50", "latency_max"):
        assert np.all(s[name][quiet] == 0.0), name
    names = [c.name for c in design.components]
    for c in (2, 150, 399):
        summary = r.summary["components"][names[c]]
        assert summary["utilisation"] == pytest.approx(s["utilisation"][:, c].mean(), rel=1e-9, abs=1e-15)


def test_idle_components_do_not_change_the_others():
    """Components only ever idle (unreached, with their own random streams) leave every other
    component's rows and the event log exactly as without them."""
    plain = _balancer(20, 50.0)
    extra = [m.Service(name=f"idle{i}", workers=2, service_time=m.Constant(value=0.001)) for i in range(300)]
    wide = plain.model_copy(update={"components": [*plain.components, *extra]})
    options = RunOptions(duration=25.0, bucket=0.5, warmup=1.2, seed=9)
    a = Simulation(plain, options).result()
    b = Simulation(wide, options).result()
    n = len(plain.components)
    for name, rows in a.series.items():
        assert np.array_equal(rows, b.series[name][:, :n], equal_nan=True), name
    assert np.all(b.series["instances_up"][:, n:] == 1.0)
    assert a.events == b.events
