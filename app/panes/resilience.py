"""The Resilience pane: the selected component's policies; add, edit, enable, remove, scope."""
from __future__ import annotations

import uuid

from PySide6.QtCore import QEvent, Qt, Signal
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

from engine.model import format_seconds
from engine.model.resilience import CALL_NESTING, CALLER_POLICY_KINDS, INBOUND_POLICY_KINDS, POLICY_CLASSES

from ..document import EditRejected, ProjectDocument, kind_label
from ..resources import retint_icons, set_themed_icon
from ..theme import show_menu_arrow
from .faults import fit_rows
from .fields import ChoiceEditor, scrolling_body, secondary_label
from .forms import POLICY_FORMS, ModelForm

ALL_SCOPE = "__all__"


def call_nesting(policies, scope, scope_name: str = "") -> str:
    """How the enabled caller-side policies for calls to ``scope`` (a dependency's id, named
    ``scope_name``; None: every call) wrap each call, outer to inner, and whether a timeout
    bounds each attempt or the whole call."""
    applied = [p for p in policies if p.enabled and not p.inbound and (p.scope is None or p.scope == scope)]
    kinds = [k for k in CALL_NESTING if any(p.kind == k for p in applied)]
    if not kinds:
        return ""
    target = f'calls to "{scope_name or scope}"' if scope else "each call"
    text = f"Around {target}, outer to inner: " + " → ".join(kind_label(k) for k in kinds) + " → the call."
    timeout = next((p for p in applied if p.kind == "timeout"), None)
    retry = next((p for p in applied if p.kind == "retry"), None)
    hedging = next((p for p in applied if p.kind == "hedging"), None)
    deadline = next((p for p in applied if p.kind == "deadline"), None)
    if timeout is not None and retry is not None:
        text += (f" The timeout ({format_seconds(timeout.timeout)}) bounds each attempt: up to "
                 f"{retry.max_attempts} attempts, with waits between them.")
    elif timeout is not None and hedging is not None:
        text += (f" The timeout ({format_seconds(timeout.timeout)}) bounds each of up to "
                 f"{hedging.max_attempts} hedged copies.")
    elif timeout is not None:
        text += f" The timeout ({format_seconds(timeout.timeout)}) bounds the whole call (no retry)."
    if deadline is not None:
        text += (f" The deadline ({format_seconds(deadline.deadline)}) covers every attempt and travels "
                 "with the call to the callee and its own calls.")
    return text


def scope_text(policy, design) -> str:
    """What a policy guards, as the policy list shows it."""
    if policy.inbound:
        return "inbound"
    return f'calls to "{design.name_of(policy.scope)}"' if policy.scope else "all outgoing calls"


class ResiliencePanel(QWidget):
    """Policies of the selected component, each edited in its own form."""

    # ("policy", component id, policy id, field path) of a field the user asked to sweep
    sweep_requested = Signal(object)

    def __init__(self, document: ProjectDocument, parent=None):
        super().__init__(parent)
        self.doc = document
        self.component_id: uuid.UUID | None = None
        # the dependency (by id) whose calls are shown, when a link is selected
        self.call_target: uuid.UUID | str | None = None
        self.policy_id: uuid.UUID | None = None
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
        set_themed_icon(self.add_button, "add")
        self.add_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.add_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        show_menu_arrow(self.add_button)
        self.add_menu = QMenu(self)
        self.add_menu.setToolTipsVisible(True)
        self.add_actions: dict[str, QAction] = {}
        for kind, cls in POLICY_CLASSES.items():
            action = self.add_menu.addAction(cls.label)
            action.setToolTip(cls.help)
            action.triggered.connect(lambda _=False, k=kind: self.add_policy(k))
            self.add_actions[kind] = action
            if kind == CALLER_POLICY_KINDS[-1]:
                self.add_menu.addSeparator()
        self.add_button.setMenu(self.add_menu)
        self.remove_button = QToolButton()
        set_themed_icon(self.remove_button, "remove")
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
        # Under the form: on a small screen the parameters come first.
        self.nesting = secondary_label()
        self.nesting.setObjectName("policyNesting")
        self.nesting.setToolTip("The order the patterns wrap each call, as Resilience4j's Spring aspects do.")
        self.body.addWidget(self.nesting)
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

    def changeEvent(self, event):
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            retint_icons(self)

    # -- following the document -------------------------------------------------------
    def _follow_selection(self, *_args) -> None:
        selection = self.doc.selection
        if len(selection) == 1 and self.doc.kind_of(selection[0]) == "link":
            # A link: the policies of its caller that guard this call.
            link = self.doc.link(selection[0])
            caller = self.doc.component_named(link.source)
            if caller is not None:
                self.show_component(caller.id, call=link.target)
                return
        comps = [i for i in selection if self.doc.kind_of(i) == "component"]
        self.show_component(comps[0] if len(comps) == 1 and len(selection) == 1 else None)

    def _component_changed(self, component_id) -> None:
        if component_id == self.component_id:
            self.show_component(component_id if self.doc.kind_of(component_id) == "component" else None,
                                call=self.call_target)

    def show_component(self, component_id, call: uuid.UUID | str | None = None) -> None:
        """Show a component's policies; with ``call``, only those guarding its calls to that dependency."""
        if component_id != self.component_id or call != self.call_target:
            self.policy_id = None
        self.component_id = component_id
        self.call_target = call if component_id is not None else None
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
        policies = [p for p in component.policies if self._guards_the_call(p)]
        if self.policy_id not in {p.id for p in policies}:
            self.policy_id = None
        self.title.setText(f"Resilience of “{component.name}”" if call is None
                           else f"Resilience of the calls {component.name} → {self.doc.design.name_of(call)}")
        self.add_button.setEnabled(True)
        for kind, action in self.add_actions.items():
            reason: str | None
            if call is not None and kind in INBOUND_POLICY_KINDS:
                reason = "An inbound policy guards a component, not a call: select the component."
            else:
                # not offered where it would clash with what guards these calls: the design stays runnable
                reason = self.doc.edit.policy_refusal(component_id, kind, call if kind in CALLER_POLICY_KINDS
                                                      else None)
            action.setEnabled(reason is None)
            action.setToolTip(reason or POLICY_CLASSES[kind].help)
        for policy in policies:
            item = QListWidgetItem(f"{policy.label} — {scope_text(policy, self.doc.design)}")
            item.setData(Qt.ItemDataRole.UserRole, policy.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if policy.enabled else Qt.CheckState.Unchecked)
            item.setToolTip(policy.help)
            self.list.addItem(item)
            if policy.id == self.policy_id:
                self.list.setCurrentItem(item)
        if self.policy_id is None and self.list.count():
            self.list.setCurrentRow(0)
            self.policy_id = self.list.item(0).data(Qt.ItemDataRole.UserRole)
        self.list.blockSignals(False)
        if call is None:
            self.empty.setText("No policies yet: add one with “Add policy”. Caller-side policies guard this "
                               "component's calls; inbound ones guard the component itself.")
        else:
            self.empty.setText(f"No policy guards these calls yet: “Add policy” adds one for the calls to "
                               f"“{self.doc.design.name_of(call)}” only.")
        self.empty.setVisible(not policies)
        self.list.setVisible(bool(policies))
        fit_rows(self.list)
        self.remove_button.setEnabled(bool(policies))
        self.defaults_button.setEnabled(bool(policies))
        self._show_policy(self.policy_id)

    def _guards_the_call(self, policy) -> bool:
        """Whether ``policy`` applies to the call shown (every policy when a component is shown)."""
        if self.call_target is None:
            return True
        return not policy.inbound and policy.scope in (None, self.call_target)

    def _current_changed(self, current, _previous) -> None:
        self.policy_id = current.data(Qt.ItemDataRole.UserRole) if current else None
        self._show_policy(self.policy_id)

    def _item_changed(self, item: QListWidgetItem) -> None:
        pid = item.data(Qt.ItemDataRole.UserRole)
        enabled = item.checkState() == Qt.CheckState.Checked
        if self.component_id is None:  # a list item outlived the component it showed
            return
        if self.doc.policy(self.component_id, pid).enabled != enabled:
            if not self._edit_policy(pid, {"enabled": enabled}, merge=False):
                self.list.blockSignals(True)
                item.setCheckState(Qt.CheckState.Unchecked if enabled else Qt.CheckState.Checked)
                self.list.blockSignals(False)

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
        for w in (self.hint, self.scope, self.scope_label, self.nesting):
            w.setVisible(policy is not None)
        if policy is None or form_cls is None or self.component_id is None:  # a policy is found only on a component
            return
        component = self.doc.component(self.component_id)
        # With a link selected, every policy listed guards that call: the nesting is the call's whole
        # stack, not only the policies of the selected one's scope ("timeout → the call" hid a breaker).
        scope = None if policy.inbound else (self.call_target if self.call_target is not None else policy.scope)
        self.nesting.setText(call_nesting(component.policies, scope, self.doc.design.name_of(scope)))
        self.nesting.setVisible(bool(self.nesting.text()))
        if self.form is None:
            self.form = form_cls()
            self.form_holder.addWidget(self.form)
        cid, pid = self.component_id, policy.id
        self.form.commit = lambda changes: self.doc.edit.set_policy_fields(cid, pid, changes)
        self.form.sweep = lambda field: self.sweep_requested.emit(("policy", cid, pid, field))
        self.form.bind(policy)
        self.hint.setText(policy.help)
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
        design = self.doc.design
        deps = [link.target for link in design.links_from(component.id)]
        # The chooser holds ids as text: what a scope refers to; names are what it shows.
        self.scope.set_choices([(ALL_SCOPE, "all outgoing calls")]
                               + [(str(d), f'calls to "{design.name_of(d)}"') for d in deps])
        self.scope.set_value(str(policy.scope) if policy.scope else ALL_SCOPE)

    # -- edits ---------------------------------------------------------------------------
    def add_policy(self, kind: str):
        if self.component_id is None:
            return None
        scope = self.call_target if kind in CALLER_POLICY_KINDS else None
        try:
            self.policy_id = self.doc.edit.add_policy(self.component_id, kind, scope)
        except EditRejected as exc:
            self._refused(exc)
            return None
        self.show_component(self.component_id, call=self.call_target)
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
        if self.form is not None and self.policy_id is not None and self.component_id is not None:
            if not self._edit_policy(self.policy_id, {"scope": None if value == ALL_SCOPE else value}):
                self._refresh_scope()

    def _edit_policy(self, policy_id: uuid.UUID, changes: dict, merge: bool = True) -> bool:
        """Switch a policy on or off, or move it onto other calls; a refusal is said in the pane."""
        assert self.component_id is not None
        try:
            self.doc.edit.set_policy_fields(self.component_id, policy_id, changes, merge=merge)
        except EditRejected as exc:
            self._refused(exc)
            return False
        return True

    def _refused(self, exc: EditRejected) -> None:
        # under the list, where an empty pane says what to do: the edit was not made, this says why
        self.empty.setText(str(exc))
        self.empty.show()
