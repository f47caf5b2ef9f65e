"""Live runs from the main window: controls, plots, canvas health, event log, comparison, keeping, reports."""
from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
from PySide6.QtCore import QSettings
from run_builders import EXPERIMENT, make_three_tier

from app.main_window import MainWindow
from app.resources import EXAMPLES
from app.run.event_log import kind_label
from app.run.session import FAILED, FINISHED, STOPPED
from app.run.ui import install
from app.store import Autosave, RecentFiles, open_project
from engine.model import Project

FULL_SPEED = 4  # index of "Full speed" in the speed picker
STOP_BOUND_S = 0.1
STOP_MARGIN_S = 0.9  # generous: a loaded machine and a low-priority worker


def make_window(qtbot, tmp_path, name: str = "w"):
    settings = QSettings(str(tmp_path / f"{name}.ini"), QSettings.Format.IniFormat)
    w = MainWindow(settings, RecentFiles(tmp_path / f"{name}-data"), Autosave(tmp_path / f"{name}-recovery"))
    w.ask_save_changes = lambda: "discard"
    ui = install(w)
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.show()
    qtbot.waitExposed(w)
    return w, ui


@pytest.fixture
def window(qtbot, tmp_path):
    w, ui = make_window(qtbot, tmp_path)
    w.document.load(Project(name="shop", designs=[make_three_tier()]))
    ui.speed_combo.setCurrentIndex(FULL_SPEED)
    ui.duration_spin.setValue(40)
    ui.set_experiment(EXPERIMENT)
    yield w
    ui.shutdown()
    w.close()


def run_and_wait(qtbot, ui):
    with qtbot.waitSignal(ui.controller.idle, timeout=30_000):
        ui.run_action.trigger()
    # The dashboard draws the run's last rows on its next timer ticks.
    qtbot.waitUntil(lambda: not ui.dashboard.redrawing, timeout=20_000)
    return ui.session


def node_health(window, name):
    component = window.document.component_named(name)
    return window.scene.node_item(component.id).health


def test_short_run_finishes_and_its_plots_hold_data(qtbot, window):
    ui = window.run_ui
    session = run_and_wait(qtbot, ui)
    assert session.status == FINISHED
    assert session.experiment == EXPERIMENT
    # Default components: the client end to end, and the most loaded one.
    assert ui.dashboard.components[0] == "users"
    assert len(ui.dashboard.components) == 2
    throughput = [c for c in ui.dashboard._curves if c.plot == "throughput"]
    assert throughput
    for curve in throughput:
        x, y = curve.item.getData()
        assert len(x) == 40 and np.nansum(y) > 0
    x, y = ui.dashboard._stack[-1].getData()
    assert len(x) == 40 and np.nanmax(y) > 0  # the outage shows in the stacked error rate
    assert ui.dashboard.frames_drawn > 0
    qtbot.waitUntil(lambda: not ui.dashboard.redrawing, timeout=20_000)  # the last rows are drawn on its ticks
    assert ui.dashboard.strip.image is not None  # breaker strip drawn
    assert len(ui.dashboard._regions) > 0  # fault window shaded
    # Canvas health and the event log.
    health = node_health(window, "api")
    assert health is not None and "utilisation" in health and health.get("breaker") in ("closed", "open", "half_open")
    assert ui.event_log.model.rowCount() > 0
    assert ui.keep_action.isEnabled() and ui.report_action.isEnabled()
    assert ui.run_action.isEnabled() and not ui.stop_action.isEnabled()


def test_stop_mid_run_ends_within_the_bound(qtbot, window):
    ui = window.run_ui
    ui.duration_spin.setValue(1_000_000)
    with qtbot.waitSignal(ui.controller.updated, timeout=10_000):
        ui.run_action.trigger()
    assert ui.stop_action.isEnabled() and not ui.run_action.isEnabled()
    with qtbot.waitSignal(ui.controller.idle, timeout=10_000):
        ui.stop_action.trigger()
    assert ui.controller.stop_latency < STOP_BOUND_S + STOP_MARGIN_S
    assert ui.session.status == STOPPED
    assert ui.run_action.isEnabled()
    assert "stopped" in ui.dashboard.title_label.text()


def test_compare_overlays_both_runs_and_fills_the_table(qtbot, window):
    ui = window.run_ui
    ui.compare_action.setChecked(True)
    ui.replications_spin.setValue(2)
    session = run_and_wait(qtbot, ui)
    assert session.status == FINISHED and session.is_comparison
    variants = {c.variant for c in ui.dashboard._curves if c.plot == "throughput"}
    assert variants == {"protected", "unprotected"}
    for curve in ui.dashboard._curves:
        if curve.plot == "throughput":
            assert len(curve.item.getData()[0]) == 40
    dashed = [c for c in ui.dashboard._curves if c.variant == "unprotected"]
    assert all(c.item.opts["pen"].style().name == "DashLine" for c in dashed)
    table = ui.dashboard.table
    assert ui.dashboard.table_box.isVisible() and table.rowCount() > 0
    headers = [table.horizontalHeaderItem(i).text() for i in range(table.columnCount())]
    assert headers[:2] == ["Figure", "Difference"]  # the difference never scrolls out of view
    assert table.item(0, 0).text() == "users"  # rows grouped under their component
    assert table.item(1, 0).text() == "Throughput"
    assert "±" in table.item(1, 1).text()  # two replications: a confidence interval
    runs = ui.dashboard.table_box.value_item("Throughput", "unprotected")
    assert runs is not None and "±" in runs.text()  # each run's figure too, beside or under it
    assert {e["variant"] for e in ui.event_log.model.events} == {"protected", "unprotected"}


def test_clicking_an_event_selects_its_component_and_moves_the_cursor(qtbot, window):
    ui = window.run_ui
    run_and_wait(qtbot, ui)
    ui.event_log.set_filter(kind="breaker_opened")
    events = ui.event_log.visible_events()
    assert events and all(e["kind"] == "breaker_opened" for e in events)
    ui.event_log.activate_row(0)
    api = window.document.component_named("api")
    assert window.document.selection == [api.id]
    assert ui.dashboard.cursor_time == pytest.approx(events[0]["time"])
    assert ui.dashboard.slider.value() == int(events[0]["time"])
    ui.event_log.set_filter(component="db")
    assert all("db" in (e.get("component"), (e.get("link") or "").split(" -> ")[-1])
               for e in ui.event_log.visible_events())


def test_the_time_slider_replays_health_on_the_canvas(qtbot, window):
    ui = window.run_ui
    run_and_wait(qtbot, ui)
    slider = ui.dashboard.slider
    assert slider.isEnabled()
    slider.setValue(5)  # before the outage
    assert node_health(window, "db")["crashed"] == 0
    slider.setValue(15)  # during it
    assert node_health(window, "db")["crashed"] == 1
    assert ui.dashboard.cursor_time == pytest.approx(15.5)


def test_kept_run_is_saved_and_reopens_without_running(qtbot, window, tmp_path):
    ui = window.run_ui
    ui.compare_action.setChecked(True)
    session = run_and_wait(qtbot, ui)
    assert not window.document.modified
    group = ui.keep_action.trigger() or ui.runs_panel.groups[0]
    assert window.document.modified
    assert len(window.document.runs) == 2
    assert not ui.keep_action.isEnabled()
    assert group.variants == ["protected", "unprotected"]
    path = tmp_path / "shop.faultline"
    assert window._save_to(path)
    assert len(open_project(path).runs) == 2

    other, other_ui = make_window(qtbot, tmp_path, "second")
    try:
        assert other.open_path(path, ask=False)
        assert len(other_ui.runs_panel.groups) == 1
        started = []
        other_ui.controller.started.connect(started.append)
        reopened = other_ui.open_group(other_ui.runs_panel.groups[0])
        assert not started and not other_ui.controller.running
        assert reopened.variant_names == ["protected", "unprotected"]
        assert json.dumps(reopened.table) == json.dumps(session.table)  # NaN intervals compare as text
        original = session.variants["protected"].column("throughput", "users")
        assert np.array_equal(reopened.variants["protected"].column("throughput", "users"), original)
        x, _y = [c for c in other_ui.dashboard._curves if c.plot == "throughput"][0].item.getData()
        assert len(x) == 40
        assert other_ui.event_log.model.rowCount() == ui.event_log.model.rowCount()
        assert other_ui.dashboard.table.rowCount() > 0
        # Delete it again: an undo step, so nothing is asked first.
        other_ui.confirm = lambda text: pytest.fail(f"asked before an undoable delete: {text}")
        assert other_ui.delete_group(other_ui.runs_panel.groups[0])
        assert other.document.runs == () and other_ui.runs_panel.groups == []
    finally:
        other_ui.shutdown()
        other.close()


def test_report_is_written_and_names_the_experiment(qtbot, window, tmp_path):
    ui = window.run_ui
    ui.compare_action.setChecked(True)
    run_and_wait(qtbot, ui)
    target = tmp_path / "report"
    ui.choose_report_path = lambda suggested: str(target)
    written = ui.export_report_dialog()
    assert written == tmp_path / "report.html"
    text = written.read_text(encoding="utf-8")
    assert EXPERIMENT in text
    assert text.count("data:image/png;base64,") == 2  # the design and the plots
    assert "Comparison" in text and "With resilience" in text
    assert "breaker opened" in text  # event log excerpt


def test_plots_export_as_png_and_csv(qtbot, window, tmp_path):
    ui = window.run_ui
    run_and_wait(qtbot, ui)
    ui.dashboard.export_png(tmp_path / "plots.png")
    assert (tmp_path / "plots.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    ui.dashboard.export_csv(tmp_path / "plots.csv")
    lines = (tmp_path / "plots.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("time_s,") and "users" in lines[0]
    assert len(lines) == 41


def test_an_error_in_a_run_is_shown_in_the_window(qtbot, window, monkeypatch):
    ui = window.run_ui
    asked = ui.request

    def no_such_experiment():
        return dataclasses.replace(asked(), experiment="no such experiment")

    monkeypatch.setattr(ui, "request", no_such_experiment)
    session = run_and_wait(qtbot, ui)
    assert session.status == FAILED
    assert ui.dashboard.error_label.isVisible()
    assert "no such experiment" in ui.dashboard.error_label.text()


def test_a_design_with_problems_is_refused_and_the_last_run_stays(qtbot, window):
    ui = window.run_ui
    finished = run_and_wait(qtbot, ui)
    lonely = window.document.edit.add_component("client", (0, 400))
    window.document.edit.add_component("client", (0, 600))
    assert ui.run() is None
    assert not ui.controller.running and ui.session is finished
    message = window.statusBar().currentMessage()
    assert message.startswith('Fix the design before running it: client "client": sends to nothing')
    assert "1 more problem" in message
    # the first problem's component is selected, to be fixed
    assert window.document.selection == [lonely]


def test_a_run_too_short_for_its_faults_is_refused_before_it_starts(qtbot, window):
    ui = window.run_ui
    ui.duration_auto.setChecked(False)
    ui.duration_spin.setValue(15)  # the outage's 10-20 s window would be cut by the end of the run
    assert ui.run() is None and not ui.controller.running
    message = window.statusBar().currentMessage()
    assert message.startswith("The run is too short for this experiment:")
    assert "window 10-20 s ends after the run (15 s)" in message
    ui.duration_spin.setValue(40)
    assert run_and_wait(qtbot, ui).status == FINISHED


def test_closing_the_window_during_a_run_stops_it(qtbot, tmp_path):
    w, ui = make_window(qtbot, tmp_path)
    w.document.load(Project(name="shop", designs=[make_three_tier()]))
    ui.duration_spin.setValue(1_000_000)
    ui.speed_combo.setCurrentIndex(FULL_SPEED)
    with qtbot.waitSignal(ui.controller.updated, timeout=10_000):
        ui.run()
    w.close()
    qtbot.waitUntil(lambda: not ui.controller.running, timeout=20_000)
    qtbot.waitUntil(lambda: not ui.dashboard.redrawing, timeout=20_000)  # the last rows are drawn on its ticks


def test_live_run_redraws_on_a_timer_while_running(qtbot, window):
    ui = window.run_ui
    ui.speed_combo.setCurrentIndex(0)  # real time: the 40 s run outlasts any wait below
    timer_running = []
    ui.controller.updated.connect(lambda s: timer_running.append(ui.dashboard.redrawing))
    ui.run()
    # frames are waited for, not counted in a set time: a loaded machine draws fewer a second
    qtbot.waitUntil(lambda: ui.dashboard.frames_drawn >= 3 and bool(timer_running), timeout=20_000)
    assert ui.controller.running
    assert all(timer_running)
    with qtbot.waitSignal(ui.controller.idle, timeout=20_000):
        ui.stop()
    qtbot.waitUntil(lambda: not ui.dashboard.redrawing, timeout=20_000)  # the last rows are drawn on its ticks


def test_a_copy_without_runs_leaves_them_out(qtbot, window, tmp_path):
    ui = window.run_ui
    run_and_wait(qtbot, ui)
    ui.keep_run()
    full, slim = tmp_path / "full.faultline", tmp_path / "slim.faultline"
    assert window._save_to(full)
    window.choose_save_path = lambda caption, filters, suggested: str(tmp_path / "slim")
    assert ui.save_copy_without_runs_dialog() == slim
    assert len(open_project(full).runs) == 1
    assert open_project(slim).runs == []
    assert slim.stat().st_size < full.stat().st_size
    assert window.document.path == full  # the open file stays the one saved with runs


def test_picking_components_and_log_latency(qtbot, window):
    ui = window.run_ui
    run_and_wait(qtbot, ui)
    dash = ui.dashboard
    dash.set_components(["users", "db"])
    assert {c.component for c in dash._curves} == {"users", "db"}
    lb = next(a for a in dash.components_menu.actions() if a.text() == "lb")
    lb.trigger()  # ticking a component in the menu adds it
    assert dash.components == ["users", "db", "lb"]
    lb.trigger()
    assert dash.components == ["users", "db"]
    menu_checked = {a.text() for a in dash.components_menu.actions() if a.isChecked()}
    assert menu_checked == {"users", "db"}
    dash.log_latency.setChecked(True)
    assert dash.plots["latency"].ctrl.logYCheck.isChecked()
    # Its curves draw the logarithms of their values (the whole run is in view: its peak too).
    latency = next(c for c in dash._curves if c.plot == "latency" and np.isfinite(c.values).any())
    assert np.nanmax(latency.item.yData) == pytest.approx(np.log10(np.nanmax(latency.values)))
    # The crosshair reads the values under the mouse.
    plot = dash.plots["throughput"]
    centre = plot.vb.sceneBoundingRect().center()
    t = plot.vb.mapSceneToView(centre).x()
    dash._on_mouse_moved(centre)
    assert f"t = {t:.1f} s" in dash.readout.text() and "users" in dash.readout.text()
    assert dash._hover_lines["queue"].isVisible() and dash._hover_lines["queue"].value() == pytest.approx(t)


def test_opening_another_project_stops_the_run_and_clears_the_dashboard(qtbot, window):
    ui = window.run_ui
    ui.duration_spin.setValue(1_000_000)
    with qtbot.waitSignal(ui.controller.updated, timeout=10_000):
        ui.run()
    with qtbot.waitSignal(ui.controller.idle, timeout=20_000):
        window.document.load(Project(name="other", designs=[make_three_tier(rate=50)]))
    assert ui.session is None
    assert ui.dashboard.pages.currentWidget() is ui.dashboard.placeholder
    assert ui.event_log.model.rowCount() == 0
    assert all(item.health is None for item in window.scene.node_items())


def test_baseline_is_dotted_and_a_single_run_reports_without_comparison(qtbot, window, tmp_path):
    ui = window.run_ui
    ui.baseline_action.setChecked(True)
    session = run_and_wait(qtbot, ui)
    assert session.variant_names == ["protected", "baseline"]
    dotted = [c for c in ui.dashboard._curves if c.variant == "baseline"]
    assert dotted and all(c.item.opts["pen"].style().name == "DotLine" for c in dotted)
    assert not any(e["kind"] == "fault_started" for e in session.variants["baseline"].events)

    ui.baseline_action.setChecked(False)
    ui.set_experiment(None)
    session = run_and_wait(qtbot, ui)
    assert session.variant_names == ["protected"] and session.experiment is None
    assert not ui.dashboard.table_box.isVisible()
    text = ui.export_report(tmp_path / "single.html").read_text(encoding="utf-8")
    assert "No faults were injected." in text and "<h2>Comparison</h2>" not in text


def test_the_canvas_can_show_either_run_of_a_comparison(qtbot, window):
    ui = window.run_ui
    ui.compare_action.setChecked(True)
    run_and_wait(qtbot, ui)
    ui.dashboard.slider.setValue(15)
    assert "breaker" in node_health(window, "api")
    combo = ui.dashboard.variant_combo
    combo.setCurrentIndex(combo.findData("unprotected"))
    assert "breaker" not in node_health(window, "api")  # no patterns, no breakers
    assert node_health(window, "db")["crashed"] == 1


def test_a_run_without_resilience_alone_is_drawn_solid_and_has_no_breakers(qtbot, window):
    ui = window.run_ui
    ui.resilience_action.setChecked(False)
    session = run_and_wait(qtbot, ui)
    assert session.variant_names == ["unprotected"]
    assert all(c.item.opts["pen"].style().name == "SolidLine" for c in ui.dashboard._curves)
    assert session.breakers == []
    assert ui.dashboard.breaker_strip.note.textItem.toPlainText() == "no circuit breakers in this run"
    assert "breaker" not in node_health(window, "api")


def test_f5_runs_and_shift_f5_stops(qtbot, window):
    from PySide6.QtCore import Qt

    ui = window.run_ui
    ui.duration_spin.setValue(1_000_000)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=20_000)
    window.view.setFocus()
    with qtbot.waitSignal(ui.controller.updated, timeout=10_000):
        qtbot.keyClick(window.view, Qt.Key.Key_F5)
    with qtbot.waitSignal(ui.controller.idle, timeout=10_000):
        qtbot.keyClick(window.view, Qt.Key.Key_F5, Qt.KeyboardModifier.ShiftModifier)
    assert ui.session.status == STOPPED


def test_run_panes_come_back_where_the_user_left_them(qtbot, tmp_path):
    first, ui = make_window(qtbot, tmp_path, "layout")
    ui.log_dock.hide()
    first.close()  # saves the layout
    second, ui2 = make_window(qtbot, tmp_path, "layout")
    assert not ui2.log_dock.isVisible()
    assert ui2.dashboard_dock.isVisible()
    second.close()


def test_a_layout_saved_with_a_run_shown_comes_back_modest_until_a_run(qtbot, tmp_path):
    from app.run.ui import MODEST_DOCK_HEIGHT

    first, ui = make_window(qtbot, tmp_path, "tall")
    first.document.load(Project(name="shop", designs=[make_three_tier()]))
    ui.speed_combo.setCurrentIndex(FULL_SPEED)
    ui.duration_spin.setValue(20)
    run_and_wait(qtbot, ui)
    tall = ui.dashboard_dock.height()
    assert tall > MODEST_DOCK_HEIGHT + 200                      # the first run grew it
    ui.shutdown()
    first.close()                                                # saves the layout, dashboard tall
    second, ui2 = make_window(qtbot, tmp_path, "tall")
    # "No run yet" over most of the window, the canvas a strip: no longer
    qtbot.waitUntil(lambda: ui2.dashboard_dock.height() <= MODEST_DOCK_HEIGHT + 40, timeout=5_000)
    second.document.load(Project(name="shop", designs=[make_three_tier()]))
    ui2.speed_combo.setCurrentIndex(FULL_SPEED)
    ui2.duration_spin.setValue(20)
    run_and_wait(qtbot, ui2)
    assert abs(ui2.dashboard_dock.height() - tall) <= 40          # the height the user had with a run
    ui2.shutdown()
    second.close()


def test_run_controls_are_remembered(qtbot, tmp_path):
    first, ui = make_window(qtbot, tmp_path, "controls")
    first.document.load(Project(name="shop", designs=[make_three_tier()]))
    ui.duration_spin.setValue(25)
    ui.seed_spin.setValue(9)
    ui.compare_action.setChecked(True)
    ui.speed_combo.setCurrentIndex(FULL_SPEED)
    with qtbot.waitSignal(ui.controller.idle, timeout=20_000):
        ui.run()
    first.close()
    second, ui2 = make_window(qtbot, tmp_path, "controls")
    assert ui2.duration_spin.value() == 25 and ui2.seed_spin.value() == 9
    assert ui2.compare_action.isChecked() and ui2.compare_check.isChecked()
    assert ui2.speed_combo.currentIndex() == FULL_SPEED
    second.close()


def test_kept_runs_can_be_renamed_and_the_log_exported(qtbot, window, tmp_path):
    ui = window.run_ui
    ui.compare_action.setChecked(True)
    run_and_wait(qtbot, ui)
    group = ui.keep_run()
    ui.rename_group(group, "before the pool fix")
    [renamed] = ui.runs_panel.groups
    assert renamed.label == "before the pool fix"
    assert [r.label for r in window.document.runs] == ["before the pool fix — with resilience",
                                                      "before the pool fix — without resilience"]
    ui.event_log.set_filter(kind="breaker_closed")
    count = ui.event_log.export_csv(tmp_path / "events.csv")
    lines = (tmp_path / "events.csv").read_text(encoding="utf-8").splitlines()
    assert count > 0 and len(lines) == count + 1
    assert all(f",{kind_label('breaker_closed')}," in line for line in lines[1:])  # the window's words


def test_saving_with_an_unkept_run_says_so(qtbot, window, tmp_path):
    ui = window.run_ui
    run_and_wait(qtbot, ui)
    window.document.edit.add_component("service")  # something to save
    assert window._save_to(tmp_path / "shop.faultline")
    qtbot.waitUntil(lambda: "not in the file" in window.statusBar().currentMessage(), timeout=20_000)


def test_a_kept_run_in_wider_buckets_is_drawn_and_replayed_on_its_own_grid(qtbot, tmp_path):
    from app.run.saved import saved_runs_of
    from app.run.session import RunSession
    from engine import RunOptions, simulate

    w, ui = make_window(qtbot, tmp_path, "wide")
    try:
        design = make_three_tier()
        options = RunOptions(duration=32, seed=2, max_buckets=8)
        runs = {"protected": simulate(design, options, EXPERIMENT),
                "unprotected": simulate(design, options.model_copy(update={"resilience": False}), EXPERIMENT)}
        w.document.load(Project(name="shop", designs=[design]),
                        runs=saved_runs_of(RunSession.from_results(runs), design.id))
        session = ui.open_group(ui.runs_panel.groups[0])
        assert (session.bucket, session.n_buckets) == (4.0, 8)
        x, _y = [c for c in ui.dashboard._curves if c.plot == "throughput"][0].item.getData()
        assert list(x) == [2.0 + 4.0 * b for b in range(8)]     # each 4 s bucket at its middle
        assert ui.dashboard.slider.maximum() == 7
        ui.dashboard.slider.setValue(3)
        assert ui.dashboard.cursor_time == pytest.approx(14.0)
        assert node_health(w, "db")["crashed"] == 1               # 12-16 s holds the outage (10-20 s)
        # the comparison's figures include how long the queues grew at most
        ui.dashboard.table_box.all_rows_check.setChecked(True)
        table = ui.dashboard.table
        figures = {table.item(r, 0).text() for r in range(table.rowCount()) if table.item(r, 0)}
        assert "Peak queue" in figures
    finally:
        ui.shutdown()
        w.close()


def test_the_fault_timeline_spans_the_run_from_the_start(qtbot, tmp_path):
    """Seen at 1280x720: a 300 s run's timeline showed 0-100 s until the duration was edited."""
    w, ui = make_window(qtbot, tmp_path, "timeline")
    w.import_path(EXAMPLES / "three_tier.json", ask=False)
    timeline = w.faults.timeline
    # the duration follows the experiment (150 s for the database outage), not the spin box's default
    assert timeline.run_duration == ui.duration_spin.value() == 150
    assert timeline.horizon() == 150
    ui.shutdown()
    w.close()


def test_after_an_edit_the_canvas_shows_the_design_not_the_last_runs_colours(qtbot, window):
    ui = window.run_ui
    run_and_wait(qtbot, ui)
    assert node_health(window, "db") is not None
    db = window.document.component_named("db")
    # Moving is not an edit of the design: the run's colours stay.
    window.document.edit.move_components({db.id: (db.position.x + 40, db.position.y)})
    assert node_health(window, "db") is not None
    window.document.edit.set_component_fields(db.id, {"name": "database"})
    assert all(item.health is None for item in window.scene.node_items())


def test_the_dashboard_says_when_the_design_was_edited_since_the_run(qtbot, window):
    ui = window.run_ui
    run_and_wait(qtbot, ui)
    doc, title = window.document, ui.dashboard.title_label
    db = doc.component_named("db")
    assert "edited" not in title.text()
    doc.edit.move_components({db.id: (db.position.x + 40, db.position.y)})     # where it stands is no edit
    assert "edited" not in title.text()
    doc.edit.set_component_fields(db.id, {"connections": 5})
    assert "finished · design edited since" in title.text()
    doc.undo_stack.undo()                                                       # back to what ran
    assert "edited" not in title.text()
    ui.keep_action.trigger()
    doc.edit.set_component_fields(db.id, {"connections": 5})
    ui.open_group(ui.runs_panel.groups[0])                                      # a kept run of the older design
    assert "design edited since" in title.text()
    doc.undo_stack.undo()
    assert "edited" not in title.text()
