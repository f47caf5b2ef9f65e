"""Recent files and recovery copies, in directories the tests choose."""
from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest
from store_builders import saved_run, shop_project

from app.store import Autosave, RecentFiles, pending_recoveries, save_project
from app.store.paths import user_data_dir


def test_recent_files_newest_first_without_repeats(tmp_path):
    recent = RecentFiles(tmp_path / "data", limit=3)
    assert recent.paths() == []
    for name in ("a", "b", "c", "b", "d"):
        recent.add(tmp_path / f"{name}.faultline")
    assert [p.name for p in recent.paths()] == ["d.faultline", "b.faultline", "c.faultline"]
    recent.remove(tmp_path / "b.faultline")
    assert [p.name for p in RecentFiles(tmp_path / "data").paths()] == ["d.faultline", "c.faultline"]
    recent.clear()
    assert recent.paths() == []


def test_recent_files_are_stored_as_absolute_paths(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    recent = RecentFiles(tmp_path / "data")
    recent.add("rel.faultline")
    assert recent.paths() == [tmp_path / "rel.faultline"]


def test_existing_leaves_out_files_that_are_gone(tmp_path):
    recent = RecentFiles(tmp_path)
    save_project(tmp_path / "here.faultline", shop_project())
    recent.add(tmp_path / "gone.faultline")
    recent.add(tmp_path / "here.faultline")
    assert recent.existing() == [tmp_path / "here.faultline"]


@pytest.mark.parametrize("content", ["{not json", '["a list"]', '{"recent": 5}', '{"recent": [1, "", "ok"]}'])
def test_a_damaged_recent_list_reads_as_what_can_be_used(tmp_path, content):
    (tmp_path / "recent.json").write_text(content, encoding="utf-8")
    expected = [Path("ok")] if "ok" in content else []
    assert RecentFiles(tmp_path).paths() == expected
    RecentFiles(tmp_path).add(tmp_path / "x.faultline")
    assert RecentFiles(tmp_path).paths()[0] == tmp_path / "x.faultline"


def test_the_default_directory_is_the_users_data_directory():
    assert RecentFiles().directory == user_data_dir()
    assert "faultline" in str(user_data_dir()).lower()
    assert Autosave().directory == user_data_dir() / "recovery"


# -- autosave ---------------------------------------------------------------------------------

def test_an_autosave_of_this_session_is_not_offered_back(tmp_path):
    autosave = Autosave(tmp_path)
    autosave.write(shop_project(), original=tmp_path / "shop.faultline")
    assert autosave.path.exists() and autosave.info_path.exists()
    assert pending_recoveries(tmp_path) == []
    autosave.close()


def test_a_clean_save_removes_the_copy(tmp_path):
    autosave = Autosave(tmp_path)
    autosave.write(shop_project())
    save_project(tmp_path / "shop.faultline", shop_project())
    autosave.discard()
    assert list(tmp_path.glob(f"{autosave.token}*")) == []
    autosave.close()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork to crash a session")
def test_a_crashed_sessions_copy_is_offered_and_can_be_restored(tmp_path):
    project = shop_project("Crashed work")
    run = saved_run(project.designs[0])
    original = tmp_path / "work.faultline"
    pid = os.fork()
    if pid == 0:  # a session that autosaves, then dies without cleaning up
        try:
            Autosave(tmp_path / "recovery").write(project, original=original, runs=[run], include_runs=True)
            os.kill(os.getpid(), signal.SIGKILL)
        finally:
            os._exit(1)
    os.waitpid(pid, 0)
    found = pending_recoveries(tmp_path / "recovery")
    assert len(found) == 1
    recovery = found[0]
    assert recovery.original == original
    assert recovery.project_name == "Crashed work"
    restored = recovery.open()
    assert restored.project == project and restored.runs == [run]
    recovery.discard()
    assert pending_recoveries(tmp_path / "recovery") == []
    assert list((tmp_path / "recovery").iterdir()) == []


def test_copies_owned_by_another_running_session_are_not_offered(tmp_path):
    from app.store import autosave as module

    autosave = Autosave(tmp_path)
    autosave.write(shop_project())
    module._LIVE_TOKENS.discard(autosave.token)  # as if another process had written it
    info = json.loads(autosave.info_path.read_text())
    autosave.info_path.write_text(json.dumps({**info, "pid": os.getppid()}))  # certainly alive
    assert pending_recoveries(tmp_path) == []
    autosave.info_path.write_text(json.dumps({**info, "pid": 2**22 + 1}))  # above Linux's pid limit
    assert len(pending_recoveries(tmp_path)) == 1


def test_a_copy_without_its_note_is_still_offered(tmp_path):
    autosave = Autosave(tmp_path)
    autosave.write(shop_project("orphan"))
    autosave.info_path.write_text("{broken")
    from app.store import autosave as module

    module._LIVE_TOKENS.discard(autosave.token)
    found = pending_recoveries(tmp_path)
    assert [r.project_name for r in found] == [autosave.token]
    assert found[0].original is None and found[0].written is not None
    assert found[0].open().project.name == "orphan"


def test_offers_are_newest_first(tmp_path):
    from app.store import autosave as module

    tokens = []
    for name, when in (("older", "2026-01-01T00:00:00+00:00"), ("newer", "2026-06-01T00:00:00")):
        autosave = Autosave(tmp_path)
        autosave.write(shop_project(name))
        info = json.loads(autosave.info_path.read_text())
        autosave.info_path.write_text(json.dumps({**info, "written": when, "pid": 2**22 + 1}))
        module._LIVE_TOKENS.discard(autosave.token)
        tokens.append(autosave.token)
    assert [r.project_name for r in pending_recoveries(tmp_path)] == ["newer", "older"]


def test_no_recovery_directory_means_nothing_to_offer(tmp_path):
    assert pending_recoveries(tmp_path / "never-made") == []


def test_the_copy_keeps_saved_runs_unless_told_not_to(tmp_path):
    from app.store import autosave as module

    project = shop_project()
    run = saved_run(project.designs[0])
    with_runs, without = Autosave(tmp_path / "a"), Autosave(tmp_path / "b")
    with_runs.write(project, runs=[run])
    without.write(project, runs=[run], include_runs=False)
    for a in (with_runs, without):
        module._LIVE_TOKENS.discard(a.token)
    assert pending_recoveries(tmp_path / "a")[0].open().runs == [run]
    assert pending_recoveries(tmp_path / "b")[0].open().runs == []
