"""JSON import and export, picking a design to run, and ``faultline convert``."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from store_builders import saved_run, shop_design, shop_project

from app.cli import SUBCOMMANDS
from app.cli import main as cli_main
from app.store import (
    ProjectFileError,
    export_json,
    import_json,
    load_design_from_path,
    open_project,
    save_project,
)
from engine.model import Design, Project

ROOT = Path(__file__).resolve().parents[2]


def test_a_project_round_trips_through_json(tmp_path):
    project = Project(name="two", designs=[shop_design("a"), shop_design("b")])
    export_json(project, tmp_path / "p.json")
    assert import_json(tmp_path / "p.json") == project


def test_a_design_exports_in_the_engine_models_json(tmp_path):
    design = shop_design()
    export_json(design, tmp_path / "d.json")
    text = (tmp_path / "d.json").read_text(encoding="utf-8")
    assert json.loads(text) == json.loads(design.to_json())
    assert text.endswith("\n")


IMPORT_PROBLEMS = {
    "not json": ("{nope", "Cannot open x.json: it is not valid JSON (Expecting property name enclosed in double "
                          "quotes at line 1 column 2)"),
    "a list": ("[1, 2]", "Cannot open x.json: it holds JSON, but neither a Faultline project nor a design "
                         "(expected an object)"),
    "neither": ('{"name": "x"}', 'Cannot open x.json: it holds JSON, but neither a Faultline project (no "designs") '
                                 'nor a design (no "components")'),
    "bad design": ('{"components": [{"kind": "service", "name": "a", "workers": 0}]}',
                   'Cannot open x.json: the design in it does not follow the model:\n'
                   'service "a": workers must be at least 1 (got 0)'),
    "bad design in a project": ('{"designs": [{"name": "d", "components": [{"kind": "gizmo", "name": "g"}]}]}',
                                'Cannot open x.json: design 1 ("d") does not follow the model:\n'
                                "gizmo \"g\": unknown kind 'gizmo' (expected one of 'client', 'load_balancer', "
                                "'service', 'database', 'cache', 'queue', 'external')"),
    "newer project": ('{"format": 9, "designs": []}',
                      "Cannot open x.json: made with a newer Faultline (project format 9); this version reads up to 2"),
}


@pytest.mark.parametrize("case", list(IMPORT_PROBLEMS))
def test_import_problems_are_named(tmp_path, case):
    text, message = IMPORT_PROBLEMS[case]
    (tmp_path / "x.json").write_text(text, encoding="utf-8")
    with pytest.raises(ProjectFileError) as info:
        import_json(tmp_path / "x.json")
    assert str(info.value) == message


def test_a_project_record_that_breaks_the_model(tmp_path):
    (tmp_path / "x.json").write_text('{"designs": [], "created": "soon"}', encoding="utf-8")
    with pytest.raises(ProjectFileError) as info:
        import_json(tmp_path / "x.json")
    assert str(info.value) == ('Cannot open x.json: the project in it does not follow the model '
                               '(created must be a date and time like 2026-01-31T09:30:00Z (got "soon"))')


def test_a_project_level_message_keeps_the_names_as_written(tmp_path):
    designs = [{"name": "Shop", "components": []}, {"name": "Shop", "components": []}]
    (tmp_path / "x.json").write_text(json.dumps({"name": "P", "designs": designs}), encoding="utf-8")
    with pytest.raises(ProjectFileError) as info:
        import_json(tmp_path / "x.json")
    message = str(info.value)
    assert 'two designs are named "Shop"' in message
    assert "Value error" not in message


def test_importing_a_project_file_says_to_open_it(tmp_path):
    save_project(tmp_path / "x.json", shop_project())
    with pytest.raises(ProjectFileError, match="it is a project file, not JSON; open it instead of importing it"):
        import_json(tmp_path / "x.json")


def test_importing_binary_junk(tmp_path):
    (tmp_path / "x.json").write_bytes(b"\xff\xfe\x00junk")
    with pytest.raises(ProjectFileError, match=r"^Cannot open x.json: it is not a text file"):
        import_json(tmp_path / "x.json")


def test_text_in_another_encoding_is_said_to_be_so_and_where(tmp_path):
    (tmp_path / "x.json").write_bytes('{"name": "café", "components": []}'.encode("latin-1"))
    with pytest.raises(ProjectFileError, match=r"^Cannot open x.json: it is not UTF-8 text \(byte 13\); save it as "
                                               r"UTF-8$"):
        import_json(tmp_path / "x.json")


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-32"])
def test_a_design_saved_as_marked_utf16_or_utf32_opens(tmp_path, codec):
    """What Windows PowerShell's "> x.json" writes: it was refused as "not a text file"."""
    from app.store import export_json

    utf8 = tmp_path / "utf8.json"
    export_json(shop_design(), utf8)
    marked = utf8.read_text(encoding="utf-8").encode(codec)
    (tmp_path / "x.json").write_bytes(b"\xfe\xff" + marked if codec == "utf-16-be" else marked)
    assert import_json(tmp_path / "x.json") == import_json(utf8)


@pytest.mark.parametrize("content", [b"", b" \n\t\n", b"\xef\xbb\xbf"])
def test_an_empty_file_is_said_to_be_empty(tmp_path, content):
    (tmp_path / "x.json").write_bytes(content)
    with pytest.raises(ProjectFileError, match=r"^Cannot open x.json: it is empty$"):
        import_json(tmp_path / "x.json")


# -- choosing the design to run ------------------------------------------------------------

@pytest.fixture
def two_designs(tmp_path) -> Path:
    path = tmp_path / "two.faultline"
    save_project(path, Project(designs=[shop_design("a"), shop_design("b")]))
    return path


def test_load_design_by_name_from_a_project_file(two_designs):
    assert load_design_from_path(two_designs, "b").name == "b"


def test_load_design_needs_a_name_when_there_are_several(two_designs):
    with pytest.raises(ProjectFileError) as info:
        load_design_from_path(two_designs)
    assert str(info.value) == 'two.faultline holds several designs ("a", "b"); choose one with --design'


def test_load_design_with_an_unknown_name(two_designs):
    with pytest.raises(ProjectFileError) as info:
        load_design_from_path(two_designs, "c")
    assert str(info.value) == 'two.faultline has no design named "c" (it has: "a", "b")'


def test_load_design_from_json_design_and_project(tmp_path):
    export_json(shop_design("solo"), tmp_path / "d.json")
    export_json(Project(designs=[shop_design("only")]), tmp_path / "p.json")
    assert load_design_from_path(tmp_path / "d.json").name == "solo"
    assert load_design_from_path(tmp_path / "d.json", "solo").name == "solo"
    assert load_design_from_path(tmp_path / "p.json").name == "only"
    with pytest.raises(ProjectFileError, match='d.json holds the design "solo", not "other"'):
        load_design_from_path(tmp_path / "d.json", "other")


def test_load_design_from_a_missing_file(tmp_path):
    with pytest.raises(ProjectFileError, match="^Cannot open gone.json: there is no such file$"):
        load_design_from_path(tmp_path / "gone.json")


# -- faultline convert ----------------------------------------------------------------------

def test_convert_is_a_subcommand():
    assert "convert" in SUBCOMMANDS


def test_convert_a_project_file_to_json_and_back(tmp_path, capsys):
    project = shop_project()
    save_project(tmp_path / "p.faultline", project, [saved_run(project.designs[0])])
    assert cli_main(["convert", str(tmp_path / "p.faultline"), str(tmp_path / "p.json")]) == 0
    out = capsys.readouterr().out
    assert f'wrote {tmp_path / "p.json"}: project "Shop" (1 design(s))' in out
    assert "note: 1 saved run(s) are not part of JSON; they stay in p.faultline" in out
    assert cli_main(["convert", str(tmp_path / "p.json"), str(tmp_path / "back.faultline")]) == 0
    assert open_project(tmp_path / "back.faultline").project == project


def test_convert_a_json_design_into_a_project_of_one_design(tmp_path, capsys):
    export_json(shop_design("checkout"), tmp_path / "d.json")
    assert cli_main(["convert", str(tmp_path / "d.json"), str(tmp_path / "d.faultline")]) == 0
    project = open_project(tmp_path / "d.faultline").project
    assert project.name == "checkout" and [d.name for d in project.designs] == ["checkout"]


def test_convert_one_design_keeps_its_runs_only(tmp_path, capsys):
    a, b = shop_design("a"), shop_design("b")
    save_project(tmp_path / "p.faultline", Project(designs=[a, b]), [saved_run(a, "of a"), saved_run(b, "of b")])
    assert cli_main(["convert", str(tmp_path / "p.faultline"), str(tmp_path / "b.faultline"), "--design", "b"]) == 0
    opened = open_project(tmp_path / "b.faultline")
    assert [d.name for d in opened.project.designs] == ["b"] and [r.label for r in opened.runs] == ["of b"]
    assert cli_main(["convert", str(tmp_path / "p.faultline"), str(tmp_path / "b.json"), "--design", "b"]) == 0
    assert import_json(tmp_path / "b.json") == b
    assert cli_main(["convert", str(tmp_path / "p.faultline"), str(tmp_path / "small.faultline"),
                     "--without-runs"]) == 0
    assert open_project(tmp_path / "small.faultline").runs == []


def test_convert_errors_are_one_line_and_exit_2(tmp_path, capsys):
    assert cli_main(["convert", str(tmp_path / "missing.json"), str(tmp_path / "x.faultline")]) == 2
    assert capsys.readouterr().err == "error: Cannot open missing.json: there is no such file\n"
    export_json(shop_design(), tmp_path / "d.json")
    assert cli_main(["convert", str(tmp_path / "d.json"), str(tmp_path / "x.txt")]) == 2
    assert capsys.readouterr().err == "error: Cannot write x.txt: the output must end in .faultline or .json\n"
    assert cli_main(["convert", str(tmp_path / "d.json"), str(tmp_path / "x.json"), "--design", "zzz"]) == 2
    assert capsys.readouterr().err == 'error: d.json has no design named "zzz" (it has: "shop")\n'


def test_main_py_dispatches_convert(tmp_path):
    export_json(shop_design(), tmp_path / "d.json")
    done = subprocess.run([sys.executable, str(ROOT / "main.py"), "convert", str(tmp_path / "d.json"),
                           str(tmp_path / "d.faultline")], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert isinstance(open_project(tmp_path / "d.faultline").project.designs[0], Design)


@pytest.mark.parametrize("leaf_first", [False, True], ids=["root first", "leaf first"])
def test_a_5000_service_chain_imports_and_lays_out(tmp_path, qapp, leaf_first):
    from app.document import ProjectDocument
    from app.document.layout import layered_spots, needs_layout

    depth = 5_000
    names = [f"s{i}" for i in range(depth)]
    components = [{"kind": "client", "name": "users"}] + [{"kind": "service", "name": n} for n in names]
    links = [{"source": "users", "target": "s0"}] + [{"source": a, "target": b} for a, b in zip(names, names[1:])]
    if leaf_first:
        components.reverse()
        links.reverse()
    path = tmp_path / "deep.json"
    path.write_text(json.dumps({"name": "deep", "components": components, "links": links}))
    design = import_json(path)
    assert needs_layout(design)
    by_id = layered_spots(design)
    spots = {c.name: by_id[c.id] for c in design.components}
    # One column per hop, left to right.
    assert [spots[n][0] for n in ("users", "s0", "s1", f"s{depth - 1}")] == [0.0, 240.0, 480.0, depth * 240.0]
    doc = ProjectDocument(Project(name="deep", designs=[design]))
    assert doc.problems() == []
    doc.deleteLater()
