"""The dashboard spreads its one-off work over timer ticks: what each tick does, and that it all lands."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtWidgets import QDockWidget
from test_run_window import FULL_SPEED, run_and_wait, window  # noqa: F401  (the fixture)

from app.run.plot_grid import PLOT_POSITIONS
from app.run.plot_window import pop_out

ROWS = [[key for key, (row, _col) in PLOT_POSITIONS.items() if row == r] for r in (0, 1)]


def _ticks(dashboard, log):
    """Run the dashboard's timer ticks by hand, noting what each drew or did."""
    drawn = []
    original = dashboard._draw_plots
    dashboard._draw_plots = lambda keys: (drawn.append(frozenset(keys)), original(keys))[1]
    while dashboard._dirty or dashboard._row_left or dashboard._jobs:
        plots, jobs = len(drawn), len(log)
        dashboard._redraw_if_dirty()
        if len(drawn) > plots:
            assert len(log) == jobs, "a plot or jobs on a tick, never both"
            assert len(drawn[-1]) == 1, "a plot a tick"
            log.append(("plot", next(iter(drawn[-1]))))
    dashboard._draw_plots = original


def test_a_finished_run_draws_its_rows_first_a_plot_a_tick_then_one_job_a_tick(qtbot, window):  # noqa: F811
    ui = window.run_ui
    ui.compare_action.setChecked(True)
    run_and_wait(qtbot, ui)
    dashboard = ui.dashboard
    log: list = []
    dashboard.session_ended()  # as when the run ends: the final rows, the table and reasons wait for ticks
    ui.verdicts.refresh()
    for key in list(dashboard._jobs):
        job = dashboard._jobs[key]
        dashboard._jobs[key] = lambda job=job, key=key: (log.append(("job", key)), job())[1]
    _ticks(dashboard, log)
    assert log[:6] == [("plot", key) for key in ROWS[0] + ROWS[1]]
    jobs = [what for kind, what in log if kind == "job"]
    assert jobs[:2] == ["table", "findings"]
    assert jobs.index("verdict banner") < jobs.index("burn curves")
    # Everything landed: every curve holds the whole run, the table its rows.
    session = ui.session
    for curve in dashboard.curves():
        x, _y = curve.item.getData()
        assert len(x) == session.variants[curve.variant].n
    assert dashboard.table.rowCount() > 0 and dashboard.table_box.updatesEnabled()
    assert not dashboard._jobs and not dashboard._dirty


def test_while_a_run_goes_jobs_take_turns_with_the_rows(qtbot, window):  # noqa: F811
    ui = window.run_ui
    ui.duration_spin.setValue(1_000_000)
    with qtbot.waitSignal(ui.controller.updated, timeout=10_000):
        ui.run()
    dashboard = ui.dashboard
    qtbot.waitUntil(lambda: not dashboard.starting, timeout=20_000)  # the run's start in place and painted
    done: list[str] = []
    dashboard._dirty, dashboard._row_left = {0, 1}, []  # no row begun by the run's own ticks
    dashboard._jobs.clear()
    dashboard.later("a", lambda: done.append("a"))
    dashboard.later("skipped", lambda: (done.append("skipped"), False)[1])  # found nothing: the tick goes on
    dashboard.later("nothing", lambda: False)
    dashboard.later("b", lambda: done.append("b"))
    dashboard.later("a", lambda: done.append("a again"))  # asked again: once, after the others
    dashboard._job_turn = False
    steps = []
    for _ in range(8):
        left_before, done_before = list(dashboard._row_left), len(done)
        dashboard._redraw_if_dirty()
        steps.append("plot" if dashboard._row_left != left_before else tuple(done[done_before:]))
        dashboard._dirty |= {0, 1}  # frames keep coming
    ui.stop()
    qtbot.waitUntil(lambda: not ui.controller.running, timeout=20_000)
    qtbot.waitUntil(lambda: not dashboard.redrawing, timeout=20_000)
    # A row is its three plots, a tick each; a job's turn comes after each row.
    assert steps == ["plot"] * 3 + [("skipped", "b")] + ["plot"] * 3 + [("a again",)]


def test_flush_does_the_waiting_jobs_at_once(qtbot, window):  # noqa: F811
    ui = window.run_ui
    run_and_wait(qtbot, ui)
    dashboard = ui.dashboard
    dashboard.session_ended()
    assert dashboard._jobs
    dashboard.flush()
    assert not dashboard._jobs and not dashboard._dirty
    x, y = dashboard.curves()[0].item.getData()
    assert len(x) == ui.session.variants[ui.session.primary].n and np.nansum(y) > 0
    qtbot.waitUntil(lambda: not dashboard.redrawing, timeout=20_000)


def test_a_run_starts_with_its_first_plot_and_shows_the_others_a_plot_per_tick(qtbot, window):  # noqa: F811
    ui = window.run_ui
    ui.duration_spin.setValue(1_000_000)
    dashboard = ui.dashboard
    shown: list[set[str]] = []
    dashboard._timer.stop = lambda: None  # the ticks are run by hand below
    ui.controller.started.connect(lambda _s: dashboard._timer.blockSignals(True))
    ui.run()
    while dashboard.starting:  # the run's start, a part a tick, before its first paint
        dashboard._redraw_if_dirty()

    def painted():  # laid out in their cells all along, the others transparent until their tick
        assert all(plot.isVisible() for plot in dashboard.plots.values())
        return {key for key, plot in dashboard.plots.items() if plot.opacity() == 1.0}

    visible = painted()
    assert visible == {"throughput"}
    while dashboard._jobs:
        dashboard._dirty = set()
        dashboard._redraw_if_dirty()
        shown.append(painted())
    steps = [len(b - a) for a, b in zip([visible, *shown], shown)]
    assert all(step <= 1 for step in steps) and shown[-1] == set(dashboard.plots)
    dashboard._timer.blockSignals(False)
    del dashboard._timer.stop
    ui.stop()
    qtbot.waitUntil(lambda: not ui.controller.running, timeout=20_000)
    qtbot.waitUntil(lambda: not dashboard.redrawing, timeout=20_000)


def test_a_first_runs_start_puts_each_part_and_the_event_logs_repaint_on_a_tick_of_its_own(qtbot, window):  # noqa: F811
    ui = window.run_ui
    ui.duration_spin.setValue(1_000_000)
    dashboard = ui.dashboard
    dashboard._timer.stop = lambda: None  # the ticks are run by hand below
    ui.controller.started.connect(lambda _s: dashboard._timer.blockSignals(True))
    ui.run()
    ticks = []
    squeezed = [ui.event_log, window.view, window.findChild(QDockWidget, "propertiesDock")]
    while dashboard.starting:
        part = next(iter(dashboard._jobs))
        dashboard._redraw_if_dirty()
        ticks.append((part, [widget.updatesEnabled() for widget in squeezed]))
    # The window's repaint around the grown dock leaves out the event log, the canvas and the panes
    # beside it: theirs come on the ticks after, one a tick.
    assert ticks[0] == ("make room", [False, False, False])
    repaints = [held for part, held in ticks if part.startswith("squeezed paint")]
    assert [part for part, _held in ticks[1:1 + len(repaints)]] == [f"squeezed paint {i}" for i in range(len(repaints))]
    assert repaints[0][:2] == [True, False] and repaints[1][:2] == [True, True] and all(repaints[-1])
    assert [part for part, _held in ticks[1 + len(repaints):5 + len(repaints)]] == [
        "show the run", "the run's axes", "the run's curves", "the run drawn"]
    assert dashboard.curves() and dashboard.plots["throughput"].vb.viewRange()[0][1] >= 1_000_000
    dashboard._timer.blockSignals(False)
    del dashboard._timer.stop
    ui.stop()
    qtbot.waitUntil(lambda: not ui.controller.running, timeout=20_000)
    qtbot.waitUntil(lambda: not dashboard.redrawing, timeout=20_000)


def test_a_tick_moves_at_most_one_y_axis(qtbot, window):  # noqa: F811
    ui = window.run_ui
    ui.compare_action.setChecked(True)
    run_and_wait(qtbot, ui)
    dashboard = ui.dashboard
    dashboard.flush()
    plots = dashboard.plots

    def tops():
        return {key: plots[key].vb.viewRange()[1][1] for key in ("throughput", "latency")}

    fitted = tops()
    assert all(top > 1e-6 for top in fitted.values())
    for key in fitted:  # both top-row axes far below their data: each needs a new range
        plots[key].setYRange(0, 1e-9, padding=0)
    dashboard._dirty, dashboard._next_row = {0}, 0
    moved = []
    for _ in ROWS[0]:  # the row's plots, a tick each: each moves its own axis
        before = tops()
        dashboard._redraw_if_dirty()
        moved.append(sum(tops()[key] != before[key] for key in before))
    assert sorted(moved) == [0, 1, 1]
    assert tops() == fitted and not dashboard._dirty and not dashboard._row_left and not dashboard._jobs
    # What is read or exported fits every axis at once.
    for key in fitted:
        plots[key].setYRange(0, 1e-9, padding=0)
    dashboard._dirty = {0}
    dashboard.flush()
    assert tops() == fitted and not dashboard._dirty
    qtbot.waitUntil(lambda: not dashboard.redrawing, timeout=20_000)


def test_the_breaker_strip_is_built_on_a_tick_of_its_own_and_drawn_on_its_rows_next_turn(qtbot, window):  # noqa: F811
    ui = window.run_ui
    ui.compare_action.setChecked(True)
    run_and_wait(qtbot, ui)
    dashboard = ui.dashboard
    dashboard.flush()
    strip = dashboard.breaker_strip
    names = list(ui.session.breakers)
    assert names and strip.names == names
    strip.clear()
    strip.names = []  # as before a live run's first frame named its breakers
    dashboard._dirty, dashboard._next_row = {1}, 1
    for _ in ROWS[1]:
        dashboard._redraw_if_dirty()  # the row, a plot a tick: the strip waits for its rows
    assert strip.names == [] and strip.image.image is None and list(dashboard._jobs) == ["breaker strip"]
    dashboard._redraw_if_dirty()  # the job: rows and names made, the row to draw again
    assert strip.names == names and len(strip.labels) == len(names) and dashboard._dirty == {1}
    assert strip.image.image is None
    for _ in ROWS[1]:
        dashboard._redraw_if_dirty()
    assert strip.image.image is not None and not dashboard._dirty and not dashboard._jobs
    # An export's flush does all of it at once.
    strip.clear()
    strip.names = []
    dashboard._dirty = {1}
    dashboard.flush()
    assert strip.names == names and strip.image.image is not None and not dashboard._dirty
    qtbot.waitUntil(lambda: not dashboard.redrawing, timeout=20_000)


def test_the_header_follows_the_run_and_places_its_title_only_when_the_title_changes(qtbot, window):  # noqa: F811
    ui = window.run_ui
    ui.duration_spin.setValue(1_000_000)
    dashboard = ui.dashboard
    placed = []
    original = dashboard._place_title
    dashboard._place_title = lambda: (placed.append(dashboard.title_label.text()), original())[1]
    ui.run()
    # The run shown (its start takes a few ticks after the click) and going.
    qtbot.waitUntil(lambda: ui.session is not None and dashboard.session is ui.session and ui.session.progress > 0,
                    timeout=20_000)
    session = ui.session
    placed.clear()
    for _ in range(3):  # frames of a run going on: the same title, the progress moving
        dashboard._update_header()
        assert dashboard.progress.value() == int(session.progress * 1000)
        qtbot.wait(30)
    assert placed == []  # unchanged words: left where they were placed
    ui.stop()
    qtbot.waitUntil(lambda: not ui.controller.running, timeout=20_000)
    qtbot.waitUntil(lambda: not dashboard.redrawing, timeout=20_000)
    assert placed and "stopped" in placed[-1] and "stopped" in dashboard.title_label.text()
    assert dashboard.progress.value() == int(session.progress * 1000)
    del dashboard._place_title



@pytest.fixture
def axis_paints(monkeypatch):
    """The axes painted, noted from before the window is made (Qt keeps to the paint it first found)."""
    import pyqtgraph as pg

    painted: list = []
    original = pg.AxisItem.paint
    monkeypatch.setattr(pg.AxisItem, "paint", lambda self, *a: (painted.append(self), original(self, *a))[1])
    return painted


def test_redrawing_the_curves_does_not_paint_the_axes_again(axis_paints, qtbot, window):  # noqa: F811
    # An axis reaches a few pixels into its plot's view: every row of new data painted it again.
    ui = window.run_ui
    dashboard = ui.dashboard
    run_and_wait(qtbot, ui)
    qtbot.wait(50)
    dashboard.plots_widget.viewport().repaint()
    assert axis_paints  # the axes were painted (into their pixmaps)
    axis_paints.clear()
    curves = [c for c in dashboard.curves() if c.plot == "throughput"]
    for shift in (1.0, 2.0):  # new values within the axes' ranges, as a frame of a run brings
        for c in curves:
            x, y = c.item.getData()
            c.item.setData(x, np.clip(y - shift, 0, None))
        dashboard.plots_widget.viewport().repaint()
    assert curves and not axis_paints


def test_after_a_live_run_every_plots_y_axis_has_its_width(qtbot, window):  # noqa: F811
    # Plots are held back from a run's first paint: a y axis sized while hidden kept no width,
    # and the queue plot showed no values.
    ui = window.run_ui
    run_and_wait(qtbot, ui)
    qtbot.waitUntil(lambda: not ui.dashboard.redrawing, timeout=20_000)
    for key, plot in ui.dashboard.plots.items():
        axis = plot.getAxis("left")
        if key != "breakers":  # the strip names its rows instead
            assert axis.isVisible() and axis.width() == axis.fixedWidth > 0, key


def test_a_plot_in_a_window_of_its_own_is_not_held_back_as_a_run_starts(qtbot, window):  # noqa: F811
    ui = window.run_ui
    ui.duration_spin.setValue(1_000_000)
    dashboard = ui.dashboard
    popped = pop_out(dashboard, "latency")
    qtbot.wait(20)
    with qtbot.waitSignal(ui.controller.updated, timeout=10_000):
        ui.run()
    assert popped.plot.isVisible() and popped.plot.opacity() == 1.0 and "latency" not in dashboard._held_back
    qtbot.waitUntil(lambda: not dashboard._held_back, timeout=20_000)
    assert popped.plot.getAxis("bottom").style["showValues"]  # its time axis, as in its window
    ui.stop()
    qtbot.waitUntil(lambda: not ui.controller.running, timeout=20_000)
    qtbot.waitUntil(lambda: not dashboard.redrawing, timeout=20_000)
    popped.close()
