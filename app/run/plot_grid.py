"""The dashboard's six plots: how they are laid out, labelled, enlarged and fitted to their data."""
from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtGui import QAction, QFontMetricsF
from PySide6.QtWidgets import QGraphicsItem

from .plot_style import AXIS_TOP_STEPS, clip_title, nice_ceiling
from .plot_style import set_title as _set_title

FITTED_Y = ("throughput", "latency", "queue")  # y axes fitted to the data (the others are 0-100 %)
Y_HEADROOM = 1.08  # room above the highest value
SHRINK_BELOW = 0.4  # a y axis shrinks when the data use less than this share of it
PLOT_GRID_SPACING = 6  # between rows and columns of plots, and above the burn plot
PLOT_ROW_MIN_HEIGHT = 80  # a row of plots: title, two ticks and the time axis stay readable
# Every plot's, the breaker strip's (its rows' names) too: the plots of a column share their left
# edge, so a time reads at the same x down the column.
LEFT_AXIS_WIDTH = 52
PLOTS = ("throughput", "errors", "latency", "utilisation", "queue", "breakers")
PLOT_TITLES = {
    "throughput": "Throughput",
    "errors": "Error rate by outcome",
    "latency": "Latency p99, p50 pale",
    "utilisation": "Utilisation",
    "queue": "Queue length",
    "breakers": "Circuit breakers",
}
# Left-axis units; pyqtgraph scales "s" and "/s" to ms or k/s as the range asks.
PLOT_UNITS = {"throughput": "/s", "errors": "%", "latency": "s", "utilisation": "%", "queue": "", "breakers": ""}
# Two rows of three: the dashboard sits in a wide, short dock.
PLOT_POSITIONS = {"throughput": (0, 0), "errors": (0, 1), "latency": (0, 2), "utilisation": (1, 0),
                  "queue": (1, 1), "breakers": (1, 2)}


AXIS_CACHE = QGraphicsItem.CacheMode.DeviceCoordinateCache


class ValueAxis(pg.AxisItem):
    """A y axis whose values never overlap: pyqtgraph labels its coarsest ticks whatever the room,
    and a plot row at its floor height (a 27 px axis) got six values in the room of two."""

    def tickSpacing(self, minVal, maxVal, size):
        levels = super().tickSpacing(minVal, maxVal, size)
        if self.logMode or not levels or not size > 0 or not maxVal > minVal:
            return levels
        # A value's height as pyqtgraph measures it; each value is centred on its tick.
        line = 0.8 * QFontMetricsF(self.style["tickFont"] or self.font()).height()
        least = (maxVal - minVal) / max(1, int(size // line))
        if levels[0][0] >= least:
            return levels
        return [(nice_ceiling(least), 0)]


def build_plots(widget: pg.GraphicsLayoutWidget) -> dict[str, pg.PlotItem]:
    """The six plots in ``widget``: titles, axes with units, shared time axis, fixed or fitted ranges."""
    plots: dict[str, pg.PlotItem] = {}
    for key in PLOTS:
        row, col = PLOT_POSITIONS[key]
        plot = widget.addPlot(row=row, col=col, axisItems={"left": ValueAxis("left")})
        clip_title(plot)
        _set_title(plot, PLOT_TITLES[key])
        # No grid: pyqtgraph draws grid lines as full-length axis ticks, which cost more to paint
        # than every curve together; the crosshair and its readout give exact values instead.
        plot.setClipToView(True)
        plot.setDownsampling(auto=True, mode="peak")
        left = plot.getAxis("left")
        left.setWidth(LEFT_AXIS_WIDTH)
        if PLOT_UNITS[key]:
            left.setLabel(units=PLOT_UNITS[key])
            left.enableAutoSIPrefix(PLOT_UNITS[key] != "%")
        for axis in (left, plot.getAxis("bottom")):
            # Labels only where they fit: a short plot shows fewer ticks rather than overlapping ones.
            axis.setStyle(textFillLimits=[(0, 0.7), (2, 0.4)], autoExpandTextSpace=False)
            # An axis reaches a few pixels into its plot's view, so each redraw of the curves painted
            # it again, labels and all (about 0.15 ms an axis, 0.8 ms a row of plots): on screen it is
            # painted once into a pixmap and copied, until its range or style changes.
            axis.setCacheMode(AXIS_CACHE)
        plot.getAxis("bottom").setLabel("simulated time", units="s")
        # Seconds throughout, never "ks": and a prefix re-sized the axis with every change of the
        # time range, which while the bottom row is hidden (a run's first paint) left it no height,
        # its label on its values.
        plot.getAxis("bottom").enableAutoSIPrefix(False)
        show_time_axis(plot, row == 1)
        if key != "throughput":
            plot.setXLink(plots["throughput"])
        # A plot hidden for a moment (see Dashboard.show_session) keeps its cell: the others must
        # not grow into it and back, since every resize redraws every axis.
        policy = plot.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        plot.setSizePolicy(policy)
        plots[key] = plot
    grid = widget.ci.layout
    # No margin: Qt's 9 px around the grid cost a plot row a tenth of its height in a short dock,
    # and the plots' axes keep them off the widget's edges.
    widget.ci.setContentsMargins(0, 0, 0, 0)
    grid.setSpacing(PLOT_GRID_SPACING)
    for col in range(3):
        grid.setColumnStretchFactor(col, 1)
    for row in range(2):
        grid.setRowStretchFactor(row, 1)
        # A row keeps a readable height: the dashboard scrolls rather than squeezing it flat.
        grid.setRowMinimumHeight(row, PLOT_ROW_MIN_HEIGHT)
    plots["errors"].setYRange(0, 100)
    plots["utilisation"].setYRange(0, 105)
    plots["utilisation"].enableAutoRange(axis="y", enable=False)
    for key in FITTED_Y:
        # Fitted by fitted_top in steps rather than by pyqtgraph on every setData.
        plots[key].enableAutoRange(axis="y", enable=False)
        plots[key].setYRange(0, 1, padding=0)
    plots["breakers"].setMouseEnabled(y=False)
    return plots


# ``...``: callers bind the plot's key as a lambda's default argument, which mypy reads as a parameter.
def add_plot_menu(plot: pg.PlotItem, toggle: Callable[..., object], export: Callable[..., object],
                  enlarged: Callable[..., bool], pop_out: Callable[..., object]) -> None:
    """Enlarge, open-in-a-window and export entries at the top of the plot's right-click menu."""
    menu = plot.vb.menu
    first = menu.actions()[0] if menu.actions() else None
    enlarge = QAction("Enlarge This Plot (double-click)", menu)
    enlarge.triggered.connect(toggle)
    window = QAction("Open This Plot in a Window", menu)
    window.triggered.connect(pop_out)
    menu.aboutToShow.connect(lambda: enlarge.setText("Show All Plots (double-click)" if enlarged()
                                                     else "Enlarge This Plot (double-click)"))
    png = QAction("Export This Plot as PNG…", menu)
    png.triggered.connect(lambda: export("png"))
    svg = QAction("Export This Plot as SVG…", menu)
    svg.triggered.connect(lambda: export("svg"))
    menu.insertActions(first, [enlarge, window, png, svg])
    menu.insertSeparator(first)


def enlarge_plot(plots: dict[str, pg.PlotItem], grid, key: str | None, away=frozenset()) -> None:
    """Give the plot ``key`` the whole grid, or (None) put all six back in their cells.

    Plots named in ``away`` are in windows of their own: they leave the grid
    and are neither shown nor linked here.
    """
    here = {name: plot for name, plot in plots.items() if name not in away}
    anchor = here.get("throughput") or next(iter(here.values()), None)
    in_grid = [grid.itemAt(i) for i in range(grid.count())]
    # Out of the grid, not just hidden: a hidden plot would keep its row and column.
    for plot in plots.values():
        if any(item is plot for item in in_grid):
            grid.removeItem(plot)
    if anchor is None:
        return
    x_range = anchor.vb.viewRange()[0]
    shown = [plot for plot in here.values() if plot.isVisible()]
    if len(shown) == 1:
        x_range = shown[0].vb.viewRange()[0]  # carry the enlarged plot's zoom back to the others
    # Linked plots share a range by their position on screen: with one plot alone at full width
    # the link would stretch its range. Unlinked while enlarged, relinked after.
    for plot in here.values():
        if plot is not anchor:
            plot.setXLink(None if key else anchor)
    for name, plot in here.items():
        visible = key is None or name == key
        plot.setVisible(visible)
        show_time_axis(plot, key is not None or PLOT_POSITIONS[name][0] == 1)
        if key is None:
            grid.addItem(plot, *PLOT_POSITIONS[name])
        elif visible:
            grid.addItem(plot, 0, 0, 2, 3)
    grid.activate()
    enlarged = here.get(key) if key is not None else None
    (enlarged or anchor).setXRange(*x_range, padding=0)


def fitted_top(plot: pg.PlotItem, series: list[np.ndarray], marks: Sequence[float] = (),
               final: bool = False) -> float | None:
    """The top a y axis should move to, or None to keep it: while a run streams it grows in nice
    steps, and shrinks only when the data fall well below its top; ``final`` (the run is over, no
    frame will move it again) it fits the data as they stand.

    ``marks`` are values drawn as lines across the plot (objective thresholds), kept in view with
    the data: a threshold above the curves shows before a spike reaches it.

    An axis whose range changes with every frame redraws its labels with every frame, which
    costs a third of a repaint; in steps it changes a few times a run. Kept at the end, a top
    reached early (a peak since gone from the plot with the components it belonged to, or a step
    taken for data that later settled) left the curves in the lower half of their plot.
    """
    peaks = [np.nanmax(values) for values in series if values.size and np.isfinite(values).any()]
    peak = max([*peaks, *marks], default=0.0)
    top = plot.vb.viewRange()[1][1]
    fitted = nice_ceiling(peak * Y_HEADROOM, AXIS_TOP_STEPS)
    if final:
        return fitted if peak > 0 and not math.isclose(fitted, top) else None
    if peak > top or (peak > 0 and peak < SHRINK_BELOW * top):
        return fitted
    return None


def fit_log_y(plot: pg.PlotItem, series: list[np.ndarray], marks: Sequence[float] = ()) -> None:
    """Fit a logarithmic y axis (log10 of the values) to whole decades holding the positive values
    of ``series`` and ``marks``.

    pyqtgraph's own fit of a log axis counts each line across it as y = 0, 1 on the axis: it
    always reached 1, and a mark above 1 could be out of view. Whole decades change a few times a
    run, like fitted_top's steps.
    """
    lows, highs = [m for m in marks if m > 0], [m for m in marks if m > 0]
    for values in series:
        positive = values[values > 0] if values.size else values  # NaN compares false: left out too
        if positive.size:
            lows.append(float(positive.min()))
            highs.append(float(positive.max()))
    if not lows:
        return
    bottom = math.floor(math.log10(min(lows)))
    top = max(math.ceil(math.log10(max(highs) * Y_HEADROOM)), bottom + 1)
    if plot.vb.viewRange()[1] != [bottom, top]:
        plot.setYRange(bottom, top, padding=0)


@contextmanager
def painted_directly(scene) -> Iterator[None]:
    """For a picture, items kept as on-screen pixmaps (the axes) paint their lines and text afresh:
    an SVG keeps them as text and lines, a PNG at print resolution keeps them sharp."""
    cached = [(item, item.cacheMode()) for item in scene.items()
              if item.cacheMode() != QGraphicsItem.CacheMode.NoCache]
    for item, _mode in cached:
        item.setCacheMode(QGraphicsItem.CacheMode.NoCache)
    try:
        yield
    finally:
        for item, mode in cached:
            item.setCacheMode(mode)


def show_time_axis(plot: pg.PlotItem, labelled: bool) -> None:
    """Time values and label under the bottom row only: the top row shares its time axis, and
    six labelled axes cost room and a third of a full repaint."""
    axis = plot.getAxis("bottom")
    axis.showLabel(labelled)
    axis.setStyle(showValues=labelled)
    left = plot.getAxis("left")
    if left.isVisible() and left.fixedWidth and left.width() != left.fixedWidth:
        # Likewise a y axis whose width was worked out while its plot was hidden (a run's first
        # paint holds the bottom row back) kept no width: the queue plot showed no values.
        left.setWidth(left.fixedWidth)


# The events that read where the plots are: a paint, and the pointer's. Any other (a show, a
# window activation, an update posted for later) laid the plots out for a size the layouts were
# about to change again, at a run's start once for each thing the run showed.
PLACED_EVENTS = frozenset((
    QEvent.Type.Paint, QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease,
    QEvent.Type.MouseButtonDblClick, QEvent.Type.MouseMove, QEvent.Type.Wheel, QEvent.Type.Enter,
    QEvent.Type.HoverEnter, QEvent.Type.HoverMove, QEvent.Type.ContextMenu, QEvent.Type.ToolTip,
    QEvent.Type.DragEnter, QEvent.Type.DragMove, QEvent.Type.Drop))


SETTLE_ROUNDS = 3  # a layout asks for one more at most (a run's start, measured)


class PlotsView(pg.GraphicsLayoutWidget):
    """The plots' widget, laying its plots out once per paint however often it was resized before,
    and its grid for the size it will have (held from painting, only when ``settle`` is called).

    Starting a run shows the plots, the table beside them, the banner above and the burn plot under
    them, and grows the dock: each of those would lay out every plot and axis again at once.
    """

    def __init__(self, *args, **kwargs):
        self._layout_pending = False
        super().__init__(*args, **kwargs)
        # The grid's own layout requests (a plot added, a title's height changed): for the present size.
        self.ci.installEventFilter(self)

    def resizeEvent(self, ev):
        self._layout_pending = True
        self.update()

    def eventFilter(self, watched, event):
        if watched is self.ci and event.type() == QEvent.Type.LayoutRequest:
            self._layout_pending = True
            if self.isVisible() and self.updatesEnabled():
                # Now, for the present size, not inside the coming paint: moved there, the plots'
                # new places asked the scene for another whole paint, two or three in one tick.
                self._lay_out_grid()
            return True
        return super().eventFilter(watched, event)

    @property
    def layout_pending(self) -> bool:
        """A resize or a change of the grid waits for ``settle`` (or the next paint) to lay the plots out."""
        return self._layout_pending

    def settle(self) -> None:
        """Lay the plots out for the widget's present size, if a resize or a change of the grid waits."""
        for _round in range(SETTLE_ROUNDS):
            if not self._layout_pending:
                return
            self._lay_out_grid()
            # The plots' own layouts (title, axes, view) follow, and what they change may ask the
            # grid for another round: now, not with the paint (asked while the plots' requests are
            # handled, it waits for a call of its own).
            QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
            QCoreApplication.sendPostedEvents(self.ci, QEvent.Type.LayoutRequest)

    def _lay_out_grid(self) -> None:
        self._layout_pending = False
        super().resizeEvent(None)
        self.ci.layout.activate()  # the grid changed within the same size: not laid out by the resize

    def viewportEvent(self, ev):
        # Paints and the pointer alike see the plots where the present size puts them (the
        # viewport's own resizes wait like the widget's).
        if ev.type() in PLACED_EVENTS:
            self.settle()
        return super().viewportEvent(ev)

    def render(self, *args, **kwargs):
        self.settle()
        return super().render(*args, **kwargs)

    def grab(self, *args, **kwargs):
        self.settle()
        return super().grab(*args, **kwargs)
