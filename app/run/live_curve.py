"""A live series on the dashboard: pyqtgraph's curve fed only the part of the run its view shows,
peak-downsampled to its width.

``pg.PlotDataItem`` does the same in general: every ``setData`` checks its input, keeps a
second dataset, and sends the pen, brush and fill to its curve again (pyqtgraph forces that
style update on every call), about 75 µs a curve, 18 curves a row of plots, 25 times a second.
Here a frame is the clip, the downsampling and the curve's own ``setData``: a third of that.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg

POINTS_PER_PIXEL = 1.5  # as the dashboard's PlotDataItems had it: a min and a max per pixel and a half


class LiveCurve(pg.PlotCurveItem):
    """A curve of a whole series (``getData`` gives it back whole) that draws what its view shows,
    clipped and downsampled exactly as the dashboard's PlotDataItems were (peak, 1.5 points a pixel)."""

    _series = (np.zeros(0), np.zeros(0))  # pyqtgraph's constructor sets data before ours runs

    def __init__(self, **opts):
        super().__init__(connect="finite", **opts)

    def getData(self):
        """The series as set, not as drawn (readouts, exports and tests read it)."""
        return self._series

    def setData(self, *args, **kargs):
        """``setData(x, y)``: the whole series, of evenly spaced x; the curve draws its part in view."""
        if args:
            self._series = (np.asarray(args[0], dtype=np.float64), np.asarray(args[1], dtype=np.float64))
        super().setData(*self._shown(), **kargs)

    def viewRangeChanged(self, *_args) -> None:
        # Zoomed, panned, popped out or laid out wider for a picture: drawn again for it.
        super().viewRangeChanged()
        self.setData()

    def _shown(self) -> tuple[np.ndarray, np.ndarray]:
        x, y = self._series
        view = self.getViewBox()
        if view is None or len(x) < 2 or not view.width():
            return x, y
        left, right = view.viewRange()[0]
        spacing = (x[-1] - x[0]) / (len(x) - 1)
        step = max(1, int(abs((right - left) / spacing / (view.width() * POINTS_PER_PIXEL)))) if spacing else 1
        # The buckets in view and a step either side, so that the line runs to the plot's edges.
        first = min(max(0, int(np.searchsorted(x, left)) - step), len(x))
        last = min(max(first, int(np.searchsorted(x, right)) + step), len(x))
        x, y = x[first:last], y[first:last]
        return _peaks(x, y, step) if step > 1 else (x, y)


def _peaks(x: np.ndarray, y: np.ndarray, step: int) -> tuple[np.ndarray, np.ndarray]:
    """Each run of ``step`` points as its greatest and least value (NaN, a gap, if any is NaN) at
    the run's middle point, as pyqtgraph's peak downsampling draws it."""
    n = len(x) // step
    middle = step // 2
    xs = np.repeat(x[middle:middle + n * step:step], 2)
    blocks = y[: n * step].reshape(n, step)
    ys = np.empty(2 * n)
    ys[0::2] = blocks.max(axis=1)
    ys[1::2] = blocks.min(axis=1)
    return xs, ys
