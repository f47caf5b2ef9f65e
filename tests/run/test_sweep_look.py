"""Seen in the sweep and "Suggest fixes" windows: charts black in the light theme and 95 px tall,
metrics and objectives by their internal paths, a sensitivity axis read in thousandths, and a
table of fixes with clipped headings and figures wrapped onto two lines."""
from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QTableWidget

from app import theme
from app.run.plot_style import title_width
from app.run.sweep_common import fill_table
from app.run.sweep_dialog import SweepDialog
from app.run.sweep_suggest import SuggestDialog
from engine.explore.suggest import Baseline, Candidate, Suggestions
from engine.model import RunOptions, parse_design

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"
PALETTES = {"light": theme.light_palette, "dark": theme.dark_palette}


def _finished_sweep(qtbot) -> SweepDialog:
    dialog = SweepDialog(parse_design((EXAMPLES / "three_tier.json").read_text()))
    qtbot.addWidget(dialog)
    dialog.params.cellWidget(0, 0).setCurrentText("api.workers")
    dialog.params.cellWidget(0, 1).setText("2,8,16")
    dialog.replications.setValue(2)
    dialog.duration.setValue(30)
    dialog.workers.setValue(1)
    dialog.resize(760, 720)  # its own size
    dialog.show()
    qtbot.waitExposed(dialog)
    with qtbot.waitSignal(dialog.ended, timeout=60_000):
        dialog.start()
        assert dialog.running, dialog.status.text()
    return dialog


@pytest.mark.parametrize("look", ["light", "dark"])
def test_the_sweep_charts_take_the_windows_theme(qtbot, restore_look, look):  # noqa: F811
    theme.apply_theme(restore_look, "dark" if look == "light" else "light")  # drawn in the other first
    dialog = _finished_sweep(qtbot)
    theme.apply_theme(restore_look, look)
    QApplication.processEvents()
    palette = PALETTES[look]()
    for chart in (dialog.chart, dialog.tornado):
        assert chart.plot.backgroundBrush().color() == palette.base().color()
        for name in ("left", "bottom"):
            assert chart.plot.getAxis(name).textPen().color() == palette.text().color()


def test_the_charts_get_the_room_and_name_the_metric_in_words(qtbot):
    dialog = _finished_sweep(qtbot)
    heights = set()
    for chart in (dialog.chart, dialog.tornado):
        dialog.tabs.setCurrentWidget(chart)
        QApplication.processEvents()
        heights.add(dialog.params.height())
        # was 95 px: two ticks and a label cut to "ts.objectives.1.a"
        assert chart.plot.height() >= 250
        plot = chart.plot.getPlotItem()
        assert chart.choice.column == "browsers.objectives.1.attainment"
        assert plot.titleLabel.text == chart.metric_box.currentText() == "availability 95 % (ok) · attainment"
        assert title_width(plot, plot.titleLabel.text) <= plot.vb.width()
    dialog.tabs.setCurrentWidget(dialog.results)
    QApplication.processEvents()
    heights.add(dialog.params.height())
    assert len(heights) == 1  # the parameters stay put whichever tab is shown
    heads = [dialog.results.horizontalHeaderItem(c).text() for c in range(dialog.results.columnCount())]
    assert "availability 95 % (ok) met" in heads and not any(".objectives." in h for h in heads)


def test_the_sensitivity_axis_reads_plain_coefficients(qtbot):
    dialog = _finished_sweep(qtbot)
    dialog.tabs.setCurrentWidget(dialog.tornado)
    dialog.tornado.choice.select("browsers.p99")
    QApplication.processEvents()
    assert dialog.tornado.bars is not None
    axis = dialog.tornado.plot.getAxis("bottom")
    assert axis.autoSIPrefixScale == 1.0
    assert "x0.0" not in axis.labelString()


def _attainments(*shares):
    return [{"clients.objectives.1.met": float(a >= 0.9), "clients.objectives.1.attainment": a,
             "clients.objectives.2.met": 1.0, "clients.objectives.2.attainment": 0.99} for a in shares]


def test_the_fixes_table_shows_its_headings_and_figures_whole_at_its_own_size(qtbot):
    design = parse_design((EXAMPLES / "retry_storm.json").read_text())
    dialog = SuggestDialog(design)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert (dialog.width(), dialog.height()) == (min(820, dialog.screen().availableGeometry().width() - 16), 640)
    long_name = "timeout, breaker and bulkhead on clients -> server"
    ranked = [Candidate(name, [], design, cost=10, runs=_attainments(*shares),
                        objectives=["clients.objectives.1", "clients.objectives.2"])
              for name, shares in (("bulkhead on clients -> server", (0.93, 0.9038)), (long_name, (0.85, 0.89)))]
    dialog.show_outcome(Suggestions(design, "brief slowdown", RunOptions(duration=135), 2,
                                    Baseline({}, {}, {}, {}), ranked))
    table = dialog.table
    header = table.horizontalHeader()
    heads = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    # the objectives by the names the verdicts give them, not "clients.objectives.1"
    assert heads == ["#", "candidate", "objectives met", "availability 90 % (ok)", "p99 ≤ 1 s", "cost"]
    for c, head in enumerate(heads):
        assert header.fontMetrics().horizontalAdvance(head) <= header.sectionSize(c), head
    assert header.sectionSize(0) <= 3 * table.fontMetrics().horizontalAdvance("99")
    assert not table.wordWrap()
    for r in range(table.rowCount()):
        for c in (0, 2, 3, 4, 5):
            text = table.item(r, c).text()
            assert table.fontMetrics().horizontalAdvance(text) <= table.columnWidth(c), text
    assert table.item(1, 1).toolTip() == long_name  # whole wherever the column cuts it


def test_a_heading_too_long_for_its_column_is_cut_and_whole_in_its_tooltip(qtbot):
    table = QTableWidget()
    qtbot.addWidget(table)
    long_head = "browsers · availability 99.9 % (ok or fallback, ≤ 300 ms) met"
    fill_table(table, ["#", long_head], [["1", "2/2"]])
    header = table.horizontalHeader()
    shown = table.horizontalHeaderItem(1)
    assert shown.text().endswith("…") and shown.toolTip() == long_head
    assert header.fontMetrics().horizontalAdvance(shown.text()) <= header.sectionSize(1)


def test_a_metric_that_never_moved_says_so_rather_than_drawing_nothing(qtbot):
    dialog = _finished_sweep(qtbot)
    tornado = dialog.tornado
    # every run met the objective: its attainment is the same in all of them
    assert tornado.choice.column == "browsers.objectives.1.attainment"
    assert tornado.bars is None
    assert tornado.note.text() == ("no sensitivity: availability 95 % (ok) · attainment is the same in all 6 runs, "
                                   "so no parameter moved it. Pick another metric or experiment, or widen the values.")


def test_the_fixes_table_never_rounds_up_to_all_and_explains_its_cost(qtbot):
    design = parse_design((EXAMPLES / "retry_storm.json").read_text())
    dialog = SuggestDialog(design)
    qtbot.addWidget(dialog)
    ranked = [Candidate("bulkhead", [], design, cost=10, runs=_attainments(0.99996, 0.99996),
                        objectives=["clients.objectives.1", "clients.objectives.2"]),
              Candidate("timeout", [], design, cost=12, runs=_attainments(0.5, 0.6),
                        objectives=["clients.objectives.1", "clients.objectives.2"])]
    dialog.show_outcome(Suggestions(design, "brief slowdown", RunOptions(duration=135), 2,
                                    Baseline({}, {}, {}, {}), ranked))
    # was "100.00 %": the verdicts' rule, which never says all when some requests missed
    assert dialog.table.item(0, 3).text().startswith("99.996 %")
    assert dialog.table.item(0, 4).text().startswith("99.00 % ±")
    assert dialog.status.text() == "2 candidates tried; 1 candidate met every objective in all 2 replications"
    assert "instances x workers" in dialog.table.horizontalHeaderItem(5).toolTip()


def test_remove_takes_the_parameter_whose_row_has_the_focus_and_no_other(qtbot):
    dialog = SweepDialog(parse_design((EXAMPLES / "three_tier.json").read_text()), path="api.workers")
    qtbot.addWidget(dialog)
    dialog.add_parameter("api.instances")
    dialog.show()
    qtbot.waitExposed(dialog)
    # nothing chosen: was the first row removed
    assert not dialog.remove_button.isEnabled()
    dialog._remove_parameter()
    assert dialog.params.rowCount() == 2
    dialog.params.cellWidget(1, 1).setFocus()
    qtbot.waitUntil(dialog.remove_button.isEnabled)
    dialog.remove_button.click()
    assert [p for p, _ in dialog._pairs()] == ["api.workers"]
