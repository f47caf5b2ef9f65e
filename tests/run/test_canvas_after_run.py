"""What the canvas and the event log show of a run: colours and link figures until an edit, the slider's time."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings
from run_builders import make_three_tier

from app.main_window import MainWindow
from app.run.formatting import significant
from app.run.session import FINISHED
from app.run.ui import install
from app.store import Autosave, RecentFiles
from engine.model import Project


@pytest.fixture
def window(qtbot, tmp_path):
    settings = QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat)
    w = MainWindow(settings, RecentFiles(tmp_path / "data"), Autosave(tmp_path / "recovery"))
    w.ask_save_changes = lambda: "discard"
    ui = install(w)
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.show()
    qtbot.waitExposed(w)
    ui.speed_combo.setCurrentIndex(ui.speed_combo.count() - 1)
    ui.duration_spin.setValue(20)
    w.document.load(Project(name="p", designs=[make_three_tier()]))
    yield w
    ui.shutdown()
    w.close()


def finished_run(qtbot, window):
    ui = window.run_ui
    with qtbot.waitSignal(ui.controller.idle, timeout=30_000):
        ui.run()
    assert ui.session.status == FINISHED
    return ui.session


def coloured(window) -> list[str]:
    doc = window.document
    return sorted(c.name for c in doc.design.components if window.scene.node_item(c.id).health)


def test_an_edit_clears_the_last_runs_colours_and_a_move_keeps_them(qtbot, window):
    doc = window.document
    finished_run(qtbot, window)
    assert "api" in coloured(window)
    api = doc.component_named("api")
    doc.edit.move_components({api.id: (api.position.x, api.position.y + 200)})
    assert "api" in coloured(window)  # the same design, drawn elsewhere
    doc.edit.set_component_fields(api.id, {"workers": 4})
    assert coloured(window) == []
    # the time slider replays the run on demand
    window.run_ui.dashboard.set_cursor(5.0)
    window.run_ui._on_cursor(5.0)
    assert "api" in coloured(window)
    doc.undo_stack.undo()
    assert coloured(window) == []


def test_adding_a_fault_clears_them_too(qtbot, window):
    doc = window.document
    finished_run(qtbot, window)
    assert coloured(window)
    experiment = doc.design.experiments[0]
    doc.edit.add_fault(experiment.id, "latency", "db")
    assert coloured(window) == []


def test_links_show_calls_retries_and_failures_and_follow_the_slider(qtbot, window):
    ui = window.run_ui
    session = finished_run(qtbot, window)
    doc = window.document
    item = window.scene.link_item(doc.design.link("api -> db").id)
    assert "/s" in item.live_text  # the last bucket's figures, once the run is over
    # during the database outage (10 s to 20 s) the api's calls to it fail and are retried
    data = session.variants[session.primary]
    b = session.bucket_at(15.0)
    figures = session.link_figures(bucket=b)["api -> db"]
    i = data.links.index("api -> db")
    calls = data.link_series["calls"][b, i]
    assert figures["rate"] == pytest.approx(calls / session.bucket)
    assert figures["retries"] == pytest.approx(data.link_series["retries"][b, i] / session.bucket)
    ended = sum(data.link_series[o][b, i] for o in ("ok", "error", "timeout", "rejected", "short_circuited",
                                                    "unavailable", "fallback"))
    assert figures["errors"] == pytest.approx(1 - (data.link_series["ok"][b, i] + data.link_series["fallback"][b, i])
                                              / ended)
    ui.dashboard.set_cursor(15.0)
    ui._on_cursor(15.0)
    assert figures["errors"] > 0.05 and item.live_alarm and "% failed" in item.live_text
    ui._on_cursor(5.0)
    assert not item.live_alarm and "failed" not in item.live_text
    users = window.scene.link_item(doc.design.link("users -> lb").id)
    rate = session.link_figures(bucket=session.bucket_at(5.0))["users -> lb"]["rate"]
    assert 100 < rate < 200 and users.live_text == f"{significant(rate, 2)}/s"  # about the client's 150 per second
    # an edit shows the design again: no figures on any link
    doc.edit.set_link_fields(doc.design.link("lb -> api").id, {"count": 2})
    assert all(link.live_text == "" for link in window.scene.link_items())


def test_the_event_log_follows_the_time_slider(qtbot, window):
    ui = window.run_ui
    session = finished_run(qtbot, window)
    log = ui.event_log
    late = log.model.events[-1]
    log.view.setFixedHeight(110)  # a short table: the last events are out of view
    qtbot.wait(10)
    log.view.scrollToTop()

    def shown(event) -> bool:
        row = log.proxy.mapFromSource(log.model.index(log.model.events.index(event), 0))
        return log.view.viewport().rect().intersects(log.view.visualRect(row))

    assert len(log.model.events) > 8 and not shown(late)
    ui._on_cursor(late["time"])
    marked = [log.model.events[r] for r in log.model.highlighted]
    assert late in marked and shown(late)
    assert all(session.bucket_at(e["time"]) == session.bucket_at(late["time"]) for e in marked)
    background = log.model.data(log.model.index(log.model.highlighted[0], 2), 8)  # BackgroundRole
    assert background is not None
    ui._on_cursor(1.5)  # nothing happens in the second second: nothing is marked
    assert not [e for e in log.model.events if 1.0 <= e["time"] < 2.0]
    assert len(log.model.highlighted) == 0
    assert log.model.data(log.model.index(0, 2), 8) is None


def test_a_links_label_names_retries_and_failures_only_when_there_are_some():
    from app.run.formatting import link_figures_forms

    def link_figures_text(figures):
        return link_figures_forms(figures)[0]

    assert link_figures_text({"rate": 152.4, "retries": 0.0, "errors": 0.0}) == "150/s"
    assert link_figures_text({"rate": 40, "retries": 3.4, "errors": 0.125}) == "40/s · 3.4 retries/s · 12 % failed"
    assert link_figures_text({"rate": 40, "retries": 0, "errors": 0.001}) == "40/s · <1 % failed"



def test_a_links_figures_have_shorter_forms_for_short_links():
    from app.run.formatting import link_figures_forms

    assert link_figures_forms({"rate": 212, "retries": 3.4, "errors": 0.125}) == [
        "210/s · 3.4 retries/s · 12 % failed", "210/s · 12 % failed", "210/s"]
    assert link_figures_forms({"rate": 212, "retries": 3.4, "errors": 0}) == ["210/s · 3.4 retries/s", "210/s"]
    assert link_figures_forms({"rate": 212, "retries": 0, "errors": 0}) == ["210/s"]
