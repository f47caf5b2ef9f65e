"""A small three-tier design with a database-outage experiment, shared by the run tests."""
from __future__ import annotations

from engine.model import (
    CircuitBreakerPolicy,
    Client,
    CrashFault,
    Database,
    Design,
    Experiment,
    Exponential,
    Link,
    LoadBalancer,
    OpenLoop,
    Position,
    RetryPolicy,
    Service,
    TimeoutPolicy,
)

EXPERIMENT = "database outage"


def make_three_tier(rate: float = 150.0) -> Design:
    """users -> lb -> api (breaker, retry, timeout) -> db, and an experiment that hangs the database."""
    design = Design(
        name="three tier",
        components=[
            Client(name="users", workload=OpenLoop(rate=rate), position=Position(x=0, y=0)),
            LoadBalancer(name="lb", position=Position(x=220, y=0)),
            Service(name="api", instances=3, workers=16, service_time=Exponential(mean=0.01),
                    position=Position(x=440, y=0),
                    policies=[TimeoutPolicy(timeout=0.5), RetryPolicy(max_attempts=2, wait_duration=0.05),
                              CircuitBreakerPolicy(sliding_window_size=50, minimum_number_of_calls=20,
                                                   wait_duration_in_open_state=5)]),
            Database(name="db", connections=20, query_time=Exponential(mean=0.005), position=Position(x=660, y=0)),
        ],
        links=[Link(source="users", target="lb"), Link(source="lb", target="api"), Link(source="api", target="db")],
        experiments=[Experiment(name=EXPERIMENT, faults=[CrashFault(target="db", start=10, duration=10, mode="hang")])],
    )
    return design.check()
