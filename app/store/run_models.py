"""The shape of a saved run's metadata and event records, checked like a design.

The window reads a saved run's options, metadata and event log as the
engine wrote them (``RunResult.meta`` and ``RunResult.events``); a file
could carry anything there. These models say what each part must be, so a
run that would break the event log, the run list or a report is refused
when the file is opened, with the part named, instead of failing later in
the window. They check; they never change the data, which is kept exactly
as saved. Unknown keys are allowed: a run keeps what a newer engine adds.
"""
from __future__ import annotations

import math
import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator

from engine.model import RunOptions

_MAX_PROBLEMS = 5


class EventRecord(BaseModel):
    """One entry of a run's event log, as the engine writes it."""

    model_config = ConfigDict(extra="allow", strict=True)

    time: float
    kind: str = Field(min_length=1)
    component: str | None = None
    link: str | None = None
    fault_id: str | None = None
    instance: int | None = Field(None, ge=0)
    details: str = ""
    variant: str = ""

    @field_validator("time")
    @classmethod
    def _finite(cls, value: float) -> float:
        if not math.isfinite(value) or value < 0:
            raise ValueError("must be a finite time of at least 0")
        return value


class RunMeta(BaseModel):
    """What the window reads of a run's metadata; the engine writes more, which is kept as it is."""

    model_config = ConfigDict(extra="allow", strict=True)

    options: dict[str, Any] | None = None
    design: str | None = None
    design_id: str | None = None
    experiment: str | None = None
    finished: bool = True
    simulated_time: float = Field(0.0, ge=0)
    wall_time: float = Field(0.0, ge=0)
    components: list[str] = []
    kinds: list[str] = []
    links: list[str] = []
    breakers: list[str] = []
    faults: list[dict[str, Any]] = []
    run_group: str | None = None
    variant: str | None = None
    comparison_table: list[dict[str, Any]] | None = None
    replications: int = Field(1, ge=1)

    @field_validator("options")
    @classmethod
    def _options(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is not None:
            RunOptions.model_validate(value, strict=True)
        return value

    @field_validator("design_id")
    @classmethod
    def _uuid(cls, value: str | None) -> str | None:
        if value is not None:
            uuid.UUID(value)
        return value


_EVENTS = TypeAdapter(list[EventRecord])


def _problems(exc: ValidationError, first: str) -> str:
    lines = []
    for err in exc.errors(include_url=False)[:_MAX_PROBLEMS]:
        loc = list(err["loc"])
        where = first
        if loc and isinstance(loc[0], int):
            where = f"{first} {loc[0] + 1}"
            del loc[0]
        field = ".".join(str(p) for p in loc)
        message = err["msg"].removeprefix("Value error, ").split(" or instance of")[0]
        lines.append(f"{where}{' ' + field if field else ''}: {message[:1].lower()}{message[1:]}")
    more = len(exc.errors()) - _MAX_PROBLEMS
    return "; ".join(lines) + (f"; and {more} more" if more > 0 else "")


def run_part_problem(meta: Any, events: Any) -> str | None:
    """What is wrong with a saved run's metadata or event log, or None when both have the engine's shape."""
    try:
        RunMeta.model_validate(meta)
    except ValidationError as exc:
        return _problems(exc, "meta")
    try:
        _EVENTS.validate_python(events)
    except ValidationError as exc:
        return _problems(exc, "event")
    return None
