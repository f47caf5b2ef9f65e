"""The palette of component kinds: drag one onto the canvas, or double-click (or Enter) to add it."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QMimeData, QSize, Qt, Signal
from PySide6.QtGui import QDrag, QGuiApplication, QPalette
from PySide6.QtWidgets import QAbstractItemView, QListView, QListWidget, QListWidgetItem

from engine.model import COMPONENT_CLASSES

from ..resources import kind_icon, kind_pixmap
from ..theme import unfocused_selection
from .view import KIND_MIME


class ComponentPalette(QListWidget):
    """One entry per component kind, with its icon and a tooltip that says what it models."""

    activated_kind = Signal(str)  # double-click or Enter: add at the centre of the canvas

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("palette")
        self.setViewMode(QListView.ViewMode.ListMode)
        self.setIconSize(QSize(24, 24))
        self.setSpacing(1)
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAccessibleName("Component palette")
        for kind, cls in COMPONENT_CLASSES.items():
            item = QListWidgetItem(kind_icon(kind), cls.label)
            item.setData(Qt.ItemDataRole.UserRole, kind)
            item.setToolTip(f"<b>{cls.label}</b><br>{cls.help}<br>"
                            "<i>Drag onto the canvas, or double-click to add.</i>")
            item.setSizeHint(QSize(150, 32))
            self.addItem(item)
        self.itemActivated.connect(lambda item: self.activated_kind.emit(item.data(Qt.ItemDataRole.UserRole)))
        self._style_selection()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._style_selection()

    def _style_selection(self) -> None:
        # The application's style sheet gives these items padding and round corners, and Qt then
        # paints no selection behind them: the current kind was white text on the light window, and
        # on the dark one looked like any other. A style sheet's palette(highlight) is the focused
        # colour even where the list has no focus, so both are written out. From the application's
        # palette: the widget's own changes while its style sheet is applied, and flipped the sheet
        # between looks with each change it made.
        pal = QGuiApplication.palette()
        unfocused = unfocused_selection(pal.color(QPalette.ColorRole.Window).lightness() < 128)
        focused = (pal.color(QPalette.ColorGroup.Active, QPalette.ColorRole.Highlight),
                   pal.color(QPalette.ColorGroup.Active, QPalette.ColorRole.HighlightedText))
        sheet = "".join(f"QListWidget#palette::item:selected:{state} {{ background: {background.name()}; "
                        f"color: {text.name()}; }}\n"
                        for state, (background, text) in (("active", focused), ("!active", unfocused)))
        if sheet != self.styleSheet():  # setting it changes the style again: once is enough
            self.setStyleSheet(sheet)

    def kind_mime(self, kind: str) -> QMimeData:
        mime = QMimeData()
        mime.setData(KIND_MIME, kind.encode())
        mime.setText(kind)
        return mime

    def startDrag(self, supported_actions) -> None:
        item = self.currentItem()
        if item is None:
            return
        kind = item.data(Qt.ItemDataRole.UserRole)
        drag = QDrag(self)
        drag.setMimeData(self.kind_mime(kind))
        drag.setPixmap(kind_pixmap(kind, 32))
        drag.exec(Qt.DropAction.CopyAction)
