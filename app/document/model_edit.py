"""Pure helpers that derive new model objects from old ones, validating every change.

The document never holds a half-valid object: an edit builds a complete new
model through pydantic validation and only a successful result is pushed.
"""
from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from engine.model.design import explain_validation_error

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class FieldError:
    """A validation message tied to the dotted path of the field it concerns ('' for the whole object)."""

    path: str
    message: str


class EditRejected(ValueError):
    """The edit would make the object invalid; ``errors`` say why, per field."""

    def __init__(self, errors: list[FieldError]):
        self.errors = errors
        super().__init__("; ".join(f"{e.path}: {e.message}" if e.path else e.message for e in errors))


def dump(model: BaseModel) -> dict[str, Any]:
    """A plain dict of a model, keyed by alias (``mean``), with ids kept as UUIDs."""
    return model.model_dump(by_alias=True)


def get_path(data: Any, path: str) -> Any:
    """The value at a dotted path of nested dicts or objects (None where the path ends)."""
    for part in path.split("."):
        if data is None:
            return None
        data = data.get(part) if isinstance(data, dict) else getattr(data, part, None)
    return data


def set_path(data: dict, path: str, value: Any) -> None:
    """Set the value at a dotted path of nested dicts, creating dicts on the way."""
    parts = path.split(".")
    for part in parts[:-1]:
        if not isinstance(data.get(part), dict):
            data[part] = {}
        data = data[part]
    data[parts[-1]] = value


def switches_kind(old: BaseModel, new: BaseModel, paths) -> bool:
    """Whether an edit puts another kind of value (another model class, or none) at one of ``paths``:
    a workload from open to closed loop, a latency from constant to lognormal."""
    for path in paths:
        before, after = get_path(old, path), get_path(new, path)
        if (isinstance(before, BaseModel) or isinstance(after, BaseModel)) and type(before) is not type(after):
            return True
    return False


def _loc_path(loc: tuple) -> str:
    # pydantic inserts union tags and validator names in the location; the form knows fields only.
    from engine.model.design import field_path

    return field_path(loc)


def field_errors(exc: ValidationError, data: Any) -> list[FieldError]:
    """The engine's readable messages for a validation error, each tied to its field path."""
    problems = explain_validation_error(exc, data)
    out = []
    for err, problem in zip(exc.errors(include_url=False), problems):
        raw = ".".join(str(p) for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        message = problem.message
        # The engine prefixes the raw location; the form shows the message next to the field.
        if raw and message.startswith(raw + " "):
            message = message[len(raw) + 1:]
        out.append(FieldError(_loc_path(err["loc"]), message))
    return out


def updated(model: M, changes: dict[str, Any]) -> M:
    """A validated copy of ``model`` with dotted-path ``changes`` applied; raises EditRejected."""
    data = copy.deepcopy(dump(model))
    for path, value in changes.items():
        set_path(data, path, value)
    return validated(type(model), data)


def validated(cls: type[M], data: dict) -> M:
    """Validate ``data`` as ``cls``; raise EditRejected with per-field messages."""
    try:
        return cls.model_validate(data)
    except ValidationError as exc:
        raise EditRejected(field_errors(exc, data)) from None


def renewed_ids(data: Any) -> Any:
    """A copy of dumped model data with every ``id`` replaced by a fresh UUID (for paste, duplicate)."""
    if isinstance(data, dict):
        return {k: (uuid.uuid4() if k == "id" else renewed_ids(v)) for k, v in data.items()}
    if isinstance(data, list):
        return [renewed_ids(v) for v in data]
    return data
