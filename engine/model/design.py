"""The design: components, links and experiments, with validation an architect can act on."""
from __future__ import annotations

import json
import math
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator
from pydantic_core import ErrorDetails

from .components import COMPONENT_CLASSES, Component
from .distributions import Constant, Distribution
from .faults import COMPONENT_FAULT_KINDS, LINK_FAULT_KINDS, Experiment
from .refs import Ref, as_ref, link_name, names_in, normalise_link_name, resolve_names
from .resilience import POLICY_KINDS

# 2: links, policy scopes and fault targets hold ids (1 named components; names still read).
FORMAT_VERSION = 2
DEFAULT_MEMORY_BUDGET = 2 * 2**30
MEMORY_BUDGET_RANGE = (64 * 2**20, 2**50)   # below 64 MiB a run could not hold its own start
# Buckets a run keeps: beyond, its buckets widen (engine/grid.py), so a long run costs what a
# short one does. Ten hours in one-second buckets keep 9,000 buckets of 4 s.
DEFAULT_MAX_BUCKETS = 10_000


class Link(BaseModel):
    """A directed call path: network latency each way and, for the caller, the call pattern."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, validate_assignment=True)

    id: uuid.UUID = Field(default_factory=uuid.uuid4)
    # The caller and the callee, by id (a name until a design resolves it: see refs.py).
    source: Ref
    target: Ref
    latency: Distribution = Field(default_factory=lambda: Constant(value=0.0005), title="Network latency",
                                  description="one-way delay, added to the request and to the response")
    probability: float = Field(1.0, ge=0, le=1, title="Call probability",
                               description="chance that a request makes this call at all",
                               json_schema_extra={"unit": "ratio"})
    count: int = Field(1, ge=1, le=1000, title="Calls per request",
                       description="how many times the caller calls when it does", json_schema_extra={"unit": "calls"})

    # The design this link belongs to, which knows its ends' names now (see ``name``). Not part of
    # the link's value: equality, dumps and copies' fields leave it out.
    _design: Any = PrivateAttr(None)

    @property
    def name(self) -> str:
        """``api -> db``: the link as people name it, with its ends' names as they are now."""
        if self._design is not None:
            return self._design.link_name(self)
        # Outside any design (one being built, or a link an undo command holds) an end held by id
        # has no name to show: the link shows nothing rather than ids.
        if isinstance(self.source, uuid.UUID) or isinstance(self.target, uuid.UUID):
            return ""
        return link_name(self.source, self.target)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Link):
            return NotImplemented
        return self.__dict__ == other.__dict__


class RunOptions(BaseModel):
    """How long and how a run goes. Times in simulated seconds."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    duration: float = Field(60.0, gt=0, le=10_000_000)
    warmup: float = Field(0.0, ge=0)
    seed: int = Field(1, ge=0, lt=2**63)
    bucket: float = Field(1.0, gt=0, description="seconds; widened when the run would hold more than max_buckets")
    max_buckets: int = Field(DEFAULT_MAX_BUCKETS, ge=1, le=1_000_000,
                             description="buckets a run keeps; a longer run gets wider buckets")
    resilience: bool = True
    faults: bool = True
    event_log_cap: int = Field(10_000, ge=0, le=10_000_000)
    # What a run may hold in memory: its metric arrays up front, and the requests, calls and
    # events in flight as they grow. A run estimated to need more is refused before it starts;
    # one that outgrows it on the way stops with its partial results.
    memory_budget: int = Field(DEFAULT_MEMORY_BUDGET, ge=MEMORY_BUDGET_RANGE[0], le=MEMORY_BUDGET_RANGE[1],
                               description="bytes")

    @model_validator(mode="after")
    def _consistent(self):
        if self.warmup >= self.duration:
            raise ValueError("warmup must be shorter than duration "
                             f"(got warmup {self.warmup}, duration {self.duration})")
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


# A message shows this many problems of one kind, and this many lines in all; the rest are counted.
SHOWN_PER_KIND = 10
SHOWN_IN_ALL = 50


def _kind_of(problem: Problem) -> str:
    """Problems that differ only in where they are, or in the value quoted, are of one kind."""
    return re.sub(r" \(got .*\)$", "", problem.message)


def summarise(problems: list[Problem]) -> str:
    """Problems as lines a person reads: the first few of each kind, then how many more.

    A design with ten thousand identical mistakes says so in a dozen lines, not a megabyte.
    """
    kinds: dict[str, list[Problem]] = {}
    for p in problems:
        kinds.setdefault(_kind_of(p), []).append(p)
    lines: list[str] = []
    shown = 0
    for same in kinds.values():
        if len(lines) >= SHOWN_IN_ALL:
            break
        lines += [str(p) for p in same[:SHOWN_PER_KIND]]
        shown += min(len(same), SHOWN_PER_KIND)
        if len(same) > SHOWN_PER_KIND:
            lines.append(f"  and {len(same) - SHOWN_PER_KIND:,} more like this")
            shown += len(same) - SHOWN_PER_KIND
    if shown < len(problems):
        lines.append(f"and {len(problems) - shown:,} more problems")
    return "\n".join(lines)


class DesignError(ValueError):
    """A design (or the file it came from) cannot be used; ``problems`` says why."""

    def __init__(self, problems: Iterable[Problem | str]):
        self.problems = [p if isinstance(p, Problem) else Problem("", p) for p in problems]
        super().__init__(summarise(self.problems))

    def __reduce__(self):
        # rebuilt from the problems, not the message, when it crosses a process boundary
        return (DesignError, (self.problems,))


def counted(n: int, noun: str) -> str:
    """``1 link``, ``17 links``: a count with its noun, of those with a plain plural."""
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def describe(component) -> str:
    """``service "orders"``: how messages name a component."""
    return f'{component.kind.replace("_", " ")} "{component.name}"'


class Design(BaseModel):
    """A directed graph of components and links, with the experiments run against it."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, validate_assignment=True)

    format: int = Field(FORMAT_VERSION, ge=1, le=2**31 - 1, description="version of this JSON format")
    id: uuid.UUID = Field(default_factory=uuid.uuid4)
    name: str = Field("Untitled design", min_length=1, max_length=200)
    description: str = Field("", max_length=100_000)
    components: list[Component] = Field(default_factory=list, max_length=10_000)
    links: list[Link] = Field(default_factory=list, max_length=100_000)
    experiments: list[Experiment] = Field(default_factory=list, max_length=1000)

    @model_validator(mode="before")
    @classmethod
    def _names_to_ids(cls, data: Any) -> Any:
        # Construction by name (files written by hand, format 1, designs built in code) ends here.
        if not isinstance(data, dict):
            return data
        fmt = data.get("format")
        if isinstance(fmt, int) and not isinstance(fmt, bool) and 1 <= fmt < FORMAT_VERSION:
            # Format 1 named components where format 2 holds ids: resolving its names is the
            # whole migration, and the design then reads as (and saves as) the current format.
            data = {**data, "format": FORMAT_VERSION}
        return resolve_names(data)

    # Where each component stood when last looked up by id (see ``_component_name``).
    _index: dict = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _adopt_links(self) -> Design:
        self.adopt(*self.links)
        return self

    def adopt(self, *links: Link) -> None:
        """Make these links (of this design) name their ends by this design's components."""
        for link in links:
            link._design = self

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Design):
            return NotImplemented
        return self.__dict__ == other.__dict__

    def same_system(self, other: Design) -> bool:
        """Whether ``other`` runs as this design does: the same components, links and experiments,
        wherever its components stand on the canvas and whatever it says of itself."""
        if (len(self.components) != len(other.components) or self.links != other.links
                or self.experiments != other.experiments):
            return False
        # Unedited components are shared between a design and its snapshots: most compare as themselves.
        return all(a is b or a.model_copy(update={"position": b.position}) == b
                   for a, b in zip(self.components, other.components))

    def __setattr__(self, name: str, value: Any) -> None:
        super().__setattr__(name, value)
        if name == "links":
            self.adopt(*self.links)
        if name in ("components", "links", "experiments"):
            # ``design.links = [Link(source="api", target="db")]`` resolves as construction does.
            resolved = self.with_ids()
            if resolved is not self:
                for key in ("components", "links", "experiments"):
                    if getattr(resolved, key) is not getattr(self, key):
                        super().__setattr__(key, getattr(resolved, key))

    def with_ids(self) -> Design:
        """This design, or a copy whose references hold ids where some still held a resolvable name
        (a link or fault appended in code after the design was built)."""
        refs: list[object] = [end for link in self.links for end in (link.source, link.target)]
        refs += [getattr(p, "scope", None) for c in self.components for p in c.policies]
        refs += [f.target for e in self.experiments for f in e.faults]
        if all(ref is None or isinstance(ref, uuid.UUID) for ref in refs):
            return self
        data = resolve_names({"components": self.components, "links": self.links, "experiments": self.experiments})
        copy = self.model_copy(update=data)
        # Only the links made anew are the copy's: the others still belong to (and name by) this design.
        own = {id(link) for link in self.links}
        copy.adopt(*(link for link in copy.links if id(link) not in own))
        return copy

    def resolve(self, item: Any) -> Any:
        """A link, component or experiment with the names its references hold turned into this
        design's ids (the item itself when there were none)."""
        if not names_in(item):
            # a pasted item holds ids only: resolving it against every component and link, once
            # an item, made a paste of a few hundred take seconds
            return item
        kinds: dict[type, str] = {Link: "links", Experiment: "experiments"}
        key = kinds.get(type(item), "components")
        data: dict[str, list] = {"components": list(self.components), "links": list(self.links), "experiments": []}
        if key == "components":
            # in place of the component it replaces, so that its name is not taken twice
            data["components"] = [c for c in self.components if c.id != getattr(item, "id", None)]
        data[key].append(item)
        return resolve_names(data)[key][-1]

    # -- look-ups ---------------------------------------------------------
    # Each takes a component (or link) by id or by name: read code and hand-written keys alike.
    def find_component(self, key: uuid.UUID | str | None):
        """The component with this id or name, or None."""
        ref = as_ref(key)
        if isinstance(ref, uuid.UUID):
            return next((c for c in self.components if c.id == ref), None)
        return next((c for c in self.components if c.name == ref), None)

    def component(self, key: uuid.UUID | str):
        found = self.find_component(key)
        if found is None:
            raise KeyError(key)
        return found

    def names(self) -> dict[uuid.UUID, str]:
        """Component names by id, for loops over many references."""
        return {c.id: c.name for c in self.components}

    def name_of(self, ref: uuid.UUID | str | None, names: dict[uuid.UUID, str] | None = None) -> str:
        """What a reference is called: a component's name, a link's ``a -> b``, or the text of a
        reference that resolves to nothing (a name as written)."""
        if ref is None:
            return ""
        ref = as_ref(ref)
        if not isinstance(ref, uuid.UUID):
            return normalise_link_name(ref)
        names = self.names() if names is None else names
        if ref in names:
            return names[ref]
        link = next((link for link in self.links if link.id == ref), None)
        return self.link_name(link, names) if link is not None else "(unknown)"

    def _component_name(self, ref: uuid.UUID) -> str | None:
        """A component's name by id, in constant time while the components stay where they were."""
        hit = self._index.get(ref)
        components = self.components
        if hit is None or hit[0] >= len(components) or components[hit[0]] is not hit[1]:
            self._index = {c.id: (i, c) for i, c in enumerate(components)}
            hit = self._index.get(ref)
        return hit[1].name if hit is not None else None

    def link_name(self, link: Link, names: dict[uuid.UUID, str] | None = None) -> str:
        """``api -> db``: a link as people name it."""
        ends = []
        for end in (link.source, link.target):
            name = (names.get(end) if names is not None else self._component_name(end)) \
                if isinstance(end, uuid.UUID) else end
            ends.append(name if name is not None else "?")
        return link_name(*ends)

    def find_link(self, key: uuid.UUID | str | None) -> Link | None:
        """The link with this id, or named ``a -> b`` (also ``a->b``), or None."""
        ref = as_ref(key)
        if isinstance(ref, uuid.UUID):
            return next((link for link in self.links if link.id == ref), None)
        if not isinstance(ref, str):
            return None
        wanted = normalise_link_name(ref)
        names = self.names()
        return next((link for link in self.links if self.link_name(link, names) == wanted), None)

    def link(self, key: uuid.UUID | str) -> Link:
        found = self.find_link(key)
        if found is None:
            raise KeyError(key)
        return found

    def link_between(self, source: uuid.UUID | str, target: uuid.UUID | str) -> Link | None:
        """The link from one component to another (each by id or name), if there is one."""
        a, b = self._ref(source), self._ref(target)
        return next((link for link in self.links if link.source == a and link.target == b), None)

    def _ref(self, key: uuid.UUID | str) -> uuid.UUID | str:
        """A component key as the references of this design hold it: its id when it exists."""
        found = self.find_component(key)
        return found.id if found is not None else as_ref(key)

    def links_from(self, key: uuid.UUID | str) -> list[Link]:
        ref = self._ref(key)
        return [link for link in self.links if link.source == ref]

    def links_into(self, key: uuid.UUID | str) -> list[Link]:
        ref = self._ref(key)
        return [link for link in self.links if link.target == ref]

    def targets_link(self, ref: uuid.UUID | str | None) -> bool:
        """Whether a fault target means a link (by id, or by a name with an arrow)."""
        ref = as_ref(ref)
        if isinstance(ref, uuid.UUID):
            return any(link.id == ref for link in self.links)
        return isinstance(ref, str) and "->" in ref

    def ref_to(self, key: uuid.UUID | str) -> uuid.UUID | str:
        """The reference a policy scope or fault target holds for a component or link named or
        given by id: the id of what exists, the key itself otherwise."""
        component = self.find_component(key)
        if component is not None:
            return component.id
        link = self.find_link(key)
        return link.id if link is not None else as_ref(key)

    def experiment(self, name: str) -> Experiment:
        for e in self.experiments:
            if e.name == name:
                return e
        known = ", ".join(f'"{e.name}"' for e in self.experiments) or "none"
        raise DesignError([Problem("", f'no experiment named "{name}" (this design has: {known})')])

    def log_kinds(self, experiment: str | None = None) -> set[str]:
        """The event-log kinds (engine.events) a run of the design, with ``experiment``'s faults, can
        write, whichever of a comparison's runs: what its components, policies and faults say they write."""
        kinds = {k for c in self.components for k in c.log_kinds()}
        kinds.update(k for c in self.components for p in c.policies for k in p.log_kinds())
        for e in self.experiments:
            if e.name == experiment:
                kinds.update(k for f in e.faults if f.enabled for k in f.log_kinds())
        return kinds

    # -- serialisation ----------------------------------------------------
    def to_json(self, indent: int | None = 2) -> str:
        return self.model_dump_json(indent=indent, by_alias=True, exclude_none=False)

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)

    # -- validation -------------------------------------------------------
    def size_text(self) -> str:
        """``16 components, 17 links, 3 experiments``."""
        return (f"{counted(len(self.components), 'component')}, {counted(len(self.links), 'link')}, "
                f"{counted(len(self.experiments), 'experiment')}")

    def problems(self) -> list[Problem]:
        """Everything that keeps this design from running, in an order a reader can follow."""
        from .validation import design_problems

        return design_problems(self)

    def check(self) -> Design:
        problems = self.problems()
        if problems:
            raise DesignError(problems)
        return self


def _clip(text: Any, limit: int = 64) -> str:
    """Text from a file, cut to a length a message can carry."""
    text = str(text)
    return text if len(text) <= limit else text[:limit] + "…"


def shown(value: Any) -> str:
    """A value from a file as its author wrote it in JSON (``true``, ``"10"``), kept short."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**30:
        # Too long to print, and past 4,300 digits Python refuses to turn it into text at all.
        return f"a number of about {int(value.bit_length() * 0.30103) + 1:,} digits"
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        text = type(value).__name__
    return _clip(text, 60)


def _component_label(raw: Any) -> str:
    if isinstance(raw, dict):
        kind = _clip(raw.get("kind", "component"), 32).replace("_", " ")
        name = raw.get("name")
        return f'{kind} "{_clip(name)}"' if name else kind
    return "component"


def _raw_name(data: dict, ref: Any, links: bool = True) -> str:
    """What a reference in a file is called: the name of the component or link whose id it holds."""
    ref = as_ref(ref)
    if not isinstance(ref, uuid.UUID):
        return str(ref)
    for item in data.get("components") or []:
        if isinstance(item, dict) and as_ref(item.get("id")) == ref:
            return str(item.get("name", "?"))
    for item in data.get("links") or [] if links else []:
        if isinstance(item, dict) and as_ref(item.get("id")) == ref:
            return link_name(_raw_name(data, item.get("source", "?"), False),
                             _raw_name(data, item.get("target", "?"), False))
    return str(ref)


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
                ends = (_clip(_raw_name(data, raw.get(end, "?"), False)) for end in ("source", "target"))
                where = f'link "{link_name(*ends)}"'
            else:
                where = "link"
        else:
            where = f'experiment "{_clip(raw.get("name", "?"))}"' if isinstance(raw, dict) else "experiment"
            if len(rest) >= 2 and rest[0] == "faults" and isinstance(rest[1], int):
                faults = raw.get("faults", []) if isinstance(raw, dict) else []
                fault = faults[rest[1]] if rest[1] < len(faults) else None
                if isinstance(fault, dict):
                    fault_kind = _clip(fault.get("kind", "?"), 32)
                    fault_target = _clip(_raw_name(data, fault.get("target", "?")))
                    where += f', fault {rest[1] + 1} ({fault_kind} on "{fault_target}")'
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
            where += f", {_clip(kind, 32).replace('_', ' ')} policy"
            rest = rest[2:]
            if rest and isinstance(rest[0], str) and rest[0] in POLICY_KINDS:
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


# What a JSON value must be, by pydantic's error type, in the words of the file's author.
_TYPE_MESSAGES = {
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "string_type": "must be text",
    "list_type": "must be a list",
    "dict_type": "must be an object",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
    "uuid_type": "must be an id like 3f2b9c1e-8d4a-4e6f-9b7c-2a1d5e8f0c3b",
    "uuid_parsing": "must be an id like 3f2b9c1e-8d4a-4e6f-9b7c-2a1d5e8f0c3b",
    "finite_number": "must be a finite number",
    "datetime_type": "must be a date and time like 2026-01-31T09:30:00Z",
    "datetime_parsing": "must be a date and time like 2026-01-31T09:30:00Z",
    "datetime_from_date_parsing": "must be a date and time like 2026-01-31T09:30:00Z",
}


def _figure(value: Any) -> str:
    """A bound, or the number checked against it, as a person writes it: ``10000000``, not
    ``10000000.0``; ``0.25`` as it is. Anything else as the file has it (``shown``)."""
    if isinstance(value, float) and math.isfinite(value):
        return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) < 10**30:
        return str(value)
    return shown(value)


def _message(err: ErrorDetails) -> str:
    """One pydantic error as the rest of a sentence that begins with the field's name."""
    ctx = err.get("ctx") or {}
    got = err.get("input")
    kind = err["type"]
    if kind == "greater_than_equal":
        return f"must be at least {_figure(ctx.get('ge'))} (got {_figure(got)})"
    if kind == "greater_than":
        return f"must be greater than {_figure(ctx.get('gt'))} (got {_figure(got)})"
    if kind == "less_than_equal":
        return f"must be at most {_figure(ctx.get('le'))} (got {_figure(got)})"
    if kind == "less_than":
        return f"must be less than {_figure(ctx.get('lt'))} (got {_figure(got)})"
    if kind in _TYPE_MESSAGES:
        return f"{_TYPE_MESSAGES[kind]} (got {shown(got)})"
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "is not a known field"
    if kind == "union_tag_invalid":
        return f"unknown kind {_clip(repr(ctx.get('tag')))} (expected one of {ctx.get('expected_tags')})"
    if kind == "union_tag_not_found":
        return f"needs a {ctx.get('discriminator', 'kind')!s} field"
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected')} (got {shown(got)})"
    if kind == "string_too_short":
        shortest = ctx.get("min_length")
        return "must not be empty" if shortest == 1 else f"needs at least {shortest} characters"
    if kind == "string_too_long":
        length = len(got) if isinstance(got, str) else "?"
        return f"may have at most {ctx.get('max_length'):,} characters (got {length:,})"
    if kind == "too_long":
        return f"may hold at most {ctx.get('max_length'):,} items (got {ctx.get('actual_length', '?'):,})"
    msg = err["msg"]
    # pydantic's own sentences begin "Input should ..."; anything else is quoted as it is.
    if msg.startswith("Input should"):
        msg = "should" + msg[len("Input should"):]
    return f"{msg} (got {shown(got)})" if got is not None else msg


def _sentence(field: str, msg: str) -> str:
    """``workers must be ...``; a message that already names its field does not name it twice."""
    if not field:
        return msg
    last = field.rsplit(".", 1)[-1]
    if msg == last or msg.startswith(last + " "):
        return field + msg[len(last):]
    return f"{field} {msg}"


def field_problems(error: ValidationError, where: str = "") -> list[Problem]:
    """Any model's validation errors as problems that name the field: ``name must not be empty``."""
    return [Problem(where, _sentence(field_path(err["loc"]), _message(err))) for err in error.errors(include_url=False)]


def explain_validation_error(error: ValidationError, data: Any) -> list[Problem]:
    """Rewrite pydantic's errors as messages that name the component and the field."""
    problems = []
    for err in error.errors(include_url=False):
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        where, field = _where(loc, data)
        problems.append(Problem(where, _sentence(field, _message(err))))
    return problems


class NumberTooLong(ValueError):
    """A JSON number with more digits than any field of a design could hold."""


MAX_NUMBER_DIGITS = 40


def json_int(text: str) -> int:
    """``parse_int`` for ``json.loads``: a number too long for any field is refused before
    Python spends time on it (or refuses it in words about its own settings)."""
    digits = len(text.lstrip("-"))
    if digits > MAX_NUMBER_DIGITS:
        raise NumberTooLong(f"a number of {digits:,} digits, longer than any field takes")
    return int(text)


class KeyWrittenTwice(ValueError):
    """A JSON object that names a key twice: ``json.loads`` keeps the last value without a word,
    other readers the first or neither (gRPC refuses the file), so which one was meant is unknown."""

    def __init__(self, key: str, line: int):
        self.key, self.line = key, line
        super().__init__(f'its object on line {line} names "{key}" twice; keep the one you mean')


class _Twice(Exception):
    def __init__(self, key: str, line: int = 0):
        self.key, self.line = key, line


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data = dict(pairs)
    if len(data) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _Twice(key)
            seen.add(key)
    return data


def _object_naming_a_key_twice(text: str | bytes) -> int:
    """The line on which the first object found naming a key twice begins: read again by the
    standard library's own decoder in Python, which says where each object begins (its C scanner
    does not), only once a duplicate is known to be there."""
    def parse_object(s_and_end, strict, scan_once, object_hook, object_pairs_hook, memo=None):
        source, start = s_and_end
        pairs, end = json.decoder.JSONObject(s_and_end, strict, scan_once, None, list, memo)
        try:
            return _unique_pairs(pairs), end
        except _Twice as twice:
            raise _Twice(twice.key, source.count("\n", 0, start) + 1) from None

    decoder = json.JSONDecoder(parse_int=json_int)
    decoder.parse_object = parse_object  # type: ignore[attr-defined]
    decoder.scan_once = json.scanner.py_make_scanner(decoder)  # type: ignore[attr-defined]
    try:
        decoder.decode(text.decode("utf-8-sig") if isinstance(text, bytes) else text)
    except _Twice as found:
        return found.line
    return 0


def load_json(text: str | bytes) -> Any:
    """``json.loads`` for design and configuration files: numbers are bounded (see ``json_int``)
    and an object naming a key twice is refused (``KeyWrittenTwice``)."""
    try:
        return json.loads(text, parse_int=json_int, object_pairs_hook=_unique_pairs)
    except _Twice as twice:
        raise KeyWrittenTwice(twice.key, _object_naming_a_key_twice(text)) from None


def parse_design(source: str | bytes | dict, *, check: bool = True, strict: bool = True) -> Design:
    """Build a Design from JSON text or a dict (as JSON gives it); raise DesignError naming every problem.

    ``strict`` takes JSON's types at their word: ``true`` is not a worker count and ``"10"``
    is not a rate (a whole number still serves where a number is asked for). Project files,
    whose columns hold booleans as integers, read with ``strict=False``.
    """
    if isinstance(source, (str, bytes)):
        try:
            data = load_json(source)
        except json.JSONDecodeError as exc:
            where = f"line {exc.lineno} column {exc.colno}"
            raise DesignError([Problem("", f"not valid JSON: {exc.msg} at {where}")]) from None
        except NumberTooLong as exc:
            raise DesignError([Problem("", f"holds {exc}")]) from None
        except KeyWrittenTwice as exc:
            raise DesignError([Problem("", str(exc))]) from None
        except RecursionError:
            raise DesignError([Problem("", "its JSON is nested too deeply to read")]) from None
    else:
        data = source
    if not isinstance(data, dict):
        raise DesignError([Problem("", "a design must be a JSON object")])
    fmt = data.get("format", FORMAT_VERSION)
    if isinstance(fmt, int) and fmt > FORMAT_VERSION:
        raise DesignError([Problem("", f"made with a newer Faultline (design format {fmt}); "
                                       f"this version reads up to {FORMAT_VERSION}")])
    try:
        if strict:
            # JSON mode, where strict still reads ids and times from text as JSON writes them.
            design = Design.model_validate_json(json.dumps(data, default=str), strict=True)
        else:
            design = Design.model_validate(data)
    except ValidationError as exc:
        raise DesignError(explain_validation_error(exc, data)) from None
    except ValueError:  # json.dumps: an integer too long for Python to write
        raise DesignError([Problem("", "holds a number longer than any field takes")]) from None
    if check:
        design.check()
    return design


def parse_options(data: dict) -> RunOptions:
    try:
        return RunOptions.model_validate(data, strict=True)
    except ValidationError as exc:
        raise DesignError(field_problems(exc, "run options")) from None
