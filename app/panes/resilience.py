"""The Resilience pane: the selected component's policies; add, edit, enable, remove, scope."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from engine.model.resilience import CALLER_POLICY_KINDS, INBOUND_POLICY_KINDS

from ..document import EditRejected, ProjectDocument, kind_label
from ..resources import icon
from .faults import fit_rows
from .fields import ChoiceEditor, scrolling_body, secondary_label
from .forms import POLICY_FORMS, ModelForm

POLICY_HINTS = {
    "retry": "Call again after a failure, with backoff and jitter (Resilience4j Retry, gRPC retry policy).",
    "circuit_breaker": "Stop calling a failing dependency for a while (Resilience4j CircuitBreaker).",
    "timeout": "Give up on a call that takes too long.",
    "bulkhead": "Cap concurrent calls so one slow dependency cannot take every worker.",
    "fallback": "Answer with a degraded response when a call fails.",
    "rate_limiter": "Admit at most N requests per period into this component (inbound).",
    "load_shedding": "Reject work that would wait too long in this component's queue (inbound).",
}
ALL_SCOPE = "__all__"


def scope_text(policy) -> str:
    """What a policy guards, as the policy list shows it."""
    if policy.inbound:
        return "inbound"
    return f'calls to "{policy.scope}"' if policy.scope else "all outgoing calls"


class ResiliencePanel(QWidget):
    """Policies of the selected component, each edited in its own form."""

    # ("policy", component id, policy id, field path) of a field the user asked to sweep
    sweep_requested = Signal(object)

    def __init__(self, document: ProjectDocument, parent=None):
        super().__init__(parent)
        self.doc = document
        self.component_id = None
        self.policy_id = None
        self.form: ModelForm | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(10, 8, 10, 10)
        outer.setSpacing(6)
        self.title = QLabel()
        self.title.setObjectName("paneTitle")
        self.title.setWordWrap(True)
        outer.addWidget(self.title)
        bar = QHBoxLayout()
        self.add_button = QToolButton()
        self.add_button.setText("Add policy")
        self.add_button.setIcon(icon("add"))
        self.add_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.add_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.add_menu = QMenu(self)
        self.add_menu.setToolTipsVisible(True)
        self.add_actions: dict[str, QAction] = {}
        for kind in CALLER_POLICY_KINDS + INBOUND_POLICY_KINDS:
            action = self.add_menu.addAction(kind_label(kind).capitalize())
            action.setToolTip(POLICY_HINTS[kind])
            action.triggered.connect(lambda _=False, k=kind: self.add_policy(k))
            self.add_actions[kind] = action
            if kind == CALLER_POLICY_KINDS[-1]:
                self.add_menu.addSeparator()
        self.add_button.setMenu(self.add_menu)
        self.remove_button = QToolButton()
        self.remove_button.setIcon(icon("remove"))
        self.remove_button.setToolTip("Remove the selected policy")
        self.remove_button.clicked.connect(self.remove_policy)
        self.defaults_button = QToolButton()
        self.defaults_button.setText("Defaults")
        self.defaults_button.setToolTip("Put the selected policy's parameters back to the library defaults.")
        self.defaults_button.clicked.connect(self.reset_policy)
        bar.addWidget(self.add_button)
        bar.addStretch(1)
        bar.addWidget(self.defaults_button)
        bar.addWidget(self.remove_button)
        outer.addLayout(bar)
        self.list = QListWidget()
        self.list.setToolTip("Tick to enable, untick to keep a policy without applying it.")
        self.list.currentItemChanged.connect(self._current_changed)
        self.list.itemChanged.connect(self._item_changed)
        outer.addWidget(self.list)
        self.empty = secondary_label()
        outer.addWidget(self.empty)
        scroll, self.body = scrolling_body()
        self.hint = secondary_label()
        self.body.addWidget(self.hint)
        scope_row = QHBoxLayout()
        self.scope_label = QLabel("Guards")
        self.scope = ChoiceEditor()
        self.scope.setObjectName("field_scope")
        self.scope.setToolTip("All outgoing calls, or the calls to one dependency.")
        self.scope.committed.connect(self._scope_chosen)
        scope_row.addWidget(self.scope_label)
        scope_row.addWidget(self.scope, 1)
        self.body.addLayout(scope_row)
        self.form_holder = QVBoxLayout()
        self.body.addLayout(self.form_holder)
        self.body.addStretch(1)
        outer.addWidget(scroll, 1)
        d = document
        d.selection_changed.connect(self._follow_selection)
        d.design_switched.connect(self._follow_selection)
        d.component_changed.connect(self._component_changed)
        d.component_removed.connect(self._component_changed)
        d.link_added.connect(lambda *_: self._refresh_scope())
        d.link_removed.connect(lambda *_: self._refresh_scope())
        self._follow_selection()

    # -- following the document -------------------------------------------------------
    def _follow_selection(self, *_args) -> None:
        comps = [i for i in self.doc.selection if self.doc.kind_of(i) == "component"]
        self.show_component(comps[0] if len(comps) == 1 and len(self.doc.selection) == 1 else None)

    def _component_changed(self, component_id) -> None:
        if component_id == self.component_id:
            self.show_component(component_id if self.doc.kind_of(component_id) == "component" else None)

    def show_component(self, component_id) -> None:
        if component_id != self.component_id:
            self.policy_id = None
        self.component_id = component_id
        self.list.blockSignals(True)
        self.list.clear()
        if component_id is None:
            self.title.setText("Resilience")
            self.empty.setText("Select one component to see and attach its resilience policies.")
            self.empty.show()
            self.add_button.setEnabled(False)
            self.remove_button.setEnabled(False)
            self.defaults_button.setEnabled(False)
            self.list.blockSignals(False)
            self._show_policy(None)
            return
        component = self.doc.component(component_id)
        self.title.setText(f"Resilience of “{component.name}”")
        self.add_button.setEnabled(True)
        for kind, action in self.add_actions.items():
            reason = self.doc.edit.policy_refusal(component_id, kind)
            action.setEnabled(reason is None)
            action.setToolTip(reason or POLICY_HINTS[kind])
        for policy in component.policies:
            item = QListWidgetItem(f"{kind_label(policy.kind).capitalize()} — {scope_text(policy)}")
            item.setData(Qt.ItemDataRole.UserRole, policy.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if policy.enabled else Qt.CheckState.Unchecked)
            item.setToolTip(POLICY_HINTS[policy.kind])
            self.list.addItem(item)
            if policy.id == self.policy_id:
                self.list.setCurrentItem(item)
        if self.policy_id is None and self.list.count():
            self.list.setCurrentRow(0)
            self.policy_id = self.list.item(0).data(Qt.ItemDataRole.UserRole)
        self.list.blockSignals(False)
        self.empty.setText("No policies yet: add one with “Add policy”. Caller-side policies guard this component's "
                           "calls; inbound ones guard the component itself.")
        self.empty.setVisible(not component.policies)
        self.list.setVisible(bool(component.policies))
        fit_rows(self.list)
        self.remove_button.setEnabled(bool(component.policies))
        self.defaults_button.setEnabled(bool(component.policies))
        self._show_policy(self.policy_id)

    def _current_changed(self, current, _previous) -> None:
        self.policy_id = current.data(Qt.ItemDataRole.UserRole) if current else None
        self._show_policy(self.policy_id)

    def _item_changed(self, item: QListWidgetItem) -> None:
        pid = item.data(Qt.ItemDataRole.UserRole)
        enabled = item.checkState() == Qt.CheckState.Checked
        if self.doc.policy(self.component_id, pid).enabled != enabled:
            self.doc.edit.set_policy_fields(self.component_id, pid, {"enabled": enabled}, merge=False)

    def _show_policy(self, policy_id) -> None:
        policy = None
        if policy_id is not None and self.component_id is not None:
            try:
                policy = self.doc.policy(self.component_id, policy_id)
            except KeyError:
                policy = None
        form_cls = POLICY_FORMS.get(policy.kind) if policy else None
        if self.form is not None and (form_cls is None or type(self.form) is not form_cls):
            self.form_holder.removeWidget(self.form)
            # Hidden and detached at once: deleteLater only runs when the event loop gets back.
            self.form.hide()
            self.form.setParent(None)
            self.form.deleteLater()
            self.form = None
        for w in (self.hint, self.scope, self.scope_label):
            w.setVisible(policy is not None)
        if policy is None:
            return
        if self.form is None:
            self.form = form_cls()
            self.form_holder.addWidget(self.form)
        cid, pid = self.component_id, policy.id
        self.form.commit = lambda changes: self.doc.edit.set_policy_fields(cid, pid, changes)
        self.form.sweep = lambda field: self.sweep_requested.emit(("policy", cid, pid, field))
        self.form.bind(policy)
        self.hint.setText(POLICY_HINTS[policy.kind])
        self._refresh_scope()

    def _refresh_scope(self) -> None:
        if self.component_id is None or self.policy_id is None or self.doc.kind_of(self.component_id) != "component":
            return
        try:
            policy = self.doc.policy(self.component_id, self.policy_id)
        except KeyError:
            return
        component = self.doc.component(self.component_id)
        if policy.inbound:
            self.scope.set_choices([(ALL_SCOPE, "this component's inbound requests")])
            self.scope.set_value(ALL_SCOPE)
            self.scope.setEnabled(False)
            return
        self.scope.setEnabled(True)
        deps = [link.target for link in self.doc.design.links_from(component.name)]
        self.scope.set_choices([(ALL_SCOPE, "all outgoing calls")] + [(d, f'calls to "{d}"') for d in deps])
        self.scope.set_value(policy.scope or ALL_SCOPE)

    # -- edits ---------------------------------------------------------------------------
    def add_policy(self, kind: str):
        if self.component_id is None:
            return None
        try:
            self.policy_id = self.doc.edit.add_policy(self.component_id, kind)
        except EditRejected as exc:
            self.empty.setText(str(exc))
            self.empty.show()
            return None
        self.show_component(self.component_id)
        return self.policy_id

    def reset_policy(self) -> None:
        """Back to the library defaults for the selected policy (one undo step)."""
        if self.component_id is not None and self.policy_id is not None:
            self.doc.edit.reset_policy(self.component_id, self.policy_id)

    def remove_policy(self) -> None:
        if self.component_id is not None and self.policy_id is not None:
            pid, self.policy_id = self.policy_id, None
            self.doc.edit.remove_policy(self.component_id, pid)

    def _scope_chosen(self, value) -> None:
        if self.form is not None:
            self.form.submit({"scope": None if value == ALL_SCOPE else value})
