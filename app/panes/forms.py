"""Forms bound to engine.model objects by field path, with the model's messages shown inline.

A form shows a model object and hands each finished edit, as
``{dotted.path: value}``, to its ``commit`` callable (which pushes an undo
command). If the document's editor rejects the value, the message appears
under the field and nothing reaches the document.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QMenu, QSizePolicy, QVBoxLayout, QWidget

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
            label.setText(((label.text() + "\n") if label.isVisible() and label.text() else "") + error.message)
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
    FieldSpec("workload.users", "Users", lambda: NumberEditor(True), "Concurrent users, each with one request in flight.",
              visible=_closed),
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
    integer("workers", "Workers", "Threads per instance; a worker is held while it waits on dependencies.", "per instance"),
    _QUEUE,
    distribution("service_time", "Service time", "Own CPU time per request, without dependency calls."),
    _ERRORS, _FAN_OUT,
]
DATABASE_FIELDS = [
    _NAME, _INSTANCES,
    integer("connections", "Connections", "Connection pool size per instance.", "per instance"),
    _QUEUE,
    distribution("query_time", "Query time", "Time a query holds its connection."),
    _ERRORS,
]
CACHE_FIELDS = [
    _NAME, _INSTANCES,
    integer("workers", "Workers", "Concurrent lookups per instance.", "per instance"),
    _QUEUE,
    percent("hit_ratio", "Hit ratio", "Share of lookups answered from the cache; misses go to its dependency."),
    distribution("hit_time", "Hit time", "Time to answer a hit."),
    _ERRORS,
]
QUEUE_FIELDS = [
    _NAME,
    integer("capacity", "Buffer", "Messages the queue holds; a full queue rejects.", "messages"),
    integer("consumers", "Consumers", "Messages processed at once."),
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


# -- resilience policies (defaults and semantics follow Resilience4j, gRPC, Envoy) -----
_OUTCOME_TIP = "Outcomes counted as failures; the others count as successes."


class CircuitBreakerForm(ModelForm):
    """Resilience4j circuit breaker: sliding window, thresholds, open and half-open behaviour."""

    FIELDS = [
        choice("sliding_window_type", "Window", [("count_based", "last N calls"), ("time_based", "last N seconds")],
               "Count-based: the last N calls. Time-based: calls of the last N seconds."),
        integer("sliding_window_size", "Window size", "N: calls (count-based) or seconds (time-based)."),
        integer("minimum_number_of_calls", "Minimum calls", "Calls needed before the failure rate is judged."),
        number("failure_rate_threshold", "Failure threshold", "Failure rate at or above which the breaker opens.", "%"),
        number("slow_call_rate_threshold", "Slow-call threshold", "Slow-call rate at or above which the breaker opens.", "%"),
        seconds("slow_call_duration_threshold", "Slow call after", "Calls longer than this count as slow."),
        seconds("wait_duration_in_open_state", "Wait in open", "Time the breaker stays open before trying again."),
        number("wait_duration_multiplier", "Wait multiplier",
               "Above 1, each consecutive opening waits this many times longer than the last; closing resets it."),
        integer("permitted_number_of_calls_in_half_open_state", "Half-open calls",
                "Trial calls let through in half-open state."),
        flag("automatic_transition_from_open_to_half_open_enabled", "Move to half-open automatically",
             "Half-open when the wait is over, without waiting for a call."),
        seconds("max_wait_duration_in_half_open_state", "Max wait half-open",
                "Half-open longer than this re-opens; 0 waits for the trial calls."),
        outcomes("record_outcomes", "Record as failure", _OUTCOME_TIP),
    ]


class RetryForm(ModelForm):
    """Retry: attempts, backoff, jitter, outcomes retried, optional budget (Resilience4j, gRPC, Envoy)."""

    FIELDS = [
        integer("max_attempts", "Max attempts", "Attempts in all, the first call included (Resilience4j, gRPC)."),
        seconds("wait_duration", "Wait", "Wait before the first retry.", unit="ms"),
        choice("backoff", "Backoff", ["fixed", "exponential"], "Fixed: the same wait. Exponential: multiplied each time."),
        number("multiplier", "Multiplier", "Exponential backoff: each wait is this times the last."),
        seconds("max_wait_duration", "Max wait", "Cap on one wait; empty means no cap.", unit="ms", optional=True,
                placeholder="no cap"),
        choice("jitter", "Jitter", ["none", "full", "equal", "decorrelated", "randomized"],
               "Randomness in waits that keeps retrying callers from moving in lockstep."),
        percent("randomization_factor", "Randomization", "Randomized jitter: wait ± this share."),
        outcomes("retry_on", "Retry on", "Outcomes that are retried."),
        FieldSpec("budget", "Retry budget", RetryBudgetEditor,
                  "Caps retries so that they cannot multiply load during an outage (gRPC throttling, Envoy budget)."),
    ]


class TimeoutForm(ModelForm):
    """Timeout of each guarded call."""

    FIELDS = [
        seconds("timeout", "Timeout", "The caller gives up after this long.", unit="ms"),
        flag("cancel_on_timeout", "Cancel the call on timeout",
             "Free the callee's worker too; otherwise it keeps working on an answer nobody waits for."),
    ]


class BulkheadForm(ModelForm):
    """Semaphore bulkhead: concurrent calls and the wait for a permit."""

    FIELDS = [
        integer("max_concurrent_calls", "Max concurrent calls", "Calls in flight at once through this bulkhead."),
        seconds("max_wait_duration", "Max wait", "How long a call waits for a permit; 0 rejects at once.", unit="ms"),
    ]


class FallbackForm(ModelForm):
    """Degraded answers on chosen failures."""

    FIELDS = [
        outcomes("on", "Fall back on", "Failures answered with a degraded response."),
        distribution("latency", "Fallback latency", "Time to produce the degraded response."),
    ]


class RateLimiterForm(ModelForm):
    """Resilience4j rate limiter at the component (inbound)."""

    FIELDS = [
        integer("limit_for_period", "Limit per period", "Requests admitted per refresh period, per instance."),
        seconds("limit_refresh_period", "Refresh period", "Permits refill after this long (Resilience4j default 500 ns).",
                unit="ms"),
        seconds("timeout_duration", "Wait for permit", "How long a request waits for a permit before rejection."),
    ]


class LoadSheddingForm(ModelForm):
    """Load shedding by queue wait or queue length (inbound)."""

    FIELDS = [
        seconds("max_queue_wait", "Max queue wait", "Reject work that has waited longer than this; empty: no limit.",
                unit="ms", optional=True, placeholder="no limit"),
        integer("max_queue_length", "Max queue length", "Reject arrivals beyond this queue length; empty: no limit.",
                optional=True, placeholder="no limit"),
    ]


POLICY_FORMS: dict[str, type[ModelForm]] = {
    "circuit_breaker": CircuitBreakerForm, "retry": RetryForm, "timeout": TimeoutForm, "bulkhead": BulkheadForm,
    "fallback": FallbackForm, "rate_limiter": RateLimiterForm, "load_shedding": LoadSheddingForm,
}


# -- faults ------------------------------------------------------------------------
def _window_fields() -> list[FieldSpec]:
    return [
        FieldSpec("target", "Target", TargetEditor, "The component or link the fault hits."),
        seconds("start", "Start", "When the fault begins, in run time."),
        seconds("duration", "Duration", "How long it lasts; empty means until the end of the run.", optional=True,
                placeholder="until the end"),
        seconds("period", "Repeat every", "Start the fault again every period; empty means once.", optional=True,
                placeholder="once"),
        flag("enabled", "Enabled", "A disabled fault stays in the experiment but is not injected."),
    ]


class _FaultForm(ModelForm):
    EXTRA: list[FieldSpec] = []

    def __init__(self, commit=None, parent=None):
        super().__init__(_window_fields() + self.EXTRA, commit, parent)

    @property
    def target(self) -> TargetEditor:
        return self.editors["target"]  # type: ignore[return-value]


class ComponentCrashForm(_FaultForm):
    """Component crash: which instances, refuse or hang, restart delay."""

    EXTRA = [
        FieldSpec("instances", "Instances", InstancesEditor, "Which instances crash."),
        choice("mode", "Crash mode", [("refuse", "refuse at once"), ("hang", "hang until callers time out")],
               "Refuse: callers see 'unavailable' at once. Hang: calls sit until the caller's timeout."),
        seconds("restart_delay", "Restart delay", "Cold start after the window ends."),
    ]


class NetworkLatencyForm(_FaultForm):
    """Added latency on a link or on all calls into a component."""

    EXTRA = [
        distribution("delay", "Added delay", "Extra latency per affected call."),
        percent("fraction", "Affected calls", "Share of calls delayed."),
        choice("direction", "Direction", ["request", "response", "both"], "Which way of the call is delayed."),
    ]


class ResourceExhaustionForm(_FaultForm):
    """CPU slowdown, a shrunken pool, or a memory leak."""

    EXTRA = [
        choice("resource", "Resource", [("cpu", "CPU (slower service)"), ("pool", "worker or connection pool"),
                                        ("memory_leak", "memory leak")], "What runs out."),
        FieldSpec("factor", "CPU factor", lambda: NumberEditor(False), "Service time is multiplied by this.", "×",
                  visible=lambda d: d.get("resource") == "cpu"),
        FieldSpec("pool_size", "Pool left", lambda: NumberEditor(True), "Workers or connections left per instance.",
                  visible=lambda d: d.get("resource") == "pool"),
        FieldSpec("leak_rate", "Leak rate", lambda: NumberEditor(False), "Slowdown added per second of uptime.",
                  "per second", visible=lambda d: d.get("resource") == "memory_leak"),
        FieldSpec("kill_factor", "Killed at", lambda: NumberEditor(False), "Slowdown at which the instance is killed.",
                  "× slower", visible=lambda d: d.get("resource") == "memory_leak"),
        FieldSpec("restart_delay", "Restart delay", lambda: DurationEditor("s"), "Time to restart after the kill.",
                  visible=lambda d: d.get("resource") == "memory_leak"),
    ]


class ErrorInjectionForm(_FaultForm):
    """A share of calls fails with an application error."""

    EXTRA = [percent("fraction", "Failed calls", "Share of calls aborted with an error.")]


class PartitionForm(_FaultForm):
    """A link drops every call."""

    EXTRA = [choice("mode", "Dropped calls", [("hang", "hang until timeout"), ("refuse", "refuse at once")],
                    "What a caller sees when the link drops everything.")]


class RandomFailuresForm(_FaultForm):
    """Instances fail and recover at random (MTBF, MTTR)."""

    EXTRA = [
        seconds("mtbf", "Mean time between failures", "Per instance, exponentially distributed."),
        seconds("mttr", "Mean time to repair", "Per failure, exponentially distributed."),
    ]


FAULT_FORMS: dict[str, type[_FaultForm]] = {
    "crash": ComponentCrashForm, "latency": NetworkLatencyForm, "exhaustion": ResourceExhaustionForm,
    "error": ErrorInjectionForm, "partition": PartitionForm, "random_failures": RandomFailuresForm,
}
