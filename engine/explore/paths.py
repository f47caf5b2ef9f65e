"""Every numeric or choice parameter of a design, addressed by a stable, readable path.

Paths are found by walking the pydantic models of ``engine.model``, so a new
kind's fields get paths without new code here; ranges come from the fields'
``ge``/``gt``/``le``/``lt`` metadata and units from their descriptions.

The scheme (component and experiment names are used as they are; ``->`` may
be written with or without spaces around it):

- ``api.workers``, ``db.connections``, ``api.service_time.mean``: a component's
  field, a distribution's parameter below it.
- ``browsers.rate``, ``browsers.users``: a client's workload fields read as the
  client's own.
- ``api->db.probability``, ``api->db.latency.value``: a link's fields.
- ``api->db.retry.max_attempts``: a caller policy scoped to one dependency;
  ``api.timeout.timeout`` a policy guarding every call of ``api``;
  ``api.rate_limiter.limit_for_period`` an inbound policy.
- ``database outage.duration``: the fault of an experiment that has one;
  with several, each is named by its kind and target:
  ``bad day.crash api.duration``, ``bad day.latency api->db.fraction``. The
  long form is accepted for a single fault too.
- Lists of parts are numbered from 1: ``browsers.schedule.2.rate``. Two policies
  (or faults) with the same name get ``#2``, ``#3``: ``api.retry#2.max_attempts``.
"""
from __future__ import annotations

import difflib
import math
import re
import types
import typing
from dataclasses import dataclass
from typing import Any, Literal, Union

from pydantic import BaseModel

from ..model import TIME_UNITS, Design, DesignError, Problem, parse_design

# A client's workload is what the client *is* to an architect: its rate is "the client's rate".
_FLATTENED = frozenset({"workload"})
# Layout, not a parameter of the simulated system. (Names, ids and wiring are text: skipped by type.)
_SKIPPED = frozenset({"position"})
_ARROW = re.compile(r"\s*->\s*")
_TIME_NAME = re.compile(r"(^|_)(duration|timeout|start|end|at|period|delay|wait|mtbf|mttr)($|_)")
NONE_WORDS = ("none", "null", "")
_WITH_UNIT = re.compile(r"\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(\S.*?)?\s*")


def normalise(path: str) -> str:
    """The canonical spelling of a path: ``->`` without spaces, no outer blanks."""
    return _ARROW.sub("->", path.strip())


@dataclass(frozen=True)
class Parameter:
    """One addressable parameter: where it lives, its current value and what it accepts."""

    path: str
    location: tuple[str | int, ...]  # keys into ``Design.to_dict()``
    type: str  # "int", "float", "bool" or "choice"
    value: Any
    choices: tuple[Any, ...] = ()
    ge: float | None = None
    gt: float | None = None
    le: float | None = None
    lt: float | None = None
    optional: bool = False
    unit: str = ""
    description: str = ""

    @property
    def numeric(self) -> bool:
        return self.type in ("int", "float")

    def range_text(self) -> str:
        """The accepted values, e.g. ``1..10000``, ``> 0``, ``one of fixed, exponential``."""
        if not self.numeric:
            text = "one of " + ", ".join(_text(c) for c in self.choices)
        elif self.ge is not None and self.le is not None:
            text = f"{_num(self.ge)}..{_num(self.le)}"
        else:
            parts = [f"{sign} {_num(bound)}" for sign, bound in
                     ((">=", self.ge), (">", self.gt), ("<=", self.le), ("<", self.lt)) if bound is not None]
            text = ", ".join(parts) or "any"
        return text + (", or none" if self.optional else "")

    def coerce(self, raw: Any) -> Any:
        """``raw`` (text from a command line, or a value) as this parameter's type, range checked.

        Raises ``ValueError`` saying what is wrong, without the path (the caller adds it).
        """
        if self.type == "choice" and raw is not None:
            # A choice may itself be called "none" (a retry's jitter): match choices first.
            for choice in self.choices:
                if str(raw).strip() == str(choice):
                    return choice
        if raw is None or isinstance(raw, str) and raw.strip().lower() in NONE_WORDS:
            if self.optional:
                return None
            text = "" if raw is None else raw.strip()
            raise ValueError("needs a value" if not text else f"cannot be {text!r}")
        if self.type == "bool":
            if isinstance(raw, bool):
                return raw
            word = str(raw).strip().lower()
            if word in ("true", "yes", "on", "1"):
                return True
            if word in ("false", "no", "off", "0"):
                return False
            raise ValueError(f"must be true or false (got {raw!r})")
        if self.type == "choice":
            raise ValueError(f"must be one of {', '.join(map(str, self.choices))} (got {raw!r})")
        number = self.number(raw) if isinstance(raw, str) else raw
        try:
            number = float(number)
        except (TypeError, ValueError):
            raise ValueError(f"must be a number (got {raw!r})") from None
        if not math.isfinite(number):
            raise ValueError(f"must be a finite number (got {raw!r})")
        if self.type == "int":
            if number != int(number):
                raise ValueError(f"must be a whole number (got {raw!r})")
            number = int(number)
        self.check_range(number)
        return number

    def number(self, text: str) -> float:
        """A number as typed, in this parameter's unit or with a unit of its kind: a time in µs, ms,
        s, min or h ("500 ms"), a ratio as a percentage ("99.9 %" is 0.999), a percentage or a count
        with its own unit ("50 %", "8 workers"). Raises ``ValueError`` naming the units accepted."""
        m = _WITH_UNIT.fullmatch(str(text))
        if not m:
            try:
                return float(text)  # "nan", "inf": numbers, refused as not finite by the caller
            except ValueError:
                raise ValueError(f"must be a number (got {text!r})") from None
        value, unit = float(m.group(1)), (m.group(2) or "").strip()
        if not unit or unit == self.unit:
            return value
        # to twelve figures: "700 ms" is the 0.7 s a person means, not 0.7000000000000001
        if self.unit == "s" and unit.lower() in TIME_UNITS:
            return float(f"{value * TIME_UNITS[unit.lower()]:.12g}")
        if self.unit == "ratio" and unit == "%":
            return float(f"{value / 100:.12g}")
        accepted = {"s": "use µs, ms, s, min or h", "ratio": "use %, or a plain share: 0.5 is 50 %",
                    "": "this one is a plain number"}.get(self.unit, f"use {self.unit}")
        raise ValueError(f'unknown unit "{unit}" ({accepted})')

    def check_range(self, number: float) -> None:
        """Raise ``ValueError`` when ``number`` is outside the field's bounds."""
        if self.ge is not None and number < self.ge:
            raise ValueError(f"must be at least {_num(self.ge)} (got {_num(number)})")
        if self.gt is not None and number <= self.gt:
            raise ValueError(f"must be greater than {_num(self.gt)} (got {_num(number)})")
        if self.le is not None and number > self.le:
            raise ValueError(f"must be at most {_num(self.le)} (got {_num(number)})")
        if self.lt is not None and number >= self.lt:
            raise ValueError(f"must be less than {_num(self.lt)} (got {_num(number)})")


def _num(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 10_000 and float(x).is_integer() else f"{x:g}"


def _text(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def format_value(value: Any) -> str:
    """How a parameter's value is written in tables and result files (round-trips exactly)."""
    if isinstance(value, float):
        return repr(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return _text(value)


# -- walking the models ------------------------------------------------------------------------
def _scalar_type(annotation: Any) -> tuple[str | None, tuple, bool]:
    """(type, choices, optional) of a field's annotation, or (None, (), False) when it is no scalar."""
    optional = False
    origin = typing.get_origin(annotation)
    if origin in (Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        optional = len(args) < len(typing.get_args(annotation))
        if len(args) != 1:
            return None, (), False
        annotation = args[0]
        origin = typing.get_origin(annotation)
    if origin is Literal:
        choices = typing.get_args(annotation)
        # A one-value literal is a union tag (kind, type), not a choice.
        return ("choice", choices, optional) if len(choices) > 1 else (None, (), False)
    if annotation is bool:
        return "bool", (False, True), optional
    if annotation is int:
        return "int", (), optional
    if annotation is float:
        return "float", (), optional
    return None, (), False


def _unit(name: str, info, in_distribution: bool, le: float | None) -> str:
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    if extra.get("unit"):
        return str(extra["unit"])  # a field that states its unit is believed over any guess below
    description = (info.description or "").lower()
    if "per second" in description:
        return "1/s"
    if name.endswith(("multiplier", "factor")) and le != 1:
        return "x"
    if in_distribution or "second" in description or _TIME_NAME.search(name):
        return "s"
    if name.endswith("rate") and not name.endswith("error_rate"):
        return "1/s"
    if name.endswith("percent") or (name.endswith("threshold") and le == 100):
        return "%"
    return ""


def _bounds(info) -> dict[str, float | None]:
    out: dict[str, float | None] = {"ge": None, "gt": None, "le": None, "lt": None}
    for meta in info.metadata:
        for key in out:
            value = getattr(meta, key, None)
            if value is not None:
                out[key] = float(value)
    return out


def _walk(model: BaseModel, prefix: str, location: tuple, out: list[Parameter], in_distribution: bool = False):
    from ..model.distributions import _Dist

    for name, info in type(model).model_fields.items():
        if name in _SKIPPED:
            continue
        key = info.alias or name
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            below = prefix if name in _FLATTENED else f"{prefix}.{key}"
            _walk(value, below, location + (key,), out, in_distribution or isinstance(value, _Dist))
            continue
        if isinstance(value, list):
            if name != "policies":
                for i, item in enumerate(value):
                    if isinstance(item, BaseModel):
                        _walk(item, f"{prefix}.{key}.{i + 1}", location + (key, i), out, in_distribution)
            continue
        kind, choices, optional = _scalar_type(info.annotation)
        if kind is None:
            continue
        bounds = _bounds(info)
        out.append(Parameter(
            path=normalise(f"{prefix}.{key}"), location=location + (key,), type=kind, value=value,
            choices=choices, optional=optional,
            unit=_unit(name, info, in_distribution, bounds["le"]) if kind in ("int", "float") else "",
            description=info.description or "", **bounds,
        ))


def _numbered(labels: list[str]) -> list[str]:
    """``["retry", "retry", "timeout"]`` -> ``["retry", "retry#2", "timeout"]``."""
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label}#{seen[label]}")
    return out


def walk_design(design: Design) -> tuple[list[Parameter], dict[str, Parameter]]:
    """Every parameter of ``design`` in reading order, and the aliases also accepted for them."""
    out: list[Parameter] = []
    aliases: dict[str, Parameter] = {}
    names = design.names()
    for ci, component in enumerate(design.components):
        loc: tuple[str | int, ...] = ("components", ci)
        _walk(component, component.name, loc, out)
        owners = [f"{component.name}->{design.name_of(scope, names)}" if (scope := getattr(p, "scope", None))
                  else component.name
                  for p in component.policies]
        labels = _numbered([f"{owner}.{p.kind}" for owner, p in zip(owners, component.policies)])
        for pi, (policy, label) in enumerate(zip(component.policies, labels)):
            _walk(policy, label, loc + ("policies", pi), out)
    for li, link in enumerate(design.links):
        _walk(link, f"{design.name_of(link.source, names)}->{design.name_of(link.target, names)}", ("links", li), out)
    for ei, experiment in enumerate(design.experiments):
        labels = _numbered([f"{experiment.name}.{f.kind} {normalise(design.name_of(f.target, names))}"
                            for f in experiment.faults])
        for fi, (fault, label) in enumerate(zip(experiment.faults, labels)):
            loc = ("experiments", ei, "faults", fi)
            if len(experiment.faults) == 1:
                start = len(out)
                _walk(fault, experiment.name, loc, out)
                for p in out[start:]:
                    aliases[normalise(label + p.path[len(normalise(experiment.name)):])] = p
            else:
                _walk(fault, label, loc, out)
    return out, aliases


class ParameterSpace:
    """The parameters of one design, looked up by path, and new designs with some of them set."""

    def __init__(self, design: Design):
        self.design = design
        self.parameters, aliases = walk_design(design)
        self._by_path: dict[str, Parameter] = {}
        self._ambiguous: set[str] = set()
        for p in self.parameters:
            if p.path in self._by_path:
                self._ambiguous.add(p.path)
            self._by_path[p.path] = p
        for path, p in aliases.items():
            self._by_path.setdefault(path, p)
        self._data = design.to_dict()

    def __iter__(self):
        return iter(self.parameters)

    def __len__(self) -> int:
        return len(self.parameters)

    def get(self, path: str) -> Parameter:
        """The parameter at ``path``; a ``DesignError`` naming the path (and near misses) if none."""
        key = normalise(path)
        if key in self._ambiguous:
            raise DesignError([Problem(key, "names two parameters (a component, link or experiment "
                                            "name repeats another's path); rename one of them")])
        try:
            return self._by_path[key]
        except KeyError:
            pass
        near = difflib.get_close_matches(key, list(self._by_path), n=3, cutoff=0.6)
        hint = f"; did you mean {', '.join(near)}?" if near else "; `params` lists them"
        raise DesignError([Problem(key, f'is not a parameter of design "{self.design.name}"{hint}')])

    def coerce(self, path: str, raw: Any) -> Any:
        """``raw`` as the value of the parameter at ``path``; a ``DesignError`` naming the path if bad."""
        parameter = self.get(path)
        try:
            return parameter.coerce(raw)
        except ValueError as exc:
            raise DesignError([Problem(parameter.path, str(exc))]) from None

    def with_values(self, values: dict[str, Any], check: bool = True) -> Design:
        """A new, validated design with the parameters at the given paths set.

        Values may be text as typed on a command line. A bad path, a value out of
        range or a design the change makes invalid raise ``DesignError`` naming the path.
        """
        if not values:
            return self.design
        data = self._data
        for path, raw in values.items():
            data = _replaced(data, self.get(path).location, self.coerce(path, raw))
        try:
            return parse_design(data, check=check)
        except DesignError as exc:
            setting = ", ".join(f"{normalise(p)}={_text(v)}" for p, v in values.items())
            raise DesignError([Problem(f"with {setting}", str(p)) for p in exc.problems]) from None


def _replaced(node: Any, location: tuple, value: Any) -> Any:
    """``node`` with the value at ``location`` replaced: the dicts and lists on the way are
    copied, everything else is shared (the original is never changed; a sweep does this per point)."""
    if not location:
        return value
    head = location[0]
    copy = dict(node) if isinstance(node, dict) else list(node)
    copy[head] = _replaced(node[head], location[1:], value)
    return copy


def with_values(design: Design, values: dict[str, Any]) -> Design:
    """``design`` with the parameters at the given paths set, validated (see ``ParameterSpace``)."""
    return ParameterSpace(design).with_values(values)
