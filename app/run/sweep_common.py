"""What the sweep window and the fix finder share, and what the sweep's two charts share.

Both windows run one long search on a Python thread that reports through
queued signals only (the engine releases the GIL, so the window stays live):
Run, Stop, a progress bar and a status line. Closing the window, however it is
closed, asks the search to stop and does not wait for it: a run under way may
take minutes. The window stays (hidden) until the search has ended, so that
its last signal has somewhere to go. Both windows follow the open design as
it is edited. Both charts draw one metric of a finished sweep under one of its
experiments, picked in the same two lists.
"""
from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterable
from time import monotonic
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QRect, QSize, Qt, Signal, SignalInstance
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engine.explore import Parameter
from engine.explore.sensitivity import default_metric
from engine.explore.table import figure_unit
from engine.explore.worker import CLIENT_METRICS, objective_prefix, swept_fields
from engine.model import Design, DesignError, Experiment, covering_duration, duration_reason

from ..window_fit import fit_to_screen
from .formatting import METRIC_LABELS, time_left
from .plot_style import clip_title, colour_axes, set_title
from .verdicts import label

NO_FAULTS = "(no faults)"
# The words for an objective's sweep columns (``engine.explore.worker.OBJECTIVE_METRICS``).
OBJECTIVE_METRIC_WORDS = {"met": "met (share of runs)", "attainment": "attainment",
                          "recovered": "recovered (share of runs)", "time_to_recover": "time to recover"}
# What a client's sweep columns measure, as the run figures name them.
CLIENT_METRIC_KEYS = dict(CLIENT_METRICS)
# A column sized to a long heading stops here; the heading is cut with "…" and whole in its tooltip.
WIDEST_HEADING = 220


def objective_names(design: Design, swept: Iterable[str] = ()) -> dict[str, str]:
    """Each objective's sweep prefix (``clients.objectives.1``) and its name as the verdicts show it
    (``availability 90 % (ok)``), after its client's name when several clients have objectives;
    a field among the ``swept`` paths is named as swept (``availability target swept (ok)``)."""
    swept = tuple(swept)
    judged = [(c.name, list(getattr(c, "objectives", None) or ())) for c in design.components if c.kind == "client"]
    judged = [(client, objectives) for client, objectives in judged if objectives]
    names = {}
    for client, objectives in judged:
        for index, objective in enumerate(objectives):
            prefix = objective_prefix(client, index)
            name = label(objective.describe(swept_fields(prefix, swept)))
            names[prefix] = f"{client} · {name}" if len(judged) > 1 else name
    return names


def metric_name(design: Design, column: str, swept: Iterable[str] = ()) -> str:
    """A sweep's metric column in words: ``availability 90 % (ok) · attainment``, ``clients · Latency p99``."""
    prefix, _, metric = column.rpartition(".")
    objectives = objective_names(design, swept)
    if prefix in objectives:
        return f"{objectives[prefix]} · {OBJECTIVE_METRIC_WORDS.get(metric, metric)}"
    if metric in CLIENT_METRIC_KEYS:
        key = CLIENT_METRIC_KEYS[metric]
        return f"{prefix} · {METRIC_LABELS.get(key, key)}"
    return column


# How a parameter's unit reads after its path, where the values are shown bare ("0.5", "8").
_UNIT_WORDS = {"s": "s", "ratio": "share", "%": "%", "x": "×", "1/s": "/s"}


def parameter_heading(parameter: Parameter) -> str:
    """A swept parameter's path with the unit its bare values are in: ``api->db.timeout.timeout (s)``,
    ``api.workers`` (a count its name says), ``api.failure_rate_threshold (%)``."""
    unit = parameter.unit
    words = _UNIT_WORDS.get(unit, unit if unit.replace(" ", "").isalpha() else "")
    if not words or words.lower() in parameter.path.rpartition(".")[2].lower():
        return parameter.path
    return f"{parameter.path} ({words})"


def metric_unit(column: str) -> str:
    """The unit of a sweep's metric column for a chart's axis ("s", "/s"), or none for a share or a count."""
    return {"s": "s", "1/s": "/s"}.get(figure_unit(column), "")


def add_spin(form: QFormLayout, label: str, low: int, high: int, value: int,
             suffix: str = "", tooltip: str = "") -> QSpinBox:
    """A whole-number field on its own row of ``form``."""
    spin = QSpinBox()
    spin.setRange(low, high)
    spin.setValue(value)
    if suffix:
        spin.setSuffix(suffix)
    if tooltip:
        spin.setToolTip(tooltip)
    form.addRow(label, spin)
    return spin


class FollowedDuration:
    """Keeps a duration field at the run length that covers the chosen experiments' faults (the
    command line's default, ``engine.model.covering_duration``) until the user types one."""

    def __init__(self, spin: QSpinBox, design: Callable[[], Design]) -> None:
        self.spin, self.design = spin, design  # design(): the open design as it is now
        self.following = True
        self._setting = False
        spin.valueChanged.connect(self._typed)

    def follow(self, names: list[str | None]) -> None:
        """The chosen experiments (by name; None for no faults) changed."""
        if not self.following:
            return
        design = self.design()
        experiments: list[Experiment | None] = [design.experiment(n) for n in names if n]
        self._setting = True
        try:
            self.spin.setValue(math.ceil(covering_duration(experiments)))
        finally:
            self._setting = False
        self.spin.setToolTip(f"Simulated seconds of each run ({duration_reason(experiments)}); "
                             "type another to keep it")

    def _typed(self, *_args) -> None:
        if not self._setting:
            self.following = False
            self.spin.setToolTip("Simulated seconds of each run, as you set them")


def fill_table(table: QTableWidget, heads: list[str], lines: list[list[str]], words: tuple[int, ...] = (),
               stretch: int | None = None, head_tips: dict[int, str] | None = None) -> None:
    """Show ``lines`` of cells under ``heads``; figures right-aligned, the ``words`` columns left.

    Every column is as wide as its figures and its heading (a heading past ``WIDEST_HEADING`` is cut
    with "…"), the ``stretch`` column takes the room left; a cell never wraps (a figure on two lines
    reads as two), and a word cell cut short shows whole in its tooltip, as do ``head_tips``."""
    table.setWordWrap(False)
    table.setColumnCount(len(heads))
    table.setHorizontalHeaderLabels(heads)
    table.setRowCount(len(lines))
    for r, line in enumerate(lines):
        for c, text in enumerate(line):
            item = QTableWidgetItem(text)
            if c in words:
                item.setToolTip(text)
            else:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(r, c, item)
    header = table.horizontalHeader()
    for c in range(len(heads)):
        header.setSectionResizeMode(c, QHeaderView.ResizeMode.Interactive)
    table.resizeColumnsToContents()
    metrics = header.fontMetrics()
    for c, head in enumerate(heads):
        heading = table.horizontalHeaderItem(c)
        assert heading is not None  # setHorizontalHeaderLabels made one for every heading
        heading.setToolTip((head_tips or {}).get(c, head))
        cells = table.sizeHintForColumn(c)
        if header.sectionSize(c) > max(WIDEST_HEADING, cells):
            width = max(WIDEST_HEADING, cells)
            header.resizeSection(c, width)
            # the heading's margins, as the section's size hint counted them past its text
            margins = header.sectionSizeHint(c) - metrics.horizontalAdvance(head)
            heading.setText(metrics.elidedText(head, Qt.TextElideMode.ElideRight, width - margins))
    if stretch is not None:
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)


def progress_text(done: int, total: int, elapsed: float) -> str:
    """Runs done of all and, once the pace means something, about how long the rest will take."""
    text = f"{done} of {total} runs"
    left = time_left(done / total, elapsed) if total else None
    if left is None:
        return text
    return text + (f" · about {left:.0f} s left" if left < 90 else f" · about {left / 60:.0f} min left")


def fit_dialog(dialog: QDialog, width: int, height: int) -> None:
    """Give ``dialog`` its own size, or less where the screen it opens on has less room (a dialog
    taller than a 720-line screen puts its buttons out of reach), as the main window does."""
    screen = (dialog.parentWidget() or dialog).screen()
    available = screen.availableGeometry()
    dialog.resize(fit_to_screen(QRect(available.topLeft(), QSize(width, height)), available).size())


class BackgroundSearchDialog(QDialog):
    """A dialog whose one search runs on a thread: ``add_run_row`` makes its Run and Stop buttons,
    progress bar and status line; ``start`` checks the form and calls ``launch``; the search's
    outcome reaches ``show_outcome`` in the window's thread, or its failure the status line.

    ``design`` is the open design, or a callable giving it as it is now; each of the ``changed``
    signals (the document's edited, design switched) makes the window call ``follow_design``."""

    progressed = Signal(int, int)  # runs done, runs in all
    ended = Signal(object)         # what the search found, or a message saying why it failed
    searching = "search"           # the word for it in a message
    title = ""                     # the window's title, before the design's name

    def __init__(self, design: Design | Callable[[], Design], parent: QWidget | None = None,
                 changed: Iterable[SignalInstance] = ()):
        super().__init__(parent)
        self._design = design if callable(design) else (lambda: design)
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._started = 0.0
        # closed while searching with WA_DeleteOnClose: deleted once the search has ended
        self._delete_when_ended = False
        self.progressed.connect(self._on_progress)
        self.ended.connect(self._on_ended)
        for signal in changed:
            signal.connect(self._on_design_changed)
        self._name_window()

    @property
    def design(self) -> Design:
        """The open design as it is now (edited in place: a search takes a copy)."""
        return self._design()

    def _name_window(self) -> None:
        self.setWindowTitle(f"{self.title} — {self.design.name}")

    def _on_design_changed(self, *_args) -> None:
        self._name_window()
        self.follow_design()

    def follow_design(self) -> None:
        """The open design was edited: list what it has now."""

    def add_run_row(self, layout: QVBoxLayout, run_text: str) -> None:
        row = QHBoxLayout()
        self.run_button = QPushButton(run_text)
        self.run_button.clicked.connect(self.start)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setEnabled(False)
        self.stop_button.clicked.connect(self.stop)
        self.progress = QProgressBar()
        row.addWidget(self.run_button)
        row.addWidget(self.stop_button)
        row.addWidget(self.progress, 1)
        layout.addLayout(row)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)

    def start(self) -> None:
        raise NotImplementedError

    def show_outcome(self, outcome: Any) -> None:
        """Show what a search that ended (finished or stopped) found."""
        raise NotImplementedError

    def launch(self, work: Callable[..., Any], args: tuple, name: str) -> None:
        """Run ``work(*args)`` on a thread, with Run disabled and Stop enabled until it ends;
        its result reaches ``show_outcome``, its failure the status line."""
        self._stop.clear()
        self._started = monotonic()
        self.run_button.setEnabled(False)
        self.stop_button.setEnabled(True)
        self._thread = threading.Thread(target=self._guarded, args=(work, args), name=name, daemon=True)
        self._thread.start()

    def _guarded(self, work: Callable[..., Any], args: tuple) -> None:
        # On the search's thread: only signals cross to the window.
        try:
            outcome = work(*args)
        except DesignError as exc:
            outcome = str(exc)
        except Exception as exc:  # noqa: BLE001 - shown in the window: a failed search must not end the application
            outcome = f"the {self.searching} failed: {type(exc).__name__}: {exc}"
        try:
            self.ended.emit(outcome)
        except RuntimeError:
            pass  # the window went with its parent (the application is quitting): no one to tell

    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)
        if not self._stop.is_set():  # "Stopping…" stays until the search has ended
            self.status.setText(progress_text(done, total, monotonic() - self._started))

    def _on_ended(self, outcome: Any) -> None:
        if self._thread is not None:
            self._thread.join()  # it has sent its outcome: it is ending
            self._thread = None
        if self._delete_when_ended:
            self.deleteLater()
            return
        self.run_button.setEnabled(True)
        self.stop_button.setEnabled(False)
        if isinstance(outcome, str):
            self.status.setText(outcome)
        else:
            self.show_outcome(outcome)

    def stop(self) -> None:
        """End the search after the run under way, saying so until it has ended."""
        if self._thread is None:
            return
        self._stop.set()
        self.stop_button.setEnabled(False)
        self.status.setText("Stopping…")

    @property
    def running(self) -> bool:
        """Whether a search is under way."""
        return self._thread is not None

    def _stop_on_close(self) -> None:
        # Waiting here would freeze the main window for as long as the run under way takes; and
        # a dialog deleted under its search would be sent its outcome after it is gone.
        if self._thread is None:
            return
        self.stop()
        if self.testAttribute(Qt.WidgetAttribute.WA_DeleteOnClose):
            self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
            self._delete_when_ended = True

    def done(self, result: int) -> None:
        # Escape, Close and accept() end here without a close event.
        self._stop_on_close()
        super().done(result)

    def closeEvent(self, event) -> None:
        self._stop_on_close()
        super().closeEvent(event)


class MetricChoice:
    """The metric and the experiment a chart of a finished sweep shows, as two lists side by side
    on ``layout`` (one row: the chart below gets the height); ``on_change`` redraws when either changes.
    The metrics are listed by name, each holding its column (``column``)."""

    def __init__(self, layout: QVBoxLayout, on_change: Callable[[], None]):
        row = QHBoxLayout()
        self.metric = QComboBox()
        self.experiment = QComboBox()
        for text, combo, stretch in (("Metric", self.metric, 3), ("Experiment", self.experiment, 2)):
            words = QLabel(text)
            words.setBuddy(combo)
            row.addWidget(words)
            row.addWidget(combo, stretch)
        layout.addLayout(row)
        self.metric.currentIndexChanged.connect(on_change)
        self.experiment.currentIndexChanged.connect(on_change)

    def fill(self, sweep) -> None:
        """List ``sweep``'s metrics (the objectives' first) and experiments, without redrawing."""
        for combo in (self.metric, self.experiment):
            combo.blockSignals(True)
            combo.clear()
        for column in sweep.metric_columns:
            self.metric.addItem(metric_name(sweep.design, column, (a.path for a in sweep.axes)), column)
            self.metric.setItemData(self.metric.count() - 1, column, Qt.ItemDataRole.ToolTipRole)
        self.select(default_metric(sweep.metric_columns))
        self.experiment.addItems([e or NO_FAULTS for e in sweep.experiments])
        self.experiment.setEnabled(len(sweep.experiments) > 1)
        for combo in (self.metric, self.experiment):
            combo.blockSignals(False)

    @property
    def column(self) -> str:
        """The chosen metric's column (``clients.objectives.1.attainment``); ``""`` before a sweep."""
        return self.metric.currentData() or ""

    def select(self, column: str) -> None:
        """Choose the metric of ``column``."""
        self.metric.setCurrentIndex(self.metric.findData(column))

    def experiment_of(self, sweep) -> str:
        """The chosen experiment as the sweep's rows name it (``""`` for no faults)."""
        return sweep.experiments[max(self.experiment.currentIndex(), 0)] or ""


class SweepChart(QWidget):
    """A chart of a finished sweep: the metric and experiment lists over a plot titled with the
    metric's name, in the colours of the window's light or dark look, as the dashboard's plots."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.chart_layout = QVBoxLayout(self)
        self.choice = MetricChoice(self.chart_layout, self.redraw)
        # not ``metric``: that name is QPaintDevice.metric(), which Qt calls while painting
        self.metric_box, self.experiment = self.choice.metric, self.choice.experiment
        self.plot = pg.PlotWidget()
        clip_title(self.plot.getPlotItem())
        self._follow_palette()

    def redraw(self) -> None:
        raise NotImplementedError

    def set_title(self, text: str) -> None:
        """Title the plot, cut with "…" where it would not fit."""
        set_title(self.plot.getPlotItem(), text, self.palette().text().color())

    def set_metric_axis(self, name: str, column: str) -> None:
        """Put ``column``'s values on axis ``name``: its unit (ms, k/s as the values ask), and
        shares and counts as plain numbers (pyqtgraph would read 0.5 as 500 x0.001)."""
        unit = metric_unit(column)
        axis = self.plot.getAxis(name)
        axis.enableAutoSIPrefix(bool(unit))
        axis.setLabel("", units=unit)
        axis.showLabel(bool(unit))  # the title names the metric: a label of no unit would be an empty strip

    def _follow_palette(self) -> None:
        pal = self.palette()
        background, text = pal.base().color(), pal.text().color()
        self.plot.setBackground(background)
        plot = self.plot.getPlotItem()
        colour_axes(plot, text)
        self.set_title(plot.titleLabel.text)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._follow_palette()
