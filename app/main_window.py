"""The main window: canvas in the centre, palette and panes in docks, menus, files, autosave."""
from __future__ import annotations

import json

from PySide6.QtCore import QByteArray, QMimeData, QPointF, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDialog,
    QDockWidget,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QTextEdit,
    QToolBar,
    QToolButton,
    QUndoView,
    QWidget,
)

from . import theme
from .canvas import CanvasScene, CanvasView, ComponentPalette
from .canvas.placement import fragment_positions, free_offset
from .clipboard import put_on_clipboard
from .document import EditRejected, ProjectDocument
from .find_box import FindBox
from .interop_dialog import add_interop_actions
from .keyboard_help import show_keyboard_help
from .pane_focus import PaneKeeper, move_to_pane, pane_title, show_pane, tab_from_focus
from .panes import FaultInjectionPanel, PropertiesPane, ResiliencePanel
from .read_only_banner import ReadOnlyBanner
from .resources import app_icon, icon, kind_icon, retint_icons, set_themed_icon
from .store import Autosave, RecentFiles, is_read_only
from .window_files import WindowFiles
from .window_fit import fit_to_screen, scrolling

FRAGMENT_MIME = "application/x-faultline-fragment"
AUTOSAVE_INTERVAL_MS = 60_000


def _keys_and(standard: QKeySequence.StandardKey, extra: str) -> list[QKeySequence]:
    """The platform's keys for ``standard`` and ``extra`` too, once."""
    keys = QKeySequence.keyBindings(standard)
    if QKeySequence(extra) not in keys:
        keys.append(QKeySequence(extra))
    return keys


class MainWindow(WindowFiles, QMainWindow):
    """The design editor. The run dashboard plugs in with ``add_dock`` and ``add_run_action``.

    Its files (open, save, recovery, ...) are ``WindowFiles``, in ``window_files.py``.
    """

    document_replaced = Signal()  # after New, Open, Revert, Import, recovery
    find_box: FindBox  # made with the toolbar, after the Find action that uses it

    def __init__(self, settings: QSettings | None = None, recent: RecentFiles | None = None,
                 autosave: Autosave | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.settings = settings or QSettings()
        self.recent = recent or RecentFiles()
        self.autosave = autosave or Autosave()
        self._doc = ProjectDocument(parent=self)
        self._paste_count = 0
        self._run_menu: QMenu | None = None
        self._run_toolbar: QToolBar | None = None
        self.setWindowIcon(app_icon())
        self.setObjectName("mainWindow")
        self.setAcceptDrops(True)
        self.setDockOptions(QMainWindow.DockOption.AnimatedDocks | QMainWindow.DockOption.AllowTabbedDocks)

        self.pane_keeper = PaneKeeper(self)
        self.scene = CanvasScene(self._doc, self)
        self.view = CanvasView(self.scene)
        self.read_only_banner = ReadOnlyBanner()
        self.read_only_banner.save_as_button.clicked.connect(self.save_as)
        self.setCentralWidget(self.read_only_banner.above(self.view))
        self.palette_widget = ComponentPalette()
        self.properties = PropertiesPane(self._doc)
        self.resilience = ResiliencePanel(self._doc)
        self.faults = FaultInjectionPanel(self._doc)
        for pane in (self.properties, self.resilience, self.faults):
            pane.sweep_requested.connect(self.sweep_field)
        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self.palette_dock = self.add_dock("Components", self.palette_widget, Qt.DockWidgetArea.LeftDockWidgetArea,
                                          "paletteDock")
        self.properties_dock = self.add_dock("Properties", self.properties, Qt.DockWidgetArea.RightDockWidgetArea,
                                             "propertiesDock", scroll=True)
        self.resilience_dock = self.add_dock("Resilience", self.resilience, Qt.DockWidgetArea.RightDockWidgetArea,
                                             "resilienceDock", scroll=True)
        self.faults_dock = self.add_dock("Faults", self.faults, Qt.DockWidgetArea.RightDockWidgetArea, "faultsDock",
                                         scroll=True)
        self.history = QUndoView(self._doc.undo_stack)
        self.history.setEmptyLabel("Opened")
        self.history.setToolTip("Every edit since the project was opened; click a step to go back to it.")
        self.history_dock = self.add_dock("History", self.history, Qt.DockWidgetArea.LeftDockWidgetArea, "historyDock")
        self.history_dock.hide()
        self.tabifyDockWidget(self.properties_dock, self.resilience_dock)
        self.tabifyDockWidget(self.resilience_dock, self.faults_dock)
        self.properties_dock.raise_()
        self.resizeDocks([self.palette_dock, self.properties_dock], [170, 360], Qt.Orientation.Horizontal)
        self._build_status_bar()
        self._connect()

        self.autosave_timer = QTimer(self)
        self.autosave_timer.setInterval(AUTOSAVE_INTERVAL_MS)
        self.autosave_timer.timeout.connect(lambda: self.write_autosave(wait=False))
        self._restore_layout()
        self._update_title()
        self._update_designs()

    # -- public surface for the run dashboard and tests ------------------------------
    @property
    def document(self) -> ProjectDocument:
        """The open project: read it, and edit through ``document.edit``."""
        return self._doc

    def add_dock(self, title: str, widget: QWidget, area=Qt.DockWidgetArea.BottomDockWidgetArea,
                 object_name: str | None = None, scroll: bool = False) -> QDockWidget:
        """Dock a pane; it gets a toggle in View > Panels and its place is remembered between starts.

        With ``scroll`` the pane scrolls when its dock is shorter than the pane, so a tall
        pane never makes the window taller than a small screen.
        """
        dock = QDockWidget(title, self)
        dock.setObjectName(object_name or f"{title.lower().replace(' ', '_')}Dock")
        dock.setWidget(scrolling(widget) if scroll else widget)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetClosable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        self.addDockWidget(area, dock)
        self.panels_menu.addAction(dock.toggleViewAction())
        self.pane_keeper.watch(dock)
        if self.settings.contains("window/state") and getattr(self, "_layout_restored", False):
            self.restoreDockWidget(dock)
        return dock

    def add_run_action(self, action: QAction, toolbar: bool = True) -> None:
        """Put an action in the Run menu (created on first use) and, if asked, on the Run toolbar."""
        if self._run_menu is None:
            self._run_menu = QMenu("&Run", self)
            self.menuBar().insertMenu(self.help_menu.menuAction(), self._run_menu)
        self._run_menu.addAction(action)
        if toolbar:
            if self._run_toolbar is None:
                self._run_toolbar = self.addToolBar("Run")
                self._run_toolbar.setObjectName("runToolbar")
            self._run_toolbar.addAction(action)

    @property
    def run_menu(self) -> QMenu | None:
        """The Run menu, once an action was added to it."""
        return self._run_menu

    # -- actions ---------------------------------------------------------------------
    def _action(self, text: str, slot, shortcut=None, icon_name: str | None = None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if icon_name:
            set_themed_icon(action, icon_name)
        if shortcut is not None:
            if isinstance(shortcut, list):
                action.setShortcuts(shortcut)
            else:
                action.setShortcut(shortcut)
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(f"{text.replace('&', '').rstrip('.…')}"
                              + (f" ({action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})"
                                 if not action.shortcut().isEmpty() else "") + f"<br><small>{tip}</small>")
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        K = QKeySequence.StandardKey
        a = self._action
        self.new_action = a("&New Project", self.new_project, K.New, "new", "Start an empty project.")
        self.open_action = a("&Open…", self.open_dialog, K.Open, "open", "Open a .faultline project.")
        self.save_action = a("&Save", self.save, K.Save, "save", "Save the project.")
        self.save_as_action = a("Save &As…", self.save_as, K.SaveAs, None, "Save the project to another file.")
        self.revert_action = a("Re&vert to Saved", self.revert, None, None, "Drop unsaved changes and reload the file.")
        self.import_action = a("&Import JSON…", self.import_dialog, None, None,
                               "Open a design or project exported as JSON.")
        self.export_action = a("&Export Design as JSON…", self.export_dialog, None, None,
                               "Write the current design as JSON, for review and version control.")
        self.export_project_action = a("Export &Project as JSON…", self.export_project_dialog, None, None,
                                       "Write every design of the project as one JSON file.")
        self.quit_action = a("&Quit", self.close, K.Quit, None, "Close Faultline.")
        stack: QUndoStack = self._doc.undo_stack
        self.undo_action = stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcut(K.Undo)
        set_themed_icon(self.undo_action, "undo")
        self.redo_action = stack.createRedoAction(self, "&Redo")
        # Ctrl+Y as well as the platform's own (Ctrl+Shift+Z on Linux): what most editors accept.
        self.redo_action.setShortcuts(_keys_and(K.Redo, "Ctrl+Y"))
        set_themed_icon(self.redo_action, "redo")
        self.addActions([self.undo_action, self.redo_action])
        self.cut_action = a("Cu&t", self.cut, K.Cut, None, "Cut the selected components.")
        self.copy_action = a("&Copy", self.copy, K.Copy, None, "Copy the selected components and the links among them.")
        self.paste_action = a("&Paste", self.paste, K.Paste, None, "Paste components from the clipboard.")
        self.duplicate_action = a("Dupl&icate", self.duplicate, QKeySequence("Ctrl+D"), "duplicate",
                                  "Copy the selected components in place.")
        self.delete_action = a("&Delete", self.delete_selection, [QKeySequence(K.Delete), QKeySequence("Backspace")],
                               "delete", "Delete the selected components and links.")
        # Their keys act on the canvas's selection only while the canvas has the focus: Delete in the
        # faults list or the palette deleted the component selected on the canvas. The menu and
        # toolbar still trigger them wherever the focus is.
        for destructive in (self.cut_action, self.delete_action):
            destructive.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.removeAction(destructive)
            self.view.addAction(destructive)
        self.link_action = a("&Link Selected", self.link_selected, QKeySequence("Ctrl+L"), None,
                             "Link the selected component to what it calls: pick it from a list, or Ctrl+click "
                             "it first.")
        self.select_all_action = a("Select &All", self.select_all, K.SelectAll, None, "Select everything.")
        # Ctrl+= as well: on most layouts "+" takes Shift, so Ctrl++ is Ctrl+Shift+= to the fingers.
        self.zoom_in_action = a("Zoom &In", self.view.zoom_in, _keys_and(K.ZoomIn, "Ctrl+="), "zoom_in",
                                "Enlarge the canvas.")
        self.zoom_out_action = a("Zoom &Out", self.view.zoom_out, K.ZoomOut, "zoom_out", "Shrink the canvas.")
        self.reset_zoom_action = a("&Actual Size", self.view.reset_zoom, QKeySequence("Ctrl+0"), None, "Zoom to 100 %.")
        self.fit_action = a("&Fit to View", self.view.fit, QKeySequence("F"), "fit", "Show the whole design.")
        self.arrange_action = a("A&rrange", self.arrange, QKeySequence("Ctrl+Shift+L"), None,
                                "Lay the design out in call order, callers left, dependencies right.")
        self.fit_selection_action = a("Fit S&election", self.view.fit_selection, QKeySequence("Shift+F"), None,
                                      "Zoom to the selected components.")
        self.find_action = a("Fi&nd Component or Link…", lambda: self.find_box.start(), K.Find, None,
                             "Jump to a component, or a link (caller -> callee), by name.")
        self.next_pane_action = a("Ne&xt Pane", lambda: self.move_to_pane(1), QKeySequence("F6"), None,
                                  "Move the keyboard focus to the next pane.")
        self.previous_pane_action = a("Pre&vious Pane", lambda: self.move_to_pane(-1), QKeySequence("Shift+F6"),
                                      None, "Move the keyboard focus to the previous pane.")
        self.snap_action = a("Snap to &Grid", self._toggle_snap, None, "grid", "Align components to the grid.")
        self.snap_action.setCheckable(True)
        self.snap_action.setChecked(True)
        self.new_design_action = a("&New Design", self.new_design, None, None, "Add an empty design to the project.")
        self.rename_design_action = a("&Rename Design…", self.rename_design, None, None,
                                      "Edit the design's name and notes in Properties.")
        self.delete_design_action = a("&Delete Design", self.delete_design, None, None,
                                      "Remove the current design from the project.")
        self.new_experiment_action = a("New &Experiment", self.faults.new_experiment, None, "experiment",
                                       "Add a chaos experiment to the design.")
        # its pane brought forward, the focus on Add fault: behind Properties nothing showed it was made
        self.new_experiment_action.triggered.connect(lambda: show_pane(self.faults_dock, self.faults.add_button))
        self.sweep_action = a("S&weep Parameters…", lambda: self.open_sweep(), None, None,
                              "Run the design over ranges of its parameters and compare the points.")
        self.suggest_action = a("Su&ggest Fixes…", self.open_suggest, None, None,
                                "Try standard mitigations on the design and rank them by the objectives they meet.")
        self.help_action = a("&Mouse and Keyboard", self.show_help, K.HelpContents, None,
                             "How to draw, link, select, zoom and pan on the canvas.")
        self.about_action = a("&About Faultline", self.about, None, None, "")
        self.theme_group = QActionGroup(self)
        self.theme_actions: dict[str, QAction] = {}
        for name in theme.THEMES:
            action = QAction({"system": "Follow &System", "light": "&Light", "dark": "&Dark"}[name], self)
            action.setCheckable(True)
            action.triggered.connect(lambda _=False, n=name: self.set_theme(n))
            self.theme_group.addAction(action)
            self.theme_actions[name] = action
        self.add_kind_actions: dict[str, QAction] = {}

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addActions([self.new_action, self.open_action])
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        self._add_file_extras(file_menu)
        file_menu.addSeparator()
        file_menu.addActions([self.save_action, self.save_as_action, self.revert_action])
        file_menu.addSeparator()
        file_menu.addActions([self.import_action, self.export_action, self.export_project_action])
        self.import_config_action, self.export_config_action = add_interop_actions(self, file_menu)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        edit_menu = bar.addMenu("&Edit")
        edit_menu.addActions([self.undo_action, self.redo_action])
        edit_menu.addSeparator()
        edit_menu.addActions([self.cut_action, self.copy_action, self.paste_action, self.duplicate_action,
                              self.delete_action])
        edit_menu.addSeparator()
        edit_menu.addActions([self.link_action, self.select_all_action])
        insert_menu = bar.addMenu("&Insert")
        from engine.model import COMPONENT_CLASSES

        for i, (kind, cls) in enumerate(COMPONENT_CLASSES.items(), start=1):
            action = QAction(kind_icon(kind), cls.label, self)
            action.setShortcut(QKeySequence(f"Ctrl+Shift+{i}"))
            noun = cls.label[:1].lower() + cls.label[1:]
            action.setStatusTip(f"Add a new {noun} in the middle of the view. {cls.help}")
            action.triggered.connect(lambda _=False, k=kind: self.view.add_at_centre(k))
            self.addAction(action)
            insert_menu.addAction(action)
            self.add_kind_actions[kind] = action
        view_menu = bar.addMenu("&View")
        view_menu.addActions([self.zoom_in_action, self.zoom_out_action, self.reset_zoom_action, self.fit_action,
                              self.fit_selection_action])
        view_menu.addSeparator()
        view_menu.addActions([self.find_action, self.next_pane_action, self.previous_pane_action])
        view_menu.addSeparator()
        view_menu.addActions([self.arrange_action, self.snap_action])
        theme_menu = view_menu.addMenu("&Theme")
        theme_menu.addActions(list(self.theme_actions.values()))
        self.panels_menu = view_menu.addMenu("&Panels")
        design_menu = bar.addMenu("&Design")
        design_menu.addActions([self.new_design_action, self.rename_design_action, self.delete_design_action])
        design_menu.addSeparator()
        design_menu.addAction(self.new_experiment_action)
        design_menu.addAction(self.sweep_action)
        design_menu.addAction(self.suggest_action)
        self.help_menu = bar.addMenu("&Help")
        self.help_menu.addActions([self.help_action, self.about_action])

    def _build_toolbar(self) -> None:
        tb = self.addToolBar("Main")
        tb.setObjectName("mainToolbar")
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        tb.addActions([self.new_action, self.open_action, self.save_action])
        tb.addSeparator()
        tb.addActions([self.undo_action, self.redo_action, self.duplicate_action, self.delete_action])
        tb.addSeparator()
        tb.addActions([self.zoom_out_action, self.zoom_in_action, self.fit_action, self.snap_action])
        tb.addSeparator()
        tb.addWidget(QLabel(" Design "))
        self.design_combo = QComboBox()
        self.design_combo.setMinimumContentsLength(14)
        self.design_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.design_combo.setToolTip("The design shown on the canvas (a project may hold several).")
        self.design_combo.activated.connect(lambda i: self._doc.set_current_design(self.design_combo.itemData(i)))
        tb.addWidget(self.design_combo)
        tb.addSeparator()
        tb.addAction(self.new_experiment_action)
        tb.addSeparator()
        self.find_box = FindBox(self._doc, self.scene, self.view)
        self.find_box.message.connect(lambda m: self.statusBar().showMessage(m, 5000))
        tb.addWidget(self.find_box)
        self.main_toolbar = tb

    def _build_status_bar(self) -> None:
        status = self.statusBar()
        # A button rather than a label: its menu lists the problems and jumps to each one.
        self.problems_label = QToolButton()
        self.problems_label.setObjectName("problemsBadge")
        self.problems_label.setAutoRaise(True)
        self.problems_label.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.problems_menu = QMenu(self.problems_label)
        self._run_going = False  # told by the run controls: the badge then says so, not "ready"
        self.problems_menu.aboutToShow.connect(self._fill_problems)
        self.problems_label.setMenu(self.problems_menu)
        self.zoom_label = QLabel("100 %")
        self.zoom_label.setToolTip("Zoom: wheel, Ctrl++ / Ctrl+-, F fits the design")
        status.addPermanentWidget(self.problems_label)
        status.addPermanentWidget(self.zoom_label)
        status.showMessage("Drag components from the palette; drag from a component's right-hand dot to link it.", 8000)

    def _connect(self) -> None:
        d = self._doc
        d.modified_changed.connect(self._on_modified)
        d.path_changed.connect(lambda *_: self._update_title())
        d.design_changed.connect(self._on_design_changed)
        d.design_added.connect(lambda *_: self._update_designs())
        d.design_removed.connect(lambda *_: self._update_designs())
        d.design_switched.connect(lambda *_: self._update_designs())
        d.project_replaced.connect(self._update_designs)
        d.edited.connect(self._update_problems)
        d.selection_changed.connect(self._update_edit_actions)
        self.scene.message.connect(lambda m: self.statusBar().showMessage(m, 8000))
        self.scene.target_picked.connect(self._target_picked)
        self.scene.picking_cancelled.connect(self._picking_cancelled)
        self.faults.pick_requested.connect(self._start_picking)
        self.view.zoom_changed.connect(lambda z: self.zoom_label.setText(f"{z * 100:.0f} %"))
        self.view.files_dropped.connect(self._open_dropped)
        self.view.context_menu_requested.connect(self._show_context_menu)
        self.palette_widget.activated_kind.connect(self.view.add_at_centre)
        self._update_edit_actions()
        self._update_problems()

    # -- layout, theme ------------------------------------------------------------------
    def _restore_layout(self) -> None:
        geometry = self.settings.value("window/geometry")
        state = self.settings.value("window/state")
        restored = isinstance(geometry, QByteArray) and self.restoreGeometry(geometry)
        screen = self.screen() or QApplication.primaryScreen()
        if screen is not None:
            # First start: most of the screen, centred. A restored size is kept unless the screen
            # is now smaller (a laptop after a large monitor): it must fit, title bar included.
            rect = fit_to_screen(self.geometry() if restored else None, screen.availableGeometry())
            if not restored or rect != self.geometry():
                self.setGeometry(rect)
        if isinstance(state, QByteArray):
            self.restoreState(state)
        self._layout_restored = True
        snap = self.settings.value("canvas/snap", True)
        self.snap_action.setChecked(snap not in (False, "false", "0"))
        self.scene.snap_to_grid = self.snap_action.isChecked()
        name = str(self.settings.value("window/theme", "system"))
        self.theme_actions.get(name, self.theme_actions["system"]).setChecked(True)

    def save_layout(self) -> None:
        """Remember window geometry, dock layout and canvas options for the next start."""
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.setValue("canvas/snap", self.snap_action.isChecked())
        self.settings.sync()

    def set_theme(self, name: str) -> None:
        """Switch to 'system', 'light' or 'dark' and remember the choice."""
        app = QApplication.instance()
        assert isinstance(app, QApplication)  # a window lives only inside a QApplication
        colours = theme.apply_theme(app, name)
        self.settings.setValue("window/theme", name)
        self.theme_actions[name].setChecked(True)
        self.scene.set_colours(colours)
        retint_icons(self)

    def _toggle_snap(self, on: bool) -> None:
        self.scene.snap_to_grid = on

    # -- title, status -------------------------------------------------------------------
    def _on_modified(self, modified: bool) -> None:
        self.setWindowModified(modified)
        if modified:
            if not self.autosave_timer.isActive():
                self.autosave_timer.start()
        else:
            self.autosave_timer.stop()
            # Undone back to what is saved: a copy left behind would offer the undone edits as
            # unsaved work after a crash.
            self.discard_autosave()

    def _on_design_changed(self, *_args) -> None:
        self._update_designs()
        self._update_title()

    def _update_title(self) -> None:
        path = self._doc.path
        name = path.name if path else self._doc.project.name
        damaged = self._damaged_source if path is None else None
        read_only = path if path is not None and is_read_only(path) else None
        if damaged is not None:
            name = f"{damaged.name} (damaged, read-only)"
        elif read_only is not None:
            name = f"{read_only.name} (read-only)"
        self.read_only_banner.show_for(damaged, self.save_action, read_only)
        self.setWindowTitle(f"{name}[*] — Faultline")
        self.setWindowModified(self._doc.modified)
        self.revert_action.setEnabled(path is not None)

    def _update_designs(self, *_args) -> None:
        self.design_combo.blockSignals(True)
        self.design_combo.clear()
        for d in self._doc.project.designs:
            self.design_combo.addItem(d.name, d.id)
        self.design_combo.setCurrentIndex(self.design_combo.findData(self._doc.design.id))
        self.design_combo.blockSignals(False)
        self.delete_design_action.setEnabled(len(self._doc.project.designs) > 1)

    def set_run_going(self, going: bool) -> None:
        """Say in the status bar whether a run is going (the run controls call this)."""
        self._run_going = going
        self._update_problems()

    def _update_problems(self) -> None:
        problems = self._doc.problems()
        if self._run_going and not problems:
            self.problems_label.setText("▶ running")
            self.problems_label.setToolTip("A run is going: Run > Stop ends it")
        elif problems:
            self.problems_label.setText(f"⚠ {len(problems)} to fix before a run")
            self.problems_label.setToolTip("<br>".join(str(p) for p in problems[:20]))
        else:
            self.problems_label.setText("✓ ready to run" if self._doc.design.components else "")
            self.problems_label.setToolTip("")

    def _fill_problems(self) -> None:
        self.problems_menu.clear()
        for problem in self._doc.problems()[:40]:
            action = self.problems_menu.addAction(str(problem))
            action.setEnabled(problem.subject is not None)
            action.triggered.connect(lambda _=False, p=problem: self.show_problem(p))

    def show_problem(self, problem) -> None:
        """Select what a problem is about: a component or link on the canvas, or a fault in its pane."""
        subject = problem.subject
        if subject is None:
            return
        if self._doc.kind_of(subject) is not None:
            self._doc.set_selection([subject])
            item = self.scene.node_item(subject) or self.scene.link_item(subject)
            if item is not None:
                self.view.centerOn(item)
            self.properties_dock.show()
            self.properties_dock.raise_()
            return
        for experiment in self._doc.design.experiments:
            if any(f.id == subject for f in experiment.faults):
                self._doc.set_current_experiment(experiment.id)
                self.faults.select_fault(subject)
                self.faults_dock.show()
                self.faults_dock.raise_()
                return

    def _update_edit_actions(self, *_args) -> None:
        sel = self._doc.selection
        has_components = any(self._doc.kind_of(i) == "component" for i in sel)
        for action in (self.cut_action, self.copy_action, self.duplicate_action):
            action.setEnabled(has_components)
        self.delete_action.setEnabled(bool(sel))
        self.link_action.setEnabled(sum(1 for i in sel if self._doc.kind_of(i) == "component") in (1, 2))

    # -- edit actions -----------------------------------------------------------------------
    def _focused_text(self) -> QLineEdit | QPlainTextEdit | QTextEdit | None:
        """The text field with the keyboard focus (for a spin box, the line edit it types into), or None."""
        w = QApplication.focusWidget()
        if isinstance(w, QAbstractSpinBox):
            w = w.lineEdit()
        return w if isinstance(w, (QLineEdit, QPlainTextEdit, QTextEdit)) else None

    def _focus_in_text(self) -> bool:
        """Whether the keyboard focus is in a text field, where edit shortcuts belong to the field."""
        return self._focused_text() is not None

    def copy(self) -> None:
        if (field := self._focused_text()) is not None:
            field.copy()
            return
        fragment = self._doc.edit.fragment(self._doc.selection)
        if fragment is None:
            return
        mime = QMimeData()
        text = json.dumps(fragment)
        mime.setData(FRAGMENT_MIME, text.encode())
        mime.setText(text)
        put_on_clipboard(mime)
        self._paste_count = 0
        count = len(fragment["components"])
        self.statusBar().showMessage(f"Copied {count} component{'s' if count != 1 else ''}.", 4000)

    def cut(self) -> None:
        if (field := self._focused_text()) is not None:
            field.cut()
            return
        self.copy()
        ids = [i for i in self._doc.selection if self._doc.kind_of(i) == "component"]
        self._doc.edit.delete(ids)
        self._paste_count = -1  # paste a cut in place

    def paste(self) -> None:
        if (field := self._focused_text()) is not None:
            field.paste()
            return
        mime = QApplication.clipboard().mimeData()
        raw = None
        if mime is not None and mime.hasFormat(FRAGMENT_MIME):
            raw = bytes(mime.data(FRAGMENT_MIME).data()).decode()
        elif mime is not None and mime.hasText():
            raw = mime.text()
        try:
            fragment = json.loads(raw) if raw else None
        except ValueError:
            fragment = None
        if not isinstance(fragment, dict):
            self.statusBar().showMessage("The clipboard holds no Faultline components.", 5000)
            return
        in_place = self._paste_count < 0  # a cut goes back where it was, if that spot is still free
        self._paste_count = 0
        self._paste_beside(fragment, first=0 if in_place else 1)

    def arrange(self) -> None:
        """Lay the design out in call order, then show all of it."""
        self._doc.edit.arrange()
        self.view.fit()

    def duplicate(self) -> None:
        fragment = self._doc.edit.fragment(self._doc.selection)
        if fragment is not None:
            self._paste_beside(fragment, text="Duplicate")

    def _paste_beside(self, fragment: dict, first: int = 1, text: str = "Paste") -> None:
        """Add the fragment's copies at the first offset where they cover no component."""
        occupied = [(c.position.x, c.position.y) for c in self._doc.design.components]
        offset = free_offset(fragment_positions(fragment), occupied, first)
        try:
            self._doc.edit.paste(fragment, offset, text=text)
        except EditRejected as exc:
            self.statusBar().showMessage(str(exc), 6000)

    def delete_selection(self) -> None:
        if self._focus_in_text():
            return
        self._doc.edit.delete(self._doc.selection)

    def link_selected(self) -> QMenu | None:
        """Keyboard route to a link: with the caller selected, Ctrl+L lists what it may call (the
        menu, returned, is open); with the caller and then the callee selected, links them."""
        comps = [i for i in self._doc.selection if self._doc.kind_of(i) == "component"]
        if len(comps) == 1:
            return self._link_menu(comps[0])
        if len(comps) != 2:
            self.statusBar().showMessage("Select the caller (and then, with Ctrl+click, what it calls) to link it.",
                                         6000)
            return None
        self._link(comps[0], comps[1])
        return None

    def _link(self, source, target) -> None:
        _link, reason = self._doc.edit.connect(source, target)
        if reason:
            self.statusBar().showMessage(f"Link refused: {reason}", 8000)

    def _link_menu(self, source) -> QMenu | None:
        """What ``source`` may call, under its node: a keyboard needs no second click to pick it;
        a link that cannot be is listed, off, with why."""
        design = self._doc.design
        choices = [(c, self._doc.edit.link_refusal(source, c.id))
                   for c in sorted(design.components, key=lambda c: c.name.lower()) if c.id != source]
        if not any(reason is None for _c, reason in choices):
            why = choices[0][1] if choices else "there is nothing else in the design to call"
            self.statusBar().showMessage(f"Nothing to link {design.name_of(source)} to: {why}", 8000)
            return None
        menu = QMenu(f"Link {design.name_of(source)} to", self)
        menu.setToolTipsVisible(True)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.addSection(f"{design.name_of(source)} calls…")
        for component, reason in choices:
            action = menu.addAction(component.name)
            action.setEnabled(reason is None)
            action.setToolTip(reason or f"{design.name_of(source)} calls {component.name}")
            action.triggered.connect(lambda _=False, target=component.id: self._link(source, target))
        item = self.scene.node_item(source)
        place = (self.view.viewport().mapToGlobal(self.view.mapFromScene(item.sceneBoundingRect().bottomLeft()))
                 if item is not None else self.view.mapToGlobal(self.view.rect().center()))
        menu.popup(place)
        # the first it may call highlighted: Enter takes it, the arrows go on from there
        menu.setActiveAction(next(a for a in menu.actions() if a.isEnabled() and not a.isSeparator()))
        return menu

    def select_all(self) -> None:
        if (field := self._focused_text()) is not None:
            field.selectAll()
            return
        design = self._doc.design
        self._doc.set_selection([c.id for c in design.components] + [link.id for link in design.links])

    def new_design(self) -> None:
        self._doc.edit.add_design()
        self.properties_dock.raise_()
        self.statusBar().showMessage("New design added: rename it in Properties.", 6000)

    def open_sweep(self, path: str = "") -> None:
        """The sweep window for the current design (with ``path`` to sweep preselected); a design
        with problems is fixed first."""
        from .run.sweep_apply import apply_values
        from .run.sweep_dialog import SweepDialog

        problems = self._doc.design.problems()
        if problems:
            self.statusBar().showMessage(f"Fix the design before sweeping it: {problems[0]}", 8000)
            return
        # the design as it is whenever the dialog asks: it follows edits and the design shown
        dialog = SweepDialog(lambda: self._doc.design, self, path=path,
                             apply=lambda values: self._refusal(apply_values, self._doc, values),
                             changed=(self._doc.edited, self._doc.design_switched))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()

    def sweep_field(self, request: tuple) -> None:
        """A pane's "Sweep This Parameter…": the sweep window with that field's path chosen."""
        from .run.sweep_apply import parameter_path

        try:
            path = parameter_path(self._doc.design, request)
        except ValueError as exc:
            self.statusBar().showMessage(f"Cannot sweep this field: {exc}", 8000)
            return
        self.open_sweep(path)

    def open_suggest(self) -> None:
        """The window that tries standard mitigations on the current design and ranks them."""
        from .run.sweep_apply import apply_design
        from .run.sweep_suggest import SuggestDialog

        problems = self._doc.design.problems()
        if problems:
            self.statusBar().showMessage(f"Fix the design before looking for fixes: {problems[0]}", 8000)
            return
        chosen = self._doc.current_experiment  # the run toolbar's: the outage the user is looking at
        dialog = SuggestDialog(lambda: self._doc.design, self,
                               apply=lambda design, text: self._refusal(apply_design, self._doc, design, text),
                               changed=(self._doc.edited, self._doc.design_switched),
                               experiment=chosen.name if chosen is not None else None)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()

    @staticmethod
    def _refusal(edit, *args) -> str | None:
        """Run an edit of the document; what went wrong, in words, or None."""
        from engine.model import DesignError

        try:
            edit(*args)
        except (DesignError, ValueError) as exc:
            return str(exc)
        return None

    def rename_design(self) -> None:
        self._doc.set_selection([])
        self.properties_dock.show()
        self.properties_dock.raise_()
        # with nothing selected the pane shows the design's form, whose name is a line edit
        form = self.properties.form
        editor = form.editors.get("name") if form is not None else None
        if isinstance(editor, QLineEdit):
            editor.setFocus()
            editor.selectAll()

    def delete_design(self) -> None:
        design = self._doc.design
        answer = QMessageBox.question(self, "Delete design", f'Delete the design "{design.name}" and its experiments?'
                                      " (Undo brings it back.)")
        if answer == QMessageBox.StandardButton.Yes:
            try:
                self._doc.edit.remove_design(design.id)
            except EditRejected as exc:
                self.statusBar().showMessage(str(exc), 6000)

    # -- context menu ------------------------------------------------------------------------
    def context_menu(self, scene_pos) -> QMenu:
        """The canvas menu for what is under ``scene_pos``: policies and faults for a node, faults for a link."""
        from engine.model import COMPONENT_CLASSES, FAULT_CLASSES, POLICY_CLASSES

        menu = QMenu(self)
        menu.setToolTipsVisible(True)
        doc = self._doc
        node = self.scene.node_at(scene_pos)
        link = None
        if node is None:
            link = next((i for i in self.scene.items(scene_pos) if i in self.scene.link_items()), None)
        if node is not None:
            cid = node.component_id
            policies = menu.addMenu(icon("shield"), "Add Resilience Policy")
            for kind, cls in POLICY_CLASSES.items():
                action = policies.addAction(cls.label)
                reason = doc.edit.policy_refusal(cid, kind)
                action.setEnabled(reason is None)
                action.setToolTip(reason or cls.help)
                action.triggered.connect(lambda _=False, k=kind, c=cid: self._add_policy_from_menu(c, k))
            target = node.view.name
        elif link is not None:
            target = doc.link(link.link_id).name
            caller = doc.component_named(doc.link(link.link_id).source)
            policies = menu.addMenu(icon("shield"), "Add Policy on This Call")
            for kind, cls in POLICY_CLASSES.items():
                if cls.inbound:
                    continue
                action = policies.addAction(cls.label)
                # judged on this call, as the policy will guard it: another call's policies do not clash
                reason = (doc.edit.policy_refusal(caller.id, kind, doc.link(link.link_id).target)
                          if caller is not None else "no caller")
                action.setEnabled(reason is None)
                action.setToolTip(reason or cls.help)
                action.triggered.connect(lambda _=False, k=kind, i=link.link_id: self._add_policy_from_menu(i, k))
        else:
            target = None
        if target is not None:
            faults = menu.addMenu(icon("bolt"), "Inject Fault")
            allowed = doc.edit.fault_kinds_for(target)
            for kind, fault_cls in FAULT_CLASSES.items():
                if kind in allowed:
                    action = faults.addAction(fault_cls.label)
                    action.setToolTip(fault_cls.help)
                    action.triggered.connect(lambda _=False, k=kind, t=target: self._add_fault_from_menu(k, t))
            menu.addSeparator()
            if node is not None:
                menu.addActions([self.copy_action, self.duplicate_action])
            menu.addAction(self.delete_action)
        else:
            add = menu.addMenu("Add Component Here")
            drop_at = QPointF(scene_pos)
            add.setToolTipsVisible(True)
            for kind, component_cls in COMPONENT_CLASSES.items():
                action = add.addAction(kind_icon(kind), component_cls.label)
                action.setToolTip(component_cls.help)
                action.triggered.connect(lambda _=False, k=kind, p=drop_at: self.view.drop_component(k, p))
            menu.addActions([self.paste_action, self.select_all_action])
            menu.addSeparator()
            menu.addAction(self.fit_action)
        return menu

    def _show_context_menu(self, scene_pos, where) -> None:
        menu = self.context_menu(scene_pos)
        menu.exec(where)
        menu.deleteLater()

    def _add_policy_from_menu(self, item_id, kind: str) -> None:
        """Add a policy to the component, or (a link) to its caller for the calls along it."""
        self._doc.set_selection([item_id])
        self.resilience.add_policy(kind)
        self.resilience_dock.show()
        self.resilience_dock.raise_()

    def _add_fault_from_menu(self, kind: str, target: str) -> None:
        self.faults.add_fault(kind, target)
        self.faults_dock.show()
        self.faults_dock.raise_()

    # -- fault target picking ----------------------------------------------------------------
    def _start_picking(self) -> None:
        self.scene.picking = True
        self.view.setFocus()
        self.statusBar().showMessage("Click the component or link the fault should hit (Esc cancels).")

    def _picking_cancelled(self) -> None:
        if self.faults.form is not None:
            self.faults.form.target.pick.setChecked(False)

    def _target_picked(self, name: str) -> None:
        self.scene.picking = False
        self.faults.set_picked_target(name)
        self.faults_dock.raise_()
        self.statusBar().showMessage(f"Fault aimed at “{name}”.", 5000)

    def closeEvent(self, event):
        if not self.maybe_save():
            event.ignore()
            return
        self.autosave_timer.stop()
        self.wait_for_autosave()
        self.autosave.close()
        self.save_layout()
        # A sweep or a search for fixes left open would go on working, and could apply to a document
        # that is gone: closed with the window (their search is asked to stop, not waited for).
        for dialog in self.findChildren(QDialog):
            if dialog.isVisible():
                dialog.close()
        event.accept()

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: N802 - Qt's name
        return tab_from_focus(self, next) or super().focusNextPrevChild(next)

    def move_to_pane(self, step: int) -> None:
        region = move_to_pane(self, step)
        if region is not None:
            self.statusBar().showMessage(f"{pane_title(region)} (F6: next pane, Shift+F6: previous)", 4000)

    def show_help(self) -> None:
        show_keyboard_help(self)

    def about(self) -> None:
        from engine.version import __version__

        QMessageBox.about(self, "About Faultline",
                          f"<h3>Faultline {__version__}</h3><p>Draw a distributed system, break it on purpose, "
                          "and watch resilience patterns hold it together.</p>")
