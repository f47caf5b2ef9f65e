"""The results read their percentiles from the histograms' chunks, not from dense rows of every
bin: each must be the dense row's ``histogram_quantile``, bit for bit, mid-run as at the end.
And the memory a run is told its histograms take is what they can come to use, not the room
they reserve."""
from __future__ import annotations

import zlib
from pathlib import Path

import numpy as np
import pytest

import engine.model as m
from engine import RunOptions, Simulation, _core, simulation

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"


def _spread() -> m.Design:
    """Latencies over thousands of bins, and a queue whose waits spread too."""
    return m.Design(name="spread", components=[
        m.Client(name="users", workload=m.OpenLoop(rate=300)),
        m.Service(name="api", workers=2, service_time=m.LogNormal(p50=0.002, p99=0.05)),
        m.External(name="far", latency=m.LogNormal(p50=0.01, p99=20.0)),
    ], links=[m.Link(source="users", target="api"), m.Link(source="api", target="far")])


def _examples() -> list[m.Design]:
    return [m.parse_design((EXAMPLES / f"{name}.json").read_text()) for name in ("three_tier", "microservices")]


def _random_levels(rng: np.random.Generator, rows: int) -> np.ndarray:
    """Ascending levels, with repeats, the extremes and levels close together (one bin, many ranks)."""
    levels = np.concatenate([rng.random((rows, 6)), np.zeros((rows, 1)), np.ones((rows, 1)),
                             0.5 + rng.random((rows, 2)) * 1e-6], axis=1)
    levels[:, 3] = levels[:, 2]
    return np.sort(levels, axis=1)


def _assert_dense_quantiles(rng, quantiles, dense: np.ndarray, tops: np.ndarray) -> None:
    n_c = dense.shape[0]
    components = rng.permutation(n_c)
    levels = _random_levels(rng, n_c)
    # the largest values as recorded, and caps inside the histograms
    caps = np.where(rng.random(n_c) < 0.5, tops[components], rng.random(n_c) * 0.1)
    got = quantiles(components, levels, caps)
    want = np.array([[_core.histogram_quantile(dense[c], q, top) for q in row]
                     for c, row, top in zip(components, levels, caps)])
    assert got.tobytes() == want.tobytes()
    # one row of levels stands for every component's
    assert quantiles(components, levels[:1], caps).tobytes() == \
        quantiles(components, np.repeat(levels[:1], n_c, axis=0), caps).tobytes()


@pytest.mark.parametrize("design", [_spread(), *_examples()], ids=lambda d: d.name)
@pytest.mark.parametrize("until", [3.2, 21.7, None])   # before the warm-up ends, mid-bucket, the end
def test_quantiles_read_from_the_chunks_are_the_dense_rows_quantiles(design, until):
    rng = np.random.default_rng(zlib.crc32(f"{design.name} {until}".encode()))
    sim = Simulation(design, RunOptions(duration=40.0, warmup=5.0, bucket=2.0, seed=11))
    sim.advance(until=until)
    core, a = sim._core, sim._core.state_arrays()
    n_c = len(sim.compiled.component_names)
    run, waits = core.run_histograms(), core.wait_histograms()
    assert until == 3.2 or np.count_nonzero(run) > 50
    assert until == 3.2 or design.name != "spread" or np.count_nonzero(waits) > 10
    _assert_dense_quantiles(rng, core.run_quantiles, run, a["tot_lat"][:n_c, 2])
    _assert_dense_quantiles(rng, core.wait_quantiles, waits, a["wait_max"][:n_c])
    assert np.array_equal(core.run_histograms(), run)   # reading them twice counts nothing twice


def test_an_empty_histogram_reads_zero_and_levels_must_ascend():
    sim = Simulation(_spread(), RunOptions(duration=10.0, warmup=5.0, seed=1))
    assert sim._core.run_quantiles([0, 1], [[0.5, 0.9], [0.1, 1.0]], [1.0, 1.0]).tolist() == [[0.0, 0.0]] * 2
    with pytest.raises(ValueError, match="ascend"):
        sim._core.run_quantiles([0], [[0.9, 0.5]], [1.0])
    with pytest.raises(ValueError, match="one row"):
        sim._core.wait_quantiles([0, 1], [[0.5], [0.6], [0.7]], [1.0, 1.0])


class _WithoutDenseRows:
    """A run's core whose dense histogram rows cannot be read."""

    def __init__(self, core):
        self._core = core

    def __getattr__(self, name):
        if name.endswith("_histograms"):
            raise AssertionError(f"the results read {name}")
        return getattr(self._core, name)


@pytest.mark.parametrize("design", [_spread(), *_examples()], ids=lambda d: d.name)
def test_results_and_snapshots_are_built_without_dense_rows_and_read_as_from_them(design):
    options = RunOptions(duration=30.0, warmup=4.5, bucket=1.0, seed=9)
    plain, kept = Simulation(design, options), Simulation(design, options)
    kept._core = _WithoutDenseRows(kept._core)   # type: ignore[assignment]
    for until in (12.4, None):
        plain.advance(until=until)
        kept.advance(until=until)
        assert kept.snapshot().summary == plain.snapshot().summary
    assert kept.result().summary == plain.result().summary
    # and those are the dense rows' percentiles, as the results always read them
    a, names = plain._core.state_arrays(), plain.compiled.component_names
    hist = plain._core.run_histograms()
    summary = plain.result().summary
    for c, name in enumerate(names):
        top = float(a["tot_lat"][c, 2])
        for key, q in (("latency_p50", 0.5), ("latency_p99", 0.99), ("latency_p999", 0.999)):
            assert summary["components"][name][key] == _core.histogram_quantile(hist[c], q, top)


def test_a_wide_design_is_told_what_its_histograms_can_use_not_the_room_they_reserve():
    n_c = 400
    names = [f"s{i}" for i in range(n_c - 1)]
    design = m.Design(name="wide", components=[
        m.Client(name="users", workload=m.OpenLoop(rate=2000)),
        *(m.Service(name=n, workers=1, service_time=m.Exponential(mean=0.004)) for n in names),
    ], links=[m.Link(source="users", target=n) for n in names])
    options = RunOptions(duration=60.0, warmup=1.0, bucket=1.0, seed=2)
    sim = Simulation(design, options)
    dense = 3 * n_c * _core.HISTOGRAM_BINS * 8
    bound = _core.histogram_bytes_bound(n_c, options.duration)
    assert bound < dense
    before = simulation.run_memory(sim.compiled, options)[0]
    sim.advance()
    used = sim._core.histogram_bytes
    # what the run counted: every 16 bins with a count sit in a chunk it made
    counted = sum(int(np.count_nonzero(h.reshape(n_c, -1, 16).any(axis=2)))
                  for h in (sim._core.run_histograms(), sim._core.wait_histograms()))
    assert counted * 16 * 8 < used <= bound
    memory = sim.result().meta["memory"]
    assert memory["metrics_bytes"] == before - bound + used < before


def test_a_run_longer_than_the_slowest_bin_is_bounded_by_the_room():
    n_c = 50
    room = _core.histogram_bytes_bound(n_c, 1e9)
    assert room == _core.histogram_bytes_bound(n_c, 7 * 3600.0)
    assert 3 * n_c * _core.HISTOGRAM_BINS * 8 <= room < 3 * n_c * (_core.HISTOGRAM_BINS * 8 + 1300) + 3 * 4096
    assert _core.histogram_bytes_bound(n_c, 1.0) < _core.histogram_bytes_bound(n_c, 60.0) < room
