"""A dashboard plot popped out into a window of its own, and put back in its cell when that window closes.

The plot item itself moves, with its curves, its fault shading and its
cursor, so the window keeps following the run as the dashboard draws; the
dashboard's grid closes up around the empty cell as it does for an enlarged
plot.
"""
from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene, QVBoxLayout, QWidget

from .plot_grid import PLOT_TITLES, show_time_axis

WINDOW_SIZE = (760, 440)


class PlotWindow(QWidget):
    """A top-level window holding one of the dashboard's plots; ``closing`` hands the plot back."""

    closing = Signal(str)  # the plot's key

    def __init__(self, key: str, plot: pg.PlotItem, background, parent: QWidget) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.key, self.plot = key, plot
        self.setObjectName(f"plotWindow-{key}")
        self.setWindowTitle(f"{PLOT_TITLES[key]} — Faultline")
        self.canvas = pg.GraphicsLayoutWidget()
        self.canvas.setBackground(background)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.canvas)
        self.canvas.addItem(plot, 0, 0)
        self.resize(*WINDOW_SIZE)

    def closeEvent(self, event) -> None:
        scene = self.canvas.scene()
        self.canvas.ci.removeItem(self.plot)
        if scene is not None:
            forget_scene(self.plot, scene)
        self.closing.emit(self.key)
        super().closeEvent(event)


def forget_scene(item: QGraphicsItem, scene: QGraphicsScene) -> None:
    """Let ``item``'s text labels forget ``scene``, which is about to be deleted.

    A pyqtgraph TextItem (an objective's or a mark's label) keeps the last scene it painted in and
    disconnects from it on its next paint: from a deleted scene, that crashed the next export of the
    dashboard when the plot was scrolled out of sight and had not painted since it came back.
    """
    stack = [item]
    while stack:
        current = stack.pop()
        stack.extend(current.childItems())
        if getattr(current, "_lastScene", None) is scene:
            scene.sigPrepareForPaint.disconnect(current.updateTransform)  # type: ignore[attr-defined]
            current._lastScene = None  # type: ignore[attr-defined]


def pop_out(dashboard, key: str) -> PlotWindow:
    """Move the dashboard's plot ``key`` into its own window (or raise the window it is already in)."""
    window = dashboard.popped.get(key)
    if window is not None:
        window.raise_()
        window.activateWindow()
        return window
    plot = dashboard.plots[key]
    dashboard.popped[key] = None  # away from the grid from now on
    dashboard.enlarge(None if dashboard.enlarged == key else dashboard.enlarged)
    plot.setXLink(None)  # linked by position on screen, a plot in another window would stretch the others
    if plot.scene() is not None:
        plot.scene().removeItem(plot)
    plot.show()
    show_time_axis(plot, True)
    window = PlotWindow(key, plot, dashboard.plots_widget.backgroundBrush().color(), dashboard)
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    window.closing.connect(lambda k: put_back(dashboard, k))
    dashboard.popped[key] = window
    window.show()
    return window


def put_back(dashboard, key: str) -> None:
    """Return a popped-out plot to its cell of the dashboard's grid."""
    dashboard.popped.pop(key, None)
    dashboard.enlarge(dashboard.enlarged)  # lays out every plot not in a window, this one included
