"""Field editors for the panes: numbers with units, durations, choices, distributions.

Each editor shows a value and emits ``committed(value)`` when the user has
finished an edit (Enter, focus out, a choice, a step with the arrow keys).
Text that cannot even be parsed emits ``invalid(message)`` instead; values
that parse are judged by the engine model in the form.
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from pydantic import TypeAdapter, ValidationError
from PySide6.QtCore import QCoreApplication, QEvent, QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSizePolicy,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from engine.model import DISTRIBUTION_KINDS, TIME_UNITS, Distribution, format_seconds
from engine.model.outcomes import FAILURE_OUTCOMES

from ..document.model_edit import field_errors
from .typed_text import NUMBER, THOUSANDS, format_duration, parse_duration, plain, without_unit


def text_width_needed(edit: QLineEdit, text: str) -> int:
    """The width a line edit needs to show ``text`` whole: the text, its margins, the frame, the cursor."""
    margins = edit.textMargins()
    contents = edit.contentsMargins()
    frame = edit.style().pixelMetric(QStyle.PixelMetric.PM_DefaultFrameWidth, None, edit)
    # QLineEdit keeps 2 px of horizontal margin inside its frame, plus room for the cursor.
    return (edit.fontMetrics().horizontalAdvance(text) + margins.left() + margins.right() + contents.left()
            + contents.right() + 2 * frame + 2 * 2 + 4)


class _LineEditor(QLineEdit):
    """A line edit that commits on Enter/focus-out and steps with the arrow keys."""

    committed = Signal(object)
    invalid = Signal(str)
    # Editing ended on the value the document holds: a refusal of what was typed before is void.
    settled = Signal()
    whole_value = False  # numbers and durations are short and must show whole; free text may scroll

    def __init__(self, optional: bool = False, placeholder: str = "", parent=None):
        super().__init__(parent)
        self.optional = optional
        self._shown = ""
        if placeholder:
            self.setPlaceholderText(placeholder)
        self.editingFinished.connect(self._finish)

    def set_value(self, value) -> None:
        self._shown = self.format(value)
        if self.text() != self._shown:
            self.setText(self._shown)
            if not self.hasFocus():
                self.setCursorPosition(0)  # a text longer than the field shows its beginning, not its end
            self.updateGeometry()

    def minimumSizeHint(self):
        """For short values, wide enough for the whole value: a layout may squeeze the editor,
        but never cut "100 ms" to "10"."""
        hint = super().minimumSizeHint()
        if not self.whole_value:
            return hint
        return hint.expandedTo(QSize(text_width_needed(self, self._shown or self.placeholderText()), 0))

    def format(self, value) -> str:
        return "" if value is None else str(value)

    def parse(self, text: str):
        return text

    def _finish(self) -> None:
        if self.text() == self._shown:
            self.settled.emit()
            return
        self._emit(self.text())

    def _emit(self, text: str) -> None:
        if self.optional and not text.strip():
            self.committed.emit(None)
            return
        try:
            value = self.parse(text)
        except ValueError as exc:
            self.invalid.emit(str(exc))
            return
        self.committed.emit(value)

    def step(self, value, up: bool):
        raise ValueError

    def keyPressEvent(self, event: QKeyEvent):
        if event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            try:
                value = self.parse(self.text())
                new = self.step(value, event.key() == Qt.Key.Key_Up)
            except (ValueError, TypeError):
                return super().keyPressEvent(event)
            self.setText(self.format(new))
            self.committed.emit(new)
            event.accept()
            return
        if event.key() == Qt.Key.Key_Escape and self.text() != self._shown:
            self.setText(self._shown)
            self.settled.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class TextEditor(_LineEditor):
    """Free text, trimmed (names)."""

    def parse(self, text: str):
        return text.strip()


class NumberEditor(_LineEditor):
    """An int or float; the model judges the range, so its own messages reach the user."""

    whole_value = True

    def __init__(self, integer: bool = False, scale: float = 1.0, optional: bool = False, placeholder: str = "",
                 parent=None):
        super().__init__(optional, placeholder, parent)
        self.integer = integer
        self.scale = scale  # shown = stored * scale (percent of a fraction: 100)
        # The unit the form shows beside the field ("users", "1/s"): a number typed with it is read.
        self.typed_unit = ""
        self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

    def format(self, value) -> str:
        if value is None:
            return ""
        if self.integer:
            return str(int(value))
        # Every figure typed comes back as typed: six figures showed 1234567 as "1.23457e+06", which
        # an edit of another digit would then have stored rounded.
        return plain(f"{value * self.scale:.12g}")

    def parse(self, text: str):
        # Thousands set apart as the pane's own messages write them ("at most 10 000") are read back.
        t = THOUSANDS.sub("", text.strip()).replace(",", "").replace("_", "")
        if t.endswith("%"):
            t = t[:-1].strip()
        t = without_unit(t, text, self.typed_unit, self.integer)
        try:
            if self.integer:
                as_float = float(t)
                if not as_float.is_integer():
                    raise ValueError
                return int(as_float)
            value = float(t) / self.scale
        except ValueError:
            raise ValueError(f'"{text}" is not {"a whole number" if self.integer else "a number"}') from None
        if not math.isfinite(value):
            raise ValueError("must be a finite number")
        return value

    def step(self, value, up: bool):
        if value is None:
            raise ValueError
        if self.integer:
            return value + (1 if up else -1)
        delta = (1.0 if self.scale != 1 else max(abs(value) * 0.1, 0.1)) / self.scale
        return round(value + (delta if up else -delta), 9)


class DurationEditor(_LineEditor):
    """Seconds, shown in the unit that reads best (``format_duration``); any of µs, ms, s, min, h may be
    typed. A bare number, and a step of the arrow keys, is in the unit shown ("2" typed over "1.5 s"
    is 2 s), or in ``unit`` while the field is empty."""

    whole_value = True

    def __init__(self, unit: str = "ms", optional: bool = False, placeholder: str = "", parent=None):
        super().__init__(optional, placeholder, parent)
        self.unit = unit
        self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

    def format(self, value) -> str:
        return format_duration(value, self.unit)

    def shown_in(self) -> str:
        """The unit of the value shown, or the field's own when none is."""
        unit = self._shown.rpartition(" ")[2]
        return unit if unit in TIME_UNITS else self.unit

    def parse(self, text: str):
        return parse_duration(text, self.shown_in())

    def step(self, value, up: bool):
        if value is None:
            raise ValueError
        unit = TIME_UNITS[self.shown_in()]
        return round(value + (unit if up else -unit), 12)


class ChoiceEditor(QComboBox):
    """One of a fixed set of values, each with a label."""

    committed = Signal(object)
    invalid = Signal(str)

    def __init__(self, choices: list[tuple[Any, str]] | None = None, parent=None):
        super().__init__(parent)
        self.set_choices(choices or [])
        self.activated.connect(lambda i: self.committed.emit(self.itemData(i)))
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(8)

    def set_choices(self, choices: list[tuple[Any, str]]) -> None:
        current = self.currentData()
        self.blockSignals(True)
        self.clear()
        for value, label in choices:
            self.addItem(label, value)
        i = self.findData(current)
        if i >= 0:
            self.setCurrentIndex(i)
        self.blockSignals(False)

    def set_value(self, value) -> None:
        i = self.findData(value)
        if i < 0 and value is not None:
            # A value outside the offered choices (say, a stale scope): show it rather than lie.
            self.addItem(f"{value} (not available)", value)
            i = self.count() - 1
        self.blockSignals(True)
        self.setCurrentIndex(i)
        self.blockSignals(False)


class BoolEditor(QCheckBox):
    """A check box committed on click."""

    committed = Signal(object)
    invalid = Signal(str)

    def __init__(self, text: str = "", parent=None):
        super().__init__(text, parent)
        self.clicked.connect(lambda checked: self.committed.emit(bool(checked)))

    def set_value(self, value) -> None:
        self.blockSignals(True)
        self.setChecked(bool(value))
        self.blockSignals(False)


class OutcomesEditor(QWidget):
    """Check boxes for the failure outcomes a policy reacts to."""

    committed = Signal(object)
    invalid = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setHorizontalSpacing(10)
        layout.setVerticalSpacing(2)
        self.boxes: dict[str, QCheckBox] = {}
        for i, outcome in enumerate(FAILURE_OUTCOMES):
            box = QCheckBox(outcome.replace("_", " "))
            box.clicked.connect(self._emit)
            layout.addWidget(box, i // 2, i % 2)
            self.boxes[outcome] = box

    def set_value(self, value) -> None:
        for outcome, box in self.boxes.items():
            box.blockSignals(True)
            box.setChecked(outcome in (value or []))
            box.blockSignals(False)

    def _emit(self) -> None:
        self.committed.emit([o for o, box in self.boxes.items() if box.isChecked()])


def secondary_label(text: str = "", wrap: bool = True) -> QLabel:
    """A quieter label for hints and explanations (the theme styles ``secondary`` labels)."""
    label = QLabel(text)
    label.setWordWrap(wrap)
    label.setProperty("secondary", True)
    return label


class FollowingScrollArea(QScrollArea):
    """A scroll area that follows its body's layout as forms come and go, and never cuts it sideways.

    QScrollArea recomputes its range on a LayoutRequest sent to itself, but a body
    whose layout grows (a form swapped in, a row shown) posts that request to the
    viewport instead: the body keeps its old height and its rows are squeezed
    over one another. Forwarding the request keeps every row at its full height.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        # A stop for Tab that shows nothing: the fields in it take the focus, and scroll it to them.
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)

    def setWidget(self, widget: QWidget) -> None:
        super().setWidget(widget)
        widget.installEventFilter(self)

    def eventFilter(self, watched, event):
        if watched is self.widget() and event.type() in (QEvent.Type.LayoutRequest, QEvent.Type.Show):
            # Posted, so it runs after the body's own layout has taken the new size.
            QCoreApplication.postEvent(self, QEvent(QEvent.Type.LayoutRequest))
            self.updateGeometry()
        return super().eventFilter(watched, event)

    def minimumSizeHint(self):
        """As narrow as the body allows with the scroll bar beside it; as short as the scroll bar allows."""
        hint = super().minimumSizeHint()
        body = self.widget()
        if body is None:
            return hint
        bar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent, None, self)
        margins = self.contentsMargins()
        return QSize(max(hint.width(), body.minimumSizeHint().width() + bar + margins.left() + margins.right()),
                     hint.height())


def scrolling_body(margins: tuple[int, int, int, int] = (0, 0, 0, 0)) -> tuple[QScrollArea, QVBoxLayout]:
    """A frameless area that scrolls up and down only, and the layout to fill it."""
    scroll = FollowingScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    body = QWidget()
    scroll.setWidget(body)
    layout = QVBoxLayout(body)
    layout.setContentsMargins(*margins)
    return scroll, layout


_DIST_ADAPTER = TypeAdapter(Distribution)
# The parameters each distribution kind is edited by: (key, label, kind of editor).
_DIST_PARAMS: dict[str, list[tuple[str, str, str]]] = {
    "constant": [("value", "value", "time")],
    "exponential": [("mean", "mean", "time")],
    "uniform": [("low", "low", "time"), ("high", "high", "time")],
    "normal": [("mean", "mean", "time"), ("std", "std dev", "time")],
    "lognormal": [("p50", "p50", "time"), ("p99", "p99", "time")],
    "empirical": [("points", "points", "list")],
}
_DIST_LABELS = {
    "constant": "constant", "exponential": "exponential", "uniform": "uniform",
    "normal": "normal (truncated at 0)", "lognormal": "lognormal", "empirical": "empirical (measured points)",
}

# The times a distribution is given by, whatever its kind.
DISTRIBUTION_TIMES = frozenset(key for params in _DIST_PARAMS.values() for key, _label, how in params if how == "time")


def default_distribution(kind: str, mean: float) -> dict:
    """A distribution of ``kind`` with about the given mean, for switching kinds without losing scale."""
    mean = mean if mean > 0 else 0.01
    starts: dict[str, dict[str, Any]] = {
        "constant": {"kind": "constant", "value": mean},
        "exponential": {"kind": "exponential", "mean": mean},
        "uniform": {"kind": "uniform", "low": mean * 0.5, "high": mean * 1.5},
        "normal": {"kind": "normal", "mean": mean, "std": mean * 0.25},
        "lognormal": {"kind": "lognormal", "p50": mean * 0.8, "p99": mean * 4},
        "empirical": {"kind": "empirical", "points": [mean * 0.5, mean, mean * 2]},
    }
    return starts[kind]


class DistributionEditor(QWidget):
    """Kind and parameters of a time distribution, with the p50 and p99 they give."""

    committed = Signal(object)  # a dict the model validates
    invalid = Signal(str)
    settled = Signal()

    def __init__(self, unit: str = "ms", parent=None):
        super().__init__(parent)
        self.unit = unit
        self._value: dict | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(3)
        self.kind = ChoiceEditor([(k, _DIST_LABELS[k]) for k in DISTRIBUTION_KINDS])
        self.kind.setToolTip("Shape of the time distribution.")
        outer.addWidget(self.kind)
        self.params_row = QHBoxLayout()
        self.params_row.setSpacing(4)
        outer.addLayout(self.params_row)
        self.summary = QLabel()
        self.summary.setObjectName("distributionSummary")
        self.summary.setProperty("secondary", True)
        # Beside its label in a narrow pane (a link's latency at 1280x720) the line is wider than the
        # pane: it wraps between figures, where unwrapped it was cut ("mean 500 µ").
        self.summary.setWordWrap(True)
        outer.addWidget(self.summary)
        self._param_widgets: list[QWidget] = []
        self._editors: dict[str, _LineEditor] = {}
        self.kind.committed.connect(self._kind_chosen)

    def set_value(self, value) -> None:
        data = value.model_dump(by_alias=True) if hasattr(value, "model_dump") else dict(value or {})
        kind = data.get("kind", "constant")
        if kind == "lognormal" and data.get("p50") is None:
            # A lognormal given by mean and std is shown, and edited, by the percentiles it has.
            try:
                dist = _DIST_ADAPTER.validate_python(data)
                data = {"kind": "lognormal", "p50": dist.quantile(0.5), "p99": dist.quantile(0.99)}
            except (ValidationError, ValueError):
                pass
        if self._value is None or self._value.get("kind") != kind:
            self._build(kind)
        self._value = data
        self.kind.set_value(kind)
        for key, editor in self._editors.items():
            editor.set_value(data.get(key))
        self._summarise(data)

    def _build(self, kind: str) -> None:
        for w in self._param_widgets:
            self.params_row.removeWidget(w)
            w.hide()  # at once: deleteLater waits for the event loop, and the old row would show through
            w.setParent(None)
            w.deleteLater()
        self._param_widgets, self._editors = [], {}
        for key, label, how in _DIST_PARAMS[kind]:
            lab = QLabel(label)
            lab.setProperty("secondary", True)
            if how == "time":
                editor: _LineEditor = DurationEditor(self.unit)
                editor.setToolTip(f"{label}, in any of µs, ms, s, min (default {self.unit})")
            else:
                editor = _PointsEditor(self.unit)
                editor.setToolTip(f"Measured times, comma separated, in {self.unit} unless a unit is given")
            editor.setMinimumWidth(70)
            editor.committed.connect(lambda v, key=key: self._param(key, v))
            editor.invalid.connect(self.invalid)
            editor.settled.connect(self._settled)
            self.params_row.addWidget(lab)
            self.params_row.addWidget(editor, 1)
            self._param_widgets += [lab, editor]
            self._editors[key] = editor

    def _settled(self) -> None:
        # A refusal stands while another of the parameters still holds the text it was refused for.
        if all(editor.text() == editor._shown for editor in self._editors.values()):
            self.settled.emit()

    def _kind_chosen(self, kind: str) -> None:
        mean = 0.01
        if self._value:
            try:
                mean = _DIST_ADAPTER.validate_python(self._value).mean()
            except (ValidationError, ValueError, ZeroDivisionError):
                pass
        self._try(default_distribution(kind, mean))

    def _param(self, key: str, value) -> None:
        data = dict(self._value or {})
        # A parameter refused alone (a p50 above the old p99) is still typed in its box: the edit of
        # the other one takes it along rather than putting the old value back over it.
        for other, editor in self._editors.items():
            if other != key and editor.text() != editor._shown:
                try:
                    data[other] = editor.parse(editor.text())
                except ValueError:
                    pass
        data[key] = value
        self._try(data)

    def _try(self, data: dict) -> None:
        try:
            _DIST_ADAPTER.validate_python(data)
        except ValidationError as exc:
            errors = field_errors(exc, data)
            self.invalid.emit("; ".join(f"{e.path} {e.message}".strip() for e in errors))
            return
        self.committed.emit(data)

    def _summarise(self, data: dict) -> None:
        try:
            dist = _DIST_ADAPTER.validate_python(data)
            figures = (f"p50 {format_seconds(dist.quantile(0.5))}", f"p99 {format_seconds(dist.quantile(0.99))}",
                       f"mean {format_seconds(dist.mean())}")
            # A figure is never split from its name or unit: lines break only between figures.
            self.summary.setText(" · ".join(f.replace(" ", "\u00a0") for f in figures))
        except (ValidationError, ValueError):
            self.summary.setText("")


# One measured time in a list of them: a figure and, perhaps after a space, its unit.
_MEASURED_TIME = re.compile(rf"{NUMBER}(?:\s*[a-zµ]+)?")


class _PointsEditor(_LineEditor):
    def __init__(self, unit: str, parent=None):
        super().__init__(False, "e.g. 12, 15, 40", parent)
        self.unit = unit

    def format(self, value) -> str:
        if not value:
            return ""
        return ", ".join(f"{v / TIME_UNITS[self.unit]:.6g}" for v in value)

    def parse(self, text: str):
        # Times apart by commas, semicolons or spaces, each with its unit or none: "12, 15, 40",
        # "12 ms, 1.5 s", "12ms 15ms"; the space between a figure and its unit parts nothing.
        text = text.strip().lower()
        if re.search(r",\s|;|\d\s+\d", text):
            # Times set apart by ", ", ";" or spaces: a comma within a figure ("1,000 ms") sets off thousands.
            text = re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", text)
        parts = _MEASURED_TIME.findall(text)
        if not parts:
            raise ValueError("give at least one measured time")
        left = _MEASURED_TIME.sub("", text).strip(", ;\t")
        if re.sub(r"[,;\s]", "", left):
            raise ValueError(f'cannot read "{left}" among the times (write them as "12, 15, 40" or "12 ms, 1.5 s")')
        return [parse_duration(p, self.unit) for p in parts]


class InstancesEditor(QWidget):
    """Which instances a crash hits: all, a count, a fraction, or listed indices."""

    committed = Signal(object)
    invalid = Signal(str)

    MODES = [("all", "all instances"), ("count", "the first N"), ("fraction", "a fraction"),
             ("indices", "these indices")]

    def __init__(self, parent=None):
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.mode = ChoiceEditor(self.MODES)
        self.amount = QLineEdit()
        self.amount.setMinimumWidth(60)
        row.addWidget(self.mode)
        row.addWidget(self.amount, 1)
        self.mode.committed.connect(self._mode_chosen)
        self.amount.editingFinished.connect(self._amount_done)
        self._shown = ""

    def set_value(self, value) -> None:
        data = value.model_dump() if hasattr(value, "model_dump") else dict(value or {})
        mode, text = "all", ""
        if data.get("indices") is not None:
            mode, text = "indices", ", ".join(str(i) for i in data["indices"])
        elif data.get("count") is not None:
            mode, text = "count", str(data["count"])
        elif data.get("fraction") is not None:
            mode, text = "fraction", f"{data['fraction'] * 100:g} %"
        self.mode.set_value(mode)
        self.amount.setEnabled(mode != "all")
        placeholders = {"count": "e.g. 1", "fraction": "e.g. 50 %", "indices": "e.g. 0, 2"}
        self.amount.setPlaceholderText(placeholders.get(mode, ""))
        self._shown = text
        self.amount.setText(text)

    def _mode_chosen(self, mode: str) -> None:
        self.committed.emit({"all": {}, "count": {"count": 1}, "fraction": {"fraction": 0.5},
                             "indices": {"indices": [0]}}[mode])

    def _amount_done(self) -> None:
        text = self.amount.text().strip()
        if text == self._shown:
            return
        mode = self.mode.currentData()
        try:
            if mode == "count":
                self.committed.emit({"count": int(text)})
            elif mode == "fraction":
                self.committed.emit({"fraction": float(text.rstrip("% ")) / 100})
            elif mode == "indices":
                self.committed.emit({"indices": [int(p) for p in re.split(r"[,\s]+", text) if p]})
        except ValueError:
            wanted = {"count": "a whole number", "indices": "a list of whole numbers"}.get(mode, "a number")
            self.invalid.emit(f'"{text}" is not {wanted}')


_TIME_WITH_UNIT = re.compile(rf"({NUMBER})\s+([a-zµ]+)\b")


class ScheduleEditor(_LineEditor):
    """A client's rate schedule in a compact text form.

    ``step 30 200`` (from 30 s the rate is 200/s), ``ramp 60-90 500`` (from
    60 s to 90 s the rate moves to 500/s), ``spike 120 10 1000`` (for 10 s
    from 120 s the rate is 1000/s); several separated by ``;``. Times are
    in seconds unless given a unit (``step 2 min 500``).
    """

    def __init__(self, parent=None):
        super().__init__(False, "e.g. step 30 200; spike 120 10 1000", parent)
        self.setToolTip(self.__doc__.split("\n\n", 1)[1].replace("    ", "").strip())

    def format(self, value) -> str:
        out = []
        for c in value or []:
            d = c.model_dump() if hasattr(c, "model_dump") else c
            if d["kind"] == "step":
                out.append(f"step {d['at']:g} {d['rate']:g}")
            elif d["kind"] == "ramp":
                out.append(f"ramp {d['start']:g}-{d['end']:g} {d['to_rate']:g}")
            else:
                out.append(f"spike {d['at']:g} {d['duration']:g} {d['rate']:g}")
        return "; ".join(out)

    def _emit(self, text: str) -> None:
        try:
            value = self.parse(text)
        except ValueError as exc:
            self.invalid.emit(str(exc))
            return
        self.committed.emit(value)

    def parse(self, text: str):
        changes = []
        for part in [p.strip() for p in text.split(";") if p.strip()]:
            # Only the dash between a ramp's start and end parts words: a minus sign stays with its
            # number, for the model to refuse ("step 30 -5" was read as a rate of 5/s).
            spaced = re.sub(rf"^(ramp\s+{NUMBER}(?:\s*[a-zµ]+)?)\s*-\s*", r"\1 ", part.lower())
            # A time may carry its unit ("step 2 min 500", "spike 90 s 10 s 1000/s"): one word with it.
            words = _TIME_WITH_UNIT.sub(lambda m: m.group(1) + m.group(2) if m.group(2) in TIME_UNITS
                                        else m.group(0), spaced).split()
            try:
                time, rate = (lambda w: parse_duration(w, "s")), (lambda w: float(w.removesuffix("/s")))
                if words[0] == "step" and len(words) == 3:
                    changes.append({"kind": "step", "at": time(words[1]), "rate": rate(words[2])})
                elif words[0] == "ramp" and len(words) == 4:
                    changes.append({"kind": "ramp", "start": time(words[1]), "end": time(words[2]),
                                    "to_rate": rate(words[3])})
                elif words[0] == "spike" and len(words) == 4:
                    changes.append({"kind": "spike", "at": time(words[1]), "duration": time(words[2]),
                                    "rate": rate(words[3])})
                else:
                    raise ValueError
            except (ValueError, IndexError):
                raise ValueError(f'cannot read "{part}" (write step AT RATE, ramp START-END RATE or '
                                 f"spike AT DURATION RATE)") from None
        return changes


class TargetEditor(QWidget):
    """A fault's target: chosen from a list, or picked by clicking on the canvas."""

    committed = Signal(object)
    invalid = Signal(str)
    pick_requested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.combo = ChoiceEditor()
        self.combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.pick = QToolButton()
        self.pick.setText("Pick")
        self.pick.setCheckable(True)
        self.pick.setToolTip("Click a component or link on the canvas to aim the fault at it.")
        row.addWidget(self.combo, 1)
        row.addWidget(self.pick)
        self.combo.committed.connect(self.committed)
        self.pick.clicked.connect(lambda on: self.pick_requested.emit() if on else None)

    def set_choices(self, targets: list[tuple[Any, str]]) -> None:
        """(id, name) of each target; the id (as text) is what is committed, the name what is shown."""
        self.combo.set_choices([(str(ref), name) for ref, name in targets])

    def set_value(self, value) -> None:
        self.combo.set_value(None if value is None else str(value))


EditorFactory = Callable[[], QWidget]


class RetryBudgetEditor(QWidget):
    """A retry policy's optional budget: none, gRPC retry throttling, or an Envoy retry budget."""

    committed = Signal(object)
    invalid = Signal(str)

    KINDS = [(None, "no budget"), ("grpc_throttling", "gRPC retry throttling"), ("envoy_budget", "Envoy retry budget")]
    PARAMS = {
        "grpc_throttling": [("max_tokens", "max tokens", False, "Token bucket size; retries stop below half of it."),
                            ("token_ratio", "token ratio", False, "Tokens a success gives back (a failure costs 1).")],
        "envoy_budget": [("budget_percent", "budget %", False, "Concurrent retries as a share of active requests."),
                         ("min_retry_concurrency", "at least", True,
                          "Retries always allowed at once, whatever the share.")],
    }

    def __init__(self, parent=None, kinds: tuple[str, ...] | None = None):
        """``kinds``: the budgets offered besides none (all by default; hedging takes only gRPC's)."""
        super().__init__(parent)
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(3)
        self.kind = ChoiceEditor([(k, words) for k, words in self.KINDS if k is None or kinds is None or k in kinds])
        col.addWidget(self.kind)
        row = QHBoxLayout()
        row.setSpacing(4)
        col.addLayout(row)
        self.labels: list[QLabel] = []
        self.editors: list[NumberEditor] = []
        for i in range(2):
            label = QLabel()
            label.setProperty("secondary", True)
            editor = NumberEditor(False)
            editor.setMinimumWidth(50)
            editor.committed.connect(lambda v, i=i: self._param(i, v))
            editor.invalid.connect(self.invalid)
            row.addWidget(label)
            row.addWidget(editor, 1)
            self.labels.append(label)
            self.editors.append(editor)
        self.kind.committed.connect(lambda kind: self.committed.emit({"kind": kind} if kind else None))
        self._value: dict | None = None

    def set_value(self, value) -> None:
        data = value.model_dump() if hasattr(value, "model_dump") else (dict(value) if value else None)
        self._value = data
        kind = data.get("kind") if data else None
        self.kind.set_value(kind)
        params = self.PARAMS.get(kind, []) if data and kind else []
        values = data or {}
        for i, (label, editor) in enumerate(zip(self.labels, self.editors)):
            shown = i < len(params)
            label.setVisible(shown)
            editor.setVisible(shown)
            if shown:
                key, text, integer, tip = params[i]
                label.setText(text)
                editor.integer = integer
                editor.setToolTip(tip)
                editor.set_value(values.get(key))

    def _param(self, index: int, value) -> None:
        if not self._value:
            return
        key = self.PARAMS[self._value["kind"]][index][0]
        self.committed.emit({**self._value, key: value})


class RatePreview(QWidget):
    """A small plot of a client's request rate over time, from its schedule (open loop only)."""

    committed = Signal(object)  # never emitted: a preview edits nothing
    invalid = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.points: list[tuple[float, float]] = []
        self.run_length: float | None = None  # the run the controls describe: the preview spans it
        self._workload = None
        self.setMinimumHeight(54)
        self.setToolTip("Requests per second over the run, as the rate and its changes make it.")

    def set_run_length(self, seconds: float | None) -> None:
        self.run_length = seconds
        self.set_value(self._workload)

    def set_value(self, workload) -> None:
        from engine.model import OpenLoop

        self._workload = workload
        self.points = []
        try:
            loop = workload if isinstance(workload, OpenLoop) else OpenLoop.model_validate(workload or {})
        except (ValidationError, ValueError, TypeError):
            self.update()
            return
        ends = [getattr(c, "end", None) or getattr(c, "at", 0) + getattr(c, "duration", 0) for c in loop.schedule]
        # the run as long as it is set (a minute before it is), and a change after its end too
        horizon = max([self.run_length or 60.0] + [e * 1.25 for e in ends])
        self.points = loop.rate_breakpoints(horizon)
        self.update()

    def paintEvent(self, event) -> None:
        from PySide6.QtCore import QPointF, QRectF
        from PySide6.QtGui import QPainter, QPen, QPolygonF

        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        area = QRectF(self.rect()).adjusted(1, 4, -1, -14)
        p.fillRect(self.rect(), pal.base())
        if not self.points:
            return
        t_end = self.points[-1][0] or 1.0
        top = max(r for _, r in self.points) or 1.0

        def at(t: float, r: float) -> QPointF:
            return QPointF(area.left() + area.width() * t / t_end, area.bottom() - area.height() * r / top)

        p.setPen(QPen(pal.highlight().color(), 1.6))
        p.drawPolyline(QPolygonF([at(t, r) for t, r in self.points]))
        p.setPen(pal.placeholderText().color())
        font = p.font()
        font.setPointSizeF(max(7.0, font.pointSizeF() - 1.5))
        p.setFont(font)
        p.drawText(QRectF(area.left(), area.bottom() + 1, area.width(), 13), Qt.AlignmentFlag.AlignLeft, "0 s")
        p.drawText(QRectF(area.left(), area.bottom() + 1, area.width(), 13), Qt.AlignmentFlag.AlignRight,
                   format_seconds(t_end))
        p.drawText(QRectF(area.left() + 2, area.top() - 3, area.width(), 13), Qt.AlignmentFlag.AlignLeft,
                   f"{top:g}/s")
