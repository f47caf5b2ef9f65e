"""Commands that end with a message, never a traceback: output paths, closed pipes, probes."""
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main

ROOT = Path(__file__).resolve().parents[2]
THREE_TIER = str(ROOT / "resources" / "examples" / "three_tier.json")


def test_json_into_a_missing_folder_is_refused_before_the_run(tmp_path, capsys):
    target = tmp_path / "nowhere" / "out.json"
    assert main(["run", THREE_TIER, "--duration", "5", "--json", str(target)]) == 2
    captured = capsys.readouterr()
    assert f'the folder "{target.parent}" does not exist' in captured.err
    assert "Traceback" not in captured.err
    assert captured.out == ""          # nothing was simulated


def test_json_onto_a_folder_is_refused(tmp_path, capsys):
    assert main(["run", THREE_TIER, "--duration", "5", "--json", str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err


def test_csv_onto_an_existing_file_is_refused_before_the_run(tmp_path, capsys):
    existing = tmp_path / "results.csv"
    existing.write_text("keep me")
    assert main(["run", THREE_TIER, "--duration", "5", "--csv", str(existing)]) == 2
    captured = capsys.readouterr()
    assert f'"{existing}" is a file, not a folder' in captured.err
    assert captured.out == ""
    assert existing.read_text() == "keep me"
    assert main(["run", THREE_TIER, "--duration", "5", "--csv", str(existing / "sub")]) == 2


def test_a_failed_write_is_a_message(tmp_path, capsys, monkeypatch):
    from engine.results import RunResult

    def refuse(self, path):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(RunResult, "write_json", refuse)
    out = tmp_path / "r.json"
    assert main(["run", THREE_TIER, "--duration", "5", "--json", str(out)]) == 2
    assert f"cannot write {out}: Permission denied" in capsys.readouterr().err


class _ClosedPipe(io.StringIO):
    def write(self, text):
        raise BrokenPipeError(32, "Broken pipe")


def test_schema_into_a_closed_pipe_exits_2_with_a_message(monkeypatch, capsys):
    err = io.StringIO()
    monkeypatch.setattr(sys, "stdout", _ClosedPipe())
    monkeypatch.setattr(sys, "stderr", err)
    assert main(["schema"]) == 2
    assert "broken pipe" in err.getvalue()


def test_schema_piped_into_a_reader_that_left_has_no_traceback():
    read_end, write_end = os.pipe()
    os.close(read_end)   # like `| head` that has already gone
    try:
        proc = subprocess.run([sys.executable, str(ROOT / "main.py"), "schema"], stdout=write_end,
                              stderr=subprocess.PIPE, text=True, cwd=ROOT, timeout=120)
    finally:
        os.close(write_end)
    assert proc.returncode == 2
    assert "broken pipe" in proc.stderr
    assert "Traceback" not in proc.stderr and "Exception ignored" not in proc.stderr


def test_probes_check_their_indices():
    from engine import Simulation
    from engine.model import RunOptions, parse_design

    sim = Simulation(parse_design(Path(THREE_TIER).read_text()), RunOptions(duration=1))
    n_links = len(sim.compiled.link_names)
    with pytest.raises(IndexError, match=f"no link {n_links}: this design has {n_links} link"):
        sim.probe.breaker_acquire(n_links, 0.0)
    with pytest.raises(IndexError, match="no link -1"):
        sim.probe.retry_waits(-1, 2)
    with pytest.raises(IndexError, match="no component 99"):
        sim.probe.rate_limiter_acquire(99, 0, 0.0)
    plain = sim.link_index("browsers -> lb")
    with pytest.raises(ValueError, match=f"link {plain} has no circuit breaker"):
        sim.probe.breaker_status(plain)
    with pytest.raises(ValueError, match="has no retry budget"):
        sim.probe.budget_status(plain)
    guarded = sim.compiled.breaker_links[0]
    with pytest.raises(ValueError, match="unknown outcome 'okay'"):
        sim.probe.breaker_record(guarded, "okay", 0.1, 0.0)
    assert sim.probe.breaker_status(guarded)["state"] == "CLOSED"
