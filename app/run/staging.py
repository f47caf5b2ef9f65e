"""The dashboard's tick-by-tick drawing: one plot or one job per timer tick.

A whole dashboard's update and the repaint it causes at once would stall the window for
every axis and curve. ``StagedDrawing`` spreads it over the dashboard's 10 ms timer: the
two rows of plots take turns, drawn a plot per tick; one-off work (the table, reasons,
verdicts, the event log) waits its own tick as a job (``later``) after each row; a tick
moves at most one y axis, and a new run's plots after the first appear a plot per tick.
A live run's start is staged too (``paint_after``): the dashboard is painted only once the
run's parts are in place and laid out, each on a tick of its own.
``flush`` does whatever still waits at once, for a reader (exports, the report).
"""
from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QEvent, QTimer

from .plot_grid import FITTED_Y, PLOT_POSITIONS, PLOTS, fit_log_y, fitted_top

if TYPE_CHECKING:
    from .session import RunSession

# A plot per tick and a job after each row of three: while jobs wait, a plot is redrawn every 80 ms
# (12.5 Hz), 20 Hz without them. A row a tick, its update and the paint it caused (4-5 ms of CPU,
# 3-4 of them painting) landed in one turn of the event loop: the window's longest ticks.
REDRAW_INTERVAL_MS = 10


class StagedDrawing:
    """The timer, the rows waiting to be drawn and the jobs waiting their tick, of a ``Dashboard``."""

    # The dashboard's, read here (see dashboard.py).
    session: RunSession | None
    plots: dict[str, Any]
    enlarged: str | None
    popped: dict[str, Any]
    frames_drawn: int
    _curves: list[Any]
    _user_ranged: set[str]
    _y_marks: dict[str, list[float]]
    log_latency: Any
    plots_widget: Any
    isVisible: Callable[[], bool]
    setUpdatesEnabled: Callable[[bool], None]
    _draw_plots: Callable[..., None]
    _update_header: Callable[[], None]

    def _init_staging(self) -> None:
        self._dirty: set[int] = set()  # rows of plots with frames they have not drawn yet
        self._next_row = 0  # the row of plots the next timer tick redraws
        self._row_left: list[str] = []  # plots of the row being drawn, a plot a tick, still to draw
        self._row_drawn = 0  # the row ``_row_left`` belongs to
        # One-off work (the table, reasons, verdicts) done one job per timer tick, between rows of plots.
        self._jobs: dict[str, Callable[[], object]] = {}
        self._job_turn = False  # a row was finished last tick: a waiting job goes next
        self._held_back: set[str] = set()  # plots hidden for a run's first paint, shown by jobs
        self._paint_held = False  # a run's start is being put in place: nothing painted yet (paint_after)
        self._timer = QTimer(self)  # type: ignore[arg-type]  # a mixin of a QWidget
        self._timer.setObjectName("faultline-dashboard-redraw")
        self._timer.setInterval(REDRAW_INTERVAL_MS)
        self._timer.timeout.connect(self._redraw_if_dirty)

    def _forget_staged(self) -> None:
        """Drop the jobs and held-back plots of the run shown before: whoever needs them asks again."""
        self._jobs.clear()
        self._release_paint()
        for key in self._held_back:
            self.plots[key].setOpacity(1.0)
        self._held_back.clear()

    def _hold_back_plots(self) -> None:
        """The first paint of a run draws every axis afresh: it paints the first plot, the others
        follow one a tick. They are laid out as ever but transparent, which Qt does not paint: hidden
        and shown again, each relaid the whole grid out and repainted every plot (10-20 ms a tick).
        A plot in a window of its own is left alone."""
        for key in PLOTS[1:]:
            if key in self.popped:
                continue
            self.plots[key].setOpacity(0.0)
            self._held_back.add(key)
            self.later(f"show {key}", partial(self._show_held_back, key))

    def _show_held_back(self, key: str) -> None:
        """Paint a plot held back from the first paint of a run."""
        self._held_back.discard(key)
        self.plots[key].setOpacity(1.0)

    def paint_after(self, jobs: list[tuple[str, Callable[[], object]]]) -> None:
        """Do ``jobs`` (the parts of a run's start), the layout they cause and the plots' layout, each
        on a tick of its own before any other job or row, and only then let the dashboard paint the
        run: a job wrapped in ``holding_paint`` holds its paints from there on.

        Shown, laid out and painted in the click on Run, a run's start stalled the window for 30-50
        ms; and each part that appeared after the first paint (the banner, the burn plot) laid every
        plot out again.
        """
        self._paint_held = True  # jobs before rows from now on
        for key, job in reversed([*jobs, ("lay out", self._lay_out), ("first paint", self._release_paint)]):
            self.later(key, job, first=True)

    def holding_paint(self, job: Callable[[], object]) -> Callable[[], None]:
        """``job``, after which the dashboard's paints wait for the end of ``paint_after``'s jobs."""
        def held() -> None:
            # Held from here on, not earlier: a held widget leaves on screen whatever was there, and
            # a room just made for it (the dock grown) needs painting.
            self.setUpdatesEnabled(False)
            job()
        return held

    def _lay_out(self) -> None:
        """Lay out now what the run's start changed, the window's layouts and then the plots once."""
        # A layout request handled can ask its parent's layout again: a few rounds reach the window.
        for _round in range(3):
            QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        self.plots_widget.settle()
        # Each view's transform for its new place, which pyqtgraph works out as the first paint
        # begins (for every plot, the ones held back too, and the lines across them follow).
        self.plots_widget.scene().prepareForPaint()

    def _release_paint(self) -> None:
        if self._paint_held:
            self._paint_held = False
            self.setUpdatesEnabled(True)

    def later(self, key: str, job: Callable[[], object], first: bool = False) -> None:
        """Do ``job`` on a coming timer tick rather than now (at once if the dashboard is out of sight).

        Jobs run one per tick, in the order they were first asked for, taking turns with the rows
        of plots: each tick's work and the repaint it causes stay short. A job asked for again
        while it waits runs once, after the jobs asked for before it (so a series of jobs asked
        for together keeps its order). ``first``: before the jobs already waiting.
        """
        self._jobs.pop(key, None)
        if not self.isVisible():
            job()
            return
        if first:
            self._jobs = {key: job, **self._jobs}
        else:
            self._jobs[key] = job
        if not self._timer.isActive():
            self._timer.start()

    def _run_job(self) -> None:
        # A job that found nothing to do (returned False) leaves the tick to the next one.
        while self._jobs:
            key = next(iter(self._jobs))
            if self._jobs.pop(key)() is not False:
                return

    def stop_timer(self) -> None:
        self._timer.stop()

    @property
    def starting(self) -> bool:
        """A run's start is being put in place (``paint_after``): not painted yet."""
        return self._paint_held

    @property
    def redrawing(self) -> bool:
        """Rows of plots or jobs are still waiting for their timer ticks."""
        return self._timer.isActive()

    def _redraw_if_dirty(self) -> None:
        try:
            self._tick()
        finally:
            if self._timer.isActive() and self._timer.remainingTime() < REDRAW_INTERVAL_MS // 2:
                # A late timer is due again an interval after the tick it missed, so it caught up with
                # two ticks back to back, their work and paints in one turn of the event loop (a stall
                # of two ticks' worth): the next tick an interval after this one instead.
                self._timer.start()

    def _tick(self) -> None:
        visible = self.isVisible()
        drawing = bool(self._dirty or self._row_left)
        # While a run goes, jobs take turns with the rows; once it is over its final rows go first.
        turn = self._job_turn and self.session is not None and not self.session.done
        if self._jobs and (turn or not drawing or not visible or self._paint_held):
            self._job_turn = False
            self._run_job()
            return
        # A hidden dashboard (closed or behind another tab) catches up when it is shown again.
        if not drawing or not visible:
            if self.session is None or self.session.done:
                self._timer.stop()  # the run's last rows are drawn: nothing more will come
            return
        if not self._row_left:
            row = self._next_row if self._next_row in self._dirty else min(self._dirty)
            self._next_row = 1 - row
            self._dirty.discard(row)
            self._row_drawn = row
            self._row_left = [key for key in PLOTS if PLOT_POSITIONS[key][0] == row]
        # One plot per tick: its update and the repaint it causes are a third of a row's, so the
        # window never stalls for a row's worth of drawing, let alone the dashboard's.
        self._draw_plots({self._row_left.pop(0)})
        if not self._row_left:
            self._job_turn = True
            if self._row_drawn == 1:
                self.frames_drawn += 1
                self._update_header()

    def _catch_up(self) -> None:
        """Shown again: draw at once what the ticks skipped while the dashboard was out of sight."""
        if self._dirty or self._row_left:
            self.redraw()
            self._update_header()

    def flush(self) -> None:
        """Draw now the rows and do the jobs that timer ticks would have: what is read or exported is
        up to date."""
        self.plots_widget.settle()
        while self._dirty or self._row_left or self._jobs:  # a job may leave a row to draw again (the breaker strip)
            if (self._dirty or self._row_left) and self.session is not None:
                self._draw_plots({key for key, (r, _c) in PLOT_POSITIONS.items() if r in self._dirty}
                                 | set(self._row_left), refits=None)
                self._update_header()
            self._dirty, self._row_left = set(), []
            while self._jobs:
                self._run_job()

    def redraw(self) -> None:
        """Push the session's current buffers into every curve (views, no copies of the buffers)."""
        self._dirty, self._row_left = set(), []
        self._next_row = 0
        if self.session is None:
            return
        self.frames_drawn += 1
        self._draw_plots(set(PLOTS), refits=None)

    def _fit_y(self, keys: set[str] | frozenset[str] = frozenset(FITTED_Y), refits: int | None = None) -> bool:
        """Fit the y axes of plots ``keys``; at most ``refits`` change range now (None: all), the others
        on a job's tick of their own. True if an axis changed."""
        # A y axis that changes range relabels itself and repaints its plot whole: two of them in
        # one tick (the top row fits both throughput and latency) made the longest tick of a run.
        moved = False
        for key in FITTED_Y:
            if key not in keys or key in self._user_ranged:
                continue
            series = [c.values for c in self._curves if c.plot == key]
            if key == "latency" and self.log_latency.isChecked():
                fit_log_y(self.plots[key], series, self._y_marks.get(key, ()))  # whole decades: rarely moves
                continue
            top = fitted_top(self.plots[key], series, self._y_marks.get(key, ()),
                             final=self.session is not None and self.session.done)
            if top is None:
                continue
            if refits is not None:
                if refits <= 0:
                    self.later(f"fit {key}", partial(self._fit_y, {key}))
                    continue
                refits -= 1
            self.plots[key].setYRange(0, top, padding=0)
            moved = True
        return moved
