"""File > Import configuration… and File > Export configuration…: other tools' files with a preview.

The import dialog shows what maps to what, what was not understood and what Faultline models
differently before anything changes; instances that guard no call of the design get a row in
a mapping table where the user picks the call. Accepting applies the result as one undoable
step: the changed components' policies in the current design, or a new design.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QFontDatabase
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from engine.model import Design
from engine.model.design import counted

from .file_tasks import Cancelled, run_off_thread
from .interop import (
    EXPORT_FORMATS,
    FORMAT_LABELS,
    IMPORT_FORMATS,
    PER_CALLER_FORMATS,
    TOPOLOGY_FORMATS,
    ExportResult,
    ImportResult,
    InteropError,
    ReadFile,
    apply_files,
    callers_to_export,
    design_changes,
    export_design,
    nothing_applies,
    preview_text,
    read_files,
)
from .store import ProjectFileError, save_file

NOT_MAPPED = "(not mapped)"
CONFIG_FILTER = "Configuration files (*.yml *.yaml *.properties *.json *.jsonl);;All files (*)"


FILES_SAY = "As the files say (else every caller)"


def _monospace(widget: QWidget) -> None:
    widget.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))


@dataclass(frozen=True)
class ChosenFiles:
    """The files of the dialog as read once: the preview is made again from them at every choice of
    design, caller or mapping, which takes milliseconds where reading a large file takes seconds."""

    paths: list[Path] = field(default_factory=list)
    read: list[ReadFile] = field(default_factory=list)
    error: str = ""
    # A whole system's files decide its import alone (it makes a new design: no design, caller or
    # mapping applies), and making a large one's design takes seconds: made once, with the reading.
    whole_system: ImportResult | None = None


def choose_files(paths: Sequence[Path]) -> ChosenFiles:
    """Read ``paths`` (on a worker thread: nothing here touches a widget); a refusal is kept as its message."""
    try:
        read = read_files(paths)
        whole = any(item.kind in TOPOLOGY_FORMATS for item in read)
        return ChosenFiles(list(paths), read, whole_system=apply_files(read) if whole else None)
    except InteropError as exc:
        return ChosenFiles(list(paths), error=str(exc))


class ImportConfigurationDialog(QDialog):
    """Choose files, see the preview, map what needs mapping, then accept."""

    def __init__(self, design: Design, paths: Sequence[str | Path] = (), parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Import configuration")
        self.setObjectName("importConfigurationDialog")
        self.resize(820, 620)
        self._design = design
        self._files = ChosenFiles()
        self._reading = False
        self._result: ImportResult | None = None
        self._combos: dict[str, QComboBox] = {}

        self.files_label = QLabel("No file chosen.")
        self.files_label.setWordWrap(True)
        self.choose = QPushButton("Choose &files…")
        self.choose.clicked.connect(self._choose)
        top = QHBoxLayout()
        top.addWidget(self.files_label, 1)
        top.addWidget(self.choose)

        self.into_current = QRadioButton(f'Apply to the current design "{design.name}"')
        self.as_new = QRadioButton("Make a new design around the settings")
        self.into_current.setChecked(True)
        group = QButtonGroup(self)
        for button in (self.into_current, self.as_new):
            group.addButton(button)
        # one of the two buttons' signal: both toggle at each choice, which would make the preview twice
        self.as_new.toggled.connect(self._refresh)

        # A service config names no client, and an application.yml or an Envoy file may name none:
        # without a choice here, each would guard the calls of every caller of its services.
        self.import_caller = QComboBox()
        self.import_caller.addItem(FILES_SAY)
        self.import_caller.addItems([c.name for c in design.components if design.links_from(c.id)])
        self.import_caller.setToolTip("The component whose files these are (its application.yml, its gRPC "
                                      "service config, its sidecar's Envoy file): they then guard its calls only.")
        self.import_caller.currentIndexChanged.connect(self._refresh)
        caller_row = QHBoxLayout()
        caller_label = QLabel("&Calls of:")
        caller_label.setBuddy(self.import_caller)
        caller_row.addWidget(caller_label)
        caller_row.addWidget(self.import_caller, 1)

        self.mapping = QTableWidget(0, 2)
        self.mapping.setHorizontalHeaderLabels(["Instance or service", "Guards the call"])
        self.mapping.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.mapping.horizontalHeader().setStretchLastSection(True)
        self.mapping.verticalHeader().hide()
        self.mapping.setToolTip("Settings whose name matches no component: pick the call each one guards.")
        self.mapping_label = QLabel("Names that match no component of the design:")

        self.preview = QPlainTextEdit()
        self.preview.setReadOnly(True)
        self.preview.setObjectName("importPreview")
        _monospace(self.preview)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setObjectName("importError")
        self.error.setStyleSheet("color: #ffffff; background: #b3261e; padding: 4px;")   # 6.5:1 in either theme
        self.error.hide()

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Import")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.into_current)
        layout.addWidget(self.as_new)
        layout.addLayout(caller_row)
        layout.addWidget(self.mapping_label)
        layout.addWidget(self.mapping, 1)
        layout.addWidget(QLabel("Preview:"))
        layout.addWidget(self.preview, 3)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.set_files(list(paths))

    # -- state ------------------------------------------------------------------------------
    @property
    def import_result(self) -> ImportResult | None:
        """The import as it stands, or None while there is nothing to import."""
        return self._result

    @property
    def makes_new_design(self) -> bool:
        return self.as_new.isChecked()

    @property
    def chosen_files(self) -> list[Path]:
        return list(self._files.paths)

    def set_files(self, paths: Sequence[str | Path]) -> None:
        """Import these files (and forget the previous files' mappings). They are read on a worker
        thread, the window answering and a Cancel offered meanwhile; a Cancel keeps the files before."""
        if self._reading:
            return
        wanted = [Path(p) for p in paths]
        cancelled = ""
        if wanted:
            try:
                self._files = self._read_off_thread(wanted)
            except Cancelled:
                cancelled = f"Reading {', '.join(p.name for p in wanted)} was cancelled."
        else:
            self._files = ChosenFiles()
        chosen = ", ".join(p.name for p in self._files.paths)
        if cancelled:
            self.files_label.setText(f"{cancelled} Still chosen: {chosen}." if chosen else f"{cancelled} No file "
                                     "chosen.")
            self._refresh()
            return
        self.files_label.setText(chosen or "No file chosen.")
        self._combos.clear()
        self.mapping.setRowCount(0)
        # A compose file or Kubernetes manifest describes a whole system: it always makes a design.
        whole_system = self._files.whole_system is not None
        self.into_current.setEnabled(not whole_system)
        if whole_system and not self.as_new.isChecked():
            self.as_new.setChecked(True)   # which previews the files
        else:
            self._refresh()

    def _read_off_thread(self, paths: list[Path]) -> ChosenFiles:
        """``choose_files(paths)`` on a worker thread; what the user does meanwhile waits for its end."""
        self._reading = True
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
        self.choose.setEnabled(False)
        # before the dialog shows (while it opens), the busy indicator stands over the window that opens it
        shown_over = self if self.isVisible() else self.parentWidget() or self
        try:
            return run_off_thread(shown_over, f"Reading {', '.join(p.name for p in paths)}…", choose_files, paths)
        finally:
            self._reading = False
            self.choose.setEnabled(True)

    def set_mapping(self, name: str, call: str) -> None:
        """Map an instance to ``caller -> callee`` (what choosing it in the table does)."""
        combo = self._combos[name]
        index = combo.findText(call)
        if index < 0:
            raise KeyError(call)
        combo.setCurrentIndex(index)

    def mappings(self) -> list[str]:
        return [f"{name}={combo.currentText().replace(' -> ', '->')}"
                for name, combo in self._combos.items() if combo.currentText() != NOT_MAPPED]

    def _choose(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Import configuration", "", CONFIG_FILTER)
        if paths:
            self.set_files(paths)

    def _refresh(self) -> None:
        if self._reading:
            return   # the files being read are previewed once read
        self._result = None
        files = self._files
        if not files.paths:
            self._show("", "Choose configuration files "
                            f"({', '.join(FORMAT_LABELS[f] for f in IMPORT_FORMATS)}).")
            return
        if files.error:
            self._show(files.error, "")
            return
        new = self.makes_new_design
        self.mapping.setEnabled(not new)
        self.import_caller.setEnabled(not new)
        caller = None if new or self.import_caller.currentIndex() <= 0 else self.import_caller.currentText()
        try:
            result = files.whole_system if new and files.whole_system is not None else \
                apply_files(files.read, None if new else self._design, [] if new else self.mappings(), caller=caller)
        except InteropError as exc:
            self._show(str(exc), "")
            return
        for name in result.unmapped:
            if name not in self._combos:
                self._add_row(name)
        problems = result.design.problems()
        if problems:
            self._show("The result could not run: " + "; ".join(str(p) for p in problems), "")
            return
        text = preview_text(result.notes, result.unmapped, "table")
        if not new and not design_changes(self._design, result.design):
            # accepting would add an empty step to the undo history and report an import that did nothing
            why = nothing_applies([p.name for p in files.paths], self._design.name, result, "table")
            self._show("", f"{why}\n\n{text}")
            return
        self._result = result
        self._show("", text)

    def _add_row(self, name: str) -> None:
        row = self.mapping.rowCount()
        self.mapping.insertRow(row)
        label = QLabel(name)
        label.setContentsMargins(6, 0, 6, 0)
        self.mapping.setCellWidget(row, 0, label)
        combo = QComboBox()
        combo.addItem(NOT_MAPPED)
        combo.addItems([link.name for link in self._design.links])
        combo.currentIndexChanged.connect(self._refresh)
        self.mapping.setCellWidget(row, 1, combo)
        self._combos[name] = combo

    def _show(self, error: str, text: str) -> None:
        self.error.setText(error)
        self.error.setVisible(bool(error))
        self.preview.setPlainText(text)
        visible = bool(self._combos)
        self.mapping.setVisible(visible)
        self.mapping_label.setVisible(visible)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(self._result is not None)


class ExportConfigurationDialog(QDialog):
    """Pick a format (and for Resilience4j, gRPC or Envoy the calling component), read the text, then save it."""

    def __init__(self, design: Design, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Export configuration")
        self.setObjectName("exportConfigurationDialog")
        self.resize(760, 600)
        self._design = design
        self._exported: ExportResult | None = None
        self.format = QComboBox()
        for fmt in EXPORT_FORMATS:
            self.format.addItem(FORMAT_LABELS[fmt], fmt)
        self.caller = QComboBox()
        self.caller.setToolTip("An application.yml, a gRPC service config or an Envoy sidecar belongs to one "
                               "calling component.")
        # Istio's rules apply to every caller of a host: a caller to pick would lie.
        self.all_callers = QLabel("All callers: the file holds the settings of every calling component.")
        self.all_callers.setWordWrap(True)
        self._form = QFormLayout()
        self._form.addRow("&Format:", self.format)
        self._form.addRow("&Calls of:", self.caller)
        self._form.addRow("Calls of:", self.all_callers)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        _monospace(self.text)
        self.notes = QLabel()
        self.notes.setWordWrap(True)
        self.notes.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self._form)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.notes)
        layout.addWidget(self.buttons)
        self.format.currentIndexChanged.connect(self._refresh)
        self.caller.currentIndexChanged.connect(self._refresh)
        self.saved_to: Path | None = None
        self._refresh()

    @property
    def exported(self) -> ExportResult | None:
        return self._exported

    def _offer_callers(self, fmt: str) -> None:
        """The callers the format has something to write for (what --caller accepts without a
        refusal), keeping the one chosen when it is still among them."""
        names = callers_to_export(self._design, fmt)
        if names == [self.caller.itemText(i) for i in range(self.caller.count())]:
            return
        chosen = self.caller.currentText()
        self.caller.blockSignals(True)
        try:
            self.caller.clear()
            self.caller.addItems(names)
            if chosen in names:
                self.caller.setCurrentText(chosen)
        finally:
            self.caller.blockSignals(False)

    def _refresh(self) -> None:
        fmt = self.format.currentData()
        per_caller = fmt in PER_CALLER_FORMATS
        if per_caller:
            self._offer_callers(fmt)
        self._form.setRowVisible(self.caller, per_caller)
        self._form.setRowVisible(self.all_callers, not per_caller)
        try:
            self._exported = export_design(self._design, fmt, (self.caller.currentText() or None) if per_caller
                                           else None)
        except InteropError as exc:
            self._exported = None
            self.text.setPlainText("")
            self.notes.setText(str(exc))
        else:
            self.text.setPlainText(self._exported.text)
            lines = [f"• {n}" for n in self._exported.notes] + [f"⚠ {w}" for w in self._exported.warnings]
            self.notes.setText("\n".join(lines) or "Everything in these policies has an equivalent in this format.")
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(self._exported is not None)

    def suggested_name(self) -> str:
        return {"grpc": "service_config.json", "envoy": "envoy.yaml", "istio": "istio.yaml"}.get(
            self.format.currentData(), "application.yml")

    def save_to(self, path: str | Path) -> None:
        """Write the text shown, as a save is (the old file or the new one); raises ProjectFileError
        (and ValueError when nothing could be exported)."""
        if self._exported is None:
            raise ValueError("nothing to save: the design could not be exported in this format")
        self.saved_to = save_file(path, self._exported.text.encode("utf-8"))

    def _save(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export configuration", self.suggested_name())
        if not path:
            return
        try:
            self.save_to(path)
        except ProjectFileError as exc:
            QMessageBox.warning(self, "Cannot export", str(exc))
            return
        self.accept()


# -- the main window's side -------------------------------------------------------------------------

def apply_import(window, result: ImportResult, as_new_design: bool) -> bool:
    """Put an accepted import into the window's document as one undoable step; False when it
    would change nothing (and nothing was done)."""
    from .document import commands as cmd
    from .document.layout import laid_out

    doc = window.document
    if as_new_design:
        design = laid_out(result.design)
        taken = {d.name for d in doc.project.designs}
        name, n = design.name, 2
        while name in taken:
            name, n = f"{design.name} {n}", n + 1
        design.name = name
        doc.undo_stack.push(cmd.AddDesignCommand(doc, design, len(doc.project.designs)))
        window.view.fit()   # the view kept the previous design's zoom and centre, cutting the new one off
        return True
    edits = design_changes(doc.design, result.design)
    if not edits:
        return False
    setters = {"component": doc.edit.set_component_fields, "link": doc.edit.set_link_fields}
    doc.undo_stack.beginMacro(f"Import configuration ({counted(len(edits), 'change')})")
    try:
        for what, item_id, changes in edits:
            setters[what](item_id, changes, merge=False)
    finally:
        doc.undo_stack.endMacro()
    return True


def import_configuration(window) -> bool:
    """File > Import configuration…: choose files, preview, apply. True when something was applied."""
    start = str(window.settings.value("files/last_dir", str(Path.home())))
    paths, _ = QFileDialog.getOpenFileNames(window, "Import configuration", start, CONFIG_FILTER)
    if not paths:
        return False
    dialog = ImportConfigurationDialog(window.document.design, paths, window)
    if dialog.exec() != QDialog.DialogCode.Accepted or dialog.import_result is None:
        return False
    names = [p.name for p in dialog.chosen_files]   # the files chosen last, in the dialog or before it
    if not apply_import(window, dialog.import_result, dialog.makes_new_design):
        window.statusBar().showMessage(f'Nothing imported: {", ".join(names)} would change nothing in '
                                       f'"{window.document.design.name}".', 6000)
        return False
    window.statusBar().showMessage(f"Imported {', '.join(names)}.", 6000)
    return True


def export_configuration(window) -> bool:
    """File > Export configuration…: the current design's policies in another tool's format."""
    dialog = ExportConfigurationDialog(window.document.design, window)
    return dialog.exec() == QDialog.DialogCode.Accepted


def add_interop_actions(window, menu: QMenu) -> tuple[QAction, QAction]:
    """Put Import configuration… and Export configuration… in ``menu`` (the File menu)."""
    import_action = QAction("Import &Configuration…", window)
    import_action.setStatusTip("Apply Resilience4j, gRPC, Envoy or Istio settings to the design, with a preview first.")
    import_action.triggered.connect(lambda: import_configuration(window))
    export_action = QAction("Export Con&figuration…", window)
    export_action.setStatusTip("Write the design's resilience policies as Resilience4j, gRPC, Envoy or Istio "
                               "configuration.")
    export_action.triggered.connect(lambda: export_configuration(window))
    menu.addActions([import_action, export_action])
    return import_action, export_action
