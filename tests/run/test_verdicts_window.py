"""Verdicts in the window: the banner, objective lines, burn plot, recovery marks, comparison rows, report."""
from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPointF
from run_builders import EXPERIMENT, make_three_tier
from test_run_window import FULL_SPEED, make_window, run_and_wait
from verdict_builders import recovered_in

from app.run.comparison_table import DIFFERENCE_COLUMN
from app.run.live_curve import LiveCurve
from app.run.session import FINISHED
from app.run.verdict_view import BURN_TITLE
from app.run.verdicts import MET, MISSED, PENDING
from app.store import load_design_from_path
from engine.model import Project

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"
STORM_EXPERIMENT = "brief slowdown"


@pytest.fixture
def example_window(qtbot, tmp_path):
    created = []

    def open_example(name: str, duration: float = 180, experiment: str | None = STORM_EXPERIMENT):
        w, ui = make_window(qtbot, tmp_path, name)
        # Tall enough that the banner's details show with the plots whole beneath them.
        w.resize(1600, 1300)
        created.append((w, ui))
        design = load_design_from_path(EXAMPLES / f"{name}.json")
        w.document.load(Project(name=name, designs=[design]))
        ui.speed_combo.setCurrentIndex(FULL_SPEED)
        ui.duration_spin.setValue(duration)
        ui.set_experiment(experiment)
        return w, ui

    yield open_example
    for w, ui in created:
        ui.shutdown()
        w.close()


def test_retry_storm_is_reported_as_not_recovered(qtbot, example_window):
    _w, ui = example_window("retry_storm")
    session = run_and_wait(qtbot, ui)
    assert session.status == FINISHED
    banner = ui.verdicts.banner
    assert banner.isVisible() and banner.state == MISSED
    text = banner.text()
    assert "did not recover after exhaustion on server" in text.splitlines()[0]
    assert "did not recover by the end of the run" in text
    # The failure is marked where the fault ended, on the burn plot.
    marks = ui.verdicts.recovery_marks
    assert marks and all(t == pytest.approx(75.0) and "not recovered" in label for t, label in marks)


def test_guarded_retry_storm_is_reported_as_recovered(qtbot, example_window):
    _w, ui = example_window("retry_storm_guarded")
    run_and_wait(qtbot, ui)
    banner = ui.verdicts.banner
    assert banner.isVisible()
    head = banner.text().splitlines()[0]
    assert "recovered after the fault" in head and "did not recover" not in head
    # the later of the two objectives' recoveries: availability's, back a second after the
    # fault; one slow request of 72 at 81 s does not undo the p99's (it read "7.0 s" when it did)
    assert "recovered in 1.0 s" in banner.text() and "recovered in 7.0 s" not in banner.text()
    # Recovery is marked after the fault's end, when attainment was back.
    marks = ui.verdicts.recovery_marks
    assert marks == [(76.0, "✔ recovered +1.0 s")]


def test_the_banner_says_when_the_objectives_it_judged_have_been_edited_since(qtbot, example_window):
    w, ui = example_window("retry_storm_guarded")
    run_and_wait(qtbot, ui)
    banner = ui.verdicts.banner
    assert "edited since" not in banner.text()
    doc = w.document
    client = next(c for c in doc.design.components if getattr(c, "objectives", None))
    doc.edit.remove_objective(client.id, client.objectives[0].id)
    assert "edited since: run again" in banner.text().splitlines()[0]
    doc.undo_stack.undo()  # the objectives the run judged again
    assert "edited since" not in banner.text()
    doc.edit.set_component_fields(client.id, {"name": "shoppers"})  # the same objectives, renamed
    assert "edited since" not in banner.text()
    doc.edit.set_objective_fields(client.id, client.objectives[0].id, {"target": 0.99})
    assert "edited since" in banner.text()


def test_objective_lines_and_burn_follow_the_run(qtbot, example_window, tmp_path):
    _w, ui = example_window("retry_storm")
    run_and_wait(qtbot, ui)
    overlay = ui.verdicts
    lines = sorted((plot, round(value, 9)) for plot, _line, value in overlay._threshold_lines)
    # The example's objectives: 90 % of requests ok (a 10 % error budget), and p99 within 1 s.
    assert lines == [("errors", 10.0), ("latency", 1.0)]  # seconds, as the latency curves
    assert overlay.burn_plot is not None and overlay.burn_plot.titleLabel.text.startswith(BURN_TITLE[:20])
    x, y = overlay._burn_curves[0][0].getData()
    assert len(x) == 180
    # Healthy before the fault; long after it ended nothing is good: burning ten times a 10 % budget.
    burn = 10 ** y - 1  # plotted as log10(1 + burn)
    assert burn[30] < 1.0 and burn[150] == pytest.approx(10.0)
    # Hovering the burn plot reads each objective's burn at that time.
    ui.dashboard.plots_widget.scene().sigMouseMoved.emit(overlay.burn_plot.vb.mapViewToScene(QPointF(150.5, 1.0)))
    readout = ui.dashboard.readout.text()
    assert "t = 150.5 s" in readout and "availability 90 % (ok)</span> burn 10×" in readout
    # The CSV export holds the burn curves too.
    ui.dashboard.export_csv(tmp_path / "plots.csv")
    with (tmp_path / "plots.csv").open(encoding="utf-8", newline="") as fh:
        header, *rows = list(csv.reader(fh))
    column = header.index("clients availability 90 % (ok) error-budget burn")
    assert float(rows[150][column]) == pytest.approx(10.0)
    ui.dashboard.log_latency.setChecked(True)
    latency = [line for plot, line, _v in overlay._threshold_lines if plot == "latency"]
    assert latency[0].value() == pytest.approx(0.0)  # log10 of 1 s


def test_banner_judges_while_the_run_goes(qtbot, example_window):
    w, ui = example_window("retry_storm", duration=300)
    ui.speed_combo.setCurrentIndex(2)  # 30x: frames arrive while it runs
    ui.run_action.trigger()
    qtbot.waitUntil(lambda: ui.verdicts.banner.isVisible() and "So far" in ui.verdicts.banner.text(), timeout=20_000)
    assert ui.verdicts.banner.state not in (MET, MISSED)
    ui.speed_combo.setCurrentIndex(3)  # 100x: past the fault's end quickly
    qtbot.waitUntil(lambda: ui.session.variants[ui.session.primary].now > 80, timeout=20_000)
    with qtbot.waitSignal(ui.controller.idle, timeout=20_000):
        ui.stop()
    qtbot.waitUntil(lambda: not ui.dashboard.redrawing, timeout=20_000)  # the verdicts follow on its ticks
    # Stopped early, the journey has not recovered *yet*: no final word on it.
    text = ui.verdicts.banner.text()
    assert text.startswith("… Run stopped at ") and ui.verdicts.banner.state == PENDING
    assert "not recovered yet" in text and "by the end of the run" not in text
    assert w.faults.timeline.recovery == {}


def test_no_objectives_no_banner(qtbot, example_window):
    w, ui = example_window("retry_storm", duration=30)
    w.document.load(Project(name="shop", designs=[make_three_tier()]))
    ui.set_experiment(EXPERIMENT)
    run_and_wait(qtbot, ui)
    assert not ui.verdicts.banner.isVisible() and ui.verdicts.burn_plot is None


def test_comparison_gains_verdict_rows_and_the_report_leads_with_verdicts(qtbot, example_window, tmp_path):
    # The database outage: the availability objective is met with protection and missed without.
    _w, ui = example_window("three_tier", experiment="database outage")
    ui.compare_action.setChecked(True)
    run_and_wait(qtbot, ui)
    box = ui.dashboard.table_box
    table = box.table

    def cell(name, variant):
        return box.value_item(name, variant).text().split(": ", 1)[-1]  # stacked: "with: ✔ …"

    availability, recovery, p99 = "browsers · availability 95 % (ok)", "after crash on db 60.0\u00a0s–90.0\u00a0s", \
        "browsers · p99 ≤ 250 ms"
    assert table.item(0, 0).text() == "Objectives"
    assert table.item(1, 0).text() == availability
    assert [e.name.strip() for e in box.entries[1:5]] == [availability, recovery, p99, recovery]
    assert cell(availability, "protected").startswith("✔ 95.") and cell(availability, "unprotected").startswith("✘ 34.")
    # An objective has no difference: the Difference column keeps to differences.
    assert box.entries[1].difference is None and table.columnSpan(1, 0) == DIFFERENCE_COLUMN + 1
    assert cell(recovery, "protected") == "✔ recovered in 5.0 s" and cell(recovery, "unprotected") == "✘ not recovered"
    assert box.value_item(recovery, "unprotected").toolTip() == "✘ did not recover by the end of the run"
    # A latency objective shows the percentile it bounds; the share of requests within it and the
    # budget spent are in the cell's tooltip (sentences would push the variants out of view).
    assert cell(p99, "protected").startswith("✔ p99 ") and cell(p99, "protected").endswith(" ms")
    tip = box.value_item(p99, "protected").toolTip()
    assert tip.startswith(cell(p99, "protected") + ", 99.") and "% within" in tip and "of budget" in tip
    # The engine's own figures follow, under their component headings.
    assert box.entry_row("browsers") > box.entry_row(p99)
    text = ui.verdicts.banner.text()
    assert text.startswith("✔ With resilience: every objective met; recovered after the fault · without resilience: "
                           "1 of 2 objectives missed; did not recover after crash on db")
    assert "with: ✔ recovered in 5.0 s" in text and "without: ✘ did not recover" in text
    path = ui.export_report(tmp_path / "report.html")
    html = path.read_text(encoding="utf-8")
    assert html.index("<h2>Verdicts</h2>") < html.index("<h2>Run</h2>")
    assert "did not recover by the end of the run" in html and "recovered in 5.0 s" in html


def _kept_and_reopened(w, ui, example_window, tmp_path):
    """The shown run kept, the project saved, and opened in another window as a colleague would:
    that window's run controls, with the kept run shown and its banner's details open."""
    ui.keep_run()
    path = tmp_path / "shared.faultline"
    assert w._save_to(path)
    other, other_ui = example_window("retry_storm_guarded")
    assert other.open_path(path, ask=False)
    other_ui.open_group(other_ui.runs_panel.groups[0])
    other_ui.verdicts.banner.toggle.setChecked(True)
    return other_ui


def test_a_kept_run_reopens_with_the_same_verdicts(qtbot, example_window, tmp_path):
    w, ui = example_window("retry_storm", duration=120)
    run_and_wait(qtbot, ui)
    ui.verdicts.banner.toggle.setChecked(True)  # details too, however tall either dashboard is
    before = ui.verdicts.banner.text()
    other_ui = _kept_and_reopened(w, ui, example_window, tmp_path)
    assert other_ui.verdicts.banner.text() == before
    assert "did not recover" in before.splitlines()[0]
    assert other_ui.verdicts.recovery_marks == ui.verdicts.recovery_marks


def test_a_kept_comparison_reopens_with_every_replications_verdicts(qtbot, example_window, tmp_path):
    w, ui = example_window("three_tier", duration=150, experiment="database outage")
    ui.compare_action.setChecked(True)
    ui.replications_spin.setValue(3)
    run_and_wait(qtbot, ui)
    ui.verdicts.banner.toggle.setChecked(True)
    before = ui.verdicts.banner.text()
    assert "of 3 runs" in before
    other_ui = _kept_and_reopened(w, ui, example_window, tmp_path)
    # was the first replication's verdicts, the author's "met in 2 of 3 runs" gone
    assert other_ui.verdicts.banner.text() == before


def test_replications_count_the_runs_that_met_and_recovered(qtbot, example_window):
    _w, ui = example_window("three_tier", duration=150, experiment="database outage")
    ui.compare_action.setChecked(True)
    ui.replications_spin.setValue(3)
    run_and_wait(qtbot, ui)
    assert len(ui.session.replicated_verdicts["protected"]) == 3
    box = ui.dashboard.table_box
    availability = next(e for e in box.entries if "availability" in e.name)
    recovery = box.entries[box.entries.index(availability) + 1]
    protected = box.value_item(availability, "protected")
    shown = protected.text().split(": ", 1)[-1]  # stacked beside the plots: "with: ✔ met in …"
    assert shown.split()[1:3] == ["met", "in"] and shown.split()[4:] == ["of", "3", "runs"]
    assert protected.toolTip().startswith(shown + ", ")  # and the share of requests judged met
    assert box.value_item(availability, "unprotected").text().endswith("✘ met in 0 of 3 runs")
    unrecovered = box.value_item(recovery, "unprotected")
    assert unrecovered.text().endswith("✘ recovered in 0 of 3")
    assert unrecovered.toolTip().startswith("✘ recovered in 0 of 3 runs")
    # The headline counts the replications as the rows do: it said "every objective met" of the
    # first run above a row saying "met in 2 of 3 runs".
    from engine.objectives import across_replications

    head = ui.verdicts.banner.text().splitlines()[0]
    objectives, _recoveries = across_replications(ui.session.replicated_verdicts["protected"])
    always = sum(1 for o in objectives if o.met == 3)
    words = "every objective met in all 3 runs" if always == 2 else f"{always} of 2 objectives met in all 3 runs"
    assert head.startswith(f"{'✔' if always == 2 else '◐'} With resilience: {words}")
    assert "without resilience: 1 of 2 objectives met in all 3 runs; did not recover after crash on db in any " \
           "run" in head


def test_banner_details_fold_away(qtbot, example_window):
    _w, ui = example_window("retry_storm", duration=100)
    run_and_wait(qtbot, ui)
    banner = ui.verdicts.banner
    assert len(banner.text().splitlines()) == 3
    banner.toggle.click()
    assert not banner.details.isVisible() and len(banner.text().splitlines()) == 1


def test_a_short_dashboard_shows_the_headline_only_until_the_user_asks(qtbot, example_window, monkeypatch):
    import app.run.verdict_view as verdict_view

    monkeypatch.setattr(verdict_view, "ROOM_FOR_DETAILS", 10_000)  # no dashboard is this tall
    _w, ui = example_window("retry_storm", duration=100)
    run_and_wait(qtbot, ui)
    banner = ui.verdicts.banner
    assert not banner.toggle.isChecked() and len(banner.text().splitlines()) == 1
    banner.toggle.click()  # the user's choice stands for the runs that follow
    run_and_wait(qtbot, ui)
    assert banner.toggle.isChecked() and len(banner.text().splitlines()) == 3


def test_the_fault_timeline_marks_recovery_of_the_last_run(qtbot, example_window):
    w, ui = example_window("retry_storm_guarded")
    timeline = w.faults.timeline
    fault = w.document.design.experiments[0].faults[0]
    run_and_wait(qtbot, ui)
    [(t, _colour, symbol, text)] = timeline.recovery[str(fault.id)]
    assert (t, symbol, text) == (76.0, "✔", "recovered in 1.0 s")
    assert "Last run:\nexhaustion on server: recovered in 1.0 s" in timeline.toolTip()
    # The next run's marks replace them: without any pattern (and so without retries) the queue
    # drains slowly.
    ui.resilience_action.setChecked(False)
    run_and_wait(qtbot, ui)
    [(t, _colour, symbol, text)] = timeline.recovery[str(fault.id)]
    assert (t, symbol, text) == (100.0, "✔", "recovered in 25.0 s")
    assert timeline.horizon() > 100.0  # the mark is drawn where it is, not clamped to the edge
    assert timeline.toolTip().count("Last run:") == 1


def test_a_kept_replicated_comparison_keeps_every_replications_verdicts(qtbot, example_window):
    _w, ui = example_window("retry_storm", duration=100)
    ui.compare_action.setChecked(True)
    ui.replications_spin.setValue(2)
    run_and_wait(qtbot, ui)
    first = ui.dashboard.table_box.entries[1]
    assert first.values["protected"].text.startswith("✘ met in 0 of 2 runs")
    assert ui.dashboard.table_box.value_item(first, "protected").text().endswith(first.values["protected"].text)
    ui.keep_run()
    ui.open_group(ui.runs_panel.groups[0])
    assert ui.session.replications == 2 and len(ui.session.replicated_verdicts["protected"]) == 2
    first = ui.dashboard.table_box.entries[1]
    assert first.values["protected"].text.startswith("✘ met in 0 of 2 runs")  # not the first run's alone


def test_a_kept_comparison_from_before_its_replications_were_kept_says_it_shows_the_first(qtbot, example_window):
    from app.run.saved import REPLICATED_KEY

    _w, ui = example_window("retry_storm", duration=100)
    ui.compare_action.setChecked(True)
    ui.replications_spin.setValue(2)
    run_and_wait(qtbot, ui)
    ui.keep_run()
    group = ui.runs_panel.groups[0]
    for run in group.runs:  # as a file written before they were kept holds it
        run.data["meta"].pop(REPLICATED_KEY, None)
    ui.open_group(group)
    assert ui.session.replications == 2 and not ui.session.replicated_verdicts
    first = ui.dashboard.table_box.entries[1]
    assert ui.dashboard.table_box.value_item(first, "protected").toolTip().endswith("(first replication)")
    assert ui.verdicts.banner.text().splitlines()[0].endswith("(first replication)")


def _shown(plot, kind):
    return [item for item in plot.items if isinstance(item, kind) and item.isVisible()]


def test_objective_items_all_land_once_the_ticks_drain_and_are_reused_by_the_next_run(qtbot, example_window):
    # The burn plot's curves, pace line and fault windows and the objective lines are made with the
    # window and taken by a run as its objectives arrive, on the dashboard's ticks.
    w, ui = example_window("retry_storm", duration=120)
    dashboard, overlay = ui.dashboard, ui.verdicts
    before = {key: list(plot.items) for key, plot in dashboard.plots.items()}
    burn_items = list(overlay._burn_item.items)
    for compare in (False, True):
        ui.compare_action.setChecked(compare)
        session = run_and_wait(qtbot, ui)
        assert not dashboard._jobs
        variants = session.variant_names
        # Each objective's lines shown, with their words, and no line left over from the run before.
        for key in ("latency", "errors"):
            shown = [line for line in _shown(dashboard.plots[key], pg.InfiniteLine) if line.zValue() == 40]
            expected = [line for plot, line, _v in overlay._threshold_lines if plot == key]
            assert shown and set(shown) == set(expected)
            assert all(line.label.toPlainText() for line in shown)
        # The latency axis, fitted on a tick after the lines came, reaches its thresholds.
        top = max(v for plot, _line, v in overlay._threshold_lines if plot == "latency")
        assert dashboard.plots["latency"].vb.viewRange()[1][1] >= top
        plot = overlay.burn_plot
        assert plot is not None and plot is overlay._burn_item
        curves = _shown(plot, LiveCurve)
        assert len(curves) == 2 * len(variants) == len(overlay._burn_curves)  # two objectives a run
        for curve in curves:
            x, y = curve.getData()
            assert len(x) == len(y) == session.n_buckets and np.isfinite(y).any()
        assert all(len(c.getData()[0]) == 0 for c in plot.items if isinstance(c, LiveCurve) and not c.isVisible())
        pace = [line for line in _shown(plot, pg.InfiniteLine) if line.label.toPlainText() == "budget pace"]
        assert len(pace) == 1
        assert len(_shown(plot, pg.LinearRegionItem)) == len(session.fault_windows) == 1
    # The second run took the first's items: no plot gained any.
    assert {key: list(plot.items) for key, plot in dashboard.plots.items()} == before
    assert [item for item in overlay._burn_item.items if item not in overlay._marks] == burn_items
    # A design without objectives: nothing of them shows.
    w.document.load(Project(name="shop", designs=[make_three_tier()]))
    ui.set_experiment(EXPERIMENT)
    run_and_wait(qtbot, ui)
    assert overlay.burn_plot is None and not overlay._threshold_lines
    for key in ("latency", "errors"):
        assert not [line for line in _shown(dashboard.plots[key], pg.InfiniteLine) if line.zValue() == 40]


def _scene_polylines(plot: pg.PlotItem) -> list[np.ndarray]:
    """Each curve of ``plot`` as drawn, in scene coordinates, with points every few pixels along its segments."""
    lines = []
    for item in plot.items:
        if not isinstance(item, pg.PlotCurveItem) or not item.isVisible() or item.xData is None:
            continue
        drawn = [plot.vb.mapViewToScene(QPointF(x, y)) for x, y in zip(item.xData, item.yData)
                 if np.isfinite(x) and np.isfinite(y)]
        points = np.array([(p.x(), p.y()) for p in drawn])
        if len(points) > 1:
            steps = np.linspace(0.0, 1.0, 12)[:, None, None]
            lines.append((points[:-1] + steps * (points[1:] - points[:-1])).reshape(-1, 2))
    return lines


def _covers(rect, lines: list[np.ndarray]) -> int:
    return sum(int(np.count_nonzero((p[:, 0] >= rect.left()) & (p[:, 0] <= rect.right()) & (p[:, 1] >= rect.top())
                                    & (p[:, 1] <= rect.bottom()))) for p in lines)


def test_an_objectives_label_sits_clear_of_the_curves_that_cross_its_line(qtbot, example_window):
    """Latency crosses the p99 line under the label's first place (the plot's right end, over the
    line): once the run is over, the label moves where it covers no curve, inside the plot."""
    w, ui = example_window("three_tier", duration=95, experiment="database outage")  # down from 60 to 90 s
    run_and_wait(qtbot, ui)
    ui.dashboard.flush()
    qtbot.wait(50)
    overlay = ui.verdicts
    latency = ui.dashboard.plots["latency"]
    lines = [line for key, line, _v in overlay._threshold_lines if key == "latency"]
    assert lines
    curves = _scene_polylines(latency)
    view = latency.vb.sceneBoundingRect()
    for line in lines:
        placed = (line.label.format, line.label.orthoPos, line.label.anchors[0])
        label = line.label.sceneBoundingRect()
        assert view.contains(label), (line.label.toPlainText(), label, view)
        assert _covers(label, curves) == 0, line.label.toPlainText()
        first = line.label.toolTip()  # the whole label, at its first place
        line.label.setFormat(first)
        line.label.anchors = [(1.0, 1.0), (1.0, 1.0)]
        line.label.setPosition(0.98)
        assert _covers(line.label.sceneBoundingRect(), curves) > 0  # where it was, it covered them
        line.label.setFormat(placed[0])
        line.label.anchors = [placed[2], placed[2]]
        line.label.setPosition(placed[1])
    for key, line, _value in overlay._threshold_lines:  # every label inside its plot
        assert ui.dashboard.plots[key].vb.sceneBoundingRect().contains(line.label.sceneBoundingRect())


def test_recovery_labels_of_faults_ending_close_together_do_not_write_over_one_another(qtbot):
    """The bad day's four faults end within 20 s: their labels, laid high and low in turn, overlapped."""
    from PySide6.QtGui import QFontMetricsF

    from app.run.verdict_labels import MARK_LABEL_MARGIN, mark_font, mark_sides

    widget = pg.PlotWidget()
    qtbot.addWidget(widget)
    widget.resize(800, 80)
    widget.show()
    qtbot.waitExposed(widget)
    plot = widget.getPlotItem()
    plot.setXRange(0, 200, padding=0)
    plot.vb.updateMatrix()
    times = [101.0, 102.0, 110.0, 121.0, 190.0]
    labels = ["✔ recovered +11.0 s", "✔ recovered +2.0 s", "✔ recovered +0.0 s", "✔ recovered +9.0 s",
              "✘ not recovered"]
    sides = mark_sides(times, labels, plot)
    (x0, x1), width = plot.vb.viewRange()[0], plot.vb.width()
    metrics = QFontMetricsF(mark_font(plot))
    spans: dict[bool, list[tuple[float, float]]] = {True: [], False: []}
    for t, text, (left, high, shown) in zip(times, labels, sides, strict=True):
        if not shown:
            continue
        at, room = (t - x0) * width / (x1 - x0), metrics.horizontalAdvance(text) + 2 * MARK_LABEL_MARGIN
        start, end = (at - room, at) if left else (at, at + room)
        assert 0 <= start and end <= width, text
        assert not any(start < e and s < end for s, e in spans[high]), (text, spans)
        spans[high].append((start, end))
    shown = [text for text, side in zip(labels, sides, strict=True) if side[2]]
    assert len(shown) >= 3 and "✘ not recovered" in shown   # two rows' worth, and the far one


def test_a_banner_shown_first_at_a_runs_end_takes_the_height_its_words_need(qtbot, example_window):
    """A run over before its first frame showed its banner from hidden: the height of its words
    was taken at the width its labels had while hidden (640), three lines for each one they take
    across the window, and the verdicts sat in a band of empty space."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QLabel

    _w, ui = example_window("three_tier", experiment="bad day")
    ui.compare_action.setChecked(True)
    run_and_wait(qtbot, ui)
    banner = ui.verdicts.banner
    assert ui.session.done and banner.toggle.isChecked()
    details = banner.details
    fresh = QLabel()
    fresh.setTextFormat(Qt.TextFormat.RichText)
    fresh.setWordWrap(True)
    fresh.setFont(details.font())
    fresh.setText(details.text())
    assert details.width() > 640
    assert details.minimumHeight() <= fresh.heightForWidth(details.width()) + 1


def test_a_recovery_over_replications_names_the_quickest_and_the_slowest():
    """The row of "recovered in 4 of 4 runs" gave their mean, 250 ms of 0, 0, 0 and 1 s: a time
    no run took, in whole buckets."""
    from app.run.verdicts import recovery_span
    from engine.objectives import across_replications

    [spread] = across_replications([recovered_in(0.0), recovered_in(0.0), recovered_in(0.0), recovered_in(1.0)])[1]
    assert recovery_span(spread) == "0.0 s to 1.0 s"
    [same] = across_replications([recovered_in(5.0), recovered_in(5.0)])[1]
    assert recovery_span(same) == "5.0 s"
