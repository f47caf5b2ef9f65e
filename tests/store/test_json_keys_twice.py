"""A JSON object that names a key twice is refused, naming the key and the object's line: the
standard reader kept the last value without a word, where gRPC refuses such a file."""
import json

import pytest

from app.cli import main
from app.store import ProjectFileError
from app.store.json_io import import_json
from engine.model import DesignError, KeyWrittenTwice, load_json, parse_design

DESIGN_WITH_WORKERS_TWICE = """{
  "name": "shop",
  "components": [
    {"kind": "client", "name": "web", "workload": {"kind": "open_loop", "rate": 10}},
    {"kind": "service", "name": "api",
     "workers": 4,
     "workers": 40}
  ],
  "links": [{"source": "web", "target": "api"}]
}
"""


def test_a_design_file_naming_a_field_twice_is_refused_with_its_line(tmp_path):
    path = tmp_path / "shop.json"
    path.write_text(DESIGN_WITH_WORKERS_TWICE)
    with pytest.raises(ProjectFileError) as refused:
        import_json(path)
    assert 'its object on line 5 names "workers" twice' in str(refused.value)
    with pytest.raises(DesignError, match='line 5 names "workers" twice'):
        parse_design(DESIGN_WITH_WORKERS_TWICE)


def test_the_command_line_refuses_it_with_status_2(tmp_path, capsys):
    path = tmp_path / "shop.json"
    path.write_text(DESIGN_WITH_WORKERS_TWICE)
    assert main(["validate", str(path)]) == 2
    assert 'names "workers" twice' in capsys.readouterr().err


def test_the_first_object_finished_with_a_key_twice_is_named():
    text = '{\n "a": {"x": 1},\n "b": [\n  {"y": 1,\n   "y": 2}\n ],\n "a": 3\n}'
    with pytest.raises(KeyWrittenTwice) as twice:
        load_json(text.encode("utf-8"))
    assert (twice.value.key, twice.value.line) == ("y", 4)


def test_one_key_in_several_objects_is_not_twice():
    text = '[{"name": "a", "rate": 1}, {"name": "b", "rate": 2, "inner": {"name": "c"}}]'
    assert load_json(text) == json.loads(text)
