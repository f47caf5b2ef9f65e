"""A run keeps its series once in the window: the worker gathers them in arrays the session reads
as they fill, and the finished run's results are those same arrays, equal to a run's own."""
from __future__ import annotations

import json
import math

import numpy as np
from run_builders import EXPERIMENT, make_three_tier

from app.run.session import VariantData
from app.run.worker import VariantFrame, _Live
from engine import RunOptions, RunResult, Simulation, simulate


def _frames_of(live: _Live, data: VariantData, step: float, until: float) -> None:
    """Advance ``live`` as the worker does, a frame a step, into ``data``."""
    while not live.sim.finished and live.sim.now < until:
        live.sim.advance(until=min(until, live.sim.now + step))
        start = live.sent_rows
        snap = live.sim.snapshot(since_bucket=start)
        series, link_series, objective_series = live.gather(snap)
        data.append(VariantFrame(start=start, series=series, link_series=link_series, events=[],
                                 breaker_states={}, instances_down={}, now=live.sim.now,
                                 objective_series=objective_series))


def _same(a: RunResult, b: RunResult) -> None:
    np.testing.assert_array_equal(a.bucket_times, b.bucket_times)
    for mine, theirs in ((a.series, b.series), (a.link_series, b.link_series),
                         (a.objective_series, b.objective_series)):
        assert mine.keys() == theirs.keys()
        for metric in theirs:
            np.testing.assert_array_equal(mine[metric], theirs[metric], err_msg=metric)
    assert json.dumps(a.summary, sort_keys=True) == json.dumps(b.summary, sort_keys=True)
    assert a.events == b.events and a.meta["simulated_time"] == b.meta["simulated_time"]


def test_a_live_run_holds_its_series_once_and_ends_with_the_results_of_a_whole_run():
    design, options = make_three_tier(), RunOptions(duration=20, seed=2)
    live = _Live(Simulation(design, options, EXPERIMENT))
    data = VariantData(live.sim.compiled.component_names, live.sim.compiled.link_names)
    _frames_of(live, data, step=1.7, until=math.inf)
    shown = data.series["throughput"]
    result = live.result()
    data.finish(result)

    _same(result, simulate(design, options, EXPERIMENT))     # bit for bit a run's own results
    n = len(result.bucket_times)
    assert data.n == n
    for store, source in ((data.series, result.series), (data.link_series, result.link_series),
                          (data.objective_series, result.objective_series)):
        for metric, values in source.items():
            assert store[metric] is values or np.shares_memory(store[metric], values), metric
    # the rows the window showed live are the results' own: no copy of the run was made as it ended
    assert np.shares_memory(shown, result.series["throughput"])


def test_a_stopped_live_run_keeps_what_it_reached():
    design, options = make_three_tier(), RunOptions(duration=20, seed=2)
    live = _Live(Simulation(design, options, EXPERIMENT))
    data = VariantData(live.sim.compiled.component_names, live.sim.compiled.link_names)
    _frames_of(live, data, step=2.5, until=7.5)
    alone = Simulation(design, options, EXPERIMENT)
    alone.advance(until=7.5)
    _same(live.result(), alone.snapshot())
    assert len(live.result().bucket_times) == 7



def test_health_of_a_big_design_looks_each_component_up_once(monkeypatch):
    from engine.model import Autoscaler, Design, Service

    services = [Service(name=f"s{i:03}", instances=2) for i in range(200)]
    services[7] = Service(name="s007", instances=3, autoscaling=Autoscaler(enabled=True, min_replicas=1,
                                                                         max_replicas=6))
    design = Design(name="wide", components=services)
    names = [s.name for s in services]
    data = VariantData(names, [])
    data.append(VariantFrame(start=0, series={"utilisation": np.full((4, 200), 0.5),
                                              "error_rate": np.zeros((4, 200)),
                                              "instances_up": np.full((4, 200), 2.0)},
                             link_series={}, events=[], breaker_states={}, instances_down={"s003": 1}, now=4.0))
    from app.run.session import RunSession

    session = RunSession(design_name="wide", experiment=None, options={"duration": 4.0, "bucket": 1.0},
                         variant_names=["protected"], variants={"protected": data}, design=design,
                         instances={s.name: s.instances for s in services})
    searched = []
    original = Design.find_component
    monkeypatch.setattr(Design, "find_component", lambda self, key: searched.append(key) or original(self, key))

    health = session.health()
    # Searched through the design's list once per component, each health was quadratic in the design.
    assert searched == []
    assert health["s003"] == {"utilisation": 0.5, "error_rate": 0.0, "instances": 2, "crashed": 1}
    assert health["s007"]["instances"] == 3 and health["s007"]["crashed"] == 1  # wants 3, has 2 up
    assert health["s100"]["crashed"] == 0
