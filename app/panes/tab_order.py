"""A pane's fields in the order they are laid out, for Tab and F6 (app/pane_focus.py).

Qt keeps one tab order for the window, the order widgets were made: a pane's notes made before
its form, a distribution's editors made when it is bound, an objective's card made again on each
edit, were reached after everything below them, or from another pane.
"""
from __future__ import annotations

from PySide6.QtWidgets import QLayout, QScrollArea, QWidget


def in_layout_order(widget: QWidget):
    """``widget`` and the widgets under it (in its layout, in its scroll area), as laid out."""
    yield widget
    inner = widget.widget() if isinstance(widget, QScrollArea) else None
    layout = widget.layout()
    if inner is not None:
        yield from in_layout_order(inner)
    elif layout is not None:
        yield from _layout_items(layout)


def _layout_items(layout: QLayout):
    for i in range(layout.count()):
        item = layout.itemAt(i)
        child = item.widget() if item is not None else None
        nested = item.layout() if item is not None else None
        if child is not None:
            yield from in_layout_order(child)
        elif nested is not None:
            yield from _layout_items(nested)
