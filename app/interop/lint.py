"""Settings that lie: combinations of policies an experienced operator would question.

Each finding names the components and the numbers behind it. The checks read the design only
(no run): retries whose attempts fill a breaker's window, retry budgets of time longer than the
caller's own timeout, timeouts below the callee's own service time, retries at several layers
that multiply, and bulkheads wider than the callee can serve.
"""
from __future__ import annotations

from engine.model import Design, format_seconds
from engine.model.design import counted

from .notes import Note
from .placing import effective_policy


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
        caller, callee = design.find_component(link.source), design.find_component(link.target)
        if caller is None or callee is None:
            continue
        where = link.name
        retry = effective_policy(design, caller, callee.name, "retry")
        breaker = effective_policy(design, caller, callee.name, "circuit_breaker")
        timeout = effective_policy(design, caller, callee.name, "timeout")
        bulkhead = effective_policy(design, caller, callee.name, "bulkhead")
        pool = effective_policy(design, caller, callee.name, "thread_pool_bulkhead")
        if retry is not None and breaker is not None and retry.max_attempts > 1:
            minimum = breaker.minimum_number_of_calls
            if breaker.sliding_window_type == "count_based":
                # a count window judges as soon as it is full, whatever the minimum says (as in Resilience4j)
                minimum = min(minimum, breaker.sliding_window_size)
            needed = -(-minimum // retry.max_attempts)
            warn(where, f"the retry ({retry.max_attempts} attempts) passes every attempt through the circuit breaker: "
                        f"one failing request records {retry.max_attempts} failures, so {needed} failing requests "
                        f"reach its minimum of {minimum} calls, and its failure rate counts "
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
        widest = (f"the bulkhead allows {bulkhead.max_concurrent_calls} concurrent calls"
                  if bulkhead is not None and room is not None and bulkhead.max_concurrent_calls > room else
                  f"the thread-pool bulkhead runs up to {pool.max_thread_pool_size} threads"
                  if pool is not None and room is not None and pool.max_thread_pool_size > room else None)
        if widest and room is not None:
            instances = getattr(callee, "instances", 1)
            per = room // instances
            unit = "worker" if getattr(callee, "workers", None) else "connection"
            warn(where, f"{widest}, more than {callee.name} serves at once "
                        f"({counted(instances, 'instance')} x {counted(per, unit)} = "
                        f"{room:,}): the excess queues at {callee.name} instead of being refused")
    notes += _multiplying_retries(design)
    return notes


def _multiplying_retries(design: Design) -> list[Note]:
    """Where retries at two or more layers multiply: for each component at the end of a chain of
    retried calls, the path from a client on which the most attempts reach it."""
    by_name = {c.name: c for c in design.components}
    outgoing: dict[str, list[str]] = {c.name: [] for c in design.components}
    incoming: dict[str, int] = {c.name: 0 for c in design.components}
    names = design.names()
    for link in design.links:
        source, target = design.name_of(link.source, names), design.name_of(link.target, names)
        if source in outgoing and target in incoming:
            outgoing[source].append(target)
            incoming[target] += 1
    attempts = {(a, b): _attempts(design, by_name[a], b) for a, targets in outgoing.items() for b in targets}
    # best[name]: the largest product of attempts over paths into it, with the retried calls on that path
    best: dict[str, tuple[int, list[tuple[str, int]], list[str]]] = {}
    ready = [name for name, count in incoming.items() if count == 0]
    for name in ready:
        best[name] = (1, [], [name])
    while ready:   # Kahn's order: a cycle (refused by validation anyway) is simply not followed
        name = ready.pop()
        factor, layers, trail = best[name]
        for target in outgoing[name]:
            n = attempts[(name, target)]
            candidate = (factor * n, layers + ([(f"{name} -> {target}", n)] if n > 1 else []), trail + [target])
            if target not in best or candidate[0] > best[target][0]:
                best[target] = candidate
            incoming[target] -= 1
            if incoming[target] == 0:
                ready.append(target)
    notes = []
    for name, (factor, layers, trail) in best.items():
        lands_here = layers and layers[-1][0].endswith(f" -> {name}")
        goes_on = any(attempts[(name, t)] > 1 for t in outgoing[name])
        if len(layers) >= 2 and lands_here and not goes_on:
            shown = layers if len(layers) <= 4 else layers[:2] + [("...", 0)] + layers[-2:]
            calls = ", ".join(call if call == "..." else f"{call}: {n} attempts" for call, n in shown)
            count = f"{factor}" if factor < 10**6 else f"about 10^{len(str(factor)) - 1}"
            path = trail if len(trail) <= 6 else trail[:2] + ["..."] + trail[-2:]
            notes.append(Note("warning", f"retries at {len(layers)} layers multiply ({calls}): {name} may see "
                                         f"{count} attempts per request when it fails", " -> ".join(path)))
    return notes


def _attempts(design: Design, caller, callee: str) -> int:
    retry = effective_policy(design, caller, callee, "retry")
    return retry.max_attempts if retry is not None else 1
