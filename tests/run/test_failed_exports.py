"""Exports to a place that cannot be written: a message naming the file and the cause, nothing
claimed written, and an existing file left as it was (every export is written as a save is)."""
from __future__ import annotations

import pytest
from test_run_window import run_and_wait, window  # noqa: F401  (the fixture)

import app.run.event_log as event_log_module
import app.run.plot_export as plot_export_module
import app.store.fileio as fileio


@pytest.fixture
def warnings(window, monkeypatch):  # noqa: F811
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(window, "show_error", lambda title, message: shown.append((title, message)))
    for module in (plot_export_module, event_log_module):
        monkeypatch.setattr(module.QMessageBox, "warning",
                            lambda _parent, title, message: shown.append((title, message)))
    return shown


def test_a_report_into_a_missing_folder_says_so_and_claims_nothing(qtbot, window, warnings, tmp_path):  # noqa: F811
    ui = window.run_ui
    run_and_wait(qtbot, ui)
    ui.choose_report_path = lambda suggested: str(tmp_path / "report.html")
    assert ui.export_report_dialog() == tmp_path / "report.html"
    window.statusBar().clearMessage()
    missing = tmp_path / "gone" / "report.html"
    ui.choose_report_path = lambda suggested: str(missing)
    assert ui.export_report_dialog() is None
    assert warnings == [("Cannot export the report",
                         f"Cannot save report.html: the folder {missing.parent} does not exist")]
    assert "written" not in window.statusBar().currentMessage()


def test_a_design_picture_onto_a_folder_says_so(qtbot, window, warnings, tmp_path, monkeypatch):  # noqa: F811
    folder = tmp_path / "picture.png"
    folder.mkdir()
    monkeypatch.setattr(window, "choose_save_path", lambda *args: str(folder))
    assert window.run_ui.export_design_picture_dialog("png") is None
    assert warnings == [("Cannot export the design", "Cannot save picture.png: it is a folder")]


def test_plots_and_events_that_cannot_be_written_leave_the_old_file_and_say_why(
        qtbot, window, warnings, tmp_path, monkeypatch):  # noqa: F811
    ui = window.run_ui
    run_and_wait(qtbot, ui)

    def full_disk(*args):
        raise OSError(28, "No space left on device")

    out = tmp_path / "exports"
    out.mkdir()
    written: list[str] = []
    for name, export in (("plots.png", lambda: ui.dashboard._export_dialog("png")),
                         ("plots.csv", lambda: ui.dashboard._export_dialog("csv")),
                         ("events.csv", ui.event_log._export_csv_dialog)):
        kept = out / name
        kept.write_bytes(b"the previous export")
        chosen = (str(kept), "")
        for module in (plot_export_module, event_log_module):
            monkeypatch.setattr(module.QFileDialog, "getSaveFileName", lambda *args, chosen=chosen: chosen)
        with monkeypatch.context() as disk:
            disk.setattr(fileio.os, "replace", full_disk)
            export()
        assert kept.read_bytes() == b"the previous export", name
        assert sorted(p.name for p in out.iterdir()) == sorted(written + [name]), "a temporary file was left"
        written.append(name)
        title, message = warnings.pop()
        assert title.startswith("Cannot") and message == (f"Cannot save {name}: No space left on device; "
                                                          "the previous version is untouched")


def test_a_design_picture_named_with_a_dot_keeps_its_whole_name(qtbot, window, tmp_path, monkeypatch):  # noqa: F811
    """"shop v1.2" was written as "shop v1.png"."""
    monkeypatch.setattr(window, "choose_save_path", lambda *args: str(tmp_path / "shop v1.2"))
    assert window.run_ui.export_design_picture_dialog("png") == tmp_path / "shop v1.2.png"
    assert (tmp_path / "shop v1.2.png").exists() and not (tmp_path / "shop v1.png").exists()
