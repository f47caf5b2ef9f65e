"""Settings that lie: combinations of policies an experienced operator would question.

Each finding names the components and the numbers behind it. The checks read the design only
(no run): retries whose attempts fill a breaker's window, retry budgets of time longer than the
caller's own timeout, timeouts below the callee's own service time, retries at several layers
that multiply, and bulkheads wider than the callee can serve.
"""
from __future__ import annotations

from engine.model import Design, format_seconds

from .notes import Note
from .placing import effective_policy

MAX_PATHS = 10_000


def service_time(component):
    """The distribution of the time a component itself spends on a call, or None."""
    for field in ("service_time", "query_time", "latency", "hit_time"):
        dist = getattr(component, field, None)
        if dist is not None and component.kind != "client":
            return dist
    return None


def capacity(component) -> int | None:
    """How many calls a component serves at once (instances x workers or connections)."""
    per_instance = getattr(component, "workers", None) or getattr(component, "connections", None)
    if per_instance is None or component.kind in ("cache", "queue"):
        return None
    return getattr(component, "instances", 1) * per_instance


def retry_waits(retry) -> float:
    """The nominal time a retry sleeps between its attempts, summed (jitter left out)."""
    total, wait = 0.0, retry.wait_duration
    for _ in range(retry.max_attempts - 1):
        step = min(wait, retry.max_wait_duration) if retry.max_wait_duration else wait
        total += step
        if retry.backoff == "exponential":
            wait *= retry.multiplier
    return total


def _share_above(dist, limit: float) -> float:
    """The share of draws of ``dist`` above ``limit`` (bisection on its quantile function)."""
    low, high = 0.0, 1.0
    for _ in range(50):
        mid = (low + high) / 2
        if dist.quantile(mid) <= limit:
            low = mid
        else:
            high = mid
    return 1.0 - low


def _upstream_timeouts(design: Design, name: str, seen: frozenset = frozenset()) -> list[tuple[str, float]]:
    """The timeouts callers put on calls into ``name``; load balancers pass their callers' through."""
    found = []
    for link in design.links_into(name):
        caller = design.component(link.source)
        timeout = effective_policy(design, caller, name, "timeout")
        if timeout is not None:
            found.append((f"{caller.name} -> {name}", timeout.timeout))
        elif caller.kind == "load_balancer" and caller.name not in seen:
            found += _upstream_timeouts(design, caller.name, seen | {caller.name})
    return found


def lint_design(design: Design) -> list[Note]:
    """Every finding for ``design``, as warning notes that name the call they are about."""
    notes: list[Note] = []

    def warn(where: str, text: str) -> None:
        note = Note("warning", text, where)
        if note not in notes:
            notes.append(note)

    for link in design.links:
        caller, callee = design.component(link.source), design.component(link.target)
        where = link.name
        retry = effective_policy(design, caller, callee.name, "retry")
        breaker = effective_policy(design, caller, callee.name, "circuit_breaker")
        timeout = effective_policy(design, caller, callee.name, "timeout")
        bulkhead = effective_policy(design, caller, callee.name, "bulkhead")
        if retry is not None and breaker is not None and retry.max_attempts > 1:
            needed = -(-breaker.minimum_number_of_calls // retry.max_attempts)
            warn(where, f"the retry ({retry.max_attempts} attempts) passes every attempt through the circuit breaker: "
                        f"one failing request records {retry.max_attempts} failures, so {needed} failing requests "
                        f"reach its minimum of {breaker.minimum_number_of_calls} calls, and its failure rate counts "
                        "attempts, not requests")
            if "short_circuited" in retry.retry_on:
                warn(where, f"the retry also retries calls the open breaker refused: each waits "
                            f"{format_seconds(retry.wait_duration)} and is refused again "
                            f"({retry.max_attempts} attempts per request while it is open)")
        if retry is not None and timeout is not None and retry.max_attempts > 1:
            worst = retry.max_attempts * timeout.timeout + retry_waits(retry)
            for upstream, limit in _upstream_timeouts(design, caller.name):
                if worst > limit:
                    warn(where, f"{retry.max_attempts} attempts x {format_seconds(timeout.timeout)} timeout + "
                                f"{format_seconds(retry_waits(retry))} of waits = {format_seconds(worst)}, longer than "
                                f"the {format_seconds(limit)} timeout of {upstream}: that caller gives up while "
                                f"{caller.name} still retries")
        dist = service_time(callee)
        if timeout is not None and dist is not None:
            p50, p99 = dist.quantile(0.5), dist.quantile(0.99)
            if timeout.timeout < p99:
                share = _share_above(dist, timeout.timeout)
                level = "p50" if timeout.timeout < p50 else "p99"
                warn(where, f"timeout {format_seconds(timeout.timeout)} is below {callee.name}'s own service time "
                            f"{level} (p50 {format_seconds(p50)}, p99 {format_seconds(p99)}): about "
                            f"{share * 100:.0f} % of calls time out even when nothing is wrong")
        room = capacity(callee)
        if bulkhead is not None and room is not None and bulkhead.max_concurrent_calls > room:
            per = getattr(callee, "workers", None) or getattr(callee, "connections", None)
            unit = "workers" if getattr(callee, "workers", None) else "connections"
            warn(where, f"the bulkhead allows {bulkhead.max_concurrent_calls} concurrent calls, more than "
                        f"{callee.name} serves at once ({getattr(callee, 'instances', 1)} instances x {per} {unit} = "
                        f"{room}): the excess queues at {callee.name} instead of being refused")
    notes += _multiplying_retries(design)
    return notes


def _multiplying_retries(design: Design) -> list[Note]:
    """Paths from the clients on which retries at two or more layers multiply."""
    notes: list[Note] = []
    roots = [c.name for c in design.components if not design.links_into(c.name)]
    visits = [0]

    def walk(name: str, trail: list[str], layers: list[tuple[str, int]]) -> None:
        visits[0] += 1
        if visits[0] > MAX_PATHS:
            return
        for link in design.links_from(name):
            if link.target in trail:
                continue
            retry = effective_policy(design, design.component(name), link.target, "retry")
            deeper = layers + ([(link.name, retry.max_attempts)] if retry is not None and retry.max_attempts > 1 else [])
            if len(deeper) >= 2 and len(deeper) > len(layers):
                factor = 1
                for _, attempts in deeper:
                    factor *= attempts
                text = (f"retries at {len(deeper)} layers multiply ("
                        + ", ".join(f"{call}: {n} attempts" for call, n in deeper)
                        + f"): {link.target} may see {factor} attempts per request when it fails")
                note = Note("warning", text, " -> ".join(trail + [link.target]))
                if note not in notes:
                    notes.append(note)
            walk(link.target, trail + [link.target], deeper)

    for root in roots:
        walk(root, [root], [])
    return notes
