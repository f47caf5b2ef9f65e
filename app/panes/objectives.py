"""A client's service-level objectives and recovery settings, edited in the Properties pane.

Every row's label, help and unit come from the model's own ``Field`` metadata
(``title``, ``description``, ``json_schema_extra["unit"]``), so the pane, the
report and the command line describe an objective in the same words. Each
finished edit is one undoable command through the document's editor.
"""
from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from engine.model import OBJECTIVE_CLASSES, OBJECTIVE_KINDS, Client, RecoverySettings
from engine.model.catalogue import field_help

from ..document import EditRejected, FieldError, ProjectDocument
from ..theme import show_menu_arrow
from .fields import secondary_label
from .forms import FieldSpec, ModelForm, model_field

_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")


class PercentAwareForm(ModelForm):
    """A form whose ratio fields are typed as percentages, and whose messages say so too.

    The model judges the stored ratio ("must be less than 1.0"); the user typed "100", so the numbers
    of a ratio field's messages are shown as percentages ("must be less than 100 %").
    """

    def __init__(self, fields: list[FieldSpec], ratios: set[str], commit=None, parent=None):
        super().__init__(fields, commit, parent)
        self.ratios = ratios

    def show_errors(self, errors: list[FieldError], fallback: str | None = None) -> None:
        shown = [FieldError(e.path, _NUMBER.sub(lambda m: f"{float(m.group()) * 100:g} %", e.message))
                 if (self._match(e.path) or fallback) in self.ratios else e for e in errors]
        super().show_errors(shown, fallback)


def ratio_paths(cls: type[BaseModel], prefix: str = "") -> set[str]:
    """The dotted paths of ``cls``'s fields whose unit is a ratio (typed as percentages)."""
    return {f"{prefix}{name}" for name, info in cls.model_fields.items()
            if isinstance(info.json_schema_extra, dict) and info.json_schema_extra.get("unit") == "ratio"}


def objective_fields(kind: str) -> list[FieldSpec]:
    """The editable fields of an objective kind, in the model's order (its id and tag left out)."""
    cls = OBJECTIVE_CLASSES[kind]
    return [model_field(cls, name) for name in cls.model_fields if name not in ("id", "kind")]


RECOVERY_FIELDS = [model_field(RecoverySettings, name, "recovery.") for name in RecoverySettings.model_fields]


class ObjectiveCard(QFrame):
    """One objective: its one-line description, a remove button and its fields."""

    def __init__(self, kind: str, parent=None):
        super().__init__(parent)
        self.kind = kind
        self.setObjectName("objectiveCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        col = QVBoxLayout(self)
        col.setContentsMargins(6, 4, 6, 6)
        col.setSpacing(4)
        head = QHBoxLayout()
        self.title = QLabel()
        self.title.setObjectName("objectiveTitle")
        self.title.setWordWrap(True)
        head.addWidget(self.title, 1)
        self.remove = QToolButton()
        self.remove.setText("Remove")
        self.remove.setToolTip("Remove this objective (undo brings it back)")
        head.addWidget(self.remove)
        col.addLayout(head)
        self.form = PercentAwareForm(objective_fields(kind), ratio_paths(OBJECTIVE_CLASSES[kind]))
        col.addWidget(self.form)

    def bind(self, objective) -> None:
        text = _esc(objective.describe()).replace("&lt;=", "≤")
        if text.lower().startswith(objective.title.lower()):  # "availability 95 % (ok)": said once
            text = text[len(objective.title):].strip()
        self.title.setText(f"<b>{objective.title}</b> · {text}")
        self.form.bind(objective)


class ObjectivesEditor(QWidget):
    """The objectives of one client and when its journey counts as recovered after a fault."""

    def __init__(self, document: ProjectDocument, parent=None):
        super().__init__(parent)
        self.doc = document
        self.component_id: uuid.UUID | None = None
        self.cards: dict[uuid.UUID, ObjectiveCard] = {}
        # sweep(request): set by the pane holding this one, so that the fields' context menus
        # offer "Sweep This Parameter…" (requests as app/run/sweep_apply.py's parameter_path reads them)
        self.sweep: Callable[[tuple], None] | None = None
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 6, 0, 0)
        col.setSpacing(6)
        head = QHBoxLayout()
        title = QLabel(f"<b>{Client.model_fields['objectives'].title}</b>")
        head.addWidget(title, 1)
        self.add_button = QToolButton()
        self.add_button.setText("Add objective")
        self.add_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        show_menu_arrow(self.add_button)
        menu = QMenu(self.add_button)
        for kind in OBJECTIVE_KINDS:
            cls = OBJECTIVE_CLASSES[kind]
            action = menu.addAction(cls().title)
            action.setToolTip((cls.__doc__ or "").strip())
            action.triggered.connect(lambda _checked=False, k=kind: self.add(k))
        menu.setToolTipsVisible(True)
        self.add_button.setMenu(menu)
        head.addWidget(self.add_button)
        col.addLayout(head)
        self.hint = secondary_label(f"{field_help(Client.model_fields['objectives'])}. "
                                    "None yet: runs show no verdict for this client.")
        col.addWidget(self.hint)
        self.error = QLabel()
        self.error.setObjectName("formError")
        self.error.setWordWrap(True)
        self.error.hide()
        col.addWidget(self.error)
        self.cards_box = QVBoxLayout()
        self.cards_box.setSpacing(6)
        col.addLayout(self.cards_box)
        self.recovery_title = QLabel(f"<b>{Client.model_fields['recovery'].title}</b>")
        self.recovery_title.setToolTip((Client.model_fields["recovery"].description or "").capitalize())
        col.addWidget(self.recovery_title)
        self.recovery = PercentAwareForm(RECOVERY_FIELDS, ratio_paths(RecoverySettings, "recovery."),
                                         commit=self._commit_recovery)
        self.recovery.sweep = lambda field: self._sweep(("component", field))
        col.addWidget(self.recovery)

    def _sweep(self, request: tuple) -> None:
        """Ask for a sweep of a field of the shown client (``request`` without the client's id)."""
        if self.sweep is not None and self.component_id is not None:
            kind, *rest = request
            self.sweep((kind, self.component_id, *rest))

    # -- showing ------------------------------------------------------------------
    def bind(self, component_id: uuid.UUID, client: Client) -> None:
        """Show ``client``'s objectives; cards are rebuilt only when objectives come or go."""
        self.component_id = component_id
        wanted = [(o.id, o.kind) for o in client.objectives]
        if wanted != [(oid, card.kind) for oid, card in self.cards.items()]:
            self._rebuild(wanted)
        for objective in client.objectives:
            self.cards[objective.id].bind(objective)
        self.recovery.bind(client)
        has = bool(client.objectives)
        self.hint.setVisible(not has)
        self.recovery_title.setVisible(has)
        self.recovery.setVisible(has)
        self.error.hide()

    def _rebuild(self, wanted: Sequence[tuple[uuid.UUID, str]]) -> None:
        for card in self.cards.values():
            self.cards_box.removeWidget(card)
            card.hide()  # at once: deleteLater waits for the event loop
            card.setParent(None)
            card.deleteLater()
        self.cards = {}
        for oid, kind in wanted:
            card = ObjectiveCard(kind)
            card.form.commit = lambda changes, oid=oid: self._commit(oid, changes)
            card.form.sweep = lambda field, oid=oid: self._sweep(("objective", oid, field))
            card.remove.clicked.connect(lambda _checked=False, oid=oid: self.remove(oid))
            self.cards_box.addWidget(card)
            self.cards[oid] = card

    # -- editing -------------------------------------------------------------------
    def add(self, kind: str) -> uuid.UUID | None:
        """Add an objective of ``kind`` with the model's defaults to the shown client."""
        if self.component_id is None:
            return None
        try:
            return self.doc.edit.add_objective(self.component_id, kind)
        except EditRejected as exc:
            self._show_error(exc.errors)
            return None

    def remove(self, objective_id: uuid.UUID) -> None:
        if self.component_id is not None:
            self.doc.edit.remove_objective(self.component_id, objective_id)

    def _commit(self, objective_id: uuid.UUID, changes: dict[str, Any]) -> None:
        if self.component_id is not None:
            self.doc.edit.set_objective_fields(self.component_id, objective_id, changes)

    def _commit_recovery(self, changes: dict[str, Any]) -> None:
        if self.component_id is not None:
            self.doc.edit.set_component_fields(self.component_id, changes)

    def _show_error(self, errors: list[FieldError]) -> None:
        self.error.setText("\n".join(e.message for e in errors))
        self.error.show()


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


__all__ = ["RECOVERY_FIELDS", "ObjectiveCard", "ObjectivesEditor", "model_field", "objective_fields"]
