"""A results file given as "-" goes to standard output, alone, so that it can be piped into another
tool (``run --json - | jq``); the summary goes to standard error. It used to be a file named "-"."""
from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree

import pytest

from app.cli import main

ROOT = Path(__file__).resolve().parents[2]
THREE_TIER = str(ROOT / "resources" / "examples" / "three_tier.json")
RETRY_STORM = str(ROOT / "resources" / "examples" / "retry_storm.json")


@pytest.mark.parametrize("extra", [[], ["--compare"]], ids=["single", "comparison"])
def test_run_json_to_standard_output(tmp_path, monkeypatch, capsys, extra):
    monkeypatch.chdir(tmp_path)
    assert main(["run", THREE_TIER, "--duration", "5", *extra, "--json", "-"]) == 0
    out, err = capsys.readouterr()
    results = json.loads(out)
    assert results.get("table") if extra else results["format"] == "faultline-results"
    assert "req/s" in err and "written to" not in err
    assert not (tmp_path / "-").exists()


def test_check_junit_to_standard_output_and_json_to_a_file(tmp_path, capsys):
    out_json = tmp_path / "verdicts.json"
    main(["check", RETRY_STORM, "--duration", "5", "--junit", "-", "--json", str(out_json)])
    out, err = capsys.readouterr()
    assert ElementTree.fromstring(out).tag == "testsuites"
    assert "objective verdicts met" in err and f"verdicts written to {out_json}" in err
    assert json.loads(out_json.read_text(encoding="utf-8"))["runs"]


def test_only_one_file_may_take_standard_output(tmp_path, capsys):
    assert main(["check", RETRY_STORM, "--junit", "-", "--json", "-"]) == 2
    assert '--junit and --json both ask for standard output ("-")' in capsys.readouterr().err


def test_a_file_that_cannot_go_to_standard_output_is_refused_before_the_work(tmp_path, monkeypatch, capsys):
    """A sweep's rows are read back to resume it: "-" would have been a file of that name."""
    monkeypatch.chdir(tmp_path)
    assert main(["sweep", RETRY_STORM, "--param", "server.workers=2,4", "--out", "-"]) == 2
    assert "--out -: this file cannot go to standard output" in capsys.readouterr().err
    assert not (tmp_path / "-").exists()
