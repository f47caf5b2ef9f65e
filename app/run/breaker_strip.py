"""The breaker strip: one row per circuit breaker, coloured by its state in each bucket."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor

from .formatting import BREAKER_COLOURS, BREAKER_LABELS
from .plot_grid import PLOT_TITLES
from .plot_style import breaker_chips, fit_title

# The engine's CLOSED 0, OPEN 1, HALF_OPEN 2 mapped to a colour index; NONE: no data yet.
CLOSED, HALF_OPEN, OPEN, NONE = 0, 1, 2, 3
_STATE_COLOURS = [QColor(BREAKER_COLOURS[state]) for state in ("closed", "half_open", "open")]
LUT = np.array([[c.red(), c.green(), c.blue(), 255] for c in _STATE_COLOURS] + [[0, 0, 0, 0]], dtype=np.ubyte)
LABEL_ROW_PX = 13  # rows lower than this are not named (the crosshair readout names them)


def state_codes(column: np.ndarray) -> np.ndarray:
    """The engine's breaker states (NaN where unknown) as colour indexes."""
    codes = np.full(len(column), NONE, dtype=np.ubyte)
    codes[column == 0] = CLOSED
    codes[column == 1] = OPEN
    codes[column == 2] = HALF_OPEN
    return codes


class BreakerStrip:
    """The image, row names and "none" note the strip draws in its plot."""

    def __init__(self, plot: pg.PlotItem):
        self.plot = plot
        self.names: list[str] = []
        self.image = pg.ImageItem()
        self.image.setLookupTable(LUT)
        self.image.setLevels((0, 3))
        plot.addItem(self.image)
        self.labels: list[pg.TextItem] = []
        self.note = pg.TextItem("", color=(120, 120, 120), anchor=(0.5, 0.5))
        plot.addItem(self.note)
        plot.vb.sigResized.connect(self.fit_labels)
        # The states' key is the strip's own (no other plot uses these colours): in its title, the
        # plot's name dropped where the strip is too narrow for both (1280x720).
        key = breaker_chips()
        self.key_forms = (f"{PLOT_TITLES['breakers']} {key}", f"Breakers {key}", key)
        plot.titleLabel.setToolTip(f"{PLOT_TITLES['breakers']}: " + ", ".join(BREAKER_LABELS.values()))
        plot.vb.sigResized.connect(self.fit_title)

    def fit_title(self, *_args) -> None:
        """The title with the states' key once there are breakers, in the form the strip's width takes."""
        fit_title(self.plot, self.key_forms if self.names else (PLOT_TITLES["breakers"],))

    def clear(self) -> None:
        for label in self.labels:
            self.plot.removeItem(label)
        self.labels = []
        self.image.clear()

    def build(self, names: list[str], duration: float) -> None:
        """One row per breaker named ``names`` (top to bottom) over a run of ``duration`` seconds."""
        self.clear()
        self.names = list(names)
        self.fit_title()
        if not names:
            self.note.setPos(duration / 2, 0.5)
            self.plot.setYRange(0, 1)
            return
        self.note.setText("")
        self.plot.setYRange(0, len(names), padding=0)
        for i, name in enumerate(names):
            label = pg.TextItem(html=f"<span style='font-size:7.5pt; color:#1d2430'>{_esc(name)}</span>",
                                anchor=(0, 0.5), fill=pg.mkBrush(255, 255, 255, 150))
            label.setPos(duration * 0.005, len(names) - i - 0.5)
            self.plot.addItem(label, ignoreBounds=True)
            self.labels.append(label)
        self.fit_labels()

    def fit_labels(self, *_args) -> None:
        """Name each breaker's row while the rows are tall enough to read."""
        if not self.labels:
            return
        row_px = self.plot.vb.height() / len(self.labels)
        for label in self.labels:
            label.setVisible(row_px >= LABEL_ROW_PX)

    def draw(self, columns: list[np.ndarray] | None, n_buckets: int, bucket: float, has_data: bool) -> None:
        """Colour the rows from each breaker's state per bucket (``columns`` in the order of ``names``)."""
        # Breakers are named by the first frame: until then "none" would be premature.
        self.note.setText("no circuit breakers in this run" if has_data and not self.names else "")
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


def _esc(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
