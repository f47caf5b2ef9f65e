"""Saving is atomic: whatever happens during a save, the file is the old project or the new one."""
from __future__ import annotations

import errno
import os
import random
import signal
import stat
import sys
import time
from collections import Counter

import pytest
from store_builders import shop_project

from app.store import ProjectFileError, fileio, open_project, save_project
from engine.model import Client, Design, Link, Project, RetryPolicy, Service


def project_of(size: int, name: str) -> Project:
    comps = [Client(name="c")] + [Service(name=f"s{i}", policies=[RetryPolicy()]) for i in range(size)]
    links = [Link(source="c", target=f"s{i}") for i in range(size)]
    return Project(name=name, designs=[Design(name=name, components=comps, links=links)])


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork to kill a saving process")
def test_a_save_killed_at_random_moments_leaves_the_old_or_the_new_file(tmp_path):
    path = tmp_path / "p.faultline"
    old, new = project_of(20, "old"), project_of(30, "new")
    save_project(path, old)
    start = time.perf_counter()
    for _ in range(3):
        save_project(tmp_path / "probe.faultline", new)
    one_save = (time.perf_counter() - start) / 3
    rng = random.Random(20261127)
    seen = Counter()
    for _ in range(40):
        done_r, done_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child saves new and old by turns, telling the parent after each save
            try:
                os.close(done_r)
                for turn in range(10_000):
                    save_project(path, new if turn % 2 == 0 else old)
                    os.write(done_w, b".")
            finally:
                os._exit(0)
        os.close(done_w)
        # Let the child finish 0, 1 or 2 saves, then kill it somewhere inside the next one:
        # counting saves keeps the kill points spread over every phase however loaded the machine is.
        for _ in range(rng.randint(0, 2)):
            os.read(done_r, 1)
        time.sleep(rng.uniform(0, 1.2 * one_save))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(done_r)
        found = open_project(path).project
        assert found == old or found == new
        seen[found.name] += 1
    assert seen["old"] > 4 and seen["new"] > 4, seen
    # Each open cleared what the killed save before it left behind.
    assert [p for p in tmp_path.iterdir() if p.name.endswith(fileio.TEMP_SUFFIX)] == []


def test_a_failed_check_leaves_the_old_file_and_no_temporary_file(tmp_path, monkeypatch):
    path = tmp_path / "p.faultline"
    save_project(path, shop_project("old"))
    before = path.read_bytes()

    def corrupting_write(target, data, verify=None):
        return real_write(target, data[:4096] + b"\xff" * (len(data) - 4096), verify)

    real_write = fileio.atomic_write
    from app.store import project_file

    monkeypatch.setattr(project_file, "atomic_write", corrupting_write)
    with pytest.raises(ProjectFileError) as info:
        save_project(path, shop_project("new"))
    assert str(info.value).startswith("Cannot save p.faultline: the new file failed its check (")
    assert str(info.value).endswith("the previous version is untouched")
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.faultline"]


def test_a_failed_rename_leaves_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "p.faultline"
    save_project(path, shop_project("old"))

    def refuse(*args):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(fileio.os, "replace", refuse)
    with pytest.raises(ProjectFileError) as info:
        save_project(path, shop_project("new"))
    assert str(info.value) == "Cannot save p.faultline: Permission denied; the previous version is untouched"
    monkeypatch.undo()
    assert open_project(path).project.name == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.faultline"]


def test_a_full_disk_leaves_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "p.faultline"
    save_project(path, shop_project("old"))

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(fileio.os, "fsync", full)
    with pytest.raises(ProjectFileError,
                       match="^Cannot save p.faultline: No space left on device; the previous version is untouched$"):
        save_project(path, shop_project("new"))
    monkeypatch.undo()
    assert open_project(path).project.name == "old"


def test_the_file_and_its_directory_are_flushed_before_and_after_the_rename(tmp_path, monkeypatch):
    calls = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(fileio.os, "fsync", lambda fd: (calls.append(("fsync", stat.S_ISDIR(os.fstat(fd).st_mode))),
                                                        real_fsync(fd)))
    monkeypatch.setattr(fileio.os, "replace", lambda a, b: (calls.append(("replace", None)), real_replace(a, b)))
    save_project(tmp_path / "p.faultline", shop_project())
    if os.name == "posix":
        assert calls == [("fsync", False), ("replace", None), ("fsync", True)]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_the_permissions_of_the_old_file_are_kept(tmp_path):
    path = tmp_path / "p.faultline"
    save_project(path, shop_project())
    os.chmod(path, 0o640)
    save_project(path, shop_project())
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks need privileges on Windows")
def test_saving_through_a_symlink_replaces_the_real_file(tmp_path):
    real = tmp_path / "real.faultline"
    save_project(real, shop_project("old"))
    link = tmp_path / "link.faultline"
    link.symlink_to(real)
    save_project(link, shop_project("new"))
    assert link.is_symlink()
    assert open_project(real).project.name == "new"


def test_saving_into_a_missing_folder(tmp_path):
    with pytest.raises(ProjectFileError) as info:
        save_project(tmp_path / "nope" / "p.faultline", shop_project())
    assert str(info.value) == f"Cannot save p.faultline: the folder {tmp_path / 'nope'} does not exist"


def test_saving_over_a_folder(tmp_path):
    (tmp_path / "p.faultline").mkdir()
    with pytest.raises(ProjectFileError, match="^Cannot save p.faultline: it is a folder$"):
        save_project(tmp_path / "p.faultline", shop_project())


def test_temporary_files_of_long_dead_saves_are_cleared_by_the_next_save(tmp_path):
    path = tmp_path / "p.faultline"
    stale = tmp_path / f".p.faultline.0123456789ab{fileio.TEMP_SUFFIX}"
    fresh = tmp_path / f".p.faultline.ba9876543210{fileio.TEMP_SUFFIX}"
    other = tmp_path / f".q.faultline.0123456789ab{fileio.TEMP_SUFFIX}"
    for p in (stale, fresh, other):
        p.write_bytes(b"half a file")
    old = time.time() - fileio.STALE_TEMP_SECONDS - 60
    os.utime(stale, (old, old))
    os.utime(other, (old, old))
    save_project(path, shop_project())
    # A fresh one may belong to a save still running in another window.
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["p.faultline", fresh.name, other.name])


LIVE_WRITER = """
import sys
from pathlib import Path
from app.store import fileio

target, ready, go = (Path(a) for a in sys.argv[1:4])

def verify(temp):
    ready.write_text(temp.name)
    while not go.exists():
        pass

fileio.atomic_write(target, b"written by the live writer", verify)
"""

DEAD_WRITER = """
import os, sys
from pathlib import Path
from app.store import fileio

fd, temp = fileio._open_temp(Path(sys.argv[1]))
os.write(fd, b"half a file")
print(temp.name)
os._exit(1)  # killed mid-save: nothing cleans up
"""


def _python(code: str, *args) -> list[str]:
    return [sys.executable, "-c", code, *map(str, args)]


@pytest.mark.skipif(fileio.fcntl is None, reason="the writer's lock is a POSIX lock")
def test_stale_temporary_files_are_cleared_without_touching_a_save_under_way(tmp_path):
    import subprocess

    target = tmp_path / "p.faultline"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    dead = subprocess.run(_python(DEAD_WRITER, target), env=env, capture_output=True, text=True)
    dead_temp = tmp_path / dead.stdout.strip()
    assert dead_temp.exists()
    ready, go = tmp_path / "ready", tmp_path / "go"
    live = subprocess.Popen(_python(LIVE_WRITER, target, ready, go), env=env)
    try:
        deadline = time.monotonic() + 60
        while not ready.exists() and live.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        live_temp = tmp_path / ready.read_text()
        # Another machine's save, locked by its writer, long after its last write.
        foreign = tmp_path / f".p.faultline.0badcafe-{live.pid}-0123456789ab{fileio.TEMP_SUFFIX}"
        foreign.write_bytes(b"another machine's save")
        old = time.time() - fileio.YOUNG_TEMP_SECONDS - 5
        os.utime(foreign, (old, old))
        holder = os.open(foreign, os.O_RDONLY)
        fileio.fcntl.flock(holder, fileio.fcntl.LOCK_EX)

        assert fileio.remove_stale_temps(target) == [dead_temp]
        assert live_temp.exists() and foreign.exists()
        os.close(holder)
        assert fileio.remove_stale_temps(target) == [foreign]
        assert live_temp.exists()
    finally:
        go.write_text("go")
        assert live.wait(timeout=120) == 0
    assert target.read_bytes() == b"written by the live writer"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(fileio.TEMP_SUFFIX)] == []


def test_opening_a_file_clears_what_a_dead_save_of_it_left(tmp_path):
    import subprocess

    target = tmp_path / "p.faultline"
    save_project(target, shop_project())
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    dead = subprocess.run(_python(DEAD_WRITER, target), env=env, capture_output=True, text=True)
    assert (tmp_path / dead.stdout.strip()).exists()
    open_project(target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.faultline"]
