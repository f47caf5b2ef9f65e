"""An import that would change nothing is never reported as done, and the preview speaks the
dialog's language: the table rather than command-line syntax, units, plain counts."""
from __future__ import annotations

from interop_support import EXAMPLES, FIXTURES
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFileDialog

from app.cli import main as cli_main
from app.interop import import_files
from app.interop_dialog import ImportConfigurationDialog, apply_import, import_configuration

GRPC = FIXTURES / "orders_service_config.json"


def _ok(dialog) -> bool:
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()


def test_nothing_mapped_cannot_be_imported_and_the_preview_says_why(window, qtbot):
    dialog = ImportConfigurationDialog(window.document.design, [GRPC], window)
    qtbot.addWidget(dialog)
    assert not _ok(dialog) and dialog.import_result is None
    preview = dialog.preview.toPlainText()
    assert preview.startswith('Nothing in orders_service_config.json maps to a call of "Three-tier web shop", '
                              "so importing would change nothing: pick the call each guards in the table above.")
    dialog.set_mapping("shop.Orders", "api -> db")
    assert _ok(dialog) and "Nothing in" not in dialog.preview.toPlainText()


def test_the_menu_reports_no_import_when_nothing_changed(window, monkeypatch):
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(lambda *a, **k: ([str(GRPC)], "")))
    monkeypatch.setattr(ImportConfigurationDialog, "exec", lambda self: QDialog.DialogCode.Accepted)
    before = window.document.undo_stack.count()
    assert import_configuration(window) is False
    assert window.document.undo_stack.count() == before
    assert "Imported orders_service_config.json" not in window.statusBar().currentMessage()


def test_applying_an_import_that_changes_nothing_says_so(window):
    result = import_files([GRPC], window.document.design)
    before = window.document.undo_stack.count()
    assert apply_import(window, result, False) is False
    assert window.document.undo_stack.count() == before


def test_settings_already_there_cannot_be_imported_again(window, qtbot):
    dialog = ImportConfigurationDialog(window.document.design, [FIXTURES / "shop-api.yml"], window)
    qtbot.addWidget(dialog)
    assert apply_import(window, dialog.import_result, False) is True
    assert window.document.undo_stack.undoText() == "Import configuration (1 change)"
    again = ImportConfigurationDialog(window.document.design, [FIXTURES / "shop-api.yml"], window)
    qtbot.addWidget(again)
    assert not _ok(again)
    assert again.preview.toPlainText().startswith('"Three-tier web shop" already has the settings of shop-api.yml')


def test_the_dialog_says_to_map_in_its_table_the_command_line_with_its_syntax(window, qtbot, capsys):
    dialog = ImportConfigurationDialog(window.document.design, [GRPC], window)
    qtbot.addWidget(dialog)
    preview = dialog.preview.toPlainText()
    assert "CALLER->CALLEE" not in preview
    assert ('methodConfig for shop.Orders guards no call of "Three-tier web shop": pick the call it guards in the '
            "table above") in preview
    assert "Not mapped to a call (pick the call each guards in the table above):" in preview
    cli_main(["import", str(GRPC), "--into", str(EXAMPLES / "three_tier.json")])
    printed = capsys.readouterr().out
    assert "guards no call of \"Three-tier web shop\": map it with shop.Orders=CALLER->CALLEE" in printed
    assert "Not mapped to a call (give --map INSTANCE=CALLER->CALLEE):" in printed


def test_a_bare_spring_duration_is_shown_in_milliseconds(window, qtbot):
    dialog = ImportConfigurationDialog(window.document.design, [FIXTURES / "shop-api.yml"], window)
    qtbot.addWidget(dialog)
    preview = dialog.preview.toPlainText()
    assert "(maxAttempts 2, waitDuration 50 ms, enableExponentialBackoff true" in preview
    assert "maxWaitDuration 10ms)" in preview   # a unit the file gives is shown as written


def test_counts_read_as_words(window, qtbot):
    dialog = ImportConfigurationDialog(window.document.design, [FIXTURES / "shop-compose.yml"], window)
    qtbot.addWidget(dialog)
    preview = dialog.preview.toPlainText()
    assert "instance(s)" not in preview
    assert "proxy -> load balancer (nginx:1.27), 1 instance" in preview and "3 instances" in preview


def test_cli_import_that_applies_nothing_fails_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "out.json"
    code = cli_main(["import", str(GRPC), "--into", str(EXAMPLES / "three_tier.json"), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 1 and not out.exists()
    assert ('error: Nothing in orders_service_config.json maps to a call of "Three-tier web shop", so importing '
            f"would change nothing: give --map INSTANCE=CALLER->CALLEE. {out} was not written.") in err


def test_cli_import_of_settings_already_there_succeeds_and_says_so(tmp_path, capsys):
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    assert cli_main(["import", str(FIXTURES / "shop-api.yml"), "--into", str(EXAMPLES / "three_tier.json"),
                     "--out", str(first)]) == 0
    capsys.readouterr()
    assert cli_main(["import", str(FIXTURES / "shop-api.yml"), "--into", str(first), "--out", str(second)]) == 0
    assert "already has the settings of shop-api.yml that apply to it" in capsys.readouterr().out
    assert second.exists()
