"""Damaged, foreign and hostile files: each refused with a message naming the problem."""
from __future__ import annotations

import json
import sqlite3
import zlib
from pathlib import Path

import pytest
from store_builders import saved_run, shop_design, shop_project

from app.store import APPLICATION_ID, ProjectFileError, limits, open_project, save_project
from app.store.digest import content_digest


@pytest.fixture
def project_file(tmp_path) -> Path:
    path = tmp_path / "shop.faultline"
    project = shop_project()
    save_project(path, project, [saved_run(project.designs[0])])
    return path


def alter(path: Path, *statements: str, params: tuple = (), reseal: bool = True) -> None:
    """Change a file with SQL, then (as a forger would) record the digest of the new content."""
    conn = sqlite3.connect(path)
    try:
        for sql in statements:
            conn.execute(sql, params) if params else conn.execute(sql)
        if reseal:
            reseal_digest(conn)
        conn.commit()
    finally:
        conn.close()


def reseal_digest(conn: sqlite3.Connection) -> None:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    try:
        value = content_digest(conn, version)
        conn.execute("UPDATE file_digest SET value = ?", (value,))
    except sqlite3.Error:
        pass  # a file altered beyond having a digest to recompute


def refused(path: Path) -> str:
    with pytest.raises(ProjectFileError) as info:
        open_project(path)
    assert info.value.path == path
    return str(info.value)


# -- not a project file at all -----------------------------------------------------

def test_missing_file(tmp_path):
    assert refused(tmp_path / "nope.faultline") == "Cannot open nope.faultline: there is no such file"


def test_a_folder(tmp_path):
    (tmp_path / "dir.faultline").mkdir()
    assert refused(tmp_path / "dir.faultline") == "Cannot open dir.faultline: it is a folder, not a file"


def test_empty_file(tmp_path):
    (tmp_path / "e.faultline").write_bytes(b"")
    assert refused(tmp_path / "e.faultline") == "Cannot open e.faultline: the file is empty"


def test_not_sqlite(tmp_path):
    (tmp_path / "x.faultline").write_bytes(b"PK\x03\x04 a zip archive perhaps" * 50)
    assert refused(tmp_path / "x.faultline") == (
        "Cannot open x.faultline: it is not a Faultline project (not an SQLite database)"
    )


def test_json_given_as_a_project_file_gets_a_hint(tmp_path):
    (tmp_path / "x.faultline").write_text('{"components": []}')
    assert "it looks like JSON, which Faultline imports with Import or `convert`" in refused(tmp_path / "x.faultline")


def test_truncated_file(project_file):
    data = project_file.read_bytes()
    project_file.write_bytes(data[: len(data) // 2])
    message = refused(project_file)
    assert message.startswith("Cannot open shop.faultline: it is cut short (")
    assert "it was probably not copied or downloaded completely" in message


def test_truncated_inside_the_header(project_file):
    project_file.write_bytes(project_file.read_bytes()[:60])
    assert refused(project_file) == "Cannot open shop.faultline: it is cut short (60 bytes, less than an SQLite header)"


def test_truncated_mid_page(project_file):
    data = project_file.read_bytes()
    # Keep the header's page count consistent so only the odd length gives it away.
    project_file.write_bytes(data + b"\0" * 100)
    assert "is not a whole number of 4096-byte pages" in refused(project_file)


def test_integrity_check_failure(project_file):
    data = bytearray(project_file.read_bytes())
    page = 4096
    # Scribble over the middle of the last page (a b-tree page of table data).
    last = len(data) - page
    for i in range(last + 8, last + 40):
        data[i] = 0xFF
    project_file.write_bytes(bytes(data))
    message = refused(project_file)
    assert message.startswith("Cannot open shop.faultline: it is damaged (")


def test_sqlite_but_not_faultline(tmp_path):
    path = tmp_path / "other.faultline"
    alter(path, "CREATE TABLE notes(body TEXT)")
    assert refused(path) == (
        "Cannot open other.faultline: it is an SQLite database but not a Faultline project "
        f"(its application id is 0x00000000, not {APPLICATION_ID:#010x})"
    )


def test_newer_schema(project_file):
    alter(project_file, "PRAGMA user_version = 7")
    assert refused(project_file) == (
        "Cannot open shop.faultline: made with a newer Faultline (schema 7); this version reads up to 3"
    )


def test_no_schema_version(project_file):
    alter(project_file, "PRAGMA user_version = 0")
    assert refused(project_file) == (
        "Cannot open shop.faultline: it has no schema version, so it was never completely written by Faultline"
    )


def test_switched_to_wal_by_another_program(project_file):
    alter(project_file, "PRAGMA journal_mode = WAL")
    assert "write-ahead log" in refused(project_file)


# -- SQL of its own ------------------------------------------------------------------

SQL_OF_ITS_OWN = {
    "trigger": "CREATE TRIGGER t AFTER INSERT ON design BEGIN DELETE FROM component; END",
    "view": "CREATE VIEW v AS SELECT * FROM component",
    "virtual table": "CREATE VIRTUAL TABLE vt USING fts5(body)",
    "generated column": "ALTER TABLE component ADD COLUMN g TEXT GENERATED ALWAYS AS (upper(name)) VIRTUAL",
}


@pytest.mark.parametrize("what", list(SQL_OF_ITS_OWN))
def test_sql_of_its_own_is_refused(project_file, what):
    try:
        alter(project_file, SQL_OF_ITS_OWN[what])
    except sqlite3.OperationalError as exc:  # this SQLite lacks the module
        pytest.skip(str(exc))
    message = refused(project_file)
    assert f"it contains {what}" in message
    assert message.endswith("Faultline files never hold SQL of their own, so this one was altered by "
                            "another program; it is not opened")


def test_a_trigger_in_the_file_never_runs(project_file):
    """Even a trigger that would fire on a write: open only reads, and refuses before that."""
    alter(project_file, "CREATE TABLE log(x)",
          "CREATE TRIGGER t AFTER UPDATE ON project BEGIN INSERT INTO log VALUES (1); END")
    before = project_file.read_bytes()
    refused(project_file)
    assert project_file.read_bytes() == before


def test_missing_table(project_file):
    alter(project_file, "PRAGMA foreign_keys = OFF", "DROP TABLE fault")
    assert refused(project_file) == (
        'Cannot open shop.faultline: it lacks the table "fault" (it is damaged or was not written by Faultline)'
    )


def test_missing_column(project_file):
    alter(project_file, "ALTER TABLE component DROP COLUMN params")
    assert refused(project_file) == (
        'Cannot open shop.faultline: its table "component" lacks the column(s) params '
        "(it is damaged or was not written by Faultline)"
    )


# -- rows that break the model ---------------------------------------------------------

def test_bad_json_in_parameters(project_file):
    alter(project_file, "UPDATE component SET params = '{\"workers\": 8,' WHERE name = 'api'")
    assert refused(project_file) == (
        'Cannot open shop.faultline: design "shop", service "api", parameters: not valid JSON '
        "(Expecting property name enclosed in double quotes at line 1 column 15)"
    )


def test_parameters_that_are_not_an_object(project_file):
    alter(project_file, "UPDATE component SET params = '[1, 2]' WHERE name = 'api'")
    assert 'service "api": parameters must be a JSON object (got list)' in refused(project_file)


def test_parameters_that_repeat_a_column(project_file):
    alter(project_file, "UPDATE component SET params = '{\"name\": \"evil\"}' WHERE name = 'api'")
    assert "parameters repeat name, which have columns of their own" in refused(project_file)


def test_deeply_nested_json(project_file):
    alter(project_file, "UPDATE component SET params = ? WHERE name = 'api'", params=("[" * 100_000 + "]" * 100_000,))
    assert "parameters: JSON nested too deeply to read" in refused(project_file)


def test_unknown_component_kind(project_file):
    alter(project_file, "UPDATE component SET kind = 'teleporter' WHERE name = 'api'")
    message = refused(project_file)
    assert message.startswith('Cannot open shop.faultline: design "shop" does not follow the model:\n')
    assert """teleporter "api": unknown kind 'teleporter' (expected one of 'client',""" in message


def test_unknown_policy_kind(project_file):
    alter(project_file, "UPDATE policy SET kind = 'prayer'")
    assert "unknown kind 'prayer'" in refused(project_file)


def test_unknown_fault_kind(project_file):
    alter(project_file, "UPDATE fault SET kind = 'meteor'")
    assert "unknown kind 'meteor'" in refused(project_file)


def test_values_outside_the_model(project_file):
    alter(project_file, "UPDATE component SET params = json_set(params, '$.workers', 0) WHERE name = 'api'")
    assert 'service "api": workers must be at least 1 (got 0)' in refused(project_file)


def test_text_where_a_number_belongs(project_file):
    alter(project_file, "UPDATE link SET probability = 'often'")
    assert "probability" in refused(project_file)


def test_bad_uuid(project_file):
    alter(project_file, "UPDATE project SET id = 'not-a-uuid'")
    assert refused(project_file) == 'Cannot open shop.faultline: project: id "not-a-uuid" is not a UUID'


def test_bad_date(project_file):
    alter(project_file, "UPDATE project SET created = 'yesterday'")
    assert refused(project_file) == 'Cannot open shop.faultline: project, created: "yesterday" is not a date and time'


def test_text_that_is_not_utf8(project_file):
    alter(project_file, "UPDATE design SET name = CAST(x'fffe41' AS TEXT)")
    assert refused(project_file) == (
        "Cannot open shop.faultline: it is damaged (Could not decode to UTF-8 column 'name' with text '\ufffd\ufffdA')"
    )


def test_two_project_records(project_file):
    alter(project_file, "INSERT INTO project SELECT 2, id, format, name, description, created, modified, written_by "
                        "FROM project")
    assert refused(project_file) == (
        "Cannot open shop.faultline: holds 2 project records; a project file has exactly one"
    )


# -- dangling references ---------------------------------------------------------------

DANGLING = {
    "component": ("UPDATE component SET design_pk = 99 WHERE name = 'api'",
                  "a component row (key 2) refers to design 99, which is not in the file"),
    "policy": ("UPDATE policy SET component_pk = 42",
               "a policy row (key 1) refers to component 42, which is not in the file"),
    "workload": ("UPDATE workload SET component_pk = 42",
                 "a workload row (key 42) refers to component 42, which is not in the file"),
    "fault": ("UPDATE fault SET experiment_pk = 5",
              "a fault row (key 1) refers to experiment 5, which is not in the file"),
    "link": ("UPDATE link SET target_pk = 77 WHERE pk = 2",
             'design "shop", link 2: its target is not in the file'),
    "run": ("UPDATE run SET design_pk = 3",
            "a run row (key 1) refers to design 3, which is not in the file"),
    "run_array": ("UPDATE run_array SET run_pk = 9 WHERE ord = 1",
                  "a run_array row (key 2) refers to run 9, which is not in the file"),
}


@pytest.mark.parametrize("table", list(DANGLING))
def test_dangling_references(project_file, table):
    sql, expected = DANGLING[table]
    alter(project_file, "PRAGMA foreign_keys = OFF", sql)
    assert refused(project_file) == f"Cannot open shop.faultline: {expected}"


def test_a_link_between_designs(tmp_path):
    path = tmp_path / "two.faultline"
    from engine.model import Project

    save_project(path, Project(designs=[shop_design("one"), shop_design("two")]))
    alter(path, "UPDATE link SET source_pk = (SELECT min(pk) FROM component WHERE design_pk = 2) WHERE pk = 1")
    assert refused(path) == ('Cannot open two.faultline: design "one", link 1: '
                             "its source is a component of another design")


# -- absurd sizes ----------------------------------------------------------------------

def test_a_file_too_large(project_file, monkeypatch):
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 10_000)
    message = refused(project_file)
    assert message.startswith("Cannot open shop.faultline: it is ")
    assert message.endswith("more than a project file may be (9.8 KB)")


def test_too_many_components(project_file, monkeypatch):
    monkeypatch.setattr(limits, "MAX_COMPONENTS_PER_DESIGN", 2)
    from app.store import project_file as module

    monkeypatch.setattr(module, "_COUNT_LIMITS", tuple(
        (t, p, 2 if t == "component" else lim, w, o) for t, p, lim, w, o in module._COUNT_LIMITS
    ))
    assert refused(project_file) == (
        "Cannot open shop.faultline: a design in it has 3 components, more than the 2 a project may hold"
    )


def test_a_million_forged_links_are_counted_not_loaded(project_file):
    alter(project_file, "PRAGMA foreign_keys = OFF",
          "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100001) "
          "INSERT INTO link(design_pk, ord, id, source_pk, target_pk, latency, probability, count) "
          "SELECT 1, 1000 + i, 'x', 1, 2, '{}', 1, 1 FROM n")
    assert refused(project_file) == (
        "Cannot open shop.faultline: a design in it has 100,003 links, more than the 100,000 a project may hold"
    )


def test_huge_parameters(project_file, monkeypatch):
    monkeypatch.setattr(limits, "MAX_PARAMS_BYTES", 1000)
    alter(project_file, "UPDATE component SET params = ? WHERE name = 'api'", params=(json.dumps({"x": "y" * 5000}),))
    assert refused(project_file) == (
        "Cannot open shop.faultline: a component in it has 4.9 KB of parameters, more than the 1,000 bytes "
        "a project may hold"
    )


def test_a_value_beyond_sqlites_length_limit(project_file, monkeypatch):
    monkeypatch.setattr(limits, "MAX_VALUE_BYTES", 10_000)
    alter(project_file, "UPDATE design SET description = ?", params=("d" * 20_000,))
    assert refused(project_file) == "Cannot open shop.faultline: it is damaged (string or blob too big)"


def test_an_array_claiming_absurd_dimensions(project_file):
    alter(project_file, "UPDATE run_array SET rows = 1000000000, cols = 1000000 WHERE ord = 1")
    assert refused(project_file) == (
        "Cannot open shop.faultline: its saved runs claim 7,450,580.6 GB of results, "
        "more than the 1.0 GB a project may hold"
    )


def test_an_array_larger_than_one_array_may_be(project_file, monkeypatch):
    monkeypatch.setattr(limits, "MAX_ARRAY_BYTES", 100)
    message = refused(project_file)
    assert message == ('Cannot open shop.faultline: saved run "run", series "arrivals": claims 6 x 3 values '
                       "(144 bytes), more than a saved run may hold")


def test_an_array_shorter_than_its_shape(project_file):
    alter(project_file, "UPDATE run_array SET rows = rows + 1")
    assert 'saved run "run", bucket_times: holds 48 bytes, its shape needs 56' in refused(project_file)


def test_a_decompression_bomb(project_file):
    bomb = zlib.compress(b"\0" * 50_000_000, 9)
    alter(project_file, "UPDATE run_array SET data = ? WHERE ord = 0", params=(bomb,))
    assert refused(project_file) == (
        'Cannot open shop.faultline: saved run "run", bucket_times: holds more data than its recorded size'
    )


def test_damaged_compressed_data(project_file):
    alter(project_file, "UPDATE run_array SET data = x'789c0000deadbeef' WHERE ord = 0")
    assert 'saved run "run", bucket_times: compressed data is damaged' in refused(project_file)


def test_an_event_log_bomb(project_file, monkeypatch):
    monkeypatch.setattr(limits, "MAX_EVENTS_BYTES", 1000)
    alter(project_file, "UPDATE run SET events = ?", params=(zlib.compress(b"[" + b"0," * 10_000 + b"0]"),))
    assert 'saved run "run", events: holds more data than its recorded size' in refused(project_file)


def test_run_data_of_the_wrong_shape(project_file):
    alter(project_file, "UPDATE run SET components = '[\"web\"]'")
    assert ('saved run "run": series "arrivals" has shape (6, 3); buckets x columns must be (6, 1)'
            in refused(project_file))


def test_an_array_in_an_unknown_encoding(project_file):
    alter(project_file, "UPDATE run_array SET encoding = 'pickle' WHERE ord = 0")
    assert refused(project_file) == (
        'Cannot open shop.faultline: saved run "run", bucket_times: unknown encoding "pickle"'
    )


def test_a_huge_value_is_quoted_only_in_part(project_file):
    alter(project_file, "UPDATE component SET params = json_set(params, '$.workers', ?) WHERE name = 'api'",
          params=("9" * 100_000 + "x",))
    message = refused(project_file)
    assert message.startswith('Cannot open shop.faultline: design "shop" does not follow the model:\n'
                              '  service "api": workers ')
    assert len(message) < 500


def test_many_problems_are_summed_up(project_file):
    alter(project_file, "UPDATE policy SET params = json_set(params, '$.a', 1, '$.b', 2, '$.c', 3, '$.d', 4, "
          "'$.e', 5, '$.f', 6, '$.g', 7, '$.h', 8, '$.i', 9, '$.j', 10, '$.k', 11)")
    message = refused(project_file)
    assert message.count("is not a known field") == 20
    assert message.endswith("  and 2 more")


def test_another_kind_of_file_is_refused_from_its_header_without_reading_it_whole(tmp_path, monkeypatch):
    from app.store import project_file as module

    def read_whole(*args, **kwargs):
        raise AssertionError("read the whole file")

    monkeypatch.setattr(module, "read_whole", read_whole)
    other = tmp_path / "other.faultline"
    alter(other, "CREATE TABLE t(x)")
    assert "not a Faultline project" in refused(other)
    (tmp_path / "zip.faultline").write_bytes(b"PK\x03\x04" + b"\0" * 10_000)
    assert "not an SQLite database" in refused(tmp_path / "zip.faultline")
