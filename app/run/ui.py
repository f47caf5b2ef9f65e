"""Live runs in the main window: run controls, dashboard, event log, runs panel, canvas health.

``RunUi(window)`` plugs into the editor's main window through its public
surface only: ``document``, ``scene``, ``add_dock``, ``add_run_action`` and
``run_menu``, plus ``addToolBar`` of QMainWindow.
"""
from __future__ import annotations

import math
import time
import uuid
from functools import partial

from PySide6.QtCore import QByteArray, QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDockWidget,
    QDoubleSpinBox,
    QLabel,
    QMessageBox,
    QSpinBox,
    QToolBar,
    QToolButton,
)

from engine import RunOptions, RunPlan
from engine.model import (
    AFTER_LAST_FAULT,
    SHORTEST_DEFAULT_RUN,
    counted,
    covering_duration,
    duration_reason,
    experiment_problems,
    format_seconds,
)

from ..resources import set_themed_icon
from .buckets import bucket_for, window_buckets
from .capacity import overloads
from .controller import RunController
from .dashboard import Dashboard
from .event_log import EventLog
from .formatting import link_figures_forms, run_progress_text, time_left
from .kept_runs import KeptRuns
from .run_files import RunFiles
from .runs_panel import RunsPanel
from .saved import RunGroup, design_run
from .session import FAILED, STOPPED, RunSession
from .verdict_view import VerdictOverlay
from .verdicts import objectives_changed
from .worker import RunRequest

NO_EXPERIMENT = "(no faults)"
SPEEDS = (("Real time", 1.0), ("10× speed", 10.0), ("30× speed", 30.0), ("100× speed", 100.0),
          ("Full speed", None))
DEFAULT_SPEED = 2  # 30x: a five-minute scenario plays in ten seconds
FULL_SPEED_INDEX = len(SPEEDS) - 1
HEALTH_INTERVAL_S = 0.2  # canvas recolouring during a run: 5 Hz follows a fault well enough
# As a run ends the dashboard draws its two rows on its next two ticks; the canvas and the event log
# repaint after them, one per interval, so that no single paint holds the window for a whole frame.
END_PAINT_STAGGER_MS = 25
LINK_ALARM = 0.05  # a link failing this share of its calls shows its figures in the fault colour, as a node does
MODEST_DOCK_HEIGHT = 240  # the dashboard and event log while no run is shown: the canvas is the work area


class RunUi(RunFiles, KeptRuns, QObject):
    """Everything a user needs to run a design and read the results, wired into the main window."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.doc = window.document
        self.scene = window.scene
        self.controller = RunController(self)
        self.session: RunSession | None = None
        self._last_health = 0.0
        self._started_at = 0.0
        self._held: list = []  # widgets whose repaint waits its turn as a run ends (see _paint_later)
        self._release_timer = QTimer(self)
        self._release_timer.setObjectName("faultline-end-paints")
        self._release_timer.setInterval(END_PAINT_STAGGER_MS)
        self._release_timer.timeout.connect(self._release_held)
        self._shut_down = False
        self._grown = False
        self._shown = False
        self._run_height: int | None = None  # the dashboard's height as the saved layout had it with a run
        # Overridable in tests: dialogs that would block a headless run.
        self.confirm = self._confirm
        self.ask_keep_run = self._ask_keep_run
        self.choose_report_path = self._choose_report_path

        self.dashboard = Dashboard()
        faults = getattr(window, "faults", None)
        self.verdicts = VerdictOverlay(self.dashboard, getattr(faults, "timeline", None))
        self.event_log = EventLog()
        self.runs_panel = RunsPanel()
        self._build_controls()
        self._build_docks()
        self._connect()
        self._refresh_experiments()
        self.refresh_runs()
        self._load_controls()
        # The remembered duration is often the spin box's own default, which emits no change.
        self._show_run_length()
        self._update_actions()

    # -- building ------------------------------------------------------------
    def _build_controls(self) -> None:
        w = self.window
        self.run_action = QAction("&Run", self)
        set_themed_icon(self.run_action, "run")
        self.run_action.setShortcut(QKeySequence(Qt.Key.Key_F5))
        self.run_action.setToolTip("Run the design with the chosen experiment (F5)")
        self.run_action.triggered.connect(self.run)
        self.stop_action = QAction("&Stop", self)
        set_themed_icon(self.stop_action, "stop")
        self.stop_action.setShortcut(QKeySequence("Shift+F5"))
        self.stop_action.setToolTip("Stop the run (Shift+F5)")
        self.stop_action.triggered.connect(self.stop)
        self.compare_action = QAction("&Compare With and Without Resilience", self)
        self.compare_action.setCheckable(True)
        self.compare_action.setToolTip("Run the design with its resilience patterns and without, on the same seed")
        self.baseline_action = QAction("Add a &Baseline Without Faults", self)
        self.baseline_action.setCheckable(True)
        self.resilience_action = QAction("R&esilience On", self)
        self.resilience_action.setCheckable(True)
        self.resilience_action.setChecked(True)
        self.resilience_action.setToolTip("Run with the design's resilience patterns (off: as if none were configured)")
        self.keep_action = QAction("&Keep Run in Project", self)
        self.keep_action.setShortcut(QKeySequence("Ctrl+K"))
        self.keep_action.triggered.connect(self.keep_run)
        self.report_action = QAction("Export Run &Report…", self)
        self.report_action.triggered.connect(self.export_report_dialog)
        self.save_without_runs_action = QAction("Save a Copy &Without Runs…", self)
        self.save_without_runs_action.setToolTip("Save the project without its kept runs: a small file to send")
        self.save_without_runs_action.triggered.connect(self.save_copy_without_runs_dialog)
        self.design_picture_action = QAction("Export &Design Picture…", self)
        self.design_picture_action.setToolTip("Save the design as drawn on the canvas, as PNG or SVG")
        self.design_picture_action.triggered.connect(lambda: self.export_design_picture_dialog("png"))
        self.clear_health_action = QAction("C&lear Run Colours on Canvas", self)
        self.clear_health_action.triggered.connect(self.scene.clear_health)

        self.experiment_combo = QComboBox()
        # The bundled examples' names whole ("inventory database crash"): a combo box clips without an
        # ellipsis. Twenty average characters hold them; more pushed Replications off the themed
        # toolbar at 1280x720.
        self.experiment_combo.setMinimumContentsLength(20)
        self.experiment_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.experiment_combo.setToolTip("The experiment (set of faults) to run")
        self.duration_spin = QDoubleSpinBox()
        self.duration_spin.setRange(1, 10_000_000)
        self.duration_spin.setDecimals(0)
        self.duration_spin.setValue(covering_duration())
        self.duration_spin.setSuffix(" s")
        self.duration_spin.setMaximumWidth(110)
        # Checked, the duration follows the experiment (the command line's rule); typing a
        # duration unchecks it, and checking it again goes back to the rule.
        self.duration_auto = QToolButton()
        self.duration_auto.setText("Auto")
        self.duration_auto.setCheckable(True)
        self.duration_auto.setChecked(True)
        self._following = False  # the spin box is being set by the rule, not by the user
        self.seed_spin = QSpinBox()
        self.seed_spin.setRange(0, 2_000_000_000)
        self.seed_spin.setValue(1)
        self.seed_spin.setToolTip("Random seed: the same seed gives the same run")
        self.seed_spin.setMaximumWidth(100)
        self.replications_spin = QSpinBox()
        self.replications_spin.setRange(1, 100)
        self.replications_spin.setValue(1)
        self.replications_spin.setToolTip(
            "Comparisons: repeat on seeds seed, seed+1, ... for 95 % confidence intervals")
        self.speed_combo = QComboBox()
        for label, speed in SPEEDS:
            self.speed_combo.addItem(label, speed)
        self.speed_combo.setCurrentIndex(DEFAULT_SPEED)
        self.speed_combo.setToolTip("How fast simulated time runs while you watch: a multiple of real time, "
                                    "or as fast as the engine goes")

        bar = QToolBar("Run controls", w)
        bar.setObjectName("runControlsToolbar")
        bar.addAction(self.run_action)
        bar.addAction(self.stop_action)
        bar.addWidget(self.speed_combo)
        bar.addSeparator()
        bar.addWidget(QLabel(" Experiment "))
        bar.addWidget(self.experiment_combo)
        bar.addWidget(QLabel(" Duration "))
        bar.addWidget(self.duration_spin)
        bar.addWidget(self.duration_auto)
        bar.addWidget(QLabel(" Seed "))
        bar.addWidget(self.seed_spin)
        bar.addWidget(QLabel(" "))
        self.resilience_check = QCheckBox("Resilience")
        self.compare_check = QCheckBox("Compare")
        self.baseline_check = QCheckBox("Baseline")
        self.baseline_check.setToolTip("Also run without faults, as the reference")
        for check, action in ((self.resilience_check, self.resilience_action),
                              (self.compare_check, self.compare_action),
                              (self.baseline_check, self.baseline_action)):
            check.setToolTip(action.toolTip())
            check.setChecked(action.isChecked())
            check.toggled.connect(action.setChecked)
            action.toggled.connect(check.setChecked)
            bar.addWidget(check)
        bar.addWidget(QLabel(" Replications "))
        bar.addWidget(self.replications_spin)
        self.progress_label = QLabel()
        self.progress_label.setObjectName("runProgress")
        self.progress_label.setToolTip("Simulated time reached, and the wall-clock time the run still needs at its "
                                       "pace so far")
        # A fixed width: text of another length would lay the status bar out again at every update.
        self.progress_label.setFixedWidth(self.progress_label.fontMetrics().horizontalAdvance(
            run_progress_text(36_000, 36_000, 5_000)) + 12)
        self.progress_label.hide()
        w.statusBar().addPermanentWidget(self.progress_label)
        # On a row of its own: beside the editor's toolbar the controls would overflow.
        w.addToolBarBreak()
        w.addToolBar(bar)
        self.toolbar = bar

        for action in (self.run_action, self.stop_action):
            w.add_run_action(action, toolbar=False)
        menu = w.run_menu
        menu.addSeparator()
        for action in (self.resilience_action, self.compare_action, self.baseline_action):
            menu.addAction(action)
        menu.addSeparator()
        for action in (self.keep_action, self.report_action, self.design_picture_action,
                       self.save_without_runs_action, self.clear_health_action):
            menu.addAction(action)

    def _build_docks(self) -> None:
        w = self.window
        bottom, right = Qt.DockWidgetArea.BottomDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea
        self.dashboard_dock = w.add_dock("Dashboard", self.dashboard, bottom, "dashboardDock")
        self.log_dock = w.add_dock("Event log", self.event_log, bottom, "eventLogDock")
        w.splitDockWidget(self.dashboard_dock, self.log_dock, Qt.Orientation.Horizontal)
        # Scrolling: its list and two rows of buttons, tabbed with the properties, held the right
        # docks 178 px tall, and so the dashboard short of the room a run's start gives it.
        self.runs_dock = w.add_dock("Runs", self.runs_panel, right, "runsDock", scroll=True)
        neighbour = getattr(w, "faults_dock", None)
        if neighbour is not None:
            w.tabifyDockWidget(neighbour, self.runs_dock)
            getattr(w, "properties_dock", neighbour).raise_()
        w.resizeDocks([self.dashboard_dock, self.log_dock], [1000, 520], Qt.Orientation.Horizontal)
        # Modest until a run starts (the canvas is the work area); _show_dashboard grows it then.
        w.resizeDocks([self.dashboard_dock, self.log_dock], [MODEST_DOCK_HEIGHT] * 2, Qt.Orientation.Vertical)
        menu = w.run_menu
        menu.addSeparator()
        for dock in (self.dashboard_dock, self.log_dock, self.runs_dock):
            menu.addAction(dock.toggleViewAction())
        # The window restored its saved layout before these docks and the run toolbar existed:
        # apply it again so they come back where the user left them (the default placement stays
        # for what the saved layout does not know).
        state = w.settings.value("window/state") if hasattr(w, "settings") else None
        if isinstance(state, QByteArray):
            w.restoreState(state)

    def _connect(self) -> None:
        c = self.controller
        c.started.connect(self._on_started)
        c.updated.connect(self._on_updated)
        c.ended.connect(self._on_ended)
        c.idle.connect(self._update_actions)
        d = self.doc
        for signal in (d.experiment_added, d.experiment_removed, d.experiment_changed, d.design_switched,
                       d.current_experiment_changed):
            signal.connect(self._refresh_experiments)
        d.project_replaced.connect(self._on_project_replaced)
        d.runs_changed.connect(self.refresh_runs)
        for signal in (d.component_added, d.component_removed, d.component_changed, d.link_added, d.link_removed,
                       d.link_changed, d.policy_added, d.policy_removed, d.policy_changed, d.fault_added,
                       d.fault_removed, d.fault_changed):
            signal.connect(self._on_design_edited)
        d.design_switched.connect(self._mark_design_edited)
        d.saved.connect(self._on_saved)
        self.experiment_combo.currentIndexChanged.connect(self._on_experiment_chosen)
        self.duration_spin.editingFinished.connect(self._check_fault_times)
        self.duration_spin.valueChanged.connect(self._show_run_length)
        self.duration_spin.valueChanged.connect(self._on_duration_set)
        self.duration_auto.toggled.connect(self._follow_experiment)
        for signal in (d.fault_added, d.fault_removed, d.fault_changed, d.current_experiment_changed,
                       d.experiment_changed, d.design_switched, d.project_replaced):
            signal.connect(self._follow_experiment)
        # The pace can change while a run goes: slow down to watch a fault, or hurry to the end.
        self.speed_combo.currentIndexChanged.connect(
            lambda _i: self.controller.set_speed(self.speed_combo.currentData()))
        self.compare_action.toggled.connect(self._update_actions)
        self.baseline_action.toggled.connect(self._update_actions)
        self.dashboard.cursor_moved.connect(self._on_cursor)
        self.dashboard.variant_changed.connect(self._on_variant_changed)
        self.dashboard.keep_requested.connect(self.keep_run)
        self.dashboard.report_requested.connect(self.export_report_dialog)
        self.dashboard.design_picture_requested.connect(self.export_design_picture_dialog)
        self.event_log.event_activated.connect(self._on_event_activated)
        self.runs_panel.open_requested.connect(self.open_group)
        self.runs_panel.delete_requested.connect(self.delete_group)
        self.runs_panel.report_requested.connect(self._report_group)
        self.runs_panel.save_without_runs_requested.connect(self.save_copy_without_runs_dialog)
        self.runs_panel.rename_requested.connect(self.rename_group)
        self.window.installEventFilter(self)
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    # -- closing -------------------------------------------------------------
    def eventFilter(self, watched, event):
        if watched is self.window and event.type() == QEvent.Type.Close:
            # The window may still refuse to close (unsaved changes): look again once it has decided.
            QTimer.singleShot(0, self._after_close)
        elif watched is self.window and event.type() == QEvent.Type.Show and not self._shown:
            self._shown = True
            QTimer.singleShot(0, self._modest_until_a_run)  # once the restored layout is laid out
        return False

    def _bottom_docks(self) -> list[QDockWidget]:
        return [d for d in (self.dashboard_dock, self.log_dock) if not d.isFloating() and d.isVisible()]

    def _modest_until_a_run(self) -> None:
        """A layout saved while a run was shown comes back with its tall dashboard over "No run yet"
        and the canvas squeezed to a strip: modest until a run is shown, which takes that height back."""
        if self.session is not None or not self._bottom_docks() or self.dashboard_dock.isFloating():
            return
        height = self.dashboard_dock.height()
        if height <= MODEST_DOCK_HEIGHT + 40:
            return
        self._run_height = height
        docks = self._bottom_docks()
        self.window.resizeDocks(docks, [MODEST_DOCK_HEIGHT] * len(docks), Qt.Orientation.Vertical)
        view = getattr(self.window, "view", None)
        if view is not None and hasattr(view, "fit"):
            QTimer.singleShot(0, view.fit)  # the canvas got its height back: show the whole design in it

    def _after_close(self) -> None:
        if not self.window.isVisible():
            self.shutdown()

    def shutdown(self) -> None:
        """Stop a run and its thread, and the dashboard's redraw timer (window closing, quitting)."""
        if self._shut_down:
            return
        self.controller.shutdown()
        self.dashboard.stop_timer()
        self._release_held(everything=True)
        self._shut_down = not self.window.isVisible()

    # -- experiments ---------------------------------------------------------
    def _refresh_experiments(self, *_args) -> None:
        combo = self.experiment_combo
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(NO_EXPERIMENT, None)
        for e in self.doc.design.experiments:
            combo.addItem(e.name, str(e.id))
        current = self.doc.current_experiment
        index = combo.findData(str(current.id)) if current is not None else 0
        combo.setCurrentIndex(max(0, index))
        combo.blockSignals(False)

    def _on_experiment_chosen(self, _index: int) -> None:
        data = self.experiment_combo.currentData()
        self.doc.set_current_experiment(uuid.UUID(data) if data else None)
        self._follow_experiment()
        self._check_fault_times()

    def _follow_experiment(self, *_args) -> None:
        """Unless the user set the duration, make it the one that covers the experiment's faults
        and their recovery (``engine.model.covering_duration``), and say why in its tooltip."""
        experiment = self.doc.current_experiment
        if self.duration_auto.isChecked():
            self._following = True
            try:
                self.duration_spin.setValue(covering_duration([experiment]))
            finally:
                self._following = False
            self.duration_spin.setToolTip(f"Simulated duration: {self.duration_spin.value():g} s "
                                          f"({duration_reason([experiment])}). Type another to keep it.")
        else:
            self.duration_spin.setToolTip("Simulated duration, as you set it: Auto makes it follow the experiment")
        self.duration_auto.setToolTip(f"The duration follows the experiment: {SHORTEST_DEFAULT_RUN:g} s, or "
                                      f"{AFTER_LAST_FAULT:g} s after its last fault ends, as on the command line")

    def _on_duration_set(self, *_args) -> None:
        if not self._following and self.duration_auto.isChecked():
            self.duration_auto.blockSignals(True)
            self.duration_auto.setChecked(False)
            self.duration_auto.blockSignals(False)
            self._follow_experiment()

    def _show_run_length(self, *_args) -> None:
        """The fault timeline and a client's rate preview span the run the controls describe
        (faults beyond it stand out)."""
        for pane in (getattr(self.window, "faults", None), getattr(self.window, "properties", None)):
            if pane is not None and hasattr(pane, "set_run_duration"):
                pane.set_run_duration(float(self.duration_spin.value()))

    def _check_fault_times(self, *_args) -> None:
        """Say so when the chosen experiment's faults do not fit in the run as long as it is set."""
        self._show_run_length()
        short = self._faults_past_the_end()
        if short:
            self._status(self._too_short_text(short))

    def _faults_past_the_end(self) -> list:
        """The chosen experiment's faults that start, or end, after the run as long as it is set:
        the engine refuses such a run (``experiment_problems``), so the window says so first."""
        experiment = self.doc.current_experiment
        if experiment is None:
            return []
        return experiment_problems(self.doc.design, experiment, float(self.duration_spin.value()))

    def _too_short_text(self, short: list) -> str:
        more = f" ({counted(len(short) - 1, 'more fault')} too)" if len(short) > 1 else ""
        return (f"The run is too short for this experiment: {short[0]}{more}. Lengthen the duration, or tick "
                "Auto to cover every fault.")

    def _show_problem(self, problem) -> None:
        """Take the user to what ``problem`` is about (the window's Problems menu does the same)."""
        show = getattr(self.window, "show_problem", None)
        if show is not None:
            show(problem)

    def set_experiment(self, name: str | None) -> None:
        """Choose the experiment to run by name (None: no faults)."""
        index = self.experiment_combo.findText(name) if name else 0
        if index < 0:
            raise KeyError(name)
        self.experiment_combo.setCurrentIndex(index)

    # -- remembered choices -------------------------------------------------------
    def _settings(self):
        return getattr(self.window, "settings", None)

    def _load_controls(self) -> None:
        """The run controls as the user left them last time (not the experiment: that is the project's)."""
        settings = self._settings()
        if settings is None:
            self._follow_experiment()
            return
        def value(key, default, kind):
            try:
                return kind(settings.value(f"run/{key}", default))
            except (TypeError, ValueError):
                return default
        if str(settings.value("run/duration_auto", True)).lower() in ("true", "1"):
            self._follow_experiment()
        else:
            self.duration_spin.setValue(value("duration", covering_duration(), float))
        self.seed_spin.setValue(value("seed", 1, int))
        self.replications_spin.setValue(value("replications", 1, int))
        self.speed_combo.setCurrentIndex(min(max(0, value("speed", DEFAULT_SPEED, int)), len(SPEEDS) - 1))
        for key, action, default in (("compare", self.compare_action, False), ("baseline", self.baseline_action, False),
                                     ("resilience", self.resilience_action, True)):
            action.setChecked(str(settings.value(f"run/{key}", default)).lower() in ("true", "1"))

    def _save_controls(self) -> None:
        settings = self._settings()
        if settings is None:
            return
        settings.setValue("run/duration", self.duration_spin.value())
        settings.setValue("run/duration_auto", self.duration_auto.isChecked())
        settings.setValue("run/seed", self.seed_spin.value())
        settings.setValue("run/replications", self.replications_spin.value())
        settings.setValue("run/speed", self.speed_combo.currentIndex())
        settings.setValue("run/compare", self.compare_action.isChecked())
        settings.setValue("run/baseline", self.baseline_action.isChecked())
        settings.setValue("run/resilience", self.resilience_action.isChecked())

    # -- running ----------------------------------------------------------------
    def request(self) -> RunRequest:
        """The run the controls currently describe."""
        duration = float(self.duration_spin.value())
        experiment = self.experiment_combo.currentText() if self.experiment_combo.currentIndex() > 0 else None
        compare = self.compare_action.isChecked()
        baseline = self.baseline_action.isChecked()
        # The worker reads the design in its own thread: give it a copy that later edits cannot touch
        # (sharing the immutable components, links' fields and experiments, as saving does).
        design = self.doc.design_snapshot()
        variants = len(RunPlan(options=RunOptions(), compare=compare, baseline=baseline).variants)
        most = window_buckets(design, variants)
        options = RunOptions(duration=duration, seed=int(self.seed_spin.value()), bucket=bucket_for(duration, most),
                             max_buckets=most, resilience=self.resilience_action.isChecked())
        return RunRequest(design=design, options=options, experiment=experiment,
                          compare=compare, baseline=baseline,
                          replications=int(self.replications_spin.value()) if (compare or baseline) else 1,
                          speed=self.speed_combo.currentData())

    def run(self) -> RunSession | None:
        """Start a run of the controls' request; None if one is under way or the user declined."""
        if self.controller.running:
            return None
        problems = self.doc.problems()
        if problems:
            # Refused before it starts, as a sweep is: a run that could only fail would replace the
            # last run's plots with empty ones.
            more = (f" ({counted(len(problems) - 1, 'more problem')} under ⚠ in the status bar)"
                    if len(problems) > 1 else "")
            self._status(f"Fix the design before running it: {problems[0]}{more}.")
            self._show_problem(problems[0])
            return None
        short = self._faults_past_the_end()
        if short:
            self._status(self._too_short_text(short))
            self._show_problem(short[0])
            return None
        overloaded = overloads(self.doc.design)
        if overloaded and not self.confirm(overload_question(overloaded)):
            self._status("Run not started: " + overloaded[0].describe() + ".")
            return None
        self.scene.clear_health()
        self._save_controls()
        return self.controller.start(self.request())

    def stop(self) -> None:
        self.controller.stop()
        self.stop_action.setEnabled(False)

    def _show_dashboard(self) -> None:
        self.dashboard_dock.show()
        self.dashboard_dock.raise_()
        # Plots need room: the first time, give the bottom docks three fifths of the window if they
        # have less (the banner, legend and reasons sit above the plots), or the height the user gave
        # them with a run the last time; after that the user's own sizing stands.
        if self._grown:
            return
        self._grown = True
        wanted = self._run_height or int(self.window.height() * 0.6)
        if not self.dashboard_dock.isFloating() and self.dashboard_dock.height() < wanted - 40:
            docks = self._bottom_docks()
            view = getattr(self.window, "view", None)
            # What the grown docks squeeze (the canvas, the panes beside it) and the event log at its
            # new height repaint on the dashboard's next ticks, one a tick: with the window's repaint
            # around the grown dock they made the longest tick of a first run's start.
            squeezed = [w for w in (self.event_log, view) if w is not None] + [
                d for d in self.window.findChildren(QDockWidget) if d.isVisible() and not d.isFloating()
                and self.window.dockWidgetArea(d) != Qt.DockWidgetArea.BottomDockWidgetArea]
            self._paint_later(squeezed)
            for turn in reversed(range(len(squeezed))):
                self.dashboard.later(f"squeezed paint {turn}", self._release_held, first=True)
            self.window.resizeDocks(docks, [wanted] * len(docks), Qt.Orientation.Vertical)
            self.window.layout().activate()
            if view is not None and hasattr(view, "fit"):
                # The canvas just lost height: show the whole design again once the layout has settled.
                QTimer.singleShot(0, view.fit)

    def _on_started(self, session: RunSession) -> None:
        self._release_held(everything=True)  # held as the run before ended: the new run shows them at once
        self.session = session
        self._started_at = time.monotonic()
        self._show_progress(session)
        self._last_health = 0.0
        self.event_log.show_session(session)
        # The dock's height (and the window's repaint around it), the run's plots and table, then the
        # banner, the burn plot it reserves room for and the objectives' items that frames so far
        # call for, each on a tick after the click's, and the dashboard painted once they are laid
        # out: in the click, with that paint, they made 30-60 ms of work, and items that came after
        # the first paint laid every plot out and painted it again.
        self.dashboard.show_session(session, room=self._show_dashboard,
                                    then=[("run's verdicts", partial(self.verdicts.show_session, session, built=False)),
                                          *self.verdicts.stages()])
        self._update_actions()
        self._status(f"Running {session.title()}…{self._bucket_note(session)}")

    def _bucket_note(self, session: RunSession) -> str:
        """Why a run's buckets are wider than its length alone makes them (``window_buckets``)."""
        usual = bucket_for(session.duration)
        if session.bucket <= usual:
            return ""
        return (f" Series in {format_seconds(session.bucket)} buckets, not {format_seconds(usual)}: so the "
                f"series of {counted(len(session.components), 'component')} fit in memory.")

    def _on_updated(self, session: RunSession) -> None:
        if session is not self.session or session is not self.dashboard.session:
            return  # a frame before the dashboard shows the run: it draws the run's data as it does
        self.dashboard.session_updated()
        # The log's repaint takes 5-8 ms: on a tick of its own, not in the same repaint as a row of plots.
        self.dashboard.later("event log", self.event_log.session_updated)
        now = time.perf_counter()
        if now - self._last_health >= HEALTH_INTERVAL_S:
            self._last_health = now
            self._show_progress(session)
            # The canvas's repaint (2-4 ms) on a tick of its own: with a run's first frame it landed
            # in the same turn of the event loop as the dashboard's first paint.
            self.dashboard.later("canvas health", self._apply_live_health)
            self.verdicts.refresh()

    def _apply_live_health(self) -> None:
        session = self.session
        if session is not None and not session.done:  # once it is over, _on_ended colours the canvas
            self.apply_health(session)

    def _paint_later(self, widgets) -> None:
        """Hold the repaints of ``widgets`` and let them through one per stagger interval, after the
        dashboard's two rows."""
        if not self.window.isVisible():
            return  # closing: nothing will be painted
        for widget in widgets:
            if widget is not None and widget.updatesEnabled() and widget not in self._held:
                widget.setUpdatesEnabled(False)
                self._held.append(widget)
        self._release_timer.start()

    def _release_held(self, everything: bool = False) -> None:
        while self._held:
            self._held.pop(0).setUpdatesEnabled(True)
            if not everything:
                break
        if not self._held:
            self._release_timer.stop()

    def _on_ended(self, session: RunSession) -> None:
        if session is not self.session:
            return
        if session is not self.dashboard.session:
            self.dashboard.flush()  # so short a run that it ended before its start was shown
        self._paint_later([getattr(self.window, "view", None), self.event_log])
        self.dashboard.session_ended()
        self.progress_label.clear()
        self.progress_label.hide()
        self.verdicts.refresh()
        self.event_log.session_ended()
        self.apply_health(session, self.dashboard.canvas_variant)
        self._update_actions()
        if session.status == FAILED:
            self._status("The run failed: see the dashboard.")
            self._show_dashboard()
        elif session.status == STOPPED:
            self._status("Run stopped." + self._bucket_note(session))
        else:
            self._status(f"Run finished in {session.wall_time:.2f} s of wall time. Keep it with Run > Keep Run "
                         f"in Project; drag the time slider to replay it on the canvas.{self._bucket_note(session)}")

    def _show_progress(self, session: RunSession) -> None:
        data = session.variants.get(session.primary)
        sim_time = data.now if data else 0.0
        left = time_left(session.progress, time.monotonic() - self._started_at)
        self.progress_label.setText(run_progress_text(sim_time, session.duration, left))
        self.progress_label.show()

    def _update_actions(self, *_args) -> None:
        running = self.controller.running
        self.window.set_run_going(running)
        self.run_action.setEnabled(not running)
        self.stop_action.setEnabled(running)
        session = self.session
        done = session is not None and session.done and session.status != FAILED and bool(session.results())
        self.keep_action.setEnabled(done and session is not None and not session.saved)
        self.report_action.setEnabled(done)
        several = self.compare_action.isChecked() or self.baseline_action.isChecked()
        self.replications_spin.setEnabled(several)
        self.resilience_check.setEnabled(not several)
        self.resilience_action.setEnabled(not several)
        for widget in (self.experiment_combo, self.duration_spin, self.duration_auto, self.seed_spin,
                       self.compare_check, self.baseline_check):
            widget.setEnabled(not running)
        if running:
            self.replications_spin.setEnabled(False)
            self.resilience_check.setEnabled(False)

    # -- canvas health -------------------------------------------------------
    def apply_health(self, session: RunSession, variant: str | None = None, bucket: int | None = None) -> None:
        if self.doc.design.name != session.design_name:
            return  # the canvas shows another design now: its names would be coloured wrongly
        for name, health in session.health(variant, bucket).items():
            component = self.doc.component_named(name)
            if component is not None:
                self.scene.set_health(component.id, health)
        # by the names the canvas's links carry: each link's name from the design goes through its
        # ends' lookup, a third of a time-slider step at a thousand components
        items = {item.name: item for item in self.scene.link_items()}
        for name, figures in session.link_figures(variant, bucket).items():
            item = items.get(name)
            if item is not None:
                text, *shorter = link_figures_forms(figures)
                item.set_live(text, figures["errors"] >= LINK_ALARM, shorter)

    def _on_cursor(self, t: float | None) -> None:
        session = self.session
        if session is None or t is None or not session.done:
            return
        bucket = session.bucket_at(t)
        self.apply_health(session, self.dashboard.canvas_variant, bucket)
        # The last bucket also holds what the run logged as it ended, at its very end.
        end = (bucket + 1) * session.bucket if bucket < session.n_buckets - 1 else math.inf
        self.event_log.follow_time(bucket * session.bucket, end)

    def _on_variant_changed(self, variant: str) -> None:
        session = self.session
        if session is None:
            return
        t = self.dashboard.cursor_time
        self.apply_health(session, variant, session.bucket_at(t) if (t is not None and session.done) else None)

    def _on_event_activated(self, event: dict) -> None:
        name = event.get("component") or (event.get("link") or "").split(" -> ")[0]
        component = self.doc.component_named(name) if name else None
        if component is not None:
            self.doc.set_selection([component.id])
        t = float(event["time"])
        self.dashboard.set_cursor(t)
        self._on_cursor(t)

    # -- keeping runs --------------------------------------------------------
    def _on_project_replaced(self) -> None:
        """Another project is open: the shown run belongs to the old one."""
        if self.controller.running:
            self.controller.stop()
        self.session = None
        self.dashboard.show_empty()
        self.verdicts.show_empty()
        self.event_log.show_session(None)
        self.scene.clear_health()
        self._kept_ids = None
        self.refresh_runs()
        self._refresh_experiments()
        self._update_actions()

    def _on_design_edited(self, *_args) -> None:
        """An edit makes the last run's colours describe another design: show the design as it is now.

        Moving components is not an edit of the design, so it keeps them; a run
        under way recolours the canvas at its next update anyway.
        """
        if not self.controller.running:
            self.scene.clear_health()
        session = self.session
        if session is not None and session.done:
            self.verdicts.set_stale(objectives_changed(session, self.doc.design))
        self._mark_design_edited()

    def _mark_design_edited(self, *_args) -> None:
        """Whether the shown run's design, open on the canvas, has been edited since it ran (another
        design open is not an edit: the title names the run's)."""
        session, design = self.session, self.doc.design
        ran = session.design if session is not None else None
        self.dashboard.set_design_edited(ran is not None and ran.id == design.id and not ran.same_system(design))

    def _on_saved(self) -> None:
        # Just saved while the shown run is not kept: the file does not hold it, and the user may think so.
        # Only a save: an undo back to the saved state (of "Keep run", say) also makes the project clean.
        session = self.session
        if session is not None and session.done and not session.saved and session.results():
            # After the window's own "Saved ..." note, which would otherwise replace this one.
            QTimer.singleShot(0, self._note_unkept_run)

    def _note_unkept_run(self) -> None:
        self._status("Saved. The last run is not in the file: keep it with Run > Keep Run in Project, then save again.")

    def open_group(self, group: RunGroup) -> RunSession | None:
        """Show a kept run's plots and log without running it again."""
        if self.controller.running:
            self._status("Stop the current run before opening a kept one.")
            return None
        shown = self.session
        if (shown is not None and shown.done and not shown.saved and shown.results()
                and str(shown.group_id) != group.id):
            answer = self.ask_keep_run(group.label)
            if answer == "cancel":
                return None
            if answer == "keep":
                self.keep_run()
        try:
            session = group.session()
        except (KeyError, ValueError) as exc:
            self._status(f"Cannot open this run: {exc}")
            return None
        try:
            if group.design_id != self.doc.design.id:
                self.doc.set_current_design(group.design_id)
        except KeyError:
            pass  # its design is gone; the plots and log still open
        self.show_finished(session)
        self._status(f"Opened kept run: {group.label}")
        return session

    def show_finished(self, session: RunSession) -> None:
        """Show a run that is over (kept, or finished elsewhere): plots, verdicts, log and the canvas's
        colours, as the window showed it when it ended."""
        # the design it ran with, when kept with it: the open one may have been edited since
        design = design_run(session) or (self.doc.design_snapshot() if self.doc.design.name == session.design_name
                                         else None)
        if design is not None:
            session.design = design
            # Instance counts from the design itself: more exact than the most seen up at once.
            session.instances.update({c.name: int(getattr(c, "instances", 0) or 0)
                                      for c in design.components if c.name in session.instances})
        self.session = session
        self.dashboard.show_session(session)
        self._mark_design_edited()
        self.verdicts.show_session(session)
        self.event_log.show_session(session)
        self.scene.clear_health()
        self.apply_health(session, self.dashboard.canvas_variant)
        self._show_dashboard()
        self._update_actions()

    def _confirm(self, text: str) -> bool:
        answer = QMessageBox.question(self.window, "Faultline", text,
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def _ask_keep_run(self, opening: str) -> str:
        """'keep', 'discard' or 'cancel' — asked before a kept run replaces one that is not kept: a run
        of minutes, and what it showed, would be lost without a word."""
        box = QMessageBox(self.window)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Keep the last run?")
        box.setText("The run on screen is not kept in the project.")
        box.setInformativeText(f"Opening “{opening}” replaces it. Keep it in the project first?")
        keep = box.addButton("Keep Run", QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton("Don't Keep", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(keep)
        box.exec()
        clicked = box.clickedButton()
        return "keep" if clicked is keep else "discard" if clicked is discard else "cancel"

    def _report_group(self, group: RunGroup) -> None:
        if self.open_group(group) is not None:
            self.export_report_dialog()

    def _status(self, text: str) -> None:
        self.window.statusBar().showMessage(text, 15000)


def overload_question(overloaded) -> str:
    """The question asked before a run of a design offered far more load than it can serve."""
    lines = "\n".join(f"• {o.describe()}" for o in overloaded)
    return (f"The design offers more work than it can serve:\n{lines}\n\nEach of these queues grows for the whole "
            "run, and the run takes long to simulate. Run anyway?")


def install(window) -> RunUi:
    """Give ``window`` (the editor's MainWindow) its run controls and run panes."""
    ui = RunUi(window)
    window.run_ui = ui
    return ui


__all__ = ["RunUi", "install"]
