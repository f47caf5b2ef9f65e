"""What a field of the model says about itself, read by forms, the report and parameter paths.

A field states its label (``title``), its help (``description``), its unit and, for a choice,
the words of each value in its ``json_schema_extra``::

    Field(0.5, ge=0, le=1, title="Affected calls", description="share of calls delayed",
          json_schema_extra={"unit": "ratio"})

Units: ``s`` (seconds, shown as a duration), ``ratio`` (0..1, shown as a percentage), ``%``
(0..100), ``x`` (a multiplier), ``1/s`` (a rate), or a counted noun (``calls``, ``attempts``).
``shown_in`` is the unit a duration is typed in where seconds would read badly (``ms``);
``choices`` maps a value to its words; ``shown_when`` names the sibling field and the values
for which the field matters (``{"resource": ["cpu"]}``); ``unit_by`` names the sibling field
whose value sets the unit (``{"sliding_window_type": {"count_based": "calls", ...}}``), where
``unit`` is what is said without that sibling at hand.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, get_args, get_origin

from pydantic.fields import FieldInfo

# The longest run RunOptions accepts; no time of a fault or policy need exceed it.
LONGEST_RUN = 10_000_000.0


def _extra(info: FieldInfo) -> dict[str, Any]:
    return info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}


def field_unit(info: FieldInfo, sibling: Callable[[str], Any] | None = None) -> str:
    """The unit a field states for itself, or "" for a field that has none; for a field whose unit
    its sibling's value sets (``unit_by``), that value's unit, read by ``sibling`` (name -> value)."""
    extra = _extra(info)
    if sibling is not None:
        for name, units in extra.get("unit_by", {}).items():
            unit = units.get(sibling(name))
            if unit is not None:
                return str(unit)
    return str(extra.get("unit", ""))


def field_unit_by(info: FieldInfo) -> tuple[str, ...]:
    """The sibling fields whose values set this field's unit (``unit_by``); none for most."""
    return tuple(_extra(info).get("unit_by", {}))


def field_shown_in(info: FieldInfo, fallback: str | None = None) -> str:
    """The unit a duration field is shown in: its ``shown_in``, else ``fallback`` when given, else ms for
    defaults under a second, else s."""
    if _extra(info).get("shown_in"):
        return str(_extra(info)["shown_in"])
    if fallback:
        return fallback
    short = isinstance(info.default, (int, float)) and 0 < info.default < 1
    return "ms" if short else "s"


def field_label(name: str, info: FieldInfo) -> str:
    """A field's label: its ``title``, else its name as prose ("max_attempts" -> "Max attempts")."""
    return info.title or name.replace("_", " ").capitalize()


def field_help(info: FieldInfo) -> str:
    """A field's help sentence, capitalised, or "" when it has none."""
    text = info.description or ""
    return text[:1].upper() + text[1:]


def field_choices(info: FieldInfo) -> list[tuple[Any, str]]:
    """The values a choice field accepts, each with its words, in the order of its ``Literal``."""
    words = _extra(info).get("choices", {})
    # A Literal, or a Literal or None; a list of Literals is a set of values, not a choice.
    annotation = info.annotation
    candidates = (annotation,) if get_origin(annotation) is list else (annotation, *get_args(annotation))
    literal = next((a for a in candidates if get_origin(a) is Literal), None)
    values = get_args(literal) if literal is not None else ()
    return [(v, str(words.get(v, str(v).replace("_", " ")))) for v in values]


def field_shown_when(info: FieldInfo) -> dict[str, list[Any]] | None:
    """The sibling field and its values for which this field matters, or None when it always does."""
    when = _extra(info).get("shown_when")
    return dict(when) if when else None


def numeric_bounds(info: FieldInfo) -> dict[str, float | None]:
    """A numeric field's ``ge``/``gt``/``le``/``lt`` bounds, None where it sets none."""
    out: dict[str, float | None] = {"ge": None, "gt": None, "le": None, "lt": None}
    for meta in info.metadata:
        for key in out:
            value = getattr(meta, key, None)
            if value is not None:
                out[key] = float(value)
    return out
