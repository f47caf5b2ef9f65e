"""The design: components, links and experiments, with validation an architect can act on."""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any, Iterable

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .components import COMPONENT_CLASSES, Component
from .distributions import Constant, Distribution
from .faults import COMPONENT_FAULT_KINDS, LINK_FAULT_KINDS, Experiment
from .resilience import CALLER_POLICY_KINDS

FORMAT_VERSION = 1
LINK_ARROW = " -> "


def link_name(source: str, target: str) -> str:
    return f"{source}{LINK_ARROW}{target}"


class Link(BaseModel):
    """A directed call path: network latency each way and, for the caller, the call pattern."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, validate_assignment=True)

    id: uuid.UUID = Field(default_factory=uuid.uuid4)
    source: str = Field(..., min_length=1)
    target: str = Field(..., min_length=1)
    latency: Distribution = Field(default_factory=lambda: Constant(value=0.0005), description="one way")
    probability: float = Field(1.0, ge=0, le=1, description="chance a request makes this call")
    count: int = Field(1, ge=1, le=1000, description="calls per request when it calls")

    @property
    def name(self) -> str:
        return link_name(self.source, self.target)


class RunOptions(BaseModel):
    """How long and how a run goes. Times in simulated seconds."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    duration: float = Field(60.0, gt=0, le=10_000_000)
    warmup: float = Field(0.0, ge=0)
    seed: int = Field(1, ge=0, lt=2**63)
    bucket: float = Field(1.0, gt=0)
    resilience: bool = True
    faults: bool = True
    event_log_cap: int = Field(10_000, ge=0, le=10_000_000)

    @model_validator(mode="after")
    def _consistent(self):
        if self.warmup >= self.duration:
            raise ValueError(f"warmup must be shorter than duration (got warmup {self.warmup}, duration {self.duration})")
        if self.duration / self.bucket > 1_000_000:
            raise ValueError(
                f"bucket is too small for the duration: {self.duration / self.bucket:.0f} buckets (at most 1,000,000)"
            )
        return self


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a design, said so that its author can fix it."""

    where: str
    message: str
    subject: uuid.UUID | None = None

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class DesignError(ValueError):
    """A design (or the file it came from) cannot be used; ``problems`` says why."""

    def __init__(self, problems: Iterable[Problem | str]):
        self.problems = [p if isinstance(p, Problem) else Problem("", p) for p in problems]
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self):
        # rebuilt from the problems, not the message, when it crosses a process boundary
        return (DesignError, (self.problems,))


def describe(component) -> str:
    """``service "orders"``: how messages name a component."""
    return f'{component.kind.replace("_", " ")} "{component.name}"'


class Design(BaseModel):
    """A directed graph of components and links, with the experiments run against it."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, validate_assignment=True)

    format: int = Field(FORMAT_VERSION, description="version of this JSON format")
    id: uuid.UUID = Field(default_factory=uuid.uuid4)
    name: str = Field("Untitled design", min_length=1, max_length=200)
    description: str = Field("", max_length=100_000)
    components: list[Component] = Field(default_factory=list, max_length=10_000)
    links: list[Link] = Field(default_factory=list, max_length=100_000)
    experiments: list[Experiment] = Field(default_factory=list, max_length=1000)

    # -- look-ups ---------------------------------------------------------
    def component(self, name: str):
        for c in self.components:
            if c.name == name:
                return c
        raise KeyError(name)

    def find_component(self, name: str):
        return next((c for c in self.components if c.name == name), None)

    def link(self, name: str) -> Link:
        for link in self.links:
            if link.name == name:
                return link
        raise KeyError(name)

    def links_from(self, name: str) -> list[Link]:
        return [link for link in self.links if link.source == name]

    def links_into(self, name: str) -> list[Link]:
        return [link for link in self.links if link.target == name]

    def experiment(self, name: str) -> Experiment:
        for e in self.experiments:
            if e.name == name:
                return e
        known = ", ".join(f'"{e.name}"' for e in self.experiments) or "none"
        raise DesignError([Problem("", f'no experiment named "{name}" (this design has: {known})')])

    # -- serialisation ----------------------------------------------------
    def to_json(self, indent: int | None = 2) -> str:
        return self.model_dump_json(indent=indent, by_alias=True, exclude_none=False)

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)

    # -- validation -------------------------------------------------------
    def problems(self) -> list[Problem]:
        """Everything that keeps this design from running, in an order a reader can follow."""
        from .validation import design_problems

        return design_problems(self)

    def check(self) -> "Design":
        problems = self.problems()
        if problems:
            raise DesignError(problems)
        return self


def _component_label(raw: Any) -> str:
    if isinstance(raw, dict):
        kind = str(raw.get("kind", "component")).replace("_", " ")
        name = raw.get("name")
        return f'{kind} "{name}"' if name else kind
    return "component"


def _where(loc: tuple, data: Any) -> tuple[str, str]:
    """Turn a pydantic error location into ('service "orders"', 'workers')."""
    if not isinstance(data, dict) or not loc:
        return "", ".".join(str(p) for p in loc)
    head = loc[0]
    rest = list(loc[1:])
    if head in ("components", "links", "experiments") and rest and isinstance(rest[0], int):
        items = data.get(head) or []
        raw = items[rest[0]] if rest[0] < len(items) else None
        rest = rest[1:]
        if head == "components":
            where = _component_label(raw)
            if rest and rest[0] in COMPONENT_CLASSES:
                rest = rest[1:]
        elif head == "links":
            if isinstance(raw, dict):
                where = f'link "{raw.get("source", "?")}{LINK_ARROW}{raw.get("target", "?")}"'
            else:
                where = "link"
        else:
            where = f'experiment "{raw.get("name", "?")}"' if isinstance(raw, dict) else "experiment"
            if len(rest) >= 2 and rest[0] == "faults" and isinstance(rest[1], int):
                faults = raw.get("faults", []) if isinstance(raw, dict) else []
                fault = faults[rest[1]] if rest[1] < len(faults) else None
                if isinstance(fault, dict):
                    where += f', fault {rest[1] + 1} ({fault.get("kind", "?")} on "{fault.get("target", "?")}")'
                rest = rest[2:]
                if rest and isinstance(rest[0], str) and rest[0] in COMPONENT_FAULT_KINDS + LINK_FAULT_KINDS:
                    rest = rest[1:]
        if len(rest) >= 2 and rest[0] == "objectives" and isinstance(rest[1], int) and isinstance(raw, dict):
            objs = raw.get("objectives") or []
            obj = objs[rest[1]] if rest[1] < len(objs) else None
            kind = obj.get("kind", "?") if isinstance(obj, dict) else "?"
            where += f", objective {rest[1] + 1} ({kind})"
            rest = rest[2:]
            # the union tag, not a field: "latency" is also a field name elsewhere
            if rest and rest[0] in ("availability", "latency"):
                rest = rest[1:]
        if len(rest) >= 2 and rest[0] == "policies" and isinstance(rest[1], int) and isinstance(raw, dict):
            pols = raw.get("policies") or []
            pol = pols[rest[1]] if rest[1] < len(pols) else None
            kind = pol.get("kind", "policy") if isinstance(pol, dict) else "policy"
            where += f", {str(kind).replace('_', ' ')} policy"
            rest = rest[2:]
            if rest and isinstance(rest[0], str) and rest[0] in CALLER_POLICY_KINDS + ("rate_limiter", "load_shedding"):
                rest = rest[1:]
        # Drop union tags ('exponential', 'open') that pydantic puts in the path.
        field = ".".join(str(p) for p in rest if not (isinstance(p, str) and p in _UNION_TAGS))
        return where, field
    return "design", ".".join(str(p) for p in loc)


def field_path(loc: tuple) -> str:
    """A pydantic error location as the field path a form shows: union tags and validator
    names that pydantic inserts are dropped, e.g. ('service_time', 'exponential', 'mean')
    becomes 'service_time.mean'."""
    return ".".join(str(p) for p in loc
                    if not (isinstance(p, str) and (p in _UNION_TAGS or p.startswith("function-"))))


_UNION_TAGS = {
    "constant", "exponential", "uniform", "normal", "lognormal", "empirical",
    "open", "closed", "step", "ramp", "spike", "grpc_throttling", "envoy_budget",
    "function-after[_ordered(), Uniform]", "function-after[_one_parameterisation(), LogNormal]",
}


def explain_validation_error(error: ValidationError, data: Any) -> list[Problem]:
    """Rewrite pydantic's errors as messages that name the component and the field."""
    problems = []
    for err in error.errors(include_url=False):
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        where, field = _where(loc, data)
        ctx = err.get("ctx") or {}
        got = err.get("input")
        kind = err["type"]
        if kind == "greater_than_equal":
            msg = f"must be at least {ctx.get('ge')} (got {got!r})"
        elif kind == "greater_than":
            msg = f"must be greater than {ctx.get('gt')} (got {got!r})"
        elif kind == "less_than_equal":
            msg = f"must be at most {ctx.get('le')} (got {got!r})"
        elif kind == "less_than":
            msg = f"must be less than {ctx.get('lt')} (got {got!r})"
        elif kind == "missing":
            msg = "is required"
        elif kind == "extra_forbidden":
            msg = "is not a known field"
        elif kind == "union_tag_invalid":
            msg = f"unknown kind {ctx.get('tag')!r} (expected one of {ctx.get('expected_tags')})"
        elif kind == "union_tag_not_found":
            msg = f"needs a {ctx.get('discriminator', 'kind')!s} field"
        elif kind == "value_error":
            msg = str(ctx.get("error", err["msg"]))
        elif kind == "literal_error":
            msg = f"must be one of {ctx.get('expected')} (got {got!r})"
        else:
            msg = f"{err['msg'][0].lower()}{err['msg'][1:]} (got {got!r})" if got is not None else err["msg"]
        problems.append(Problem(where, f"{field} {msg}".strip() if field else msg))
    return problems


def parse_design(source: str | bytes | dict, *, check: bool = True) -> Design:
    """Build a Design from JSON text or a dict; raise DesignError naming every problem."""
    if isinstance(source, (str, bytes)):
        try:
            data = json.loads(source)
        except json.JSONDecodeError as exc:
            raise DesignError([Problem("", f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")]) from None
    else:
        data = source
    if not isinstance(data, dict):
        raise DesignError([Problem("", "a design must be a JSON object")])
    fmt = data.get("format", FORMAT_VERSION)
    if isinstance(fmt, int) and fmt > FORMAT_VERSION:
        raise DesignError([Problem("", f"made with a newer Faultline (design format {fmt}); this version reads up to {FORMAT_VERSION}")])
    try:
        design = Design.model_validate(data)
    except ValidationError as exc:
        raise DesignError(explain_validation_error(exc, data)) from None
    if check:
        design.check()
    return design


def parse_options(data: dict) -> RunOptions:
    try:
        return RunOptions.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            field = ".".join(str(p) for p in err["loc"])
            msg = str((err.get("ctx") or {}).get("error", err["msg"]))
            problems.append(Problem("run options", f"{field} {msg}".strip()))
        raise DesignError(problems) from None
