"""Outlier detection traced against Envoy's documented behaviour (outlier_detection.proto, the
architecture overview "Outlier detection", and DetectorImpl in outlier_detection_impl.cc).

The scenarios are deterministic (constant arrivals, constant service times, round robin), so
each ejection and return happens at an instant that can be worked out by hand from Envoy's
rules: an ejection on the N-th consecutive failure, a return at the first interval sweep at
or after base_ejection_time x (times ejected) has passed, success rates judged at each sweep.
"""
from __future__ import annotations

import pytest
from pydantic import ValidationError

import engine.model as m
from engine import RunOptions, simulate

ZERO = m.Constant(value=0.0)


def hung_instance(*policies, start=10.0, duration=150.0, hangs=None, caller="lb") -> m.Design:
    """100 requests/s, round robin over api's 4 instances; api instance 0 hangs from ``start``."""
    faults = hangs or [m.CrashFault(target="api", start=start, duration=duration, mode="hang",
                                    instances=m.InstanceSelector(indices=[0]))]
    guarded = [m.TimeoutPolicy(timeout=0.5), *policies]
    first = (m.LoadBalancer(name="lb", policies=guarded) if caller == "lb"
             else m.Service(name="web", workers=1000, service_time=ZERO, policies=guarded))
    return m.Design(
        name="hung instance",
        components=[m.Client(name="users", workload=m.OpenLoop(rate=100.0, arrivals="constant")), first,
                    m.Service(name="api", instances=4, workers=8, service_time=m.Constant(value=0.01))],
        links=[m.Link(source="users", target=first.name, latency=ZERO),
               m.Link(source=first.name, target="api", latency=ZERO)],
        experiments=[m.Experiment(name="hang", faults=faults)],
    )


def erring_targets(policy: m.OutlierDetectionPolicy, error: float, hosts: int = 5) -> m.Design:
    """100 requests/s, round robin over ``hosts`` one-instance services; s0 fails a share ``error``."""
    services = [m.Service(name=f"s{k}", workers=8, service_time=m.Constant(value=0.01),
                          error_probability=error if k == 0 else 0.0) for k in range(hosts)]
    return m.Design(
        name="erring target",
        components=[m.Client(name="users", workload=m.OpenLoop(rate=100.0, arrivals="constant")),
                    m.LoadBalancer(name="lb", policies=[policy]), *services],
        links=[m.Link(source="users", target="lb", latency=ZERO),
               *(m.Link(source="lb", target=s.name, latency=ZERO) for s in services)],
    )


def run(design, experiment=None, duration=200.0):
    return simulate(design, RunOptions(duration=duration, warmup=0.0, bucket=1.0, seed=1), experiment)


def trace(result):
    return [(round(e["time"], 2), e["kind"], e.get("target"), e.get("instance"), e.get("reason"),
             e.get("ejection_time")) for e in result.events if e["kind"].startswith("instance_e")
            or e["kind"] == "instance_returned"]


def test_consecutive_5xx_ejects_and_each_ejection_lasts_longer():
    result = run(hung_instance(m.OutlierDetectionPolicy(max_ejection_percent=50)), "hang")
    # instance 0 gets every 4th request (25/s) from 10 s; the 5th times out 0.5 s after it was
    # sent at 10.16: ejected at 10.66 for 30 s, back at the first sweep after 40.66 (50 s);
    # ejected again at 50.67 for 2 x 30 s, back at the sweep after 110.67 (120 s); then 3 x 30 s
    assert trace(result) == [
        (10.66, "instance_ejected", "api", 0, "consecutive_5xx", 30.0),
        (50.0, "instance_returned", "api", 0, None, None),
        (50.67, "instance_ejected", "api", 0, "consecutive_5xx", 60.0),
        (120.0, "instance_returned", "api", 0, None, None),
        (120.68, "instance_ejected", "api", 0, "consecutive_5xx", 90.0),
    ]
    # only the attempts sent before each ejection time out: 3 episodes, not 150 s of them
    assert result.link_summary("lb -> api")["outcomes"]["timeout"] < 60
    blind = run(hung_instance(), "hang")
    assert blind.link_summary("lb -> api")["outcomes"]["timeout"] > 3000


def test_the_multiplier_shrinks_for_each_interval_an_instance_stays_back():
    hangs = [m.CrashFault(target="api", start=10.0, duration=35.0, mode="hang",
                          instances=m.InstanceSelector(indices=[0])),
             m.CrashFault(target="api", start=100.0, duration=40.0, mode="hang",
                          instances=m.InstanceSelector(indices=[0]))]
    result = run(hung_instance(m.OutlierDetectionPolicy(max_ejection_percent=50), hangs=hangs), "hang")
    ejections = [t for t in trace(result) if t[1] == "instance_ejected"]
    # back at 50 s and healthy through the 60 s sweep: the multiplier is back to 0, so the
    # next ejection lasts the base time again
    assert [e[5] for e in ejections] == [30.0, 30.0]


def test_max_ejection_percent_counts_the_instance_about_to_go():
    # Envoy's default 10 %: one of four instances would be 25 %, so none is ever ejected
    assert trace(run(hung_instance(m.OutlierDetectionPolicy()), "hang")) == []
    # 25 % is allowed; a second instance (50 %) would not be
    assert trace(run(hung_instance(m.OutlierDetectionPolicy(max_ejection_percent=25)), "hang"))
    # always_eject_one_host lets one go whatever the percentage
    assert trace(run(hung_instance(m.OutlierDetectionPolicy(always_eject_one_host=True)), "hang"))


def test_gateway_failures_are_detected_but_enforced_only_when_asked():
    quiet = m.OutlierDetectionPolicy(max_ejection_percent=50, consecutive_5xx=100_000)
    assert trace(run(hung_instance(quiet), "hang")) == []   # enforcing_consecutive_gateway_failure 0 %
    enforced = quiet.model_copy(update={"enforcing_consecutive_gateway_failure": 100.0,
                                        "consecutive_gateway_failure": 3})
    first = trace(run(hung_instance(enforced), "hang"))[0]
    # the 3rd call to instance 0 (sent at 10.08) times out at 10.58
    assert first == (10.58, "instance_ejected", "api", 0, "consecutive_gateway_failure", 30.0)


def test_a_service_calling_another_watches_the_instances_of_that_call():
    result = run(hung_instance(m.OutlierDetectionPolicy(max_ejection_percent=50), caller="web"), "hang")
    ejected = result.events_of("instance_ejected")
    assert ejected and ejected[0]["component"] == "web" and ejected[0]["link"] == "web -> api"
    assert ejected[0]["target"] == "api" and ejected[0]["instance"] == 0


def test_success_rate_ejects_below_mean_minus_stdev_factor_times_stdev():
    # Envoy's worked example: rates {50, 100, 100, 100, 100} give mean 90, stdev 20, threshold
    # 90 - 1.9 x 20 = 52, so the instance at about 50 % goes at the first sweep (10 s)
    policy = m.OutlierDetectionPolicy(max_ejection_percent=50, consecutive_5xx=1000)
    result = run(erring_targets(policy, error=0.5), duration=25.0)
    first = trace(result)[0]
    assert first[:5] == (10.0, "instance_ejected", "s0", 0, "success_rate")
    # fewer than success_rate_minimum_hosts (5) instances with enough requests: no judgement
    assert trace(run(erring_targets(policy, error=0.5, hosts=4), duration=25.0)) == []
    # too few requests in the interval (20/s x 10 s = 200 < 300): no judgement
    few = policy.model_copy(update={"success_rate_request_volume": 300})
    assert trace(run(erring_targets(few, error=0.5), duration=25.0)) == []


def test_failure_percentage_ejects_at_or_above_its_threshold_when_enforced():
    base = m.OutlierDetectionPolicy(max_ejection_percent=50, consecutive_5xx=1000, enforcing_success_rate=0.0)
    assert trace(run(erring_targets(base, error=0.9), duration=25.0)) == []   # enforcing 0 % by default
    enforced = base.model_copy(update={"enforcing_failure_percentage": 100.0})
    assert trace(run(erring_targets(enforced, error=0.9), duration=25.0))[0][:5] == (
        10.0, "instance_ejected", "s0", 0, "failure_percentage")
    # at about 50 % failures, under the 85 % threshold: not an outlier
    assert trace(run(erring_targets(enforced, error=0.5), duration=25.0)) == []


def test_a_balancer_never_picks_an_ejected_instance():
    policy = m.OutlierDetectionPolicy(max_ejection_percent=50, consecutive_5xx=1000)
    result = run(erring_targets(policy, error=0.5), duration=35.0)
    t = result.bucket_times
    s0 = result.column("arrivals", "s0")
    # ejected at 10 s for 30 s: nothing reaches s0 until it is returned at the 40 s sweep
    assert s0[(t >= 10.0) & (t < 35.0)].sum() == 0
    assert s0[t < 10.0].sum() > 0


def test_defaults_and_names_are_envoys():
    p = m.OutlierDetectionPolicy()
    assert (p.consecutive_5xx, p.consecutive_gateway_failure, p.interval, p.base_ejection_time) == (5, 5, 10.0, 30.0)
    assert (p.max_ejection_percent, p.enforcing_consecutive_5xx,
            p.enforcing_consecutive_gateway_failure) == (10.0, 100.0, 0.0)
    assert (p.success_rate_minimum_hosts, p.success_rate_request_volume, p.success_rate_stdev_factor) == (5, 100, 1900)
    assert (p.failure_percentage_threshold, p.failure_percentage_minimum_hosts,
            p.failure_percentage_request_volume, p.enforcing_failure_percentage) == (85.0, 5, 50, 0.0)
    assert p.longest_ejection == 300.0
    assert m.OutlierDetectionPolicy(base_ejection_time=400.0).longest_ejection == 400.0
    for name, field in m.OutlierDetectionPolicy.model_fields.items():
        if name not in ("id", "enabled", "kind", "scope"):
            assert f"Envoy {name}" in (field.description or ""), name
    with pytest.raises(ValidationError, match="max_ejection_time"):
        m.OutlierDetectionPolicy(base_ejection_time=60.0, max_ejection_time=30.0)


def test_a_design_without_the_policy_loads_and_runs_as_before():
    design = m.parse_design(hung_instance().model_dump_json())
    assert not any(p.kind == "outlier_detection" for c in design.components for p in getattr(c, "policies", []))
    assert trace(run(design, "hang")) == []
