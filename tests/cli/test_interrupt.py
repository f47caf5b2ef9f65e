"""Ctrl+C during ``run --replications`` / ``--compare``: the runs that finished are printed and
written, with how many of how many, and the command exits 130."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SMALL = str(ROOT / "resources" / "examples" / "mmc.json")


def start(*args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.Popen([sys.executable, str(ROOT / "main.py"), *args], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_sigint_during_replications_keeps_the_finished_ones(tmp_path):
    out = tmp_path / "r.json"
    # many long replications: the interrupt lands long before the last could end
    proc = start("run", SMALL, "--compare", "--replications", "40", "--duration", "20000",
                 "--json", str(out), "--csv", str(tmp_path / "csv"))
    # Runs start in order, a replication's variants side by side, and at most one per worker
    # process is under way: once workers + 2 runs have finished, at least one replication has
    # both its runs (with 2 finished, they could be the protected runs of seeds 1 and 2).
    enough = f"{(os.cpu_count() or 1) + 2} of 80 runs finished"
    progress = []
    for line in proc.stderr:
        progress.append(line)
        if line.startswith(enough):
            break
    workers = _workers_of(proc.pid)
    assert workers
    proc.send_signal(signal.SIGINT)
    stdout, rest = proc.communicate(timeout=120)
    assert _all_gone(workers), "a worker outlived the interrupted command"
    stderr = "".join(progress) + rest
    assert proc.returncode == 130, stderr
    finished = next(int(line.split()[1]) for line in stderr.splitlines() if line.startswith("interrupted: "))
    assert f"interrupted: {finished} of 40 replications finished; the results above cover those." in stderr
    assert 1 <= finished < 40
    assert f"comparison, {finished} replication(s)" in stdout
    data = json.loads(out.read_text())
    assert data["replications"] == finished
    assert [r["meta"]["seed"] for r in data["runs"]["unprotected"]] == list(range(1, finished + 1))
    assert (tmp_path / "csv" / "series.csv").exists()
    assert "Traceback" not in stderr


def test_sigint_before_any_replication_finished_says_so(tmp_path):
    out = tmp_path / "r.json"
    proc = start("run", SMALL, "--replications", "4", "--duration", "10000000", "--bucket", "1000",
                 "--json", str(out))
    # the comparison has begun once the design was checked and the workers were asked to start
    proc.stdout.close()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not _has_children(proc.pid):
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr
    assert "interrupted: 0 of 4 replications finished; nothing to show." in stderr
    assert not out.exists()
    assert "Traceback" not in stderr


def _workers_of(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(c) for c in children if b"spawn_main" in _cmdline(int(c))]


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _all_gone(pids: list[int]) -> bool:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if not any(_cmdline(p) for p in pids):
            return True
        time.sleep(0.05)
    return False


def _has_children(pid: int) -> bool:
    try:
        return bool(Path(f"/proc/{pid}/task/{pid}/children").read_text().split())
    except OSError:
        return False
