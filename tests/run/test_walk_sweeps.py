"""Walking the sweep window as an architect would: values typed with units, a point applied twice."""
from __future__ import annotations

from PySide6.QtCore import Qt
from test_sweep_dialog import sweep_dialog

from app.document import ProjectDocument
from app.run.sweep_apply import apply_values
from engine.explore import ParameterSpace, plan_sweep
from engine.model import DesignError, Project, RunOptions


def _dialog(qtbot, design, path, values, apply=None):
    return sweep_dialog(qtbot, design, path, values, apply, replications=1, duration=5)


def test_a_range_typed_with_units_sweeps_those_values(qtbot, design):
    """"100 ms:300 ms:100 ms" was refused: "the ends and the step of a range must be numbers"."""
    dialog = _dialog(qtbot, design, "api.timeout.timeout", "100 ms:0.3 s:100ms")
    with qtbot.waitSignal(dialog.ended, timeout=60_000):
        dialog.start()
    assert dialog.status.text() == "3 of 3 runs done"
    assert [p["api.timeout.timeout"] for p in dialog._sweep.points] == [0.1, 0.2, 0.3]


def test_units_of_each_kind_are_read_and_a_wrong_one_is_named(design):
    options = RunOptions(duration=5)
    sweep = plan_sweep(design, [("api.circuit_breaker.failure_rate_threshold", "20 %,50%"),
                                ("users.recovery.tolerance", "1 %,0.5 %"), ("api.workers", "8 workers")], options)
    assert {p["api.circuit_breaker.failure_rate_threshold"] for p in sweep.points} == {20.0, 50.0}
    # a ratio typed as a percentage, as the objectives pane takes it
    assert {p["users.recovery.tolerance"] for p in sweep.points} == {0.01, 0.005}
    assert plan_sweep(design, [("api.timeout.timeout", "0.5 min,700 ms")], options).points == \
        [{"api.timeout.timeout": 30.0}, {"api.timeout.timeout": 0.7}]
    try:
        plan_sweep(design, [("api.timeout.timeout", "1 s:2 days:1 s")], options)
    except DesignError as exc:
        assert str(exc) == 'api.timeout.timeout: "1 s:2 days:1 s": unknown unit "days" (use µs, ms, s, min or h)'
    else:
        raise AssertionError("a range in days was accepted")


def test_a_point_already_in_the_design_is_not_said_to_be_applied(qtbot, design):
    """Applying the same point twice said "applied … (Undo takes it back)" the second time, though
    nothing was changed: Undo then took back the edit before it."""
    doc = ProjectDocument()
    doc.load(Project(name="shop", designs=[design]))
    dialog = _dialog(qtbot, lambda: doc.design, "api.workers", "8,16",
                     apply=lambda values: apply_values(doc, values) and None)
    for i in range(dialog.experiments.count()):
        dialog.experiments.item(i).setCheckState(Qt.CheckState.Checked if i == 0 else Qt.CheckState.Unchecked)
    with qtbot.waitSignal(dialog.ended, timeout=60_000):
        dialog.start()
    depth = doc.undo_stack.count()
    dialog.select_point(0)
    dialog.apply_selected()
    assert doc.undo_stack.count() == depth + 1
    assert dialog.status.text() == "applied api.workers=8 to the design (Undo takes it back)"
    dialog.apply_selected()
    assert doc.undo_stack.count() == depth + 1
    assert dialog.status.text() == "not applied: the design already has api.workers=8"
    doc.deleteLater()


def test_a_swept_parameter_is_headed_with_its_unit(qtbot, design):
    """The values column and the chart's axis read "api.timeout.timeout" over bare "0.1", "0.2"."""
    from app.run.sweep_common import parameter_heading

    dialog = _dialog(qtbot, design, "api.timeout.timeout", "100 ms:0.3 s:100ms")
    with qtbot.waitSignal(dialog.ended, timeout=60_000):
        dialog.start()
    heads = [dialog.results.horizontalHeaderItem(c).text() for c in range(dialog.results.columnCount())]
    assert "api.timeout.timeout (s)" in heads
    bottom = dialog.chart.plot.getAxis("bottom")
    # the axis scales seconds itself: "(ms)" over 100 … 300, not "(s) (x0.001)"
    assert (bottom.labelText, bottom.labelUnits, bottom.autoSIPrefix) == ("api.timeout.timeout", "s", True)
    space = ParameterSpace(design)
    assert parameter_heading(space.get("api.workers")) == "api.workers"   # a count its name says
    assert parameter_heading(space.get("users.recovery.tolerance")) == "users.recovery.tolerance (share)"


def test_an_objective_swept_is_named_as_swept_not_by_the_designs_value(qtbot, design):
    """Sweeping a target over 99 % and 99.9 % still headed its columns "availability 95 % (ok)",
    the design's own value, which no point had."""
    from engine.explore.worker import objective_words
    from engine.model import AvailabilityObjective

    objective = AvailabilityObjective(target=0.95)
    design.component("users").objectives.append(objective)
    path = "users.objectives.1.target"
    dialog = _dialog(qtbot, design, path, "99 %,99.9 %")
    with qtbot.waitSignal(dialog.ended, timeout=60_000):
        dialog.start()
    heads = [dialog.results.horizontalHeaderItem(c).text() for c in range(dialog.results.columnCount())]
    named = [h for h in heads if "availability" in h]
    assert named and all("target swept" in h for h in named), heads
    assert not any(objective.describe() in h for h in heads)
    metrics = [dialog.chart.metric_box.itemText(i) for i in range(dialog.chart.metric_box.count())]
    assert any("availability target swept" in m for m in metrics), metrics
    assert objective_words(design, [path])["users.objectives.1"] == "users: availability target swept (ok)"
    assert objective_words(design)["users.objectives.1"] == f"users: {objective.describe()}"
