"""Small designs for engine tests: one station, a chain, a caller with one guarded dependency."""
from __future__ import annotations

import math

import engine.model as m
from engine import RunOptions, simulate


def station(rate: float, workers: int, service, queue_capacity=None, policies=(), instances=1,
            client_policies=(), arrivals="poisson") -> m.Design:
    """Poisson client -> one service, zero network latency: a textbook queue."""
    return m.Design(
        name="station",
        components=[
            m.Client(name="users", workload=m.OpenLoop(rate=rate, arrivals=arrivals), policies=list(client_policies)),
            m.Service(name="server", workers=workers, instances=instances, service_time=service,
                      queue_capacity=queue_capacity, policies=list(policies)),
        ],
        links=[m.Link(source="users", target="server", latency=m.Constant(value=0.0))],
    )


def run(design, duration=20_000.0, warmup=500.0, seed=1, bucket=100.0, experiment=None, **kw):
    return simulate(design, RunOptions(duration=duration, warmup=warmup, seed=seed, bucket=bucket, **kw), experiment)


def averaged(design, key, component="server", seeds=4, **kw):
    values = [run(design, seed=s, **kw).component_summary(component)[key] for s in range(1, seeds + 1)]
    return sum(values) / len(values)


def erlang_b(c: int, a: float) -> float:
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return b


def erlang_c_wait(c: int, lam: float, mu: float) -> float:
    """Mean waiting time in queue of M/M/c (Erlang C)."""
    a = lam / mu
    rho = a / c
    b = erlang_b(c, a)
    p_wait = b / (1 - rho + rho * b)
    return p_wait / (c * mu - lam)


def load_example(name: str) -> m.Design:
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "resources" / "examples" / f"{name}.json"
    return m.parse_design(path.read_text())


def rel(a: float, b: float) -> float:
    return abs(a - b) / abs(b) if b else math.inf
