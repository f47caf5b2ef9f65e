"""Project files from the window: names as a user types them, files marked read-only."""
from __future__ import annotations

import json
import stat

import pytest
from editor_helpers import build_three_tier
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from app.main_window import MainWindow
from app.store import export_json, open_project, save_project
from engine.model import Design, Project


def test_save_as_keeps_a_suffix_typed_in_capitals(window, tmp_path, monkeypatch):
    """Save As "shop.FAULTLINE" wrote "shop.FAULTLINE.faultline" beside where the user asked."""
    build_three_tier(window.document)
    monkeypatch.setattr(MainWindow, "choose_save_path", lambda self, *a: str(tmp_path / "shop.FAULTLINE"))
    assert window.save_as()
    window.wait_for_save()
    assert sorted(p.name for p in tmp_path.iterdir() if "faultline" in p.name.lower()) == ["shop.FAULTLINE"]
    assert window.document.path == tmp_path / "shop.FAULTLINE" and not window.document.modified
    assert open_project(tmp_path / "shop.FAULTLINE").project.designs[0].name == window.document.design.name


def test_save_as_adds_the_suffix_to_a_bare_name(window, tmp_path, monkeypatch):
    build_three_tier(window.document)
    monkeypatch.setattr(MainWindow, "choose_save_path", lambda self, *a: str(tmp_path / "shop"))
    assert window.save_as()
    window.wait_for_save()
    assert window.document.path == tmp_path / "shop.faultline" and (tmp_path / "shop.faultline").is_file()


def test_a_read_only_file_says_so_on_opening_and_save_asks_for_a_new_file(window, tmp_path, monkeypatch):
    """Nothing said the file was read-only until a Save was refused, after the edits."""
    path = tmp_path / "reference.faultline"
    build_three_tier(window.document)
    assert window._save_to(path)
    window.wait_for_save()
    before = path.read_bytes()
    path.chmod(stat.S_IRUSR)
    try:
        assert window.open_path(path, ask=False)
        assert window.windowTitle().startswith("reference.faultline (read-only)")
        banner = window.read_only_banner
        assert not banner.isHidden() and "reference.faultline is marked read-only" in banner.label.text()
        assert "Save asks for a new file" in window.save_action.toolTip()
        window.document.edit.add_component("cache", (0, 300), name="sessions")
        asked: list[str] = []
        monkeypatch.setattr(MainWindow, "choose_save_path", lambda self, *a: asked.append(a[2]) or None)
        assert not window.save()                      # Save goes to Save As, which was cancelled
        assert asked == ["reference.faultline"]
        monkeypatch.setattr(MainWindow, "choose_save_path", lambda self, *a: str(path))
        assert not window.save()                      # the same file chosen: refused, and why
        window.wait_for_save()
        assert window.last_error.startswith("Cannot save reference.faultline: the file is marked read-only")
        assert window.document.modified and path.read_bytes() == before
        copy = tmp_path / "mine.faultline"
        monkeypatch.setattr(MainWindow, "choose_save_path", lambda self, *a: str(copy))
        assert window.save()
        window.wait_for_save()
        assert window.windowTitle().startswith("mine.faultline") and banner.isHidden()
    finally:
        path.chmod(stat.S_IRUSR | stat.S_IWUSR)


def _drop(target, path) -> bool:
    """Drag ``path`` over ``target`` and drop it; whether the drag was accepted."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    enter = QDragEnterEvent(QPoint(20, 20), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(target, enter)
    if enter.isAccepted():
        QApplication.sendEvent(target, QDropEvent(QPointF(20, 20), Qt.DropAction.CopyAction, mime,
                                                  Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier))
    return enter.isAccepted()


@pytest.mark.parametrize("where", ["canvas", "window"])
def test_a_project_whose_suffix_is_in_capitals_opens_when_dropped(window, tmp_path, where):
    """"Shop.FAULTLINE" (as copied from a Windows share) was refused by the drag: the cursor said
    no and nothing opened, where File › Open opened it."""
    path = tmp_path / "Shop.FAULTLINE"
    save_project(path, Project(name="shop", designs=[Design(name="dropped design")]))
    target = window.view.viewport() if where == "canvas" else window
    assert _drop(target, path)
    assert window.document.path == path and window.document.design.name == "dropped design"
    design = tmp_path / "Review.JSON"
    export_json(Design(name="reviewed design"), design)
    assert _drop(target, design)
    assert window.document.design.name == "reviewed design"


def test_a_hand_written_design_with_a_repeated_name_shows_every_component(window, tmp_path):
    """Two services named "api" in a hand-written design were laid out by name, one exactly over the
    other: the canvas showed three components of four, and Arrange left them stacked."""
    path = tmp_path / "hand.json"
    path.write_text(json.dumps({"name": "hand", "components": [
        {"kind": "client", "name": "users"}, {"kind": "service", "name": "api"},
        {"kind": "service", "name": "api"}, {"kind": "database", "name": "db"}],
        "links": [{"source": "users", "target": "api"}, {"source": "api", "target": "db"}]}), encoding="utf-8")
    assert window.import_path(path, ask=False)
    doc = window.document

    def spots() -> set:
        return {(c.position.x, c.position.y) for c in doc.design.components}

    assert len(spots()) == 4
    assert any("api" in p.message for p in doc.problems())  # the repeated name is still reported
    doc.edit.arrange()
    assert len(spots()) == 4


def test_open_recent_tells_apart_projects_that_share_a_file_name(window, tmp_path):
    """Two "design.faultline" of two clients read "&1 design.faultline" and "&2 design.faultline":
    only a tooltip, slow to come, said which was which."""
    paths = []
    for client in ("acme", "globex"):
        (tmp_path / client).mkdir()
        path = tmp_path / client / "design.faultline"
        save_project(path, Project(name=client, designs=[Design(name=client)]))
        window.recent.add(path)
        paths.append(path)
    window._fill_recent()
    texts = [a.text() for a in window.recent_menu.actions() if a.toolTip().endswith(".faultline")]
    assert texts == ["&1 design.faultline — globex", "&2 design.faultline — acme"]
