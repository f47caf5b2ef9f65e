"""The results JSON is written series by series: the same text as ``json.dumps(..., indent=1)``
of the whole document, without the whole document in memory."""
import json
import tracemalloc

import numpy as np
import pytest
from engine_support import load_example

from engine import RunOptions, simulate
from engine.compare import run_comparison
from engine.results import JsonArray, JsonObject, RunResult, dump_json, materialise


def streamed(value) -> str:
    parts: list[str] = []
    dump_json(value, parts.append)
    return "".join(parts)


@pytest.mark.parametrize("value", [
    {}, [], {"a": {}, "b": [], "c": [[]], "d": {"e": {"f": [1, 2.5, None, "x"]}}},
    {"ünï": "cödé", "q\"uote": "line\nbreak", "n": [1e-300, -0.0, True, False]},
    {"floats": [0.1, None, 1e16, -2.5e-07, 3.0], "ints": [1, 2], "mixed": [1.5, 2], 3: {"k": (1.0, None)},
     "f": 0.30000000000000004, "none": None},
])
def test_plain_values_are_written_as_json_dumps_writes_them(value):
    assert streamed(value) == json.dumps(value, indent=1, allow_nan=False)


def test_streamed_objects_and_arrays_nest_like_dicts_and_lists():
    def build():
        return JsonObject(iter([
            ("empty", JsonObject(iter([]))), ("none", JsonArray(iter([]))),
            ("rows", JsonArray(JsonObject(iter([("i", i), ("sq", [i, i * i])])) for i in range(3))),
            ("deep", JsonObject(iter([("x", JsonArray(iter([{"y": [1, {"z": []}]}])))]))),
        ]))
    assert streamed(build()) == json.dumps(materialise(build()), indent=1)


@pytest.mark.parametrize("bad", [float("nan"), [1.0, float("inf")], {"x": [float("-inf")]}])
def test_nan_is_refused_as_before(bad):
    with pytest.raises(ValueError):
        streamed(JsonObject(iter([("x", bad)])))


def test_a_run_writes_the_same_bytes_as_its_json_dict(tmp_path):
    result = simulate(load_example("three_tier"), RunOptions(duration=150, seed=3), "bad day")
    path = tmp_path / "r.json"
    result.write_json(path)
    text = path.read_text(encoding="utf-8")
    assert text == json.dumps(result.to_json_dict(), indent=1, allow_nan=False)
    again = RunResult.from_json_dict(json.loads(text))
    assert np.array_equal(again.series["arrivals"], result.series["arrivals"])
    assert again.verdicts().to_json_dict() == result.verdicts().to_json_dict()


def test_a_comparison_writes_what_its_json_dict_holds(tmp_path):
    comparison = run_comparison(load_example("mmc"), RunOptions(duration=20), None, replications=1,
                                processes=1)
    path = tmp_path / "c.json"
    comparison.write_json(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data == json.loads(json.dumps(comparison.to_json_dict(), allow_nan=False))
    # one replication has no interval: null, not NaN
    assert data["table"][0]["protected_ci"] is None
    assert [r["meta"]["seed"] for r in data["runs"]["unprotected"]] == [1]


def test_writing_a_long_run_holds_a_small_part_of_the_file_in_memory(tmp_path):
    result = simulate(load_example("mmc"), RunOptions(duration=300, bucket=0.1, seed=1))
    path = tmp_path / "long.json"
    result.verdicts()  # the first call imports the objectives' code: not what is measured here
    tracemalloc.start()
    try:
        result.write_json(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    size = path.stat().st_size
    assert size > 1_000_000
    # one column as a list of floats at a time (and the objectives' per-bucket verdicts), not
    # every column and the whole text
    assert peak < size / 3, (peak, size)


def test_a_write_stopped_halfway_leaves_the_previous_file_whole(tmp_path, monkeypatch):
    import engine.results as results

    result = simulate(load_example("mmc"), RunOptions(duration=20, seed=1))
    path = tmp_path / "r.json"
    result.write_json(path)
    before = path.read_bytes()
    written = []

    def interrupted(value, write, level=0):
        write('{\n "meta": ')
        written.append(True)
        raise KeyboardInterrupt

    monkeypatch.setattr(results, "dump_json", interrupted)
    with pytest.raises(KeyboardInterrupt):
        result.write_json(path)
    assert written and path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]  # nothing half-written left beside it
    csv_dir = tmp_path / "csv"
    result.write_csv(csv_dir)
    monkeypatch.setattr(results, "text_cell", lambda _value: (_ for _ in ()).throw(OSError(28, "No space left")))
    series = (csv_dir / "series.csv").read_bytes()
    with pytest.raises(OSError):
        result.write_csv(csv_dir)
    assert (csv_dir / "series.csv").read_bytes() == series
    assert sorted(p.name for p in csv_dir.iterdir()) == sorted(
        ["series.csv", "link_series.csv", "summary.csv", "link_summary.csv", "events.csv", "units.csv"])
