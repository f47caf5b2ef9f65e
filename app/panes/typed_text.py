"""How the panes read numbers and durations typed with their units, and write them back: text
only, no widgets (``fields`` holds the editors that use it)."""
from __future__ import annotations

import math
import re
from decimal import Decimal

from engine.model import TIME_UNITS

from ..document.wording import people_number

# The spellings a duration is shown in, largest first; hours and minutes only for whole numbers of them
# ("5 min", but "90 s" rather than "1.5 min").
_SHOWN_UNITS = ("h", "min", "s", "ms", "µs")
_WHOLE_ONLY = ("h", "min")
NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
# A comma, space or underscore between digits that sets off a group of three: "10 000 000 s", "1,500 ms".
THOUSANDS = re.compile(r"(?<=\d)[ ,_](?=\d{3}(?!\d))")
# As many figures as a message gives a value: a bound or an input need not be exact to be understood.
_MESSAGE_DIGITS = 6
# Below this much of the unit a message shows its largest figure in, a figure has a unit of its own.
_SLIVER = 0.01


def parse_duration(text: str, default_unit: str) -> float:
    """'20 ms', '1.5s', '500 µs', '2 min', '10 000 s' or a bare number in the default unit, to seconds."""
    m = re.fullmatch(rf"\s*({NUMBER})\s*([a-zµ]*)\s*", THOUSANDS.sub("", text.strip().lower()))
    if not m:
        raise ValueError(f'"{text}" is not a duration (try "20 ms" or "1.5 s")')
    unit = m.group(2) or default_unit
    if unit not in TIME_UNITS:
        spellings = ", ".join(reversed(_SHOWN_UNITS[1:]))
        raise ValueError(f'unknown unit "{unit}" (use {spellings} or {_SHOWN_UNITS[0]})')
    return float(m.group(1)) * TIME_UNITS[unit]


def plain(figure: str) -> str:
    """A number as text without an exponent: people do not write "3e+02 ms"."""
    return format(Decimal(figure), "f")


def shown_unit(seconds: float, field_unit: str) -> str:
    """The unit ``seconds`` reads best in: of the units it is at least one of, the one its six
    figures take fewest digits in, the larger on a tie (1.5 s, not 1500 ms; 250 ms, not 0.25 s;
    5 min, not 300 s), hours and minutes only for whole numbers of them (90 s, not 1.5 min).
    Zero is in the field's own unit."""
    if seconds == 0 or not math.isfinite(seconds):
        return field_unit
    best, fewest = field_unit, math.inf
    for unit in _SHOWN_UNITS:
        value = abs(seconds) / TIME_UNITS[unit]
        if (value < 1 and unit != _SHOWN_UNITS[-1]) or (unit in _WHOLE_ONLY and not value.is_integer()):
            continue
        digits = len(plain(f"{value:.6g}").replace(".", "").strip("0"))
        if digits < fewest:
            best, fewest = unit, digits
    return best


def format_duration(seconds: float | None, unit: str) -> str:
    """Seconds as a person would write them ("1.5 s", "5 min", "250 ms"), to six figures; zero in
    ``unit``, the field's own; empty for None."""
    if seconds is None:
        return ""
    shown = shown_unit(seconds, unit)
    return f"{plain(f'{seconds / TIME_UNITS[shown]:.6g}')} {shown}"


def durations_in_words(values: list[float], unit: str) -> list[str]:
    """Durations side by side in a sentence ("at most 10 000 000 s (got 100 000 000 s)"): all in the
    unit the largest reads best in, so they compare at a glance; rounded, with thousands apart. A
    value that would be a sliver of that unit ("0.0000166667 min") is in the unit it reads best in
    instead ("at least 1 ms (got -1 min)")."""
    largest = max(values, key=abs, default=0.0)
    common = shown_unit(largest, unit)
    words = []
    for seconds in values:
        sliver = seconds != 0 and abs(seconds) / TIME_UNITS[common] < _SLIVER
        shown = shown_unit(seconds, unit) if sliver else common
        rounded = float(f"{seconds / TIME_UNITS[shown]:.{_MESSAGE_DIGITS}g}")
        figure = people_number(rounded) if rounded.is_integer() else plain(repr(rounded))
        words.append(f"{figure} {shown}")
    return words


_NUMBER_THEN_UNIT = re.compile(rf"({NUMBER})\s*(\S.*)?", re.IGNORECASE)
# How a field's unit may be typed after its number, beyond the unit itself and a count's singular.
_UNIT_SPELLINGS = {"1/s": ("/s", "1/s", "per s", "req/s", "requests/s"), "x": ("×",)}
_UNIT_NAMES = {"1/s": "a rate per second", "x": "a factor"}
_UNIT_PLURALS = {"s": "seconds"}


def _unit_spellings(unit: str) -> set[str]:
    """The ways ``unit`` may follow a number typed in its field: "5 users", "1 user", "20/s"."""
    spellings = {unit.lower(), *_UNIT_SPELLINGS.get(unit, ())}
    if unit.isalpha() and unit.endswith("s"):
        spellings.add(unit[:-1].lower())  # "1 worker"
    return spellings - {""}

def without_unit(figure: str, text: str, unit: str, integer: bool) -> str:
    """``figure`` (the number typed as ``text``) without the field's ``unit`` after it: "20/s",
    "1 worker"; a ValueError naming the unit wanted for another one ("8 ms" of workers)."""
    typed = _NUMBER_THEN_UNIT.fullmatch(figure)
    if not typed or not typed.group(2):
        return figure
    if typed.group(2).lower() not in _unit_spellings(unit):
        kind = "a whole number" if integer else "a number"
        wanted = _UNIT_NAMES.get(unit, f"{kind} of {_UNIT_PLURALS.get(unit, unit)}") if unit else kind
        raise ValueError(f'"{text}" is not {wanted}')
    return typed.group(1)

