"""A project of many kept runs saves without compressing them all again: a kept run does not
change, so what the file holds of it (as read, or as last written) is written as it was."""
from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, datetime

import numpy as np
import pytest

from app.store import SavedRun, open_project, save_project
from app.store import runs as store_runs
from engine.model import Client, Database, Design, Link, OpenLoop, Project, Service

KEPT = 6
BUCKETS = 40


def _design() -> Design:
    return Design(name="shop", components=[Client(name="web", workload=OpenLoop(rate=50)), Service(name="api"),
                                           Database(name="db")],
                  links=[Link(source="web", target="api"), Link(source="api", target="db")])


def _run(design: Design, seed: int) -> SavedRun:
    rng = np.random.default_rng(seed)
    names, links = [c.name for c in design.components], [link.name for link in design.links]
    data = {
        "meta": {"options": {"duration": 40.0, "seed": seed, "bucket": 1.0}},
        "summary": {"p99": 0.25},
        "events": [{"time": 1.5 + i, "kind": "retry", "component": "api", "link": None, "fault_id": None,
                    "instance": None, "details": f"retry {i}"} for i in range(50)],
        "events_dropped": 0,
        "components": names,
        "links": links,
        "bucket_times": np.arange(BUCKETS, dtype=np.float64),
        "series": {"arrivals": rng.random((BUCKETS, len(names))), "p99": rng.random((BUCKETS, len(names)))},
        "link_series": {"calls": rng.random((BUCKETS, len(links)))},
    }
    return SavedRun(uuid.uuid4(), design.id, None, f"run {seed}", datetime(2026, 11, 1, tzinfo=UTC), data)


ARRAYS_PER_RUN = 4  # bucket times, two series, one link series


@pytest.fixture
def compressed(monkeypatch):
    """How many arrays and event logs were compressed."""
    counts: Counter = Counter()
    encode, events = store_runs.encode_array, getattr(store_runs, "_events_blob", None)

    def counting_encode(array):
        counts["arrays"] += 1
        return encode(array)

    def counting_events(log):
        counts["event logs"] += 1
        return events(log)

    monkeypatch.setattr(store_runs, "encode_array", counting_encode)
    monkeypatch.setattr(store_runs, "_events_blob", counting_events, raising=False)
    return counts


def test_saving_again_compresses_only_what_is_new(tmp_path, compressed):
    design = _design()
    project = Project(name="Shop", designs=[design])
    runs = [_run(design, seed) for seed in range(KEPT)]
    path = tmp_path / "shop.faultline"

    save_project(path, project, runs)
    assert compressed == {"arrays": KEPT * ARRAYS_PER_RUN, "event logs": KEPT}

    # Opened: the runs as read save as they were read, nothing compressed again.
    compressed.clear()
    opened = open_project(path)
    assert opened.runs == runs
    save_project(path, opened.project, opened.runs)
    assert compressed == {}
    assert open_project(path).runs == runs

    # One run more, one run less: only the new one is compressed.
    extra = _run(design, 99)
    kept = [*opened.runs[1:], extra]
    save_project(path, opened.project, kept)
    assert compressed == {"arrays": ARRAYS_PER_RUN, "event logs": 1}
    compressed.clear()
    save_project(path, opened.project, kept)
    assert compressed == {}
    assert open_project(path).runs == [*runs[1:], extra]


def _saved_once(tmp_path, compressed):
    """A project of one kept run, saved, and the count of what was compressed cleared."""
    design = _design()
    project = Project(name="Shop", designs=[design])
    run = _run(design, 1)
    path = tmp_path / "shop.faultline"
    save_project(path, project, [run])
    compressed.clear()
    return project, run, path


def test_a_run_whose_data_changed_is_written_as_it_is_now(tmp_path, compressed):
    project, run, path = _saved_once(tmp_path, compressed)
    run.data["series"]["p99"] = run.data["series"]["p99"] * 2  # another array in its place
    run.data["events"].append({"time": 60.0, "kind": "retry", "component": "api", "link": None, "fault_id": None,
                               "instance": None, "details": "one more"})
    save_project(path, project, [run])
    assert compressed == {"arrays": 1, "event logs": 1}
    [back] = open_project(path).runs
    assert back == run and len(back.data["events"]) == 51


def test_an_array_changed_in_place_is_written_as_it_is_now(tmp_path, compressed):
    """The very array kept, its figures changed where they stand: written as remembered, the file
    would hold the old figures without a word."""
    project, run, path = _saved_once(tmp_path, compressed)
    run.data["series"]["p99"][3, 1] = 42.0
    save_project(path, project, [run])
    assert compressed == {"arrays": 1}
    [back] = open_project(path).runs
    assert back.data["series"]["p99"][3, 1] == 42.0
