"""Undo labels in words: "Change api workers to 8", the field's label and unit read from the model."""
from __future__ import annotations

import uuid
from typing import Any, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from engine.model import format_seconds
from engine.model.catalogue import field_choices, field_label, field_shown_when, field_unit


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


# A list said in words shows its first items only: an undo label or a report cell stays one line.
LIST_SHOWN = 3


def value_words(info, value: Any, label: str = "", owner: BaseModel | None = None,
                list_shown: int | None = LIST_SHOWN) -> str:
    """A field's value as a person would say it, in the unit the field states (or, for a field
    whose unit a sibling sets, the unit that sibling in ``owner`` gives it); of a list, the first
    ``list_shown`` items (all with None)."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "on" if value else "off"
    words = dict(field_choices(info))
    if not words and get_origin(info.annotation) is list:
        # A set of choices (the outcomes a retry retries) says each in the choice's words, as its
        # check boxes do: "short circuited", never the identifier "short_circuited".
        words = dict(field_choices(FieldInfo.from_annotation(get_args(info.annotation)[0])))
    if isinstance(value, (str, int, float)) and value in words:
        return words[value]
    if isinstance(value, BaseModel):
        return model_words(value)
    if isinstance(value, (list, tuple)):
        items = value if list_shown is None else value[:list_shown]
        shown = [model_words(v) if isinstance(v, BaseModel) else str(words.get(v, v)) for v in items]
        more = len(value) - len(items)
        # items that are settings themselves hold commas of their own
        joined = ("; " if any(isinstance(v, BaseModel) for v in items) else ", ").join(shown)
        return joined + (f" and {more} more" if more else "") if shown else "none"
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


def model_words(model: BaseModel) -> str:
    """Settings held in one value (a distribution, a workload, a rate change) in words: the model's
    own ``describe()``, else its kind and its settings."""
    describe = getattr(model, "describe", None)
    if callable(describe):
        return describe()
    inner = settings_words(model, ("kind",))
    kind = str(getattr(model, "kind", "")).replace("_", " ")
    return f"{kind} ({inner})" if kind and inner else (kind or inner or "all")


def settings_words(model: BaseModel, skip: tuple[str, ...] = ()) -> str:
    """A policy's or fault's settings as "label value" pairs, in the forms' words and in the unit
    its model field states.

    A field whose ``shown_when`` its siblings do not meet is left out: the same fact hides it in the
    forms, and a CPU exhaustion has no pool size to report."""
    parts = []
    fields = type(model).model_fields
    for name, value in model:
        if name in skip or value is None:
            continue
        when = field_shown_when(fields[name])
        if when and not all(getattr(model, sibling, None) in values for sibling, values in when.items()):
            continue
        label = field_label(name, fields[name])
        parts.append(f"{label} {value_words(fields[name], value, label, model, list_shown=None)}")
    return " · ".join(parts)


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
    if subject.lower().endswith(label.lower()):
        # A policy's field named as the policy (a timeout's timeout) read twice: "web timeout timeout".
        return f"Change {subject} to {words}"
    return f"Change {subject} {label} to {words}"


def change_text_of(subject: str, model: BaseModel, ident: uuid.UUID, path: str) -> str | None:
    """``change_text`` for a field of the policy, objective or fault with id ``ident`` inside ``model``."""
    inner = _find(model, ident)
    return change_text(subject, inner, path) if inner is not None else None
