"""The Runs panel: runs kept in the project, reopened without running again, deleted, reported.

Each kept run says its verdict and, where it was kept after another run of the same design, the
settings it ran with that the other had not: two runs of one experiment and seed, kept before
and after a change, otherwise read the same to the minute.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QPoint, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMenu,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engine.explore import ParameterSpace, format_value
from engine.model import Design

from .saved import DESIGN_KEY, RunGroup
from .session import VARIANT_LABELS
from .verdicts import SYMBOLS, headline

COLUMNS = ("Run", "Verdict", "Kept")
VERDICT_COLUMN = COLUMNS.index("Verdict")
KEPT_COLUMN = COLUMNS.index("Kept")
SHOWN_CHANGES = 1  # settings named after a repeated label; all of them in its tooltip


class RunsPanel(QWidget):
    """Lists saved run groups; the buttons act on the selected one."""

    open_requested = Signal(object)  # RunGroup
    delete_requested = Signal(object)
    report_requested = Signal(object)
    save_without_runs_requested = Signal()
    rename_requested = Signal(object, str)  # RunGroup, new label

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.groups: list[RunGroup] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(list(COLUMNS))
        self.tree.setRootIsDecorated(False)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        # Activated: double-clicked, or Enter pressed on it (double-clicks alone left the keyboard out).
        self.tree.itemActivated.connect(lambda *_: self._emit(self.open_requested))
        self.tree.itemSelectionChanged.connect(self._update_buttons)
        # The name takes the room the verdict and the time leave, cut in the middle: a sideways
        # scroll bar took the height of the one row a 1280x720 window leaves the panel, and cut it.
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (VERDICT_COLUMN, KEPT_COLUMN):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Cut in the middle: two runs of one experiment differ at the end of their names, where a
        # narrow dock cut them to the same words.
        self.tree.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        # What each kept run says, worked out once a run: kept runs do not change, and the list is
        # filled again on every change of the project's runs.
        self._said: dict[tuple[str, ...], tuple[tuple[str, str] | None, dict[str, Any] | None]] = {}
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._context_menu)
        # Rename was in the context menu alone, which many keyboards have no key for: F2 renames,
        # and Delete deletes, as in a file manager (without asking: Edit > Undo brings it back).
        self.tree.installEventFilter(self)
        layout.addWidget(self.tree, 1)
        # In the list's place while it is empty, so the panel never needs the height of both.
        self.empty_label = QLabel("No runs kept yet. After a run, press “Keep run” to save it with the project.")
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        # The theme's quieter colour: a fixed grey read at 3.6:1 on the dark theme's background.
        self.empty_label.setProperty("secondary", True)
        layout.addWidget(self.empty_label, 1)
        buttons = QHBoxLayout()
        self.open_button = QPushButton("Open")
        self.open_button.setToolTip("Show this run's plots and log (no simulation)")
        self.open_button.clicked.connect(lambda: self._emit(self.open_requested))
        self.report_button = QPushButton("Report…")
        self.report_button.clicked.connect(lambda: self._emit(self.report_requested))
        self.delete_button = QPushButton("Delete")
        self.delete_button.setToolTip("Delete this run from the project (Edit > Undo brings it back)")
        self.delete_button.clicked.connect(lambda: self._emit(self.delete_requested))
        for b in (self.open_button, self.report_button, self.delete_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        slim = QHBoxLayout()
        self.slim_button = QPushButton("Save a copy without runs…")
        self.slim_button.setToolTip("Save a copy of the project without kept runs: a small file to send")
        self.slim_button.clicked.connect(self.save_without_runs_requested)
        slim.addWidget(self.slim_button)
        slim.addStretch(1)
        layout.addLayout(slim)
        self.set_groups([])

    def set_groups(self, groups: list[RunGroup]) -> None:
        selected = self.selected()
        self.groups = list(groups)
        self.tree.clear()
        names = self._names()
        for group in self.groups:
            variants = ", ".join(VARIANT_LABELS.get(v, v) for v in group.variants)
            name, changes = names[group.id]
            verdict, _settings = self._facts(group)
            item = QTreeWidgetItem([name, verdict[0] if verdict else "",
                                    group.created.astimezone().strftime("%d %b %H:%M")])
            item.setData(0, Qt.ItemDataRole.UserRole, group.id)
            item.setToolTip(0, "\n".join([group.label, variants, *changes]))
            if verdict:
                item.setToolTip(VERDICT_COLUMN, verdict[1])
            item.setToolTip(KEPT_COLUMN, group.created.astimezone().strftime("%d %b %Y %H:%M:%S"))
            self.tree.addTopLevelItem(item)
            if selected is not None and group.id == selected.id:
                item.setSelected(True)
        self.tree.setVisible(bool(self.groups))
        self.empty_label.setVisible(not self.groups)
        if self.groups:
            # At least its header and one run: after a run on a 1280x720 screen the dashboard
            # leaves the panes beside the canvas about 100 px, and the buttons must stay whole.
            self.tree.setMinimumHeight(self.tree.header().sizeHint().height() + self.tree.sizeHintForRow(0)
                                       + 2 * self.tree.frameWidth())
        self._update_buttons()

    def _facts(self, group: RunGroup) -> tuple[tuple[str, str] | None, dict[str, Any] | None]:
        """The group's verdict (a mark and word, the banner's sentence) and the settings of the
        design it ran with, by parameter path (None where it was kept without its design)."""
        key = (group.id, *(str(r.id) for r in group.runs))
        if key not in self._said:
            self._said[key] = (_verdict(group), _settings(group))
        return self._said[key]

    def _names(self) -> dict[str, tuple[str, list[str]]]:
        """Each group's name in the list and the lines its tooltip adds: a label already taken by an
        earlier kept run gets the first setting that differs from that run (or its number)."""
        out: dict[str, tuple[str, list[str]]] = {}
        earlier: dict[tuple[str, str], list[RunGroup]] = {}
        for group in reversed(self.groups):  # oldest first: the groups come newest first
            before = earlier.setdefault((str(group.design_id), group.short_label), [])
            name, lines = group.short_label, []
            if before:
                changes = _changes(self._facts(before[-1])[1], self._facts(group)[1])
                if changes:
                    more = f" (+{len(changes) - SHOWN_CHANGES} more)" if len(changes) > SHOWN_CHANGES else ""
                    name += " · " + ", ".join(changes[:SHOWN_CHANGES]) + more
                    kept = before[-1].created.astimezone().strftime("%H:%M:%S")
                    lines = [f"Changed since the run of this name kept at {kept}:", *changes]
                else:
                    name += f" ({len(before) + 1})"
            before.append(group)
            out[group.id] = (name, lines)
        return out

    def select(self, group_id: str) -> None:
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            if item is not None:  # always, for i in range
                item.setSelected(item.data(0, Qt.ItemDataRole.UserRole) == group_id)

    def selected(self) -> RunGroup | None:
        items = self.tree.selectedItems()
        if not items:
            return None
        key = items[0].data(0, Qt.ItemDataRole.UserRole)
        return next((g for g in self.groups if g.id == key), None)

    def eventFilter(self, watched, event) -> bool:
        if watched is self.tree and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                and event.modifiers() == Qt.KeyboardModifier.NoModifier and self.selected() is not None:
            if event.key() == Qt.Key.Key_F2:
                self._ask_rename()
                return True
            if event.key() == Qt.Key.Key_Delete:
                self._emit(self.delete_requested)
                return True
        return super().eventFilter(watched, event)

    def _context_menu(self, pos: QPoint) -> None:
        item = self.tree.itemAt(pos)
        if item is None:
            return
        self.tree.setCurrentItem(item)
        menu = QMenu(self)
        menu.addAction("Open", lambda: self._emit(self.open_requested))
        menu.addAction("Rename…\tF2", self._ask_rename)
        menu.addAction("Report…", lambda: self._emit(self.report_requested))
        menu.addSeparator()
        menu.addAction("Delete\tDel", lambda: self._emit(self.delete_requested))
        menu.exec(self.tree.viewport().mapToGlobal(pos))

    def _ask_rename(self) -> None:
        group = self.selected()
        if group is None:
            return
        label, ok = QInputDialog.getText(self, "Rename kept run", "Name", text=group.label)
        if ok and label.strip():
            self.rename_requested.emit(group, label.strip())

    def _emit(self, signal) -> None:
        group = self.selected()
        if group is not None:
            signal.emit(group)

    def _update_buttons(self) -> None:
        on = self.selected() is not None
        for b in (self.open_button, self.report_button, self.delete_button):
            b.setEnabled(on)


def _verdict(group: RunGroup) -> tuple[str, str] | None:
    """A kept run's verdict as its banner gives it: a mark and a word, and the whole headline."""
    try:
        head = headline(group.session())
    except (KeyError, ValueError, TypeError):
        return None  # a run kept by an older version, or mangled: the list still shows it
    if head is None:
        return None
    return f"{SYMBOLS[head.state]} {head.state}", head.text


def _settings(group: RunGroup) -> dict[str, Any] | None:
    data = group.runs[0].data.get("meta", {}).get(DESIGN_KEY)
    if not isinstance(data, dict):
        return None
    try:
        design = Design.model_validate(data)
    except ValueError:  # pydantic's ValidationError is one
        return None
    return {p.path: p.value for p in ParameterSpace(design).parameters}


def _changes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[str]:
    """The settings ``after`` ran with that ``before`` had not, as paths and values; a policy or part
    added or removed by its path alone."""
    if before is None or after is None:
        return []
    changed = [f"{path}={format_value(value)} (was {format_value(before[path])})" for path, value in after.items()
               if path in before and before[path] != value]
    return changed + [f"added {p}" for p in _owners(after.keys() - before.keys())] + \
        [f"removed {p}" for p in _owners(before.keys() - after.keys())]


def _owners(paths) -> list[str]:
    """The parts the parameter ``paths`` belong to, outermost only: a policy added brings a path
    per setting ("api->db.retry.max_attempts", "api->db.retry.budget.budget_percent", ...)."""
    owners = sorted({path.rsplit(".", 1)[0] for path in paths})
    return [o for o in owners if not any(o.startswith(f"{other}.") for other in owners)]
