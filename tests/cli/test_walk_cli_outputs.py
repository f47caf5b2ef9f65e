"""`faultline run --json/--csv` piped into a reader that stops early (``| head``): the files asked
for are written all the same, and the message is about the closed output, not about a file."""
from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from app.cli import main

ROOT = Path(__file__).resolve().parents[2]
THREE_TIER = str(ROOT / "resources" / "examples" / "three_tier.json")


class _ReaderLeavesAfter(io.StringIO):
    """Standard output read by a ``head -n 3``: the first lines pass, then the pipe is closed."""

    def __init__(self, lines: int):
        super().__init__()
        self.lines = lines

    def write(self, text: str) -> int:
        if self.getvalue().count("\n") >= self.lines:
            raise BrokenPipeError(32, "Broken pipe")
        return super().write(text)


@pytest.mark.parametrize("extra", [[], ["--compare"]], ids=["single", "comparison"])
def test_results_files_are_written_when_the_reader_of_the_summary_leaves(tmp_path, monkeypatch, extra):
    """With `| head -n 3` the run printed "error: cannot write out.json: Broken pipe" (the file was
    fine) and never wrote the CSV folder; when the summary was long, no file at all."""
    err = io.StringIO()
    monkeypatch.setattr(sys, "stdout", _ReaderLeavesAfter(3))
    monkeypatch.setattr(sys, "stderr", err)
    out_json, out_csv = tmp_path / "out.json", tmp_path / "tables"
    assert main(["run", THREE_TIER, "--duration", "5", *extra, "--json", str(out_json), "--csv", str(out_csv)]) == 2
    assert "broken pipe" in err.getvalue() and "cannot write" not in err.getvalue(), err.getvalue()
    written = json.loads(out_json.read_text(encoding="utf-8"))
    assert written.get("table") if extra else written["format"] == "faultline-results"
    assert (out_csv / "summary.csv").is_file() and (out_csv / "events.csv").is_file()


def test_check_writes_its_verdict_files_when_the_reader_of_its_table_leaves(tmp_path, monkeypatch):
    """`check --json --junit | head`: the table came first, so a CI job piping it lost the files
    and read exit code 2 for a check whose objectives were met or missed."""
    monkeypatch.setattr(sys, "stdout", _ReaderLeavesAfter(2))
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    out_json, out_xml = tmp_path / "verdicts.json", tmp_path / "verdicts.xml"
    main(["check", THREE_TIER, "--duration", "5", "--json", str(out_json), "--junit", str(out_xml)])
    assert json.loads(out_json.read_text(encoding="utf-8"))["runs"]
    assert out_xml.read_text(encoding="utf-8").startswith("<?xml")


def test_a_file_that_cannot_be_written_still_shows_the_summary_and_says_which(tmp_path, monkeypatch, capsys):
    def refuse(*_args, **_kwargs):
        raise PermissionError(13, "Permission denied", str(tmp_path / "out.json"))

    from engine import RunResult

    monkeypatch.setattr(RunResult, "write_json", refuse)
    assert main(["run", THREE_TIER, "--duration", "5", "--json", str(tmp_path / "out.json")]) == 2
    captured = capsys.readouterr()
    assert "component" in captured.out and "results written" not in captured.out   # the table, then the failure
    assert f"error: cannot write {tmp_path / 'out.json'}: Permission denied" in captured.err


def test_a_comparison_with_a_baseline_writes_the_baselines_tables_too(tmp_path, capsys):
    """--compare --baseline --csv wrote the runs with and without resilience; the run without
    faults, in the JSON and the printed table, had no CSV."""
    out = tmp_path / "tables"
    assert main(["run", THREE_TIER, "--duration", "100", "--experiment", "database outage", "--compare", "--baseline",
                 "--csv", str(out)]) == 0
    assert "18 CSV files written" in capsys.readouterr().out
    for folder in (out, out / "unprotected", out / "baseline"):
        assert (folder / "summary.csv").is_file() and (folder / "series.csv").is_file(), folder
