"""Files damaged after they were saved, and schemas that carry code: caught before they mislead or stall."""
from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pytest
from store_builders import saved_run, shop_project
from test_store_hostile import alter

from app.cli import main as cli_main
from app.store import DamagedFileError, ProjectFileError, open_project, save_project
from app.store import project_file as project_file_module
from engine.model import Design, Link, Position, Project, Service


@pytest.fixture
def project_file(tmp_path) -> Path:
    path = tmp_path / "shop.faultline"
    project = shop_project()
    save_project(path, project, [saved_run(project.designs[0])])
    return path


# -- the content digest --------------------------------------------------------------

def test_a_changed_number_is_reported_and_what_is_left_can_be_read(project_file):
    original = open_project(project_file)
    alter(project_file, "UPDATE component SET x = x + 1 WHERE name = 'api'", reseal=False)
    with pytest.raises(DamagedFileError) as info:
        open_project(project_file)
    assert str(info.value) == (
        "Cannot open shop.faultline: this file was damaged after it was saved: its content does not match the "
        "digest recorded when it was saved, so names or numbers in it may have changed"
    )
    salvage = info.value.salvage
    assert salvage is not None and salvage.damaged
    api = next(c for c in salvage.project.designs[0].components if c.name == "api")
    before = next(c for c in original.project.designs[0].components if c.name == "api")
    assert api.position.x == before.position.x + 1
    assert salvage.runs == original.runs


def test_a_changed_name_is_reported(project_file):
    alter(project_file, "UPDATE design SET name = 'shoq'", reseal=False)
    with pytest.raises(DamagedFileError, match="damaged after it was saved"):
        open_project(project_file)


def test_a_missing_digest_is_damage(project_file):
    alter(project_file, "DELETE FROM file_digest", reseal=False)
    with pytest.raises(DamagedFileError) as info:
        open_project(project_file)
    assert "this file was damaged after it was saved: its digest is missing" in str(info.value)


def test_damage_that_also_breaks_the_content_says_both(project_file):
    alter(project_file, "UPDATE component SET params = '{' WHERE name = 'api'", reseal=False)
    with pytest.raises(DamagedFileError) as info:
        open_project(project_file)
    message = str(info.value)
    assert message.startswith("Cannot open shop.faultline: this file was damaged after it was saved: its content "
                              "does not match the digest recorded when it was saved, and what is left cannot be "
                              'read (design "shop", service "api", parameters: not valid JSON')
    assert info.value.salvage is None


def _same(a, b) -> bool:
    return a.project == b.project and a.runs == b.runs


def test_no_byte_level_damage_opens_silently_with_other_content(tmp_path):
    """Flip a byte anywhere in the file: it opens to the same content, or it is refused; never a third way.

    Without the digest about 2 % of such flips opened with a changed number or name.
    """
    services = [Service(name=f"svc{i}", workers=i + 1, position=Position(x=i * 1.5, y=i * 2.25)) for i in range(120)]
    links = [Link(source=f"svc{i}", target=f"svc{i + 1}", probability=0.5) for i in range(119)]
    path = tmp_path / "dense.faultline"
    save_project(path, Project(name="dense", designs=[Design(name="d", components=services, links=links)]))
    pristine = path.read_bytes()
    original = open_project(path)
    rng = random.Random(1)
    silent = []
    for _ in range(300):
        data = bytearray(pristine)
        offset = rng.randrange(100, len(data))  # past the header, whose fields are each checked
        data[offset] ^= rng.randrange(1, 256)
        path.write_bytes(bytes(data))
        try:
            opened = open_project(path)
        except ProjectFileError:
            continue
        if not _same(opened, original):
            silent.append(offset)
    assert silent == []


def test_the_command_line_says_a_file_is_damaged_and_exits_2(project_file, tmp_path, capsys):
    alter(project_file, "UPDATE component SET y = 0.5 WHERE name = 'db'", reseal=False)
    assert cli_main(["convert", str(project_file), str(tmp_path / "out.json")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: Cannot open shop.faultline: this file was damaged after it was saved")
    assert not (tmp_path / "out.json").exists()


def test_a_save_checks_the_digest_of_what_reached_the_disk(tmp_path, monkeypatch):
    real_atomic_write = project_file_module.atomic_write

    def damage(temp: Path) -> None:
        # The disk keeps other bytes than were written: one letter of the project's name.
        data = temp.read_bytes()
        temp.write_bytes(data.replace(b"Other", b"Xther", 1))

    def damaging_atomic_write(target, data, verify):
        return real_atomic_write(target, data, lambda temp: (damage(temp), verify(temp)))

    target = tmp_path / "t.faultline"
    save_project(target, shop_project())
    before = target.read_bytes()
    monkeypatch.setattr(project_file_module, "atomic_write", damaging_atomic_write)
    with pytest.raises(ProjectFileError) as info:
        save_project(target, shop_project("Other"))
    assert "the new file failed its check (the new file as read back from disk: its content does not match" in str(
        info.value)
    assert target.read_bytes() == before


# -- the schema, compared before anything runs -----------------------------------------

@pytest.fixture
def no_integrity_check(monkeypatch):
    def never(conn):
        raise AssertionError("the integrity check ran on a file with a foreign schema")

    monkeypatch.setattr(project_file_module, "_check_integrity", never)


def test_a_check_constraint_in_an_extra_table_is_refused_before_the_integrity_check(project_file, no_integrity_check):
    alter(project_file,
          "CREATE TABLE bomb(x, CHECK (length(replace(hex(zeroblob(100000000)), '00', 'ab')) > 0))")
    message = str(pytest.raises(ProjectFileError, open_project, project_file).value)
    assert message == (
        'Cannot open shop.faultline: it contains table "bomb". Faultline files never hold SQL of their own, so this '
        "one was altered by another program; it is not opened"
    )


def test_a_check_constraint_added_to_a_known_table_is_refused(project_file, no_integrity_check):
    conn = sqlite3.connect(project_file)
    try:
        sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'design'").fetchone()[0]
        forged = sql.rstrip(")\n") + ", CHECK (length(zeroblob(1000000)) > 0)\n)"
        conn.execute("PRAGMA writable_schema = ON")
        conn.execute("UPDATE sqlite_master SET sql = ? WHERE name = 'design'", (forged,))
        conn.commit()
    finally:
        conn.close()
    message = str(pytest.raises(ProjectFileError, open_project, project_file).value)
    assert message == ('Cannot open shop.faultline: its table "design" is not defined as Faultline defines it '
                       "(it was altered by another program or is damaged); it is not opened")


def test_an_index_on_an_expression_is_refused(project_file, no_integrity_check):
    alter(project_file, "CREATE INDEX slow ON component(length(params) * 2)")
    assert 'it contains index "slow"' in str(pytest.raises(ProjectFileError, open_project, project_file).value)


def test_a_dropped_index_is_refused(project_file, no_integrity_check):
    alter(project_file, "DROP INDEX ix_link_design_pk")
    assert str(pytest.raises(ProjectFileError, open_project, project_file).value) == (
        'Cannot open shop.faultline: it lacks index "ix_link_design_pk" of table "link" (it is damaged or was not '
        "written by Faultline)"
    )
