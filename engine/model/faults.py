"""Faults, scheduled in chaos experiments. Times are simulated seconds."""
from __future__ import annotations

import uuid
from typing import Annotated, ClassVar, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .catalogue import LONGEST_RUN
from .distributions import Constant, Distribution
from .refs import Ref

# What the two crash modes do, said once for a crash and a zone outage. A refusing instance is
# passed over by every caller at once (perfect health checks, README): only the calls it held,
# or calls with no instance left, fail; a hung one keeps being picked.
REFUSE_OR_HANG = ("refuse: the calls it holds fail 'unavailable' at once and new calls go to the "
                  "instances still up (or fail at once if none is); hang: calls sit until the caller's timeout")


class InstanceSelector(BaseModel):
    """Which instances of a component a fault hits: a count, a fraction or explicit indices."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    count: int | None = Field(None, ge=1, le=10_000)
    fraction: float | None = Field(None, ge=0, le=1)
    indices: list[Annotated[int, Field(ge=0, lt=10_000)]] | None = Field(None, max_length=10_000)

    @model_validator(mode="after")
    def _one_way(self):
        given = [v is not None for v in (self.count, self.fraction, self.indices)]
        if sum(given) > 1:
            raise ValueError("give only one of count, fraction or indices")
        return self

    def resolve(self, instances: int) -> list[int]:
        """The instance indices selected out of ``instances``; all when nothing is given."""
        if self.indices is not None:
            return sorted(set(self.indices))
        if self.count is not None:
            return list(range(min(self.count, instances)))
        if self.fraction is not None:
            return list(range(int(round(self.fraction * instances))))
        return list(range(instances))


class _Fault(BaseModel):
    """What every fault has: a target, a window, and the facts of its kind that every view reads.

    A kind states its facts once, here on its class: ``label`` (a title), ``help`` (one sentence),
    ``badge`` (the canvas word), ``on_links`` / ``on_components`` (what it may target),
    ``needs_instances`` (it hits a component's own instances, which clients and load balancers lack),
    ``takes_away`` (while it lasts, what it hits answers nothing: only a fallback answers for it),
    and ``logs`` (the event-log kinds it can write).
    """

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, validate_assignment=True)
    label: ClassVar[str]
    help: ClassVar[str]
    badge: ClassVar[str]
    on_links: ClassVar[bool] = False
    on_components: ClassVar[bool] = True
    needs_instances: ClassVar[bool] = False
    takes_away: ClassVar[bool] = False
    # The event-log kinds (engine.events) a fault of this kind writes besides its start and end.
    logs: ClassVar[tuple[str, ...]] = ()

    id: uuid.UUID = Field(default_factory=uuid.uuid4)
    target: Ref = Field(..., title="Target",
                        description='the component or link the fault hits, by id; a file written by hand may '
                                    'name a component, or a link "a -> b"')
    start: float = Field(0.0, ge=0, le=LONGEST_RUN, title="Start", description="when the fault begins, in run time",
                         json_schema_extra={"unit": "s"})
    duration: float | None = Field(None, gt=0, le=LONGEST_RUN, title="Duration",
                                   description="how long it lasts; empty means until the end",
                                   json_schema_extra={"unit": "s"})
    period: float | None = Field(None, gt=0, le=LONGEST_RUN, title="Repeat every",
                                 description="start the fault again every period; empty means once",
                                 json_schema_extra={"unit": "s"})
    enabled: bool = Field(True, title="Enabled",
                          description="a disabled fault stays in the experiment but is not injected")

    def log_kinds(self) -> tuple[str, ...]:
        """The event-log kinds this fault can write in a run."""
        return ("fault_started", "fault_ended", *self.logs)

    @model_validator(mode="after")
    def _period_fits(self):
        if self.period is not None:
            if self.duration is None:
                raise ValueError("a repeating fault needs a duration")
            if self.period <= self.duration:
                raise ValueError(
                    f"period must be longer than duration (got period {self.period}, duration {self.duration})"
                )
        return self

    @property
    def title(self) -> str:
        """The kind as prose ("random failures"), for sentences about this fault."""
        return self.kind.replace("_", " ")  # type: ignore[attr-defined]

    @classmethod
    def targets_phrase(cls) -> str:
        """What a fault of this kind can aim at, in words: "a link", "a component or link", ..."""
        if not cls.on_components:
            return "a link"
        what = "a service, database, cache, queue or external component" if cls.needs_instances else "a component"
        return what + (" or link" if cls.on_links else "")

    def windows(self, run_end: float) -> list[tuple[float, float]]:
        """The (start, end) windows this fault is active in, clipped to the run."""
        end = self.start + self.duration if self.duration is not None else run_end
        if self.period is None or self.duration is None:
            # (the validator gives every repeating fault a duration)
            return [(self.start, min(end, run_end))] if self.start < run_end else []
        out: list[tuple[float, float]] = []
        t = self.start
        while t < run_end and len(out) < 10_000:
            out.append((t, min(t + self.duration, run_end)))
            t += self.period
        return out


class CrashFault(_Fault):
    kind: Literal["crash"] = "crash"
    label = "Component crash"
    help = "Instances stop: callers are refused at once, or hang until they time out."
    badge = "crash"
    needs_instances = True
    takes_away = True
    logs = ("instance_crashed", "instance_restarted")
    instances: InstanceSelector = Field(default_factory=InstanceSelector, title="Instances",
                                        description="which instances crash")
    mode: Literal["refuse", "hang"] = Field(
        "refuse", title="Crash mode",
        description=REFUSE_OR_HANG,
        json_schema_extra={"choices": {"refuse": "refuse at once", "hang": "hang until callers time out"}})
    restart_delay: float = Field(0.0, ge=0, le=LONGEST_RUN, title="Restart delay",
                                 description="cold start after the window ends", json_schema_extra={"unit": "s"})


class LatencyFault(_Fault):
    kind: Literal["latency"] = "latency"
    label = "Network latency"
    help = "Extra delay on a link, or on every call into a component."
    badge = "slow"
    on_links = True
    delay: Distribution = Field(default_factory=lambda: Constant(value=0.3), title="Added delay",
                                description="extra latency per affected call")
    fraction: float = Field(1.0, ge=0, le=1, title="Affected calls", description="share of calls delayed",
                            json_schema_extra={"unit": "ratio"})
    direction: Literal["request", "response", "both"] = Field(
        "request", title="Direction", description="which way of the call is delayed")


class ExhaustionFault(_Fault):
    kind: Literal["exhaustion"] = "exhaustion"
    label = "Resource exhaustion"
    help = "CPU slowdown, a shrunken pool, or a memory leak that ends in a crash."
    badge = "exhaust"
    needs_instances = True
    resource: Literal["cpu", "pool", "memory_leak"] = Field(
        "cpu", title="Resource", description="what runs out",
        json_schema_extra={"choices": {"cpu": "CPU (slower service)", "pool": "worker or connection pool",
                                       "memory_leak": "memory leak"}})
    factor: float = Field(2.0, ge=1, le=1000, title="CPU factor", description="cpu: service time is multiplied by this",
                          json_schema_extra={"unit": "x", "shown_when": {"resource": ["cpu"]}})
    pool_size: int = Field(1, ge=0, le=100_000, title="Pool left",
                           description="pool: workers or connections left per instance",
                           json_schema_extra={"unit": "workers", "shown_when": {"resource": ["pool"]}})
    leak_rate: float = Field(0.05, gt=0, le=1000, title="Leak rate",
                             description="memory_leak: slowdown added per second of uptime",
                             json_schema_extra={"unit": "1/s", "shown_when": {"resource": ["memory_leak"]}})
    kill_factor: float = Field(4.0, gt=1, le=1000, title="Killed at",
                               description="memory_leak: the slowdown at which the instance is killed",
                               json_schema_extra={"unit": "x", "shown_when": {"resource": ["memory_leak"]}})
    restart_delay: float = Field(5.0, ge=0, le=LONGEST_RUN, title="Restart delay",
                                 description="memory_leak: time to restart after the kill",
                                 json_schema_extra={"unit": "s", "shown_when": {"resource": ["memory_leak"]}})

    def log_kinds(self) -> tuple[str, ...]:
        leak = ("oom_killed", "instance_crashed", "instance_restarted") if self.resource == "memory_leak" else ()
        return (*super().log_kinds(), *leak)


class ErrorFault(_Fault):
    kind: Literal["error"] = "error"
    label = "Error injection"
    help = "A share of calls fails with an application error."
    badge = "errors"
    on_links = True
    fraction: float = Field(0.5, ge=0, le=1, title="Failed calls", description="share of calls aborted with an error",
                            json_schema_extra={"unit": "ratio"})


class PartitionFault(_Fault):
    kind: Literal["partition"] = "partition"
    label = "Partition"
    help = "A link drops everything."
    badge = "cut"
    on_links = True
    on_components = False
    takes_away = True
    mode: Literal["hang", "refuse"] = Field(
        "hang", title="Dropped calls", description="what a caller sees when the link drops everything",
        json_schema_extra={"choices": {"hang": "hang until timeout", "refuse": "refuse at once"}})


class ZoneOutageFault(_Fault):
    """A failure domain goes down: every instance placed in the zone stops at once."""

    kind: Literal["zone_outage"] = "zone_outage"
    label = "Zone outage"
    help = "Every instance in one zone stops at once, in every component placed there."
    badge = "zone"
    needs_instances = True
    logs = ("instance_crashed", "instance_restarted")
    zone: int = Field(1, ge=1, le=64, title="Zone", description="the zone that goes down, counted from 1",
                      json_schema_extra={"unit": "zone"})
    whole_zone: bool = Field(
        True, title="Whole zone",
        description="every component's instances in the zone; off: only the target's")
    mode: Literal["refuse", "hang"] = Field(
        "refuse", title="Failure",
        description=REFUSE_OR_HANG,
        json_schema_extra={"choices": {"refuse": "refuse at once", "hang": "hang until callers time out"}})
    restart_delay: float = Field(0.0, ge=0, le=LONGEST_RUN, title="Restart delay",
                                 description="cold start after the window ends", json_schema_extra={"unit": "s"})


class RandomFailuresFault(_Fault):
    kind: Literal["random_failures"] = "random_failures"
    label = "Random failures"
    help = "Instances fail and recover at random (MTBF / MTTR)."
    badge = "flaky"
    needs_instances = True
    logs = ("instance_crashed", "instance_restarted")
    mtbf: float = Field(60.0, gt=0, le=LONGEST_RUN, title="Mean time between failures",
                        description="per instance, exponentially distributed", json_schema_extra={"unit": "s"})
    mttr: float = Field(10.0, gt=0, le=LONGEST_RUN, title="Mean time to repair",
                        description="per failure, exponentially distributed", json_schema_extra={"unit": "s"})


Fault = Annotated[
    CrashFault | LatencyFault | ExhaustionFault | ErrorFault | PartitionFault | RandomFailuresFault
    | ZoneOutageFault,
    Field(discriminator="kind"),
]

# Every list of fault kinds is read off the classes of the union above, in its order.
FAULT_CLASSES: dict[str, type[_Fault]] = {
    cls.model_fields["kind"].default: cls for cls in get_args(get_args(Fault)[0])
}
FAULT_KINDS = tuple(FAULT_CLASSES)
LINK_FAULT_KINDS = tuple(k for k, cls in FAULT_CLASSES.items() if cls.on_links)
COMPONENT_FAULT_KINDS = tuple(k for k, cls in FAULT_CLASSES.items() if cls.on_components)
INSTANCE_FAULT_KINDS = tuple(k for k, cls in FAULT_CLASSES.items() if cls.needs_instances)


class Experiment(BaseModel):
    """A named set of faults run against a design."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, validate_assignment=True)
    id: uuid.UUID = Field(default_factory=uuid.uuid4)
    name: str = Field(..., min_length=1, max_length=120)
    description: str = ""
    faults: list[Fault] = Field(default_factory=list)

    def new_fault_window(self, run: float | None = None, warmup: float = 0.0) -> tuple[float, float]:
        """(start, duration) of a fault added to this experiment: the middle third of the measured run,
        in readable times. A run then shows the steady state before the fault and the recovery after it,
        where a fault from 0 to the end could show neither.

        ``run``: the run's length, by default the one a run of this experiment gets (``covering_duration``);
        ``warmup``: the time at its start left out of the figures.
        """
        length = covering_duration([self]) if run is None else run
        warmup = warmup if warmup < length else 0.0
        third = (length - warmup) / 3
        start, duration = warmup + readable_time(third), readable_time(third)
        if start + duration >= length:  # rounded past the run's end: the plain thirds
            start, duration = warmup + third, third
        return start, duration

    def last_fault_end(self) -> float:
        """When the last fault's first window ends; a fault held until the end counts from its start.

        A repeating fault counts its first window: its later ones go on as long as the run does."""
        return max((f.start + (f.duration or 0.0) for f in self.faults), default=0.0)


# Steps a time is rounded to for reading at a glance: 1-2-5 below a few minutes, whole minutes,
# quarters and hours above.
_ROUND_STEPS = tuple(m * 10.0 ** k for k in range(-3, 2) for m in (1, 2, 5))
_MINUTE_STEPS = (60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0, 7200.0, 21600.0, 43200.0, 86400.0)


def readable_time(seconds: float) -> float:
    """``seconds`` rounded to a time read at a glance (20 s, 30 s, 3 min, 20 min), off by a sixth at most."""
    steps = _MINUTE_STEPS if seconds >= 180 else _ROUND_STEPS
    step = max((s for s in steps if s <= seconds / 3), default=0.0)
    return round(round(seconds / step) * step, 9) if step else seconds


SHORTEST_DEFAULT_RUN = 60.0
# Time after the last fault ends for its recovery to show: six times the default
# recovery hold (10 s), so a client has room to recover and stay recovered.
AFTER_LAST_FAULT = 60.0


def covering_duration(experiments: list[Experiment | None] | tuple[Experiment | None, ...] = ()) -> float:
    """The run length a run of these experiments gets unless one is given: the later of
    ``SHORTEST_DEFAULT_RUN`` and ``AFTER_LAST_FAULT`` seconds after the last fault window ends,
    so every fault starts, ends and is recovered from inside the run."""
    ends = [e.last_fault_end() + AFTER_LAST_FAULT for e in experiments if e is not None and e.faults]
    return max([SHORTEST_DEFAULT_RUN, *ends])


def duration_reason(experiments: list[Experiment | None] | tuple[Experiment | None, ...] = ()) -> str:
    """Why a run got its default length, in words for the command line and the window."""
    if covering_duration(experiments) > SHORTEST_DEFAULT_RUN:
        return f"default: {AFTER_LAST_FAULT:g} s after the last fault ends"
    return "default length"
