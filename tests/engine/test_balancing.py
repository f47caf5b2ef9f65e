"""The load balancer's pick: its flat tables, and the same choices as the scan it replaced.

The digests below were recorded with the engine before the pick used the flat tables and
the least-outstanding tree (a scan over every target per request; recorded again with that
engine once the clock counted nanoseconds and summaries gained peak queues): the same design must
make the same choices, bit for bit, under every strategy, with instances crashing and
hanging under the balancer. When exponentials came to be drawn by a ziggurat, which changes
every number drawn but not the pick, they were recorded again from the pick that had matched
the scan's digests until then.
"""
from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest

import engine.model as m
from engine import RunOptions, Simulation
from engine.balancing import TREE_EMPTY
from engine.compile import compile_design

STRATEGIES = ("round_robin", "random", "least_outstanding", "power_of_two")


def fleet(strategy: str, one_target: bool = False) -> m.Design:
    """users -> lb -> five services of 1..5 instances (or one of 7), with crashes and a hang."""
    zero = m.Constant(value=0.0)
    if one_target:
        services = [m.Service(name="s0", instances=7, workers=2, service_time=m.Exponential(mean=0.1))]
        faults = [m.CrashFault(target="s0", start=20, duration=30, instances=m.InstanceSelector(count=3)),
                  m.CrashFault(target="s0", start=40, duration=30, mode="hang",
                               instances=m.InstanceSelector(indices=[5]))]
    else:
        services = [m.Service(name=f"s{k}", instances=k + 1, workers=2,
                              service_time=m.Exponential(mean=0.05 * (k + 1))) for k in range(5)]
        faults = [m.CrashFault(target="s2", start=20, duration=30, instances=m.InstanceSelector(count=2)),
                  m.CrashFault(target="s4", start=40, duration=30, mode="hang"),
                  m.CrashFault(target="s0", start=60, duration=20)]
    return m.Design(
        name="fleet",
        components=[m.Client(name="users", workload=m.OpenLoop(rate=120.0)),
                    m.LoadBalancer(name="lb", strategy=strategy), *services],
        links=[m.Link(source="users", target="lb", latency=zero),
               *(m.Link(source="lb", target=s.name, latency=m.Exponential(mean=0.001)) for s in services)],
        experiments=[m.Experiment(name="trouble", faults=faults)],
    )


def digest(design: m.Design) -> str:
    """Everything the run produced but wall time and the faults' random ids."""
    result = Simulation(design, RunOptions(duration=100.0, warmup=5.0, bucket=1.0, seed=3), "trouble").result()
    h = hashlib.blake2b(digest_size=16)
    for series in (result.series, result.link_series):
        for name in sorted(series):
            h.update(name.encode())
            h.update(np.ascontiguousarray(series[name], dtype=np.float64).tobytes())
    h.update(json.dumps(result.summary, sort_keys=True, default=repr).encode())
    events = [{k: v for k, v in e.items() if k != "fault_id"} for e in result.events]
    h.update(json.dumps(events, sort_keys=True, default=repr).encode())
    h.update(str(result.meta["events_processed"]).encode())
    return h.hexdigest()


BEFORE = {
    ("round_robin", False): "32c69079fe9096e629ba48da91ada9a3",
    ("random", False): "a9ef83cba69365fea019e32aadf28825",
    ("least_outstanding", False): "e7e78e06d3c686a520d5bf1288117703",
    ("power_of_two", False): "38579b526235a6955cf4bd28a5b062fa",
    ("round_robin", True): "f928731f2388703a0cff85b2f747ab7f",
    ("random", True): "38e9cda5f7d71ebbe869486efd8b7ada",
    ("least_outstanding", True): "8cab8c6937760a5493d1ab55ac74d5ba",
    ("power_of_two", True): "c86248f53db950bcc0783d41c615dbc7",
}


@pytest.mark.parametrize("strategy, one_target", sorted(BEFORE))
def test_the_pick_chooses_as_the_scan_did(strategy, one_target):
    assert digest(fleet(strategy, one_target)) == BEFORE[(strategy, one_target)]


def test_flat_tables_list_every_target_instance_with_its_link():
    compiled = compile_design(fleet("least_outstanding"), RunOptions(duration=10.0))
    a = compiled.arrays
    lb = compiled.component_names.index("lb")
    total = int(a["lb_total"][lb])
    assert total == 1 + 2 + 3 + 4 + 5
    flat = a["fl_inst"][a["lb_off"][lb]:a["lb_off"][lb] + total]
    links = a["fl_link"][a["lb_off"][lb]:a["lb_off"][lb] + total]
    for inst, link in zip(flat, links):
        target = compiled.links[link]["dst"]
        assert a["inst_comp"][inst] == target
        assert compiled.links[link]["src"] == lb
    assert len(set(flat.tolist())) == total
    # the tree: 16 leaves, the real ones at zero jobs, the padding empty, each node the min of two
    size, base = int(a["lt_size"][lb]), int(a["lt_off"][lb])
    tree = a["lt"][base:base + 2 * size]
    assert size == 16
    assert tree[size:size + total].tolist() == [0] * total
    assert tree[size + total:].tolist() == [TREE_EMPTY] * (size - total)
    assert all(tree[n] == min(tree[2 * n], tree[2 * n + 1]) for n in range(1, size))
    # every instance of a target is a leaf of the balancer's tree exactly once
    for k, inst in enumerate(flat):
        places = range(a["it_off"][inst], a["it_off"][inst] + a["it_n"][inst])
        assert [(a["it_lb"][p], a["it_idx"][p]) for p in places] == [(lb, k)]


def test_only_least_outstanding_balancers_keep_a_tree():
    compiled = compile_design(fleet("round_robin"), RunOptions(duration=10.0))
    lb = compiled.component_names.index("lb")
    assert compiled.arrays["lt_off"][lb] == -1
    assert not compiled.arrays["it_n"].any()


def test_least_outstanding_avoids_the_slow_target_and_the_crashed_one():
    result = Simulation(fleet("least_outstanding"), RunOptions(duration=100.0, warmup=5.0, bucket=1.0, seed=3),
                        "trouble").result()
    per_instance = {s: result.component_summary(s)["arrivals"] / (k + 1) for k, s in enumerate(
        ["s0", "s1", "s2", "s3", "s4"])}
    # the fastest instances (s0: 50 ms) take the most work each, the slowest (s4: 250 ms) the least
    assert per_instance["s0"] > per_instance["s4"] * 1.5
    # s0's one instance is down from 60 s to 80 s: nothing reaches it in between
    t = result.bucket_times
    arrivals = result.column("arrivals", "s0")
    assert arrivals[(t > 61) & (t < 79)].sum() == 0
    assert arrivals[(t > 40) & (t < 59)].sum() > 0
