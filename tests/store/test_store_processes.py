"""Whether another Faultline still runs: the Windows check with the platform calls injected, and its users."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from app.store import Autosave, pending_recoveries, processes
from app.store.processes import ERROR_ACCESS_DENIED, ERROR_INVALID_PARAMETER, STILL_ACTIVE, process_alive
from engine.model import Design, Project


class FakeWindows:
    """Processes as kernel32 would report them: pid -> exit code, or an error for OpenProcess."""

    def __init__(self, exit_codes: dict[int, int | None], errors: dict[int, int] | None = None):
        self.exit_codes = exit_codes
        self.errors = errors or {}
        self.open_handles: set[int] = set()

    def open(self, pid):
        if pid in self.exit_codes:
            handle = 1000 + pid
            self.open_handles.add(handle)
            return handle, 0
        return None, self.errors.get(pid, ERROR_INVALID_PARAMETER)

    def exit_code(self, handle):
        return self.exit_codes[handle - 1000]

    def close(self, handle):
        self.open_handles.remove(handle)


def test_windows_running_exited_missing_and_foreign_processes():
    api = FakeWindows({10: STILL_ACTIVE, 11: 0, 12: None}, errors={13: ERROR_ACCESS_DENIED})
    assert process_alive(10, api)
    assert not process_alive(11, api)  # exited, its handle still held by someone
    assert process_alive(12, api)  # exit code unreadable: assume it runs
    assert process_alive(13, api)  # another user's process: it exists
    assert not process_alive(14, api)  # no such process
    assert api.open_handles == set()


def test_impossible_pids_are_never_alive():
    api = FakeWindows({0: STILL_ACTIVE})
    for pid in (0, -1, True, 2**40, "12"):
        assert not process_alive(pid, api)


def test_posix_check_sees_a_live_and_a_dead_process():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        assert process_alive(child.pid)
    finally:
        child.kill()
        child.wait()
    assert not process_alive(child.pid)


@pytest.fixture
def on_windows(monkeypatch):
    """Run the store's checks as on Windows, with kernel32 answered by a fake."""
    api = FakeWindows({})
    monkeypatch.setattr(processes, "_ON_WINDOWS", True)
    monkeypatch.setattr(processes, "_Kernel32", lambda: api)
    return api


def _left_by(directory, pid: int) -> Autosave:
    copy = Autosave(directory)
    copy.write(Project(name="work of another window", designs=[Design(name="d")]))
    from app.store import autosave as module

    module._LIVE_TOKENS.discard(copy.token)
    info = copy.info_path.read_text()
    copy.info_path.write_text(info.replace(f'"pid": {os.getpid()}', f'"pid": {pid}'))
    return copy


def test_on_windows_a_second_instance_leaves_a_running_instances_copy_alone(tmp_path, on_windows):
    _left_by(tmp_path, 4242)
    on_windows.exit_codes[4242] = STILL_ACTIVE
    assert pending_recoveries(tmp_path) == []
    on_windows.exit_codes[4242] = 1  # that window crashed
    assert [r.project_name for r in pending_recoveries(tmp_path)] == ["work of another window"]
