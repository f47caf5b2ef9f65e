"""F6 and Shift+F6: the keyboard moves between the window's panes, not through every field.

Tab walks a pane's fields in order, but from the canvas it reaches the Properties fields only
after the toolbars' two dozen controls; desktop tools let F6 jump from region to region (the
canvas and each pane in view, row by row as a reader meets them), and so does this window.
"""
from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow, QScrollArea, QWidget

from .panes.tab_order import in_layout_order


def panes(window: QMainWindow) -> list[QWidget]:
    """The regions F6 visits: the central widget and every dock on screen (of a tabbed group,
    the one in front), in reading order."""
    central = window.centralWidget()
    regions: list[QWidget] = [central] if central is not None else []
    regions += [d for d in window.findChildren(QDockWidget) if d.isVisible() and not d.visibleRegion().isEmpty()]

    def place(region: QWidget) -> tuple[int, int]:
        corner = region.mapTo(window, QPoint(0, 0))
        return corner.y(), corner.x()

    return sorted(regions, key=place)


def first_field(region: QWidget) -> QWidget | None:
    """The first control laid out in ``region`` that takes the focus: a field before the scroll
    area that holds it (Properties is a scroll area of fields), the region itself last."""
    if region.focusPolicy() & Qt.FocusPolicy.TabFocus and region.isEnabled():
        return region
    inside = region.widget() if isinstance(region, QDockWidget) else region
    laid_out = list(in_layout_order(inside)) if inside is not None else []
    takers = [w for w in laid_out if w.isVisible() and w.isEnabled() and w.focusPolicy() & Qt.FocusPolicy.TabFocus]
    return next((w for w in takers if not isinstance(w, QScrollArea)), takers[0] if takers else None)


def region_of(window: QMainWindow, widget: QWidget | None) -> QWidget | None:
    """The pane (or the central widget) ``widget`` is in."""
    regions = panes(window)
    while widget is not None and widget is not window:
        if widget in regions:
            return widget
        widget = widget.parentWidget()
    return None


def move_to_pane(window: QMainWindow, step: int) -> QWidget | None:
    """Give the focus to the next (``step`` 1) or previous (-1) pane's first control; the pane it
    went to, or None when no pane takes the focus."""
    regions = panes(window)
    if not regions:
        return None
    here = region_of(window, window.focusWidget())
    start = regions.index(here) if here in regions else (-1 if step > 0 else 0)
    for turn in range(1, len(regions) + 1):
        region = regions[(start + step * turn) % len(regions)]
        target = first_field(region)
        if target is not None:
            target.setFocus(Qt.FocusReason.TabFocusReason if step > 0 else Qt.FocusReason.BacktabFocusReason)
            return region
    return None


def pane_title(region: QWidget) -> str:
    """What the status bar calls ``region``."""
    return region.windowTitle() if isinstance(region, QDockWidget) else "Canvas"
