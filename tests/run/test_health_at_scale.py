"""The canvas as the time slider replays a run: what each node and link shows, and its tooltip, is what
the run's figures at that time give, however little of it is repainted or rebuilt at each step."""
from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6.QtCore import QEvent
from PySide6.QtGui import QHelpEvent, QImage
from PySide6.QtWidgets import QApplication, QGraphicsItem
from run_builders import make_three_tier
from test_run_window import make_window

from app.canvas.node_item import NodeItem
from app.run.formatting import link_figures_forms
from app.run.session import RunSession, VariantData
from app.run.ui import FULL_SPEED_INDEX, LINK_ALARM
from app.run.worker import VariantFrame
from benchmarks.bench_canvas import large_design
from engine.model import FAILURE_OUTCOMES, OUTCOME_NAMES, Autoscaler, Design, Project, Service


@pytest.fixture
def window(qtbot, tmp_path):
    w, ui = make_window(qtbot, tmp_path)
    ui.confirm = lambda _question: True
    ui.speed_combo.setCurrentIndex(FULL_SPEED_INDEX)
    ui.duration_spin.setValue(30)
    yield w
    ui.shutdown()
    w.close()


def finished_run(qtbot, window, project: Project, compare: bool = False) -> RunSession:
    ui = window.run_ui
    window.document.load(project)
    ui.compare_check.setChecked(compare)
    with qtbot.waitSignal(ui.controller.idle, timeout=60_000):
        ui.run()
    qtbot.wait(50)  # the dashboard's staged work after the end
    return ui.session


def step(window, value: int) -> None:
    """Move the time slider as a user does, and let the window paint what it caused."""
    window.run_ui.dashboard.slider.setValue(value)
    QApplication.processEvents()


def fresh_tooltip(item: NodeItem) -> str:
    """The tooltip a node just made with this health has."""
    fresh = NodeItem(item.component_id, item.view, item.colours)
    fresh.set_health(item.health)
    return fresh.toolTip()


def assert_canvas_shows(window, session: RunSession, variant: str, bucket: int) -> None:
    doc, scene = window.document, window.scene
    health = session.health(variant, bucket)
    for component in doc.design.components:
        item = scene.node_item(component.id)
        assert item.health == health[component.name], component.name
        tip = item.toolTip()
        assert tip == fresh_tooltip(item)
        assert f"util {health[component.name]['utilisation'] * 100:.0f} %" in tip
    figures = session.link_figures(variant, bucket)
    for link in doc.design.links:
        item = scene.link_item(link.id)
        text, *shorter = link_figures_forms(figures[link.name])
        assert (item.live_text, item.live_alarm, item.live_shorter) == \
            (text, figures[link.name]["errors"] >= LINK_ALARM, tuple(shorter)), link.name
        assert item.toolTip().endswith(f"<br>In the run: {text}")


def test_each_step_of_the_slider_shows_that_buckets_health_on_every_node_and_link(qtbot, window):
    session = finished_run(qtbot, window, large_design(100))
    window.view.fit()
    QApplication.processEvents()
    for value in (session.n_buckets - 2, 3, 17, 4, 0):
        step(window, value)
        assert_canvas_shows(window, session, session.primary, value)


def test_each_variant_of_a_comparison_through_an_outage(qtbot, window):
    design = make_three_tier()
    session = finished_run(qtbot, window, Project(name="p", designs=[design]), compare=True)
    ui = window.run_ui
    assert len(session.variants) == 2
    combo = ui.dashboard.variant_combo
    alarms = set()
    for variant in session.variants:
        combo.setCurrentIndex(combo.findData(variant))
        assert ui.dashboard.canvas_variant == variant
        for value in (5, 15, 12, 25, 15):  # the database hangs from 10 s to 20 s
            step(window, value)
            assert_canvas_shows(window, session, variant, value)
            alarms |= {(variant, value, item.name) for item in window.scene.link_items() if item.live_alarm}
    assert ("protected", 15, "api -> db") in alarms  # its calls to the hung database fail


def _image(view) -> QImage:
    return view.viewport().grab().toImage()


@pytest.mark.parametrize("zoom", [0.1, 0.5, 1.0])  # a box per node, its name alone, everything
def test_what_is_painted_after_each_step_is_what_a_fresh_repaint_paints(qtbot, window, zoom):
    session = finished_run(qtbot, window, Project(name="p", designs=[make_three_tier()]))
    view = window.view
    view.resetTransform()
    view.scale(zoom, zoom)
    view.centerOn(window.scene.nodes_rect().center())
    QApplication.processEvents()
    for value in (5, 15, 16, 25, 12, session.n_buckets - 1):
        step(window, value)
        shown = _image(view)
        for item in window.scene.node_items() + window.scene.link_items():
            item.update()  # drops every cached picture of it
        assert _image(view) == shown, f"bucket {value}"


def test_a_node_is_repainted_when_what_it_shows_at_its_zoom_changes(qtbot, window, monkeypatch):
    finished_run(qtbot, window, Project(name="p", designs=[make_three_tier()]))
    view, item = window.view, window.scene.node_item(window.document.component_named("api").id)
    updates = []
    monkeypatch.setattr(item, "update", lambda *args: updates.append(args))

    calm = {"utilisation": 0.30, "error_rate": 0.0, "instances": 3, "crashed": 0}

    def painted_at(zoom: float) -> None:
        view.resetTransform()
        view.scale(zoom, zoom)
        view.centerOn(item)
        view.viewport().grab()
        updates.clear()

    item.set_health(calm)  # repainted afresh from now on: only at the zoom below
    painted_at(0.1)  # a box in its health's colour
    item.set_health({**calm, "utilisation": 0.35})
    assert updates == []  # the same colour: not a pixel changes
    item.set_health({**calm, "error_rate": 0.2})
    assert len(updates) == 1  # red now
    painted_at(1.0)  # its figures in words
    item.set_health({**calm, "error_rate": 0.2, "utilisation": 0.55})
    assert len(updates) == 1
    assert "util 55 %" in item.toolTip()


def test_a_link_zoomed_out_too_far_for_labels_takes_new_figures_without_a_repaint(qtbot, window, monkeypatch):
    finished_run(qtbot, window, Project(name="p", designs=[make_three_tier()]))
    view = window.view
    item = window.scene.link_item(window.document.design.link("api -> db").id)
    updates = []
    monkeypatch.setattr(item, "update", lambda *args: updates.append(args))
    item.set_live("11/s")  # repainted afresh from now on: only at the zoom below
    view.resetTransform()
    view.scale(0.2, 0.2)
    view.centerOn(item.boundingRect().center())
    view.viewport().grab()
    updates.clear()
    item.set_live("12/s")
    assert updates == [] and "In the run: 12/s" in item.toolTip()
    view.resetTransform()
    view.centerOn(item.boundingRect().center())
    view.viewport().grab()  # a zoom repaints the whole view
    assert item.live_shown()[0] == "12/s"
    item.set_live("13/s")
    assert len(updates) == 1


def test_the_tooltip_qt_shows_is_brought_up_to_date_first(qtbot, window):
    finished_run(qtbot, window, Project(name="p", designs=[make_three_tier()]))
    view, scene = window.view, window.scene
    item = scene.node_item(window.document.component_named("api").id)
    view.resetTransform()
    view.centerOn(item)
    item.set_health({"utilisation": 0.42, "error_rate": 0.5, "instances": 3, "crashed": 1, "breaker": "open"})
    # Qt reads the tooltip in C++, past NodeItem.toolTip: until asked for, it is not built.
    assert "util 42 %" not in QGraphicsItem.toolTip(item)
    at = view.mapFromScene(item.mapToScene(item.body_rect().center()))
    QApplication.sendEvent(view.viewport(), QHelpEvent(QEvent.Type.ToolTip, at, view.viewport().mapToGlobal(at)))
    assert QGraphicsItem.toolTip(item) == fresh_tooltip(item)
    assert "util 42 %" in QGraphicsItem.toolTip(item) and "breaker open" in QGraphicsItem.toolTip(item)


def test_the_minimap_follows_a_moved_node(qtbot, window):
    window.document.load(large_design(100))
    view = window.view
    view.resetTransform()
    QApplication.processEvents()
    minimap = view.minimap
    assert minimap.isVisible()
    before = minimap.grab().toImage()
    assert minimap.grab().toImage() == before  # drawn from what it measured
    component = window.document.design.components[0]
    window.document.edit.move_components({component.id: (component.position.x + 3000, component.position.y)})
    QApplication.processEvents()
    moved = minimap.grab().toImage()
    assert moved != before
    minimap._cache = None  # measured afresh
    assert minimap.grab().toImage() == moved


def _session(design: Design, series: dict[str, np.ndarray], link_series: dict[str, np.ndarray], links: list[str],
             events: list | None = None) -> RunSession:
    names = [c.name for c in design.components]
    data = VariantData(names, links)
    rows = next(iter(series.values())).shape[0]
    data.append(VariantFrame(start=0, series=series, link_series=link_series, events=events or [],
                             breaker_states={}, instances_down={}, now=float(rows)))
    data.result = object()  # over: read from the series, not from the live frame's states
    return RunSession(design_name=design.name, experiment=None, options={"duration": rows - 0.5, "bucket": 1.0},
                      variant_names=["protected"], variants={"protected": data}, design=design,
                      instances={c.name: int(getattr(c, "instances", 0) or 0) for c in design.components})


def test_health_and_link_figures_read_each_value_of_the_bucket_as_it_is():
    rng = np.random.default_rng(3)
    services = [Service(name=f"s{i}", instances=3) for i in range(40)]
    services[5] = Service(name="s5", instances=2, autoscaling=Autoscaler(enabled=True, min_replicas=1, max_replicas=4))
    design = Design(name="d", components=services)
    links = [f"s{i} -> s{i + 1}" for i in range(39)]
    shape, link_shape = (6, 40), (6, 39)
    series = {"utilisation": rng.random(shape), "error_rate": rng.random(shape) / 10,
              "instances_up": rng.integers(0, 4, shape).astype(float)}
    series["utilisation"][2, 7] = np.nan  # no figure: read as nothing
    series["error_rate"][2, 8] = np.inf
    link_series = {metric: rng.integers(0, 50, link_shape).astype(float)
                   for metric in ("calls", "retries", *OUTCOME_NAMES)}
    for outcome in OUTCOME_NAMES:
        link_series[outcome][2, 4] = 0.0  # a link no call ended on
    link_series["calls"][2, 9] = np.nan
    scaled = [{"kind": "scaled", "time": 2.5, "component": "s5", "from_replicas": 2, "to_replicas": 1}]
    session = _session(design, series, link_series, links, scaled)

    def value(store, metric, b, i):
        v = float(store[metric][b, i])
        return v if math.isfinite(v) else 0.0

    for b in range(6):
        health = session.health(bucket=b)
        width = min(1.0, session.duration - b)
        for i, c in enumerate(services):
            h = health[c.name]
            assert h["utilisation"] == value(series, "utilisation", b, i)
            assert h["error_rate"] == value(series, "error_rate", b, i)
            total = (1 if b >= 2 else 2) if c.name == "s5" else 3
            assert h["instances"] == total
            assert h["crashed"] == max(0, round(total - value(series, "instances_up", b, i)))
        figures = session.link_figures(bucket=b)
        for i, name in enumerate(links):
            ended = sum(value(link_series, o, b, i) for o in OUTCOME_NAMES)
            failed = sum(value(link_series, o, b, i) for o in FAILURE_OUTCOMES)
            assert figures[name] == {"rate": value(link_series, "calls", b, i) / width,
                                     "retries": value(link_series, "retries", b, i) / width,
                                     "errors": failed / ended if ended > 0 else 0.0}
    assert session.health(bucket=2)["s7"]["utilisation"] == 0.0
    assert session.link_figures(bucket=2)["s4 -> s5"]["errors"] == 0.0


def test_health_reads_a_new_design_given_to_the_session():
    services = [Service(name="a", instances=2), Service(name="b", instances=2)]
    design = Design(name="d", components=services)
    series = {"utilisation": np.full((3, 2), 0.5), "error_rate": np.zeros((3, 2)), "instances_up": np.ones((3, 2))}
    session = _session(design, series, {}, [])
    assert session.health(bucket=1)["a"] == {"utilisation": 0.5, "error_rate": 0.0, "instances": 2, "crashed": 1}
    scaled = Service(name="a", instances=1, autoscaling=Autoscaler(enabled=True, min_replicas=1, max_replicas=3))
    session.design = Design(name="d", components=[scaled, services[1]])  # as a kept run's own design replaces it
    assert session.health(bucket=1)["a"]["instances"] == 1 and session.health(bucket=1)["a"]["crashed"] == 0
