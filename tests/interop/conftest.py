"""Fixtures of the interop tests."""
from __future__ import annotations

import pytest
from interop_support import EXAMPLES, shop_design

from engine.model import Design, parse_design


@pytest.fixture
def three_tier() -> Design:
    return parse_design((EXAMPLES / "three_tier.json").read_text())


@pytest.fixture
def shop() -> Design:
    return shop_design()


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    """The main window with the three-tier example open."""
    from PySide6.QtCore import QSettings

    from app.main_window import MainWindow
    from app.store import Autosave, RecentFiles

    monkeypatch.setattr(MainWindow, "ask_save_changes", lambda self: "discard")
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    w = MainWindow(settings, RecentFiles(tmp_path / "data"), Autosave(tmp_path / "recovery"))
    qtbot.addWidget(w)
    assert w.import_path(EXAMPLES / "three_tier.json", ask=False)
    yield w
    w.close()
