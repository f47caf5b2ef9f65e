"""A bucket's percentiles walk only the histogram bins its latencies used (a bit per bin):
they must equal the percentiles of the bucket's whole histogram, however far apart the used
bins lie, and the bitmap must be empty again for the next bucket."""
from __future__ import annotations

import numpy as np
import pytest

import engine.model as m
from engine import RunOptions, Simulation, _core


@pytest.mark.parametrize("latency", [
    m.LogNormal(p50=0.01, p99=20.0),                       # bins spread over thousands
    m.Empirical(points=[0.000002, 0.001, 0.3, 900.0]),     # four bins, words far apart
    m.Constant(value=0.05),                                # one bin
])
def test_a_bucket_percentile_is_the_quantile_of_its_whole_histogram(latency):
    design = m.Design(components=[
        m.Client(name="users", workload=m.OpenLoop(rate=400)),
        m.External(name="api", latency=latency),
    ], links=[m.Link(source="users", target="api", latency=m.Constant(value=0))])
    # one bucket as long as the run: its histogram is the run's
    sim = Simulation(design, RunOptions(duration=50.0, warmup=0.0, bucket=50.0, seed=3))
    result = sim.result()
    a = sim._core.state_arrays()
    names = [c.name for c in design.components]
    api = names.index("api")
    hist = sim._core.run_histograms()[api]
    assert hist.sum() > 1000 and (latency.kind == "constant" or np.count_nonzero(hist) > 1)
    top = float(result.column("latency_max", "api")[0])
    for q in (50, 90, 99):
        assert result.column(f"latency_p{q}", "api")[0] == _core.histogram_quantile(hist, q / 100, top)
    assert not a["b_used"].any()
    assert not sim._core.bucket_histograms().any()


def _one_bucket_of_latencies(n, seed):
    """A run of one 50 s bucket in which an external API answers ``n`` requests: its result,
    the API's run histogram and its largest latency."""
    design = m.Design(components=[
        m.Client(name="users", workload=m.ClosedLoop(users=n, think_time=m.Constant(value=40.0))),
        m.External(name="api", latency=m.LogNormal(p50=0.01, p99=0.5)),
    ], links=[m.Link(source="users", target="api", latency=m.Constant(value=0))])
    sim = Simulation(design, RunOptions(duration=50.0, warmup=0.0, bucket=50.0, seed=seed))
    result = sim.result()
    hist = sim._core.run_histograms()[[c.name for c in design.components].index("api")]
    return result, hist, float(result.column("latency_max", "api")[0])


def test_a_bucket_of_few_latencies_caps_its_percentiles_as_its_whole_histogram_does():
    """A bucket of a few latencies takes its percentiles from their buffer; once one is capped
    at the bucket's maximum the ones after it are not computed. Each must still be the
    quantile of the bucket's histogram, whichever of them the cap reached first."""
    capped_first = set()
    for seed in range(24):
        n = 1 + seed % 12   # one latency to a dozen, all buffered
        result, hist, top = _one_bucket_of_latencies(n, seed)
        assert hist.sum() == n
        got = [result.column(f"latency_p{q}", "api")[0] for q in (50, 90, 99)]
        assert got == [_core.histogram_quantile(hist, q / 100, top) for q in (50, 90, 99)]
        capped_first.add(next((i for i, v in enumerate(got) if v == top), 3))
    assert capped_first == {0, 1, 2, 3}


@pytest.mark.parametrize("n", [30, 100, 250, 260, 1000])
def test_a_bucket_percentile_is_its_histograms_whether_its_latencies_stay_buffered_or_spill(n):
    """A component keeps a bucket's latencies in its buffer up to a few hundred, and spills
    them into the bucket's histogram past that: either way, each percentile is the quantile
    of the bucket's whole histogram."""
    result, hist, top = _one_bucket_of_latencies(n, n)
    assert hist.sum() == n
    for q in (50, 90, 99):
        assert result.column(f"latency_p{q}", "api")[0] == _core.histogram_quantile(hist, q / 100, top)


@pytest.mark.parametrize("rate", [60.0, 600.0])
def test_the_runs_histogram_is_the_same_however_its_buckets_fold_it(rate):
    """Buckets of a second keep their latencies buffered (``rate`` 60) or spill them (600),
    one bucket as long as the run always spills: the run's histogram after a warm-up that
    ends inside a bucket must come out the same, with as many latencies as were served
    after it, and its percentiles must be its quantiles."""
    design = m.Design(components=[
        m.Client(name="users", workload=m.OpenLoop(rate=rate)),
        m.External(name="api", latency=m.LogNormal(p50=0.01, p99=2.0)),
    ], links=[m.Link(source="users", target="api", latency=m.Constant(value=0))])
    api = [c.name for c in design.components].index("api")
    hists = []
    for bucket in (1.0, 20.0):
        sim = Simulation(design, RunOptions(duration=20.0, warmup=4.5, bucket=bucket, seed=11))
        result = sim.result()
        hist = sim._core.run_histograms()[api]
        served = sim._core.state_arrays()["tot_lat"][api]
        assert 0 < hist.sum() == served[1] < rate * 20
        for q in (50, 90, 99):
            assert result.summary["components"]["api"][f"latency_p{q}"] == _core.histogram_quantile(
                hist, q / 100, float(served[2]))
        hists.append(hist)
    assert np.array_equal(hists[0], hists[1])
