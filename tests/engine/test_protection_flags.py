"""Inbound protection's edge-triggered log entries: a rate limiter's or load shedding's flag,
raised by a refusal, is ended by the first bucket without one, whether the component was
busy in that bucket or saw no request at all. The flush visits a component's protection
state only where one refused or a flag is up (engine/_flush.pxi, c_guard)."""
from __future__ import annotations

from engine_support import run

import engine.model as m


def _guarded(policy, calm_rate: float) -> m.Design:
    """150 evenly spaced requests a second for 10 s, then ``calm_rate``, to one worker that
    serves 50 a second behind ``policy``; a second service without protection beside it."""
    users = m.Client(name="users", workload=m.OpenLoop(rate=150.0, arrivals="constant",
                                                       schedule=[m.RateStep(at=10.0, rate=calm_rate)]))
    others = m.Client(name="others", workload=m.OpenLoop(rate=20.0, arrivals="constant"))
    return m.Design(name="guarded", components=[
        users, others,
        m.Service(name="server", workers=1, service_time=m.Constant(value=0.02), policies=[policy]),
        m.Service(name="plain", workers=1, service_time=m.Constant(value=0.02)),
    ], links=[m.Link(source="users", target="server", latency=m.Constant(value=0.0)),
              m.Link(source="others", target="plain", latency=m.Constant(value=0.0))])


def _times(result, kind: str) -> tuple[list[float], list[float]]:
    return ([e["time"] for e in result.events_of(f"{kind}_began")],
            [e["time"] for e in result.events_of(f"{kind}_ended")])


def test_rate_limiting_ends_in_the_first_bucket_without_a_request():
    limiter = m.RateLimiterPolicy(limit_for_period=20, limit_refresh_period=1.0, timeout_duration=0.0)
    design = _guarded(limiter, 0.0)
    users = design.component("users").model_copy(update={"workload": m.OpenLoop(
        rate=150.0, arrivals="constant", schedule=[m.RateStep(at=9.5, rate=0.0)])})
    design = design.model_copy(update={"components": [users, *design.components[1:]]})
    result = run(design, duration=20.0, warmup=0.0, bucket=1.0)
    assert result.column("rate_limited", "server")[:10].min() > 0
    assert result.column("arrivals", "server")[10:].sum() == 0
    began, ended = _times(result, "rate_limiting")
    assert len(began) == 1 and began[0] < 1.0 and ended == [11.0]


def test_load_shedding_ends_in_the_first_bucket_without_a_refusal_and_begins_again():
    shedding = m.LoadSheddingPolicy(max_queue_length=2)
    design = _guarded(shedding, 5.0)
    users = design.component("users").model_copy(update={"workload": m.OpenLoop(
        rate=150.0, arrivals="constant", schedule=[m.RateStep(at=10.0, rate=5.0), m.RateStep(at=15.0, rate=150.0)])})
    design = design.model_copy(update={"components": [users, *design.components[1:]]})
    result = run(design, duration=20.0, warmup=0.0, bucket=1.0)
    began, ended = _times(result, "load_shedding")
    assert len(began) == 2 and began[0] < 1.0 and 15.0 <= began[1] < 16.0
    assert ended == [11.0]   # the second overload lasts to the run's end
    assert result.column("shed", "server")[10:15].sum() == 0
