"""Validate a design and lower it to the typed tables the Cython core runs on.

Everything the event loop needs is decided here, once: which policy guards
which link, which fault hits which instance when, and the random stream of
every component, link and fault. The core then never touches a Python object.
"""
from __future__ import annotations

import hashlib
import math
import uuid
from collections import Counter
from dataclasses import dataclass, field
from enum import IntEnum
from typing import cast

import numpy as np

from ._codes import (
    Arrival,
    Backoff,
    Budget,
    CallMode,
    Direction,
    Discipline,
    Dist,
    DownMode,
    FanOut,
    FaultAction,
    FaultKind,
    Jitter,
    Kind,
    Resource,
    Strategy,
    Window,
)
from ._tables import AUTOSCALE, COMPONENT, DIST, FAULT, FAULT_ACTION, LINK, OUTLIER, POLICY, table
from .balancing import lower_balancing
from .grid import BucketGrid
from .model import (
    Cache,
    Client,
    ClosedLoop,
    Constant,
    Database,
    Design,
    DesignError,
    Empirical,
    Experiment,
    Exponential,
    External,
    LoadBalancer,
    LogNormal,
    Normal,
    Queue,
    RunOptions,
    Service,
    Uniform,
    experiment_problems,
)
from .model.components import Calling, Queueing
from .model.faults import (
    CrashFault,
    ErrorFault,
    ExhaustionFault,
    LatencyFault,
    PartitionFault,
    RandomFailuresFault,
    ZoneOutageFault,
)
from .model.outcomes import Outcome
from .model.resilience import (
    BulkheadPolicy,
    CircuitBreakerPolicy,
    DeadlinePolicy,
    EnvoyRetryBudget,
    FallbackPolicy,
    GrpcRetryThrottling,
    HedgingPolicy,
    LoadSheddingPolicy,
    OutlierDetectionPolicy,
    RateLimiterPolicy,
    RetryPolicy,
    ThreadPoolBulkheadPolicy,
    TimeoutPolicy,
)
from .model.validation import zone_instances

UNLIMITED = 2**31 - 1


def code(enum: type[IntEnum], word: str) -> int:
    """The core's code for one of the model's words: ``code(Kind, "load_balancer")`` is
    ``Kind.K_LOAD_BALANCER``. Every member of a code enum shares one prefix (``K_``, ``D_``...)."""
    prefix = next(iter(enum)).name.split("_", 1)[0]
    return enum[f"{prefix}_{word.upper()}"]



def outcome_mask(outcomes) -> int:
    mask = 0
    for name in outcomes:
        mask |= 1 << Outcome[name.upper()]
    return mask


def stream_seed(seed: int, kind: str, key: str) -> int:
    """A 64-bit seed for one random stream, stable under edits to anything else.

    Streams are keyed by name, not by id: a duplicated design, or the same design built
    again, draws the same numbers, so variants of a design compare on common random numbers.
    """
    digest = hashlib.blake2b(f"{seed}:{kind}:{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little") & 0x7FFF_FFFF_FFFF_FFFF


class _Dists:
    """Every distribution of a design, as rows of the distribution table plus a pool of
    empirical points; ``add`` returns the row a component, link or fault refers to.

    Equal distributions share one row: a design of a thousand services with the same service
    time and links with the same latency reads two rows, not two thousand, so a draw does
    not miss the cache on a row of its own (rows are read-only; each draw still uses its
    caller's random stream, so the results do not change)."""

    def __init__(self):
        self.rows: list[dict] = []
        self.points: list[float] = []
        self._seen: dict[tuple, int] = {}

    def add(self, dist) -> int:
        row = dict(kind=code(Dist, dist.kind), value=0.0, mean=0.0, std=0.0, low=0.0, high=0.0,
                   mu=0.0, sigma=0.0, first=0, count=0)
        if isinstance(dist, Constant):
            row["value"] = dist.value
        elif isinstance(dist, Exponential):
            row["mean"] = dist.mean()
        elif isinstance(dist, Uniform):
            row["low"], row["high"] = dist.low, dist.high
        elif isinstance(dist, Normal):
            row["mean"], row["std"] = dist.mean_, dist.std
        elif isinstance(dist, LogNormal):
            row["mu"], row["sigma"] = dist.mu_sigma()
        elif isinstance(dist, Empirical):
            row["first"], row["count"] = len(self.points), len(dist.points)
            self.points.extend(dist.points)
        else:  # pragma: no cover - the model's union is closed
            raise TypeError(dist)
        # floats by their bits (0.0 and -0.0 are different rows); empirical points by value
        key = tuple(v.hex() if isinstance(v, float) else v for k, v in row.items() if k not in ("first", "count"))
        if isinstance(dist, Empirical):
            key += tuple(float(p).hex() for p in dist.points)
        found = self._seen.get(key)
        if found is not None:
            if isinstance(dist, Empirical):
                del self.points[int(row["first"]):]   # the first row's points serve
            return found
        self.rows.append(row)
        self._seen[key] = len(self.rows) - 1
        return len(self.rows) - 1


@dataclass
class Compiled:
    """The lowered design: names for the results, typed tables and flat arrays for the core.

    The tables' dtypes come from the core's structs (engine/_tables.pxd): ``components``,
    ``links`` and ``policies`` (one row per link), ``faults``, ``fault_actions`` (sorted by
    time) and ``dists``. The flat arrays are the lists the rows point into.
    """

    component_names: list[str]
    component_kinds: list[str]
    link_names: list[str]
    fault_ids: list[str]
    fault_titles: list[str]
    components: np.ndarray
    links: np.ndarray
    policies: np.ndarray
    faults: np.ndarray
    fault_actions: np.ndarray
    dists: np.ndarray
    outliers: np.ndarray
    autoscalers: np.ndarray
    # out_links, inst_comp, bp_t, bp_r, obj_thr, f_instances, d_points
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    scalars: dict[str, float] = field(default_factory=dict)
    breaker_links: list[int] = field(default_factory=list)
    # every client objective, in the order of the core's objective counters
    objectives: list[dict] = field(default_factory=list)

    @property
    def n_components(self) -> int:
        return len(self.component_names)

    @property
    def n_links(self) -> int:
        return len(self.link_names)

    @property
    def n_autoscalers(self) -> int:
        return int(self.scalars["n_autoscalers"])

    @property
    def n_outliers(self) -> int:
        return int(self.scalars["n_outliers"])

    @property
    def n_faults(self) -> int:
        return len(self.fault_ids)

    @property
    def n_fault_actions(self) -> int:
        return int(self.scalars["n_fault_actions"])


def _policy(component, kind_cls, link_target: uuid.UUID | str | None, enabled: bool):
    """The policy of a kind guarding a call to ``link_target`` (an id): a scoped one wins over a general one."""
    if not enabled:
        return None
    general = None
    for policy in component.policies:
        if not isinstance(policy, kind_cls) or not policy.enabled:
            continue
        scope = getattr(policy, "scope", None)
        if scope and scope == link_target:
            return policy
        if not scope and general is None:
            general = policy
    return general


def _arr(values, dtype) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(values, dtype=dtype).reshape(-1))


def compile_design(design: Design, options: RunOptions, experiment: Experiment | str | None = None) -> Compiled:
    """Check the design (and experiment) and lower both to the core's tables."""
    design = design.with_ids()
    design.check()
    if isinstance(experiment, str):
        experiment = design.experiment(experiment)
    elif experiment is not None:
        experiment = cast(Experiment, design.resolve(experiment))
    if experiment is not None:
        problems = experiment_problems(design, experiment, options.duration)
        if problems:
            raise DesignError(problems)
    dists = _Dists()
    lowered = _Lowered()
    _lower_components(design, options, dists, lowered)
    links, policies, breaker_links = _lower_links(design, options, dists)
    faults = [f for f in (experiment.faults if experiment and options.faults else []) if f.enabled]
    fault_rows, actions = _lower_faults(design, options, faults, dists, lowered)

    arrays = {
        "out_links": _arr(lowered.out_links, np.int64),
        "inst_comp": _arr(lowered.inst_comp, np.int64),
        "i_zone": _arr(lowered.inst_zone, np.int64),
        "c_zone_aware": _arr(lowered.zone_aware, np.int64),
        "bp_t": _arr(lowered.bp_t, np.float64),
        "bp_r": _arr(lowered.bp_r, np.float64),
        "obj_thr": _arr(lowered.obj_thr, np.float64),
        "f_instances": _arr(lowered.fault_instances, np.int64),
        "d_points": _arr(dists.points or [0.0], np.float64),
    }
    component_table, link_table = table(lowered.components, COMPONENT), table(links, LINK)
    arrays.update(lower_balancing(component_table, link_table, arrays["out_links"]))
    outliers = _lower_outliers(design, options, component_table, arrays)
    autoscalers = _lower_autoscalers(design, options, arrays)
    grid = BucketGrid.of_options(options)
    names = design.names()
    scalars = {
        "duration": options.duration, "warmup": options.warmup, "bucket": grid.width,
        "n_buckets": grid.count, "log_cap": options.event_log_cap, "n_fault_actions": len(actions),
        "n_outliers": len(outliers), "n_autoscalers": len(autoscalers),
    }
    return Compiled(
        component_names=[c.name for c in design.components],
        component_kinds=[c.kind for c in design.components],
        link_names=[design.link_name(l, names) for l in design.links],
        fault_ids=[str(f.id) for f in faults],
        fault_titles=[_fault_title(design, f) for f in faults],
        components=component_table,
        links=link_table,
        policies=table(policies, POLICY),
        faults=table(fault_rows, FAULT),
        fault_actions=table(actions, FAULT_ACTION),
        dists=table(dists.rows, DIST),
        outliers=table(outliers, OUTLIER),
        autoscalers=table(autoscalers, AUTOSCALE),
        arrays=arrays,
        scalars=scalars,
        breaker_links=breaker_links,
        objectives=lowered.objectives,
    )


@dataclass
class _Lowered:
    """What lowering the components leaves for the other tables to point into."""

    components: list[dict] = field(default_factory=list)
    inst_comp: list[int] = field(default_factory=list)
    inst_zone: list[int] = field(default_factory=list)    # 0: in no zone
    zone_aware: list[int] = field(default_factory=list)   # per component
    out_links: list[int] = field(default_factory=list)
    bp_t: list[float] = field(default_factory=list)
    bp_r: list[float] = field(default_factory=list)
    obj_thr: list[float] = field(default_factory=list)
    objectives: list[dict] = field(default_factory=list)
    fault_instances: list[int] = field(default_factory=list)


def _lower_components(design: Design, options: RunOptions, dists: _Dists, out: _Lowered) -> None:
    """One row per component: its capacity, its work, its workload, its inbound patterns."""
    index: dict[uuid.UUID | str, int] = {c.id: i for i, c in enumerate(design.components)}
    # Outgoing links grouped by source, in the design's order (the call order).
    per_source: dict[int, list[int]] = {i: [] for i in range(len(design.components))}
    for li, link in enumerate(design.links):
        per_source[index[link.source]].append(li)
    for i, c in enumerate(design.components):
        row = dict(
            kind=code(Kind, c.kind), instances=1, workers=UNLIMITED, queue_capacity=-1, dist=-1,
            error_probability=0.0, hit_ratio=0.0, fan_out=FanOut.FO_SEQUENTIAL, strategy=Strategy.LB_ROUND_ROBIN,
            inst_offset=len(out.inst_comp), out_offset=len(out.out_links), out_count=len(per_source[i]),
            arrival=-1, bp_offset=len(out.bp_t), bp_count=0, users=0, think_dist=-1,
            obj_offset=len(out.obj_thr), obj_count=0,
            discipline=Discipline.QD_FIFO, codel_target=0.0, codel_interval=0.0, lifo_after=0.0,
            call_mode=CallMode.CM_BLOCKING, max_outstanding=-1, cont_dist=-1,
            seed=stream_seed(options.seed, "component", c.name),
        )
        out.out_links.extend(per_source[i])
        if isinstance(c, Client):
            _lower_client(c, options, dists, row, out)
        elif isinstance(c, LoadBalancer):
            row["strategy"] = code(Strategy, c.strategy)
        elif isinstance(c, Service):
            # an autoscaled service holds every instance it may have; those beyond its start are stopped
            row.update(instances=c.autoscaling.max_replicas if c.autoscaling.enabled else c.instances,
                       workers=c.workers, dist=dists.add(c.service_time), fan_out=code(FanOut, c.fan_out))
        elif isinstance(c, Database):
            row.update(instances=c.instances, workers=c.connections, dist=dists.add(c.query_time))
        elif isinstance(c, Cache):
            row.update(instances=c.instances, workers=c.workers, dist=dists.add(c.hit_time), hit_ratio=c.hit_ratio)
        elif isinstance(c, Queue):
            row.update(workers=c.consumers, dist=dists.add(c.process_time), queue_capacity=c.capacity,
                       fan_out=code(FanOut, c.fan_out))
        elif isinstance(c, External):
            row["dist"] = dists.add(c.latency)
        if isinstance(c, (Service, Database, Cache)) and c.queue_capacity is not None:
            row["queue_capacity"] = c.queue_capacity
        if not isinstance(c, (Client, LoadBalancer)):
            row["error_probability"] = c.error_probability
        if isinstance(c, Queueing):
            row.update(discipline=code(Discipline, c.queue_discipline), codel_target=c.codel_target,
                       codel_interval=c.codel_interval, lifo_after=c.lifo_after)
        if isinstance(c, Calling) and c.call_mode == "non_blocking":
            row.update(call_mode=code(CallMode, c.call_mode),
                       max_outstanding=-1 if c.max_outstanding is None else c.max_outstanding,
                       cont_dist=-1 if c.continuation_time == Constant(value=0.0) else dists.add(c.continuation_time))
        out.inst_comp.extend([i] * row["instances"])
        if isinstance(c, (Service, Database, Cache)):
            out.inst_zone.extend(c.zone_of(k) for k in range(row["instances"]))
            out.zone_aware.append(int(c.zone_aware))
        else:
            out.inst_zone.extend([0] * row["instances"])
            out.zone_aware.append(0)
        rl = _policy(c, RateLimiterPolicy, None, options.resilience)
        row.update(limit_for_period=rl.limit_for_period if rl else 0,
                   limit_refresh_period=rl.limit_refresh_period if rl else 0.0,
                   timeout_duration=rl.timeout_duration if rl else 0.0,
                   global_quota=int(bool(rl and rl.global_quota)))
        shed = _policy(c, LoadSheddingPolicy, None, options.resilience)
        row.update(max_queue_wait=shed.max_queue_wait if shed and shed.max_queue_wait is not None else -1.0,
                   max_queue_length=shed.max_queue_length if shed and shed.max_queue_length is not None else -1)
        out.components.append(row)


def _lower_client(c: Client, options: RunOptions, dists: _Dists, row: dict, out: _Lowered) -> None:
    """A client's workload and objectives."""
    row["obj_count"] = len(c.objectives)
    for k, objective in enumerate(c.objectives):
        out.obj_thr.append(_objective_threshold(objective))
        out.objectives.append({"client": c.name, "index": k, "objective": objective.model_dump(mode="json"),
                               "recovery": c.recovery.model_dump(mode="json")})
    row["fan_out"] = code(FanOut, c.fan_out)
    w = c.workload
    if isinstance(w, ClosedLoop):
        row.update(arrival=Arrival.AR_CLOSED, users=w.users, think_dist=dists.add(w.think_time))
    else:
        row["arrival"] = code(Arrival, w.arrivals)
        points = w.rate_breakpoints(options.duration)
        out.bp_t.extend(p[0] for p in points)
        out.bp_r.extend(p[1] for p in points)
        row["bp_count"] = len(points)


def _lower_links(design: Design, options: RunOptions, dists: _Dists) -> tuple[list[dict], list[dict], list[int]]:
    """One row per link, and one row of the caller's patterns guarding it."""
    # A checked design's references are ids (a name left unresolved would have been a problem).
    index: dict[uuid.UUID | str, int] = {c.id: i for i, c in enumerate(design.components)}
    names = design.names()
    links, policies, breaker_links = [], [], []
    for li, link in enumerate(design.links):
        # Streams are seeded by name, as before ids: the same design draws the same numbers.
        links.append(dict(src=index[link.source], dst=index[link.target], dist=dists.add(link.latency),
                          probability=link.probability, count=link.count,
                          seed=stream_seed(options.seed, "link", design.link_name(link, names))))
        source = design.components[index[link.source]]
        row = _lower_policies(source, link.target, options.resilience, dists)
        if row["cb_on"]:
            breaker_links.append(li)
        policies.append(row)
    return links, policies, breaker_links


def _lower_autoscalers(design: Design, options: RunOptions, arrays: dict) -> list[dict]:
    """One row per autoscaled service; ``arrays`` gains the size of their recommendation rings."""
    rows: list[dict] = []
    recs = 0
    for c, component in enumerate(design.components):
        if not isinstance(component, Service) or not component.autoscaling.enabled:
            continue
        a = component.autoscaling
        # enough room for every recommendation inside the longer stabilisation window
        cap = int(math.ceil(max(a.scale_down_stabilization, a.scale_up_stabilization) / a.sync_period)) + 2
        rows.append(dict(comp=c, initial=component.instances, min_replicas=a.min_replicas,
                         max_replicas=a.max_replicas, target_utilization=a.target_utilization, tolerance=a.tolerance,
                         sync_period=a.sync_period, scale_down_stabilization=a.scale_down_stabilization,
                         scale_up_stabilization=a.scale_up_stabilization, startup_time=a.startup_time, rec_first=recs,
                         rec_cap=cap))
        recs += cap
    arrays["as_recs"] = np.array([recs], dtype=np.int64)
    return rows


def _lower_outliers(design: Design, options: RunOptions, components: np.ndarray, arrays: dict) -> list[dict]:
    """One outlier detector per balancer with the policy (over its flat list of instances) and
    per other guarded call (over its target's instances); ``arrays`` gains each link's detector
    (``lk_od``) and the number of watched instances (``od_slots``)."""
    index: dict[uuid.UUID | str, int] = {c.id: i for i, c in enumerate(design.components)}
    lk_od = np.full(max(len(design.links), 1), -1, dtype=np.int64)
    rows: list[dict] = []
    slots = 0

    def add(policy: OutlierDetectionPolicy, caller: int, lb: int, link: int, hosts: int) -> None:
        nonlocal slots
        rows.append(dict(
            caller=caller, lb=lb, link=link, slot_first=slots, hosts=hosts,
            consecutive_5xx=policy.consecutive_5xx, enforcing_consecutive_5xx=policy.enforcing_consecutive_5xx,
            consecutive_gateway_failure=policy.consecutive_gateway_failure,
            enforcing_consecutive_gateway_failure=policy.enforcing_consecutive_gateway_failure,
            interval=policy.interval, base_ejection_time=policy.base_ejection_time,
            max_ejection_time=policy.longest_ejection, max_ejection_percent=policy.max_ejection_percent,
            always_eject_one_host=int(policy.always_eject_one_host),
            success_rate_minimum_hosts=policy.success_rate_minimum_hosts,
            success_rate_request_volume=policy.success_rate_request_volume,
            success_rate_stdev_factor=policy.success_rate_stdev_factor / 1000.0,
            enforcing_success_rate=policy.enforcing_success_rate,
            failure_percentage_threshold=policy.failure_percentage_threshold,
            failure_percentage_minimum_hosts=policy.failure_percentage_minimum_hosts,
            failure_percentage_request_volume=policy.failure_percentage_request_volume,
            enforcing_failure_percentage=policy.enforcing_failure_percentage,
        ))
        slots += hosts

    for c, component in enumerate(design.components):
        out = [li for li, link in enumerate(design.links) if link.source == component.id]
        if isinstance(component, LoadBalancer):
            # a balancer's targets are one cluster: its general policy, else its first scoped one
            policy = _policy(component, OutlierDetectionPolicy, None, options.resilience) or next(
                (p for li in out if (p := _policy(component, OutlierDetectionPolicy, design.links[li].target,
                                                  options.resilience))), None)
            if policy is not None and int(arrays["lb_total"][c]) > 0:
                lk_od[out] = len(rows)
                add(policy, c, c, -1, int(arrays["lb_total"][c]))
            continue
        for li in out:
            target = index[design.links[li].target]
            if int(components[target]["kind"]) in (Kind.K_LOAD_BALANCER, Kind.K_CLIENT):
                continue
            policy = _policy(component, OutlierDetectionPolicy, design.links[li].target, options.resilience)
            if policy is not None:
                lk_od[li] = len(rows)
                add(policy, c, -1, li, int(components[target]["instances"]))
    arrays["lk_od"] = lk_od
    arrays["od_slots"] = np.array([slots], dtype=np.int64)
    return rows


def _lower_policies(source, target: uuid.UUID | str, on: bool, dists: _Dists) -> dict:
    """The patterns ``source`` applies to its calls to ``target``; neutral values where none applies."""
    to = _policy(source, TimeoutPolicy, target, on)
    rt = _policy(source, RetryPolicy, target, on)
    cb = _policy(source, CircuitBreakerPolicy, target, on)
    bh = _policy(source, BulkheadPolicy, target, on)
    tp = _policy(source, ThreadPoolBulkheadPolicy, target, on)
    if bh and tp:
        # one bulkhead per call (validation): the one scoped to this dependency wins over a general one
        bh, tp = (None, tp) if tp.scope else (bh, None)
    fb = _policy(source, FallbackPolicy, target, on)
    dl = _policy(source, DeadlinePolicy, target, on)
    hg = _policy(source, HedgingPolicy, target, on)
    # gRPC's throttling bucket serves retries or hedges, whichever the method has
    budget = rt.budget if rt else (hg.throttling if hg else None)
    return dict(
        timeout=to.timeout if to else -1.0,
        cancel_on_timeout=int(bool(to and to.cancel_on_timeout)),
        max_attempts=rt.max_attempts if rt else 1,
        wait_duration=rt.wait_duration if rt else 0.0,
        backoff=code(Backoff, rt.backoff) if rt else Backoff.BO_FIXED,
        multiplier=rt.multiplier if rt else 1.0,
        retry_max_wait_duration=rt.max_wait_duration if rt and rt.max_wait_duration else -1.0,
        jitter=code(Jitter, rt.jitter) if rt else Jitter.J_NONE,
        randomization_factor=rt.randomization_factor if rt else 0.0,
        retry_on=outcome_mask(rt.retry_on) if rt else 0,
        budget=code(Budget, budget.kind) if budget else Budget.BUD_NONE,
        max_tokens=budget.max_tokens if isinstance(budget, GrpcRetryThrottling) else 0.0,
        token_ratio=budget.token_ratio if isinstance(budget, GrpcRetryThrottling) else 0.0,
        budget_percent=budget.budget_percent if isinstance(budget, EnvoyRetryBudget) else 0.0,
        min_retry_concurrency=float(budget.min_retry_concurrency) if isinstance(budget, EnvoyRetryBudget) else 0.0,
        cb_on=int(cb is not None),
        sliding_window_type=code(Window, cb.sliding_window_type) if cb else Window.W_COUNT_BASED,
        sliding_window_size=cb.sliding_window_size if cb else 1,
        minimum_number_of_calls=cb.minimum_number_of_calls if cb else 1,
        failure_rate_threshold=cb.failure_rate_threshold if cb else 100.0,
        slow_call_rate_threshold=cb.slow_call_rate_threshold if cb else 100.0,
        slow_call_duration_threshold=cb.slow_call_duration_threshold if cb else 1e300,
        wait_duration_in_open_state=cb.wait_duration_in_open_state if cb else 60.0,
        wait_duration_multiplier=cb.wait_duration_multiplier if cb else 1.0,
        permitted_number_of_calls_in_half_open_state=cb.permitted_number_of_calls_in_half_open_state if cb else 1,
        automatic_transition_from_open_to_half_open_enabled=int(
            bool(cb and cb.automatic_transition_from_open_to_half_open_enabled)),
        max_wait_duration_in_half_open_state=cb.max_wait_duration_in_half_open_state if cb else 0.0,
        record_outcomes=outcome_mask(cb.record_outcomes) if cb else 0,
        max_concurrent_calls=bh.max_concurrent_calls if bh else -1,
        bulkhead_max_wait_duration=bh.max_wait_duration if bh else 0.0,
        fallback_on=outcome_mask(fb.on) if fb else 0,
        fallback_latency=dists.add(fb.latency) if fb else -1,
        deadline=dl.deadline if dl else -1.0,
        hedging_max_attempts=hg.max_attempts if hg else 1,
        hedging_delay=hg.hedging_delay if hg else 0.0,
        non_fatal_outcomes=outcome_mask(hg.non_fatal_outcomes) if hg else 0,
        hedging_throttling=int(bool(hg and hg.throttling)),
        core_thread_pool_size=tp.core_thread_pool_size if tp else 0,
        max_thread_pool_size=tp.max_thread_pool_size if tp else 0,
        thread_pool_bulkhead_queue_capacity=tp.queue_capacity if tp else 0,
        keep_alive_duration=tp.keep_alive_duration if tp else 0.0,
    )


def _lower_faults(design: Design, options: RunOptions, faults: list, dists: _Dists,
                  lowered: _Lowered) -> tuple[list[dict], list[dict]]:
    """One row per fault, and its start and end actions sorted by time."""
    index = {c.id: i for i, c in enumerate(design.components)}
    link_index = {l.id: i for i, l in enumerate(design.links)}
    names = design.names()
    rows: list[dict] = []
    actions: list[tuple[float, int, int]] = []
    seen: dict[tuple[str, str], int] = {}
    for fi, fault in enumerate(faults):
        # Named (not by id) in the seed, so that the same design draws the same numbers as before ids.
        target = design.name_of(fault.target, names)
        # the n-th fault of a kind on a target: stable when other faults are added or removed
        nth = seen[(fault.kind, target)] = seen.get((fault.kind, target), -1) + 1
        comp_i, link_i = -1, -1
        if fault.target in link_index:
            link_i = link_index[fault.target]
        else:
            comp_i = index[fault.target]
        row = dict(kind=code(FaultKind, fault.kind), comp=comp_i, link=link_i, down_mode=DownMode.M_REFUSE,
                   resource=Resource.R_CPU, direction=Direction.DIR_REQUEST, fraction=0.0, delay_dist=-1,
                   factor=1.0, pool_size=0, leak_rate=0.0, kill_factor=0.0, restart_delay=0.0, mtbf=0.0, mttr=0.0,
                   seed=stream_seed(options.seed, "fault", f"{fault.kind}@{target}#{nth}"))
        chosen: list[int] = []
        if comp_i >= 0:
            comp = lowered.components[comp_i]
            chosen = [comp["inst_offset"] + k for k in range(comp["instances"])]
        if isinstance(fault, CrashFault):
            row.update(down_mode=code(DownMode, fault.mode), restart_delay=fault.restart_delay)
            comp = lowered.components[comp_i]
            chosen = [comp["inst_offset"] + k for k in fault.instances.resolve(comp["instances"])]
        elif isinstance(fault, LatencyFault):
            row.update(delay_dist=dists.add(fault.delay), fraction=fault.fraction,
                       direction=code(Direction, fault.direction))
        elif isinstance(fault, ExhaustionFault):
            row.update(resource=code(Resource, fault.resource), factor=fault.factor, pool_size=fault.pool_size,
                       leak_rate=fault.leak_rate, kill_factor=fault.kill_factor, restart_delay=fault.restart_delay)
        elif isinstance(fault, ErrorFault):
            row["fraction"] = fault.fraction
        elif isinstance(fault, PartitionFault):
            row["down_mode"] = code(DownMode, fault.mode)
        elif isinstance(fault, RandomFailuresFault):
            row.update(mtbf=fault.mtbf, mttr=fault.mttr)
        elif isinstance(fault, ZoneOutageFault):
            row.update(down_mode=code(DownMode, fault.mode), restart_delay=fault.restart_delay)
            position = {c.name: i for i, c in enumerate(design.components)}
            chosen = [int(lowered.components[position[name]]["inst_offset"]) + k
                      for name, k in zone_instances(design, fault)]
        row.update(inst_first=len(lowered.fault_instances), inst_count=len(chosen))
        lowered.fault_instances.extend(chosen)
        rows.append(row)
        for start, end in fault.windows(options.duration):
            actions.append((start, FaultAction.FA_START, fi))
            if end < options.duration or fault.duration is not None:
                actions.append((end, FaultAction.FA_END, fi))
    actions.sort()
    return rows, [dict(time=t, action=a, fault=f) for t, a, f in actions]


def _fault_title(design: Design, fault) -> str:
    """The fault in the event log's words; a zone outage names what it takes down."""
    if isinstance(fault, ZoneOutageFault):
        hit = Counter(name for name, _ in zone_instances(design, fault))
        return f"zone {fault.zone} outage: " + ", ".join(f"{n} x {name}" for name, n in hit.items())
    return f"{fault.kind.replace('_', ' ')} on {design.name_of(fault.target)}"


def _objective_threshold(objective) -> float:
    """The latency an objective's good requests may not exceed (inf: any latency)."""
    if objective.kind == "latency":
        return objective.threshold
    return math.inf if objective.latency_threshold is None else objective.latency_threshold
