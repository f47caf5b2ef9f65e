"""Help > Mouse and Keyboard: how to draw, link, select, zoom, pan and move between panes."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

HELP_ROWS = (
    ("Add a component", "Drag it from the Components palette, double-click it (or press Enter on it) "
                        "there, or Insert > kind (Ctrl+Shift+1…7): each goes to the right of the one "
                        "added before it"),
    ("Link two components", "Drag from the dot on a component's right edge to the component it calls, or "
                            "select the caller and press Ctrl+L to pick what it calls (or Ctrl+click the "
                            "callee first); a link that cannot "
                            "exist is refused with the reason. Drag a selected link's arrow head to "
                            "another component to relink it"),
    ("Select", "Click; Ctrl+click adds; drag on empty canvas for a rubber band; Ctrl+A selects all; Ctrl+F "
               "finds a component or a link by name; Esc on the canvas selects nothing"),
    ("Move", "Drag (one undo step per drag); arrow keys nudge by a grid step, Shift+arrow by five; "
             "View > Arrange lays everything out in call order"),
    ("Zoom", "Mouse wheel, Ctrl++ and Ctrl+-; F fits the design, Shift+F the selection; Ctrl+0 is 100 %"),
    ("Find", "Ctrl+F, type part of a component's name, or of a link's as caller -> callee (\"web -> db\", "
             "\"web db\", \"-> db\" for the one link into db), Enter: it is selected and centred"),
    ("Move between panes", "F6 goes to the next pane (the canvas, Properties, the dashboard…), Shift+F6 "
                           "back; Tab walks the whole window as it reads, row by row, each pane's fields in "
                           "order and a pane tabbed behind another brought forward. View > Panels brings "
                           "a pane to the front"),
    ("Pan", "Middle-button drag, or hold Space and drag; arrow keys when nothing is selected"),
    ("Policies and faults", "Right-click a component or link (or select it and press the menu key or "
                            "Shift+F10), or use the Resilience and Faults panes; Pick in a fault's form aims "
                            "it by clicking the canvas"),
    ("Kept runs", "In the Runs pane: Enter opens the selected run, F2 renames it, Delete deletes it"),
    ("Edit parameters", "Select one component or link; Properties shows its fields with units. Enter or "
                        "leaving a field applies it; Up and Down step numbers; Esc restores"),
)


def show_keyboard_help(parent: QWidget) -> None:
    rows = "".join(f"<tr><td style='padding:3px 12px 3px 0'><b>{what}</b></td><td>{how}</td></tr>"
                   for what, how in HELP_ROWS)
    box = QMessageBox(parent)
    box.setWindowTitle("Mouse and keyboard")
    box.setTextFormat(Qt.TextFormat.RichText)
    box.setText(f"<table>{rows}</table>")
    box.open()
