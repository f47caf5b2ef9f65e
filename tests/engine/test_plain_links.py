"""Calls over a link no policy wraps take the loop's short path (`l_plain`, engine/_loop.pxd).

The short path skips the tests of every policy field a plain link leaves off, so it must
answer exactly what the whole path answers: checked by running the same queue with a policy
that is there but never acts (a timeout no call reaches), which takes the whole path.
"""
from __future__ import annotations

import numpy as np
import pytest

import engine.model as m
from benchmarks.bench_engine import mm4_design
from engine import RunOptions, Simulation
from tests.engine.same_results import differences, run_case

OPTIONS = RunOptions(duration=400.0, warmup=7.5, bucket=5.0, seed=11)


def _with(policy: m.resilience._CallerPolicy | None) -> m.Design:
    design = mm4_design(3.2)
    if policy is not None:
        design.component("users").policies = [policy]
    return design


def _plain(design: m.Design) -> bool:
    sim = Simulation(design, OPTIONS)
    return bool(sim._core.state_arrays()["_l_plain"][0])


def test_a_bare_link_and_a_single_attempt_are_plain():
    assert _plain(_with(None))
    assert _plain(_with(m.RetryPolicy(max_attempts=1)))
    assert _plain(_with(m.TimeoutPolicy(timeout=1.0, enabled=False)))


@pytest.mark.parametrize("policy", [
    m.CircuitBreakerPolicy(),
    m.RetryPolicy(max_attempts=2),
    m.RetryPolicy(max_attempts=1, budget=m.GrpcRetryThrottling()),
    m.TimeoutPolicy(timeout=1.0),
    m.BulkheadPolicy(),
    m.ThreadPoolBulkheadPolicy(),
    m.FallbackPolicy(),
    m.DeadlinePolicy(),
    m.HedgingPolicy(),
    m.OutlierDetectionPolicy(),
], ids=lambda p: p.kind)
def test_every_caller_policy_takes_the_whole_path(policy):
    assert not _plain(_with(policy))


def test_the_short_path_answers_what_the_whole_one_does():
    # a timeout far past any call arms a timer per attempt but never fires: the whole path,
    # with the same outcomes, latencies and levels as the short one
    bare = run_case(_with(None), None, OPTIONS)
    wrapped_design = _with(m.TimeoutPolicy(timeout=10_000.0))
    assert not _plain(wrapped_design)
    wrapped = run_case(wrapped_design, None, OPTIONS)
    assert bare["summary"]["components"]["users"]["arrivals"] > 1000
    assert list(differences(bare["series"], wrapped["series"])) == []
    assert list(differences(bare["summary"], wrapped["summary"])) == []
    assert np.array_equal(bare["histograms"]["run"], wrapped["histograms"]["run"])
    for name in ("tot_lat", "tot_c"):
        assert np.array_equal(bare["state"][name], wrapped["state"][name]), name
