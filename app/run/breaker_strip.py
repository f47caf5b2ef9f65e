"""The breaker strip: one row per circuit breaker, coloured by its state in each bucket."""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF

from .formatting import BREAKER_COLOURS, BREAKER_LABELS
from .plot_grid import LEFT_AXIS_WIDTH, PLOT_TITLES
from .plot_style import breaker_chips, fit_title

# The engine's CLOSED 0, OPEN 1, HALF_OPEN 2 mapped to a colour index; NONE: no data yet.
CLOSED, HALF_OPEN, OPEN, NONE = 0, 1, 2, 3
_STATE_COLOURS = [QColor(BREAKER_COLOURS[state]) for state in ("closed", "half_open", "open")]
LUT = np.array([[c.red(), c.green(), c.blue(), 255] for c in _STATE_COLOURS] + [[0, 0, 0, 0]], dtype=np.ubyte)
LABEL_ROW_PX = 13  # px from one name's middle to the next: closer, the 7 pt names run into each other
# Names on every other row at most: further apart, a name taller than two rows leaves it unclear
# which row it is beside; thinner rows are named by the crosshair readout and the axis's tooltip.
MAX_NAME_STEP = 2
NAME_POINT_SIZE = 7.0  # "cache -> db" in the left axis's width, with a short arrow
NAME_GAP = 3  # px between a name and the first state
ARROW = " -> "  # how a link is named: "api -> db"
# What a run without breakers says in the strip, in the first form its width takes (1280x720 cut the first)
NO_BREAKERS = ("no circuit breakers in this run", "no circuit breakers", "none")
SHORT_ARROW = "\u2192"


def state_codes(column: np.ndarray) -> np.ndarray:
    """The engine's breaker states (NaN where unknown) as colour indexes."""
    codes = np.full(len(column), NONE, dtype=np.ubyte)
    codes[column == 0] = CLOSED
    codes[column == 1] = OPEN
    codes[column == 2] = HALF_OPEN
    return codes


class BreakerStrip:
    """The image, row names and "none" note the strip draws in its plot.

    The names are the left axis's values, one at each row's middle: drawn in the plot, on a box of
    their own, they hid the first fifth of every row (a breaker opening early under its own name).
    In the axis they take the width every plot of the column gives its values, so the strip's time
    lines up with the plot above it; a name too long for it is shortened, whole in the readout and
    the axis's tooltip."""

    def __init__(self, plot: pg.PlotItem):
        self.plot = plot
        self.names: list[str] = []
        self.labels: list[str] = []  # the names as the axis shows them, top to bottom
        self._ticks: list | None = None  # what the axis was last given
        self.image = pg.ImageItem()
        self.image.setLookupTable(LUT)
        self.image.setLevels((0, 3))
        plot.addItem(self.image)
        self.note = pg.TextItem("", color=(120, 120, 120), anchor=(0.5, 0.5))
        plot.addItem(self.note)
        self.axis = axis = plot.getAxis("left")
        font = QFont(axis.font())
        font.setPointSizeF(NAME_POINT_SIZE)
        axis.setTickFont(font)
        # No tick marks: they would reach into the rows' first pixels. Length 0 alone is not enough:
        # pyqtgraph still draws each tick as a zero-length line on the view's edge, a dot in the first
        # pixel of every named row; unseen ticks also outlast the theme's and the export's new pens.
        axis.setStyle(tickLength=0, tickTextOffset=NAME_GAP, tickAlpha=0)
        if not axis.fixedWidth:
            axis.setWidth(LEFT_AXIS_WIDTH)
        plot.showAxis("left")
        self._show_names()
        plot.vb.sigResized.connect(self.fit_labels)
        # The states' key is the strip's own (no other plot uses these colours): in its title, the
        # plot's name dropped where the strip is too narrow for both (1280x720). The title spans the
        # names' axis too: the view alone, narrowed by it, cut the key itself at 1280x720.
        title = plot.titleLabel
        plot.layout.removeItem(title)
        plot.layout.addItem(title, 0, 0, 1, 2)
        key = breaker_chips()
        self.key_forms = (f"{PLOT_TITLES['breakers']} {key}", f"Breakers {key}", key)
        title.setToolTip(f"{PLOT_TITLES['breakers']}: " + ", ".join(BREAKER_LABELS.values()))
        plot.vb.sigResized.connect(self.fit_title)
        plot.vb.sigResized.connect(self._fit_note)
        self._no_breakers = False

    def fit_title(self, *_args) -> None:
        """The title with the states' key once there are breakers, in the form the strip's width takes."""
        room = self.plot.vb.width() + (self.axis.width() if self.axis.isVisible() else 0)
        fit_title(self.plot, self.key_forms if self.names else (PLOT_TITLES["breakers"],), room)

    def clear(self) -> None:
        self.labels = []
        self._show_names()
        self.image.clear()

    def build(self, names: list[str], duration: float) -> None:
        """One row per breaker named ``names`` (top to bottom) over a run of ``duration`` seconds."""
        self.clear()
        self.names = list(names)
        self.fit_title()
        self.axis.setToolTip("\n".join(self.names))
        if not names:
            self.note.setPos(duration / 2, 0.5)
            self.plot.setYRange(0, 1)
            return
        self._no_breakers = False
        self.note.setText("")
        self.plot.setYRange(0, len(names), padding=0)
        metrics = QFontMetricsF(self.axis.style["tickFont"])
        room = (self.axis.fixedWidth or LEFT_AXIS_WIDTH) - NAME_GAP - 1  # pyqtgraph rounds text up to whole pixels
        self.labels = short_names(self.names, metrics, room)
        self.fit_labels()

    def _fit_note(self, *_args) -> None:
        if not self._no_breakers:
            self.note.setText("")
            return
        metrics = QFontMetricsF(self.note.textItem.font())
        room = self.plot.vb.width() - 2 * NAME_GAP
        self.note.setText(next((form for form in NO_BREAKERS if metrics.horizontalAdvance(form) <= room),
                               NO_BREAKERS[-1]))

    def fit_labels(self, *_args) -> None:
        """Name the rows, each or every other one, while they are tall enough to read."""
        self._show_names()

    def name_rows(self) -> list[tuple[str, float]]:
        """The names the axis shows and the height (in rows, from the bottom) of each one's middle:
        every row's, or where rows are too low for that every other row's, from the top one down
        (a dashboard at 1920x1080 gives nine breakers rows of 10 px, which otherwise went unnamed)."""
        step = name_step(self.plot.vb.height(), len(self.labels))
        if step is None:
            return []
        count = len(self.labels)
        return [(label, count - i - 0.5) for i, label in enumerate(self.labels) if i % step == 0]

    def _show_names(self) -> None:
        # Never the axis's own numbers: with no names it shows none.
        ticks = [[(y, label) for label, y in self.name_rows()]]
        if ticks != self._ticks:
            self._ticks = ticks
            self.axis.setTicks(ticks)

    def draw(self, columns: list[np.ndarray] | None, n_buckets: int, bucket: float, has_data: bool) -> None:
        """Colour the rows from each breaker's state per bucket (``columns`` in the order of ``names``)."""
        # Breakers are named by the first frame: until then "none" would be premature.
        self._no_breakers = has_data and not self.names
        self._fit_note()
        if not self.names or not has_data or columns is None:
            self.image.clear()
            return
        image = np.full((n_buckets, len(self.names)), NONE, dtype=np.ubyte)
        for i, column in enumerate(columns):
            codes = state_codes(column)
            # Image rows go upwards; the first breaker is drawn on top.
            image[: len(codes), len(self.names) - 1 - i] = codes[:n_buckets]
        # Two image rows per breaker: pyqtgraph draws nothing for an image one row high,
        # which a run with a single breaker (the usual case) would otherwise be.
        self.image.setImage(np.repeat(image, 2, axis=1), levels=(0, 3), autoLevels=False)
        self.image.setRect(QRectF(0, 0, n_buckets * bucket, len(self.names)))


def name_step(height: float, count: int) -> int | None:
    """Every how many of ``count`` rows sharing ``height`` px a name fits; None: too low to name."""
    if count == 0 or height <= 0:
        return None
    row = height / count
    step = 1 if row >= LABEL_ROW_PX else math.ceil(LABEL_ROW_PX / row)
    return step if step <= MAX_NAME_STEP else None


def short_names(names: list[str], metrics: QFontMetricsF, room: float) -> list[str]:
    """``names`` each in ``room`` pixels, all in one form (a column of mixed forms reads as
    different kinds of thing): whole if every one fits, else with a short arrow, else the end of
    each link that tells it from the others' ("api -> db", "api -> cache": "→db", "→cache"), cut
    if need be."""
    if all(metrics.horizontalAdvance(name) <= room for name in names):
        return list(names)
    parts = [name.partition(ARROW) for name in names]
    compact = [f"{source}{SHORT_ARROW}{target}" if arrow else source for source, arrow, target in parts]
    if all(metrics.horizontalAdvance(name) <= room for name in compact):
        return compact
    sources = [source for source, _arrow, _target in parts]
    targets = [target for _source, _arrow, target in parts]

    def cut(mode: Qt.TextElideMode) -> list[str]:
        shown = []
        for source, arrow, target in parts:
            if not arrow:
                shown.append(metrics.elidedText(source, mode, room))
                continue
            # The caller where the called is what the rows share: "api -> db", "cache -> db".
            by_source = targets.count(target) > 1 and sources.count(source) == 1
            end = metrics.elidedText(source if by_source else target, mode,
                                     room - metrics.horizontalAdvance(SHORT_ARROW))
            shown.append(f"{end}{SHORT_ARROW}" if by_source else f"{SHORT_ARROW}{end}")
        return shown

    shown = cut(Qt.TextElideMode.ElideRight)
    if len(set(shown)) == len(shown):
        return shown
    # Cut alike at the end ("inventory", "inventory-db"): their ends tell them apart.
    middle = cut(Qt.TextElideMode.ElideMiddle)
    shown = [m if shown.count(s) > 1 else s for s, m in zip(shown, middle, strict=True)]
    # Still alike ("frontend -> inventory", "checkout -> inventory"): a little of both ends.
    half = (room - metrics.horizontalAdvance(SHORT_ARROW)) / 2
    return [s if shown.count(s) == 1 or not arrow else
            metrics.elidedText(source, Qt.TextElideMode.ElideRight, half) + SHORT_ARROW
            + metrics.elidedText(target, Qt.TextElideMode.ElideRight, half)
            for s, (source, arrow, target) in zip(shown, parts, strict=True)]
