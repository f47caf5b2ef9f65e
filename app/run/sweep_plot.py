"""The sweep's results as a chart: a line with its 95 % band over one parameter, a heatmap over
two, and for more (or a Latin hypercube) objective attainment against cost with its Pareto front.

Clicking a point, a cell or a marker selects that point of the sweep
(``point_selected``), which the sweep window can then apply to the design.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from engine.explore import ParameterSpace, Sweep, format_value
from engine.explore.suggest import cost
from engine.explore.worker import SHARE_METRICS

from .sweep_common import SweepChart, parameter_heading

BAND = (70, 130, 180, 60)
LINE = (70, 130, 180)
FRONT = (200, 80, 40)


def interval(entry: dict[str, Any], column: str) -> tuple[float, float, float]:
    """(mean, low, high) of a summary entry's column: a mean ± its 95 % half-width, or a verdict's
    share with its Wilson interval."""
    mean = float(entry.get(column, math.nan))
    if column.rsplit(".", 1)[-1] in SHARE_METRICS:
        return mean, float(entry.get(f"{column}.low", math.nan)), float(entry.get(f"{column}.high", math.nan))
    half = float(entry.get(f"{column}.ci95", math.nan))
    half = 0.0 if math.isnan(half) else half
    return mean, mean - half, mean + half


def pareto_front(costs: list[float], values: list[float]) -> list[int]:
    """Indices of the points no other point beats on both counts (lower cost, higher value),
    in order of cost."""
    order = sorted(range(len(costs)), key=lambda i: (costs[i], -values[i]))
    front, best = [], -math.inf
    for i in order:
        if not math.isnan(values[i]) and values[i] > best:
            front.append(i)
            best = values[i]
    return front


class SweepPlot(SweepChart):
    """The chart of a finished sweep's summary; ``kind`` says which: line, heatmap or pareto."""

    point_selected = Signal(int)  # index into the sweep's points

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.chart_layout.addWidget(self.plot, 1)
        self.kind = ""
        self.grid: np.ndarray | None = None
        self._sweep: Sweep | None = None
        self._summary: list[dict] = []
        self._shown: list[dict] = []
        self._xy: list[tuple[float, float]] = []
        self.plot.scene().sigMouseClicked.connect(self._clicked)

    def show_summary(self, sweep: Sweep, summary: list[dict]) -> None:
        """Draw ``summary`` (``engine.explore.summarise`` of ``sweep``)."""
        self._sweep, self._summary = sweep, summary
        self.choice.fill(sweep)
        self.redraw()

    def _entries(self) -> list[dict]:
        wanted = self.choice.experiment_of(self._sweep)
        return [e for e in self._summary if e["experiment"] == wanted]

    def redraw(self) -> None:
        """Draw the chart that fits the number of swept parameters."""
        self.plot.clear()
        self.grid = None
        self._xy = []
        if self._sweep is None:
            return
        column = self.choice.column
        self.set_title(self.metric_box.currentText())
        self._shown = self._entries()
        axes = self._sweep.axes
        continuous = any(a.continuous for a in axes)
        if len(axes) == 1 and not continuous:
            self._line(axes[0], column)
        elif len(axes) == 2 and not continuous:
            self._heatmap(axes, column)
        else:
            self._pareto(self._sweep, column)

    def _position(self, axis, cell: str) -> float:
        values = [format_value(v) for v in axis.values]
        try:
            return float(cell) if axis.parameter.numeric else float(values.index(cell))
        except ValueError:
            return float(values.index(cell)) if cell in values else math.nan

    def _line(self, axis, column: str) -> None:
        self.kind = "line"
        rows = sorted(((self._position(axis, e[axis.path]), *interval(e, column), e["point"] - 1)
                       for e in self._shown), key=lambda r: r[0])
        x = np.array([r[0] for r in rows], dtype=float)
        mean, low, high = (np.array([r[k] for r in rows], dtype=float) for k in (1, 2, 3))
        lower = pg.PlotDataItem(x, low, pen=None)
        upper = pg.PlotDataItem(x, high, pen=None)
        self.plot.addItem(pg.FillBetweenItem(lower, upper, brush=pg.mkBrush(*BAND)))
        self.plot.addItem(pg.PlotDataItem(x, mean, pen=pg.mkPen(LINE, width=2), symbol="o", symbolSize=7))
        if axis.parameter.unit == "s":
            # the axis scales the seconds itself and says so: "(ms)" over 100 … 500
            self.plot.getAxis("bottom").enableAutoSIPrefix(True)
            self.plot.setLabel("bottom", axis.path, units="s")
        else:
            # a count or a share as typed: scaled, 0.9 … 0.999 would read "(x0.001)" over 900 … 999
            self.plot.getAxis("bottom").enableAutoSIPrefix(False)
            self.plot.setLabel("bottom", parameter_heading(axis.parameter))
        self.set_metric_axis("left", column)
        self._xy = [(r[0], r[1]) for r in rows]
        self._points = [r[4] for r in rows]

    def _heatmap(self, axes, column: str) -> None:
        self.kind = "heatmap"
        first, second = axes
        grid = np.full((len(first.values), len(second.values)), np.nan)
        labels = ([format_value(v) for v in first.values], [format_value(v) for v in second.values])
        self._cells: dict[tuple[int, int], int] = {}
        for e in self._shown:
            i, j = labels[0].index(e[first.path]), labels[1].index(e[second.path])
            grid[i, j] = interval(e, column)[0]
            self._cells[(i, j)] = e["point"] - 1
        self.grid = grid
        image = pg.ImageItem(np.nan_to_num(grid, nan=np.nanmin(grid) if np.isfinite(grid).any() else 0.0))
        image.setColorMap(pg.colormap.get("viridis"))
        self.plot.addItem(image)
        for i in range(grid.shape[0]):
            for j in range(grid.shape[1]):
                if not math.isnan(grid[i, j]):
                    text = pg.TextItem(f"{grid[i, j]:.3g}", color=(255, 255, 255), anchor=(0.5, 0.5))
                    text.setPos(i + 0.5, j + 0.5)
                    self.plot.addItem(text)
        for name, axis, ticks in (("bottom", first, labels[0]), ("left", second, labels[1])):
            self.plot.getAxis(name).setTicks([[(k + 0.5, t) for k, t in enumerate(ticks)]])
            self.plot.getAxis(name).enableAutoSIPrefix(False)  # the ticks are the values' own words
            self.plot.setLabel(name, parameter_heading(axis.parameter))

    def _pareto(self, sweep: Sweep, column: str) -> None:
        self.kind = "pareto"
        space = ParameterSpace(sweep.design)
        costs, values, points = [], [], []
        for e in self._shown:
            index = e["point"] - 1
            costs.append(float(cost(space.with_values(sweep.points[index], check=False))))
            values.append(interval(e, column)[0])
            points.append(index)
        self.plot.addItem(pg.ScatterPlotItem(costs, values, size=8, brush=pg.mkBrush(*LINE)))
        front = pareto_front(costs, values)
        if front:
            self.plot.addItem(pg.PlotDataItem([costs[i] for i in front], [values[i] for i in front],
                                              pen=pg.mkPen(FRONT, width=2), symbol="o", symbolSize=9,
                                              symbolBrush=pg.mkBrush(*FRONT)))
        self.front = [points[i] for i in front]
        self.plot.setLabel("bottom", "cost (instances x workers)")
        self.set_metric_axis("left", column)
        self._xy = list(zip(costs, values))
        self._points = points

    def _clicked(self, event) -> None:
        if self._sweep is None:
            return
        where = self.plot.getPlotItem().vb.mapSceneToView(event.scenePos())
        self.select_at(where.x(), where.y())

    def select_at(self, x: float, y: float) -> int | None:
        """Select the point under (x, y) in the chart's coordinates: the heatmap's cell there, or
        the marker nearest to it. Returns the point's index, or None."""
        if self.kind == "heatmap" and self.grid is not None:
            index = self._cells.get((math.floor(x), math.floor(y)))
        elif self._xy:
            view = self.plot.getPlotItem().vb.viewRange()
            sx = (view[0][1] - view[0][0]) or 1.0
            sy = (view[1][1] - view[1][0]) or 1.0
            k = min(range(len(self._xy)),
                    key=lambda k: ((self._xy[k][0] - x) / sx) ** 2 + ((self._xy[k][1] - y) / sy) ** 2)
            index = self._points[k]
        else:
            index = None
        if index is not None:
            self.point_selected.emit(index)
        return index
