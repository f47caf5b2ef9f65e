"""Undo commands. Each one calls only the document's mutators, in redo and in undo.

Composite edits (removing a component with its links and the faults aimed at
it) are one parent command with child commands, so that one undo restores all
of it. Links, scopes and fault targets hold ids, so a rename is the name alone.
"""
from __future__ import annotations

import time
import uuid
from collections.abc import Hashable
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from PySide6.QtGui import QUndoCommand

from engine.model import Design, Experiment, Link, Position

from .wording import change_text, change_text_of

# Rapid edits of one field merge only while they keep coming: a pause this long starts a new step.
MERGE_WINDOW_S = 2.0
_MERGE_ID = 1001


class MacroCommand(QUndoCommand):
    """A command made of sub-commands, redone in order and undone in reverse.

    Qt's own parent/child commands are not used: PySide would own each child
    twice (its Python wrapper and its C++ parent) and delete it twice when
    the stack drops the parent.
    """

    def __init__(self, text: str = "", parent: MacroCommand | None = None):
        super().__init__(text)
        self.subcommands: list[QUndoCommand] = []
        if parent is not None:
            parent.subcommands.append(self)

    def redo(self):
        with self._batch():
            for command in self.subcommands:
                command.redo()

    def undo(self):
        with self._batch():
            for command in reversed(self.subcommands):
                command.undo()

    def _document(self):
        """The document the sub-commands edit (None for an empty macro)."""
        document = getattr(self, "document", None)
        if document is not None:
            return document
        for command in self.subcommands:
            if isinstance(command, MacroCommand) and (document := command._document()) is not None:
                return document
        return None

    def _batch(self) -> AbstractContextManager[None]:
        """Several steps are one change: the document announces ``edited`` and the selection once, at the end."""
        document = self._document() if self.subcommands else None
        return document.batch() if document is not None else nullcontext()


class _DocumentCommand(MacroCommand):
    def __init__(self, document, text: str, parent: MacroCommand | None = None):
        super().__init__(text, parent)
        self.document = document
        self.design_id: uuid.UUID = document.design.id


class _MergeableReplace(_DocumentCommand):
    """Replace one object by an edited copy; consecutive edits of the same field merge."""

    def __init__(self, document, old: Any, new: Any, text: str, merge_key: Hashable | None = None,
                 parent: MacroCommand | None = None):
        super().__init__(document, text, parent)
        self.old, self.new = old, new
        self.merge_key = merge_key
        self._stamp = time.monotonic()

    def id(self) -> int:
        return _MERGE_ID if self.merge_key is not None else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, _MergeableReplace) or type(other) is not type(self):
            return False
        if other.merge_key != self.merge_key or other.design_id != self.design_id:
            return False
        if other._stamp - self._stamp > MERGE_WINDOW_S:
            return False
        self.new = other.new
        self._stamp = other._stamp
        self.setText(other.text())  # "Change api workers to 8": the value the merged edits ended on
        # An edit typed back to where it started is no step at all.
        self.setObsolete(self.new == self.old)
        return True


# -- components -------------------------------------------------------------
class AddComponentCommand(_DocumentCommand):
    """Add one component (at the end, or at ``index`` to restore an order)."""

    def __init__(self, document, component, index: int | None = None, parent=None):
        super().__init__(document, f'Add {component.kind.replace("_", " ")} "{component.name}"', parent)
        self.component, self.index = component, index

    def redo(self):
        self.document.insert_component(self.design_id, self.component, self.index)

    def undo(self):
        self.document.remove_component(self.design_id, self.component.id)


class RemoveComponentCommand(_DocumentCommand):
    """Remove a component; its links and the faults aimed at it go with it as child commands."""

    def __init__(self, document, component_id: uuid.UUID, skip_links: set | None = None,
                 remove_faults: bool = True, parent=None, links: list | None = None):
        """``links``: the component's links, when the caller has them (a bulk delete finds every
        component's at once; looked up here, each component looked through every link)."""
        component = document.component(component_id)
        super().__init__(document, f'Delete "{component.name}"', parent)
        self.component_id = component_id
        self.component = component
        self.index: int | None = None
        design = document.design
        gone = {component_id}
        for link in design.links if links is None else links:
            if component_id in (link.source, link.target):
                gone.add(link.id)
                if skip_links is None or link.id not in skip_links:
                    RemoveLinkCommand(document, link.id, parent=self)
                    if skip_links is not None:
                        skip_links.add(link.id)
        for experiment in design.experiments if remove_faults else ():
            kept = [f for f in experiment.faults if f.target not in gone]
            if len(kept) != len(experiment.faults):
                new = experiment.model_copy(update={"faults": kept})
                EditExperimentCommand(document, experiment, new, "Remove faults", parent=self)

    def redo(self):
        with self._batch():
            super().redo()
            self.component, self.index = self.document.remove_component(self.design_id, self.component_id)

    def undo(self):
        with self._batch():
            self.document.insert_component(self.design_id, self.component, self.index)
            super().undo()


class EditComponentCommand(_MergeableReplace):
    """Replace a component's parameters (not its name: see RenameComponentCommand)."""

    def __init__(self, document, old, new, field: str | None = None, parent=None, text: str | None = None):
        default_text = (change_text(old.name, new, field) if field else None) or \
            f'Edit "{old.name}"' + (f" {field.replace('_', ' ')}" if field else "")
        super().__init__(document, old, new, text or default_text,
                         merge_key=("component", old.id, field) if field else None, parent=parent)

    def redo(self):
        self.document.replace_component(self.design_id, self.new)

    def undo(self):
        self.document.replace_component(self.design_id, self.old)


class MoveComponentsCommand(_DocumentCommand):
    """One drag: every moved component, from where it was to where it was dropped."""

    def __init__(self, document, moves: dict[uuid.UUID, tuple[Position, Position]], parent=None,
                 text: str | None = None):
        n = len(moves)
        super().__init__(document, text or ("Move" if n == 1 else f"Move {n} components"), parent)
        self.moves = moves

    def redo(self):
        self.document.move_components(self.design_id, {i: new for i, (_old, new) in self.moves.items()})

    def undo(self):
        self.document.move_components(self.design_id, {i: old for i, (old, _new) in self.moves.items()})


class NudgeComponentsCommand(MoveComponentsCommand):
    """Arrow-key moves: a run of presses on the same selection is one undo step."""

    def __init__(self, document, moves, parent=None):
        super().__init__(document, moves, parent)
        self.setText("Nudge" if len(moves) == 1 else f"Nudge {len(moves)} components")
        self._stamp = time.monotonic()

    def id(self) -> int:
        return _MERGE_ID + 1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, NudgeComponentsCommand) or other.moves.keys() != self.moves.keys():
            return False
        if other.design_id != self.design_id or other._stamp - self._stamp > MERGE_WINDOW_S:
            return False
        self.moves = {i: (self.moves[i][0], other.moves[i][1]) for i in self.moves}
        self._stamp = other._stamp
        return True


class RenameComponentCommand(_DocumentCommand):
    """Rename a component. What refers to it holds its id, so nothing else changes."""

    def __init__(self, document, component_id: uuid.UUID, new_name: str, parent=None):
        component = document.component(component_id)
        super().__init__(document, f'Rename "{component.name}" to "{new_name}"', parent)
        EditComponentCommand(document, component, component.model_copy(update={"name": new_name}), parent=self)


# -- links --------------------------------------------------------------------
class AddLinkCommand(_DocumentCommand):
    """Add one link between two existing components."""

    def __init__(self, document, link: Link, index: int | None = None, parent=None,
                 names: dict[uuid.UUID, str] | None = None):
        # ``names``: the ends' names when they are not in the design yet (components pasted with it)
        super().__init__(document, f'Link "{document.design.link_name(link, names)}"', parent)
        self.link, self.index = link, index

    def redo(self):
        self.document.insert_link(self.design_id, self.link, self.index)

    def undo(self):
        self.document.remove_link(self.design_id, self.link.id)


class RemoveLinkCommand(_DocumentCommand):
    """Remove one link; undo puts it back at its old index."""

    def __init__(self, document, link_id: uuid.UUID, parent=None):
        link = document.link(link_id)
        super().__init__(document, f'Delete link "{document.design.link_name(link)}"', parent)
        self.link_id, self.link, self.index = link_id, link, None

    def redo(self):
        super().redo()
        self.link, self.index = self.document.remove_link(self.design_id, self.link_id)

    def undo(self):
        self.document.insert_link(self.design_id, self.link, self.index)
        super().undo()


class EditLinkCommand(_MergeableReplace):
    """Replace a link's call parameters; consecutive edits of one field merge."""

    def __init__(self, document, old: Link, new: Link, field: str | None = None, parent=None):
        name = document.design.link_name(old)
        text = (change_text(name, new, field) if field else None) or \
            f'Edit link "{name}"' + (f" {field}" if field else "")
        super().__init__(document, old, new, text,
                         merge_key=("link", old.id, field) if field else None, parent=parent)

    def redo(self):
        self.document.replace_link(self.design_id, self.new)

    def undo(self):
        self.document.replace_link(self.design_id, self.old)


# -- policies (stored in their component) -------------------------------------
class AddPolicyCommand(EditComponentCommand):
    """Attach a resilience policy (the component's policy list is replaced)."""

    def __init__(self, document, old, new, policy_title: str, parent=None):
        super().__init__(document, old, new, parent=parent, text=f'Add {policy_title} to "{old.name}"')


class RemovePolicyCommand(EditComponentCommand):
    """Detach a resilience policy from its component."""

    def __init__(self, document, old, new, policy_title: str, parent=None):
        super().__init__(document, old, new, parent=parent, text=f'Remove {policy_title} from "{old.name}"')


class EditPolicyCommand(EditComponentCommand):
    """Change a policy's parameters; consecutive edits of one field of one policy merge."""

    def __init__(self, document, old, new, policy_id: uuid.UUID, field: str | None, policy_title: str, parent=None,
                 text: str | None = None):
        super().__init__(document, old, new, parent=parent,
                         text=text or (change_text_of(f"{old.name} {policy_title.lower()}", new, policy_id, field)
                                       if field else None)
                         or f'Edit {policy_title} of "{old.name}"' + (f" {field.replace('_', ' ')}" if field else ""))
        self.merge_key = ("policy", old.id, policy_id, field) if field else None


# -- objectives (stored in their client) ---------------------------------------
class AddObjectiveCommand(EditComponentCommand):
    """Add a service-level objective to a client (the client's objective list is replaced)."""

    def __init__(self, document, old, new, objective_title: str, parent=None):
        super().__init__(document, old, new, parent=parent,
                         text=f'Add {objective_title.lower()} objective to "{old.name}"')


class RemoveObjectiveCommand(EditComponentCommand):
    """Remove a service-level objective from its client."""

    def __init__(self, document, old, new, objective_title: str, parent=None):
        super().__init__(document, old, new, parent=parent,
                         text=f'Remove {objective_title.lower()} objective from "{old.name}"')


class EditObjectiveCommand(EditComponentCommand):
    """Change an objective's parameters; consecutive edits of one field of one objective merge."""

    def __init__(self, document, old, new, objective_id: uuid.UUID, field: str | None, objective_title: str,
                 parent=None):
        super().__init__(document, old, new, parent=parent,
                         text=(change_text_of(f"{old.name} {objective_title.lower()} objective", new, objective_id,
                                              field) if field else None)
                         or f'Edit {objective_title.lower()} objective of "{old.name}"'
                         + (f" {field.replace('_', ' ')}" if field else ""))
        self.merge_key = ("objective", old.id, objective_id, field) if field else None


# -- experiments and faults ---------------------------------------------------
class AddExperimentCommand(_DocumentCommand):
    """Add an experiment (new or duplicated) and make it the current one."""

    def __init__(self, document, experiment: Experiment, index: int | None = None, text: str | None = None,
                 parent=None):
        super().__init__(document, text or f'Add experiment "{experiment.name}"', parent)
        self.experiment, self.index = experiment, index

    def redo(self):
        self.document.insert_experiment(self.design_id, self.experiment, self.index)

    def undo(self):
        self.document.remove_experiment(self.design_id, self.experiment.id)


class RemoveExperimentCommand(_DocumentCommand):
    """Remove an experiment with its faults; undo restores it at its index."""

    def __init__(self, document, experiment_id: uuid.UUID, parent=None):
        experiment = document.experiment(experiment_id)
        super().__init__(document, f'Delete experiment "{experiment.name}"', parent)
        self.experiment_id, self.experiment, self.index = experiment_id, experiment, None

    def redo(self):
        self.experiment, self.index = self.document.remove_experiment(self.design_id, self.experiment_id)

    def undo(self):
        self.document.insert_experiment(self.design_id, self.experiment, self.index)


class EditExperimentCommand(_MergeableReplace):
    """Replace an experiment (its name or its fault list) by an edited copy."""

    def __init__(self, document, old: Experiment, new: Experiment, text: str | None = None,
                 merge_key: Hashable | None = None, parent=None):
        super().__init__(document, old, new, text or f'Edit experiment "{old.name}"', merge_key=merge_key,
                         parent=parent)

    def redo(self):
        self.document.replace_experiment(self.design_id, self.new)

    def undo(self):
        self.document.replace_experiment(self.design_id, self.old)


class AddFaultCommand(EditExperimentCommand):
    """Add a fault to an experiment."""

    def __init__(self, document, old: Experiment, new: Experiment, fault, parent=None):
        super().__init__(document, old, new, f'Add {fault.title} fault on "{document.design.name_of(fault.target)}"',
                         parent=parent)


class RemoveFaultCommand(EditExperimentCommand):
    """Remove a fault from an experiment."""

    def __init__(self, document, old: Experiment, new: Experiment, fault, parent=None):
        super().__init__(document, old, new,
                         f'Remove {fault.title} fault on "{document.design.name_of(fault.target)}"', parent=parent)


class EditFaultCommand(EditExperimentCommand):
    """Change a fault's parameters; consecutive edits of one field of one fault merge."""

    def __init__(self, document, old: Experiment, new: Experiment, fault, field: str | None, parent=None):
        text = (change_text_of(f"{fault.title.lower()} fault", new, fault.id, field) if field else None) or \
            f"Edit {fault.title} fault" + (f" {field.replace('_', ' ')}" if field else "")
        super().__init__(document, old, new, text,
                         merge_key=("fault", old.id, fault.id, field) if field else None, parent=parent)


# -- designs ------------------------------------------------------------------
class AddDesignCommand(MacroCommand):
    """Add a design to the project and show it."""

    def __init__(self, document, design: Design, index: int, parent=None):
        super().__init__(f'Add design "{design.name}"', parent)
        self.document, self.design, self.index = document, design, index

    def redo(self):
        self.document.insert_design(self.design, self.index)

    def undo(self):
        self.document.remove_design(self.design.id)


class RemoveDesignCommand(MacroCommand):
    """Remove a design (the project keeps at least one)."""

    def __init__(self, document, design_id: uuid.UUID, parent=None):
        design = document.design_by_id(design_id)
        super().__init__(f'Delete design "{design.name}"', parent)
        self.document, self.design_id, self.design, self.index = document, design_id, design, None

    def redo(self):
        self.design, self.index = self.document.remove_design(self.design_id)

    def undo(self):
        self.document.insert_design(self.design, self.index)


class EditDesignCommand(MacroCommand):
    """Change a design's name or notes."""

    def __init__(self, document, design_id: uuid.UUID, name: str, description: str, parent=None):
        design = document.design_by_id(design_id)
        super().__init__(f'Rename design "{design.name}"' if name != design.name else "Edit design description", parent)
        self.document, self.design_id = document, design_id
        self.old = (design.name, design.description)
        self.new = (name, description)

    def redo(self):
        self.document.replace_design_fields(self.design_id, *self.new)

    def undo(self):
        self.document.replace_design_fields(self.design_id, *self.old)


# -- kept runs ----------------------------------------------------------------
# Runs are records of the project, not of a design: undoing one leaves the design on the canvas as it is.
def _run_name(records, name: str | None) -> str:
    """What the user calls the runs: the name given, else the first one's label."""
    return name or (records[0].label if records else "")


class KeepRunsCommand(MacroCommand):
    """Keep run records in the project, after those kept before."""

    def __init__(self, document, records: list, name: str | None = None, parent=None):
        super().__init__(f'Keep run "{_run_name(records, name)}"', parent)
        self.document = document
        start = len(document.runs)
        self.placed = [(start + i, r) for i, r in enumerate(records)]

    def redo(self):
        self.document.insert_runs(self.placed)

    def undo(self):
        self.document.pop_runs(r.id for _i, r in self.placed)


class RemoveRunsCommand(MacroCommand):
    """Delete kept runs (every variant of a comparison at once); undo puts each back where it was."""

    def __init__(self, document, run_ids: set[uuid.UUID], name: str | None = None, parent=None):
        records = [r for r in document.runs if r.id in run_ids]
        super().__init__(f'Delete kept run "{_run_name(records, name)}"', parent)
        self.document, self.run_ids = document, set(run_ids)
        self.placed: list[tuple[int, Any]] = []

    def redo(self):
        self.placed = self.document.pop_runs(self.run_ids)

    def undo(self):
        self.document.insert_runs(self.placed)


class RelabelRunsCommand(MacroCommand):
    """Rename kept runs: each record's label, by run id."""

    def __init__(self, document, old: dict[uuid.UUID, str], new: dict[uuid.UUID, str], name: str | None = None,
                 parent=None):
        super().__init__(f'Rename kept run "{name}"' if name else "Rename kept run", parent)
        self.document, self.old, self.new = document, old, new

    def redo(self):
        self.document.replace_run_labels(self.new)

    def undo(self):
        self.document.replace_run_labels(self.old)
