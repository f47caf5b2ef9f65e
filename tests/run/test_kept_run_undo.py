"""Keeping, deleting and renaming kept runs are undo steps: a run deleted by mistake, one of a
twenty-minute comparison say, came back with nothing, and Edit > Undo did not know of it."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from test_run_window import run_and_wait, window  # noqa: F401  (the fixture)

from app.document import ProjectDocument
from app.store import SavedRun, open_project


def record(label: str) -> SavedRun:
    return SavedRun(uuid.uuid4(), uuid.uuid4(), None, label, datetime.now(UTC), {})


def test_a_deleted_run_comes_back_where_it_was_and_redo_deletes_it_again():
    doc = ProjectDocument()
    runs = [record("first"), record("second — With resilience"), record("second — Without"), record("third")]
    doc.keep_runs(runs[:1])
    doc.keep_runs(runs[1:3], name="second")
    doc.keep_runs(runs[3:])
    assert doc.undo_stack.undoText() == 'Keep run "third"'
    doc.remove_runs([runs[0].id, runs[2].id], name="first and second")
    assert doc.runs == (runs[1], runs[3])
    assert doc.undo_stack.undoText() == 'Delete kept run "first and second"'
    doc.undo_stack.undo()
    assert doc.runs == tuple(runs)  # each in its place, not appended
    doc.undo_stack.redo()
    assert doc.runs == (runs[1], runs[3])
    doc.undo_stack.undo()
    doc.undo_stack.undo()  # the keep of "third"
    assert doc.runs == tuple(runs[:3])
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    assert doc.runs == () and not doc.modified


def test_a_rename_is_undone_to_every_variant_s_old_label():
    doc = ProjectDocument()
    runs = [record("run — With resilience"), record("run — Without")]
    doc.keep_runs(runs, name="run")
    doc.relabel_runs({runs[0].id: "pool fix — With resilience", runs[1].id: "pool fix — Without"}, name="run")
    assert doc.undo_stack.undoText() == 'Rename kept run "run"'
    assert [r.label for r in doc.runs] == ["pool fix — With resilience", "pool fix — Without"]
    assert [r.id for r in doc.runs] == [r.id for r in runs]
    doc.undo_stack.undo()
    assert [r.label for r in doc.runs] == ["run — With resilience", "run — Without"]
    doc.undo_stack.redo()
    assert [r.label for r in doc.runs] == ["pool fix — With resilience", "pool fix — Without"]


def test_undoing_back_to_the_saved_runs_makes_the_project_clean_again():
    doc = ProjectDocument()
    first, second = record("first"), record("second")
    doc.keep_runs([first])
    doc.mark_saved()
    assert not doc.modified
    doc.keep_runs([second])
    doc.remove_runs([first.id])
    doc.relabel_runs({second.id: "renamed"})
    assert doc.modified
    for _step in range(3):
        doc.undo_stack.undo()
    assert not doc.modified and doc.runs == (first,)
    doc.undo_stack.undo()  # before the save: the file holds a run the project then did not
    assert doc.modified and doc.runs == ()
    doc.undo_stack.redo()
    assert not doc.modified


def test_deleting_the_shown_run_asks_nothing_and_undo_keeps_it_again(qtbot, window, tmp_path):  # noqa: F811
    ui = window.run_ui
    doc = window.document
    ui.compare_action.setChecked(True)
    run_and_wait(qtbot, ui)
    ui.keep_run()
    ui.compare_action.setChecked(False)
    run_and_wait(qtbot, ui)
    ui.keep_run()
    runs, groups = doc.runs, [g.id for g in ui.runs_panel.groups]
    assert len(runs) == 3 and len(groups) == 2
    path = tmp_path / "shop.faultline"
    assert window._save_to(path) and not doc.modified
    # The comparison, kept first: its two runs are first in the file, and last in the panel.
    group = ui.runs_panel.groups[1]
    shown = ui.open_group(group)
    assert shown is not None and shown.saved and not ui.keep_action.isEnabled()

    ui.confirm = lambda text: pytest.fail(f"asked before an undoable delete: {text}")
    assert ui.delete_group(group)
    assert doc.runs == runs[2:] and [g.id for g in ui.runs_panel.groups] == groups[:1]
    assert doc.modified and doc.undo_stack.undoText() == f'Delete kept run "{group.label}"'
    assert window.statusBar().currentMessage() == f"Deleted kept run “{group.label}” — Edit > Undo brings it back"
    assert not shown.saved and ui.keep_action.isEnabled() and ui.dashboard.keep_button.isEnabled()

    window.undo_action.trigger()
    assert doc.runs == runs and [g.id for g in ui.runs_panel.groups] == groups
    assert ui.runs_panel.selected().id == group.id
    assert shown.saved and not ui.keep_action.isEnabled() and not ui.dashboard.keep_button.isEnabled()
    assert not doc.modified  # back to what the file holds

    window.redo_action.trigger()
    assert doc.runs == runs[2:] and not shown.saved and ui.keep_action.isEnabled()
    window.undo_action.trigger()
    doc.edit.add_component("service")  # something to save
    assert window._save_to(path)
    assert [r.id for r in open_project(path).runs] == [r.id for r in runs]


def test_undoing_keep_run_leaves_the_shown_run_not_kept(qtbot, window, tmp_path):  # noqa: F811
    ui = window.run_ui
    doc = window.document
    shown = run_and_wait(qtbot, ui)
    group = ui.keep_run()
    assert group is not None and doc.undo_stack.undoText() == f'Keep run "{group.label}"'
    assert shown.saved and doc.modified
    window.undo_action.trigger()
    assert doc.runs == () and ui.runs_panel.groups == [] and not doc.modified
    assert not shown.saved and ui.keep_action.isEnabled() and ui.dashboard.keep_button.isEnabled()
    qtbot.wait(50)
    assert "not in the file" not in window.statusBar().currentMessage()  # clean again, but not by a save
    window.redo_action.trigger()
    assert [g.id for g in ui.runs_panel.groups] == [group.id] and ui.runs_panel.selected().id == group.id
    assert shown.saved and not ui.keep_action.isEnabled() and not ui.dashboard.keep_button.isEnabled()
    path = tmp_path / "kept.faultline"
    assert window._save_to(path) and len(open_project(path).runs) == 1


def test_renaming_a_kept_comparison_is_undone_in_one_step(qtbot, window):  # noqa: F811
    ui = window.run_ui
    doc = window.document
    ui.compare_action.setChecked(True)
    run_and_wait(qtbot, ui)
    group = ui.keep_run()
    assert group is not None
    labels = [r.label for r in doc.runs]
    ui.rename_group(group, "before the pool fix")
    assert ui.runs_panel.groups[0].label == "before the pool fix"
    assert doc.undo_stack.undoText() == f'Rename kept run "{group.label}"'
    window.undo_action.trigger()
    assert [r.label for r in doc.runs] == labels and ui.runs_panel.groups[0].label == group.label
    window.redo_action.trigger()
    assert ui.runs_panel.groups[0].label == "before the pool fix"
