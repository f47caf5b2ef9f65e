"""File > Import configuration… reads its files once, on a worker thread: the window answers meanwhile,
a Cancel keeps the files chosen before, and each choice in the dialog previews again without reading."""
from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QDialogButtonBox, QProgressDialog, QPushButton

import app.interop
from app import file_tasks
from app.interop_dialog import ImportConfigurationDialog
from engine.model import parse_design

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"
FIXTURES = Path(__file__).resolve().parents[1] / "interop" / "fixtures"
SHOP_API = FIXTURES / "shop-api.yml"
COLLECTOR = FIXTURES / "traces" / "shop-collector.json"


@pytest.fixture
def three_tier():
    return parse_design((EXAMPLES / "three_tier.json").read_text())


@pytest.fixture
def reads(monkeypatch) -> Counter:
    """How many times each file is read."""
    counted: Counter = Counter()
    real = app.interop.read_documents

    def read_documents(path):
        counted[Path(path).name] += 1
        return real(path)
    monkeypatch.setattr(app.interop, "read_documents", read_documents)
    return counted


def _ok(dialog) -> bool:
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()


def _dialog(qtbot, design, paths=()) -> ImportConfigurationDialog:
    dialog = ImportConfigurationDialog(design, paths)
    qtbot.addWidget(dialog)
    return dialog


def test_each_choice_previews_again_without_reading_the_files_again(qtbot, three_tier, reads, tmp_path):
    unmatched = tmp_path / "application.yml"
    unmatched.write_text("resilience4j.bulkhead.instances.backendA.maxConcurrentCalls: 3\n")
    dialog = _dialog(qtbot, three_tier, [SHOP_API, unmatched])
    assert "shop-api.yml:25: circuitbreaker db -> circuit breaker on api -> db" in dialog.preview.toPlainText()
    dialog.as_new.setChecked(True)
    dialog.into_current.setChecked(True)
    dialog.import_caller.setCurrentIndex(1)
    dialog.import_caller.setCurrentIndex(0)
    dialog.set_mapping("backendA", "cache -> db")
    assert "bulkhead backendA -> bulkhead on cache -> db" in dialog.preview.toPlainText()
    assert _ok(dialog)
    assert reads == {"shop-api.yml": 1, "application.yml": 1}


def test_traces_are_fitted_once_for_every_choice(qtbot, three_tier, reads, monkeypatch):
    fits = []
    real = app.interop.traces.traced_design
    monkeypatch.setattr(app.interop.traces, "traced_design", lambda docs, result: fits.append(1) or real(docs, result))
    dialog = _dialog(qtbot, three_tier, [COLLECTOR])
    for _ in range(3):
        dialog.as_new.setChecked(True)
        assert dialog.import_result.design.component("orders").kind == "queue"
        dialog.into_current.setChecked(True)
        assert dialog.import_result is None   # no name of the traces is in the three-tier design
    assert reads == {"shop-collector.json": 1} and len(fits) == 1


def test_a_folder_of_manifests_is_previewed_as_the_new_design_it_makes(qtbot, three_tier):
    dialog = _dialog(qtbot, three_tier, [FIXTURES / "topology" / "k8s"])
    assert dialog.makes_new_design and not dialog.into_current.isEnabled()
    assert dialog.error.isHidden() and _ok(dialog)
    assert {"api", "web"} <= {c.name for c in dialog.import_result.design.components}


class SlowRead:
    """A read held until released, as a large file's is: where it ran, and the window's ticks meanwhile."""

    def __init__(self, monkeypatch) -> None:
        self.gate, self.started = threading.Event(), threading.Event()
        self.threads: list[int] = []
        real = app.interop.read_documents

        def read_documents(path):
            self.threads.append(threading.get_ident())
            self.started.set()
            assert self.gate.wait(10), "the test should have released the read"
            return real(path)
        monkeypatch.setattr(app.interop, "read_documents", read_documents)

    def release(self, qtbot) -> None:
        """Let the abandoned worker end, as the test must leave no thread running."""
        self.gate.set()
        qtbot.waitUntil(lambda: not file_tasks._ABANDONED)


def _cancel_once_the_window_ticked(dialog, ticks: list[float], enough: int = 10) -> QTimer:
    """A timer of the window's own event loop: it can tick only while the read runs elsewhere."""
    timer = QTimer(dialog)
    timer.setInterval(5)

    def tick():
        ticks.append(1)
        busy = dialog.findChildren(QProgressDialog)
        if len(ticks) >= enough and busy:
            timer.stop()
            busy[0].findChild(QPushButton).click()   # the busy indicator's Cancel
    timer.timeout.connect(tick)
    timer.start()
    return timer


def test_the_window_answers_while_a_slow_file_is_read_and_a_cancel_chooses_nothing(qtbot, three_tier, monkeypatch):
    dialog = _dialog(qtbot, three_tier)
    slow = SlowRead(monkeypatch)
    ticks: list[float] = []
    timer = _cancel_once_the_window_ticked(dialog, ticks)
    dialog.set_files([COLLECTOR])
    timer.stop()
    assert len(ticks) >= 10 and slow.started.is_set()
    assert slow.threads[0] != threading.get_ident()
    assert dialog.chosen_files == [] and dialog.import_result is None and not _ok(dialog)
    assert dialog.files_label.text() == "Reading shop-collector.json was cancelled. No file chosen."
    assert dialog.error.isHidden()
    slow.release(qtbot)
    qtbot.wait(20)   # the dropped result, had it been kept, would arrive now
    assert dialog.chosen_files == [] and dialog.import_result is None


def test_a_cancel_keeps_the_files_chosen_before(qtbot, three_tier, monkeypatch):
    dialog = _dialog(qtbot, three_tier, [SHOP_API])
    preview = dialog.preview.toPlainText()
    assert _ok(dialog)
    slow = SlowRead(monkeypatch)
    ticks: list[float] = []
    timer = _cancel_once_the_window_ticked(dialog, ticks)
    dialog.set_files([COLLECTOR])
    timer.stop()
    slow.release(qtbot)
    assert dialog.chosen_files == [SHOP_API]
    assert dialog.files_label.text() == "Reading shop-collector.json was cancelled. Still chosen: shop-api.yml."
    assert dialog.preview.toPlainText() == preview and _ok(dialog)
    dialog.as_new.setChecked(True)   # the files kept still preview at every choice
    assert dialog.import_result is not None and slow.threads == [slow.threads[0]]


def test_a_refused_file_read_off_the_thread_shows_its_message(qtbot, three_tier, tmp_path):
    cut = tmp_path / "traces.json"
    cut.write_text(COLLECTOR.read_text()[:-300])
    dialog = _dialog(qtbot, three_tier, [cut])
    assert dialog.error.text().startswith("traces.json:") and "not valid JSON" in dialog.error.text()
    assert not dialog.error.isHidden() and not _ok(dialog)
    dialog.as_new.setChecked(True)
    assert "not valid JSON" in dialog.error.text() and dialog.import_result is None
