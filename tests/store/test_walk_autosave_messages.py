"""A recovery copy that cannot be written says which project and where, not the copy's own token name."""
from __future__ import annotations

import errno

import pytest
from store_builders import shop_project

from app.store import Autosave, ProjectFileError, fileio


def test_a_full_disk_while_writing_the_recovery_copy_names_the_project_and_the_folder(tmp_path, monkeypatch):
    """The status bar said "Autosave failed: Cannot save 046bf04ba32644d39b17e595785a7ffb.faultline:
    No space left on device; the previous version is untouched": a file the user never made."""
    autosave = Autosave(tmp_path / "recovery")

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(fileio.os, "fsync", full)
    with pytest.raises(ProjectFileError) as caught:
        autosave.write(shop_project("Checkout"))
    message = str(caught.value)
    assert message.startswith(f"Cannot write the recovery copy of “Checkout” in {tmp_path / 'recovery'}: "
                              "No space left on device"), message
    assert autosave.token not in message
    autosave.close()
