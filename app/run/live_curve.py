"""A live series on the dashboard: pyqtgraph's curve fed only the part of the run its view shows,
downsampled to its width.

``pg.PlotDataItem`` does the same in general: every ``setData`` checks its input, keeps a
second dataset, and sends the pen, brush and fill to its curve again (pyqtgraph forces that
style update on every call), about 75 µs a curve, 18 curves a row of plots, 25 times a second.
Here a frame is the clip, the downsampling and the curve's own ``setData``: a third of that.
The plot's menu (downsampling, clip to view, log axes, spectrum) works on it as on a PlotDataItem.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg

POINTS_PER_PIXEL = 1.5  # as the dashboard's PlotDataItems had it: a max and a min per pixel and a half


def _on_drawn_points(method):
    """pyqtgraph's ``method``, its ``getData`` giving the points drawn rather than the whole series."""
    def call(self, *args, **kwargs):
        outer, self._drawing = self._drawing, True
        try:
            return method(self, *args, **kwargs)
        finally:
            self._drawing = outer
    return call


class LiveCurve(pg.PlotCurveItem):
    """A curve of a whole series (``getData`` gives it back whole) that draws what its view shows,
    clipped and downsampled as the dashboard's PlotDataItems were (peak, 1.5 points a pixel)."""

    # pyqtgraph builds its path and bounds from ``getData``: given the whole series, each frame made
    # a path of every bucket of the run (20,000 points for the 1,400 drawn, 2.8 ms a curve) and
    # measured it whole, with the log axes' bounds in the wrong scale.
    _drawing = False
    paint = _on_drawn_points(pg.PlotCurveItem.paint)
    getPath = _on_drawn_points(pg.PlotCurveItem.getPath)
    dataBounds = _on_drawn_points(pg.PlotCurveItem.dataBounds)

    # pyqtgraph's constructor sets data before ours would run: the defaults live on the class.
    _series = (np.zeros(0), np.zeros(0))
    _reduce = (1, True, "peak")  # the plot menu's downsampling: factor, automatic, method
    _clip = True
    _log = (False, False)
    _spectrum = False
    _drawn_for: tuple = ()  # the x range and width the drawn points were chosen for

    def __init__(self, **opts):
        super().__init__(connect="finite", **opts)

    def getData(self):
        """The series as set, not as drawn (readouts, exports and tests read it)."""
        return (self.xData, self.yData) if self._drawing else self._series

    def setData(self, *args, **kargs):
        """``setData(x, y)``: the whole series, of evenly spaced x; the curve draws its part in view."""
        if args:
            self._series = (np.asarray(args[0], dtype=np.float64), np.asarray(args[1], dtype=np.float64))
        super().setData(*self._shown(), **kargs)

    def viewRangeChanged(self, *_args) -> None:
        # Zoomed, panned, popped out or laid out wider for a picture: drawn again for it. A new y
        # range (the axis fitted to the data) leaves what is drawn as it is.
        super().viewRangeChanged()
        if not len(self._series[0]):
            return  # nothing to draw (a spare curve kept for a coming run): nothing to choose again
        view = self.getViewBox()
        if isinstance(view, pg.ViewBox) and (tuple(view.viewRange()[0]), view.width()) != self._drawn_for:
            self.setData()

    # The plot's menu sets these on every curve of the plot, as it would on PlotDataItems.
    def setDownsampling(self, ds=None, auto=None, method=None) -> None:  # noqa: N802
        factor, automatic, how = self._reduce
        self._reduce = (factor if ds is None else int(ds), automatic if auto is None else bool(auto),
                        how if method is None else method)
        self.setData()

    def setClipToView(self, clip: bool) -> None:  # noqa: N802
        self._clip = bool(clip)
        self.setData()

    def setLogMode(self, x: bool, y: bool) -> None:  # noqa: N802
        self._log = (bool(x), bool(y))
        self.setData()

    def setFftMode(self, on: bool) -> None:  # noqa: N802
        self._spectrum = bool(on)
        self.setData()

    def _shown(self) -> tuple[np.ndarray, np.ndarray]:
        x, y = self._series
        if self._spectrum and len(x) > 1:  # the menu's power spectrum, as pyqtgraph computes it
            x, y = np.fft.rfftfreq(len(y), (x[-1] - x[0]) / (len(x) - 1)), np.abs(np.fft.rfft(y) / len(y))
        if any(self._log):
            with np.errstate(divide="ignore", invalid="ignore"):
                x, y = (np.log10(x) if self._log[0] else x), (np.log10(y) if self._log[1] else y)
        view = self.getViewBox()
        if not isinstance(view, pg.ViewBox) or len(x) < 2 or not view.width():
            return x, y
        left, right = view.viewRange()[0]
        self._drawn_for = ((left, right), view.width())
        factor, automatic, how = self._reduce
        step = max(1, factor)
        spacing = (x[-1] - x[0]) / (len(x) - 1)
        if automatic and spacing:
            step = max(1, int(abs((right - left) / spacing / (view.width() * POINTS_PER_PIXEL))))
        if self._clip:
            # The buckets in view and a step either side, so that the line runs to the plot's edges.
            first = min(max(0, int(np.searchsorted(x, left)) - step), len(x))
            last = min(max(first, int(np.searchsorted(x, right)) + step), len(x))
            x, y = x[first:last], y[first:last]
        return _reduced(x, y, step, how) if step > 1 else (x, y)


def _reduced(x: np.ndarray, y: np.ndarray, step: int, how: str) -> tuple[np.ndarray, np.ndarray]:
    """Every ``step`` points as pyqtgraph reduces them: the greatest and least value (``peak``; NaN,
    a gap, if any is NaN), their mean, or the first, at the run's middle point."""
    if how == "subsample":
        return x[::step], y[::step]
    n = len(x) // step
    middle = step // 2
    blocks = y[: n * step].reshape(n, step)
    if how == "mean":
        return x[middle:middle + n * step:step], blocks.mean(axis=1)
    ys = np.empty(2 * n)
    ys[0::2] = blocks.max(axis=1)
    ys[1::2] = blocks.min(axis=1)
    return np.repeat(x[middle:middle + n * step:step], 2), ys
