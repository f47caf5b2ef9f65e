"""Small defects a new user meets in a first walk through the window (issue 15)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from run_builders import make_three_tier
from test_run_window import FULL_SPEED, make_window, run_and_wait

from app.run.event_log import EventLog
from app.store import load_design_from_path
from engine.model import Project

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"


@pytest.fixture
def calm_shop(qtbot, tmp_path):
    """The three-tier example without faults: its p99 stays far under its 250 ms objective."""
    w, ui = make_window(qtbot, tmp_path)
    w.resize(1600, 1000)
    design = load_design_from_path(EXAMPLES / "three_tier.json")
    w.document.load(Project(name="shop", designs=[design]))
    ui.speed_combo.setCurrentIndex(FULL_SPEED)
    ui.duration_spin.setValue(60)
    ui.set_experiment(None)
    yield w, ui
    ui.shutdown()
    w.close()


def _latency_top(dashboard) -> float:
    return dashboard.plots["latency"].vb.viewRange()[1][1]


def test_the_latency_axis_shows_an_objective_above_the_curves(qtbot, calm_shop):
    w, ui = calm_shop
    run_and_wait(qtbot, ui)
    dashboard = ui.dashboard
    dashboard.flush()
    peak = max(np.nanmax(c.values) for c in dashboard._curves if c.plot == "latency" and c.values.size)
    thresholds = [value for plot, _line, value in ui.verdicts._threshold_lines if plot == "latency"]
    assert thresholds == [pytest.approx(0.25)] and peak < 0.25  # the line is above every curve
    assert _latency_top(dashboard) > 0.25
    # The pop-out window shows the same plot item, fitted the same way.
    from app.run.plot_window import pop_out
    window = pop_out(dashboard, "latency")
    qtbot.wait(20)
    assert window.plot.vb.viewRange()[1][1] > 0.25
    window.close()


def test_the_status_bar_does_not_say_ready_while_a_run_goes(qtbot, calm_shop):
    w, ui = calm_shop
    ui.duration_spin.setValue(300)
    ui.speed_combo.setCurrentIndex(1)  # slow enough to look while it goes
    assert w.problems_label.text() == "✓ ready to run"
    ui.run_action.trigger()
    qtbot.waitUntil(lambda: ui.controller.running, timeout=20_000)
    assert "ready" not in w.problems_label.text() and "running" in w.problems_label.text()
    with qtbot.waitSignal(ui.controller.idle, timeout=20_000):
        ui.stop()
    assert w.problems_label.text() == "✓ ready to run"


def test_the_empty_event_log_has_no_sideways_scroll_bar_in_a_narrow_dock(qtbot):
    log = EventLog()
    qtbot.addWidget(log)
    log.resize(260, 200)
    log.show()
    qtbot.waitExposed(log)
    log.show_session(None)
    qtbot.wait(20)
    assert log.view.horizontalHeader().length() > log.view.viewport().width()  # the columns are wider
    assert not log.view.horizontalScrollBar().isVisible()  # but there is nothing to scroll to


def _arrow(button) -> tuple[int, int]:
    """Height (px) of the last mark the button draws inside its frame, and how many of its pixels
    stand out clearly from the button's background."""
    image = button.grab().toImage()
    background = image.pixelColor(image.width() // 2, 3).lightness()

    def contrast(x: int, y: int) -> int:
        return abs(image.pixelColor(x, y).lightness() - background)

    inside = range(3, image.height() - 3)
    inked = [x for x in range(3, image.width() - 3) if any(contrast(x, y) > 12 for y in inside)]
    last = [inked[-1]]  # the rightmost run of columns with something drawn
    while len(last) < len(inked) and inked[-len(last) - 1] == last[0] - 1:
        last.insert(0, last[0] - 1)
    rows = [y for y in inside if any(contrast(x, y) > 12 for x in last)]
    strong = sum(contrast(x, y) > 40 for x in last for y in inside)
    return max(rows) - min(rows) + 1, strong


@pytest.mark.parametrize("theme", ["dark", "light"])
def test_disabled_menu_buttons_show_their_arrow(qtbot, tmp_path, theme):
    w, ui = make_window(qtbot, tmp_path)
    try:
        w.set_theme(theme)
        dashboard = ui.dashboard
        qtbot.wait(20)
        # Before a run the dashboard's are disabled; with no experiment, so is the Faults pane's.
        for button in (dashboard.components_button, dashboard.export_button, w.faults.add_button):
            assert not button.isEnabled()
            height, strong = _arrow(button)
            # A down arrow that reads as one, not a faint line under the word's end.
            assert height >= 4 and strong >= 4, (button.text(), height, strong)
    finally:
        w.set_theme("light")
        ui.shutdown()
        w.close()


def test_the_empty_dashboard_does_not_scroll(qtbot, tmp_path):
    w, ui = make_window(qtbot, tmp_path)
    try:
        w.resize(1280, 720)
        qtbot.wait(50)
        dashboard = ui.dashboard
        assert dashboard.pages.currentWidget() is dashboard.placeholder
        # The plots' minimum height is for a run's plots: before one, the words fit the dock.
        assert dashboard.scroll.verticalScrollBar().maximum() == 0
        assert dashboard.placeholder.height() <= dashboard.scroll.viewport().height()
        w.document.load(Project(name="shop", designs=[make_three_tier()]))  # an empty design is not run
        ui.run_action.trigger()
        qtbot.waitUntil(lambda: dashboard.pages.currentWidget() is dashboard.splitter, timeout=20_000)
        qtbot.wait(50)
        assert dashboard.plots_widget.height() >= dashboard.plots_widget.minimumHeight()
    finally:
        ui.shutdown()
        w.close()
