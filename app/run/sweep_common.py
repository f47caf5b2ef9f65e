"""What the sweep window and the fix finder share, and what the sweep's two charts share.

Both windows run one long search on a Python thread that reports through
queued signals only (the engine releases the GIL, so the window stays live):
Run, Stop, a progress bar and a status line, and closing the window stops the
search first. Both charts draw one metric of a finished sweep under one of its
experiments, picked in the same two lists.
"""
from __future__ import annotations

import math
import threading
from collections.abc import Callable
from time import monotonic
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engine.explore.sensitivity import default_metric
from engine.model import DesignError, covering_duration, duration_reason

from .formatting import time_left

NO_FAULTS = "(no faults)"


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

    def __init__(self, spin: QSpinBox, design) -> None:
        self.spin, self.design = spin, design
        self.following = True
        self._setting = False
        spin.valueChanged.connect(self._typed)

    def follow(self, names: list[str | None]) -> None:
        """The chosen experiments (by name; None for no faults) changed."""
        if not self.following:
            return
        experiments = [self.design.experiment(n) for n in names if n]
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


def fill_table(table: QTableWidget, heads: list[str], lines: list[list[str]], words: tuple[int, ...] = ()) -> None:
    """Show ``lines`` of cells under ``heads``; figures right-aligned, the ``words`` columns left."""
    table.setColumnCount(len(heads))
    table.setHorizontalHeaderLabels(heads)
    table.setRowCount(len(lines))
    for r, line in enumerate(lines):
        for c, text in enumerate(line):
            item = QTableWidgetItem(text)
            if c not in words:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(r, c, item)


def progress_text(done: int, total: int, elapsed: float) -> str:
    """Runs done of all and, once the pace means something, about how long the rest will take."""
    text = f"{done} of {total} runs"
    left = time_left(done / total, elapsed) if total else None
    if left is None:
        return text
    return text + (f" · about {left:.0f} s left" if left < 90 else f" · about {left / 60:.0f} min left")


class BackgroundSearchDialog(QDialog):
    """A dialog whose one search runs on a thread: ``add_run_row`` makes its Run and Stop buttons,
    progress bar and status line; ``start`` checks the form and calls ``launch``; the search's
    outcome reaches ``show_outcome`` in the window's thread, or its failure the status line."""

    progressed = Signal(int, int)  # runs done, runs in all
    ended = Signal(object)         # what the search found, or a message saying why it failed
    searching = "search"           # the word for it in a message

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._started = 0.0
        self.progressed.connect(self._on_progress)
        self.ended.connect(self._on_ended)

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
        self.ended.emit(outcome)

    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)
        self.status.setText(progress_text(done, total, monotonic() - self._started))

    def _on_ended(self, outcome: Any) -> None:
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self.run_button.setEnabled(True)
        self.stop_button.setEnabled(False)
        if isinstance(outcome, str):
            self.status.setText(outcome)
        else:
            self.show_outcome(outcome)

    def stop(self) -> None:
        """End the search after the run under way."""
        self._stop.set()
        self.stop_button.setEnabled(False)

    @property
    def running(self) -> bool:
        """Whether a search is under way."""
        return self._thread is not None

    def closeEvent(self, event) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            self._thread = None
        super().closeEvent(event)


class MetricChoice:
    """The metric and the experiment a chart of a finished sweep shows, as two lists in a form
    on ``layout``; ``on_change`` redraws when either changes."""

    def __init__(self, layout: QVBoxLayout, on_change: Callable[[], None]):
        form = QFormLayout()
        self.metric = QComboBox()
        self.experiment = QComboBox()
        form.addRow("Metric", self.metric)
        form.addRow("Experiment", self.experiment)
        layout.addLayout(form)
        self.metric.currentIndexChanged.connect(on_change)
        self.experiment.currentIndexChanged.connect(on_change)

    def fill(self, sweep) -> None:
        """List ``sweep``'s metrics (the objectives' first) and experiments, without redrawing."""
        for combo in (self.metric, self.experiment):
            combo.blockSignals(True)
            combo.clear()
        self.metric.addItems(sweep.metric_columns)
        self.metric.setCurrentText(default_metric(sweep.metric_columns))
        self.experiment.addItems([e or NO_FAULTS for e in sweep.experiments])
        self.experiment.setEnabled(len(sweep.experiments) > 1)
        for combo in (self.metric, self.experiment):
            combo.blockSignals(False)

    def experiment_of(self, sweep) -> str:
        """The chosen experiment as the sweep's rows name it (``""`` for no faults)."""
        return sweep.experiments[max(self.experiment.currentIndex(), 0)] or ""
