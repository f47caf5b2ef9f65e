"""Components: the nodes of a design."""
from __future__ import annotations

import uuid
from typing import Annotated, Any, ClassVar, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .catalogue import LONGEST_RUN
from .distributions import Constant, Distribution, Exponential, format_seconds
from .objectives import Objective, RecoverySettings
from .refs import looks_like_id
from .resilience import Policy

FanOut = Literal["sequential", "parallel"]
# The engine counts requests in 32-bit fields: no count it holds may exceed this.
MAX_COUNT = 2**31 - 1


class Position(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)
    x: float = 0.0
    y: float = 0.0


class RateStep(BaseModel):
    """From ``at`` on, the rate is ``rate`` requests per second."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    kind: Literal["step"] = "step"
    at: float = Field(..., ge=0)
    rate: float = Field(..., ge=0)

    def describe(self) -> str:
        return f"step at {format_seconds(self.at)} to {_rate(self.rate)}"


class RateRamp(BaseModel):
    """From ``start`` to ``end`` the rate moves linearly to ``to_rate``, and stays there."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    kind: Literal["ramp"] = "ramp"
    start: float = Field(..., ge=0)
    end: float = Field(..., ge=0)
    to_rate: float = Field(..., ge=0)

    def describe(self) -> str:
        return f"ramp over {format_seconds(self.start)}–{format_seconds(self.end)} to {_rate(self.to_rate)}"

    @model_validator(mode="after")
    def _ordered(self):
        if self.end <= self.start:
            raise ValueError(f"end must be after start (got start {self.start:g} s, end {self.end:g} s)")
        return self


class RateSpike(BaseModel):
    """For ``duration`` seconds from ``at`` the rate is ``rate``, then it returns to what it was."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    kind: Literal["spike"] = "spike"
    at: float = Field(..., ge=0)
    duration: float = Field(..., gt=0)
    rate: float = Field(..., ge=0)

    def describe(self) -> str:
        return f"spike at {format_seconds(self.at)} to {_rate(self.rate)} for {format_seconds(self.duration)}"


def _rate(per_second: float) -> str:
    return f"{per_second:,.12g}/s"


RateChange = Annotated[RateStep | RateRamp | RateSpike, Field(discriminator="kind")]


def _change_start(change) -> float:
    return change.start if isinstance(change, RateRamp) else change.at


def _change_end(change) -> float:
    if isinstance(change, RateRamp):
        return change.end
    if isinstance(change, RateSpike):
        return change.at + change.duration
    return change.at


class OpenLoop(BaseModel):
    """Requests arrive regardless of how the system copes (Poisson or evenly spaced)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    type: Literal["open"] = "open"
    arrivals: Literal["poisson", "constant"] = Field(
        "poisson", title="Arrivals", description="how requests are spread in time",
        json_schema_extra={"choices": {"poisson": "Poisson (random)", "constant": "evenly spaced"}})
    rate: float = Field(10.0, ge=0, le=10_000_000, title="Rate", description="requests per second at the start",
                        json_schema_extra={"unit": "1/s"})
    schedule: list[RateChange] = Field(
        default_factory=list, max_length=10_000, title="Rate changes",
        description="step AT RATE (from AT s the rate is RATE/s), ramp START-END RATE (the rate moves to RATE/s "
                    "between START and END), spike AT DURATION RATE (RATE/s for DURATION s from AT); "
                    "several separated by ;. Times are in seconds unless given a unit (step 2 min 500)")

    def describe(self) -> str:
        changes = len(self.schedule)
        return (f"open loop of {_rate(self.rate)}" + (" evenly spaced" if self.arrivals == "constant" else "")
                + (f" with {changes} rate change{'s' if changes > 1 else ''}" if changes else ""))

    @model_validator(mode="after")
    def _changes_do_not_overlap(self):
        busy_until, previous = -1.0, None
        for change in sorted(self.schedule, key=_change_start):
            if _change_start(change) < busy_until:
                raise ValueError(
                    f"schedule: the {change.kind} at {_change_start(change):g} s begins before "
                    f"the {previous} ending at {busy_until:g} s is over"
                )
            busy_until, previous = _change_end(change), change.kind
        return self

    def rate_breakpoints(self, horizon: float) -> list[tuple[float, float]]:
        """Piecewise-linear rate as (time, rate) points, linear between consecutive points."""
        points = [(0.0, self.rate)]
        level = self.rate
        for change in sorted(self.schedule, key=_change_start):
            if isinstance(change, RateStep):
                points += [(change.at, level), (change.at, change.rate)]
                level = change.rate
            elif isinstance(change, RateRamp):
                points += [(change.start, level), (change.end, change.to_rate)]
                level = change.to_rate
            else:
                end = change.at + change.duration
                points += [(change.at, level), (change.at, change.rate), (end, change.rate), (end, level)]
        points.append((max(horizon, points[-1][0]), level))
        return points

    def mean_rate(self, horizon: float) -> float:
        pts = self.rate_breakpoints(horizon)
        area = sum((t1 - t0) * (r0 + r1) / 2 for (t0, r0), (t1, r1) in zip(pts, pts[1:]))
        return area / horizon if horizon > 0 else self.rate


class ClosedLoop(BaseModel):
    """N users, each sending a request, waiting for the answer, then thinking."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    type: Literal["closed"] = "closed"
    users: int = Field(10, ge=1, le=1_000_000, title="Users",
                       description="concurrent users, each with one request in flight",
                       json_schema_extra={"unit": "users"})
    think_time: Distribution = Field(default_factory=lambda: Exponential(mean_=1.0), title="Think time",
                                     description="pause between a user's answer and the next request",
                                     json_schema_extra={"shown_in": "s"})

    def describe(self) -> str:
        return f"closed loop of {self.users:,} users thinking {self.think_time.describe()}"


Workload = Annotated[OpenLoop | ClosedLoop, Field(discriminator="type")]

_NAME_FORBIDDEN = set('"\n\r\t')


def _more_log_kinds(rest: Any) -> tuple[str, ...]:
    """The log kinds the classes after one in a component's bases add, if any has some."""
    more = getattr(rest, "log_kinds", None)
    return more() if more is not None else ()


class _Component(BaseModel):
    """What every component has, and the facts of its kind that every view reads.

    A kind states its facts once, here on its class: ``label`` (a title), ``help`` (one sentence),
    ``icon`` (the drawing in resources/icons), ``colour`` (the hue its icon, node stripe and palette
    entry share) and ``shown_elsewhere`` (fields a pane edits in its own way, not as a form row).
    """

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, validate_assignment=True)
    label: ClassVar[str]
    help: ClassVar[str]
    icon: ClassVar[str]
    colour: ClassVar[str]
    # instance_zones, where a kind has it, is a list per instance edited in the design's JSON
    shown_elsewhere: ClassVar[tuple[str, ...]] = ("id", "kind", "position", "policies", "instance_zones")

    id: uuid.UUID = Field(default_factory=uuid.uuid4)
    name: str = Field(..., min_length=1, max_length=64, title="Name",
                      description="unique within the design; links, faults and policy scopes refer to it")
    position: Position = Field(default_factory=Position)
    policies: list[Policy] = Field(default_factory=list)
    kind: str  # each kind narrows it to its own word, its Literal's default

    @field_validator("name")
    @classmethod
    def _clean_name(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("name must not be empty")
        if "->" in value or any(ch in _NAME_FORBIDDEN for ch in value):
            raise ValueError(f'name may not contain quotes, tabs, line breaks or "->" (got {value!r})')
        if looks_like_id(value):
            # References hold ids; a name that reads as one would be taken for one.
            raise ValueError(f"name may not have the form of an id (got {value!r})")
        return value

    @classmethod
    def parameters(cls) -> list[str]:
        """The fields a form shows, in its order: the name, then the kind's own fields, then shared groups'."""
        names = [n for n in cls.model_fields if n not in cls.shown_elsewhere]
        common = [n for n in names if n in _Component.model_fields]
        own = [n for n in names if n not in common and n in vars(cls).get("__annotations__", {})]
        return common + own + [n for n in names if n not in common and n not in own]

    # What the canvas shows under the name.
    def key_figures(self) -> str:
        return ""

    @property
    def calls_out(self) -> bool:
        """Whether this kind may have outgoing links."""
        return True

    def log_kinds(self) -> tuple[str, ...]:
        """The event-log kinds (engine.events) the component writes of itself (its policies' are the
        policies'): each shared group of fields (``Queueing``, ``Calling``) adds its own."""
        return _more_log_kinds(super())


QueueDiscipline = Literal["fifo", "lifo", "adaptive_lifo", "codel"]


class Queueing(BaseModel):
    """The discipline of the queue in front of each instance's workers."""

    queue_discipline: QueueDiscipline = Field(
        "fifo", title="Queue discipline",
        description="which waiting request a free worker takes; adaptive LIFO serves FIFO until the queue has "
                    "stood for 'LIFO after', then newest first (Maurer, \"Fail at Scale\"); CoDel serves FIFO "
                    "and drops, as load shed, requests that waited past its target once waits stayed above it "
                    "for an interval (Nichols & Jacobson, \"Controlling Queue Delay\")",
        json_schema_extra={"choices": {"fifo": "FIFO (oldest first)", "lifo": "LIFO (newest first)",
                                       "adaptive_lifo": "adaptive LIFO", "codel": "CoDel (drops long waits)"}},
    )
    codel_target: float = Field(
        0.005, gt=0, le=3600, title="CoDel target",
        json_schema_extra={"unit": "s", "shown_when": {"queue_discipline": ["codel"]}},
        description="CoDel's target (default 5 ms): the queue wait a request may have without counting "
                    "toward a standing queue",
    )
    codel_interval: float = Field(
        0.1, gt=0, le=3600, title="CoDel interval",
        json_schema_extra={"unit": "s", "shown_when": {"queue_discipline": ["codel"]}},
        description="CoDel's interval (default 100 ms): waits above target this long start the drops, "
                    "which then come interval/sqrt(count) apart",
    )
    lifo_after: float = Field(
        0.1, ge=0, le=3600, title="LIFO after",
        json_schema_extra={"unit": "s", "shown_when": {"queue_discipline": ["adaptive_lifo"]}},
        description="adaptive LIFO (default 100 ms, CoDel's interval in \"Fail at Scale\"): serve newest "
                    "first once the queue has been non-empty this long; back to FIFO when it empties",
    )

    def log_kinds(self) -> tuple[str, ...]:
        own = {"codel": ("codel_dropping_began", "codel_dropping_ended"),
               "adaptive_lifo": ("adaptive_lifo_began", "adaptive_lifo_ended")}.get(self.queue_discipline, ())
        return (*own, *_more_log_kinds(super()))


# Fields several kinds share, stated once; each call makes a fresh FieldInfo for its class.
def _instances(pool: str = "workers") -> Any:
    return Field(1, ge=1, le=10_000, title="Instances",
                 description=f"replicas, each with its own {pool} and queue", json_schema_extra={"unit": "instances"})


def _queue_capacity() -> Any:
    return Field(None, ge=0, le=MAX_COUNT, title="Queue capacity",
                 description="requests waiting per instance; empty means unbounded",
                 json_schema_extra={"unit": "requests"})


def _error_probability() -> Any:
    return Field(0.0, ge=0, le=1, title="Error rate",
                 description="chance that a request fails by itself (application error)",
                 json_schema_extra={"unit": "ratio"})


def _fan_out() -> Any:
    return Field("sequential", title="Dependency calls",
                 description="sequential calls add up; parallel calls wait for the slowest")


CallMode = Literal["blocking", "non_blocking"]


class Calling(BaseModel):
    """Whether a worker waits on its dependency calls, and what an asynchronous one does after."""

    call_mode: CallMode = Field(
        "blocking", title="Calls",
        description="blocking: the worker waits while the dependency calls are out (thread per request); "
                    "non-blocking: the worker is freed once its own work is done and the calls are out, "
                    "and the request queues for a worker again when the answers are in (an event loop)",
        json_schema_extra={"choices": {"blocking": "blocking (holds the worker)",
                                       "non_blocking": "non-blocking (frees the worker)"}},
    )
    max_outstanding: int | None = Field(
        None, ge=1, le=MAX_COUNT, title="Max outstanding",
        description="non-blocking: requests per instance that may wait on their calls without a worker; "
                    "beyond it a request keeps its worker while it waits, as a blocking one does "
                    "(Netty's and Reactor's bounded concurrency); empty means unbounded",
        json_schema_extra={"unit": "requests", "shown_when": {"call_mode": ["non_blocking"]}},
    )
    continuation_time: Distribution = Field(
        default_factory=lambda: Constant(value=0.0), title="Continuation time",
        description="non-blocking: the work done once the answers are in, for which the request queues "
                    "for a worker again; a continuation of no time is answered without a worker",
        json_schema_extra={"unit": "s", "shown_when": {"call_mode": ["non_blocking"]}},
    )

    def log_kinds(self) -> tuple[str, ...]:
        limited = self.call_mode == "non_blocking" and self.max_outstanding is not None
        own = ("outstanding_limit_reached", "outstanding_limit_ended") if limited else ()
        return (*own, *_more_log_kinds(super()))


#: zones are numbered 1..MAX_ZONES across a design: zone 2 of one service is zone 2 of another
MAX_ZONES = 64


class Zoned(BaseModel):
    """Where a component's instances run: failure domains (availability zones) that a zone
    outage takes down together. Kubernetes spreads replicas evenly over zones
    (topologySpreadConstraints on topology.kubernetes.io/zone); ``instance_zones`` pins them."""

    zones: int = Field(
        1, ge=1, le=MAX_ZONES, title="Zones", json_schema_extra={"unit": "zones"},
        description="zones its instances are spread over: instance k runs in zone k mod zones + 1",
    )
    instance_zones: list[Annotated[int, Field(ge=1, le=MAX_ZONES)]] | None = Field(
        None, max_length=10_000, title="Zone of each instance",
        description="the zone of each instance in order; empty means spread over 'zones'",
    )
    zone_aware: bool = Field(
        # a caller's setting: a database calls nothing, so it has no calls to keep in its zone
        False, title="Zone-aware calls", json_schema_extra={"shown_when": {"kind": ["service", "cache"]}},
        description="each instance calls its dependencies' instances in its own zone while any there takes "
                    "requests, and the other zones only when none does (Istio locality failover)",
    )

    def zone_of(self, instance: int) -> int:
        """The zone (from 1) instance ``instance`` (from 0) runs in; instances an autoscaler adds
        beyond those pinned are spread over ``zones``."""
        if self.instance_zones is not None and instance < len(self.instance_zones):
            return self.instance_zones[instance]
        return instance % self.zones + 1

    @model_validator(mode="after")
    def _a_zone_per_instance(self):
        instances = getattr(self, "instances", 1)
        if self.instance_zones is not None and len(self.instance_zones) != instances:
            raise ValueError(f"instance_zones names {len(self.instance_zones)} zones for {instances} instances; "
                             "give one per instance")
        return self


# The autoscaler's settings change nothing while it is off: its form shows them once it is on.
_WHILE_AUTOSCALING: dict[str, Any] = {"shown_when": {"enabled": [True]}}


class Autoscaler(BaseModel):
    """The Kubernetes horizontal pod autoscaler on average utilisation (autoscaling/v2), with its
    defaults: desired = ceil(current x utilisation / target), left alone within the tolerance,
    scale-down to the highest recommendation of the stabilisation window."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, validate_assignment=True)
    enabled: bool = Field(False, title="Autoscale",
                          description="add and remove instances with the load (Kubernetes HorizontalPodAutoscaler)")
    min_replicas: int = Field(1, ge=1, le=10_000, title="Min replicas",
                              json_schema_extra={"unit": "instances", **_WHILE_AUTOSCALING},
                              description="never fewer instances (HPA minReplicas, default 1)")
    max_replicas: int = Field(10, ge=1, le=10_000, title="Max replicas",
                              json_schema_extra={"unit": "instances", **_WHILE_AUTOSCALING},
                              description="never more instances (HPA maxReplicas)")
    target_utilization: float = Field(
        80.0, gt=0, le=100, title="Target utilisation", json_schema_extra={"unit": "%", **_WHILE_AUTOSCALING},
        description="average busy share of the ready instances' workers to aim at (HPA averageUtilization; "
                    "kubectl autoscale's default 80 %)")
    tolerance: float = Field(
        0.1, ge=0, le=1, title="Tolerance", json_schema_extra={"unit": "ratio", **_WHILE_AUTOSCALING},
        description="no change while utilisation is within this share of the target, above or below it "
                    "(--horizontal-pod-autoscaler-tolerance, default 10 %)")
    sync_period: float = Field(
        15.0, gt=0, le=LONGEST_RUN, title="Sync period", json_schema_extra={"unit": "s", **_WHILE_AUTOSCALING},
        description="how often the autoscaler measures and decides (--horizontal-pod-autoscaler-sync-period, "
                    "default 15 s)")
    scale_down_stabilization: float = Field(
        300.0, ge=0, le=LONGEST_RUN, title="Scale-down stabilisation",
        json_schema_extra={"unit": "s", **_WHILE_AUTOSCALING},
        description="scale down only to the highest recommendation of this window "
                    "(behavior.scaleDown.stabilizationWindowSeconds, default 300 s)")
    scale_up_stabilization: float = Field(
        0.0, ge=0, le=LONGEST_RUN, title="Scale-up stabilisation",
        json_schema_extra={"unit": "s", **_WHILE_AUTOSCALING},
        description="scale up only to the lowest recommendation of this window "
                    "(behavior.scaleUp.stabilizationWindowSeconds, default 0 s)")
    startup_time: float = Field(
        30.0, ge=0, le=LONGEST_RUN, title="Start-up time", json_schema_extra={"unit": "s", **_WHILE_AUTOSCALING},
        description="from the decision to add an instance until it is ready and takes requests "
                    "(scheduling, image pull, start and readiness probe)")

    @model_validator(mode="after")
    def _bounds_in_order(self):
        if self.min_replicas > self.max_replicas:
            raise ValueError(f"min_replicas {self.min_replicas} is above max_replicas {self.max_replicas}")
        return self


class Client(_Component):
    """A workload source; records the end-to-end latency and outcome of every request."""

    kind: Literal["client"] = "client"
    label = "Client"
    help = "Sends requests: open loop (a rate) or closed loop (users with think time)."
    icon = "client"
    colour = "#3b6fb6"
    shown_elsewhere = (*_Component.shown_elsewhere, "objectives", "recovery")

    workload: Workload = Field(
        default_factory=OpenLoop, title="Workload",
        description="open loop: requests arrive whatever happens; closed loop: each user waits for the answer, "
                    "then thinks",
        json_schema_extra={"choices": {"open": "open loop (a rate)", "closed": "closed loop (users)"}})
    fan_out: FanOut = _fan_out()
    objectives: list[Objective] = Field(
        default_factory=list, max_length=100, title="Objectives",
        description="service-level objectives of this user journey, judged over the measured run",
    )
    recovery: RecoverySettings = Field(
        default_factory=RecoverySettings, title="Recovery",
        description="when this journey counts as recovered after a fault ends",
    )

    def key_figures(self) -> str:
        w = self.workload
        if isinstance(w, OpenLoop):
            return f"{w.rate:g}/s {w.arrivals}"
        return f"{w.users} users"


class LoadBalancer(_Component):
    """Forwards each request to one instance of its targets."""

    kind: Literal["load_balancer"] = "load_balancer"
    label = "Load balancer"
    help = "Forwards each request to one of its targets."
    icon = "load_balancer"
    colour = "#2f8f8a"

    strategy: Literal["round_robin", "random", "least_outstanding", "power_of_two"] = Field(
        "round_robin", title="Strategy", description="how the balancer picks the target instance of each request",
        json_schema_extra={"choices": {"round_robin": "round robin", "random": "random",
                                       "least_outstanding": "least outstanding requests",
                                       "power_of_two": "power of two choices"}})

    def key_figures(self) -> str:
        return self.strategy.replace("_", " ")


class Service(_Component, Queueing, Calling, Zoned):
    """Instances x workers, a queue per instance, dependency calls holding the worker (or not)."""

    kind: Literal["service"] = "service"
    label = "Service"
    help = "Instances x workers, a queue per instance, calls to its dependencies."
    icon = "service"
    colour = "#3f8f3a"

    instances: int = _instances()
    workers: int = Field(8, ge=1, le=100_000, title="Workers",
                         description="threads per instance; a worker is held while it waits on dependencies",
                         json_schema_extra={"unit": "workers"})
    queue_capacity: int | None = _queue_capacity()
    service_time: Distribution = Field(default_factory=lambda: Exponential(mean_=0.01), title="Service time",
                                       description="own CPU time per request, without dependency calls")
    error_probability: float = _error_probability()
    fan_out: FanOut = _fan_out()
    autoscaling: Autoscaler = Field(default_factory=Autoscaler, title="Autoscaling",
                                    description="instances added and removed with the load; 'instances' is where "
                                                "it starts")

    @model_validator(mode="after")
    def _starts_within_bounds(self):
        a = self.autoscaling
        if a.enabled and not a.min_replicas <= self.instances <= a.max_replicas:
            raise ValueError(f"instances {self.instances} must lie between the autoscaler's min_replicas "
                             f"{a.min_replicas} and max_replicas {a.max_replicas}")
        return self

    def key_figures(self) -> str:
        return f"{self.instances} x {self.workers} workers"

    def log_kinds(self) -> tuple[str, ...]:
        return (*super().log_kinds(), *(("scaled",) if self.autoscaling.enabled else ()))


class Database(_Component, Queueing, Zoned):
    """A connection pool in front of queries; makes no calls of its own."""

    kind: Literal["database"] = "database"
    label = "Database"
    help = "A connection pool in front of queries; calls nothing."
    icon = "database"
    colour = "#8a4f9e"

    instances: int = _instances("connections")
    connections: int = Field(20, ge=1, le=100_000, title="Connections", description="connection pool size per instance",
                             json_schema_extra={"unit": "connections"})
    queue_capacity: int | None = _queue_capacity()
    query_time: Distribution = Field(default_factory=lambda: Exponential(mean_=0.005), title="Query time",
                                     description="time a query holds its connection")
    error_probability: float = _error_probability()

    @property
    def calls_out(self) -> bool:
        return False

    def key_figures(self) -> str:
        return f"{self.instances} x {self.connections} conns"


class Cache(_Component, Queueing, Calling, Zoned):
    """Hits answer fast; misses are forwarded to the cache's dependency."""

    kind: Literal["cache"] = "cache"
    label = "Cache"
    help = "Answers hits fast; forwards misses to its backing store."
    icon = "cache"
    colour = "#c9701a"

    instances: int = _instances()
    workers: int = Field(64, ge=1, le=100_000, title="Workers", description="concurrent lookups per instance",
                         json_schema_extra={"unit": "workers"})
    queue_capacity: int | None = _queue_capacity()
    hit_ratio: float = Field(0.85, ge=0, le=1, title="Hit ratio",
                             description="share of lookups answered from the cache; misses go to its dependency",
                             json_schema_extra={"unit": "ratio"})
    hit_time: Distribution = Field(default_factory=lambda: Constant(value=0.0005), title="Hit time",
                                   description="time to answer a hit")
    error_probability: float = _error_probability()

    def key_figures(self) -> str:
        return f"hit {self.hit_ratio * 100:.0f} %"


class Queue(_Component, Queueing, Calling):
    """Asynchronous hand-off: the producer's call completes on enqueue; consumers drain it."""

    kind: Literal["queue"] = "queue"
    label = "Queue"
    help = "Asynchronous hand-off with a bounded buffer and consumers."
    icon = "queue"
    colour = "#8b6a4f"

    capacity: int = Field(1000, ge=1, le=100_000_000, title="Buffer",
                          description="messages the queue holds; a full queue rejects",
                          json_schema_extra={"unit": "messages"})
    consumers: int = Field(4, ge=1, le=100_000, title="Consumers", description="messages processed at once",
                           json_schema_extra={"unit": "consumers"})
    process_time: Distribution = Field(default_factory=lambda: Constant(value=0.001), title="Process time",
                                       description="consumer time per message, before its own calls")
    error_probability: float = _error_probability()
    fan_out: FanOut = _fan_out()

    def key_figures(self) -> str:
        return f"{self.capacity} buf, {self.consumers} consumers"


class External(_Component):
    """A third-party dependency: latency and errors, no capacity limit."""

    kind: Literal["external"] = "external"
    label = "External API"
    help = "A third-party dependency: latency and errors, no capacity limit."
    icon = "external"
    colour = "#6b6f76"

    latency: Distribution = Field(default_factory=lambda: Exponential(mean_=0.1), title="Latency",
                                  description="response time of the third party (no capacity limit)")
    error_probability: float = _error_probability()

    @property
    def calls_out(self) -> bool:
        return False

    def key_figures(self) -> str:
        return self.latency.describe()


Component = Annotated[
    Client | LoadBalancer | Service | Database | Cache | Queue | External,
    Field(discriminator="kind"),
]

# Read off the union, in its order (the palette's and the menus'), as the fault and policy kinds are.
COMPONENT_CLASSES: dict[str, type[_Component]] = {
    cls.model_fields["kind"].default: cls for cls in get_args(get_args(Component)[0])
}
COMPONENT_KINDS = tuple(COMPONENT_CLASSES)
