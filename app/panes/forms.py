"""Forms bound to engine.model objects by field path, with the model's messages shown inline.

A form shows a model object and hands each finished edit, as
``{dotted.path: value}``, to its ``commit`` callable (which pushes an undo
command). If the document's editor rejects the value, the message appears
under the field and nothing reaches the document.
"""
from __future__ import annotations

import copy
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from types import UnionType
from typing import Annotated, Any, Literal, Protocol, Union, cast, get_args, get_origin

from pydantic import BaseModel
from PySide6.QtCore import QEvent, QObject, Signal, SignalInstance
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QMenu, QSizePolicy, QVBoxLayout, QWidget

from engine.model import (
    COMPONENT_CLASSES,
    FAULT_CLASSES,
    POLICY_CLASSES,
    Constant,
    EnvoyRetryBudget,
    GrpcRetryThrottling,
    InstanceSelector,
    Link,
)
from engine.model.catalogue import (
    field_choices,
    field_help,
    field_label,
    field_shown_in,
    field_shown_when,
    field_unit,
    field_unit_by,
)
from engine.model.components import RateStep

from ..document.model_edit import EditRejected, FieldError, dump, get_path
from ..document.wording import people_number
from .fields import (
    DISTRIBUTION_TIMES,
    BoolEditor,
    ChoiceEditor,
    DistributionEditor,
    DurationEditor,
    InstancesEditor,
    NumberEditor,
    OutcomesEditor,
    RatePreview,
    RetryBudgetEditor,
    ScheduleEditor,
    TargetEditor,
    TextEditor,
)
from .typed_text import durations_in_words


class FieldEditor(Protocol):
    """What every editor in ``fields`` has besides being a widget: it shows a value and reports edits."""

    committed: SignalInstance  # the new value, once an edit is finished
    invalid: SignalInstance  # a message, for input that is no value at all

    def set_value(self, value: Any) -> None: ...


def _editing(editor: QWidget) -> FieldEditor:
    # The editors are of several Qt widget classes, so they share this protocol rather than a base class.
    return cast(FieldEditor, editor)


@dataclass
class FieldSpec:
    """One row of a form: the model field's dotted path, its label, editor, unit and tooltip."""

    path: str
    label: str
    make: Callable[[], QWidget]
    tip: str = ""
    unit: str = ""
    visible: Callable[[dict], bool] | None = None
    # The unit for the values shown, where another field's value sets it (a breaker's window size
    # counts calls or seconds by its window's kind); None: ``unit`` always.
    unit_of: Callable[[dict], str] | None = None
    # For a choice between variants of a nested model: the path of the value a new choice replaces.
    replaces: str = ""
    # For a value that is one of several models (a distribution, a workload, a retry budget): the
    # field that tells them apart ("kind"). The values each kind last held come back when it is
    # chosen again, so that trying another kind loses nothing typed.
    tag: str = ""


def text(path, label, tip=""):
    """A text field."""
    return FieldSpec(path, label, TextEditor, tip)


def integer(path, label, tip="", unit="", optional=False, placeholder=""):
    """A whole-number field."""
    return FieldSpec(path, label, lambda: NumberEditor(True, optional=optional, placeholder=placeholder), tip, unit)


def number(path, label, tip="", unit="", optional=False, placeholder=""):
    """A decimal field."""
    return FieldSpec(path, label, lambda: NumberEditor(False, optional=optional, placeholder=placeholder), tip, unit)


def percent(path, label, tip=""):
    """A fraction 0..1 in the model, shown and typed as a percentage."""
    return FieldSpec(path, label, lambda: NumberEditor(False, scale=100.0), tip, "%")


def seconds(path, label, tip="", unit="s", optional=False, placeholder=""):
    """A duration in seconds, shown in the unit that reads best; a bare number in an empty field is in ``unit``."""
    return FieldSpec(path, label, lambda: DurationEditor(unit, optional=optional, placeholder=placeholder), tip)


def choice(path, label, choices, tip=""):
    """A field with a fixed set of values."""
    return FieldSpec(path, label, lambda: ChoiceEditor([(c, c.replace("_", " ")) if isinstance(c, str) else c
                                                        for c in choices]), tip)


def flag(path, label, tip=""):
    """A check box."""
    return FieldSpec(path, "", lambda: BoolEditor(label), tip)


def distribution(path, label, tip="", unit="ms"):
    """A time distribution with its p50 and p99."""
    return FieldSpec(path, label, lambda: DistributionEditor(unit), tip)


def outcomes(path, label, tip=""):
    """A set of failure outcomes."""
    return FieldSpec(path, label, OutcomesEditor, tip)


class ModelForm(QWidget):
    """A form over one model object; subclasses list their fields in ``FIELDS``."""

    FIELDS: list[FieldSpec] = []
    edited = Signal(dict)  # after a successful commit

    def __init__(self, fields: list[FieldSpec] | None = None, commit: Callable[[dict], None] | None = None,
                 parent=None):
        super().__init__(parent)
        self.commit = commit
        # sweep(field_path): set by a pane whose window can sweep a parameter; the fields'
        # context menus offer "Sweep This Parameter…" only then
        self.sweep: Callable[[str], None] | None = None
        self._field_of: dict[QObject, str] = {}
        # What each kind of a tagged field (``FieldSpec.tag``) last held, by (object id, path, kind).
        # A pane hands its forms one store, so that it outlives a form rebuilt for another selection;
        # None: a new kind starts from its defaults (an edit of several objects at once).
        self.recall: dict[tuple[Any, str, Any], Any] | None = {}
        self.specs = list(fields if fields is not None else self.FIELDS)
        self._data: dict = {}
        self.editors: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        # A word under a field whose value is legal but does what its author may not mean (a bulkhead
        # of no permits): the model's ``cautions()``.
        self.cautions: dict[str, QLabel] = {}
        self.units: dict[str, QLabel] = {}
        self._rows: dict[str, int] = {}
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(4)
        self.form_error = QLabel()
        self.form_error.setObjectName("formError")
        self.form_error.setWordWrap(True)
        self.form_error.hide()
        outer.addWidget(self.form_error)
        self.layout_ = QFormLayout()
        self.layout_.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        # A narrow pane puts the editor under its label rather than cutting the value or its unit off.
        self.layout_.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.layout_.setLabelAlignment(self.layout_.labelAlignment())
        self.layout_.setHorizontalSpacing(10)
        self.layout_.setVerticalSpacing(6)
        outer.addLayout(self.layout_)
        for spec in self.specs:
            self._add_row(spec)

    def _add_row(self, spec: FieldSpec) -> None:
        editor = spec.make()
        if isinstance(editor, NumberEditor) and spec.unit_of is None:
            editor.typed_unit = spec.unit
        editor.setObjectName(f"field_{spec.path.replace('.', '_')}")
        holder = QWidget()
        col = QVBoxLayout(holder)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(1)
        row = QHBoxLayout()
        row.setSpacing(4)
        row.addWidget(editor, 1)
        if spec.unit:
            unit = QLabel(spec.unit)
            unit.setProperty("secondary", True)
            unit.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
            row.addWidget(unit)
            self.units[spec.path] = unit
        col.addLayout(row)
        error = QLabel()
        error.setObjectName("fieldError")
        error.setWordWrap(True)
        error.hide()
        col.addWidget(error)
        caution = QLabel()
        caution.setObjectName("fieldCaution")
        caution.setWordWrap(True)
        caution.hide()
        col.addWidget(caution)
        self.cautions[spec.path] = caution
        if spec.tip:
            editor.setToolTip(spec.tip)
        label = QLabel(spec.label) if spec.label else None
        if label is not None and spec.tip:
            label.setToolTip(spec.tip)
        self._rows[spec.path] = self.layout_.rowCount()
        if label is None:
            self.layout_.addRow(holder)
        else:
            self.layout_.addRow(label, holder)
        self.editors[spec.path] = editor
        self.errors[spec.path] = error
        for widget in (editor, *editor.findChildren(QWidget), *((label,) if label is not None else ())):
            self._field_of[widget] = spec.path
            widget.installEventFilter(self)
        _editing(editor).committed.connect(lambda value, path=spec.path: self.submit({path: value}))
        _editing(editor).invalid.connect(lambda message, path=spec.path: self.show_errors([FieldError(path, message)]))
        settled = getattr(editor, "settled", None)
        if settled is not None:
            settled.connect(lambda path=spec.path: self._settled(path))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """A right-click on a field adds "Sweep This Parameter…" to its usual menu."""
        if isinstance(event, QContextMenuEvent) and self.sweep is not None and watched in self._field_of:
            self.show_field_menu(watched, self._field_of[watched], event.globalPos())
            return True
        return super().eventFilter(watched, event)

    def show_field_menu(self, widget: QObject, path: str, where) -> None:
        """Pop up ``field_menu`` at the global position ``where``."""
        self.field_menu(widget, path).exec(where)

    def field_menu(self, widget: QObject, path: str) -> QMenu:
        """The context menu of a field: the widget's own (copy, paste…) and the sweep action."""
        own = getattr(widget, "createStandardContextMenu", None)
        menu = own() if callable(own) else QMenu(self)
        if not menu.isEmpty():
            menu.addSeparator()
        action = menu.addAction("Sweep This Parameter…")
        action.triggered.connect(lambda: self.sweep(path) if self.sweep is not None else None)
        return menu

    # -- showing ----------------------------------------------------------------
    def bind(self, model: Any) -> None:
        """Show a model object (or its dumped dict); clears messages from earlier edits."""
        self._data = dump(model) if hasattr(model, "model_dump") else dict(model)
        for spec in self.specs:
            editor = self.editors[spec.path]
            value = get_path(self._data, spec.path)
            # Keep what the user is typing; but text that is the new value (the name just committed
            # from it) is shown as it, or renaming back to the old name would look unchanged.
            if (editor.hasFocus() and isinstance(editor, TextEditor)
                    and editor.text() not in (editor._shown, editor.format(value))):
                continue
            _editing(editor).set_value(value)
            if spec.visible is not None:
                self.layout_.setRowVisible(self._rows[spec.path], spec.visible(self._data))
            if spec.unit_of is not None and spec.path in self.units:
                unit = spec.unit_of(self._data)
                self.units[spec.path].setText(unit)
                if isinstance(editor, NumberEditor):
                    editor.typed_unit = unit
        for spec in self.specs:
            if spec.tag:
                self._remember(spec.replaces or spec.path, spec.tag)
        self._show_cautions(model.cautions() if callable(getattr(model, "cautions", None)) else {})
        self.clear_errors()

    def _show_cautions(self, said: dict[str, str]) -> None:
        for path, label in self.cautions.items():
            text = said.get(path, "")
            if text:
                label.setText(f"⚠ {self.in_labels(text, path)}")
            label.setVisible(bool(text))

    def caution_text(self, path: str | None = None) -> str:
        """Cautions shown (for one field, or all), as a screen reader or a test reads them."""
        labels = [self.cautions[path]] if path is not None else list(self.cautions.values())
        return "\n".join(label.text() for label in labels if not label.isHidden())

    @property
    def data(self) -> dict:
        return self._data

    # -- editing ----------------------------------------------------------------
    def submit(self, changes: dict) -> bool:
        """Hand an edit to ``commit``; on rejection show why and leave the document alone."""
        if self.commit is None:
            return False
        changes = self._replacing(changes)
        if not changes:
            return True
        try:
            self.commit(changes)
        except EditRejected as exc:
            self.show_errors(exc.errors, fallback=next(iter(changes)))
            return False
        self.clear_errors()
        self.edited.emit(changes)
        return True

    def _replacing(self, changes: dict) -> dict:
        """A value switched to another kind takes what that kind last held here, else its defaults
        (a new variant chosen by its tag replaces the value it tags)."""
        out = {}
        for path, value in changes.items():
            spec = next((s for s in self.specs if s.path == path and s.tag), None)
            if spec is None:
                out[path] = value
                continue
            whole = spec.replaces or path
            old = get_path(self._data, whole)
            kind = value if spec.replaces else _kind(value, spec.tag)
            if kind == _kind(old, spec.tag):
                if not spec.replaces:  # a parameter edit: the value itself
                    out[whole] = value
                continue  # the kind it has, chosen again: nothing changes
            self._remember(whole, spec.tag)
            key = self._recall_key(whole, kind)
            held = self.recall.get(key) if self.recall is not None and key is not None else None
            fresh = {spec.tag: value} if spec.replaces else value
            out[whole] = copy.deepcopy(held) if held is not None else fresh
        return out

    def _recall_key(self, path: str, kind: Any) -> tuple[Any, str, Any] | None:
        owner = self._data.get("id")
        return None if owner is None or kind is None else (owner, path, kind)

    def _remember(self, path: str, tag: str) -> None:
        """Keep the value at ``path`` as what its kind holds, for when that kind is chosen again."""
        value = get_path(self._data, path)
        key = self._recall_key(path, _kind(value, tag))
        if self.recall is not None and key is not None:
            self.recall[key] = copy.deepcopy(value)

    def show_errors(self, errors: list[FieldError], fallback: str | None = None) -> None:
        self.clear_errors()
        general = []
        for error in errors:
            path = self._match(error.path) or (fallback if not error.path else None)
            if path is None:
                general.append(f"{self.in_labels(error.path)} {self.in_labels(error.message)}".strip())
                continue
            label = self.errors[path]
            message = self.in_labels(in_editor_terms(
                self.editors[path], error.message, self.units[path].text() if path in self.units else "",
                frozenset(p.rpartition(".")[2] for p, e in self.editors.items() if isinstance(e, DurationEditor))),
                path)
            inner = _part_named(error.path[len(path) + 1:]) if error.path.startswith(path + ".") else ""
            if inner:
                # A field holding several values (a schedule's changes, a budget's settings): which one.
                message = f"{inner}: {message}"
            label.setText(((label.text() + "\n") if label.isVisible() and label.text() else "") + message)
            label.show()
        if general:
            self.form_error.setText("\n".join(general))
            self.form_error.show()

    def in_labels(self, message: str, near: str = "") -> str:
        """A model's message with its fields' names ("min_replicas") as the form labels them ("“Min
        replicas”"): the message is read beside those labels, not the model's source. A name is looked
        up among the fields beside ``near`` (the same group) first, then among all of the form's."""
        group = near.rpartition(".")[0]
        labels: dict[str, str] = {}
        for spec in sorted(self.specs, key=lambda s: s.path.rpartition(".")[0] == group):
            if spec.label:
                labels[spec.path] = labels[spec.path.rpartition(".")[2]] = spec.label
        return _FIELD_NAME.sub(lambda m: f"“{labels[m.group(0)]}”" if m.group(0) in labels else m.group(0), message)

    def clear_errors(self) -> None:
        for label in self.errors.values():
            label.clear()
            label.hide()
        self.form_error.clear()
        self.form_error.hide()

    def _settled(self, path: str) -> None:
        """The field shows the document's value again: what was refused in it is no longer there."""
        self.errors[path].clear()
        self.errors[path].hide()

    def error_text(self, path: str | None = None) -> str:
        """Messages shown (for one field, or all); what a test or a screen reader reads."""
        if path is not None:
            return self.errors[path].text() if not self.errors[path].isHidden() else ""
        parts = [self.form_error.text()] if not self.form_error.isHidden() else []
        parts += [lab.text() for lab in self.errors.values() if not lab.isHidden()]
        return "\n".join(p for p in parts if p)

    def _match(self, path: str) -> str | None:
        """The form field an error path belongs to (the longest prefix)."""
        best = None
        for candidate in self.editors:
            if path == candidate or path.startswith(candidate + "."):
                if best is None or len(candidate) > len(best):
                    best = candidate
        return best


def _kind(value: Any, tag: str) -> Any:
    """Which of several models a dumped value is (None for no value)."""
    return value.get(tag) if isinstance(value, dict) else None


# A bound or the value given, as a bare number: one already with its unit ("100 %", "5 ms") is left be,
# and so is a count written with its thousands apart ("at most 100,000 items").
_BOUND = re.compile(r"(at least|at most|greater than|less than|\(got) "
                    r"(-?\d[\d.]*(?:e[+-]?\d+)?)(?![\d.]|,\d|\s*[%A-Za-zµ])")


def _bound_value(match: re.Match) -> float | None:
    try:
        return float(match.group(2))
    except ValueError:
        return None


# A time the message gives by its field's name: "p50 0.1", "period 2.5".
_NAMED_TIME = re.compile(r"\b([a-z][a-z0-9_]*) (-?\d[\d.]*(?:e[+-]?\d+)?)(?![\d.]|\s*[%A-Za-zµ])")


def _named_times_in_words(message: str, names: frozenset[str] | set[str], unit: str) -> str:
    """Times a message gives by name ("got p50 0.1, p99 0.05", in seconds) in words, in one unit
    ("got p50 100 ms, p99 50 ms")."""
    found = [m for m in _NAMED_TIME.finditer(message) if m.group(1) in names]
    if not found:
        return message
    words = durations_in_words([float(m.group(2)) for m in found], unit)
    out, end = [], 0
    for match, figure in zip(found, words):
        out += [message[end:match.start()], f"{match.group(1)} {figure}"]
        end = match.end()
    return "".join(out) + message[end:]


def in_editor_terms(editor: QWidget, message: str, unit: str = "", times: frozenset[str] = frozenset()) -> str:
    """A model's message about a value, with its numbers as the field shows them: a percentage field
    says "at most 100 % (got 150 %)" rather than "at most 1 (got 1.5)", a duration "at most 10 000 000 s
    (got 100 000 000 s)" rather than "at most 1e+07 (got 1e+08)", and large numbers have their thousands
    apart ("at most 10 000 000"). Figures given after the name of a time (``times``, and a
    distribution's own parameters) are durations too: "(got period 2.5 s, duration 2.5 s)"."""
    if isinstance(editor, DistributionEditor):
        times = times | DISTRIBUTION_TIMES
    if times:
        message = _named_times_in_words(message, times, getattr(editor, "unit", "s"))
    found = [(m, value) for m in _BOUND.finditer(message) if (value := _bound_value(m)) is not None]
    values = [value for _m, value in found]
    if isinstance(editor, (DurationEditor, DistributionEditor)):
        shown = durations_in_words(values, editor.unit)
    elif isinstance(editor, NumberEditor) and editor.scale != 1 or (
            isinstance(editor, InstancesEditor) and editor.mode.currentData() == "fraction"):
        # a fraction typed as a percentage ("150 %"): its bounds in percent too
        shown = [f"{people_number(round(value * 100, 9), 6)} %" for value in values]
    elif unit == "%":  # a field typed in percent already (a percentile): its figures say so too
        shown = [f"{people_number(value, 6)} %" for value in values]
    else:
        shown = [people_number(value, 6) for value in values]
    out, end = [], 0
    for (match, _value), words in zip(found, shown):
        out += [message[end:match.start()], f"{match.group(1)} {words}"]
        end = match.end()
    return "".join(out) + message[end:]


def _part_named(rest: str) -> str:
    """The part of a field an error is about, in words: "0.rate" -> "#1 rate", "budget_percent" -> "budget percent"."""
    return " ".join(f"#{int(p) + 1}" if p.isdigit() else p.replace("_", " ") for p in rest.split(".") if p)


# A field's name in a model's message: words joined by underscores, perhaps a dotted path ("max_queue_wait",
# "autoscaling.min_replicas"); a single word ("period") reads as itself.
_FIELD_NAME = re.compile(r"\b[a-z][a-z0-9]*(?:[._][a-z0-9]+)*_[a-z0-9]+\b")


# -- forms read off the model -------------------------------------------------------
def _empty_meaning(description: str) -> str:
    """'... empty means any latency' -> 'any latency': what an empty optional field stands for."""
    m = re.search(r"empty means ([^;,.]+)", description)
    return m.group(1).strip() if m else ""


def _visible_when(when: dict[str, list], prefix: str = "") -> Callable[[dict], bool]:
    return lambda d: all(get_path(d, prefix + name) in values for name, values in when.items())


def _members(annotation) -> tuple:
    """The types a field admits, through unions, optionals and ``Annotated`` wrappers."""
    if get_origin(annotation) is Annotated:
        return _members(get_args(annotation)[0])
    if get_origin(annotation) in (Union, UnionType):
        return tuple(m for arg in get_args(annotation) for m in _members(arg))
    return (annotation,)


def model_field(cls: type[BaseModel], name: str, prefix: str = "") -> FieldSpec:
    """A form row for field ``name`` of ``cls``: label, help, unit, choices and editor from its metadata.

    Units: ``ratio`` is typed as a percentage, ``s`` as a duration (shown in the unit that reads best),
    anything else is shown beside a number. A field that admits None may be left empty.
    """
    info = cls.model_fields[name]
    path = f"{prefix}{name}"
    label, tip, unit = field_label(name, info), _help(cls, info), field_unit(info)
    unit_of = ((lambda d: field_unit(info, lambda sibling: get_path(d, prefix + sibling))) if field_unit_by(info)
               else None)
    kinds = _members(info.annotation)
    optional = type(None) in kinds
    when = field_shown_when(info)
    visible = _visible_when(when, prefix) if when else None
    placeholder = _empty_meaning(tip) if optional else ""
    choices = field_choices(info)
    if info.annotation is bool:
        spec = flag(path, label, tip)
    elif name == "target" and uuid.UUID in kinds:  # a reference: the fault's component or link
        spec = FieldSpec(path, label, TargetEditor, tip)
    elif choices:
        spec = FieldSpec(path, label, lambda: ChoiceEditor(choices), tip)
    elif InstanceSelector in kinds:
        spec = FieldSpec(path, label, InstancesEditor, tip)
    elif get_origin(info.annotation) is list and RateStep in _members(get_args(info.annotation)[0]):
        spec = FieldSpec(path, label, ScheduleEditor, tip)
    elif get_origin(info.annotation) is list:
        spec = outcomes(path, label, tip)
    elif Constant in kinds:  # a union of the distributions (pydantic keeps its discriminator apart)
        spec = distribution(path, label, tip, field_shown_in(info, fallback="ms"))
    elif GrpcRetryThrottling in kinds:
        offered = None if EnvoyRetryBudget in kinds else ("grpc_throttling",)
        spec = FieldSpec(path, label, lambda: RetryBudgetEditor(kinds=offered), tip)
    elif info.annotation is str:
        spec = text(path, label, tip)
    elif unit == "ratio":
        spec = percent(path, label, tip)
    elif unit == "s":
        shown = field_shown_in(info)
        spec = FieldSpec(path, label, lambda: DurationEditor(shown, optional=optional, placeholder=placeholder), tip)
    else:
        integer_ = int in kinds and float not in kinds
        spec = FieldSpec(path, label, lambda: NumberEditor(integer_, optional=optional, placeholder=placeholder),
                         tip, unit)
    spec.visible = visible
    spec.unit_of = unit_of
    spec.tag = _tag_of(kinds)
    return spec


def _tag_of(kinds: tuple) -> str:
    """The field that tells apart the models a value may be (a distribution's "kind", a workload's
    "type"), or "" for a value that is not one of several (no value counts as one: a retry budget)."""
    models = [k for k in kinds if isinstance(k, type) and issubclass(k, BaseModel)]
    if not models or (len(models) == 1 and type(None) not in kinds):
        return ""
    common = set(models[0].model_fields).intersection(*(m.model_fields for m in models[1:]))
    for name in sorted(common):
        fields = [m.model_fields[name] for m in models]
        if all(get_origin(f.annotation) is Literal for f in fields) and len({f.default for f in fields}) == len(fields):
            return name
    return ""


def _help(cls: type[BaseModel], info) -> str:
    """A field's help, a choice it is shown for named as its chooser names it.

    The help of a field shown for one choice begins with that choice's identifier ("memory_leak:
    the slowdown ..."), where the box beside it reads "memory leak".
    """
    tip = field_help(info)
    for sibling, values in (field_shown_when(info) or {}).items():
        words = dict(field_choices(cls.model_fields[sibling])) if sibling in cls.model_fields else {}
        for value in values:
            if isinstance(value, str) and tip.lower().startswith(f"{value.lower()}: ") and value in words:
                said = words[value]
                return said[:1].upper() + said[1:] + tip[len(value):]
    return tip


def model_fields(cls: type[BaseModel], skip: tuple[str, ...] = ("id", "kind")) -> list[FieldSpec]:
    """The rows of a form over ``cls``: every field in the model's order but those in ``skip``."""
    return [model_field(cls, name) for name in cls.model_fields if name not in skip]


def _variant_rows(cls: type[BaseModel], name: str, prefix: str = "") -> list[FieldSpec]:
    """Rows for a field that holds one of several models (a client's open or closed workload).

    A choice of the variant by its discriminator, in the words the field states, then each variant's
    own fields, shown while that variant is chosen. Choosing another variant replaces the whole
    value with that variant's defaults (``FieldSpec.replaces``).
    """
    info = cls.model_fields[name]
    path, tag = f"{prefix}{name}", str(info.discriminator)
    words = {value: text for value, text in field_choices_of_variants(info)}
    switch = FieldSpec(f"{path}.{tag}", field_label(name, info), lambda: ChoiceEditor(list(words.items())),
                       field_help(info))
    switch.replaces, switch.tag = path, tag
    rows = [switch]
    for member in _members(info.annotation):
        value = member.model_fields[tag].default
        shown = (lambda v: lambda d: get_path(d, f"{path}.{tag}") == v)(value)
        for field_name in member.model_fields:
            if field_name == tag:
                continue
            row = model_field(member, field_name, f"{path}.")
            row.visible = shown
            rows.append(row)
            if isinstance(row.make, type) and issubclass(row.make, ScheduleEditor):
                # The rate over time, drawn from the rate and its changes, right under them.
                rows.append(FieldSpec(path, "", RatePreview, visible=shown))
    return rows


def field_choices_of_variants(info) -> list[tuple[Any, str]]:
    """The discriminator values of a field holding one of several models, each with its words."""
    tag = str(info.discriminator)
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    words = extra.get("choices", {})
    values = [m.model_fields[tag].default for m in _members(info.annotation)]
    return [(v, str(words.get(v, str(v).replace("_", " ")))) for v in values]


def _is_variant(info) -> bool:
    """Whether a field holds one of several models told apart by a discriminator, each with its own rows.

    A distribution is one too, but it has an editor of its own.
    """
    kinds = _members(info.annotation)
    return (info.discriminator is not None and Constant not in kinds
            and all(isinstance(k, type) and issubclass(k, BaseModel) for k in kinds))


def component_fields(cls) -> list[FieldSpec]:
    """The rows of a component kind's form, read off its model class (``parameters`` gives the order)."""
    rows: list[FieldSpec] = []
    for name in cls.parameters():
        info = cls.model_fields[name]
        if _is_variant(info):
            rows += _variant_rows(cls, name)
        elif isinstance(info.annotation, type) and issubclass(info.annotation, BaseModel):
            # a group of settings of its own (a service's autoscaling): its fields, under the group's name
            rows += [model_field(info.annotation, sub, f"{name}.") for sub in info.annotation.model_fields]
        else:
            rows.append(model_field(cls, name))
    return rows


class ComponentForm(ModelForm):
    """The parameters of one component kind."""

    def __init__(self, kind: str, commit=None, parent=None):
        super().__init__(component_fields(COMPONENT_CLASSES[kind]), commit, parent)
        self.kind = kind


class LinkForm(ModelForm):
    """A link's latency and call pattern (its ends are edited on the canvas)."""

    def __init__(self, commit=None, parent=None):
        super().__init__(model_fields(Link, ("id", "source", "target")), commit, parent)


class PolicyForm(ModelForm):
    """A resilience policy's parameters (its scope and switch live in the pane around it)."""

    MODEL: type[BaseModel]

    def __init__(self, commit=None, parent=None):
        super().__init__(model_fields(self.MODEL, ("id", "kind", "enabled", "scope")), commit, parent)


class FaultForm(ModelForm):
    """A fault's target, window and parameters."""

    MODEL: type[BaseModel]

    def __init__(self, commit=None, parent=None):
        super().__init__(model_fields(self.MODEL), commit, parent)

    @property
    def target(self) -> TargetEditor:
        return self.editors["target"]  # type: ignore[return-value]


# One form class per kind, so that a pane can tell whether the form it shows fits the item selected.
POLICY_FORMS: dict[str, type[PolicyForm]] = {
    kind: type(f"{cls.__name__}Form", (PolicyForm,), {"MODEL": cls, "__doc__": cls.help})
    for kind, cls in POLICY_CLASSES.items()
}
FAULT_FORMS: dict[str, type[FaultForm]] = {
    kind: type(f"{cls.__name__}Form", (FaultForm,), {"MODEL": cls, "__doc__": cls.help})
    for kind, cls in FAULT_CLASSES.items()
}
