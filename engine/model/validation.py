"""Graph-level checks of a design: the rules that single fields cannot express."""
from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any, NamedTuple

from .components import Cache, Component, Database, Service
from .design import Design, Problem, describe
from .faults import (
    COMPONENT_FAULT_KINDS,
    INSTANCE_FAULT_KINDS,
    LINK_FAULT_KINDS,
    CrashFault,
    Experiment,
    ZoneOutageFault,
)
from .refs import LINK_ARROW, Ref
from .resilience import BULKHEAD_KINDS, INBOUND_POLICY_KINDS

# Kinds that accept inbound policies: they have a queue or a limit worth guarding.
INBOUND_POLICY_COMPONENT_KINDS = frozenset({"service", "database", "cache", "queue", "external"})
SHEDDING_COMPONENT_KINDS = frozenset({"service", "database", "cache"})
# Kinds without instances of their own: nothing to crash, starve or fail at random.
NO_INSTANCE_KINDS = frozenset({"client", "load_balancer"})


def policy_refusal(component, kind: str, scope: Ref | None = None, beside=(),
                   names: Mapping | None = None) -> str | None:
    """Why a policy of ``kind`` guarding ``scope`` (a dependency; None: every call) cannot go on
    ``component`` beside the policies ``beside`` (lower-case prose), or None.

    ``beside`` is what it would join: the component's other policies when one is added or enabled.
    Left empty, only the kind and the component are judged, as design_problems does for each policy.
    """
    label = component.kind.replace("_", " ")
    article = "an" if label[0] in "aeiou" else "a"
    if kind in INBOUND_POLICY_KINDS:
        if component.kind not in INBOUND_POLICY_COMPONENT_KINDS:
            return f"{article} {label} takes no inbound policies"
        if kind == "load_shedding" and component.kind not in SHEDDING_COMPONENT_KINDS:
            return f"{article} {label} has no queue to shed"
    elif not component.calls_out:
        return f"{article} {label} makes no calls to guard"
    conflicts = policy_conflicts(beside, kind, None if kind in INBOUND_POLICY_KINDS else scope, names)
    return conflicts[0].why if conflicts else None


# gRPC gives a method a retry policy or a hedging policy, never both (proposal A6, "Hedging Policy").
EXCLUSIVE_KINDS = frozenset({"retry", "hedging"})


class PolicyConflict(NamedTuple):
    other: Any            # the enabled policy already on those calls
    calls: Ref | None     # the calls both would guard: one dependency's, None for every call
    twice: bool           # the same family twice, rather than two kinds that exclude each other
    why: str              # lower-case prose, as a refusal says it


def policy_family(kind: str) -> str:
    """What a call passes at most once: semaphore and thread-pool bulkheads are both its bulkhead."""
    return "bulkhead" if kind in BULKHEAD_KINDS else kind


def policy_conflicts(policies, kind: str, scope: Ref | None, names: Mapping | None = None) -> list[PolicyConflict]:
    """The enabled ``policies`` (of one component) that an enabled policy of ``kind`` guarding
    ``scope`` (a dependency; None: every call) cannot sit beside, each with why; none: it fits.

    The one rule of which policies coexist: design_problems reports what breaks it, the editor
    refuses an addition or an enabling that would. A policy for one dependency beside one of its
    family for every call is an override (compile lets the scoped one win), not a clash; retry and
    hedging clash wherever their calls meet, since both would then drive the same call.
    """
    names = names or {}
    conflicts = []
    for other in policies:
        if not other.enabled:
            continue
        if kind in INBOUND_POLICY_KINDS or other.inbound:
            if other.kind == kind:
                conflicts.append(PolicyConflict(other, None, True, f"this component already has an enabled "
                                                                   f"{other.title} policy: it takes one"))
            continue
        theirs = other.scope
        if policy_family(other.kind) == policy_family(kind) and theirs == scope:
            twice = True
            rule = ("a call passes one bulkhead, semaphore or thread-pool" if other.kind in BULKHEAD_KINDS
                    else f"a call has one {other.title} policy")
        elif {kind, other.kind} == EXCLUSIVE_KINDS and (scope is None or theirs is None or scope == theirs):
            twice = False
            rule = "gRPC gives a call a retry or a hedging policy, never both"
        else:
            continue
        calls = scope if scope is not None else theirs
        shown = names.get(calls, calls)
        where = ("every call already has" if calls is None else
                 f'the calls to "{shown}" already have' if isinstance(shown, str) else "these calls already have")
        conflicts.append(PolicyConflict(other, calls, twice, f"{where} an enabled {other.title} policy: {rule}"))
    return conflicts


def fault_kinds_for(component) -> tuple[str, ...]:
    """The fault kinds that can target this component."""
    if component.kind in NO_INSTANCE_KINDS:
        return tuple(k for k in COMPONENT_FAULT_KINDS if k not in INSTANCE_FAULT_KINDS)
    return COMPONENT_FAULT_KINDS


def _missing(ref) -> str:
    """A reference that resolves to nothing, as a message quotes it: a name as written, never an id."""
    return f'unknown component "{ref}"' if isinstance(ref, str) else "refers to a component that is not in the design"


def design_problems(design: Design) -> list[Problem]:
    design = design.with_ids()
    problems: list[Problem] = []
    by_name: dict[str, Component] = {}
    for c in design.components:
        if c.name in by_name:
            problems.append(Problem(describe(c), f'name "{c.name}" is used by another component', c.id))
        by_name.setdefault(c.name, c)
    ids = Counter(str(c.id) for c in design.components)
    for c in design.components:
        if ids[str(c.id)] > 1:
            problems.append(Problem(describe(c), f"id {c.id} is used by another component", c.id))
            ids[str(c.id)] = 0
    by_id: dict = {c.id: c for c in design.components}
    names = {i: c.name for i, c in by_id.items()}

    seen_pairs = set()
    valid_links = []
    for link in design.links:
        where = f'link "{design.link_name(link, names)}"'
        unknown = [ref for ref in (link.source, link.target) if ref not in by_id]
        for ref in unknown:
            problems.append(Problem(where, _missing(ref), link.id))
        if unknown:
            continue
        if link.source == link.target:
            problems.append(Problem(where, "a component cannot call itself", link.id))
            continue
        valid_links.append(link)
        if (link.source, link.target) in seen_pairs:
            problems.append(Problem(where, "duplicate link (one link per pair; raise its count instead)", link.id))
        seen_pairs.add((link.source, link.target))
        src, dst = by_id[link.source], by_id[link.target]
        if not src.calls_out:
            problems.append(Problem(describe(src), f'a {src.kind} makes no calls (remove {where})', src.id))
        if dst.kind == "client":
            problems.append(Problem(where, f'client "{dst.name}" receives no calls', link.id))

    # The call graph by name: cycles are reported as the names of their path.
    outgoing: dict[str, list[str]] = {n: [] for n in by_name}
    for link in valid_links:
        outgoing[names[link.source]].append(names[link.target])

    problems += _cycle_problems(outgoing)

    for c in design.components:
        outs = outgoing.get(c.name, [])
        if c.kind == "client" and not outs:
            problems.append(Problem(describe(c), "sends to nothing (add a link from it)", c.id))
        if c.kind == "load_balancer" and not outs:
            problems.append(Problem(describe(c), "has no targets (add a link from it)", c.id))
        if c.kind == "cache" and c.hit_ratio < 1 and not outs:
            problems.append(Problem(describe(c), "misses need somewhere to go "
                                    "(add a link to its backing store, or set hit_ratio to 1)", c.id))
        callees = {link.target for link in valid_links if link.source == c.id} if c.policies else set()
        problems += _policy_problems(c, callees, names)

    if not any(c.kind == "client" for c in design.components):
        problems.append(Problem("design", "has no client, so nothing sends requests"))

    experiment_names = Counter(e.name for e in design.experiments)
    for name, count in experiment_names.items():
        if count > 1:
            problems.append(Problem(f'experiment "{name}"', "name is used by another experiment"))
    for experiment in design.experiments:
        problems += experiment_problems(design, experiment)
    return problems


def _cycle_problems(outgoing: dict[str, list[str]]) -> list[Problem]:
    """Report each call cycle once, as the path that closes it.

    Depth-first with an explicit stack: a chain of ten thousand services is a legal design,
    and its depth must not meet Python's recursion limit.
    """
    problems: list[Problem] = []
    state: dict[str, int] = {}          # 1 on the current path, 2 done
    reported: set[frozenset] = set()
    for root in outgoing:
        if root in state:
            continue
        path: list[str] = [root]
        position: dict[str, int] = {root: 0}   # where each node of the path stands in it
        cursors: list[int] = [0]               # next callee to look at, per node of the path
        state[root] = 1
        while path:
            node = path[-1]
            callees = outgoing.get(node, [])
            if cursors[-1] == len(callees):
                state[node] = 2
                path.pop()
                cursors.pop()
                del position[node]
                continue
            nxt = callees[cursors[-1]]
            cursors[-1] += 1
            if state.get(nxt) == 1:
                cycle = path[position[nxt]:] + [nxt]
                key = frozenset(cycle)
                if key not in reported:
                    reported.add(key)
                    problems.append(Problem("design",
                                            f"call cycle {LINK_ARROW.join(cycle)} (it would recurse forever)"))
            elif nxt not in state:
                state[nxt] = 1
                position[nxt] = len(path)
                path.append(nxt)
                cursors.append(0)
    return problems


def _policy_problems(component, callees: set, names: dict) -> list[Problem]:
    problems = []
    where = describe(component)
    enabled: list = []
    doubled: set[tuple[str, object]] = set()
    both: set = set()   # the dependencies whose calls have a retry and a hedging policy
    for policy in component.policies:
        label = f"{policy.title} policy"
        refusal = policy_refusal(component, policy.kind)
        scope = getattr(policy, "scope", None)
        shown = names.get(scope, scope) if scope is not None else None
        if refusal:
            problems.append(Problem(where, f"{label}: {refusal}", component.id))
        elif policy.kind not in INBOUND_POLICY_KINDS:
            if scope is not None and scope not in callees:
                what = f'scope "{shown}"' if isinstance(shown, str) else "its scope"
                problems.append(Problem(where, f"{label}: {what} is not one of its dependencies", component.id))
        if not policy.enabled:
            continue
        for conflict in policy_conflicts(enabled, policy.kind, scope, names):
            if not conflict.twice:
                both |= callees if conflict.calls is None else callees & {conflict.calls}
            elif (key := (policy_family(policy.kind), scope)) not in doubled:
                doubled.add(key)
                scope_text = f' for "{shown}"' if isinstance(shown, str) else ""
                title = "bulkhead (semaphore or thread-pool)" if key[0] == "bulkhead" else policy.title
                problems.append(Problem(where, f"two enabled {title} policies{scope_text}", component.id))
        enabled.append(policy)
    problems += [Problem(where, f'calls to "{names.get(t, t)}" have both a retry and a hedging policy; '
                         "gRPC allows one or the other", component.id) for t in sorted(both, key=str)]
    return problems


def experiment_problems(design: Design, experiment: Experiment, duration: float | None = None) -> list[Problem]:
    """Fault targets must exist and fit the fault kind; windows must fall inside the run."""
    problems = []
    design = design.with_ids()
    experiment = design.resolve(experiment)
    names = design.names()
    by_id: dict = {c.id: c for c in design.components}
    link_ids = {link.id for link in design.links}
    for index, fault in enumerate(experiment.faults, start=1):
        target = fault.target
        shown = design.name_of(target, names)
        where = f'experiment "{experiment.name}", fault {index} ({fault.kind} on "{shown}")'
        if target in link_ids or (isinstance(target, str) and "->" in target):
            if target not in link_ids:
                problems.append(Problem(where, f'target: unknown link "{shown}"', fault.id))
            elif fault.kind not in LINK_FAULT_KINDS:
                problems.append(Problem(where, f"target: a {fault.kind} fault applies to a component, not a link",
                                        fault.id))
            continue
        component = by_id.get(target)
        if component is None:
            message = (f'unknown component "{shown}"' if isinstance(target, str)
                       else "not a component or link of the design")
            problems.append(Problem(where, f"target: {message}", fault.id))
            continue
        if fault.kind not in COMPONENT_FAULT_KINDS:
            problems.append(Problem(where, f"target: a {fault.kind} fault applies to a link, not a component",
                                    fault.id))
            continue
        instances = getattr(component, "instances", 1)
        if fault.kind not in fault_kinds_for(component):
            component_kind, fault_kind = component.kind.replace("_", " "), fault.kind.replace("_", " ")
            problems.append(Problem(where, f"target: a {component_kind} has no instances to {fault_kind}", fault.id))
        if isinstance(fault, CrashFault):
            problems += _crash_instance_problems(component.name, instances, fault, where)
        if isinstance(fault, ZoneOutageFault):
            problems += _zone_problems(design, component, fault, where)
        if duration is not None and fault.enabled:   # a fault switched off does not happen: its time is free
            if fault.start >= duration:
                problems.append(Problem(where, f"start {fault.start:g} s is not inside the run (0 to {duration:g} s)",
                                        fault.id))
            elif fault.duration is not None and fault.start + fault.duration > duration + 1e-9:
                problems.append(Problem(
                    where,
                    f"window {fault.start:g}-{fault.start + fault.duration:g} s ends after the run ({duration:g} s)",
                    fault.id,
                ))
    return problems


def _crash_instance_problems(name: str, instances: int, fault: CrashFault, where: str) -> list[Problem]:
    """A crash that names instances its target lacks, or a share of them that rounds to none:
    it would crash fewer than asked, or nothing, and the run would look like the fault's."""
    chosen = fault.instances
    if chosen.indices:
        bad = [i for i in chosen.indices if i >= instances]
        if bad:
            return [Problem(where, f"instances: {name} has {instances} instance(s), no index {bad[0]}", fault.id)]
    elif chosen.count is not None and chosen.count > instances:
        return [Problem(where, f"instances: {name} has {instances} instance(s), not {chosen.count} to crash",
                        fault.id)]
    elif chosen.fraction is not None and not chosen.resolve(instances):
        return [Problem(where, f"instances: {chosen.fraction * 100:g} % of {name}'s {instances} instance(s) is none; "
                               f"crash at least {100 / instances:.3g} %, or give a count", fault.id)]
    return []


def zone_instances(design: Design, fault: ZoneOutageFault) -> list[tuple[str, int]]:
    """The (component, instance) pairs a zone outage takes down, in the design's order."""
    hit = []
    for component in design.components:
        if not isinstance(component, (Service, Database, Cache)) or (
                not fault.whole_zone and fault.target not in (component.id, component.name)):
            continue
        # an autoscaled service's instances it may start are placed too
        scaler = getattr(component, "autoscaling", None)
        count = scaler.max_replicas if scaler is not None and scaler.enabled else component.instances
        hit += [(component.name, k) for k in range(count) if component.zone_of(k) == fault.zone]
    return hit


def _zone_problems(design: Design, component, fault: ZoneOutageFault, where: str) -> list[Problem]:
    if not isinstance(component, (Service, Database, Cache)):
        return []
    zones = sorted({component.zone_of(k) for k in range(component.instances)})
    if fault.zone not in zones:
        listed = ", ".join(str(z) for z in zones)
        return [Problem(where, f"zone: {component.name} has no instance in zone {fault.zone} "
                               f"(its instances are in zone {listed})", fault.id)]
    return []
