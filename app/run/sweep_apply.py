"""Putting a point of a sweep, or a suggested fix, into the open design: one undo step.

A sweep point is a set of parameter values and a fix a changed copy of the
design; either way, the components, links and experiments that differ are
replaced by their changed copies inside one macro command, so one Undo takes
the whole point back.
"""
from __future__ import annotations

from typing import Any

from app.document.commands import (
    EditComponentCommand,
    EditExperimentCommand,
    EditLinkCommand,
    MacroCommand,
)
from engine.explore import ParameterSpace, format_value
from engine.model import Design


def changed_parts(old: Design, new: Design) -> list[tuple[str, Any, Any]]:
    """(kind, old, new) of each component, link and experiment that ``new`` changes, matched by
    id; ``new`` must have the same parts as ``old`` (a fix or a point adds none)."""
    out = []
    for kind, olds, news in (("component", old.components, new.components), ("link", old.links, new.links),
                             ("experiment", old.experiments, new.experiments)):
        by_id = {part.id: part for part in news}
        if set(by_id) != {part.id for part in olds}:
            raise ValueError(f"the {kind}s differ from the open design's: it was edited since")
        out += [(kind, part, by_id[part.id]) for part in olds if by_id[part.id] != part]
    return out


def apply_design(document, new: Design, text: str) -> bool:
    """Replace what ``new`` changes in the document's current design as one undo step named
    ``text``; False (and nothing pushed) when it changes nothing."""
    parts = changed_parts(document.design, new)
    if not parts:
        return False
    macro = MacroCommand(text)
    for kind, old, changed in parts:
        if kind == "component":
            EditComponentCommand(document, old, changed, parent=macro)
        elif kind == "link":
            EditLinkCommand(document, old, changed, parent=macro)
        else:
            EditExperimentCommand(document, old, changed, parent=macro)
    document.undo_stack.push(macro)
    return True


def apply_values(document, values: dict[str, Any]) -> bool:
    """Set the parameters at the given paths in the document's current design, as one undo step.

    Raises ``DesignError`` naming the path when a value does not fit the design as it is now.
    """
    new = ParameterSpace(document.design).with_values(values)
    words = ", ".join(f"{path}={format_value(value)}" for path, value in values.items())
    return apply_design(document, new, f"Apply sweep point {words}")


def parameter_path(design: Design, request: tuple) -> str:
    """The parameter path of a field a pane asked to sweep: ``("component", id, field)``,
    ``("link", id, field)``, ``("policy", component id, policy id, field)``,
    ``("objective", client id, objective id, field)`` or
    ``("fault", experiment id, fault id, field)``, the field as the forms name it
    (``workload.rate``, ``service_time``). A field holding several parameters (a distribution)
    gives its first that is set. Raises ``ValueError`` saying why when the field is no parameter."""
    kind, *ids, field = request
    prefix: tuple[str | int, ...]
    try:
        if kind == "component":
            prefix = ("components", _index(design.components, ids[0]))
        elif kind == "link":
            prefix = ("links", _index(design.links, ids[0]))
        elif kind == "policy":
            ci = _index(design.components, ids[0])
            prefix = ("components", ci, "policies", _index(design.components[ci].policies, ids[1]))
        elif kind == "objective":
            ci = _index(design.components, ids[0])
            prefix = ("components", ci, "objectives", _index(getattr(design.components[ci], "objectives", []), ids[1]))
        elif kind == "fault":
            ei = _index(design.experiments, ids[0])
            prefix = ("experiments", ei, "faults", _index(design.experiments[ei].faults, ids[1]))
        else:
            raise ValueError(f"cannot sweep a field of a {kind}")
    except StopIteration:
        raise ValueError("what that field belonged to is no longer in the design") from None
    location = prefix + tuple(int(k) if k.isdigit() else k for k in field.split("."))
    parameters = list(ParameterSpace(design))
    exact = [p for p in parameters if p.location == location]
    # of a distribution's parameters, the first that is set (a lognormal by p50 and p99 has no mean)
    below = sorted((p for p in parameters if p.location[:len(location)] == location),
                   key=lambda p: p.value is None)
    if not (exact or below):
        raise ValueError(f'"{field.replace("_", " ")}" is not a number or a choice a sweep can vary')
    return (exact or below)[0].path


def _index(parts, part_id) -> int:
    return next(i for i, part in enumerate(parts) if part.id == part_id)
