"""The run toolbar's duration follows the chosen experiment, as the command line's default does."""
from __future__ import annotations

from PySide6.QtCore import QSettings
from run_builders import EXPERIMENT, make_three_tier

from app.main_window import MainWindow
from app.run.buckets import MAX_BUCKETS, SERIES_COPIES, bucket_for, window_buckets
from app.run.ui import install
from app.store import Autosave, RecentFiles
from engine.grid import BucketGrid
from engine.model import Client, Design, Link, OpenLoop, Project, RunOptions, Service
from engine.simulation import series_bytes_per_bucket


def _window(qtbot, tmp_path, name="d"):
    settings = QSettings(str(tmp_path / f"{name}.ini"), QSettings.Format.IniFormat)
    w = MainWindow(settings, RecentFiles(tmp_path / f"{name}-data"), Autosave(tmp_path / f"{name}-recovery"))
    w.ask_save_changes = lambda: "discard"
    ui = install(w)
    qtbot.addWidget(w)
    return w, ui


def test_the_duration_covers_the_experiment_until_the_user_sets_one(qtbot, tmp_path):
    w, ui = _window(qtbot, tmp_path)
    doc = w.document
    doc.load(Project(name="shop", designs=[make_three_tier()]))
    ui.set_experiment(None)
    assert ui.duration_auto.isChecked() and ui.duration_spin.value() == 60      # no faults: the shortest run
    assert "default length" in ui.duration_spin.toolTip()
    ui.set_experiment(EXPERIMENT)                                               # a crash at 10-20 s
    assert ui.duration_spin.value() == 80 and "60 s after the last fault ends" in ui.duration_spin.toolTip()
    experiment = doc.current_experiment
    doc.edit.set_fault_fields(experiment.id, experiment.faults[0].id, {"start": 100})
    assert ui.duration_spin.value() == 170                                      # the edit moved the fault
    assert ui.request().options.duration == 170

    ui.duration_spin.setValue(45)                                               # the user's choice stays
    assert not ui.duration_auto.isChecked()
    ui.set_experiment(None)
    ui.set_experiment(EXPERIMENT)
    assert ui.duration_spin.value() == 45 and ui.request().options.duration == 45
    ui.duration_auto.setChecked(True)                                           # and Auto goes back to the rule
    assert ui.duration_spin.value() == 170
    ui.shutdown()
    w.close()


def test_whether_the_duration_follows_is_remembered(qtbot, tmp_path):
    w, ui = _window(qtbot, tmp_path, "kept")
    ui.duration_spin.setValue(25)
    ui._save_controls()
    ui.shutdown()
    w.close()
    w2, ui2 = _window(qtbot, tmp_path, "kept")
    assert ui2.duration_spin.value() == 25 and not ui2.duration_auto.isChecked()
    ui2.duration_auto.setChecked(True)
    ui2._save_controls()
    ui2.shutdown()
    w2.close()
    w3, ui3 = _window(qtbot, tmp_path, "kept")
    assert ui3.duration_auto.isChecked() and ui3.duration_spin.value() == 60
    ui3.shutdown()
    w3.close()


def test_the_sweep_and_fix_finder_durations_follow_their_experiments_too(qtbot):
    from PySide6.QtCore import Qt

    from app.run.sweep_dialog import SweepDialog
    from app.run.sweep_suggest import SuggestDialog

    design = make_three_tier()                                      # its outage: a crash at 10-20 s
    sweep = SweepDialog(design)
    qtbot.addWidget(sweep)
    assert sweep.duration.value() == 60                             # (no faults) alone
    sweep.experiments.item(1).setCheckState(Qt.CheckState.Checked)
    assert sweep.duration.value() == 80 and "60 s after the last fault ends" in sweep.duration.toolTip()
    sweep.duration.setValue(30)
    sweep.experiments.item(1).setCheckState(Qt.CheckState.Unchecked)
    assert sweep.duration.value() == 30                             # typed: kept

    finder = SuggestDialog(design)
    qtbot.addWidget(finder)
    assert finder.experiment.currentText() == EXPERIMENT and finder.duration.value() == 80
    finder.experiment.setCurrentText("(no faults)")
    assert finder.duration.value() == 60


def _wide_chain(services: int) -> Design:
    names = [f"s{i}" for i in range(services)]
    return Design(name="wide", components=[Client(name="users", workload=OpenLoop(rate=1.0))]
                  + [Service(name=n) for n in names],
                  links=[Link(source=a, target=b) for a, b in zip(["users", *names], names)])


def test_a_wide_design_keeps_wider_buckets_so_its_series_fit_the_memory_budget():
    budget = RunOptions().memory_budget
    assert window_buckets(make_three_tier(), 3) == MAX_BUCKETS                  # a small design: as long runs get
    wide = _wide_chain(2000)
    kept = [window_buckets(wide, variants) for variants in (1, 2, 3)]
    assert kept[0] < MAX_BUCKETS and kept[0] > kept[1] > kept[2]                # each variant holds its own
    for variants, most in zip((1, 2, 3), kept):
        held = SERIES_COPIES * variants * most * series_bytes_per_bucket(2001, 2000, 0)
        assert budget * 0.99 < held <= budget


def test_the_window_says_when_a_wide_design_gets_wider_buckets(qtbot, tmp_path):
    w, ui = _window(qtbot, tmp_path)
    w.document.load(Project(name="shop", designs=[_wide_chain(700)]))
    ui.duration_spin.setValue(10_000)
    ui.compare_action.setChecked(True)
    request = ui.request()
    assert request.options.max_buckets == window_buckets(request.design, 2) < MAX_BUCKETS
    assert request.options.bucket == 10.0 and bucket_for(10_000) == 5.0         # 1, 2 or 5 times a power of ten
    assert BucketGrid.of_options(request.options).width == 10.0                 # never doubled past it
    ui.run()
    qtbot.waitUntil(lambda: w.statusBar().currentMessage().startswith("Running"), timeout=5_000)
    assert "Series in 10 s buckets, not 5 s" in w.statusBar().currentMessage()
    ui.stop()
    qtbot.waitUntil(lambda: not ui.controller.running, timeout=20_000)
    assert ui.session.bucket == 10.0
    shown = w.statusBar().currentMessage()
    assert shown.startswith("Run stopped. Series in 10 s buckets, not 5 s") and "701 components" in shown
    w.document.load(Project(name="shop", designs=[make_three_tier()]))
    assert ui.request().options.bucket == 5.0
    ui.shutdown()
    w.close()
