"""Which parameters move a metric most, as a tornado chart: one horizontal bar per parameter, its
standardized regression coefficient, the strongest at the top (``engine.explore.sensitivity``)."""
from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtWidgets import QLabel, QWidget

from engine.explore import Sweep
from engine.explore.sensitivity import Sensitivity, sensitivity
from engine.model import DesignError

from .sweep_common import SweepChart

UP = (60, 140, 90)
DOWN = (200, 80, 60)


class TornadoPlot(SweepChart):
    """The sensitivity of a chosen metric to each swept parameter, for a finished sweep's rows."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.note = QLabel("")
        self.note.setWordWrap(True)
        self.chart_layout.addWidget(self.note)
        self.plot.setLabel("bottom", "standardized regression coefficient")
        # A coefficient has no unit to prefix: pyqtgraph read 0.7 as "700 (x0.001)".
        self.plot.getAxis("bottom").enableAutoSIPrefix(False)
        self.chart_layout.addWidget(self.plot, 1)
        self.result: Sensitivity | None = None
        self.bars: pg.BarGraphItem | None = None
        self._sweep: Sweep | None = None
        self._rows: list[dict] = []

    def show_rows(self, sweep: Sweep, rows: list[dict]) -> None:
        """Weigh the parameters of ``sweep`` over its ``rows`` and draw the bars."""
        self._sweep, self._rows = sweep, rows
        self.choice.fill(sweep)
        self.redraw()

    def redraw(self) -> None:
        """Draw the bars for the chosen metric and experiment, or say why there are none."""
        self.plot.clear()
        self.result, self.bars = None, None
        if self._sweep is None:
            return
        experiment = self.choice.experiment_of(self._sweep)
        name = self.metric_box.currentText()
        self.set_title(name)
        try:
            result = sensitivity(self._sweep, self._rows, self.choice.column, experiment)
        except DesignError as exc:
            self.note.setText(f"no sensitivity: {exc.problems[0].message}")
            return
        self.result = result
        if math.isnan(result.r_squared):
            # sensitivity() fits a metric that varies only: every bar would be zero, every correlation none
            self.plot.getAxis("left").setTicks(None)
            self.note.setText(f"no sensitivity: {name} is the same in all {result.runs} runs, so no parameter "
                              "moved it. Pick another metric or experiment, or widen the values.")
            return
        effects = [e for e in result.effects if not math.isnan(e.src)]
        count = len(effects)
        # strongest at the top: the first effect gets the highest y
        ys = [count - 1 - k for k in range(count)]
        widths = [e.src for e in effects]
        brushes = [pg.mkBrush(*(UP if w >= 0 else DOWN)) for w in widths]
        self.bars = pg.BarGraphItem(x0=[0.0] * count, y=ys, height=0.6, width=widths, brushes=brushes)
        self.plot.addItem(self.bars)
        self.plot.addItem(pg.InfiniteLine(pos=0.0, angle=90, pen=pg.mkPen((120, 120, 120))))
        self.plot.getAxis("left").setTicks([[(y, e.path) for y, e in zip(ys, effects)]])
        fit = "" if math.isnan(result.r_squared) else f"; a linear fit explains {result.r_squared:.0%} of its variance"
        self.note.setText(f"{name} over {result.runs} runs{fit}. Rank correlations: "
                          + ", ".join(f"{e.path} {e.rank_correlation:+.2f}" for e in result.effects
                                      if not math.isnan(e.rank_correlation)))
