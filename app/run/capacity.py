"""Offered load against capacity: which components a design asks for more work than they can do.

A pure function of the design, read before a run. Each client's rate flows
through the call graph (a link's call probability times its count, a load
balancer's share per target, a cache's misses); a component's capacity is
its servers (instances x workers, connections or consumers) over its mean
service time. Retries, timeouts and faults are left out: the figure is the
load the design itself offers, so a component far above its capacity is
overloaded before anything goes wrong, and its queue grows for the whole
run (which also makes the run slow to simulate).
"""
from __future__ import annotations

from dataclasses import dataclass

from engine.model import Design

# Offered load at or above this multiple of capacity is worth a warning before the run.
FAR_ABOVE = 1.5


@dataclass(frozen=True)
class Overload:
    """One component offered more requests per second than it can serve."""

    component: str
    offered: float  # requests per second
    capacity: float  # requests per second

    @property
    def factor(self) -> float:
        """Offered load over capacity."""
        return self.offered / self.capacity

    def describe(self) -> str:
        """One line for the user: the component, both rates and the ratio."""
        return (f"{self.component}: offered {_rate(self.offered)} against a capacity of {_rate(self.capacity)} "
                f"({self.factor:.1f}×)")


def client_rate(component) -> float:
    """The sustained request rate a client offers: its highest step or ramp level (spikes are brief).

    A closed loop offers at most users / mean think time (less once responses
    take time); with no think time its rate is set by the latency alone, and
    is taken as zero here.
    """
    workload = component.workload
    if workload.type == "open":
        levels = [workload.rate] + [getattr(c, "rate", getattr(c, "to_rate", 0.0)) for c in workload.schedule
                                    if c.kind in ("step", "ramp")]
        return float(max(levels))
    think = workload.think_time.mean()
    return workload.users / think if think > 0 else 0.0


def capacity(component) -> float | None:
    """Requests per second a component can serve at most, or None if it has no limit of its own.

    An autoscaled component can grow to its autoscaler's most instances: offered load above what it
    starts with is what the autoscaler is there for, not an overload.
    """
    servers, time = {
        "service": lambda c: (_most_instances(c) * c.workers, c.service_time),
        "database": lambda c: (_most_instances(c) * c.connections, c.query_time),
        "cache": lambda c: (_most_instances(c) * c.workers, c.hit_time),
        "queue": lambda c: (c.consumers, c.process_time),
    }.get(component.kind, lambda c: (None, None))(component)
    if servers is None:
        return None
    mean = time.mean()
    if getattr(component, "call_mode", "blocking") == "non_blocking":
        mean += component.continuation_time.mean()   # a second turn on a worker once the answers are in
    return servers / mean if mean > 0 else None


def _most_instances(component) -> int:
    scaler = getattr(component, "autoscaling", None)
    return scaler.max_replicas if scaler is not None and scaler.enabled else component.instances


def offered_rates(design: Design) -> dict[str, float]:
    """Requests per second offered to each component by the design's clients, through the call graph.

    Components in a call cycle (which the design check refuses) keep what
    reached them before the cycle.
    """
    by_name = {c.name: c for c in design.components}
    outgoing: dict[str, list] = {name: [] for name in by_name}
    incoming = {name: 0 for name in by_name}
    names = design.names()
    # A link's ends by name, so that the walk below reads as it did when links named them.
    ends = {link.id: (design.name_of(link.source, names), design.name_of(link.target, names)) for link in design.links}
    for link in design.links:
        source, target = ends[link.id]
        if source in by_name and target in by_name:
            outgoing[source].append(link)
            incoming[target] += 1
    rates = {name: (client_rate(c) if c.kind == "client" else 0.0) for name, c in by_name.items()}
    ready = [name for name, n in incoming.items() if n == 0]
    while ready:
        name = ready.pop()
        component, links = by_name[name], outgoing[name]
        for link in links:
            if component.kind == "load_balancer":
                share = 1.0 / len(links)
            elif component.kind == "cache":
                share = (1.0 - component.hit_ratio) * link.probability * link.count
            else:
                share = link.probability * link.count
            target = ends[link.id][1]
            rates[target] += rates[name] * share
            incoming[target] -= 1
            if incoming[target] == 0:
                ready.append(target)
    return rates


def overloads(design: Design, threshold: float = FAR_ABOVE) -> list[Overload]:
    """Components offered at least ``threshold`` times their capacity, most overloaded first."""
    rates = offered_rates(design)
    found = []
    for component in design.components:
        limit = capacity(component)
        if limit is not None and rates[component.name] >= threshold * limit:
            found.append(Overload(component.name, rates[component.name], limit))
    return sorted(found, key=lambda o: -o.factor)


def _rate(value: float) -> str:
    return f"{value:,.0f} req/s" if value >= 100 else f"{value:.3g} req/s"
