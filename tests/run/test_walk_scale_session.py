"""A finished run keeps its series once: the window's session reads the results' own arrays,
not copies of them in the buffers the live frames filled."""
from __future__ import annotations

import numpy as np
from run_builders import EXPERIMENT, make_three_tier

from app.run.session import VariantData
from app.run.worker import VariantFrame
from engine import RunOptions, simulate


def test_a_finished_variant_holds_the_results_arrays_not_copies():
    result = simulate(make_three_tier(), RunOptions(duration=20, seed=2), EXPERIMENT)
    n = len(result.bucket_times)
    data = VariantData(result.components, result.links, capacity=n)
    half = n // 2
    # The live frames brought the first half, and one metric the results do not carry.
    data.append(VariantFrame(start=0, series={**{k: v[:half] for k, v in result.series.items()},
                                              "live_only": np.ones((half, len(result.components)))},
                             link_series={k: v[:half] for k, v in result.link_series.items()},
                             events=[], breaker_states={}, instances_down={}, now=float(half)))
    data.finish(result)

    assert data.n == n
    for store, source in ((data.series, result.series), (data.link_series, result.link_series)):
        for metric, values in source.items():
            assert np.shares_memory(store[metric], values), metric
    kept = {id(a): a.nbytes for a in (*data.series.values(), *data.link_series.values())}
    of_results = sum(a.nbytes for a in (*result.series.values(), *result.link_series.values()))
    # Besides the results' arrays, only the live-only metric's buffer.
    assert sum(kept.values()) == of_results + data.series["live_only"].nbytes
    name = result.components[-1]
    np.testing.assert_array_equal(data.column("throughput", name),
                                  result.series["throughput"][:, result.components.index(name)])
    np.testing.assert_array_equal(data.column("live_only", name)[:half], np.ones(half))
    assert len(data.column("live_only", name)) == n


def test_health_of_a_big_design_looks_each_component_up_once(monkeypatch):
    from engine.model import Autoscaler, Design, Service

    services = [Service(name=f"s{i:03}", instances=2) for i in range(200)]
    services[7] = Service(name="s007", instances=3, autoscaling=Autoscaler(enabled=True, min_replicas=1,
                                                                         max_replicas=6))
    design = Design(name="wide", components=services)
    names = [s.name for s in services]
    data = VariantData(names, [], capacity=4)
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
