"""The sweep window: parameters by path, a run on a thread, the summary per point, Stop, Save."""
from __future__ import annotations

import csv

from PySide6.QtCore import Qt
from run_builders import EXPERIMENT

from app.run.sweep_dialog import SweepDialog


def sweep_dialog(qtbot, design, path="api.workers", values="2,16", apply=None, replications=2, duration=30):
    """A sweep window of ``path`` over ``values``, run in this process."""
    dialog = SweepDialog(design, apply=apply)
    qtbot.addWidget(dialog)
    dialog.params.cellWidget(0, 0).setCurrentText(path)
    dialog.params.cellWidget(0, 1).setText(values)
    dialog.replications.setValue(replications)
    dialog.duration.setValue(duration)
    dialog.workers.setValue(1)
    return dialog


def _cells(table):
    heads = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    return heads, [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]


def test_a_sweep_runs_and_shows_the_summary_per_point(qtbot, design, tmp_path):
    dialog = sweep_dialog(qtbot, design)
    dialog.experiments.item(1).setCheckState(Qt.CheckState.Checked)  # the design's outage, beside no faults
    with qtbot.waitSignal(dialog.ended, timeout=60_000):
        dialog.start()
    assert not dialog.running and dialog.progress.value() == 8
    heads, rows = _cells(dialog.results)
    assert heads[:4] == ["#", "api.workers", "experiment", "n"]
    # a client's figures as the dashboard names them, the column as the CSV has it in the tooltip
    assert heads[4:7] == ["users · Throughput /s", "users · Error rate %", "users · Latency p99 ms"]
    assert dialog.results.horizontalHeaderItem(6).toolTip() == "users.p99 ms"
    # no faults named as everywhere else in the window, not the command line's "none"
    assert [(r[1], r[2], r[3]) for r in rows] == [("2", "(no faults)", "2"), ("2", EXPERIMENT, "2"),
                                                  ("16", "(no faults)", "2"), ("16", EXPERIMENT, "2")]
    assert dialog.status.text() == "8 of 8 runs done"
    dialog.save(str(tmp_path / "shop.csv"))
    with open(tmp_path / "shop.csv", newline="") as fh:
        assert len(list(csv.DictReader(fh))) == 8
    assert (tmp_path / "shop.summary.csv").exists()
    assert dialog.status.text().endswith("units in shop.units.csv") and (tmp_path / "shop.units.csv").exists()


def test_a_bad_value_is_shown_naming_the_parameter_and_nothing_runs(qtbot, design):
    dialog = sweep_dialog(qtbot, design, values="0,4")
    dialog.start()
    assert not dialog.running
    assert dialog.status.text() == 'api.workers: "0,4": must be at least 1 (got 0)'
    dialog.params.cellWidget(0, 0).setCurrentText("api.wrkers")
    dialog.start()
    assert "api.wrkers: is not a parameter" in dialog.status.text()


def test_a_sweep_of_many_runs_asks_first_and_says_how_many(qtbot, design):
    """``1:100000:1`` started 300,000 runs at once, with no word before."""
    dialog = sweep_dialog(qtbot, design, values="1:2000:1")
    asked = []
    dialog.confirm = lambda text: asked.append(text) or False
    dialog.start()
    assert not dialog.running
    assert asked == ["This sweep makes 4,000 runs: 2,000 points x 1 experiment(s) x 2 replication(s), "
                     "33.3 h of simulated time in all. Run it?"]
    assert dialog.status.text() == "Not started: 4,000 runs. Narrow the values, or run it anyway."
    small = sweep_dialog(qtbot, design, values="2,4")
    small.confirm = lambda text: asked.append(text) or False
    with qtbot.waitSignal(small.ended, timeout=60_000):
        small.start()
    assert len(asked) == 1      # a few runs start without a question


def test_stop_ends_the_sweep_and_keeps_what_finished(qtbot, design):
    dialog = sweep_dialog(qtbot, design, values="1:16:1")
    dialog.progressed.connect(lambda done, total: dialog.stop() if done == 2 else None)
    with qtbot.waitSignal(dialog.ended, timeout=60_000):
        dialog.start()
    # the stop comes through the event loop: the run under way by then finishes too
    done = int(dialog.status.text().split(" of ")[0])
    assert 2 <= done < 32 and dialog.status.text().endswith(" of 32 runs done (stopped)")
    assert 1 <= dialog.results.rowCount() < 16
    assert dialog.run_button.isEnabled() and not dialog.stop_button.isEnabled()


def test_progress_says_the_runs_done_and_the_time_left_once_the_pace_is_known(qtbot, design, monkeypatch):
    import threading

    import app.run.sweep_common as common
    from app.run.sweep_common import progress_text

    assert progress_text(0, 40, 0.0) == "0 of 40 runs"
    assert progress_text(10, 40, 12.0) == "10 of 40 runs · about 36 s left"
    assert progress_text(10, 40, 60.0) == "10 of 40 runs · about 3 min left"
    dialog = sweep_dialog(qtbot, design)
    clock = iter([100.0, 130.0])
    monkeypatch.setattr(common, "monotonic", lambda: next(clock))
    gate = threading.Event()
    dialog.launch(lambda: "finished" if gate.wait(10) else "gate never opened", (), "test")
    dialog.progressed.emit(3, 4)   # 3 runs in 30 s: 10 s for the last one
    assert dialog.status.text() == "3 of 4 runs · about 10 s left"
    assert dialog.running and not dialog.run_button.isEnabled()
    with qtbot.waitSignal(dialog.ended, timeout=10_000):
        gate.set()
    assert dialog.status.text() == "finished" and dialog.run_button.isEnabled() and not dialog.running
