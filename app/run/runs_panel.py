"""The Runs panel: runs kept in the project, reopened without running again, deleted, reported."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMenu,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .saved import RunGroup
from .session import VARIANT_LABELS


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
        self.tree.setHeaderLabels(["Run", "Kept"])
        self.tree.setRootIsDecorated(False)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.itemDoubleClicked.connect(lambda *_: self._emit(self.open_requested))
        self.tree.itemSelectionChanged.connect(self._update_buttons)
        self.tree.setColumnWidth(0, 220)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._context_menu)
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
        for group in self.groups:
            variants = ", ".join(VARIANT_LABELS.get(v, v) for v in group.variants)
            item = QTreeWidgetItem([group.short_label, group.created.astimezone().strftime("%d %b %H:%M")])
            item.setData(0, Qt.ItemDataRole.UserRole, group.id)
            item.setToolTip(0, f"{group.label}\n{variants}")
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

    def _context_menu(self, pos) -> None:
        item = self.tree.itemAt(pos)
        if item is None:
            return
        self.tree.setCurrentItem(item)
        menu = QMenu(self)
        menu.addAction("Open", lambda: self._emit(self.open_requested))
        menu.addAction("Rename…", self._ask_rename)
        menu.addAction("Report…", lambda: self._emit(self.report_requested))
        menu.addSeparator()
        menu.addAction("Delete", lambda: self._emit(self.delete_requested))
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
