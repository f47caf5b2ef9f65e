"""Where the dashboard's verdict labels go: an objective's label along its threshold line, clear of
the curves and of other labels, and the recovery marks' labels on the short burn plot.

Qt geometry only; ``VerdictOverlay`` (``app.run.verdict_view``) makes the lines and calls these.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QFont, QFontMetricsF

# Where an objective's label may sit on its line, in order of preference: (where along the line, as a
# share of the plot's width; the label's corner there). At the right end over the line first, as it
# always was; then under it, at the left end, in the middle, where it covers no curve.
THRESHOLD_LABEL_PLACES = (
    (0.98, (1.0, 1.0)), (0.98, (1.0, 0.0)), (0.02, (0.0, 1.0)), (0.02, (0.0, 0.0)),
    (0.5, (0.5, 1.0)), (0.5, (0.5, 0.0)), (0.25, (0.5, 1.0)), (0.25, (0.5, 0.0)),
    (0.75, (0.5, 1.0)), (0.75, (0.5, 0.0)),
)
THRESHOLD_LABEL_CLEARANCE = 2.0  # px between a label and a curve: the curve's own width
MARK_POINT_SIZE = 8.5  # points, as the plot titles
MARK_LABEL_MARGIN = 1  # px around a recovery label's words (Qt's default is 4)


# -- the objectives' labels ---------------------------------------------------------------
def put_label(line: pg.InfiniteLine, text: str, position: float, anchor: tuple[float, float]) -> None:
    label = line.label
    if label.format != text:
        label.setFormat(text)
    if (label.orthoPos, label.anchors[0]) != (position, anchor):
        label.anchors = [anchor, anchor]  # over or under the line wherever the line is in the plot
        label.setPosition(position)


def threshold_label_place(plot: pg.PlotItem, line: pg.InfiniteLine, texts: tuple[str, ...],
                          taken: list[tuple[float, float, float, float]]) -> tuple[str, float, tuple[float, float]]:
    """The label of ``line`` (across ``plot``): the first of ``texts`` at the first of
    ``THRESHOLD_LABEL_PLACES`` where it stays inside the plot's view and covers no curve nor a
    rectangle of ``taken`` (another label's, in the view's coordinates); where none is clear, the
    text and place that cover the least. Its rectangle is added to ``taken``."""
    view = plot.vb
    (x0, x1), (y0, y1) = view.viewRange()
    if not (x1 > x0 and y1 > y0 and view.width() > 0 and view.height() > 0):
        return (texts[0], *THRESHOLD_LABEL_PLACES[0])
    per_x, per_y = view.viewPixelSize()  # the view's units in a pixel
    pad_x, pad_y = THRESHOLD_LABEL_CLEARANCE * per_x, THRESHOLD_LABEL_CLEARANCE * per_y
    y = float(line.value())
    curves = [(np.asarray(item.xData, dtype=float), np.asarray(item.yData, dtype=float), item.opts.get("fillLevel"))
              for item in plot.items if isinstance(item, pg.PlotCurveItem) and item.isVisible()
              and item.xData is not None and len(item.xData) > 1]
    # Each text measured as the label draws its own, margins and all, without drawing it.
    words = line.label.textItem
    metrics, drawn = QFontMetricsF(words.font()), words.boundingRect()
    margins = drawn.width() - metrics.horizontalAdvance(words.toPlainText())
    height = drawn.height() * per_y
    best: tuple[int, tuple[float, float, float, float], tuple[str, float, tuple[float, float]]] | None = None
    for text in texts:
        width = (metrics.horizontalAdvance(text) + margins) * per_x
        for position, anchor in THRESHOLD_LABEL_PLACES:
            left = x0 + position * (x1 - x0) - anchor[0] * width
            bottom = y if anchor[1] == 1.0 else y - height  # the label's lower corner on the line: over it
            rect = (left, left + width, bottom, bottom + height)
            if rect[0] < x0 or rect[1] > x1 or rect[2] < y0 or rect[3] > y1:
                continue  # cut off by the plot's edge
            grown = (rect[0] - pad_x, rect[1] + pad_x, rect[2] - pad_y, rect[3] + pad_y)
            covered = sum(_segments_through(x, ys, fill, grown) for x, ys, fill in curves) + \
                sum(_overlap(grown, other) for other in taken)
            if best is None or covered < best[0]:
                best = (covered, rect, (text, position, anchor))
            if not covered:
                taken.append(rect)
                return text, position, anchor
    if best is None:
        return (texts[0], *THRESHOLD_LABEL_PLACES[0])
    taken.append(best[1])
    return best[2]


def _segments_through(x: np.ndarray, y: np.ndarray, fill: float | None, rect: tuple[float, float, float, float]) -> int:
    """How many of a curve's segments (from ``fill`` up, for a filled curve) pass through ``rect``
    (left, right, bottom, top)."""
    left, right, bottom, top = rect
    xa, xb, ya, yb = x[:-1], x[1:], y[:-1], y[1:]
    forward = xa <= xb  # each segment from its left end
    xa, xb, ya, yb = np.where(forward, xa, xb), np.where(forward, xb, xa), np.where(forward, ya, yb), \
        np.where(forward, yb, ya)
    across = np.isfinite(ya) & np.isfinite(yb) & (xb >= left) & (xa <= right)
    # The segment's heights where it enters and leaves the rectangle's columns.
    dx = xb - xa
    with np.errstate(divide="ignore", invalid="ignore"):
        t0 = np.where(dx > 0, (np.maximum(xa, left) - xa) / dx, 0.0)
        t1 = np.where(dx > 0, (np.minimum(xb, right) - xa) / dx, 1.0)
    y0, y1 = ya + t0 * (yb - ya), ya + t1 * (yb - ya)
    low, high = np.minimum(y0, y1), np.maximum(y0, y1)
    if fill is not None:
        low, high = np.minimum(low, fill), np.maximum(high, fill)
    return int(np.count_nonzero(across & (high >= bottom) & (low <= top)))


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[1] and b[0] < a[1] and a[2] < b[3] and b[2] < a[3]


def mark_sides(times: list[float], labels: list[str], plot: pg.PlotItem) -> list[tuple[bool, bool, bool]]:
    """(label left of its line, label high, label shown) for each mark.

    In time order, each label takes the first place clear of the labels placed before it: right
    of its line high, then low, then left of it high, then low (a side only where the view has
    room for it). A short burn plot has room for two rows: where neither is clear (faults ending
    close together), the label is left out and its line keeps the words in its tooltip; four
    labels laid high and low in turn wrote over one another.
    """
    (x0, x1), width = plot.vb.viewRange()[0], plot.vb.width()
    per_second = width / (x1 - x0) if x1 > x0 and width > 0 else 0.0
    metrics = QFontMetricsF(mark_font(plot))
    sides = [(False, True, True)] * len(times)
    if not per_second:
        return sides
    taken: dict[bool, list[tuple[float, float]]] = {True: [], False: []}   # per row, pixel spans
    for i in sorted(range(len(times)), key=lambda i: times[i]):
        room = metrics.horizontalAdvance(labels[i]) + 2 * MARK_LABEL_MARGIN
        at = (times[i] - x0) * per_second
        places = [(False, at, at + room), (True, at - room, at)]
        sides[i] = (False, True, False)
        for left, start, end in places:
            if start < 0 or end > width:
                continue
            row = next((high for high in (True, False)
                        if not any(start < e and s < end for s, e in taken[high])), None)
            if row is not None:
                taken[row].append((start, end))
                sides[i] = (left, row, True)
                break
    return sides


def mark_font(plot: pg.PlotItem) -> QFont:
    """The recovery labels' font: the plot titles' size, so two rows of them fit a short burn plot."""
    font = QFont(plot.font())
    font.setPointSizeF(MARK_POINT_SIZE)
    return font


def mark_label_options(left: bool, high: bool, colour: str) -> dict:
    """A high label hangs from the top of the plot's view, a low one stands on its bottom, so that in
    a short burn plot it stays off the title and the time axis alike; left or right of its line."""
    x = 1 if left else 0
    if high:
        return {"position": 0.97, "color": colour, "anchors": [(x, 0), (x, 0)]}
    return {"position": 0.03, "color": colour, "anchors": [(x, 1), (x, 1)]}
