"""The report without the window: ``run --report`` of the run just made and ``report`` of a run kept
in a project file write the report File > Report writes, pictures included. Before, a report could
only be had by opening the window, which a build server has not."""
from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest

from app.cli import main
from app.run.saved import saved_runs_of
from app.run.session import RunSession
from app.store import load_design_from_path, save_project
from engine import RunOptions, simulate
from engine.model import Project

ROOT = Path(__file__).resolve().parents[2]
THREE_TIER = str(ROOT / "resources" / "examples" / "three_tier.json")
OUTAGE = "database outage"


def _pictures(html: str) -> dict[str, int]:
    """Each picture's alt text and its width in pixels, read from its PNG header."""
    found = {}
    for alt, data in re.findall(r'<img alt="([^"]*)"[^>]*src="data:image/png;base64,([^"]+)"', html):
        png = base64.b64decode(data)
        found[alt] = int.from_bytes(png[16:20], "big")
    return found


def test_run_writes_the_windows_report_of_its_comparison(tmp_path, capsys):
    out = tmp_path / "outage.html"
    assert main(["run", THREE_TIER, "--experiment", OUTAGE, "--duration", "100", "--compare",
                 "--report", str(out)]) == 0
    assert f"report written to {out}" in capsys.readouterr().out
    html = out.read_text(encoding="utf-8")
    assert "<h1>Three-tier web shop — database outage</h1>" in html
    assert "With resilience" in html and "Without resilience" in html  # the verdicts of both
    pictures = _pictures(html)
    assert set(pictures) == {"the design Three-tier web shop", "plots of the run"}, pictures
    assert min(pictures.values()) > 1000  # drawn at print resolution, not a blank stub


def test_a_report_that_cannot_be_written_is_refused_before_the_run(tmp_path, capsys):
    assert main(["run", THREE_TIER, "--report", str(tmp_path / "missing" / "r.html")]) == 2
    err = capsys.readouterr().err
    assert "--report" in err and "does not exist" in err


@pytest.fixture
def project_with_two_kept_runs(tmp_path):
    design = load_design_from_path(THREE_TIER)
    runs = []
    for label, seed in (("before the fix", 1), ("after the fix", 2)):
        options = RunOptions(duration=100, seed=seed)
        session = RunSession.from_results({"protected": simulate(design, options, OUTAGE)})
        session.design = design
        runs += saved_runs_of(session, design.id, label=label)
    path = tmp_path / "shop.faultline"
    save_project(path, Project(name="shop", designs=[design]), runs)
    return path


def test_report_writes_the_last_kept_run_and_says_which(project_with_two_kept_runs, tmp_path, capsys):
    out = tmp_path / "kept.html"
    assert main(["report", str(project_with_two_kept_runs), "--out", str(out)]) == 0
    said = capsys.readouterr()
    assert '2 kept runs; the report is of the last kept, "after the fix"' in said.err
    html = out.read_text(encoding="utf-8")
    assert "<h1>after the fix: Three-tier web shop — database outage</h1>" in html
    assert set(_pictures(html)) == {"the design Three-tier web shop", "plots of the run"}


def test_report_of_a_kept_run_by_name_and_the_list(project_with_two_kept_runs, tmp_path, capsys):
    out = tmp_path / "before.html"
    assert main(["report", str(project_with_two_kept_runs), "--run", "before the fix", "--out", str(out)]) == 0
    assert "<h1>before the fix:" in out.read_text(encoding="utf-8")
    capsys.readouterr()
    assert main(["report", str(project_with_two_kept_runs), "--list"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert [line.split("  (")[0] for line in listed] == ["after the fix", "before the fix"]
    assert main(["report", str(project_with_two_kept_runs), "--run", "the fix", "--out", str(out)]) == 2
    assert '--run the fix: no kept run of that name (kept: "after the fix"; "before the fix")' in \
        capsys.readouterr().err


def test_report_of_a_project_without_kept_runs_says_how_to_have_one(tmp_path, capsys):
    path = tmp_path / "empty.faultline"
    save_project(path, Project(name="shop", designs=[load_design_from_path(THREE_TIER)]))
    assert main(["report", str(path), "--out", str(tmp_path / "r.html")]) == 2
    assert "holds no kept runs: keep a run in the window" in capsys.readouterr().err
    assert main(["report", str(path)]) == 2
    assert "--out REPORT.html: say where to write the report" in capsys.readouterr().err
    assert not (tmp_path / "r.html").exists()
