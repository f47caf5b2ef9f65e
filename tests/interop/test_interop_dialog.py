"""File > Import configuration… and Export configuration…: preview, mapping table, undoable apply."""
from __future__ import annotations

import json
import re

from interop_support import EXAMPLES, FIXTURES
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFileDialog, QMessageBox

from app.interop import callers_to_export, export_design
from app.interop_dialog import ExportConfigurationDialog, ImportConfigurationDialog, apply_import
from engine.model import parse_design


def _ok(dialog) -> bool:
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()


def _breaker(window):
    return next(p for p in window.document.design.component("api").policies
                if p.kind == "circuit_breaker" and window.document.design.name_of(p.scope) == "db")


def test_preview_then_apply_as_one_undoable_step(window, qtbot):
    dialog = ImportConfigurationDialog(window.document.design, [FIXTURES / "shop-api.yml"], window)
    qtbot.addWidget(dialog)
    assert _ok(dialog)
    text = dialog.preview.toPlainText()
    assert "shop-api.yml:25: circuitbreaker db -> circuit breaker on api -> db" in text
    assert 'applies only to the Spring profile "load-test"' in text
    assert dialog.mapping.isHidden()   # every instance matched a component
    before = _breaker(window).wait_duration_in_open_state
    apply_import(window, dialog.import_result, dialog.makes_new_design)
    assert _breaker(window).wait_duration_in_open_state == 7.0
    window.document.undo_stack.undo()
    assert _breaker(window).wait_duration_in_open_state == before


def test_mapping_table_places_an_unmatched_instance(window, qtbot, tmp_path):
    config = tmp_path / "application.yml"
    config.write_text("resilience4j.bulkhead.instances.backendA.maxConcurrentCalls: 3\n")
    dialog = ImportConfigurationDialog(window.document.design, [config], window)
    qtbot.addWidget(dialog)
    assert not dialog.mapping.isHidden() and dialog.mapping.rowCount() == 1
    assert "Not mapped to a call" in dialog.preview.toPlainText()
    dialog.set_mapping("backendA", "cache -> db")
    assert dialog.import_result.unmapped == []
    assert "bulkhead backendA -> bulkhead on cache -> db" in dialog.preview.toPlainText()
    apply_import(window, dialog.import_result, False)
    cache = window.document.design.component("cache")
    assert [p.max_concurrent_calls for p in cache.policies if p.kind == "bulkhead"] == [3]


def test_bad_file_shows_the_message_and_cannot_be_accepted(window, qtbot, tmp_path):
    config = tmp_path / "application.yml"
    config.write_text("resilience4j.retry.instances.cache.waitDuration: ${WAIT}\n")
    dialog = ImportConfigurationDialog(window.document.design, [config], window)
    qtbot.addWidget(dialog)
    assert not _ok(dialog)
    assert not dialog.error.isHidden()
    assert ("application.yml:1: resilience4j.retry.instances.cache.waitDuration is the placeholder"
            in dialog.error.text())


def test_a_new_design_is_laid_out_and_undoable(window, qtbot):
    dialog = ImportConfigurationDialog(window.document.design, [FIXTURES / "orders_service_config.json"], window)
    qtbot.addWidget(dialog)
    dialog.as_new.setChecked(True)
    assert _ok(dialog)
    count = len(window.document.project.designs)
    apply_import(window, dialog.import_result, True)
    designs = window.document.project.designs
    assert len(designs) == count + 1
    added = designs[-1]
    assert len({(c.position.x, c.position.y) for c in added.components}) == len(added.components)
    window.document.undo_stack.undo()
    assert len(window.document.project.designs) == count


def test_file_menu_runs_the_import(window, monkeypatch):
    titles = [a.text() for a in window.menuBar().actions()[0].menu().actions()]
    assert "Import &Configuration…" in titles and "Export Con&figuration…" in titles
    monkeypatch.setattr(QFileDialog, "getOpenFileNames",
                        staticmethod(lambda *a, **k: ([str(FIXTURES / "shop-api.yml")], "")))
    monkeypatch.setattr(ImportConfigurationDialog, "exec", lambda self: QDialog.DialogCode.Accepted)
    window.import_config_action.trigger()
    assert _breaker(window).wait_duration_in_open_state == 7.0


def test_export_dialog_shows_the_text_and_what_has_no_equivalent(window, qtbot, tmp_path, monkeypatch):
    dialog = ExportConfigurationDialog(window.document.design, window)
    qtbot.addWidget(dialog)
    assert "resilience4j:" in dialog.text.toPlainText()
    dialog.format.setCurrentIndex(dialog.format.findData("grpc"))
    dialog.caller.setCurrentText("api")
    config = json.loads(dialog.text.toPlainText())
    assert {m["name"][0]["service"] for m in config["methodConfig"]} == {"cache", "db"}
    assert "per-attempt timeout" in dialog.notes.text()
    dialog.save_to(tmp_path / "sc.json")
    assert json.loads((tmp_path / "sc.json").read_text()) == config
    # a folder that is not there: the store's message, the dialog stays open
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, title, text: warnings.append((title, text)))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args: (str(tmp_path / "gone" / "sc.json"), ""))
    dialog._save()
    assert warnings == [("Cannot export", f"Cannot save sc.json: the folder {tmp_path / 'gone'} does not exist")]


def test_export_dialog_offers_a_caller_only_for_formats_that_describe_one(qtbot):
    design = parse_design((EXAMPLES / "microservices.json").read_text())
    dialog = ExportConfigurationDialog(design)
    qtbot.addWidget(dialog)
    assert dialog.format.currentData() == "resilience4j"
    # an application.yml is one service's: the window offers the callers --caller accepts, and
    # shows the chosen one's file alone
    assert dialog.caller.isVisibleTo(dialog) and not dialog.all_callers.isVisibleTo(dialog)
    assert [dialog.caller.itemText(i) for i in range(dialog.caller.count())] == callers_to_export(design,
                                                                                                  "resilience4j")
    dialog.caller.setCurrentText("checkout")
    assert re.findall(r"name: (\S+)", dialog.text.toPlainText()) == ["checkout"]
    assert dialog.text.toPlainText() == export_design(design, "resilience4j", "checkout").text
    for fmt, shows_caller in (("istio", False), ("grpc", True), ("envoy", True), ("resilience4j", True)):
        dialog.format.setCurrentIndex(dialog.format.findData(fmt))
        assert dialog.caller.isVisibleTo(dialog) == shows_caller and dialog.caller.isEnabled(), fmt
        assert dialog.all_callers.isVisibleTo(dialog) != shows_caller, fmt
    # the caller chosen stays chosen across formats that both describe it
    assert dialog.caller.currentText() == "checkout"
    assert "All callers" in dialog.all_callers.text()


def test_a_whole_system_always_makes_a_new_design(window, qtbot):
    dialog = ImportConfigurationDialog(window.document.design, [FIXTURES / "shop-compose.yml"], window)
    qtbot.addWidget(dialog)
    assert dialog.makes_new_design and not dialog.into_current.isEnabled()
    apply_import(window, dialog.import_result, dialog.makes_new_design)
    assert window.document.project.designs[-1].find_component("orders-db") is not None


def test_traces_show_the_fit_before_calibrating_the_design(window, qtbot, tmp_path):
    text = (FIXTURES / "checkout-traces.json").read_text().replace('"postgresql"', '"db"')
    path = tmp_path / "traces.json"
    path.write_text(text)
    dialog = ImportConfigurationDialog(window.document.design, [path], window)
    qtbot.addWidget(dialog)
    assert not dialog.makes_new_design
    preview = dialog.preview.toPlainText()
    assert "db (database, seen from its callers): lognormal" in preview and "measured p50" in preview
    assert "fitted p50" in preview
    before = window.document.design.component("db").query_time
    apply_import(window, dialog.import_result, False)
    assert window.document.design.component("db").query_time.kind == "lognormal"
    window.document.undo_stack.undo()
    assert window.document.design.component("db").query_time == before


def test_the_calls_of_choice_keeps_a_clients_service_config_on_its_own_calls(window, qtbot, tmp_path):
    """A gRPC service config names no client: imported, api's put its database deadline on
    cache -> db as well."""
    config = tmp_path / "api_service_config.json"
    config.write_text(json.dumps({"methodConfig": [{"name": [{"service": "db"}], "timeout": "0.25s"}]}))
    dialog = ImportConfigurationDialog(window.document.design, [config], window)
    qtbot.addWidget(dialog)
    assert "deadline on cache -> db" in dialog.preview.toPlainText()
    dialog.import_caller.setCurrentText("api")
    text = dialog.preview.toPlainText()
    assert "deadline on api -> db" in text and "cache -> db" not in text
    dialog.as_new.setChecked(True)
    assert not dialog.import_caller.isEnabled()   # a new design has no components of the user's to name
