"""Each fault type does what it says, at the times it says (issue: fault injection)."""

import numpy as np
import pytest
from engine_support import erlang_c_wait, rel, run, station

import engine.model as m


def with_faults(design, *faults, name="exp"):
    design.experiments.append(m.Experiment(name=name, faults=list(faults)))
    return design


def events(result, kind):
    return [e for e in result.events if e["kind"] == kind]


def test_crash_takes_instances_down_and_restart_brings_them_back_on_time():
    design = with_faults(
        station(rate=20, workers=4, instances=3, service=m.Exponential(mean=0.05)),
        m.CrashFault(target="server", instances=m.InstanceSelector(count=2), start=10, duration=10, restart_delay=5),
    )
    r = run(design, duration=40, warmup=0, bucket=1, experiment="exp")
    up = r.column("instances_up", "server")
    np.testing.assert_allclose(up[:10], 3)
    np.testing.assert_allclose(up[10:25], 1)
    np.testing.assert_allclose(up[25:], 3)
    assert [e["time"] for e in events(r, "instance_crashed")] == [10.0, 10.0]
    assert [e["time"] for e in events(r, "instance_restarted")] == [25.0, 25.0]
    assert [e["time"] for e in events(r, "fault_started")] == [10.0]
    assert [e["time"] for e in events(r, "fault_ended")] == [20.0]


def test_refuse_crash_answers_unavailable_after_one_hop():
    design = with_faults(station(rate=20, workers=4, service=m.Exponential(mean=0.05)),
                         m.CrashFault(target="server", mode="refuse", start=10, duration=10))
    design.links[0].latency = m.Constant(value=0.01)
    r = run(design, duration=30, warmup=0, bucket=1, experiment="exp")
    users = r.series["unavailable"][:, r.components.index("users")]
    assert users[:10].sum() == 0
    assert users[11:19].sum() > 100 and r.column("ok", "users")[11:19].sum() == 0
    assert users[21:].sum() == 0
    # refused one network hop away, not after a timeout
    assert r.column("latency_max", "users")[12] == 0 or r.component_summary("users")["latency_max"] < 1


def test_hang_crash_times_out_callers_with_a_timeout_and_holds_the_rest():
    guarded = with_faults(station(rate=20, workers=4, service=m.Exponential(mean=0.05),
                                  client_policies=[m.TimeoutPolicy(timeout=0.5)]),
                          m.CrashFault(target="server", mode="hang", start=10))
    r = run(guarded, duration=30, warmup=0, bucket=1, experiment="exp")
    assert r.column("timeout", "users")[11:29].sum() > 300
    assert r.column("unavailable", "users").sum() == 0
    unguarded = with_faults(station(rate=20, workers=4, service=m.Exponential(mean=0.05)),
                            m.CrashFault(target="server", mode="hang", start=10))
    r = run(unguarded, duration=30, warmup=0, bucket=1, experiment="exp")
    # without a timeout the calls stay in flight: nobody ever answers them
    assert r.component_summary("users")["in_flight_at_end"] > 300
    assert r.column("ok", "users")[11:].sum() == 0


def test_work_in_progress_on_a_crashed_instance_is_lost_and_callers_see_it():
    design = with_faults(station(rate=5, workers=50, service=m.Constant(value=4.0), arrivals="constant"),
                         m.CrashFault(target="server", start=10.1, duration=1))
    r = run(design, duration=20, warmup=0, bucket=1, experiment="exp")
    s = r.component_summary("server")
    assert s["lost"] == 20   # 4 s of work at 5 requests/s was in service
    assert r.column("unavailable", "users")[10] >= 20   # the lost work, and new arrivals refused


def test_constant_added_latency_hits_exactly_the_affected_fraction():
    design = m.Design(components=[
        m.Client(name="users", workload=m.OpenLoop(rate=200)),
        m.External(name="api", latency=m.Constant(value=0.1)),
    ], links=[m.Link(source="users", target="api", latency=m.Constant(value=0.0))])
    with_faults(design, m.LatencyFault(target="users -> api", delay=m.Constant(value=0.3), fraction=0.25))
    s = run(design, duration=200, warmup=0, bucket=10, experiment="exp").component_summary("users")
    assert s["latency_p50"] == pytest.approx(0.1, rel=0.011)
    assert s["latency_p90"] == pytest.approx(0.4, rel=0.011)
    assert s["latency_mean"] == pytest.approx(0.1 + 0.25 * 0.3, rel=0.02)
    # both directions: the delay is added on the way there and on the way back
    design.experiments[0].faults[0].direction = "both"
    design.experiments[0].faults[0].fraction = 1.0
    s = run(design, duration=50, warmup=0, bucket=10, experiment="exp").component_summary("users")
    assert s["latency_mean"] == pytest.approx(0.7, rel=1e-9)


def test_latency_on_a_component_applies_to_every_link_into_it():
    design = m.Design(components=[
        m.Client(name="a", workload=m.OpenLoop(rate=50)),
        m.Client(name="b", workload=m.OpenLoop(rate=50)),
        m.External(name="api", latency=m.Constant(value=0.01)),
    ], links=[m.Link(source="a", target="api", latency=m.Constant(value=0)),
              m.Link(source="b", target="api", latency=m.Constant(value=0))])
    with_faults(design, m.LatencyFault(target="api", delay=m.Constant(value=0.2)))
    r = run(design, duration=50, warmup=0, bucket=10, experiment="exp")
    for client in ("a", "b"):
        assert r.component_summary(client)["latency_mean"] == pytest.approx(0.21)


def test_pool_shrunk_to_n_behaves_as_mmn():
    lam = 1.2
    design = with_faults(station(rate=lam, workers=4, service=m.Exponential(mean=1.0)),
                         m.ExhaustionFault(target="server", resource="pool", pool_size=2, start=0))
    results = [run(design, duration=3e5, warmup=1000, bucket=1e3, seed=s, experiment="exp") for s in (1, 2, 3)]
    W = sum(r.component_summary("server")["latency_mean"] for r in results) / 3
    assert rel(W, 1 + erlang_c_wait(2, lam, 1.0)) < 0.03


def test_cpu_factor_k_divides_the_service_rate():
    # M/M/1 with mu = 1 and lambda = 0.4; CPU x2 makes mu = 0.5, rho = 0.8, W = 1/(0.5-0.4) = 10
    design = with_faults(station(rate=0.4, workers=1, service=m.Exponential(mean=1.0)),
                         m.ExhaustionFault(target="server", resource="cpu", factor=2.0, start=0))
    results = [run(design, duration=1e6 / 0.4, warmup=1000, bucket=1e4, seed=s, experiment="exp") for s in (1, 2, 3)]
    W = sum(r.component_summary("server")["latency_mean"] for r in results) / 3
    assert rel(W, 10.0) < 0.04


def test_memory_leak_slows_down_then_kills_and_restarts():
    design = with_faults(station(rate=10, workers=8, service=m.Constant(value=0.01)),
                         m.ExhaustionFault(target="server", resource="memory_leak", leak_rate=0.1,
                                           kill_factor=3.0, restart_delay=5.0, start=10))
    r = run(design, duration=80, warmup=0, bucket=1, experiment="exp")
    kills = [e["time"] for e in events(r, "oom_killed")]
    # (kill - 1) / rate = 20 s of uptime, then 5 s to restart, then 20 s again
    assert kills[:3] == pytest.approx([30.0, 55.0, 80.0][: len(kills[:3])])
    assert [e["time"] for e in events(r, "instance_restarted")][:2] == pytest.approx([35.0, 60.0])
    mean = r.column("latency_mean", "server")
    assert mean[12] < mean[20] < mean[28]            # slows down with uptime
    assert mean[12] == pytest.approx(0.01 * (1 + 0.1 * 2.5), rel=0.05)


@pytest.mark.parametrize("target", ["server", "users -> server"])
def test_error_injection_yields_the_configured_fraction(target):
    design = with_faults(station(rate=100, workers=20, service=m.Exponential(mean=0.01)),
                         m.ErrorFault(target=target, fraction=0.3))
    s = run(design, duration=500, warmup=0, bucket=10, experiment="exp").component_summary("users")
    assert s["outcomes"]["error"] / s["completed"] == pytest.approx(0.3, abs=0.01)


def test_partition_drops_or_refuses_everything_on_the_link():
    hang = with_faults(station(rate=20, workers=4, service=m.Exponential(mean=0.05),
                               client_policies=[m.TimeoutPolicy(timeout=0.2)]),
                       m.PartitionFault(target="users -> server", mode="hang", start=10, duration=10))
    r = run(hang, duration=30, warmup=0, bucket=1, experiment="exp")
    assert r.column("arrivals", "server")[11:19].sum() == 0
    assert r.column("timeout", "users")[11:19].sum() > 100
    assert r.column("ok", "users")[21:].sum() > 100
    refuse = with_faults(station(rate=20, workers=4, service=m.Exponential(mean=0.05)),
                         m.PartitionFault(target="users -> server", mode="refuse", start=10, duration=10))
    r = run(refuse, duration=30, warmup=0, bucket=1, experiment="exp")
    assert r.column("unavailable", "users")[11:19].sum() > 100


def test_random_failures_give_the_configured_availability():
    design = with_faults(station(rate=10, workers=4, instances=40, service=m.Exponential(mean=0.01)),
                         m.RandomFailuresFault(target="server", mtbf=10, mttr=2))
    s = run(design, duration=4000, warmup=100, bucket=100, experiment="exp").component_summary("server")
    assert s["mean_instances_up"] / 40 == pytest.approx(10 / 12, abs=0.01)


def test_faults_on_the_same_target_compose():
    design = m.Design(components=[
        m.Client(name="users", workload=m.OpenLoop(rate=50)),
        m.External(name="api", latency=m.Constant(value=0.01)),
    ], links=[m.Link(source="users", target="api", latency=m.Constant(value=0))])
    with_faults(design, m.LatencyFault(target="api", delay=m.Constant(value=0.1)),
                m.LatencyFault(target="users -> api", delay=m.Constant(value=0.2)))
    s = run(design, duration=20, warmup=0, bucket=1, experiment="exp").component_summary("users")
    assert s["latency_mean"] == pytest.approx(0.31)


def test_repeating_fault_fires_every_period():
    design = with_faults(station(rate=10, workers=4, service=m.Exponential(mean=0.01)),
                         m.ErrorFault(target="server", fraction=1.0, start=5, duration=2, period=10))
    r = run(design, duration=40, warmup=0, bucket=1, experiment="exp")
    assert [e["time"] for e in events(r, "fault_started")] == [5, 15, 25, 35]
    assert [e["time"] for e in events(r, "fault_ended")] == [7, 17, 27, 37]


def test_slow_database_saturates_thread_per_request_callers():
    """Cascade: a slow database holds the API's workers, so the API queues and then rejects."""
    design = m.Design(components=[
        m.Client(name="users", workload=m.OpenLoop(rate=100)),
        m.Service(name="api", workers=10, queue_capacity=50, service_time=m.Exponential(mean=0.005)),
        m.Database(name="db", connections=50, query_time=m.Exponential(mean=0.01)),
    ], links=[m.Link(source="users", target="api"), m.Link(source="api", target="db")])
    with_faults(design, m.LatencyFault(target="db", delay=m.Constant(value=0.3), start=30, duration=30))
    r = run(design, duration=90, warmup=0, bucket=1, experiment="exp")
    inside, outside = slice(35, 60), slice(5, 30)
    for comp in ("api", "users"):
        assert r.column("latency_p50", comp)[inside].mean() > 10 * r.column("latency_p50", comp)[outside].mean()
        assert r.column("error_rate", comp)[inside].mean() > r.column("error_rate", comp)[outside].mean() + 0.2
        assert r.column("goodput", comp)[inside].mean() < 0.5 * r.column("goodput", comp)[outside].mean()
    assert r.column("utilisation", "api")[inside].mean() > 0.95
    assert r.column("queue_length", "api")[inside].mean() > 40
    assert r.column("rejected", "api")[inside].sum() > 500


def test_example_experiments_log_every_fault_at_its_configured_times():
    from engine_support import load_example

    for name in ("three_tier", "microservices", "mmc"):
        design = load_example(name)
        for experiment in design.experiments:
            r = run(design, duration=180, warmup=0, bucket=1, experiment=experiment.name)
            for fault in experiment.faults:
                starts = [e["time"] for e in r.events
                          if e["kind"] == "fault_started" and e["fault_id"] == str(fault.id)]
                ends = [e["time"] for e in r.events if e["kind"] == "fault_ended" and e["fault_id"] == str(fault.id)]
                assert starts == [fault.start]
                assert ends == [fault.start + fault.duration]
