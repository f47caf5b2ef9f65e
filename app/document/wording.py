"""Undo labels in words: "Change api workers to 8", the field's label and unit read from the model."""
from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel

from engine.model import format_seconds
from engine.model.catalogue import field_choices, field_label, field_unit


def _find(model: Any, ident: uuid.UUID) -> BaseModel | None:
    """The model object with id ``ident`` anywhere inside ``model`` (a policy, objective or fault)."""
    if isinstance(model, BaseModel):
        if getattr(model, "id", None) == ident:
            return model
        for name in type(model).model_fields:
            found = _find(getattr(model, name), ident)
            if found is not None:
                return found
    elif isinstance(model, (list, tuple)):
        for item in model:
            found = _find(item, ident)
            if found is not None:
                return found
    return None


def _field(model: BaseModel, path: str):
    """(FieldInfo, value, the model holding it) of a dotted path in ``model``, or Nones where the path
    leaves the models."""
    parts = path.split(".")
    current: Any = model
    owner = None
    info = None
    for part in parts:
        if not isinstance(current, BaseModel) or part not in type(current).model_fields:
            return None, None, None
        info = type(current).model_fields[part]
        owner, current = current, getattr(current, part)
    return info, current, owner


def people_number(value: float, digits: int = 4) -> str:
    """A number for people: thousands apart by a space from 10 000 on (SI), no trailing zeros."""
    if float(value).is_integer() and abs(value) < 1e15:
        whole = int(value)
        return f"{whole:,}".replace(",", " ") if abs(whole) >= 10_000 else str(whole)
    return f"{value:.{digits}g}"


def value_words(info, value: Any, label: str = "", owner: BaseModel | None = None) -> str:
    """A field's value as a person would say it, in the unit the field states (or, for a field
    whose unit a sibling sets, the unit that sibling in ``owner`` gives it)."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "on" if value else "off"
    words = dict(field_choices(info))
    if isinstance(value, (str, int, float)) and value in words:
        return words[value]
    if isinstance(value, BaseModel):
        describe = getattr(value, "describe", None)
        return describe() if callable(describe) else "new settings"
    if isinstance(value, (list, tuple)):
        if any(isinstance(v, BaseModel) for v in value):
            return f"{len(value)} items"
        return ", ".join(str(v) for v in value) or "none"
    if not isinstance(value, (int, float)):
        return str(value)
    unit = field_unit(info, None if owner is None else (lambda sibling: getattr(owner, sibling, None)))
    if unit == "s":
        return format_seconds(float(value))
    if unit == "ratio":
        return f"{people_number(round(value * 100, 6))} %"
    if unit == "1/s":
        return f"{people_number(value)}/s"
    if unit in ("", "x"):
        return people_number(value) + ("×" if unit == "x" else "")
    # A counted noun the label already names is not said twice ("max attempts to 5").
    return people_number(value) if unit.lower() in label.lower() else f"{people_number(value)} {unit}"


def change_text(subject: str, model: BaseModel, path: str, many: int = 0) -> str | None:
    """``Change <subject> <label> to <value>`` for the field at ``path`` of the edited ``model``;
    with ``many``, the same edit of that many components: ``Change <label> of 3 components to <value>``."""
    info, value, owner = _field(model, path)
    if info is None:
        return None
    name = path.rsplit(".", 1)[-1]
    label = field_label(name, info)
    # "Workers" reads "workers" inside a sentence; "CoDel target", "P99" or "LIFO after" keep their capitals.
    first = label.split(" ", 1)[0]
    if first[1:].islower():
        label = label[0].lower() + label[1:]
    words = value_words(info, value, label, owner)
    if many:
        return f"Change {label} of {many} components to {words}"
    return f"Change {subject} {label} to {words}"


def change_text_of(subject: str, model: BaseModel, ident: uuid.UUID, path: str) -> str | None:
    """``change_text`` for a field of the policy, objective or fault with id ``ident`` inside ``model``."""
    inner = _find(model, ident)
    return change_text(subject, inner, path) if inner is not None else None
