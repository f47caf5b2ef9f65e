"""Keeping a run, changing one setting, running and keeping again, as an architect comparing the two:
the Runs panel must tell them apart and say which met the objectives."""
from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from test_run_window import FULL_SPEED, make_window, run_and_wait

from app.run.sweep_apply import apply_values
from app.run.verdicts import headline
from app.store import load_design_from_path
from engine.model import Project

EXAMPLE = Path(__file__).resolve().parents[2] / "resources" / "examples" / "three_tier.json"
WAIT = "api->db.circuit_breaker.wait_duration_in_open_state"


@pytest.fixture
def shop(qtbot, tmp_path):
    w, ui = make_window(qtbot, tmp_path)
    w.document.load(Project(name="shop", designs=[load_design_from_path(EXAMPLE)]))
    ui.speed_combo.setCurrentIndex(FULL_SPEED)
    ui.set_experiment("database outage")
    ui.compare_action.setChecked(True)
    yield w, ui
    ui.shutdown()
    w.close()


def test_two_kept_runs_of_one_experiment_say_what_changed_and_their_verdicts(qtbot, shop):
    """Both rows read "database outage · comparison · seed 1" kept at the same minute, with no
    verdict: which one had the breaker's wait of 30 s could only be found by opening each."""
    w, ui = shop
    first = run_and_wait(qtbot, ui)
    ui.keep_run()
    assert apply_values(w.document, {WAIT: 30.0})
    second = run_and_wait(qtbot, ui)
    ui.keep_run()
    tree = ui.runs_panel.tree
    rows = {tree.topLevelItem(i).text(0): tree.topLevelItem(i) for i in range(tree.topLevelItemCount())}
    assert len(rows) == 2  # told apart
    heads = [tree.headerItem().text(i) for i in range(tree.columnCount())]
    verdict, kept = heads.index("Verdict"), heads.index("Kept")
    older = rows["database outage · comparison · seed 1"]
    newer = rows[f"database outage · comparison · seed 1 · {WAIT}=30 (was 5)"]
    assert f"{WAIT}=30 (was 5)" in newer.toolTip(0).splitlines()
    # each with its verdict, the banner's words in its tooltip
    for item, session in ((older, first), (newer, second)):
        head = headline(session)
        assert head is not None
        assert item.text(verdict).endswith(head.state) and item.toolTip(verdict) == head.text
        assert item.toolTip(kept).count(":") == 2  # to the second
    assert older.text(verdict) != newer.text(verdict)


def test_a_run_kept_twice_with_nothing_changed_is_numbered(qtbot, shop):
    _w, ui = shop
    for _ in range(2):
        run_and_wait(qtbot, ui)
        ui.keep_run()
    tree = ui.runs_panel.tree
    names = sorted(tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount()))
    assert names == ["database outage · comparison · seed 1", "database outage · comparison · seed 1 (2)"]


def test_enter_on_a_kept_run_opens_it(qtbot, shop):
    """Only a double-click or the Open button opened a kept run: Enter on the list did nothing."""
    _w, ui = shop
    run_and_wait(qtbot, ui)
    ui.keep_run()
    tree = ui.runs_panel.tree
    tree.setFocus()
    tree.setCurrentItem(tree.topLevelItem(0))
    with qtbot.waitSignal(ui.runs_panel.open_requested, timeout=2000) as opened:
        qtbot.keyClick(tree, Qt.Key.Key_Return)
    assert opened.args[0].id == ui.runs_panel.groups[0].id
