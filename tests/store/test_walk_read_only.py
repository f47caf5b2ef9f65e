"""A project file marked read-only is not replaced by a save: the folder would allow it, the user said no."""
from __future__ import annotations

import stat

import pytest
from store_builders import shop_design, shop_project

from app.store import ProjectFileError, export_json, open_project, save_project
from engine.model import Project


@pytest.fixture
def read_only_project(tmp_path):
    path = tmp_path / "reference.faultline"
    save_project(path, shop_project())
    path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    yield path
    path.chmod(stat.S_IRUSR | stat.S_IWUSR)


def test_saving_over_a_read_only_project_is_refused_and_leaves_it_as_it_was(read_only_project):
    """A save renamed its new file over a read-only reference design and kept the read-only mark:
    the protection the user set was bypassed without a word."""
    before = read_only_project.read_bytes()
    with pytest.raises(ProjectFileError) as caught:
        save_project(read_only_project, Project(name="other", designs=[shop_design("other")]))
    assert str(caught.value).startswith("Cannot save reference.faultline: the file is marked read-only")
    assert read_only_project.read_bytes() == before
    assert [p.name for p in read_only_project.parent.iterdir()] == ["reference.faultline"]  # no temporary left


def test_a_read_only_project_still_opens(read_only_project):
    assert open_project(read_only_project).project.name == shop_project().name


def test_exporting_over_a_read_only_json_is_refused(tmp_path):
    path = tmp_path / "design.json"
    export_json(shop_design("a"), path)
    path.chmod(stat.S_IRUSR)
    try:
        with pytest.raises(ProjectFileError, match="^Cannot save design.json: the file is marked read-only"):
            export_json(shop_design("b"), path)
    finally:
        path.chmod(stat.S_IRUSR | stat.S_IWUSR)
