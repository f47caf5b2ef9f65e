"""Components: the nodes of a design."""
from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .distributions import Constant, Distribution, Exponential
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


class RateRamp(BaseModel):
    """From ``start`` to ``end`` the rate moves linearly to ``to_rate``, and stays there."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    kind: Literal["ramp"] = "ramp"
    start: float = Field(..., ge=0)
    end: float = Field(..., ge=0)
    to_rate: float = Field(..., ge=0)

    @model_validator(mode="after")
    def _ordered(self):
        if self.end <= self.start:
            raise ValueError(f"end must be after start (got start {self.start}, end {self.end})")
        return self


class RateSpike(BaseModel):
    """For ``duration`` seconds from ``at`` the rate is ``rate``, then it returns to what it was."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    kind: Literal["spike"] = "spike"
    at: float = Field(..., ge=0)
    duration: float = Field(..., gt=0)
    rate: float = Field(..., ge=0)


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
    arrivals: Literal["poisson", "constant"] = "poisson"
    rate: float = Field(10.0, ge=0, le=10_000_000, description="requests per second")
    schedule: list[RateChange] = Field(default_factory=list, max_length=10_000)

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
    users: int = Field(10, ge=1, le=1_000_000)
    think_time: Distribution = Field(default_factory=lambda: Exponential(mean_=1.0))


Workload = Annotated[OpenLoop | ClosedLoop, Field(discriminator="type")]

_NAME_FORBIDDEN = set('"\n\r\t')


class _Component(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, validate_assignment=True)

    id: uuid.UUID = Field(default_factory=uuid.uuid4)
    name: str = Field(..., min_length=1, max_length=64)
    position: Position = Field(default_factory=Position)
    policies: list[Policy] = Field(default_factory=list)

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

    # What the canvas shows under the name.
    def key_figures(self) -> str:
        return ""

    @property
    def calls_out(self) -> bool:
        """Whether this kind may have outgoing links."""
        return True


QueueDiscipline = Literal["fifo", "lifo", "adaptive_lifo", "codel"]


class Queueing(BaseModel):
    """The discipline of the queue in front of each instance's workers."""

    queue_discipline: QueueDiscipline = Field(
        "fifo", title="Queue discipline",
        description="which waiting request a free worker takes: fifo (oldest first), lifo (newest first), "
                    "adaptive_lifo (FIFO until the queue has stood for 'LIFO after', then newest first; "
                    "Maurer, Fail at Scale), codel (FIFO, dropping requests that waited past 'target' "
                    "once the queue has stood for 'interval'; Nichols & Jacobson)",
    )
    codel_target: float = Field(
        0.005, gt=0, le=3600, title="CoDel target", json_schema_extra={"unit": "s"},
        description="CoDel 'target' (default 5 ms): the queue wait a request may have without counting "
                    "toward a standing queue",
    )
    codel_interval: float = Field(
        0.1, gt=0, le=3600, title="CoDel interval", json_schema_extra={"unit": "s"},
        description="CoDel 'interval' (default 100 ms): how long waits must stay above target before "
                    "dropping begins; drops then come interval/sqrt(count) apart",
    )
    lifo_after: float = Field(
        0.1, ge=0, le=3600, title="LIFO after", json_schema_extra={"unit": "s"},
        description="adaptive LIFO: serve newest first once the queue has been non-empty this long "
                    "(Fail at Scale's CoDel interval, 100 ms by default)",
    )


class Client(_Component):
    """A workload source; records the end-to-end latency and outcome of every request."""

    kind: Literal["client"] = "client"
    workload: Workload = Field(default_factory=OpenLoop)
    fan_out: FanOut = "sequential"
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
    strategy: Literal["round_robin", "random", "least_outstanding", "power_of_two"] = "round_robin"

    def key_figures(self) -> str:
        return self.strategy.replace("_", " ")


class Service(_Component, Queueing):
    """Instances x workers, a queue per instance, dependency calls holding the worker."""

    kind: Literal["service"] = "service"
    instances: int = Field(1, ge=1, le=10_000)
    workers: int = Field(8, ge=1, le=100_000)
    queue_capacity: int | None = Field(None, ge=0, le=MAX_COUNT, description="empty means unbounded")
    service_time: Distribution = Field(default_factory=lambda: Exponential(mean_=0.01))
    error_probability: float = Field(0.0, ge=0, le=1)
    fan_out: FanOut = "sequential"

    def key_figures(self) -> str:
        return f"{self.instances} x {self.workers} workers"


class Database(_Component, Queueing):
    """A connection pool in front of queries; makes no calls of its own."""

    kind: Literal["database"] = "database"
    instances: int = Field(1, ge=1, le=10_000)
    connections: int = Field(20, ge=1, le=100_000)
    queue_capacity: int | None = Field(None, ge=0, le=MAX_COUNT)
    query_time: Distribution = Field(default_factory=lambda: Exponential(mean_=0.005))
    error_probability: float = Field(0.0, ge=0, le=1)

    @property
    def calls_out(self) -> bool:
        return False

    def key_figures(self) -> str:
        return f"{self.instances} x {self.connections} conns"


class Cache(_Component, Queueing):
    """Hits answer fast; misses are forwarded to the cache's dependency."""

    kind: Literal["cache"] = "cache"
    instances: int = Field(1, ge=1, le=10_000)
    workers: int = Field(64, ge=1, le=100_000)
    queue_capacity: int | None = Field(None, ge=0, le=MAX_COUNT)
    hit_ratio: float = Field(0.85, ge=0, le=1)
    hit_time: Distribution = Field(default_factory=lambda: Constant(value=0.0005))
    error_probability: float = Field(0.0, ge=0, le=1)

    def key_figures(self) -> str:
        return f"hit {self.hit_ratio * 100:.0f} %"


class Queue(_Component, Queueing):
    """Asynchronous hand-off: the producer's call completes on enqueue; consumers drain it."""

    kind: Literal["queue"] = "queue"
    capacity: int = Field(1000, ge=1, le=100_000_000)
    consumers: int = Field(4, ge=1, le=100_000)
    process_time: Distribution = Field(default_factory=lambda: Constant(value=0.001))
    error_probability: float = Field(0.0, ge=0, le=1)
    fan_out: FanOut = "sequential"

    def key_figures(self) -> str:
        return f"{self.capacity} buf, {self.consumers} consumers"


class External(_Component):
    """A third-party dependency: latency and errors, no capacity limit."""

    kind: Literal["external"] = "external"
    latency: Distribution = Field(default_factory=lambda: Exponential(mean_=0.1))
    error_probability: float = Field(0.0, ge=0, le=1)

    @property
    def calls_out(self) -> bool:
        return False

    def key_figures(self) -> str:
        return self.latency.describe()


Component = Annotated[
    Client | LoadBalancer | Service | Database | Cache | Queue | External,
    Field(discriminator="kind"),
]

COMPONENT_KINDS = ("client", "load_balancer", "service", "database", "cache", "queue", "external")
COMPONENT_CLASSES = {
    "client": Client,
    "load_balancer": LoadBalancer,
    "service": Service,
    "database": Database,
    "cache": Cache,
    "queue": Queue,
    "external": External,
}
