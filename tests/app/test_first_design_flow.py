"""The issue's "done when": draw the three-tier design from an empty project with the mouse and keyboard,
attach a circuit breaker and a retry, compose a crash and a latency fault, save, reopen, find it all."""
from __future__ import annotations

from editor_helpers import choose, drag, drop_kind, mouse, type_text
from PySide6.QtCore import QPointF

from app.main_window import MainWindow


def test_a_new_user_builds_breaks_saves_and_reopens_a_design(window, qtbot, tmp_path, monkeypatch):
    doc = window.document
    view = window.view
    window.new_action.trigger()
    view.reset_zoom()
    view.centerOn(300, 0)
    spots = {"client": (-40, 0), "load_balancer": (200, 0), "service": (440, 0), "cache": (680, -120),
             "database": (680, 120)}
    for kind, (x, y) in spots.items():
        assert drop_kind(view, kind, QPointF(x, y))
    by_kind = {c.kind: c.id for c in doc.design.components}

    def node(kind):
        return window.scene.node_item(by_kind[kind])

    for a, b in [("client", "load_balancer"), ("load_balancer", "service"), ("service", "cache"),
                 ("service", "database"), ("cache", "database")]:
        drag(view, node(a).mapToScene(node(a).port_pos()), node(b).scenePos())
    assert len(doc.design.links) == 5

    # Name things in the Properties pane.
    for kind, name in [("client", "browsers"), ("load_balancer", "lb"), ("service", "api"), ("cache", "sessions"),
                       ("database", "orders db")]:
        mouse(view, "press", node(kind).scenePos())
        mouse(view, "release", node(kind).scenePos())
        assert doc.selection == [by_kind[kind]]
        type_text(qtbot, window.properties.form.editors["name"], name)
    assert doc.design.problems() == []

    # A breaker on the database calls and a retry on everything, from the Resilience pane.
    mouse(view, "press", node("service").scenePos())
    mouse(view, "release", node("service").scenePos())
    type_text(qtbot, window.properties.form.editors["instances"], "3")
    res = window.resilience
    res.add_actions["circuit_breaker"].trigger()
    choose(res.scope, str(doc.component_named("orders db").id))
    type_text(qtbot, res.form.editors["failure_rate_threshold"], "25")
    res.add_actions["retry"].trigger()
    choose(res.form.editors["backoff"], "exponential")

    # An experiment: the database crashes, the cache link slows down (target picked on the canvas).
    faults = window.faults
    faults.new_exp.click()
    type_text(qtbot, faults.exp_name, "Database outage")
    faults.add_actions["crash"].trigger()
    assert doc.design.name_of(doc.current_experiment.faults[0].target) == "api"  # the selected component
    faults.form.target.pick.click()
    mouse(view, "press", node("database").scenePos())
    mouse(view, "release", node("database").scenePos())
    type_text(qtbot, faults.form.editors["start"], "20 s")
    type_text(qtbot, faults.form.editors["duration"], "30 s")
    link = doc.design.link("api -> sessions")
    doc.set_selection([link.id])
    faults.add_actions["latency"].trigger()
    type_text(qtbot, faults.form.editors["delay"]._editors["value"], "250 ms")

    expected = doc.design.model_dump(mode="json")
    saved = tmp_path / "three tier.faultline"
    monkeypatch.setattr(MainWindow, "choose_save_path", lambda self, *a: str(saved))
    window.save_action.trigger()
    assert not doc.modified
    window.new_action.trigger()
    assert doc.design.components == []
    window._fill_recent()
    recent = [a for a in window.recent_menu.actions() if a.text().endswith("three tier.faultline")]
    recent[0].trigger()

    design = doc.design
    assert design.model_dump(mode="json") == expected
    api = design.component("api")
    assert api.instances == 3
    assert [(p.kind, getattr(p, "scope", None)) for p in api.policies] == [
        ("circuit_breaker", design.component("orders db").id), ("retry", None)]
    assert api.policies[0].failure_rate_threshold == 25 and api.policies[1].backoff == "exponential"
    experiment = design.experiments[0]
    assert experiment.name == "Database outage"
    crash, latency = experiment.faults
    orders_db = design.component("orders db").id
    assert (crash.kind, crash.target, crash.start, crash.duration) == ("crash", orders_db, 20, 30)
    assert (latency.kind, latency.target, latency.delay.value) == ("latency", design.link("api -> sessions").id, 0.25)
    assert window.scene.node_item(api.id).view.policies == [("circuit_breaker", True), ("retry", True)]
