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


RETRY_STORM = str(ROOT / "resources" / "examples" / "retry_storm.json")


@pytest.mark.parametrize("command", [
    ["check", RETRY_STORM, "--duration", "5", "--json"],
    ["check", RETRY_STORM, "--duration", "5", "--junit"],
    ["params", RETRY_STORM, "--set", "server.workers=20", "--save"],
    ["suggest", RETRY_STORM, "--duration", "5", "--save"],
])
def test_every_output_file_is_checked_before_the_work(tmp_path, capsys, command):
    """A folder that is not there, or a folder given as the file, ended these commands in a
    traceback, and suggest only after its whole search."""
    target = tmp_path / "nowhere" / "out.json"
    assert main([*command, str(target)]) == 2
    captured = capsys.readouterr()
    assert f'{command[-1]} {target}: the folder "{target.parent}" does not exist' in captured.err
    assert captured.out == ""          # nothing was simulated or listed
    assert main([*command, str(tmp_path)]) == 2
    assert f'"{tmp_path}" is a folder; give a file name inside it' in capsys.readouterr().err


def test_a_save_that_fails_after_the_check_is_a_message(tmp_path, capsys, monkeypatch):
    import app.store
    from app.store.errors import ProjectFileError

    def refuse(design, path):
        raise ProjectFileError(f"Cannot save {Path(path).name}: the disk is full", path)

    monkeypatch.setattr(app.store, "export_json", refuse)
    target = tmp_path / "p.json"
    assert main(["params", RETRY_STORM, "--set", "server.workers=20", "--save", str(target)]) == 2
    captured = capsys.readouterr()
    assert "error: Cannot save p.json: the disk is full" in captured.err
    assert "Traceback" not in captured.err


@pytest.mark.parametrize("option,name", [("--json", "v.json"), ("--junit", "v.xml")])
def test_verdicts_that_cannot_be_written_keep_the_previous_file(option, name, tmp_path, capsys, monkeypatch):
    import app.store.fileio

    def refuse(source, target):
        raise PermissionError(13, "Permission denied", str(target))

    out = tmp_path / name
    out.write_text("the verdicts of yesterday")
    monkeypatch.setattr(app.store.fileio.os, "replace", refuse)
    assert main(["check", RETRY_STORM, "--duration", "5", option, str(out)]) == 2
    err = capsys.readouterr().err
    assert f"error: Cannot save {name}: Permission denied; the previous version is untouched" in err
    assert "Traceback" not in err
    assert out.read_text() == "the verdicts of yesterday"   # never half of a new report
    assert [p.name for p in tmp_path.iterdir()] == [name]


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


def _write(tmp_path, name, design: dict) -> str:
    import json

    path = tmp_path / name
    path.write_text(json.dumps(design))
    return str(path)


SPIN = {"name": "spin", "components": [
    {"kind": "client", "name": "users",
     "workload": {"type": "closed", "users": 3, "think_time": {"kind": "constant", "value": 0}}},
    {"kind": "service", "name": "api", "service_time": {"kind": "constant", "value": 0}},
], "links": [{"source": "users", "target": "api", "latency": {"kind": "constant", "value": 0}}]}

FLOOD = {"name": "flood", "components": [
    {"kind": "client", "name": "users", "workload": {"type": "open", "rate": 200000}},
    {"kind": "service", "name": "api", "workers": 1, "service_time": {"kind": "constant", "value": 1}},
], "links": [{"source": "users", "target": "api"}]}


def test_a_run_caught_in_a_zero_time_loop_ends_with_the_cause(tmp_path, capsys, monkeypatch):
    import json

    import engine.simulation

    monkeypatch.setattr(engine.simulation, "STALL_EVENTS", 100_000)
    out = tmp_path / "r.json"
    assert main(["run", _write(tmp_path, "spin.json", SPIN), "--duration", "10", "--json", str(out)]) == 2
    captured = capsys.readouterr()
    assert 'Design "spin": 0 s of 10 s simulated' in captured.out
    assert 'error: The clock stopped at 0 s of 10 s' in captured.err
    assert 'client "users" and service "api"' in captured.err
    assert json.loads(out.read_text())["meta"]["stopped"] == "zero_time_loop"


def test_a_run_that_outgrows_its_memory_budget_prints_what_it_measured(tmp_path, capsys):
    path = _write(tmp_path, "flood.json", FLOOD)
    assert main(["run", path, "--duration", "600", "--memory-budget", "64M"]) == 2
    captured = capsys.readouterr()
    assert "\napi " in captured.out
    assert "error: The run stopped at " in captured.err
    assert "outgrew the memory budget of 64 MiB" in captured.err


@pytest.mark.parametrize("value,message", [
    ("lots", "--memory-budget 'lots' is not a size"),
    ("-1G", "--memory-budget '-1G' is not a size"),
    ("1M", "--memory-budget 1M: a run's budget is from 64 MiB to 1 PiB (got 1 MiB)"),
    ("2P", "--memory-budget 2P: a run's budget is from 64 MiB to 1 PiB (got 2 PiB)"),
])
def test_a_memory_budget_that_is_no_size_is_refused(value, message, capsys):
    assert main(["run", THREE_TIER, f"--memory-budget={value}"]) == 2
    assert message in capsys.readouterr().err


def test_sizes_read_as_people_write_them():
    from app.cli_run import parse_size

    assert parse_size("512M") == 512 * 2**20
    assert parse_size("1.5GiB") == 3 * 2**29
    assert parse_size("4g") == 4 * 2**30
    assert parse_size("1000000") == 1_000_000


def test_too_many_replications_are_refused_before_any_run(capsys):
    assert main(["run", THREE_TIER, "--replications", "5000"]) == 2
    assert "at most 1,000 runs in one comparison (asked for 5,000)" in capsys.readouterr().err


def test_ctrl_c_ends_a_run_with_what_it_measured(tmp_path, capsys, monkeypatch):
    import _thread
    import threading

    import engine.simulation
    from engine import Simulation

    started = threading.Event()
    done = threading.Event()

    class Watched(Simulation):
        def advance(self, *args, **kwargs):
            started.set()
            return super().advance(*args, **kwargs)

    def press_ctrl_c():
        # Like a user pressing again: if the run is still going five seconds after a press (it
        # landed before the run began to advance, where nothing could act on it), press once more.
        if not started.wait(60):
            return
        while not done.is_set():
            _thread.interrupt_main()
            done.wait(5)

    # the command imports the engine when it runs: patch it where it is found then
    monkeypatch.setattr(engine.simulation, "Simulation", Watched)
    threading.Thread(target=press_ctrl_c, daemon=True).start()
    out = tmp_path / "r.json"
    # Long enough that it cannot end before the interrupt lands.
    try:
        status = main(["run", THREE_TIER, "--duration", "10000000", "--bucket", "1000", "--json", str(out)])
    finally:
        done.set()
    assert status == 130
    captured = capsys.readouterr()
    assert "Interrupted at " in captured.err and "interrupted: Interrupted" not in captured.err
    assert " of 116 days simulated" in captured.out and "\napi " in captured.out
    import json

    meta = json.loads(out.read_text())["meta"]
    assert meta["stopped"] == "interrupted" and 0 < meta["simulated_time"] < 1e7


HOSTILE = {"name": "=cmd|calc!A0", "components": [
    {"kind": "client", "name": "=HYPERLINK(A1)", "workload": {"type": "open", "rate": 20}},
    {"kind": "service", "name": "@SUM(1+1)"},
    {"kind": "service", "name": "-2+3", "error_probability": 0.5},
    {"kind": "service", "name": "\x1b]0;owned\x07\x1b[2Japi\u202e"},
], "links": [{"source": "=HYPERLINK(A1)", "target": "@SUM(1+1)"},
             {"source": "@SUM(1+1)", "target": "-2+3"},
             {"source": "@SUM(1+1)", "target": "\x1b]0;owned\x07\x1b[2Japi\u202e"}],
   "experiments": [{"name": "+x", "faults": [{"kind": "crash", "target": "-2+3", "start": 1, "duration": 2}]}]}


def test_csv_cells_from_names_are_never_formulas(tmp_path, capsys):
    import csv

    out = tmp_path / "csv"
    assert main(["run", _write(tmp_path, "hostile.json", HOSTILE), "--duration", "5", "--experiment", "+x",
                 "--csv", str(out)]) == 0
    cells = []
    for table in out.iterdir():
        with table.open(newline="", encoding="utf-8") as fh:
            cells += [cell for row in csv.reader(fh) for cell in row]
    texts = [c for c in cells if c and not _is_number(c)]
    assert "'=HYPERLINK(A1)" in texts and "'@SUM(1+1)" in texts and "'-2+3" in texts
    assert "'=HYPERLINK(A1) -> @SUM(1+1)" in texts
    assert not [c for c in texts if c[0] in "=+-@\t\r"]
    # Numbers stay numbers, the negative ones too.
    assert any(_is_number(c) for c in cells)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_text_cells_follow_the_owasp_rule():
    from engine.results import text_cell

    for start in "=+-@\t\r":
        assert text_cell(start + "x") == "'" + start + "x"
    assert text_cell("api") == "api" and text_cell("") == ""


def test_escape_sequences_in_names_are_shown_not_obeyed(tmp_path, capsys):
    assert main(["run", _write(tmp_path, "hostile.json", HOSTILE), "--duration", "5"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "\\x1b]0;owned\\x07" in out
    broken = dict(HOSTILE,
                  components=HOSTILE["components"] + [{"kind": "service", "name": "\x1b[31mred", "workers": 0}])
    assert main(["validate", _write(tmp_path, "broken.json", broken)]) == 2
    err = capsys.readouterr().err
    assert "\x1b" not in err and 'service "\\x1b[31mred": workers must be at least 1' in err
