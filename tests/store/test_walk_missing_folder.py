"""A file whose whole folder is gone (a drive not connected, a folder renamed) is said so, naming the folder."""
from __future__ import annotations

import pytest

from app.store import ProjectFileError, import_json, open_project


@pytest.mark.parametrize("name, read", [("shop.faultline", open_project), ("shop.json", import_json)])
def test_a_file_in_a_missing_folder_names_the_missing_folder(tmp_path, name, read):
    """Opening a recent project from an unplugged drive said "there is no such file", as if the
    file had been deleted, and named no folder to go and look for."""
    folder = tmp_path / "usb-stick" / "designs"
    with pytest.raises(ProjectFileError) as caught:
        read(folder / name)
    assert str(caught.value) == f"Cannot open {name}: the folder {folder} does not exist"


def test_a_missing_file_in_a_folder_that_exists_is_said_to_be_missing(tmp_path):
    with pytest.raises(ProjectFileError, match="^Cannot open gone.faultline: there is no such file$"):
        open_project(tmp_path / "gone.faultline")
