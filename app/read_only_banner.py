"""The strip above the canvas that says the project cannot be saved to the file it came from.

That file is damaged (the project is what could be read of it) or marked read-only. Such a
project can be edited, but saving over its file is refused, so Save asks for a new one. The
strip says so on opening, not at the first Save, and offers Save As at once.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget


class ReadOnlyBanner(QFrame):
    """Shown while the project came from a damaged or read-only file and has not been saved elsewhere yet."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("readOnlyBanner")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        self.label = QLabel()
        self.label.setObjectName("readOnlyText")
        self.label.setWordWrap(True)
        self.save_as_button = QPushButton("Save As…")
        self.save_as_button.setToolTip("Keep the project in a new file; the one it came from stays as it is")
        layout.addWidget(self.label, 1)
        layout.addWidget(self.save_as_button)
        self.hide()

    def above(self, widget: QWidget) -> QWidget:
        """This strip above ``widget`` (the canvas), as one widget."""
        column_widget = QWidget()
        column = QVBoxLayout(column_widget)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self)
        column.addWidget(widget)
        return column_widget

    def show_for(self, damaged: Path | None, save_action: QAction | None = None, read_only: Path | None = None) -> None:
        """Say that the project was read from ``damaged``, or from the ``read_only`` file (both
        None: hide), and what Save will do."""
        if save_action is not None:
            tip = ("Read from a damaged file: Save asks for a new file." if damaged is not None else
                   "The file is marked read-only: Save asks for a new file." if read_only is not None else
                   "Save the project.")
            if save_action.statusTip() != tip:
                save_action.setStatusTip(tip)
                shortcut = save_action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
                save_action.setToolTip(f"Save ({shortcut})<br><small>{tip}</small>")
        if damaged is None and read_only is None:
            self.hide()
            return
        what = (f"what could be read of the damaged file {damaged.name}" if damaged is not None else
                f"{read_only.name} is marked read-only" if read_only is not None else "")
        self.label.setText(f"Read-only: {what}. You can edit it, but it is saved only to a new file (Save asks where).")
        self.show()
