"""The sweep window: parameters of the current design by path, run over values on local
worker processes, with the summary per point as the command line prints it and
as a chart (``sweep_plot``); a point picked in either is applied to the design
as one undo step through the ``apply`` callback the main window gives.

The sweep runs on a Python thread (the engine releases the GIL) and talks to
the window through queued signals only; Stop ends it after the run that
finishes next, and so does closing the window (``sweep_common``). The lists
of parameters and experiments follow the design as it is edited.
"""
from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, SignalInstance
from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.document.document import design_snapshot
from engine import workers
from engine.explore import (
    Parameter,
    ParameterSpace,
    ResultsFile,
    Sweep,
    format_value,
    make_executor,
    plan_sweep,
    run_sweep,
    summarise,
    summary_path,
    summary_table,
    units_path,
    write_summary,
    write_units,
)
from engine.explore.worker import CLIENT_METRICS
from engine.model import Design, DesignError, parse_options

from .sweep_common import (
    NO_FAULTS,
    BackgroundSearchDialog,
    FollowedDuration,
    add_spin,
    fill_table,
    fit_dialog,
    metric_name,
    objective_names,
    parameter_heading,
)
from .sweep_plot import SweepPlot
from .sweep_sensitivity import TornadoPlot

PARAMETER_ROWS = 4  # shown at once; more scroll
# Runs past which a sweep asks before it starts: a range typed a digit too long (1:100000:1)
# makes hundreds of thousands of runs.
LARGE_SWEEP = 1_000
EXPERIMENT_ROWS = 4


def readable_heads(design: Design, heads: list[str],
                   swept: Iterable[Parameter] = ()) -> tuple[list[str], dict[int, str]]:
    """The summary's headings with each objective by its name (``availability 90 % (ok) met``),
    each client's figure as the dashboard names it (``browsers · Error rate %``) and each ``swept``
    parameter with its unit (``api.timeout.timeout (s)``), and the column's own name, as the CSV has
    it, for the tooltip of each heading renamed."""
    names, tips = list(heads), {}
    swept = tuple(swept)
    for parameter in swept:
        if parameter.path in heads and parameter_heading(parameter) != parameter.path:
            c = heads.index(parameter.path)
            names[c], tips[c] = parameter_heading(parameter), parameter.path
    for prefix, name in objective_names(design, (p.path for p in swept)).items():
        for c, head in enumerate(heads):
            if head.startswith(prefix + " "):
                names[c] = name + head.removeprefix(prefix)
                tips[c] = head
    clients = {c.name for c in design.components if c.kind == "client"}
    for c, head in enumerate(heads):
        # ``browsers.error_rate %``: client, metric, unit
        parts = re.fullmatch(r"(.+)\.(\w+)(\W+\w*)", head)
        if parts and parts[1] in clients and parts[2] in dict(CLIENT_METRICS):
            names[c] = f"{metric_name(design, f'{parts[1]}.{parts[2]}')} {parts[3].strip()}"
            tips[c] = head
    return names, tips


def list_height(view: QListWidget, rows: int) -> int:
    """The height that shows ``rows`` of the list's items (fewer if it has fewer, at least one)."""
    shown = min(max(view.count(), 1), rows)
    return shown * max(view.sizeHintForRow(0), 1) + 2 * view.frameWidth()


def large_sweep_question(sweep: Sweep) -> str:
    """What a sweep of many runs is asked before it starts: its size in runs and in simulated time."""
    from engine.model import format_seconds

    simulated = format_seconds(len(sweep) * sweep.options.duration)
    return (f"This sweep makes {len(sweep):,} runs: {len(sweep.points):,} points x {len(sweep.experiments)} "
            f"experiment(s) x {sweep.replications} replication(s), {simulated} of simulated time in all. Run it?")


def default_spec(parameter) -> str:
    """Values to start a sweep of ``parameter`` from: half, the value and twice it for a number,
    every choice otherwise; values out of the parameter's range are left out."""
    if not parameter.numeric:
        return ",".join(format_value(c) for c in parameter.choices)
    value = parameter.value if parameter.value is not None else 1
    raw = [value / 2, value, value * 2]
    if parameter.type == "int":
        raw = [max(1, int(value) // 2), int(value), int(value) * 2]
    kept = []
    for candidate in raw:
        try:
            kept.append(format_value(parameter.coerce(candidate)))
        except ValueError:
            continue
    return ",".join(dict.fromkeys(kept))


class SweepDialog(BackgroundSearchDialog):
    """Pick parameters and their values (``4:16:4``, ``a,b,c``), experiments and replications;
    run; read the summary per point; save the rows and the summary as CSV."""

    searching = "sweep"
    title = "Sweep"

    def __init__(self, design: Design | Callable[[], Design], parent: QWidget | None = None, path: str = "",
                 apply: Callable[[dict[str, Any]], str | None] | None = None,
                 changed: Iterable[SignalInstance] = ()):
        super().__init__(design, parent, changed)
        # apply(values) sets a point's values in the open design; returns why not, or None
        self._apply = apply
        self._selected: int | None = None
        self._space = ParameterSpace(self.design)
        self._sweep: Sweep | None = None
        self._rows: list[dict] = []
        self.confirm = self._confirm   # a test answers for the user
        layout = QVBoxLayout(self)

        self.params = QTableWidget(0, 2)
        self.params.setHorizontalHeaderLabels(["Parameter", "Values"])
        self.params.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.params.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.params.verticalHeader().hide()
        # As tall as its rows (up to PARAMETER_ROWS, then it scrolls): the results below take the rest.
        self.params.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.params.setToolTip("Values: a range 4:16:4 (from, to, step), or a list 4,8,16 "
                               "(choices, true/false, none); a time or a share may carry its unit: "
                               "100 ms:1 s:100 ms, 99 %,99.9 %")
        layout.addWidget(self.params)
        buttons = QHBoxLayout()
        self.add_button = QPushButton("Add Parameter")
        self.add_button.clicked.connect(lambda: self.add_parameter())
        self.remove_button = QPushButton("Remove")
        self.remove_button.setToolTip("Remove the parameter whose row has the focus")
        self.remove_button.setEnabled(False)
        self.remove_button.clicked.connect(self._remove_parameter)
        self.params.currentCellChanged.connect(
            lambda row, *_: self.remove_button.setEnabled(row >= 0))
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)

        form = QFormLayout()
        self.experiments = QListWidget()
        self._list_experiments([None])
        form.addRow("Experiments", self.experiments)
        self.replications = add_spin(form, "Replications", 1, 1000, 3)
        self.duration = add_spin(form, "Duration", 1, 10_000_000, 60, " s")
        self.followed = FollowedDuration(self.duration, lambda: self.design)
        self.experiments.itemChanged.connect(lambda _item: self.followed.follow(self._experiments()))
        self.followed.follow(self._experiments())
        self.lhs = add_spin(form, "Latin hypercube", 0, 1_000_000, 0,
                            tooltip="Points of a Latin hypercube over the parameters' intervals a:b (grid: "
                                    "every combination); what the Sensitivity tab weighs best")
        self.lhs.setSpecialValueText("grid")
        self.workers = add_spin(form, "Workers", 1, workers.size(), workers.size(),
                                tooltip="Worker processes of the pool that runs replications too; "
                                        "1 runs in this process")
        layout.addLayout(form)
        self.add_run_row(layout, "Run")
        self.results = QTableWidget(0, 0)
        self.results.verticalHeader().hide()
        self.results.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.results.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.results.itemSelectionChanged.connect(self._on_table_selection)
        self.chart = SweepPlot()
        self.chart.point_selected.connect(self.select_point)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.results, "Table")
        self.tabs.addTab(self.chart, "Chart")
        self.tornado = TornadoPlot()
        self.tabs.addTab(self.tornado, "Sensitivity")
        layout.addWidget(self.tabs, 1)
        bottom = QDialogButtonBox()
        self.apply_button = bottom.addButton("Apply This Point", QDialogButtonBox.ButtonRole.ActionRole)
        self.apply_button.setEnabled(False)
        self.apply_button.setToolTip("Set the selected point's values in the design (one undo step)")
        self.apply_button.clicked.connect(lambda: self.apply_selected())
        self.apply_button.setVisible(apply is not None)
        self.save_button = bottom.addButton("Save CSV…", QDialogButtonBox.ButtonRole.ActionRole)
        self.save_button.setEnabled(False)
        self.save_button.clicked.connect(lambda: self.save())
        bottom.addButton(QDialogButtonBox.StandardButton.Close).clicked.connect(self.close)
        layout.addWidget(bottom)

        self.add_parameter(path)
        fit_dialog(self, 760, 720)

    def _list_experiments(self, checked: list[str | None]) -> None:
        """List the design's experiments, ticking those of ``checked`` it still has."""
        self.experiments.blockSignals(True)
        self.experiments.clear()
        for name in [NO_FAULTS, *(e.name for e in self.design.experiments)]:
            item = QListWidgetItem(name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            ticked = (None if name == NO_FAULTS else name) in checked
            item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
            self.experiments.addItem(item)
        self.experiments.blockSignals(False)
        self.experiments.setFixedHeight(list_height(self.experiments, EXPERIMENT_ROWS))

    def follow_design(self) -> None:
        """List the experiments and parameter paths the design has now; what was chosen stays
        chosen where the design still has it (a path typed stays as typed)."""
        self._space = ParameterSpace(self.design)
        self._list_experiments(self._experiments())
        self.followed.follow(self._experiments())
        paths = [p.path for p in self._space]
        for row in range(self.params.rowCount()):
            combo = self.params.cellWidget(row, 0)
            assert isinstance(combo, QComboBox)  # add_parameter puts one in every row
            typed = combo.currentText()
            combo.blockSignals(True)
            combo.clear()
            combo.addItems(paths)
            combo.setCurrentText(typed)
            combo.blockSignals(False)

    def _fit_parameters(self) -> None:
        rows = min(max(self.params.rowCount(), 1), PARAMETER_ROWS)
        # the editors' rows, which are taller than an empty table's default
        row = self.params.rowHeight(0) if self.params.rowCount() else self.params.verticalHeader().defaultSectionSize()
        self.params.setFixedHeight(self.params.horizontalHeader().sizeHint().height() + rows * row
                                   + 2 * self.params.frameWidth())

    # -- the form ------------------------------------------------------------------------------
    def add_parameter(self, path: str = "", values: str = "") -> None:
        """Add a parameter row, a path picked from the design's (or typed) and its values."""
        row = self.params.rowCount()
        self.params.insertRow(row)
        combo = QComboBox()
        combo.setEditable(True)
        combo.addItems([p.path for p in self._space])
        combo.setCurrentText(path)
        combo.setToolTip("A parameter's path, as `faultline params` lists them")
        self.params.setCellWidget(row, 0, combo)
        if path and not values:
            try:
                values = default_spec(self._space.get(path))
            except DesignError:
                values = ""
        line = QLineEdit(values)
        self.params.setCellWidget(row, 1, line)
        for editor in (combo, line):
            editor.installEventFilter(self)
        self.params.resizeRowToContents(row)
        self._fit_parameters()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # A click in a row's editors does not reach the table: the row becomes current here,
        # for Remove to know which one to take.
        if event.type() == QEvent.Type.FocusIn:
            for row in range(self.params.rowCount()):
                for column in (0, 1):
                    if self.params.cellWidget(row, column) is watched:
                        self.params.setCurrentCell(row, column)
        return super().eventFilter(watched, event)

    def _remove_parameter(self) -> None:
        row = self.params.currentRow()
        if row < 0:  # no row chosen: taking the first would remove one the user did not mean
            return
        self.params.removeRow(row)
        self._fit_parameters()

    def _pairs(self) -> list[tuple[str, str]]:
        pairs = []
        for row in range(self.params.rowCount()):
            combo, line = self.params.cellWidget(row, 0), self.params.cellWidget(row, 1)
            # add_parameter puts these two widgets in every row
            assert isinstance(combo, QComboBox) and isinstance(line, QLineEdit)
            path = combo.currentText().strip()
            values = line.text().strip()
            if path or values:
                pairs.append((path, values))
        return pairs

    def _experiments(self) -> list[str | None]:
        chosen = []
        for i in range(self.experiments.count()):
            item = self.experiments.item(i)
            if item.checkState() == Qt.CheckState.Checked:
                chosen.append(None if item.text() == NO_FAULTS else item.text())
        return chosen

    # -- running -------------------------------------------------------------------------------
    def start(self) -> None:
        """Check the sweep (problems are shown, naming the parameter) and run it on a thread."""
        if self._thread is not None:
            return
        try:
            experiments = self._experiments()
            if not experiments:
                raise DesignError(["tick at least one experiment, or (no faults)"])
            options = parse_options({"duration": float(self.duration.value())})
            # a copy: the sweep's thread reads it while the user goes on editing
            sweep = plan_sweep(design_snapshot(self.design), self._pairs(), options, experiments=experiments,
                               replications=self.replications.value(), lhs=self.lhs.value() or None)
        except DesignError as exc:
            self.status.setText(str(exc))
            return
        if len(sweep) > LARGE_SWEEP and not self.confirm(large_sweep_question(sweep)):
            self.status.setText(f"Not started: {len(sweep):,} runs. Narrow the values, or run it anyway.")
            return
        self._sweep, self._rows = sweep, []
        self.progress.setRange(0, len(sweep))
        self.progress.setValue(0)
        self.status.setText(f"{len(sweep.points)} point(s) x {len(sweep.experiments)} experiment(s) x "
                            f"{sweep.replications} replication(s) = {len(sweep)} run(s)")
        self.save_button.setEnabled(False)
        self.launch(self._work, (sweep, self.workers.value()), "sweep")

    def _confirm(self, text: str) -> bool:
        answer = QMessageBox.question(self, "Large sweep", text,
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def _work(self, sweep: Sweep, workers: int) -> list[dict]:
        with make_executor(workers=workers) as executor:
            return run_sweep(sweep, executor, stop=self._stop,
                             on_row=lambda row, done, total: self.progressed.emit(done, total))

    def show_outcome(self, outcome: list[dict]) -> None:
        self._rows = outcome
        sweep = self._sweep
        if sweep is None:  # start() sets it before any work is launched
            return
        stopped = " (stopped)" if self._stop.is_set() else ""
        self.status.setText(f"{len(outcome)} of {len(sweep)} runs done{stopped}")
        summary = summarise(sweep, outcome)
        heads, lines = summary_table(sweep, summary)
        if "experiment" in heads:
            # the command line's "none" is "(no faults)" everywhere in the window
            column = heads.index("experiment")
            for line, entry in zip(lines, summary, strict=True):
                line[column] = entry["experiment"] or NO_FAULTS
        names, tips = readable_heads(sweep.design, heads, (axis.parameter for axis in sweep.axes))
        fill_table(self.results, names, lines, words=(heads.index("experiment"),) if "experiment" in heads else (),
                   head_tips=tips)
        self.save_button.setEnabled(bool(outcome))
        self.chart.show_summary(sweep, summary)
        self.tornado.show_rows(sweep, outcome)
        if outcome and sweep.axes and sweep.axes[0].continuous:
            self.tabs.setCurrentWidget(self.tornado)
        elif outcome and len(sweep.axes) >= 2:
            self.tabs.setCurrentWidget(self.chart)

    # -- a point into the design -----------------------------------------------------------------
    def _on_table_selection(self) -> None:
        rows = {index.row() for index in self.results.selectedIndexes()}
        if len(rows) == 1:
            item = self.results.item(rows.pop(), 0)
            if item is not None:
                self.select_point(int(item.text()) - 1)

    def select_point(self, index: int) -> None:
        """Make point ``index`` of the sweep the one "Apply This Point" applies."""
        if self._sweep is None or not 0 <= index < len(self._sweep.points):
            return
        self._selected = index
        self.apply_button.setEnabled(self._apply is not None and bool(self._sweep.points[index]))
        words = ", ".join(f"{p}={format_value(v)}" for p, v in self._sweep.points[index].items())
        self.status.setText(f"point {index + 1} selected: {words}")

    def apply_selected(self) -> None:
        """Set the selected point's values in the design through the ``apply`` callback."""
        if self._apply is None or self._sweep is None or self._selected is None:
            return
        values = self._sweep.points[self._selected]
        words = ", ".join(f"{p}={format_value(v)}" for p, v in values.items())
        if self._has(values):
            # nothing would be pushed, so "Undo takes it back" would take back the edit before it
            self.status.setText(f"not applied: the design already has {words}")
            return
        refusal = self._apply(values)
        self.status.setText(f"not applied: {refusal}" if refusal
                            else f"applied {words} to the design (Undo takes it back)")

    def _has(self, values: dict[str, Any]) -> bool:
        """Whether the open design already holds every one of ``values``."""
        space = ParameterSpace(self.design)
        try:
            return all(space.get(path).value == value for path, value in values.items())
        except DesignError:
            return False  # a path gone since the sweep: applying it says why

    def save(self, path: str | None = None) -> None:
        """Write the rows (and ``NAME.summary.csv`` beside them) where the user chooses."""
        sweep = self._sweep
        if sweep is None:  # the button is enabled only once a sweep has rows
            return
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "Save Sweep Results", "sweep.csv", "CSV files (*.csv)")
            if not path:
                return
        try:
            if os.path.exists(path):
                os.remove(path)  # the dialog asked before replacing it
            with ResultsFile(path, sweep) as out:
                for row in self._rows:
                    out.write_row(row)
            written = write_summary(summary_path(path), sweep, summarise(sweep, self._rows))
            units = write_units(units_path(path), sweep, path)
        except (DesignError, OSError) as exc:
            self.status.setText(f"not saved: {exc}")
            return
        self.status.setText(f"rows in {path}, summary in {written}, units in {units.name}")
