"""The "Suggest fixes" window: standard mitigations tried on the current design, ranked.

The search (``engine.explore.suggest``) runs on a Python thread and reports
through queued signals only; Stop ends it after the candidate under way. Each
ranked candidate shows its objectives met, attainment with its interval, cost
and every change in words with its parameter paths; "Apply This Fix" puts it
into the design as one undo step through the ``apply`` callback.
"""
from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engine.explore.suggest import Suggestions, suggest
from engine.model import Design, DesignError, parse_options

NO_FAULTS = "(no faults)"


def candidate_lines(found: Suggestions) -> list[list[str]]:
    """One row of cells per ranked candidate: rank, name, objectives met, attainment per
    objective (mean ± 95 % half-width), cost."""
    rows = []
    for rank, candidate in enumerate(found.ranked, start=1):
        cells = [str(rank), candidate.name, f"{candidate.objectives_met}/{len(found.objectives)}"]
        for objective in found.objectives:
            mean, ci = candidate.attainment(objective)
            cells.append(f"{mean * 100:.2f} %" + ("" if ci != ci else f" ± {ci * 100:.2f}"))  # noqa: PLR0124 - NaN
        cells.append(str(candidate.cost))
        rows.append(cells)
    return rows


class SuggestDialog(QDialog):
    """Pick an experiment, run the search, read the ranked fixes, apply one."""

    progressed = Signal(int, int)   # runs done, runs in all
    finished_search = Signal(object)  # Suggestions, or a message saying why the search failed

    def __init__(self, design: Design, parent: QWidget | None = None,
                 apply: Callable[[Design, str], str | None] | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"Suggest Fixes — {design.name}")
        self.design = design
        self._apply = apply
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self.found: Suggestions | None = None
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.experiment = QComboBox()
        self.experiment.addItems([*(e.name for e in design.experiments), NO_FAULTS])
        form.addRow("Experiment", self.experiment)
        self.bare = QCheckBox("Start without the design's resilience policies")
        self.bare.setChecked(not any(c.policies for c in design.components))
        form.addRow("", self.bare)
        self.replications = QSpinBox()
        self.replications.setRange(1, 100)
        self.replications.setValue(3)
        form.addRow("Replications", self.replications)
        self.duration = QSpinBox()
        self.duration.setRange(1, 10_000_000)
        self.duration.setValue(180)
        self.duration.setSuffix(" s")
        form.addRow("Duration", self.duration)
        layout.addLayout(form)
        run_row = QHBoxLayout()
        self.run_button = QPushButton("Find Fixes")
        self.run_button.clicked.connect(self.start)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setEnabled(False)
        self.stop_button.clicked.connect(self.stop)
        self.progress = QProgressBar()
        run_row.addWidget(self.run_button)
        run_row.addWidget(self.stop_button)
        run_row.addWidget(self.progress, 1)
        layout.addLayout(run_row)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.table = QTableWidget(0, 0)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.itemSelectionChanged.connect(self._show_changes)
        layout.addWidget(self.table, 2)
        self.changes = QPlainTextEdit()
        self.changes.setReadOnly(True)
        layout.addWidget(self.changes, 1)
        bottom = QDialogButtonBox()
        self.apply_button = bottom.addButton("Apply This Fix", QDialogButtonBox.ButtonRole.ActionRole)
        self.apply_button.setEnabled(False)
        self.apply_button.clicked.connect(lambda: self.apply_selected())
        self.apply_button.setVisible(apply is not None)
        bottom.addButton(QDialogButtonBox.StandardButton.Close).clicked.connect(self.close)
        layout.addWidget(bottom)
        self.progressed.connect(self._on_progress)
        self.finished_search.connect(self._on_finished)
        self.resize(820, 640)

    def start(self) -> None:
        """Check the options (problems are shown) and search on a thread."""
        if self._thread is not None:
            return
        name = self.experiment.currentText()
        experiment = None if name == NO_FAULTS else name
        try:
            options = parse_options({"duration": float(self.duration.value())})
        except DesignError as exc:
            self.status.setText(str(exc))
            return
        self._stop.clear()
        self.found = None
        self.table.setRowCount(0)
        self.changes.clear()
        self.apply_button.setEnabled(False)
        self.run_button.setEnabled(False)
        self.stop_button.setEnabled(True)
        self.status.setText("measuring the design without faults, then trying each candidate…")
        args = (experiment, options, self.replications.value(), self.bare.isChecked())
        self._thread = threading.Thread(target=self._work, args=args, name="suggest", daemon=True)
        self._thread.start()

    def _work(self, experiment, options, replications, bare) -> None:
        # On the search thread: only signals cross to the window.
        try:
            found = suggest(self.design, experiment, options, replications=replications, stop=self._stop,
                            start_without_resilience=bare, on_progress=self.progressed.emit)
        except DesignError as exc:
            self.finished_search.emit(str(exc))
            return
        except Exception as exc:  # noqa: BLE001 - shown in the window: a failed search must not end the application
            self.finished_search.emit(f"the search failed: {type(exc).__name__}: {exc}")
            return
        self.finished_search.emit(found)

    def stop(self) -> None:
        """End the search after the candidate under way; what ran is ranked."""
        self._stop.set()
        self.stop_button.setEnabled(False)

    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)

    def _on_finished(self, outcome) -> None:
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self.run_button.setEnabled(True)
        self.stop_button.setEnabled(False)
        if isinstance(outcome, str):
            self.status.setText(outcome)
            return
        self.found = outcome
        heads = ["#", "candidate", "objectives met", *(f"{o} attainment" for o in outcome.objectives), "cost"]
        lines = candidate_lines(outcome)
        self.table.setColumnCount(len(heads))
        self.table.setHorizontalHeaderLabels(heads)
        self.table.setRowCount(len(lines))
        for r, line in enumerate(lines):
            for c, text in enumerate(line):
                item = QTableWidgetItem(text)
                if c != 1:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        meeting = sum(1 for c in outcome.ranked if c.meets_all)
        stopped = " (stopped)" if self._stop.is_set() else ""
        self.status.setText(f"{len(outcome.ranked)} candidates tried{stopped}; {meeting} meet every objective "
                            f"in all {outcome.replications} replications")
        if lines:
            # not selectRow: it reads the keyboard modifiers held at the moment
            flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
            self.table.selectionModel().select(self.table.model().index(0, 0), flags)

    def _selected(self):
        rows = {index.row() for index in self.table.selectedIndexes()}
        if self.found is None or len(rows) != 1:
            return None
        return self.found.ranked[rows.pop()]

    def _show_changes(self) -> None:
        candidate = self._selected()
        self.changes.setPlainText(candidate.describe() if candidate else "")
        self.apply_button.setEnabled(self._apply is not None and candidate is not None and bool(candidate.changes))

    def apply_selected(self) -> None:
        """Put the selected candidate's changes into the design, as one undo step."""
        candidate = self._selected()
        if candidate is None or self._apply is None or not candidate.changes:
            return
        if self.found.design != self.design:
            # the search started from the design without its policies: the fix is that design plus its changes
            text = f"Apply fix: no resilience policies, then {candidate.name}"
        else:
            text = f"Apply fix: {candidate.name}"
        refusal = self._apply(candidate.design, text)
        self.status.setText(f"not applied: {refusal}" if refusal else f"applied {candidate.name} (Undo takes it back)")

    def closeEvent(self, event) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            self._thread = None
        super().closeEvent(event)
