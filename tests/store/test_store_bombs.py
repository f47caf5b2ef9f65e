"""Files small on disk that would decode to gigabytes: bounded for the whole file, before decompressing."""
from __future__ import annotations

import json
import zlib
from pathlib import Path

import pytest
from store_builders import saved_run, shop_project
from test_store_hostile import alter

from app.store import ProjectFileError, limits, open_project, save_project
from app.store import runs as runs_module


@pytest.fixture
def three_runs(tmp_path) -> Path:
    path = tmp_path / "runs.faultline"
    project = shop_project()
    design = project.designs[0]
    save_project(path, project, [saved_run(design, f"run {i}", seed=i) for i in range(3)])
    return path


@pytest.fixture
def decompressed(monkeypatch) -> list[tuple[str, int]]:
    """(what, bytes produced) of every decompression while a file opens."""
    seen: list[tuple[str, int]] = []
    real = runs_module.bounded_decompress

    def counting(blob, limit, where):
        out = real(blob, limit, where)
        seen.append((where, len(out)))
        return out

    monkeypatch.setattr(runs_module, "bounded_decompress", counting)
    return seen


def refused(path: Path) -> str:
    with pytest.raises(ProjectFileError) as info:
        open_project(path)
    return str(info.value)


def test_event_logs_each_within_their_limit_cannot_add_up_past_the_files_budget(three_runs, monkeypatch,
                                                                                decompressed):
    monkeypatch.setattr(limits, "MAX_DECODED_JSON_BYTES", 40_000)
    log = json.dumps([{"time": 1.0, "kind": "fault_started"}] * 1_000).encode()  # 38 KB each, far below one log's limit
    alter(three_runs, "UPDATE run SET events = ?", params=(zlib.compress(log, 9),))
    assert refused(three_runs) == (
        "Cannot open runs.faultline: its saved runs decode to more than 39.1 KB of event logs and other text, "
        "the most a project may hold"
    )
    assert sum(n for where, n in decompressed if where.endswith("events")) <= 40_000


def test_declared_shapes_beyond_the_budget_are_refused_before_decompressing(three_runs, monkeypatch, decompressed):
    monkeypatch.setattr(limits, "MAX_DECODED_BYTES", 1_000)
    assert refused(three_runs) == (
        "Cannot open runs.faultline: its saved runs claim 1.3 KB of results, more than the 1,000 bytes a project "
        "may hold"
    )
    assert decompressed == []


def test_arrays_are_counted_against_the_budget_as_they_are_decoded(three_runs, monkeypatch, decompressed):
    monkeypatch.setattr(limits, "MAX_DECODED_BYTES", 1_400)
    # Declared shapes fit; the arrays and the runs' text together do not.
    assert refused(three_runs) == (
        "Cannot open runs.faultline: its saved runs decode to more than 1.4 KB, the most a project may hold"
    )
    assert sum(n for _, n in decompressed) <= 1_400


def test_a_shape_that_disagrees_with_its_run_is_refused_before_any_array_is_decompressed(three_runs, decompressed):
    alter(three_runs, "UPDATE run_array SET rows = 5000000 WHERE role = 'series' AND name = 'p99' AND run_pk = 1")
    assert refused(three_runs) == (
        'Cannot open runs.faultline: saved run "run 0": series "p99" has shape (5000000, 3); buckets x columns '
        "must be (6, 3)"
    )
    assert [where for where, _ in decompressed if not where.endswith("events")] == []


def test_an_honest_file_opens_within_the_budget(three_runs):
    assert len(open_project(three_runs).runs) == 3
