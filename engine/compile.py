"""Validate a design and lower it to the flat typed arrays the Cython core runs on.

Everything the event loop needs is decided here, once: which policy guards
which link, which fault hits which instance when, and the random stream of
every component, link and fault. The core then never touches a Python object.
"""
from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from enum import IntEnum

import numpy as np

from ._codes import (
    Arrival,
    Backoff,
    Budget,
    Direction,
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
from .model.design import LINK_ARROW
from .model.faults import (
    CrashFault,
    ErrorFault,
    ExhaustionFault,
    LatencyFault,
    PartitionFault,
    RandomFailuresFault,
)
from .model.outcomes import Outcome
from .model.resilience import (
    BulkheadPolicy,
    CircuitBreakerPolicy,
    EnvoyRetryBudget,
    FallbackPolicy,
    GrpcRetryThrottling,
    LoadSheddingPolicy,
    RateLimiterPolicy,
    RetryPolicy,
    TimeoutPolicy,
)

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


class _DistTable:
    """All distributions of a design as rows (kind, p0, p1) plus a pool of empirical points."""

    def __init__(self):
        self.kind: list[int] = []
        self.p0: list[float] = []
        self.p1: list[float] = []
        self.points: list[float] = []

    def add(self, dist) -> int:
        code_ = code(Dist, dist.kind)
        if isinstance(dist, Constant):
            p = (dist.value, 0.0)
        elif isinstance(dist, Exponential):
            p = (dist.mean(), 0.0)
        elif isinstance(dist, Uniform):
            p = (dist.low, dist.high)
        elif isinstance(dist, Normal):
            p = (dist.mean_, dist.std)
        elif isinstance(dist, LogNormal):
            p = dist.mu_sigma()
        elif isinstance(dist, Empirical):
            p = (float(len(self.points)), float(len(dist.points)))
            self.points.extend(dist.points)
        else:  # pragma: no cover - the model's union is closed
            raise TypeError(dist)
        self.kind.append(code_)
        self.p0.append(float(p[0]))
        self.p1.append(float(p[1]))
        return len(self.kind) - 1


@dataclass
class Compiled:
    """The lowered design: names for the results, arrays for the core."""

    component_names: list[str]
    component_kinds: list[str]
    link_names: list[str]
    fault_ids: list[str]
    fault_titles: list[str]
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    scalars: dict[str, float] = field(default_factory=dict)
    breaker_links: list[int] = field(default_factory=list)
    # every client objective, in the order of the core's objective counters
    objectives: list[dict] = field(default_factory=list)


def _policy(component, kind_cls, link_target: str | None, enabled: bool):
    """The policy of a kind guarding a call to ``link_target``: a scoped one wins over a general one."""
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


def compile_design(design: Design, options: RunOptions, experiment: Experiment | str | None = None) -> Compiled:
    """Check the design (and experiment) and lower both to arrays."""
    design.check()
    if isinstance(experiment, str):
        experiment = design.experiment(experiment)
    if experiment is not None:
        problems = experiment_problems(design, experiment, options.duration)
        if problems:
            raise DesignError(problems)

    comps = design.components
    index = {c.name: i for i, c in enumerate(comps)}
    n = len(comps)
    dists = _DistTable()
    a: dict[str, list] = {k: [] for k in (
        "kind", "instances", "workers", "qcap", "dist", "err", "skip_calls", "fanout", "lb",
        "inst_offset", "out_offset", "out_count", "arrival", "bp_offset", "bp_count", "users",
        "think_dist", "seed", "rl_limit", "rl_period", "rl_timeout", "shed_wait", "shed_len",
    )}
    bp_t: list[float] = []
    bp_r: list[float] = []
    obj_offset, obj_count, obj_thr, objectives = [], [], [], []
    inst_comp: list[int] = []
    # Outgoing links grouped by source, in the design's order (the call order).
    links = design.links
    out_links: list[int] = []
    per_source: dict[int, list[int]] = {i: [] for i in range(n)}
    for li, link in enumerate(links):
        per_source[index[link.source]].append(li)

    for i, c in enumerate(comps):
        a["kind"].append(code(Kind, c.kind))
        a["inst_offset"].append(len(inst_comp))
        a["out_offset"].append(len(out_links))
        out_links.extend(per_source[i])
        a["out_count"].append(len(per_source[i]))
        a["seed"].append(stream_seed(options.seed, "component", c.name))
        instances, workers, qcap, dist, err, skip, fanout, lb = 1, UNLIMITED, -1, -1, 0.0, 0.0, 0, 0
        arrival, users, think = -1, 0, -1
        bp_offset, bp_count = len(bp_t), 0
        obj_offset.append(len(obj_thr))
        obj_count.append(len(c.objectives) if isinstance(c, Client) else 0)
        if isinstance(c, Client):
            for k, objective in enumerate(c.objectives):
                obj_thr.append(_objective_threshold(objective))
                objectives.append({"client": c.name, "index": k, "objective": objective.model_dump(mode="json"),
                                   "recovery": c.recovery.model_dump(mode="json")})
            fanout = code(FanOut, c.fan_out)
            w = c.workload
            if isinstance(w, ClosedLoop):
                arrival, users, think = Arrival.AR_CLOSED, w.users, dists.add(w.think_time)
            else:
                arrival = code(Arrival, w.arrivals)
                points = w.rate_breakpoints(options.duration)
                bp_t.extend(p[0] for p in points)
                bp_r.extend(p[1] for p in points)
                bp_count = len(points)
        elif isinstance(c, LoadBalancer):
            lb = code(Strategy, c.strategy)
        elif isinstance(c, Service):
            instances, workers, dist, err = c.instances, c.workers, dists.add(c.service_time), c.error_probability
            qcap = -1 if c.queue_capacity is None else c.queue_capacity
            fanout = code(FanOut, c.fan_out)
        elif isinstance(c, Database):
            instances, workers, dist, err = c.instances, c.connections, dists.add(c.query_time), c.error_probability
            qcap = -1 if c.queue_capacity is None else c.queue_capacity
        elif isinstance(c, Cache):
            instances, workers, dist, err = c.instances, c.workers, dists.add(c.hit_time), c.error_probability
            qcap = -1 if c.queue_capacity is None else c.queue_capacity
            skip = c.hit_ratio
        elif isinstance(c, Queue):
            workers, dist, err, qcap = c.consumers, dists.add(c.process_time), c.error_probability, c.capacity
            fanout = code(FanOut, c.fan_out)
        elif isinstance(c, External):
            dist, err = dists.add(c.latency), c.error_probability
        for _ in range(instances):
            inst_comp.append(i)
        a["instances"].append(instances)
        a["workers"].append(workers)
        a["qcap"].append(qcap)
        a["dist"].append(dist)
        a["err"].append(err)
        a["skip_calls"].append(skip)
        a["fanout"].append(fanout)
        a["lb"].append(lb)
        a["arrival"].append(arrival)
        a["bp_offset"].append(bp_offset)
        a["bp_count"].append(bp_count)
        a["users"].append(users)
        a["think_dist"].append(think)
        rl = _policy(c, RateLimiterPolicy, None, options.resilience)
        a["rl_limit"].append(rl.limit_for_period if rl else 0)
        a["rl_period"].append(rl.limit_refresh_period if rl else 0.0)
        a["rl_timeout"].append(rl.timeout_duration if rl else 0.0)
        shed = _policy(c, LoadSheddingPolicy, None, options.resilience)
        a["shed_wait"].append(shed.max_queue_wait if shed and shed.max_queue_wait is not None else -1.0)
        a["shed_len"].append(shed.max_queue_length if shed and shed.max_queue_length is not None else -1)

    L = {k: [] for k in (
        "src", "dst", "dist", "prob", "count", "seed",
        "to", "to_cancel",
        "rt_max", "rt_wait", "rt_backoff", "rt_mult", "rt_max_wait", "rt_jitter", "rt_rand", "rt_on",
        "bud_kind", "bud_p0", "bud_p1",
        "cb_on", "cb_time", "cb_size", "cb_min", "cb_fr", "cb_sr", "cb_slow", "cb_wait", "cb_wait_mult", "cb_half",
        "cb_auto", "cb_half_wait", "cb_mask",
        "bh_max", "bh_wait", "fb_mask", "fb_dist",
    )}
    breaker_links = []
    for li, link in enumerate(links):
        src = comps[index[link.source]]
        L["src"].append(index[link.source])
        L["dst"].append(index[link.target])
        L["dist"].append(dists.add(link.latency))
        L["prob"].append(link.probability)
        L["count"].append(link.count)
        L["seed"].append(stream_seed(options.seed, "link", link.name))
        on = options.resilience
        to = _policy(src, TimeoutPolicy, link.target, on)
        L["to"].append(to.timeout if to else -1.0)
        L["to_cancel"].append(int(bool(to and to.cancel_on_timeout)))
        rt = _policy(src, RetryPolicy, link.target, on)
        L["rt_max"].append(rt.max_attempts if rt else 1)
        L["rt_wait"].append(rt.wait_duration if rt else 0.0)
        L["rt_backoff"].append(code(Backoff, rt.backoff) if rt else Backoff.BO_FIXED)
        L["rt_mult"].append(rt.multiplier if rt else 1.0)
        L["rt_max_wait"].append(rt.max_wait_duration if rt and rt.max_wait_duration else -1.0)
        L["rt_jitter"].append(code(Jitter, rt.jitter) if rt else Jitter.J_NONE)
        L["rt_rand"].append(rt.randomization_factor if rt else 0.0)
        L["rt_on"].append(outcome_mask(rt.retry_on) if rt else 0)
        budget = rt.budget if rt else None
        if isinstance(budget, GrpcRetryThrottling):
            L["bud_kind"].append(Budget.BUD_GRPC_THROTTLING)
            L["bud_p0"].append(budget.max_tokens)
            L["bud_p1"].append(budget.token_ratio)
        elif isinstance(budget, EnvoyRetryBudget):
            L["bud_kind"].append(Budget.BUD_ENVOY_BUDGET)
            L["bud_p0"].append(budget.budget_percent)
            L["bud_p1"].append(float(budget.min_retry_concurrency))
        else:
            L["bud_kind"].append(Budget.BUD_NONE)
            L["bud_p0"].append(0.0)
            L["bud_p1"].append(0.0)
        cb = _policy(src, CircuitBreakerPolicy, link.target, on)
        L["cb_on"].append(int(cb is not None))
        if cb is not None:
            breaker_links.append(li)
        L["cb_time"].append(code(Window, cb.sliding_window_type) if cb else Window.W_COUNT_BASED)
        L["cb_size"].append(cb.sliding_window_size if cb else 1)
        L["cb_min"].append(cb.minimum_number_of_calls if cb else 1)
        L["cb_fr"].append(cb.failure_rate_threshold if cb else 100.0)
        L["cb_sr"].append(cb.slow_call_rate_threshold if cb else 100.0)
        L["cb_slow"].append(cb.slow_call_duration_threshold if cb else 1e300)
        L["cb_wait"].append(cb.wait_duration_in_open_state if cb else 60.0)
        L["cb_wait_mult"].append(cb.wait_duration_multiplier if cb else 1.0)
        L["cb_half"].append(cb.permitted_number_of_calls_in_half_open_state if cb else 1)
        L["cb_auto"].append(int(cb.automatic_transition_from_open_to_half_open_enabled) if cb else 0)
        L["cb_half_wait"].append(cb.max_wait_duration_in_half_open_state if cb else 0.0)
        L["cb_mask"].append(outcome_mask(cb.record_outcomes) if cb else 0)
        bh = _policy(src, BulkheadPolicy, link.target, on)
        L["bh_max"].append(bh.max_concurrent_calls if bh else -1)
        L["bh_wait"].append(bh.max_wait_duration if bh else 0.0)
        fb = _policy(src, FallbackPolicy, link.target, on)
        L["fb_mask"].append(outcome_mask(fb.on) if fb else 0)
        L["fb_dist"].append(dists.add(fb.latency) if fb else -1)

    faults = [f for f in (experiment.faults if experiment and options.faults else []) if f.enabled]
    link_index = {l.name: i for i, l in enumerate(links)}
    F = {k: [] for k in (
        "kind", "comp", "link", "mode", "p0", "p1", "p2", "kill", "dist", "restart", "inst_first", "inst_count",
        "seed",
    )}
    fault_instances: list[int] = []
    actions: list[tuple[float, int, int]] = []
    seen_faults: dict[tuple[str, str], int] = {}
    for fi, fault in enumerate(faults):
        target = fault.target
        # the n-th fault of a kind on a target: stable when other faults are added or removed
        nth = seen_faults[(fault.kind, target)] = seen_faults.get((fault.kind, target), -1) + 1
        comp_i, link_i = -1, -1
        if "->" in target:
            link_i = link_index[LINK_ARROW.join(p.strip() for p in target.split("->"))]
        else:
            comp_i = index[target]
        F["kind"].append(code(FaultKind, fault.kind))
        F["comp"].append(comp_i)
        F["link"].append(link_i)
        F["seed"].append(stream_seed(options.seed, "fault", f"{fault.kind}@{target}#{nth}"))
        mode, p0, p1, p2, kill, dist, restart = 0, 0.0, 0.0, 0.0, 0.0, -1, 0.0
        chosen: list[int] = []
        if comp_i >= 0:
            inst0 = a["inst_offset"][comp_i]
            count = a["instances"][comp_i]
            chosen = [inst0 + k for k in range(count)]
        if isinstance(fault, CrashFault):
            mode = code(DownMode, fault.mode)
            restart = fault.restart_delay
            chosen = [a["inst_offset"][comp_i] + k for k in fault.instances.resolve(a["instances"][comp_i])]
        elif isinstance(fault, LatencyFault):
            dist, p0, mode = dists.add(fault.delay), fault.fraction, code(Direction, fault.direction)
        elif isinstance(fault, ExhaustionFault):
            mode = code(Resource, fault.resource)
            p0, p1, p2, kill = fault.factor, float(fault.pool_size), fault.leak_rate, fault.kill_factor
            restart = fault.restart_delay
        elif isinstance(fault, ErrorFault):
            p0 = fault.fraction
        elif isinstance(fault, PartitionFault):
            mode = code(DownMode, fault.mode)
        elif isinstance(fault, RandomFailuresFault):
            p0, p1 = fault.mtbf, fault.mttr
        F["restart"].append(restart)
        F["p2"].append(p2)
        F["kill"].append(kill)
        F["mode"].append(mode)
        F["p0"].append(p0)
        F["p1"].append(p1)
        F["dist"].append(dist)
        F["inst_first"].append(len(fault_instances))
        F["inst_count"].append(len(chosen))
        fault_instances.extend(chosen)
        for start, end in fault.windows(options.duration):
            actions.append((start, FaultAction.FA_START, fi))
            if end < options.duration or fault.duration is not None:
                actions.append((end, FaultAction.FA_END, fi))
    actions.sort()

    def arr(values, dtype):
        return np.ascontiguousarray(np.asarray(values, dtype=dtype).reshape(-1))

    arrays = {}
    for k, v in a.items():
        dtype = np.float64 if k in ("err", "skip_calls", "rl_period", "rl_timeout", "shed_wait") else np.int64
        arrays["c_" + k] = arr(v, dtype)
    float_link = {"prob", "to", "rt_wait", "rt_mult", "rt_max_wait", "rt_rand", "bud_p0", "bud_p1",
                  "cb_fr", "cb_sr", "cb_slow", "cb_wait", "cb_wait_mult", "cb_half_wait", "bh_wait"}
    for k, v in L.items():
        arrays["l_" + k] = arr(v, np.float64 if k in float_link else np.int64)
    float_fault = {"p0", "p1", "p2", "restart", "kill"}
    for k, v in F.items():
        arrays["f_" + k] = arr(v, np.float64 if k in float_fault else np.int64)
    arrays["f_instances"] = arr(fault_instances, np.int64)
    arrays["fa_time"] = arr([x[0] for x in actions], np.float64)
    arrays["fa_action"] = arr([x[1] for x in actions], np.int64)
    arrays["fa_fault"] = arr([x[2] for x in actions], np.int64)
    arrays["out_links"] = arr(out_links, np.int64)
    arrays["inst_comp"] = arr(inst_comp, np.int64)
    arrays["bp_t"] = arr(bp_t, np.float64)
    arrays["c_obj_offset"] = arr(obj_offset, np.int64)
    arrays["c_obj_count"] = arr(obj_count, np.int64)
    arrays["obj_thr"] = arr(obj_thr, np.float64)
    arrays["bp_r"] = arr(bp_r, np.float64)
    arrays["d_kind"] = arr(dists.kind, np.int64)
    arrays["d_p0"] = arr(dists.p0, np.float64)
    arrays["d_p1"] = arr(dists.p1, np.float64)
    arrays["d_points"] = arr(dists.points or [0.0], np.float64)

    n_buckets = int(math.ceil(options.duration / options.bucket - 1e-9))
    scalars = {
        "duration": options.duration, "warmup": options.warmup, "bucket": options.bucket,
        "n_buckets": n_buckets, "log_cap": options.event_log_cap,
    }
    return Compiled(
        component_names=[c.name for c in comps],
        component_kinds=[c.kind for c in comps],
        link_names=[l.name for l in links],
        fault_ids=[str(f.id) for f in faults],
        fault_titles=[f"{f.kind.replace('_', ' ')} on {f.target}" for f in faults],
        arrays=arrays,
        scalars=scalars,
        breaker_links=breaker_links,
        objectives=objectives,
    )


def _objective_threshold(objective) -> float:
    """The latency an objective's good requests may not exceed (inf: any latency)."""
    if objective.kind == "latency":
        return objective.threshold
    return math.inf if objective.latency_threshold is None else objective.latency_threshold
