"""The sweep's results in the window: a heatmap over two parameters, a line with its band over
one, attainment against cost over more; a point or a fix applied to the design as one undo step."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt

from app.document import ProjectDocument
from app.run.sweep_apply import apply_design, apply_values
from app.run.sweep_dialog import SweepDialog, default_spec
from app.run.sweep_plot import SweepPlot, pareto_front
from app.run.sweep_suggest import SuggestDialog
from engine.explore import ParameterSpace, plan_sweep, run_sweep, summarise
from engine.model import DesignError, Project, RunOptions, parse_design

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"
OUTAGE = "database outage"
BREAKER = "api->db.circuit_breaker.failure_rate_threshold"
RETRY = "api->cache.retry.max_attempts"


@pytest.fixture
def three_tier():
    return parse_design((EXAMPLES / "three_tier.json").read_text())


@pytest.fixture
def document(qapp, three_tier):
    doc = ProjectDocument()
    doc.load(Project(name="shop", designs=[three_tier]))
    yield doc
    doc.deleteLater()


def _outage_dialog(qtbot, design, document=None):
    applied = []

    def apply(values):
        applied.append(values)
        return None if document is None else _apply(document, values)

    dialog = SweepDialog(design, apply=apply)
    qtbot.addWidget(dialog)
    dialog.params.cellWidget(0, 0).setCurrentText(BREAKER)
    dialog.params.cellWidget(0, 1).setText("25,50")
    dialog.add_parameter(RETRY, "1,2,3")
    for i in range(dialog.experiments.count()):
        item = dialog.experiments.item(i)
        item.setCheckState(Qt.CheckState.Checked if item.text() == OUTAGE else Qt.CheckState.Unchecked)
    dialog.replications.setValue(2)
    dialog.duration.setValue(100)
    dialog.workers.setValue(1)
    return dialog, applied


def _select_row(table, row):
    """Select one row whatever keys an earlier test left pressed (``selectRow`` reads them)."""
    from PySide6.QtCore import QItemSelectionModel

    flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
    table.selectionModel().select(table.model().index(row, 0), flags)


def _apply(document, values):
    try:
        apply_values(document, values)
    except DesignError as exc:
        return str(exc)
    return None


def test_two_parameters_of_the_outage_show_as_a_heatmap_of_the_grid(qtbot, three_tier):
    dialog, _ = _outage_dialog(qtbot, three_tier)
    with qtbot.waitSignal(dialog.ended, timeout=120_000):
        dialog.start()
        assert dialog.running, dialog.status.text()
    assert dialog.status.text() == "12 of 12 runs done"
    chart = dialog.chart
    assert dialog.tabs.currentWidget() is chart
    assert chart.kind == "heatmap"
    assert chart.grid.shape == (2, 3)
    assert chart.choice.column == "browsers.objectives.1.attainment"
    # each cell is the mean attainment of its point, as the summary has it
    summary = {(e[BREAKER], e[RETRY]): e["browsers.objectives.1.attainment"]
               for e in summarise(dialog._sweep, dialog._rows)}
    for i, threshold in enumerate(("25", "50")):
        for j, attempts in enumerate(("1", "2", "3")):
            assert chart.grid[i, j] == pytest.approx(summary[(threshold, attempts)])
    assert not np.isnan(chart.grid).any()
    # a click on cell (1, 2) selects the point breaker 50 %, 3 attempts
    assert chart.select_at(1.5, 2.5) == dialog._sweep.points.index({BREAKER: 50.0, RETRY: 3})
    assert dialog.status.text().startswith(f"point 6 selected: {BREAKER}=50, {RETRY}=3")


def test_apply_this_point_is_one_undo_step(qtbot, document):
    dialog, applied = _outage_dialog(qtbot, document.design, document)
    with qtbot.waitSignal(dialog.ended, timeout=120_000):
        dialog.start()
        assert dialog.running, dialog.status.text()
    before = document.design
    depth = document.undo_stack.count()
    _select_row(dialog.results, 3)  # point 4: breaker 50 %, 1 attempt
    assert dialog.apply_button.isEnabled()
    dialog.apply_selected()
    assert applied == [{BREAKER: 50.0, RETRY: 1}]
    assert document.undo_stack.count() == depth + 1
    space = ParameterSpace(document.design)
    assert space.get(BREAKER).value == 50.0 and space.get(RETRY).value == 1
    assert "applied" in dialog.status.text()
    document.undo_stack.undo()
    assert document.design == before


def test_one_parameter_draws_a_line_with_its_band(qtbot, three_tier):
    options = RunOptions(duration=30)
    sweep = plan_sweep(three_tier, [("api.workers", "2,8,16")], options, replications=2)
    rows = run_sweep(sweep)
    chart = SweepPlot()
    qtbot.addWidget(chart)
    chart.show_summary(sweep, summarise(sweep, rows))
    assert chart.kind == "line"
    assert [x for x, _ in chart._xy] == [2.0, 8.0, 16.0]
    assert chart.select_at(8.0, chart._xy[1][1]) == 1


def test_three_parameters_draw_attainment_against_cost_with_its_front(qtbot, three_tier):
    sweep = plan_sweep(three_tier, [("api.workers", "4,16"), ("api.instances", "1,3"), ("db.connections", "20")],
                       RunOptions(duration=30), replications=1)
    chart = SweepPlot()
    qtbot.addWidget(chart)
    chart.show_summary(sweep, summarise(sweep, run_sweep(sweep)))
    assert chart.kind == "pareto"
    # costs: api instances x workers + cache 2 x 64 + db 1 x 20
    assert sorted(x for x, _ in chart._xy) == [148 + 4, 148 + 12, 148 + 16, 148 + 48]
    assert chart.front and chart.front[0] == sweep.points.index({"api.workers": 4, "api.instances": 1,
                                                                  "db.connections": 20})


def test_the_pareto_front_keeps_only_points_nothing_beats():
    assert pareto_front([1, 2, 3, 4], [0.5, 0.4, 0.9, 0.9]) == [0, 2]
    assert pareto_front([], []) == []


def test_a_preselected_parameter_gets_values_around_its_own(qtbot, three_tier):
    dialog = SweepDialog(three_tier, path="api.workers")
    qtbot.addWidget(dialog)
    assert dialog.params.cellWidget(0, 0).currentText() == "api.workers"
    assert dialog.params.cellWidget(0, 1).text() == "8,16,32"
    space = ParameterSpace(three_tier)
    assert default_spec(space.get("api->cache.retry.jitter")) == "none,full,equal,decorrelated,randomized"
    assert default_spec(space.get(BREAKER)) == "25,50,100"


def test_a_point_the_design_no_longer_fits_is_refused_by_name(document):
    with pytest.raises(DesignError, match="api.wrkers"):
        apply_values(document, {"api.wrkers": 3})
    assert document.undo_stack.count() == 0


def test_suggest_window_ranks_fixes_and_applies_one_as_one_undo_step(qtbot, qapp):
    design = parse_design((EXAMPLES / "retry_storm.json").read_text())
    doc = ProjectDocument()
    doc.load(Project(name="storm", designs=[design]))
    dialog = SuggestDialog(doc.design, apply=lambda new, text: apply_design(doc, new, text) and None)
    qtbot.addWidget(dialog)
    assert dialog.experiment.currentText() == "brief slowdown"
    assert not dialog.bare.isChecked()
    dialog.replications.setValue(2)
    with qtbot.waitSignal(dialog.ended, timeout=120_000):
        dialog.start()
    assert dialog.found is not None and dialog.found.ranked[0].meets_all
    assert dialog.table.item(0, 2).text() == "2/2"
    assert dialog.changes.toPlainText() == dialog.found.ranked[0].describe()
    best = dialog.found.ranked[0]
    dialog.apply_selected()
    assert doc.undo_stack.count() == 1
    assert doc.design == best.design
    doc.undo_stack.undo()
    assert doc.design == design
    doc.deleteLater()


def test_a_latin_hypercube_shows_a_tornado_of_what_moves_a_metric(qtbot):
    design = parse_design((EXAMPLES / "retry_storm.json").read_text())
    dialog = SweepDialog(design)
    qtbot.addWidget(dialog)
    dialog.params.cellWidget(0, 0).setCurrentText("server.workers")
    dialog.params.cellWidget(0, 1).setText("10:16")
    dialog.add_parameter("clients.rate", "20:60")
    dialog.add_parameter("clients->server.latency.value", "0.001:0.002")
    dialog.lhs.setValue(30)
    dialog.replications.setValue(1)
    dialog.duration.setValue(60)
    dialog.workers.setValue(1)
    with qtbot.waitSignal(dialog.ended, timeout=120_000):
        dialog.start()
        assert dialog.running, dialog.status.text()
    tornado = dialog.tornado
    assert dialog.tabs.currentWidget() is tornado
    tornado.choice.select("clients.throughput")
    assert tornado.result is not None and tornado.result.runs == 30
    # without faults and well below capacity, what the clients send is what gets through
    top = tornado.result.effects[0]
    assert top.path == "clients.rate" and top.src > 0.9 and top.rank_correlation > 0.9
    assert tornado.result.r_squared > 0.9
    assert sorted(e.path for e in tornado.result.effects) == \
        sorted(["server.workers", "clients.rate", "clients->server.latency.value"])
    assert len(tornado.bars.opts["width"]) == 3
    assert tornado.bars.opts["width"][0] == top.src
    assert "over 30 runs" in tornado.note.text()
