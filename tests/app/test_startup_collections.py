"""What the window was built from is left out of later garbage collections; garbage is not kept."""
from __future__ import annotations

import gc
import weakref

from app.gui import keep_startup_out_of_collections


class _Node:
    me: _Node


def test_startup_objects_leave_the_collections_and_garbage_made_before_is_freed_not_frozen():
    kept = _Node()
    kept.me = kept  # a cycle still in use: frozen with the rest of startup
    lost = _Node()
    lost.me = lost  # a cycle no one holds: garbage, which freezing must not keep forever
    gone = weakref.ref(lost)
    del lost
    try:
        keep_startup_out_of_collections()
        assert gone() is None
        assert gc.get_freeze_count() > 0
        # A full collection walks only what is made afterwards.
        assert not any(obj is kept for obj in gc.get_objects())
        later = _Node()
        later.me = later
        assert any(obj is later for obj in gc.get_objects())
    finally:
        gc.unfreeze()  # the rest of the test session collects as before
    assert any(obj is kept for obj in gc.get_objects())
