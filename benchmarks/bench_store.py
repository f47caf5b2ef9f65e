"""Project file speed and size.

    python -m benchmarks.bench_store

Targets (issue 5): a 500-component project with experiments and policies
opens in under 0.5 s and saves in under 1 s; a 200-component project
without runs is under 1 MB on disk.
"""
from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app.store import SavedRun, open_project, save_project  # noqa: E402
from engine.model import (  # noqa: E402
    BulkheadPolicy,
    Cache,
    CircuitBreakerPolicy,
    Client,
    CrashFault,
    Database,
    Design,
    Experiment,
    Exponential,
    External,
    LatencyFault,
    Link,
    LoadBalancer,
    LoadSheddingPolicy,
    LogNormal,
    OpenLoop,
    Position,
    Project,
    Queue,
    RetryPolicy,
    Service,
    TimeoutPolicy,
)

# Share of each kind in a large design; services dominate, as in real systems.
MIX = (("client", 0.02), ("load_balancer", 0.04), ("service", 0.6), ("database", 0.2), ("cache", 0.08),
       ("queue", 0.04), ("external", 0.02))


def big_project(components: int, seed: int = 1) -> Project:
    """A design of ``components`` components, with policies on every caller, links and experiments."""
    rng = random.Random(seed)
    comps = []
    for kind, share in MIX:
        for i in range(max(1, round(components * share))):
            name = f"{kind}-{i}"
            pos = Position(x=rng.uniform(0, 4000), y=rng.uniform(0, 3000))
            if kind == "client":
                comps.append(Client(name=name, position=pos, workload=OpenLoop(rate=rng.uniform(10, 500))))
            elif kind == "load_balancer":
                comps.append(LoadBalancer(name=name, position=pos, policies=[TimeoutPolicy(timeout=2.0)]))
            elif kind == "service":
                comps.append(Service(
                    name=name, position=pos, instances=rng.randint(1, 8), workers=rng.randint(4, 64),
                    service_time=LogNormal(p50=0.01, p99=0.2),
                    policies=[TimeoutPolicy(timeout=1.0), RetryPolicy(max_attempts=3, backoff="exponential"),
                              CircuitBreakerPolicy(), BulkheadPolicy(max_concurrent_calls=20),
                              LoadSheddingPolicy(max_queue_wait=0.5)]))
            elif kind == "database":
                comps.append(Database(name=name, position=pos, connections=rng.randint(10, 100)))
            elif kind == "cache":
                comps.append(Cache(name=name, position=pos, hit_ratio=rng.uniform(0.5, 0.99)))
            elif kind == "queue":
                comps.append(Queue(name=name, position=pos, capacity=10_000))
            else:
                comps.append(External(name=name, position=pos, latency=Exponential(mean=0.2)))
    comps = comps[:components]
    callers = [c.name for c in comps if c.calls_out]
    callees = [c.name for c in comps if c.kind != "client"]
    pairs = set()
    while len(pairs) < 2 * len(comps):
        a, b = rng.choice(callers), rng.choice(callees)
        if a != b:
            pairs.add((a, b))
    links = [Link(source=a, target=b, probability=rng.random()) for a, b in sorted(pairs)]
    experiments = [
        Experiment(name=f"experiment {i}", faults=[
            CrashFault(target=rng.choice(callees), start=10.0 * j, duration=30.0) for j in range(4)
        ] + [LatencyFault(target=links[rng.randrange(len(links))].name, delay=Exponential(mean=0.3))])
        for i in range(20)
    ]
    design = Design(name=f"{components} components", components=comps, links=links, experiments=experiments)
    return Project(name="benchmark", designs=[design])


def sample_run(design: Design, buckets: int = 600) -> SavedRun:
    """A run of ``buckets`` buckets shaped like RunResult.to_dict(), with a few dozen series."""
    rng = np.random.default_rng(1)
    n, m = len(design.components), len(design.links)
    data = {
        "meta": {"options": {"duration": float(buckets), "bucket": 1.0, "seed": 1}},
        "summary": {"throughput": 1234.5},
        "events": [{"time": float(i), "kind": "breaker_opened", "component": "service-1", "link": None,
                    "fault_id": None, "instance": None, "details": "CLOSED -> OPEN"} for i in range(2000)],
        "events_dropped": 0,
        "components": [c.name for c in design.components],
        "links": [link.name for link in design.links],
        "bucket_times": np.arange(buckets, dtype=np.float64),
        "series": {name: rng.poisson(20, (buckets, n)).astype(np.float64)
                   for name in ("arrivals", "ok", "error", "timeout", "rejected", "queue", "busy", "p99")},
        "link_series": {"calls": rng.poisson(5, (buckets, m)).astype(np.float64)},
    }
    return SavedRun.create(design.id, data, label="sample")


def best_of(repeats: int, action) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    """Print open and save times of a 500-component project and the size of a 200-component one."""
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        big = big_project(500)
        design = big.designs[0]
        policies = sum(len(c.policies) for c in design.components)
        faults = sum(len(e.faults) for e in design.experiments)
        print(f"project: {len(design.components)} components, {len(design.links)} links, {policies} policies, "
              f"{len(design.experiments)} experiments, {faults} faults")
        path = folder / "big.faultline"
        save = best_of(5, lambda: save_project(path, big))
        load = best_of(5, lambda: open_project(path))
        assert open_project(path).project == big
        print(f"500 components   save {save * 1000:7.1f} ms (target < 1000)   open {load * 1000:7.1f} ms "
              f"(target < 500)   size {path.stat().st_size / 1024:7.1f} KB")

        run = sample_run(design)
        with_run = folder / "big-run.faultline"
        save = best_of(3, lambda: save_project(with_run, big, [run]))
        load = best_of(3, lambda: open_project(with_run))
        print(f"  + one run of 600 buckets x 9 series: save {save * 1000:7.1f} ms   open {load * 1000:7.1f} ms   "
              f"size {with_run.stat().st_size / 1024:7.1f} KB")

        medium = big_project(200)
        small_path = folder / "medium.faultline"
        save_project(small_path, medium)
        size = small_path.stat().st_size
        print(f"200 components   size {size / 1024:7.1f} KB without runs (target < 1024 KB)")


if __name__ == "__main__":
    main()
