"""The Properties pane: the selected component's or link's parameters, or the design's when none is."""
from __future__ import annotations

from typing import Any, TypeVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from engine.model import COMPONENT_CLASSES, Client, counted

from ..document import EditRejected, FieldError, ProjectDocument
from ..document.model_edit import updated
from ..resources import kind_pixmap
from .fields import RatePreview, scrolling_body, secondary_label
from .forms import ComponentForm, LinkForm, ModelForm, text
from .objectives import ObjectivesEditor

_Form = TypeVar("_Form", bound=ModelForm | None)


class DesignForm(ModelForm):
    """Name and notes of the design itself."""

    FIELDS = [text("name", "Design name", "Designs of one project need distinct names.")]


class PropertiesPane(QWidget):
    """Follows the document's selection and edits through undoable commands."""

    # (kind, id, field path) of a field the user asked to sweep: the window opens the sweep
    sweep_requested = Signal(object)

    def __init__(self, document: ProjectDocument, parent=None):
        super().__init__(parent)
        self.doc = document
        # ("component" | "link" | "design", id), or ("many", ids) for several selected
        self.subject: tuple[str | None, Any] | None = None
        self.form: ModelForm | None = None
        self.run_duration: float | None = None
        # What each kind of a component's or link's distribution or workload last held (ModelForm.recall):
        # kept here, since a form is rebuilt whenever the selection changes kind.
        self.recall: dict = {}
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll, self.body = scrolling_body((10, 8, 10, 10))
        outer.addWidget(scroll)
        self.body.setSpacing(8)
        head = QHBoxLayout()
        self.icon = QLabel()
        self.title = QLabel()
        self.title.setObjectName("paneTitle")
        self.title.setWordWrap(True)
        head.addWidget(self.icon)
        head.addWidget(self.title, 1)
        self.body.addLayout(head)
        self.subtitle = secondary_label()
        self.body.addWidget(self.subtitle)
        self.form_holder = QVBoxLayout()
        self.body.addLayout(self.form_holder)
        self.objectives = ObjectivesEditor(document)
        self.objectives.sweep = self.sweep_requested.emit
        self.body.addWidget(self.objectives)
        self.notes_label = QLabel("Notes")
        self.notes = QPlainTextEdit()
        self.notes.setPlaceholderText("What this design is for, assumptions, sources of the numbers…")
        self.notes.setMaximumHeight(110)
        self.notes.setTabChangesFocus(True)  # a field among fields: Tab moves on, as in every other one
        self.notes.installEventFilter(self)
        self.body.addWidget(self.notes_label)
        self.body.addWidget(self.notes)
        self.problems = QLabel()
        self.problems.setObjectName("problems")
        self.problems.setWordWrap(True)
        self.problems.setTextFormat(Qt.TextFormat.RichText)
        self.body.addWidget(self.problems)
        self.body.addStretch(1)
        d = document
        d.selection_changed.connect(self.refresh)
        d.design_switched.connect(self.refresh)
        d.component_changed.connect(self._on_changed)
        d.link_changed.connect(self._on_changed)
        d.design_changed.connect(self._on_changed)
        d.edited.connect(self._refresh_problems)
        self.refresh()

    # -- which subject ------------------------------------------------------------
    def refresh(self, *_args) -> None:
        sel = self.doc.selection
        if len(sel) == 1:
            kind = self.doc.kind_of(sel[0])
            self._show(kind, sel[0])
        elif len(sel) > 1:
            self._show_many(sel)
        else:
            self._show("design", self.doc.design.id)
        self._refresh_problems()
        self._show_run_length()

    def set_run_duration(self, seconds: float | None) -> None:
        """The run's length, from the run controls: a client's rate preview spans it."""
        self.run_duration = seconds
        self._show_run_length()

    def _show_run_length(self) -> None:
        for preview in self.findChildren(RatePreview):
            if preview.run_length != self.run_duration:
                preview.set_run_length(self.run_duration)

    def _show(self, kind: str | None, item_id) -> None:
        self.notes.setVisible(kind == "design")
        self.objectives.setVisible(kind == "component" and self.doc.component(item_id).kind == "client")
        self.notes_label.setVisible(kind == "design")
        form: ModelForm
        if kind == "component":
            component = self.doc.component(item_id)
            if isinstance(self.form, ComponentForm) and self.form.kind == component.kind:
                form = self.form
            else:
                form = self._set_form(ComponentForm(component.kind))
            form.commit = lambda ch, i=item_id: self._commit_component(i, ch)
            form.recall = self.recall
            form.sweep = lambda field, i=item_id: self.sweep_requested.emit(("component", i, field))
            # The form may have edited several components just before, which hid their names.
            form.layout_.setRowVisible(form._rows["name"], True)
            self._set_icon(component.kind)
            self.title.setText(component.name)
            self.subtitle.setText(COMPONENT_CLASSES[component.kind].label)
            form.bind(component)
            if isinstance(component, Client):
                self.objectives.bind(item_id, component)
        elif kind == "link":
            link = self.doc.link(item_id)
            form = self.form if isinstance(self.form, LinkForm) else self._set_form(LinkForm())
            form.commit = lambda ch, i=item_id: self.doc.edit.set_link_fields(i, ch)
            form.recall = self.recall
            form.sweep = lambda field, i=item_id: self.sweep_requested.emit(("link", i, field))
            self._set_icon(None)
            self.title.setText(link.name)
            design = self.doc.design
            self.subtitle.setText(f'Calls from "{design.name_of(link.source)}" to "{design.name_of(link.target)}"')
            form.bind(link)
        else:
            design = self.doc.design
            form = self.form if isinstance(self.form, DesignForm) else self._set_form(DesignForm())
            form.commit = lambda ch, i=design.id: self._commit_design(i, ch)
            self._set_icon(None)
            self.title.setText(design.name)
            self.subtitle.setText(f"{design.size_text()}. Select a component or link to edit it.")
            form.bind({"name": design.name})
            if not self.notes.hasFocus():
                self.notes.setPlainText(design.description)
        self.subject = (kind, item_id)

    def _show_many(self, ids) -> None:
        self.notes.hide()
        self.objectives.hide()
        self.notes_label.hide()
        comps = [self.doc.component(i) for i in ids if self.doc.kind_of(i) == "component"]
        kinds = {c.kind for c in comps}
        self.subject = ("many", tuple(ids))
        if len(comps) == len(ids) and len(kinds) == 1:
            # Several components of one kind: one form edits them all, as one undo step.
            kind = kinds.pop()
            if isinstance(self.form, ComponentForm) and self.form.kind == kind:
                form = self.form
            else:
                form = self._set_form(ComponentForm(kind))
            form.commit = lambda ch, ids=tuple(ids): self._commit_many(ids, ch)
            form.recall = None  # what one of them held is no value for the others
            form.bind(comps[0])
            form.layout_.setRowVisible(form._rows["name"], False)
            self._set_icon(kind)
            self.title.setText(f"{len(comps)} {COMPONENT_CLASSES[kind].label.lower()}s")
            self.subtitle.setText(f"An edit here applies to all {len(comps)}; the values shown are those of "
                                  f"“{comps[0].name}”.")
            return
        self._set_form(None)
        self._set_icon(None)
        self.title.setText(f"{len(ids)} items selected")
        self.subtitle.setText(f"{counted(len(comps), 'component')}, {counted(len(ids) - len(comps), 'link')}. "
                              "Select one, or several of one kind, to edit parameters.")

    def _set_icon(self, kind: str | None) -> None:
        """The kind's icon before the title; none for a link or the design, whose title then starts
        where the lines under it do (an empty icon still took its spacing, and indented the title)."""
        if kind is None:
            self.icon.clear()
        else:
            self.icon.setPixmap(kind_pixmap(kind, 24))
        self.icon.setVisible(kind is not None)

    def _set_form(self, form: _Form) -> _Form:
        """Show ``form`` (or none) in place of the form shown before, which goes; returns ``form``."""
        if self.form is not None:
            self.form_holder.removeWidget(self.form)
            # Hidden and detached at once: deleteLater only runs when the event loop gets back.
            self.form.hide()
            self.form.setParent(None)
            self.form.deleteLater()
        self.form = form
        if form is not None:
            self.form_holder.addWidget(form)
        return form

    def _on_changed(self, item_id) -> None:
        if self.subject and (self.subject[1] == item_id or self.subject[0] == "design"
                             or (self.subject[0] == "many" and item_id in self.subject[1])):
            self.refresh()

    def _refresh_problems(self) -> None:
        problems = self.doc.problems()
        if self.subject and self.subject[0] in ("component", "link"):
            problems = [p for p in problems if p.subject == self.subject[1]]
        if problems:
            whole_design = self.subject is None or self.subject[0] == "design"
            items = "".join(f"<li>{_esc(str(p) if whole_design else p.message)}</li>"
                            for p in problems[:12])
            more = f"<p>…and {len(problems) - 12} more</p>" if len(problems) > 12 else ""
            self.problems.setText("<b>Needs attention before a run</b>"
                                  f"<ul style='margin-left:-20px'>{items}</ul>{more}")
            self.problems.show()
        else:
            self.problems.hide()

    # -- commits --------------------------------------------------------------------
    def _commit_component(self, component_id, changes: dict) -> None:
        self.doc.edit.set_component_fields(component_id, changes)

    def _commit_many(self, ids, changes: dict) -> None:
        try:
            self.doc.edit.set_fields_of_many(ids, changes)
        except EditRejected as exc:
            # The form shows the first component's values; a refusal by another one (its own autoscaler
            # bounds, say) must say whose, or it reads as wrong about the values on screen.
            refusing = [cid for cid in ids if not _accepts(self.doc.component(cid), changes)]
            if not refusing or len(refusing) == len(ids):
                raise
            name = self.doc.component(refusing[0]).name
            raise EditRejected([FieldError(e.path, f"for “{name}”: {e.message}") for e in exc.errors]) from None

    def _commit_design(self, design_id, changes: dict) -> None:
        if "name" in changes:
            self.doc.edit.rename_design(design_id, changes["name"])

    def eventFilter(self, obj, event):
        from PySide6.QtCore import QEvent

        if obj is self.notes and event.type() == QEvent.Type.FocusOut:
            self._commit_notes()
        return super().eventFilter(obj, event)

    def _commit_notes(self) -> None:
        try:
            self.doc.edit.set_design_description(self.doc.design.id, self.notes.toPlainText())
        except EditRejected as exc:
            if self.form is not None:
                self.form.show_errors(exc.errors)


def _accepts(component, changes: dict) -> bool:
    try:
        updated(component, changes)
    except EditRejected:
        return False
    return True


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

