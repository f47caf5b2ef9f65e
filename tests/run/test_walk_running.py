"""Running, as a demanding user walked through it: the warnings before a run and what the dashboard shows."""
from __future__ import annotations

import pytest
from colour_contrast import contrast
from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QApplication
from test_run_window import run_and_wait, window  # noqa: F401  (the fixture)

from app.run.capacity import capacity, overloads
from app.run.formatting import format_time
from app.run.plot_grid import PLOT_TITLES
from app.run.session import STOPPED
from engine.model import (
    Autoscaler,
    Client,
    Constant,
    CrashFault,
    Design,
    Experiment,
    Exponential,
    Link,
    OpenLoop,
    Project,
    Service,
)


def autoscaled_design(enabled: bool) -> Design:
    """300/s into a service that starts with one instance of 100/s and may grow to five."""
    return Design(
        name="scaling",
        components=[
            Client(name="users", workload=OpenLoop(rate=300)),
            Service(name="api", instances=1, workers=10, service_time=Constant(value=0.1),
                    autoscaling=Autoscaler(enabled=enabled, min_replicas=1, max_replicas=5)),
        ],
        links=[Link(source="users", target="api")],
    )


def test_an_autoscaled_service_is_not_called_overloaded_by_load_it_can_scale_to():
    assert capacity(autoscaled_design(True).components[1]) == pytest.approx(5 * 10 / 0.1)
    assert overloads(autoscaled_design(True)) == []
    # without its autoscaler the same service is three times over what it can serve
    assert [o.component for o in overloads(autoscaled_design(False))] == ["api"]


def test_a_kept_stopped_run_says_where_it_stopped(qtbot, window):  # noqa: F811
    ui = window.run_ui
    ui.duration_spin.setValue(1_000_000)
    with qtbot.waitSignal(ui.controller.updated, timeout=10_000):
        ui.run_action.trigger()
    with qtbot.waitSignal(ui.controller.idle, timeout=10_000):
        ui.stop_action.trigger()
    session = ui.session
    assert session.status == STOPPED
    # where the results end, as the report and the banner say it: the label said the last
    # bucket's end, the report the last live frame's time, three times for one run
    data = session.variants[session.primary]
    reached = data.result.meta["simulated_time"]
    assert data.now == reached
    group = ui.keep_run()
    assert group is not None
    assert group.short_label.endswith(f"stopped at {format_time(reached)}")
    assert ui.runs_panel.tree.topLevelItem(0).text(0) == group.short_label


def test_log_latency_keeps_the_time_zoom_of_every_plot(qtbot, window):  # noqa: F811
    ui = window.run_ui
    run_and_wait(qtbot, ui)
    dashboard = ui.dashboard
    dashboard.plots["throughput"].setXRange(10, 20, padding=0)
    dashboard.log_latency.setChecked(True)
    for key in ("throughput", "latency", "queue"):
        assert dashboard.plots[key].vb.viewRange()[0] == pytest.approx([10, 20]), key
    assert not dashboard.plots["latency"].vb.autoRangeEnabled()[0]
    dashboard.log_latency.setChecked(False)
    assert dashboard.plots["latency"].vb.viewRange()[0] == pytest.approx([10, 20])


def test_instances_an_autoscaler_removed_are_not_shown_as_crashed(qtbot, window):  # noqa: F811
    design = Design(
        name="quiet", components=[
            Client(name="users", workload=OpenLoop(rate=20)),
            Service(name="api", instances=4, workers=4, service_time=Exponential(mean=0.02),
                    autoscaling=Autoscaler(enabled=True, min_replicas=1, max_replicas=6, sync_period=5,
                                           scale_down_stabilization=0))],
        links=[Link(source="users", target="api")],
        experiments=[Experiment(name="crash one", faults=[CrashFault(target="api", start=40, duration=20,
                                                                     instances={"count": 1})])])
    window.document.load(Project(name="p", designs=[design.check()]))
    ui = window.run_ui
    ui.duration_spin.setValue(80)
    ui.set_experiment("crash one")
    session = run_and_wait(qtbot, ui)
    data = session.variants[session.primary]
    at_30_s = int(30 / session.bucket)
    up = data.column("instances_up", "api")
    assert up[0] == 4 and up[at_30_s] == 1  # the autoscaler took three away: the load needs one
    quiet = session.health(bucket=at_30_s)["api"]
    assert quiet["instances"] == 1 and quiet["crashed"] == 0
    crashed = session.health(bucket=int(50 / session.bucket))["api"]
    assert crashed["crashed"] >= 1


def _hover(dashboard, key: str, t: float) -> str:
    plot = dashboard.plots[key]
    y = plot.vb.viewRange()[1]
    dashboard._on_mouse_moved(plot.vb.mapViewToScene(QPointF(t, sum(y) / 2)))
    return dashboard.readout.text()


def test_hovering_the_error_plot_reads_each_runs_total(qtbot, window):  # noqa: F811
    ui = window.run_ui
    ui.compare_check.setChecked(True)
    session = run_and_wait(qtbot, ui)
    dashboard = ui.dashboard
    focus = dashboard.components[0]
    quiet = _hover(dashboard, "errors", 5.0)  # before the database hangs: nothing fails
    assert f"{focus} total (with resilience) 0 %" in quiet, quiet
    assert f"{focus} total (without resilience)" in quiet
    data = session.variants[session.primary]
    failing = next(b for b in range(data.n) if data.column("timeout", focus)[b] or data.column("error", focus)[b]
                   or data.column("short_circuited", focus)[b])
    busy = _hover(dashboard, "errors", (failing + 0.5) * session.bucket)
    assert f"{focus} total (with resilience) 0 %" not in busy and f"{focus} total (with resilience)" in busy, busy


def test_the_error_plot_names_no_component_once_none_is_plotted(qtbot, window):  # noqa: F811
    ui = window.run_ui
    run_and_wait(qtbot, ui)
    dashboard = ui.dashboard
    errors = dashboard.plots["errors"]
    shown = list(dashboard.components)
    assert shown[0] in errors.titleLabel.text
    for name in shown:
        dashboard._component_actions[name].trigger()  # unticked in the Components menu
    assert dashboard.components == []
    assert errors.titleLabel.text.startswith(PLOT_TITLES["errors"])
    assert not any(name in errors.titleLabel.text for name in shown)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_empty_runs_panel_hint_reads_in_either_theme(qtbot, window, theme):  # noqa: F811
    app = QApplication.instance()
    old_palette, old_sheet, old_style = app.palette(), app.styleSheet(), app.style().name()
    try:
        window.set_theme(theme)
        hint = window.run_ui.runs_panel.empty_label
        hint.ensurePolished()
        text, background = hint.palette().windowText().color(), window.palette().window().color()
        assert contrast(text, background) >= 4.5, (theme, text.name(), background.name())
    finally:
        app.setStyle(old_style)
        app.setPalette(old_palette)
        app.setStyleSheet(old_sheet)
