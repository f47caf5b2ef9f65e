"""The editing vocabulary of the document: every user edit goes through here as an undo command.

Canvas and panes call these methods; each validates first (raising
``EditRejected`` with readable messages, or returning a refusal reason) so
that an invalid value never reaches the document.
"""
from __future__ import annotations

import copy
import uuid
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QUndoCommand

from engine.model import (
    COMPONENT_CLASSES,
    OBJECTIVE_CLASSES,
    Design,
    Experiment,
    Link,
    Position,
    describe,
)
from engine.model.faults import FAULT_CLASSES, LINK_FAULT_KINDS
from engine.model.resilience import POLICY_CLASSES
from engine.model.validation import fault_kinds_for, policy_conflicts, policy_refusal

from . import commands as cmd
from .model_edit import EditRejected, FieldError, dump, renewed_ids, switches_kind, updated, validated
from .wording import change_text

if TYPE_CHECKING:
    from .document import ProjectDocument

FRAGMENT_FORMAT = "faultline-fragment/1"
# How long a component's name may be, as the model says.
NAME_MAX_LENGTH: int = next(rule.max_length for rule in COMPONENT_CLASSES["service"].model_fields["name"].metadata
                            if getattr(rule, "max_length", None) is not None)


def kind_label(kind: str) -> str:
    """'load_balancer' -> 'load balancer': a kind as prose."""
    return kind.replace("_", " ")


class DocumentEditor:
    """Builds and pushes the undo commands for every kind of edit."""

    def __init__(self, document: ProjectDocument):
        self.doc = document

    @property
    def stack(self):
        """The undo stack every edit is pushed on."""
        return self.doc.undo_stack

    def _push(self, command: QUndoCommand) -> None:
        self.stack.push(command)

    def _push_edit(self, command: cmd.EditComponentCommand | cmd.EditLinkCommand | cmd.EditExperimentCommand,
                   before, after, changes: dict[str, Any]) -> None:
        """Push an edit of fields; one that switches a value to another kind is a step of its own, never
        merged with the edits around it: switching back and forth must be undone one switch at a time."""
        if switches_kind(before, after, changes):
            command.merge_key = None
        self._push(command)

    # -- components ---------------------------------------------------------
    def unique_name(self, base: str, taken: set[str] | None = None) -> str:
        """``base``, or ``base 2``, ``base 3``… whichever no component of the design has yet."""
        taken = {c.name for c in self.doc.design.components} if taken is None else taken
        if base not in taken:
            return base
        stem = base.rstrip("0123456789").rstrip() or base

        def numbered(n: int) -> str:
            # A name as long as names may be loses the end of its stem, not its number.
            suffix = f" {n}"
            return f"{stem[:NAME_MAX_LENGTH - len(suffix)].rstrip()}{suffix}"

        n = 2
        while numbered(n) in taken:
            n += 1
        return numbered(n)

    def add_component(self, kind: str, position: tuple[float, float] = (0.0, 0.0), name: str | None = None,
                      **fields) -> uuid.UUID:
        """Add a component of ``kind`` centred at ``position`` and select it; returns its id."""
        cls = COMPONENT_CLASSES[kind]
        component = validated(cls, {"name": self.unique_name(name or kind_label(kind)),
                                    "position": {"x": position[0], "y": position[1]}, **fields})
        self._push(cmd.AddComponentCommand(self.doc, component))
        self.doc.set_selection([component.id])
        return component.id

    def set_component_fields(self, component_id: uuid.UUID, changes: dict[str, Any], merge: bool = True) -> None:
        """Apply parameter edits (dotted paths); a name change goes through ``rename_component``."""
        changes = dict(changes)
        name = changes.pop("name", None)
        old = self.doc.component(component_id)
        if name is not None and name.strip() != old.name:
            if changes:
                raise ValueError("rename separately from other edits")
            self.rename_component(component_id, name)
            return
        if not changes:
            return
        new = updated(old, changes)
        if new == old:
            return
        field = next(iter(changes)) if merge and len(changes) == 1 else None
        self._push_edit(cmd.EditComponentCommand(self.doc, old, new, field), old, new, changes)

    def set_fields_of_many(self, component_ids, changes: dict[str, Any]) -> None:
        """Apply the same parameter edit to several components in one undo step (names excluded)."""
        if "name" in changes:
            raise EditRejected([FieldError("name", "components need distinct names; rename them one at a time")])
        parent = cmd.MacroCommand()
        for cid in component_ids:
            old = self.doc.component(cid)
            new = updated(old, changes)
            if new != old:
                cmd.EditComponentCommand(self.doc, old, new, parent=parent)
        if parent.subcommands:
            # in the form's words: "Change error rate of 2 components to 20 %", not "error probability"
            field, count = next(iter(changes)), len(parent.subcommands)
            text = change_text("", new, field, many=count) if len(changes) == 1 else None
            parent.setText(text or f"Edit {field.replace('_', ' ')} of {count} components")
            self._push(parent)

    def rename_component(self, component_id: uuid.UUID, name: str) -> None:
        """Rename a component and everything that names it; refuses duplicates and bad names."""
        old = self.doc.component(component_id)
        new = updated(old, {"name": name})  # the model's own name rules, with its messages
        if new.name == old.name:
            return
        if any(c.name == new.name for c in self.doc.design.components if c.id != component_id):
            raise EditRejected([FieldError("name", f'"{new.name}" is already the name of another component')])
        self._push(cmd.RenameComponentCommand(self.doc, component_id, new.name))

    def move_components(self, positions: dict[uuid.UUID, tuple[float, float]], text: str | None = None) -> None:
        """Record one finished drag (positions are where the items were dropped)."""
        moves = {}
        for cid, (x, y) in positions.items():
            old = self.doc.component(cid).position
            new = Position(x=x, y=y)
            if new != old:
                moves[cid] = (old, new)
        if moves:
            self._push(cmd.MoveComponentsCommand(self.doc, moves, text=text))

    def nudge(self, ids, dx: float, dy: float) -> None:
        """Move components by a step (arrow keys); quick repeats merge into one undo step."""
        moves = {}
        for cid in ids:
            if self.doc.kind_of(cid) == "component":
                old = self.doc.component(cid).position
                moves[cid] = (old, Position(x=old.x + dx, y=old.y + dy))
        if moves:
            self._push(cmd.NudgeComponentsCommand(self.doc, moves))

    def arrange(self) -> None:
        """Lay the design out in call order, left to right, as one undo step."""
        from .layout import layered_spots

        self.move_components(layered_spots(self.doc.design), text="Arrange")

    # -- links ----------------------------------------------------------------
    def link_refusal(self, source_id: uuid.UUID, target_id: uuid.UUID) -> str | None:
        """Why a link from one component to another cannot exist, or None if it can."""
        src, dst = self.doc.component(source_id), self.doc.component(target_id)
        if src.id == dst.id:
            return "A component cannot call itself."
        if not src.calls_out:
            return f"A {kind_label(src.kind)} makes no calls of its own, so {describe(src)} cannot call anything."
        if dst.kind == "client":
            return f"A client sends requests but receives none, so nothing can call {describe(dst)}."
        design = self.doc.design
        if design.link_between(src.id, dst.id) is not None:
            return f'"{src.name}" already calls "{dst.name}" (raise that link\'s count instead).'
        path = _path(design, dst.id, src.id)
        if path:
            names = design.names()
            cycle = " -> ".join([src.name, *(names[i] for i in path)])
            return f"That would close a call cycle ({cycle}), and a request would recurse forever."
        return None

    def connect(self, source_id: uuid.UUID, target_id: uuid.UUID) -> tuple[uuid.UUID | None, str | None]:
        """Link two components; returns (link id, None) or (None, the reason it was refused)."""
        reason = self.link_refusal(source_id, target_id)
        if reason:
            return None, reason
        src, dst = self.doc.component(source_id), self.doc.component(target_id)
        link = Link(source=src.id, target=dst.id)
        self._push(cmd.AddLinkCommand(self.doc, link))
        self.doc.set_selection([link.id])
        return link.id, None

    def relink_refusal(self, link_id: uuid.UUID, target_id: uuid.UUID) -> str | None:
        """Why a link cannot be moved to call ``target_id`` instead, or None."""
        link = self.doc.link(link_id)
        if target_id == link.target:
            return None
        # a reference the design could not resolve holds the name as written (see engine/model/refs.py)
        source = self.doc.component_named(link.source)
        if source is None:
            return f'the link\'s caller "{self.doc.design.name_of(link.source)}" is not in the design'
        return self.link_refusal(source.id, target_id)

    def relink(self, link_id: uuid.UUID, target_id: uuid.UUID) -> str | None:
        """Point a link at another callee, keeping its id and call parameters; returns a refusal reason or None.

        Faults aimed at the link follow it (they hold its id); the caller's policies scoped to the
        old callee are moved to the new one, since they guarded this call.
        """
        reason = self.relink_refusal(link_id, target_id)
        if reason:
            return reason
        old = self.doc.link(link_id)
        if target_id == old.target:
            return None
        design = self.doc.design
        new_name = f"{design.name_of(old.source)} -> {design.name_of(target_id)}"
        new = old.model_copy(update={"target": target_id})
        parent = cmd.MacroCommand(f'Relink "{old.name}" to "{new_name}"')
        cmd.EditLinkCommand(self.doc, old, new, parent=parent)
        source = self.doc.component_named(old.source)
        assert source is not None  # relink_refusal refused a link whose caller is missing
        policies = [p.model_copy(update={"scope": target_id}) if getattr(p, "scope", None) == old.target else p
                    for p in source.policies]
        if policies != source.policies:
            cmd.EditComponentCommand(self.doc, source, source.model_copy(update={"policies": policies}), parent=parent)
        self._push(parent)
        return None

    def set_link_fields(self, link_id: uuid.UUID, changes: dict[str, Any], merge: bool = True) -> None:
        """Edit a link's latency or call pattern (dotted paths); rapid edits of one field merge."""
        old = self.doc.link(link_id)
        if {"source", "target"} & changes.keys():
            raise ValueError("a link's ends are changed by relinking, not editing")
        new = updated(old, changes)
        if new != old:
            field = next(iter(changes)) if merge and len(changes) == 1 else None
            self._push_edit(cmd.EditLinkCommand(self.doc, old, new, field), old, new, changes)

    # -- delete, copy, paste ----------------------------------------------------
    def delete(self, ids) -> None:
        """Delete components and links in one step; links and faults that name deleted components go too."""
        ids = list(ids)
        components = [i for i in ids if self.doc.kind_of(i) == "component"]
        links = [i for i in ids if self.doc.kind_of(i) == "link"]
        if not components and not links:
            return
        n = len(components) + len(links)
        parent = cmd.MacroCommand(f"Delete {n} items")
        removed: set = set(links)
        for lid in links:
            cmd.RemoveLinkCommand(self.doc, lid, parent=parent)
        # Faults aimed at what goes (a component, or a link that goes with it) go too.
        gone = set(components)
        links_of: dict = {cid: [] for cid in components}
        for link in self.doc.design.links:
            for end in {link.source, link.target} & gone:
                links_of[end].append(link)
        gone.update(link.id for attached in links_of.values() for link in attached)
        for cid in components:
            cmd.RemoveComponentCommand(self.doc, cid, skip_links=removed, remove_faults=False, parent=parent,
                                       links=links_of[cid])
        # A caller's policy that guards its calls to a deleted component guards nothing any more; left
        # behind, it made the design unrunnable ("its scope is not one of its dependencies").
        for caller in self.doc.design.components:
            kept_policies = [p for p in caller.policies if getattr(p, "scope", None) not in gone]
            if caller.id not in gone and len(kept_policies) != len(caller.policies):
                cmd.EditComponentCommand(self.doc, caller, caller.model_copy(update={"policies": kept_policies}),
                                         text=f'Remove policies of "{caller.name}"', parent=parent)
        for experiment in self.doc.design.experiments:
            kept = [f for f in experiment.faults if f.target not in gone]
            if len(kept) != len(experiment.faults):
                cmd.EditExperimentCommand(self.doc, experiment, experiment.model_copy(update={"faults": kept}),
                                          "Remove faults", parent=parent)
        if n == 1:
            # The one thing deleted names the step ('Delete "db"'), also when its links and faults go with it.
            parent.setText(parent.subcommands[0].text())
        self._push(parent)

    def fragment(self, ids) -> dict | None:
        """The selected components and the links among them, as JSON-able data for the clipboard."""
        comps = [self.doc.component(i) for i in ids if self.doc.kind_of(i) == "component"]
        if not comps:
            return None
        ids = {c.id for c in comps}
        links = [link for link in self.doc.design.links if link.source in ids and link.target in ids]
        return {
            "format": FRAGMENT_FORMAT,
            "components": [c.model_dump(mode="json", by_alias=True) for c in comps],
            "links": [link.model_dump(mode="json", by_alias=True) for link in links],
        }

    def paste(self, fragment: dict, offset: tuple[float, float] = (40.0, 40.0), text: str = "Paste") -> list[uuid.UUID]:
        """Add a copy of a fragment with fresh ids and names; the copies become the selection."""
        if not isinstance(fragment, dict) or fragment.get("format") != FRAGMENT_FORMAT:
            raise EditRejected([FieldError("", "the clipboard holds no Faultline components")])
        taken = {c.name for c in self.doc.design.components}
        raws = [raw for raw in _listed(fragment, "components") if isinstance(raw, dict)]
        # The copies' ids by the originals' (as the clipboard's references hold them), and by name
        # for a fragment written by hand.
        copies: dict[str, uuid.UUID] = {}
        new_components = []
        for raw in raws:
            data = renewed_ids(copy.deepcopy(raw))
            data["id"] = data.get("id") or uuid.uuid4()  # a fragment written by hand may leave ids out
            kind = data.get("kind")
            if kind not in COMPONENT_CLASSES:
                raise EditRejected([FieldError("", f"unknown component kind {kind!r} in the clipboard")])
            data["name"] = self.unique_name(str(raw.get("name", raw.get("kind", "component"))), taken)
            taken.add(data["name"])
            copies.update({str(raw.get("id")): data["id"], str(raw.get("name")): data["id"]})
            data["position"] = _pasted_position(data, offset)
            new_components.append(data)
        fallen = [_rescoped(data["policies"], copies) if isinstance(data.get("policies"), list) else set()
                  for data in new_components]
        new_components = [_without_clashes(_validated_copy(data), places)
                          for data, places in zip(new_components, fallen, strict=True)]
        new_links = []
        for raw in _listed(fragment, "links"):
            if isinstance(raw, dict) and str(raw.get("source")) in copies and str(raw.get("target")) in copies:
                data = renewed_ids(copy.deepcopy(raw))
                data["source"], data["target"] = copies[str(raw["source"])], copies[str(raw["target"])]
                new_links.append(validated(Link, data))
        parent = cmd.MacroCommand(f"{text} {len(new_components)} component" + ("s" if len(new_components) != 1 else ""))
        for component in new_components:
            cmd.AddComponentCommand(self.doc, component, parent=parent)
        names = {c.id: c.name for c in new_components}
        for link in new_links:
            cmd.AddLinkCommand(self.doc, link, parent=parent, names=names)
        self._push(parent)
        ids = [c.id for c in new_components]
        self.doc.set_selection(ids)
        return ids

    def duplicate(self, ids) -> list[uuid.UUID]:
        """Copy components (and the links among them) beside themselves; returns the copies."""
        fragment = self.fragment(ids)
        return self.paste(fragment, text="Duplicate") if fragment else []

    # -- policies ---------------------------------------------------------------
    def policy_refusal(self, component_id: uuid.UUID, kind: str, scope: str | uuid.UUID | None = None,
                       policy_id: uuid.UUID | None = None) -> str | None:
        """Why an enabled policy of ``kind`` guarding calls to ``scope`` (None: all calls) cannot go
        on this component beside its enabled policies (``policy_id``: all but that one), or None:
        the rules of engine validation, so a design stays runnable."""
        if kind not in POLICY_CLASSES:
            return f"unknown policy kind {kind!r}"
        design = self.doc.design
        component = self.doc.component(component_id)
        beside = [p for p in component.policies if p.id != policy_id]
        reason = policy_refusal(component, kind, None if scope is None else design.ref_to(scope), beside,
                                {c.id: c.name for c in design.components})
        return f"{reason[0].upper()}{reason[1:]}." if reason else None

    def add_policy(self, component_id: uuid.UUID, kind: str, scope: str | uuid.UUID | None = None) -> uuid.UUID:
        """Attach a policy of ``kind`` with the library defaults, guarding calls to ``scope`` (a
        dependency by id or name) or all calls; returns its id."""
        reason = self.policy_refusal(component_id, kind, scope)
        if reason:
            raise EditRejected([FieldError("", reason)])
        old = self.doc.component(component_id)
        values = dict(POLICY_CLASSES[kind].starting_values)
        if scope is not None:
            values["scope"] = self.doc.design.ref_to(scope)
        policy = validated(POLICY_CLASSES[kind], values)
        new = old.model_copy(update={"policies": [*old.policies, policy]})
        self._push(cmd.AddPolicyCommand(self.doc, old, new, policy.title))
        return policy.id

    def set_policy_fields(self, component_id: uuid.UUID, policy_id: uuid.UUID, changes: dict[str, Any],
                          merge: bool = True) -> None:
        """Edit a policy's parameters; rapid edits of one field merge."""
        old = self.doc.component(component_id)
        policy = self.doc.policy(component_id, policy_id)
        if changes.get("scope") is not None:
            changes = {**changes, "scope": self.doc.design.ref_to(changes["scope"])}
        new_policy = updated(policy, changes)
        if new_policy == policy:
            return
        guarding = new_policy.enabled and (not policy.enabled or getattr(new_policy, "scope", None) !=
                                           getattr(policy, "scope", None))
        if guarding:
            # switched on, or moved onto other calls: it must fit beside what already guards them
            reason = self.policy_refusal(component_id, policy.kind, getattr(new_policy, "scope", None), policy_id)
            if reason:
                raise EditRejected([FieldError("", reason)])
        new = old.model_copy(update={"policies": [new_policy if p.id == policy_id else p for p in old.policies]})
        field = next(iter(changes)) if merge and len(changes) == 1 else None
        self._push_edit(cmd.EditPolicyCommand(self.doc, old, new, policy_id, field, policy.title), policy,
                        new_policy, changes)

    def reset_policy(self, component_id: uuid.UUID, policy_id: uuid.UUID) -> None:
        """Put a policy's parameters back to the library defaults, keeping its id, scope and on/off state."""
        policy = self.doc.policy(component_id, policy_id)
        keep = {"id": policy.id, "enabled": policy.enabled,
                **({"scope": policy.scope} if hasattr(policy, "scope") else {})}
        fresh = validated(POLICY_CLASSES[policy.kind], {**POLICY_CLASSES[policy.kind].starting_values, **keep})
        if fresh != policy:
            old = self.doc.component(component_id)
            new = old.model_copy(update={"policies": [fresh if p.id == policy_id else p for p in old.policies]})
            self._push(cmd.EditPolicyCommand(self.doc, old, new, policy_id, None, policy.title,
                                             text=f'Reset {policy.title} of "{old.name}" to defaults'))

    def remove_policy(self, component_id: uuid.UUID, policy_id: uuid.UUID) -> None:
        """Detach a policy."""
        old = self.doc.component(component_id)
        policy = self.doc.policy(component_id, policy_id)
        new = old.model_copy(update={"policies": [p for p in old.policies if p.id != policy_id]})
        self._push(cmd.RemovePolicyCommand(self.doc, old, new, policy.title))

    # -- objectives ---------------------------------------------------------------
    def objective(self, component_id: uuid.UUID, objective_id: uuid.UUID):
        """An objective of a client by id."""
        for o in getattr(self.doc.component(component_id), "objectives", ()):
            if o.id == objective_id:
                return o
        raise KeyError(objective_id)

    def add_objective(self, component_id: uuid.UUID, kind: str) -> uuid.UUID:
        """Give a client an objective of ``kind`` with the model's defaults; returns its id."""
        old = self.doc.component(component_id)
        if old.kind != "client":
            raise EditRejected([FieldError("", "objectives belong to clients: they judge what a user journey sees")])
        if kind not in OBJECTIVE_CLASSES:
            raise EditRejected([FieldError("", f"unknown objective kind {kind!r}")])
        objective = validated(OBJECTIVE_CLASSES[kind], {})
        new = updated(old, {"objectives": [*(dump(o) for o in old.objectives), dump(objective)]})
        self._push(cmd.AddObjectiveCommand(self.doc, old, new, objective.title))
        return objective.id

    def set_objective_fields(self, component_id: uuid.UUID, objective_id: uuid.UUID, changes: dict[str, Any],
                             merge: bool = True) -> None:
        """Edit an objective's parameters; rapid edits of one field merge."""
        old = self.doc.component(component_id)
        objective = self.objective(component_id, objective_id)
        new_objective = updated(objective, changes)
        if new_objective == objective:
            return
        new = old.model_copy(update={"objectives": [new_objective if o.id == objective_id else o
                                                    for o in old.objectives]})
        field = next(iter(changes)) if merge and len(changes) == 1 else None
        self._push(cmd.EditObjectiveCommand(self.doc, old, new, objective_id, field, objective.title))

    def remove_objective(self, component_id: uuid.UUID, objective_id: uuid.UUID) -> None:
        """Remove an objective from its client."""
        old = self.doc.component(component_id)
        objective = self.objective(component_id, objective_id)
        new = old.model_copy(update={"objectives": [o for o in old.objectives if o.id != objective_id]})
        self._push(cmd.RemoveObjectiveCommand(self.doc, old, new, objective.title))

    # -- experiments and faults -------------------------------------------------
    def _unique_experiment_name(self, base: str) -> str:
        taken = {e.name for e in self.doc.design.experiments}
        if base not in taken:
            return base
        n = 2
        while f"{base} {n}" in taken:
            n += 1
        return f"{base} {n}"

    def add_experiment(self, name: str | None = None) -> uuid.UUID:
        """Add an empty experiment with a free name and make it current; returns its id."""
        experiment = Experiment(name=self._unique_experiment_name(name or "Experiment"))
        self._push(cmd.AddExperimentCommand(self.doc, experiment))
        return experiment.id

    def duplicate_experiment(self, experiment_id: uuid.UUID) -> uuid.UUID:
        """Copy an experiment with fresh ids; returns the copy."""
        source = self.doc.experiment(experiment_id)
        data = renewed_ids(dump(source))
        data["name"] = self._unique_experiment_name(f"{source.name} copy")
        experiment = validated(Experiment, data)
        self._push(cmd.AddExperimentCommand(self.doc, experiment, text=f'Duplicate experiment "{source.name}"'))
        return experiment.id

    def rename_experiment(self, experiment_id: uuid.UUID, name: str) -> None:
        """Rename an experiment; refuses a name another experiment has."""
        old = self.doc.experiment(experiment_id)
        new = updated(old, {"name": name.strip()})
        if new.name == old.name:
            return
        if any(e.name == new.name for e in self.doc.design.experiments if e.id != experiment_id):
            raise EditRejected([FieldError("name", f'"{new.name}" is already the name of another experiment')])
        self._push(cmd.EditExperimentCommand(self.doc, old, new, f'Rename experiment "{old.name}" to "{new.name}"'))

    def set_experiment_description(self, experiment_id: uuid.UUID, description: str) -> None:
        """Edit an experiment's description."""
        old = self.doc.experiment(experiment_id)
        new = updated(old, {"description": description})
        if new != old:
            self._push(cmd.EditExperimentCommand(self.doc, old, new, f'Describe experiment "{old.name}"'))

    def remove_experiment(self, experiment_id: uuid.UUID) -> None:
        """Delete an experiment with its faults."""
        self._push(cmd.RemoveExperimentCommand(self.doc, experiment_id))

    def fault_kinds_for(self, target: str | uuid.UUID) -> tuple[str, ...]:
        """Fault kinds that make sense for a target: a component or link, by id or by name."""
        design = self.doc.design
        if design.targets_link(target):
            return LINK_FAULT_KINDS if design.find_link(target) is not None else ()
        component = design.find_component(target)
        if component is None:
            return ()
        return fault_kinds_for(component)

    def fault_target_choices(self, kind: str) -> list[tuple[uuid.UUID, str]]:
        """(id, name) of what a fault of this kind can be aimed at, components first."""
        design = self.doc.design
        out = [(c.id, c.name) for c in design.components if kind in self.fault_kinds_for(c.id)]
        if kind in LINK_FAULT_KINDS:
            out += [(link.id, link.name) for link in design.links]
        return out

    def fault_targets(self, kind: str) -> list[str]:
        """Names of what a fault of this kind can be aimed at, components first."""
        return [name for _id, name in self.fault_target_choices(kind)]

    def add_fault(self, experiment_id: uuid.UUID, kind: str, target: str | uuid.UUID, **fields) -> uuid.UUID:
        """Add a fault of ``kind`` aimed at ``target`` (by id or name); refuses targets the kind cannot hit;
        returns its id. Its window is the model's (the whole run) unless ``fields`` give one: the Faults
        pane gives a new fault the middle of the run (``Experiment.new_fault_window``)."""
        design = self.doc.design
        if kind not in self.fault_kinds_for(target):
            where = "link" if design.targets_link(target) else "component"
            message = f'a {kind_label(kind)} fault cannot target the {where} "{design.name_of(target)}"'
            raise EditRejected([FieldError("target", message)])
        fault = validated(FAULT_CLASSES[kind], {"target": design.ref_to(target), **fields})
        old = self.doc.experiment(experiment_id)
        new = old.model_copy(update={"faults": [*old.faults, fault]})
        self._push(cmd.AddFaultCommand(self.doc, old, new, fault))
        return fault.id

    def set_fault_fields(self, experiment_id: uuid.UUID, fault_id: uuid.UUID, changes: dict[str, Any],
                         merge: bool = True) -> None:
        """Edit a fault's parameters (target included); rapid edits of one field merge."""
        old = self.doc.experiment(experiment_id)
        fault = self.doc.fault(experiment_id, fault_id)
        target = changes.get("target")
        if target is not None:
            if fault.kind not in self.fault_kinds_for(target):
                shown = self.doc.design.name_of(target)
                raise EditRejected([FieldError("target", f'a {fault.title} fault cannot target "{shown}"')])
            changes = {**changes, "target": self.doc.design.ref_to(target)}
        new_fault = updated(fault, changes)
        if new_fault == fault:
            return
        new = old.model_copy(update={"faults": [new_fault if f.id == fault_id else f for f in old.faults]})
        field = next(iter(changes)) if merge and len(changes) == 1 else None
        self._push_edit(cmd.EditFaultCommand(self.doc, old, new, fault, field), fault, new_fault, changes)

    def remove_fault(self, experiment_id: uuid.UUID, fault_id: uuid.UUID) -> None:
        """Remove a fault from its experiment."""
        old = self.doc.experiment(experiment_id)
        fault = self.doc.fault(experiment_id, fault_id)
        new = old.model_copy(update={"faults": [f for f in old.faults if f.id != fault_id]})
        self._push(cmd.RemoveFaultCommand(self.doc, old, new, fault))

    # -- designs ------------------------------------------------------------------
    def add_design(self, name: str | None = None) -> uuid.UUID:
        """Add an empty design with a free name and show it; returns its id."""
        taken = {d.name for d in self.doc.project.designs}
        base = name or "Design"
        name, n = base, 2
        while name in taken:
            name, n = f"{base} {n}", n + 1
        design = Design(name=name)
        self._push(cmd.AddDesignCommand(self.doc, design, len(self.doc.project.designs)))
        return design.id

    def rename_design(self, design_id: uuid.UUID, name: str) -> None:
        """Rename a design; refuses empty names and names another design has."""
        design = self.doc.design_by_id(design_id)
        name = name.strip()
        if not name:
            raise EditRejected([FieldError("name", "a design needs a name")])
        if len(name) > 200:
            raise EditRejected([FieldError("name", "at most 200 characters")])
        if any(d.name == name for d in self.doc.project.designs if d.id != design_id):
            raise EditRejected([FieldError("name", f'"{name}" is already the name of another design')])
        if name != design.name:
            self._push(cmd.EditDesignCommand(self.doc, design_id, name, design.description))

    def set_design_description(self, design_id: uuid.UUID, description: str) -> None:
        """Edit a design's notes."""
        design = self.doc.design_by_id(design_id)
        if len(description) > 100_000:
            raise EditRejected([FieldError("description", "notes are limited to 100,000 characters")])
        if description != design.description:
            self._push(cmd.EditDesignCommand(self.doc, design_id, design.name, description))

    def remove_design(self, design_id: uuid.UUID) -> None:
        """Delete a design (a project keeps at least one)."""
        if len(self.doc.project.designs) <= 1:
            raise EditRejected([FieldError("", "a project keeps at least one design")])
        self._push(cmd.RemoveDesignCommand(self.doc, design_id))


def _listed(fragment: dict, key: str) -> list:
    """The list a clipboard fragment holds under ``key`` (none: empty); refuses anything else."""
    items = fragment.get(key) or []
    if not isinstance(items, list):
        raise EditRejected([FieldError("", f'the clipboard\'s "{key}" is not a list')])
    return items


def _rescoped(policies: list, copies: dict[str, uuid.UUID]) -> set[int]:
    """Put a pasted component's policies' scopes on the copies of the dependencies copied along; the
    places of those whose dependency was not copied, which fall back to all calls."""
    fallen = set()
    for i, policy in enumerate(policies):
        if isinstance(policy, dict) and policy.get("scope") is not None:
            policy["scope"] = copies.get(str(policy["scope"]))
            if policy["scope"] is None:
                fallen.add(i)
    return fallen


def _without_clashes(component, fallen: set[int]):
    """``component`` less the policies fallen back to all calls (``fallen``, by place) that would clash
    with its others (``policy_conflicts``: two retries for every call, a retry beside a hedging): the
    copy would not run, and the one left out guarded calls the copy does not make."""
    policies = component.policies
    kept = [p for i, p in enumerate(policies) if i not in fallen]
    dropped = set()
    for i in sorted(fallen):
        if policies[i].enabled and policy_conflicts(kept, policies[i].kind, None):
            dropped.add(i)
        else:
            kept.append(policies[i])
    if not dropped:
        return component
    return component.model_copy(update={"policies": [p for i, p in enumerate(policies) if i not in dropped]})


def _pasted_position(data: dict, offset: tuple[float, float]) -> dict[str, float]:
    """Where the copy of a component goes: its position in the fragment moved by ``offset``."""
    raw = data.get("position") or {}
    try:
        position = validated(Position, raw if isinstance(raw, dict) else {"x": raw})
    except EditRejected as exc:
        raise _in_clipboard(data["name"], exc, "position") from None
    return {"x": position.x + offset[0], "y": position.y + offset[1]}


def _validated_copy(data: dict):
    """A pasted component as its model, or EditRejected naming it (a fragment may be written by hand)."""
    try:
        return validated(COMPONENT_CLASSES[data["kind"]], data)
    except EditRejected as exc:
        raise _in_clipboard(data["name"], exc) from None


def _in_clipboard(name: str, exc: EditRejected, within: str = "") -> EditRejected:
    """``exc`` said of the component ``name`` of the clipboard: no form field shows it, the message does."""
    def said(error: FieldError) -> str:
        field = " ".join(part for part in (within, error.path.replace(".", " ")) if part)
        return f'"{name}" in the clipboard: ' + (f"{field} {error.message}" if field else error.message)

    return EditRejected([FieldError("", said(e)) for e in exc.errors])


def _path(design: Design, start: uuid.UUID, goal: uuid.UUID) -> list | None:
    """A call path (of component ids) from ``start`` to ``goal`` along existing links, if there is one."""
    outgoing: dict = {}
    for link in design.links:
        outgoing.setdefault(link.source, []).append(link.target)
    stack, seen = [(start, [start])], {start}
    while stack:
        node, path = stack.pop()
        if node == goal:
            return path
        for nxt in outgoing.get(node, []):
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, path + [nxt]))
    return None
