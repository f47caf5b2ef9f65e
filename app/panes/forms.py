"""Forms bound to engine.model objects by field path, with the model's messages shown inline.

A form shows a model object and hands each finished edit, as
``{dotted.path: value}``, to its ``commit`` callable (which pushes an undo
command). If the document's editor rejects the value, the message appears
under the field and nothing reaches the document.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel
from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QMenu, QSizePolicy, QVBoxLayout, QWidget

from engine.model import FAULT_CLASSES, POLICY_CLASSES, Constant, GrpcRetryThrottling, InstanceSelector
from engine.model.catalogue import field_choices, field_help, field_label, field_shown_in, field_shown_when, field_unit

from ..document.model_edit import EditRejected, FieldError, dump, get_path
from .fields import (
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
    in_editor_terms,
)


@dataclass
class FieldSpec:
    """One row of a form: the model field's dotted path, its label, editor, unit and tooltip."""

    path: str
    label: str
    make: Callable[[], QWidget]
    tip: str = ""
    unit: str = ""
    visible: Callable[[dict], bool] | None = None


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
    """A duration in seconds, shown and typed in ``unit`` (any unit may be typed)."""
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
        self.specs = list(fields if fields is not None else self.FIELDS)
        self._data: dict = {}
        self.editors: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
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
        col.addLayout(row)
        error = QLabel()
        error.setObjectName("fieldError")
        error.setWordWrap(True)
        error.hide()
        col.addWidget(error)
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
        editor.committed.connect(lambda value, path=spec.path: self.submit({path: value}))
        editor.invalid.connect(lambda message, path=spec.path: self.show_errors([FieldError(path, message)]))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """A right-click on a field adds "Sweep This Parameter…" to its usual menu."""
        if event.type() == QEvent.Type.ContextMenu and self.sweep is not None and watched in self._field_of:
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
            if editor.hasFocus() and isinstance(editor, TextEditor) and editor.text() != editor._shown:
                continue  # keep what the user is typing
            editor.set_value(get_path(self._data, spec.path))
            if spec.visible is not None:
                self.layout_.setRowVisible(self._rows[spec.path], spec.visible(self._data))
        self.clear_errors()

    @property
    def data(self) -> dict:
        return self._data

    # -- editing ----------------------------------------------------------------
    def submit(self, changes: dict) -> bool:
        """Hand an edit to ``commit``; on rejection show why and leave the document alone."""
        if self.commit is None:
            return False
        try:
            self.commit(changes)
        except EditRejected as exc:
            self.show_errors(exc.errors, fallback=next(iter(changes)))
            return False
        self.clear_errors()
        self.edited.emit(changes)
        return True

    def show_errors(self, errors: list[FieldError], fallback: str | None = None) -> None:
        self.clear_errors()
        general = []
        for error in errors:
            path = self._match(error.path) or (fallback if not error.path else None)
            if path is None:
                general.append(f"{error.path} {error.message}".strip())
                continue
            label = self.errors[path]
            message = in_editor_terms(self.editors[path], error.message)
            label.setText(((label.text() + "\n") if label.isVisible() and label.text() else "") + message)
            label.show()
        if general:
            self.form_error.setText("\n".join(general))
            self.form_error.show()

    def clear_errors(self) -> None:
        for label in self.errors.values():
            label.clear()
            label.hide()
        self.form_error.clear()
        self.form_error.hide()

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


# -- components -------------------------------------------------------------------
_NAME = text("name", "Name", "Unique within the design; links, faults and policy scopes refer to it.")
_INSTANCES = integer("instances", "Instances", "Replicas, each with its own workers and queue.")
_QUEUE = integer("queue_capacity", "Queue capacity", "Requests waiting per instance; empty means unbounded.",
                 "requests", optional=True, placeholder="unbounded")
_ERRORS = percent("error_probability", "Error rate", "Chance that a request fails by itself (application error).")
_FAN_OUT = choice("fan_out", "Dependency calls", ["sequential", "parallel"],
                  "Sequential calls add up; parallel calls wait for the slowest.")



def _discipline_is(name: str) -> Callable[[dict], bool]:
    return lambda d: d.get("queue_discipline") == name


_DISCIPLINE = [
    choice("queue_discipline", "Queue discipline",
           [("fifo", "FIFO (oldest first)"), ("lifo", "LIFO (newest first)"),
            ("adaptive_lifo", "adaptive LIFO"), ("codel", "CoDel (drops long waits)")],
           "Which waiting request a free worker takes. Adaptive LIFO serves FIFO until the queue has stood "
           "for 'LIFO after', then newest first (Maurer, \"Fail at Scale\"). CoDel serves FIFO and drops, "
           "as load shed, requests that waited past its target once waits stayed above it for an interval "
           "(Nichols & Jacobson, \"Controlling Queue Delay\")."),
    FieldSpec("codel_target", "CoDel target", lambda: DurationEditor("ms"),
              "CoDel's target (default 5 ms): the queue wait that counts as standing.",
              visible=_discipline_is("codel")),
    FieldSpec("codel_interval", "CoDel interval", lambda: DurationEditor("ms"),
              "CoDel's interval (default 100 ms): waits above target this long start the drops, which "
              "then come interval/sqrt(count) apart.", visible=_discipline_is("codel")),
    FieldSpec("lifo_after", "LIFO after", lambda: DurationEditor("ms"),
              "Adaptive LIFO (default 100 ms, CoDel's interval in \"Fail at Scale\"): serve newest first "
              "once the queue has been non-empty this long; back to FIFO when it empties.",
              visible=_discipline_is("adaptive_lifo")),
]


def _open(d: dict) -> bool:
    return (d.get("workload") or {}).get("type") == "open"


def _closed(d: dict) -> bool:
    return not _open(d)


CLIENT_FIELDS = [
    _NAME,
    choice("workload.type", "Workload", [("open", "open loop (a rate)"), ("closed", "closed loop (users)")],
           "Open loop: requests arrive whatever happens. Closed loop: each user waits for the answer, then thinks."),
    FieldSpec("workload.arrivals", "Arrivals", lambda: ChoiceEditor([("poisson", "Poisson (random)"),
                                                                      ("constant", "evenly spaced")]),
              "How requests are spread in time.", visible=_open),
    FieldSpec("workload.rate", "Rate", lambda: NumberEditor(False), "Requests per second at the start.",
              "per second", visible=_open),
    FieldSpec("workload.schedule", "Rate changes", ScheduleEditor, "", visible=_open),
    FieldSpec("workload", "", RatePreview, "", visible=_open),
    FieldSpec("workload.users", "Users", lambda: NumberEditor(True),
              "Concurrent users, each with one request in flight.", visible=_closed),
    FieldSpec("workload.think_time", "Think time", lambda: DistributionEditor("s"),
              "Pause between a user's answer and the next request.", visible=_closed),
    _FAN_OUT,
]
LOAD_BALANCER_FIELDS = [
    _NAME,
    choice("strategy", "Strategy", [("round_robin", "round robin"), ("random", "random"),
                                    ("least_outstanding", "least outstanding requests"),
                                    ("power_of_two", "power of two choices")],
           "How the balancer picks the target instance of each request."),
]
SERVICE_FIELDS = [
    _NAME, _INSTANCES,
    integer("workers", "Workers", "Threads per instance; a worker is held while it waits on dependencies.",
            "per instance"),
    _QUEUE, *_DISCIPLINE,
    distribution("service_time", "Service time", "Own CPU time per request, without dependency calls."),
    _ERRORS, _FAN_OUT,
]
DATABASE_FIELDS = [
    _NAME, _INSTANCES,
    integer("connections", "Connections", "Connection pool size per instance.", "per instance"),
    _QUEUE, *_DISCIPLINE,
    distribution("query_time", "Query time", "Time a query holds its connection."),
    _ERRORS,
]
CACHE_FIELDS = [
    _NAME, _INSTANCES,
    integer("workers", "Workers", "Concurrent lookups per instance.", "per instance"),
    _QUEUE, *_DISCIPLINE,
    percent("hit_ratio", "Hit ratio", "Share of lookups answered from the cache; misses go to its dependency."),
    distribution("hit_time", "Hit time", "Time to answer a hit."),
    _ERRORS,
]
QUEUE_FIELDS = [
    _NAME,
    integer("capacity", "Buffer", "Messages the queue holds; a full queue rejects.", "messages"),
    integer("consumers", "Consumers", "Messages processed at once."),
    *_DISCIPLINE,
    distribution("process_time", "Process time", "Consumer time per message, before its own calls."),
    _ERRORS, _FAN_OUT,
]
EXTERNAL_FIELDS = [
    _NAME,
    distribution("latency", "Latency", "Response time of the third party (no capacity limit)."),
    _ERRORS,
]
COMPONENT_FIELDS = {
    "client": CLIENT_FIELDS, "load_balancer": LOAD_BALANCER_FIELDS, "service": SERVICE_FIELDS,
    "database": DATABASE_FIELDS, "cache": CACHE_FIELDS, "queue": QUEUE_FIELDS, "external": EXTERNAL_FIELDS,
}
LINK_FIELDS = [
    distribution("latency", "Network latency", "One-way delay, added to the request and to the response."),
    percent("probability", "Call probability", "Chance that a request makes this call at all."),
    integer("count", "Calls per request", "How many times the caller calls when it does."),
]


class ComponentForm(ModelForm):
    """The parameters of one component kind."""

    def __init__(self, kind: str, commit=None, parent=None):
        super().__init__(COMPONENT_FIELDS[kind], commit, parent)
        self.kind = kind


class LinkForm(ModelForm):
    """A link's latency and call pattern."""

    FIELDS = LINK_FIELDS


# -- forms read off the model -------------------------------------------------------
def _empty_meaning(description: str) -> str:
    """'... empty means any latency' -> 'any latency': what an empty optional field stands for."""
    m = re.search(r"empty means ([^;,.]+)", description)
    return m.group(1).strip() if m else ""


def _visible_when(when: dict[str, list]) -> Callable[[dict], bool]:
    return lambda d: all(d.get(name) in values for name, values in when.items())


def _members(annotation) -> tuple:
    """The types a field admits, through unions, optionals and ``Annotated`` wrappers."""
    if get_origin(annotation) is Annotated:
        return _members(get_args(annotation)[0])
    if get_origin(annotation) in (Union, UnionType):
        return tuple(m for arg in get_args(annotation) for m in _members(arg))
    return (annotation,)


def model_field(cls: type[BaseModel], name: str, prefix: str = "") -> FieldSpec:
    """A form row for field ``name`` of ``cls``: label, help, unit, choices and editor from its metadata.

    Units: ``ratio`` is typed as a percentage, ``s`` as a duration (in the field's ``shown_in``),
    anything else is shown beside a number. A field that admits None may be left empty.
    """
    info = cls.model_fields[name]
    path = f"{prefix}{name}"
    label, tip, unit = field_label(name, info), field_help(info), field_unit(info)
    kinds = _members(info.annotation)
    optional = type(None) in kinds
    when = field_shown_when(info)
    visible = _visible_when(when) if when else None
    placeholder = _empty_meaning(tip) if optional else ""
    choices = field_choices(info)
    if info.annotation is bool:
        spec = flag(path, label, tip)
    elif name == "target" and info.annotation is str:
        spec = FieldSpec(path, label, TargetEditor, tip)
    elif choices:
        spec = FieldSpec(path, label, lambda: ChoiceEditor(choices), tip)
    elif InstanceSelector in kinds:
        spec = FieldSpec(path, label, InstancesEditor, tip)
    elif get_origin(info.annotation) is list:
        spec = outcomes(path, label, tip)
    elif Constant in kinds:  # a union of the distributions (pydantic keeps its discriminator apart)
        spec = distribution(path, label, tip)
    elif GrpcRetryThrottling in kinds:
        spec = FieldSpec(path, label, RetryBudgetEditor, tip)
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
    return spec


def model_fields(cls: type[BaseModel], skip: tuple[str, ...] = ("id", "kind")) -> list[FieldSpec]:
    """The rows of a form over ``cls``: every field in the model's order but those in ``skip``."""
    return [model_field(cls, name) for name in cls.model_fields if name not in skip]


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
