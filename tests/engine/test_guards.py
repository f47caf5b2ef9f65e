"""A rate limiter shared by all instances of a component (a global quota), traced permit by
permit beside Resilience4j's one limiter per instance, and in whole runs."""
import json
from pathlib import Path

from engine_support import run, station

import engine.model as m
from engine import RunOptions, Simulation

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _limited(global_quota: bool, rate: float = 0.0) -> m.Design:
    return station(rate=rate, workers=50, instances=3, service=m.Constant(value=0.001), policies=[
        m.RateLimiterPolicy(limit_for_period=2, limit_refresh_period=1.0, timeout_duration=0.0,
                            global_quota=global_quota)])


def test_a_global_quota_is_drawn_from_by_every_instance_permit_by_permit():
    probe = Simulation(_limited(True), RunOptions(duration=10, bucket=1)).probe
    server = 1
    assert probe.rate_limiter_acquire(server, 0, 0.1) == 0.0
    assert probe.rate_limiter_acquire(server, 1, 0.2) == 0.0    # the second of the period's two, on another instance
    assert probe.rate_limiter_acquire(server, 2, 0.3) == -1.0   # spent by the others: refused (timeout 0)
    assert probe.rate_limiter_acquire(server, 0, 0.4) == -1.0
    assert probe.rate_limiter_acquire(server, 2, 1.0) == 0.0    # the next cycle refills the one quota
    assert probe.rate_limiter_acquire(server, 1, 1.5) == 0.0
    assert probe.rate_limiter_acquire(server, 0, 1.9) == -1.0


def test_without_a_global_quota_each_instance_has_its_own_like_resilience4j():
    probe = Simulation(_limited(False), RunOptions(duration=10, bucket=1)).probe
    server = 1
    for instance in (0, 1, 2):
        assert probe.rate_limiter_acquire(server, instance, 0.1) == 0.0
        assert probe.rate_limiter_acquire(server, instance, 0.2) == 0.0
        assert probe.rate_limiter_acquire(server, instance, 0.3) == -1.0


def test_a_run_admits_the_global_limit_per_period_across_instances():
    shared = run(_limited(True, rate=40), duration=100, warmup=0, bucket=1)
    admitted = shared.column("arrivals", "server") - shared.column("rate_limited", "server")
    assert admitted.max() <= 2
    assert admitted.sum() >= 2 * 99
    apart = run(_limited(False, rate=40), duration=100, warmup=0, bucket=1)
    admitted = apart.column("arrivals", "server") - apart.column("rate_limited", "server")
    assert admitted.max() <= 6 and admitted.sum() > 2 * 2 * 99   # three instances, two each


def test_a_rate_limiter_saved_before_the_global_quota_loads_as_one_per_instance():
    data = json.loads((FIXTURES / "project_v2.expected.json").read_text(encoding="utf-8"))
    project = m.Project.model_validate(data["project"])
    limiters = [p for d in project.designs for c in d.components for p in c.policies
                if isinstance(p, m.RateLimiterPolicy)]
    assert limiters and not any(p.global_quota for p in limiters)
    assert m.RateLimiterPolicy.model_validate({"limit_for_period": 3}).global_quota is False
