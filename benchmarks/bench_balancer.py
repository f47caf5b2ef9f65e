"""Load balancer pick: cost per request as the number of targets grows.

A balancer over N one-instance services (and over one service of N instances), each strategy,
at half load. The figure is the marginal processor time per end-to-end request (the best of
runs of 150,000 requests less the best of runs of 50,000, so compiling and summarising N
components is left out; the difference of two bests, not the best of differences, which
the noise of a shared machine drove below zero); the bar (issue 18) is that going from 10 to 1,000 targets costs at
most 1.5x per request. Run with ``python -m benchmarks.bench_balancer``.

Measured on the 2-core machine, shared: before the flat pick tables, least outstanding over
1,000 one-instance targets cost 1,965 us a request (a scan of every target's instances for
each candidate) and power of two 9.1 us; after, 5.1 us and 5.7 us, against 1.3-1.7 us at 10.
"""
from __future__ import annotations

import time

import engine.model as m
from engine import RunOptions, Simulation

STRATEGIES = ("round_robin", "random", "least_outstanding", "power_of_two")


def balancer_design(n: int, strategy: str, one_target: bool = False) -> m.Design:
    """users -> lb -> N services of one instance (or one service of N instances), rho 0.5."""
    if one_target:
        services = [m.Service(name="s0", instances=n, workers=1, service_time=m.Exponential(mean=1.0))]
    else:
        services = [m.Service(name=f"s{k}", workers=1, service_time=m.Exponential(mean=1.0)) for k in range(n)]
    zero = m.Constant(value=0.0)
    return m.Design(
        name=f"balancer over {n}",
        components=[m.Client(name="users", workload=m.OpenLoop(rate=0.5 * n)),
                    m.LoadBalancer(name="lb", strategy=strategy), *services],
        links=[m.Link(source="users", target="lb", latency=zero),
               *(m.Link(source="lb", target=s.name, latency=zero) for s in services)],
    )


def _cpu(design: m.Design, requests: int, n: int) -> float:
    duration = requests / (0.5 * n)
    sim = Simulation(design, RunOptions(duration=duration, warmup=0.0, bucket=duration / 20))
    start = time.process_time()
    sim.result()
    return time.process_time() - start


def per_request_us(n: int, strategy: str, one_target: bool = False, repeat: int = 3) -> float:
    """Marginal processor microseconds per end-to-end request, from the best of ``repeat`` runs
    at each length."""
    design = balancer_design(n, strategy, one_target)
    long = min(_cpu(design, 150_000, n) for _ in range(repeat))
    short = min(_cpu(design, 50_000, n) for _ in range(repeat))
    return (long - short) / 100_000 * 1e6


def main() -> None:
    for one_target in (False, True):
        shape = "one service of N instances" if one_target else "N one-instance services"
        print(f"load balancer over {shape}: us per request (1000 against 10)")
        for strategy in STRATEGIES:
            figures = {n: per_request_us(n, strategy, one_target) for n in (10, 100, 1000)}
            cells = "  ".join(f"N={n:<5}{f:>8.2f}" for n, f in figures.items())
            print(f"  {strategy:<18}{cells}   {figures[1000] / figures[10]:.2f}x")


if __name__ == "__main__":
    main()
