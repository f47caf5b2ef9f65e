"""The open project: designs as engine.model objects, the undo stack and the signals views follow."""
from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from engine.model import Design, Experiment, Link, Position, Project

from .commands import KeepRunsCommand, RelabelRunsCommand, RemoveRunsCommand


class ProjectDocument(QObject):
    """The project being edited.

    Views read it and push commands; only commands call the mutators below
    (``insert_*``, ``remove_*``, ``replace_*``, ``move_components``, ``pop_runs``),
    and each mutator announces what happened with a past-tense signal carrying
    ids. ``keep_runs``, ``remove_runs`` and ``relabel_runs`` are not mutators: each
    pushes the undo command that calls the kept-run mutators.
    Inside ``batch()`` (an undo command made of many steps, redone or undone)
    the per-item signals still go out as each step happens, but ``edited`` and
    ``selection_changed`` are held back and announced once when it ends: the
    whole change is then complete, and panes refresh once, not once per item.
    Model objects are never changed in place: an edit replaces the object
    with a validated copy, so a view can keep comparing by identity.
    """

    component_added = Signal(object)  # component id
    component_removed = Signal(object)
    component_changed = Signal(object)
    components_moved = Signal(list)  # [component id]
    link_added = Signal(object)
    link_removed = Signal(object)
    link_changed = Signal(object)
    policy_added = Signal(object, object)  # component id, policy id
    policy_removed = Signal(object, object)
    policy_changed = Signal(object, object)
    experiment_added = Signal(object)
    experiment_removed = Signal(object)
    experiment_changed = Signal(object)
    fault_added = Signal(object, object)  # experiment id, fault id
    fault_removed = Signal(object, object)
    fault_changed = Signal(object, object)
    design_added = Signal(object)
    design_removed = Signal(object)
    design_changed = Signal(object)  # name or description
    design_switched = Signal(object)  # the current design is another one: views rebuild
    project_replaced = Signal()
    selection_changed = Signal(list)
    current_experiment_changed = Signal(object)  # experiment id or None
    modified_changed = Signal(bool)
    saved = Signal()  # a save holds the content now (an undo back to the saved state is clean but no save)
    path_changed = Signal(object)  # Path or None
    edited = Signal()  # after any mutation (once after a batch): problems, titles and panes refresh from this
    runs_changed = Signal()  # runs kept, removed or renamed

    def __init__(self, project: Project | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._on_clean_changed)
        # Counts every change of content (an edit, an undo or redo, kept runs, another project):
        # a save that took a snapshot at one count has written what the document holds only
        # while the count is the same.
        self._generation = 0
        self.undo_stack.indexChanged.connect(self._count_change)
        self._project = project or new_project()
        self._path: Path | None = None
        self._runs: list = []
        self._design_id = self._project.designs[0].id
        self._selection: list[uuid.UUID] = []
        self._experiment_id: uuid.UUID | None = self._first_experiment_id()
        # Lazily built indexes: 500-component designs are looked up by id on every signal.
        self._index: dict[uuid.UUID, tuple[str, Any]] | None = None
        self._problems: list | None = None
        self._names: dict[str, Any] = {}
        # batch(): how deep, whether an edit is held back, and the selection when it began.
        self._batch_depth = 0
        self._batch_edited = False
        self._batch_selection: list[uuid.UUID] = []
        from .editor import DocumentEditor

        self.edit = DocumentEditor(self)

    def _on_clean_changed(self, clean: bool) -> None:
        self.modified_changed.emit(not clean)

    def _count_change(self, *_args) -> None:
        self._generation += 1

    @property
    def generation(self) -> int:
        """A number that changes whenever the content does; see ``mark_saved``."""
        return self._generation

    # -- batches: one announcement for a change made of many steps ---------------
    @property
    def batching(self) -> bool:
        """True while a ``batch()`` is under way: ``edited`` and ``selection_changed`` come at its end."""
        return self._batch_depth > 0

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Hold back ``edited`` and ``selection_changed`` until the outermost batch ends, then
        announce each once (the selection only if it differs from when the batch began)."""
        if self._batch_depth == 0:
            self._batch_edited = False
            self._batch_selection = list(self._selection)
        self._batch_depth += 1
        try:
            yield
        finally:
            self._batch_depth -= 1
            if self._batch_depth == 0:
                if self._selection != self._batch_selection:
                    self.selection_changed.emit(list(self._selection))
                if self._batch_edited:
                    self._batch_edited = False
                    self.edited.emit()

    def _announce_edit(self) -> None:
        if self._batch_depth:
            self._batch_edited = True
        else:
            self.edited.emit()

    def _announce_selection(self) -> None:
        if not self._batch_depth:
            self.selection_changed.emit(list(self._selection))

    # -- kept runs ------------------------------------------------------------
    # Keeping, deleting and renaming kept runs are undo steps like design edits: a run can take
    # many minutes, and one deleted by mistake must come back with Edit > Undo. The three public
    # methods push the command; the mutators after them are for the commands alone.
    @property
    def runs(self) -> tuple:
        """The runs kept in the project, oldest first; change them with the methods below."""
        return tuple(self._runs)

    def keep_runs(self, records: Iterable, name: str | None = None) -> None:
        """Keep run records (the store's ``SavedRun``) in the project, after those kept before, as one
        undo step; ``name``: what the user calls them (a comparison's variants are one run)."""
        records = list(records)
        if records:
            self.undo_stack.push(KeepRunsCommand(self, records, name))

    def remove_runs(self, run_ids: Iterable[uuid.UUID], name: str | None = None) -> None:
        """Drop the kept runs with these ids as one undo step; unknown ids are ignored."""
        ids = set(run_ids)
        if any(r.id in ids for r in self._runs):
            self.undo_stack.push(RemoveRunsCommand(self, ids, name))

    def relabel_runs(self, labels: dict[uuid.UUID, str], name: str | None = None) -> None:
        """Give kept runs new labels, by run id, as one undo step (none when no label changes)."""
        old = {r.id: r.label for r in self._runs if r.id in labels and r.label != labels[r.id]}
        if old:
            self.undo_stack.push(RelabelRunsCommand(self, old, {i: labels[i] for i in old}, name))

    def insert_runs(self, placed: Iterable[tuple[int, Any]]) -> None:
        """Mutator: put run records back at their indexes (ascending, as ``pop_runs`` returns them)."""
        for index, record in placed:
            self._runs.insert(index, record)
        self.runs_changed.emit()

    def pop_runs(self, run_ids: Iterable[uuid.UUID]) -> list[tuple[int, Any]]:
        """Mutator: take out the kept runs with these ids; returns them with their indexes for undo."""
        ids = set(run_ids)
        placed = [(i, r) for i, r in enumerate(self._runs) if r.id in ids]
        self._runs = [r for r in self._runs if r.id not in ids]
        self.runs_changed.emit()
        return placed

    def replace_run_labels(self, labels: dict[uuid.UUID, str]) -> None:
        """Mutator: set kept runs' labels, by run id (records are replaced, never changed in place)."""
        self._runs = [dataclasses.replace(r, label=labels[r.id]) if r.id in labels else r for r in self._runs]
        self.runs_changed.emit()

    # -- project ------------------------------------------------------------
    @property
    def project(self) -> Project:
        """The project being edited (read it; change it only through commands)."""
        return self._project

    @property
    def path(self) -> Path | None:
        """The file the project was opened from or saved to, if any."""
        return self._path

    def set_path(self, path: str | Path | None) -> None:
        """Remember the file behind the project."""
        self._path = Path(path) if path is not None else None
        self.path_changed.emit(self._path)

    @property
    def modified(self) -> bool:
        """Whether there are changes since the last save (from the undo stack)."""
        return not self.undo_stack.isClean()

    def mark_saved(self, path: str | Path | None = None, generation: int | None = None) -> bool:
        """Record that the file (at ``path`` if given) holds the content at ``generation``, read when
        the snapshot was taken (by default: the content now). True if that is still the content,
        which is then clean; False if it changed since (a save on a worker thread while the user
        went on editing), which then stays modified."""
        if path is not None:
            self.set_path(path)
        if generation is not None and generation != self._generation:
            self.undo_stack.resetClean()
            return False
        self.undo_stack.setClean()
        self.saved.emit()
        return True

    def load(self, project: Project, path: str | Path | None = None, runs: Iterable = (),
             modified: bool = False) -> None:
        """Replace the whole project (open, new, revert, recover); history starts afresh."""
        if not project.designs:
            project = project.model_copy(update={"designs": [Design(name="Design 1")]})
        self._project = project
        self._runs = list(runs)
        self._design_id = project.designs[0].id
        self._selection = []
        self._experiment_id = self._first_experiment_id()
        self._invalidate()
        self._count_change()
        self.undo_stack.clear()
        self._path = Path(path) if path is not None else None
        self.project_replaced.emit()
        self.design_switched.emit(self._design_id)
        self.path_changed.emit(self._path)
        self.selection_changed.emit([])
        self.current_experiment_changed.emit(self._experiment_id)
        if modified:
            # A recovered autosave differs from what is on disk: no clean state to return to.
            self.undo_stack.resetClean()
        self.modified_changed.emit(self.modified)
        self.edited.emit()

    def snapshot(self) -> Project:
        """A copy of the project for saving or exporting, independent of later edits.

        Components, links, experiments and their parts are never changed in place (see the class
        notes): the copy shares them and copies only what edits do change in place, the project,
        its designs, their lists and links. A 500-component project takes about a millisecond,
        where a deep copy took 75 ms of the window's time on every save and autosave.
        """
        designs = [design_snapshot(d) for d in self._project.designs]
        return self._project.model_copy(update={"designs": designs})

    def design_snapshot(self) -> Design:
        """The current design as ``snapshot`` copies it: what a run's worker reads in its own
        thread while the user goes on editing."""
        return design_snapshot(self.design)

    def problems(self) -> list:
        """The current design's problems (engine.model ``Problem``s), computed once per edit."""
        if self._problems is None:
            self._problems = self.design.problems()
        return list(self._problems)

    def _invalidate(self) -> None:
        """Every mutation and design switch: drop the id index and the problems computed for the old state."""
        self._index = None
        self._problems = None

    # -- designs --------------------------------------------------------------
    @property
    def design(self) -> Design:
        """The design shown on the canvas."""
        return self.design_by_id(self._design_id)

    def design_by_id(self, design_id: uuid.UUID) -> Design:
        """A design of the project by id."""
        for d in self._project.designs:
            if d.id == design_id:
                return d
        raise KeyError(design_id)

    def set_current_design(self, design_id: uuid.UUID) -> None:
        """Show another design of the project (not an edit: no undo step)."""
        if design_id == self._design_id:
            return
        self.design_by_id(design_id)
        self._design_id = design_id
        self._invalidate()
        self._selection = []
        self._experiment_id = self._first_experiment_id()
        self.design_switched.emit(design_id)
        self._announce_selection()
        self.current_experiment_changed.emit(self._experiment_id)

    def _show(self, design_id: uuid.UUID) -> Design:
        """The design a command works on, made current so that the user sees what undo does."""
        self.set_current_design(design_id)
        return self.design

    def insert_design(self, design: Design, index: int) -> None:
        """Mutator: add a design at ``index`` and show it."""
        self._project.designs.insert(index, design)
        self.design_added.emit(design.id)
        self.set_current_design(design.id)
        self._announce_edit()

    def remove_design(self, design_id: uuid.UUID) -> tuple[Design, int]:
        """Mutator: remove a design; returns it with its index for undo."""
        index = next(i for i, d in enumerate(self._project.designs) if d.id == design_id)
        design = self._project.designs.pop(index)
        if design_id == self._design_id:
            self._design_id = self._project.designs[min(index, len(self._project.designs) - 1)].id
            self._invalidate()
            self._selection = []
            self._experiment_id = self._first_experiment_id()
            self.design_switched.emit(self._design_id)
            self.current_experiment_changed.emit(self._experiment_id)
        self.design_removed.emit(design_id)
        self._announce_edit()
        return design, index

    def replace_design_fields(self, design_id: uuid.UUID, name: str, description: str) -> None:
        """Mutator: set a design's name and notes."""
        design = self._show(design_id)
        self._invalidate()
        design.name = name
        design.description = description
        self.design_changed.emit(design_id)
        self._announce_edit()

    # -- look-ups -------------------------------------------------------------
    def _lookup(self) -> dict[uuid.UUID, tuple[str, Any]]:
        if self._index is None:
            design = self.design
            index: dict[uuid.UUID, tuple[str, Any]] = {}
            names: dict[str, Any] = {}
            for c in design.components:
                index[c.id] = ("component", c)
                names.setdefault(c.name, c)
            for link in design.links:
                index[link.id] = ("link", link)
            self._index = index
            self._names = names
        return self._index

    def component(self, component_id: uuid.UUID):
        """A component of the current design by id."""
        kind, obj = self._lookup()[component_id]
        if kind != "component":
            raise KeyError(component_id)
        return obj

    def link(self, link_id: uuid.UUID) -> Link:
        """A link of the current design by id."""
        kind, obj = self._lookup()[link_id]
        if kind != "link":
            raise KeyError(link_id)
        return obj

    def kind_of(self, item_id: uuid.UUID) -> str | None:
        """'component', 'link' or None for an id of the current design."""
        entry = self._lookup().get(item_id)
        return entry[0] if entry else None

    def component_named(self, name: str | uuid.UUID):
        """A component of the current design by name (or by the id a reference holds), or None."""
        lookup = self._lookup()
        if isinstance(name, uuid.UUID):
            entry = lookup.get(name)
            return entry[1] if entry is not None and entry[0] == "component" else None
        return self._names.get(name)

    def experiment(self, experiment_id: uuid.UUID) -> Experiment:
        """An experiment of the current design by id."""
        for e in self.design.experiments:
            if e.id == experiment_id:
                return e
        raise KeyError(experiment_id)

    def fault(self, experiment_id: uuid.UUID, fault_id: uuid.UUID):
        """A fault of an experiment by id."""
        for f in self.experiment(experiment_id).faults:
            if f.id == fault_id:
                return f
        raise KeyError(fault_id)

    def policy(self, component_id: uuid.UUID, policy_id: uuid.UUID):
        """A policy of a component by id."""
        for p in self.component(component_id).policies:
            if p.id == policy_id:
                return p
        raise KeyError(policy_id)

    def _component_index(self, design: Design, component_id: uuid.UUID) -> int:
        return next(i for i, c in enumerate(design.components) if c.id == component_id)

    def _link_index(self, design: Design, link_id: uuid.UUID) -> int:
        return next(i for i, link in enumerate(design.links) if link.id == link_id)

    def _experiment_index(self, design: Design, experiment_id: uuid.UUID) -> int:
        return next(i for i, e in enumerate(design.experiments) if e.id == experiment_id)

    # -- component mutators ---------------------------------------------------
    def insert_component(self, design_id: uuid.UUID, component, index: int | None = None) -> None:
        """Mutator: add a component (at ``index`` to restore an order)."""
        design = self._show(design_id)
        component = design.resolve(component)
        design.components.insert(len(design.components) if index is None else index, component)
        self._invalidate()
        self.component_added.emit(component.id)
        self._announce_edit()

    def remove_component(self, design_id: uuid.UUID, component_id: uuid.UUID) -> tuple[Any, int]:
        """Mutator: remove a component; returns it with its index for undo."""
        design = self._show(design_id)
        index = self._component_index(design, component_id)
        component = design.components.pop(index)
        self._invalidate()
        self._drop_from_selection([component_id])
        self.component_removed.emit(component_id)
        self._announce_edit()
        return component, index

    def replace_component(self, design_id: uuid.UUID, component) -> None:
        """Mutator: replace a component by an edited copy (same id); announces policy changes too."""
        design = self._show(design_id)
        index = self._component_index(design, component.id)
        old = design.components[index]
        component = design.resolve(component)
        design.components[index] = component
        self._invalidate()
        self.component_changed.emit(component.id)
        old_policies = {p.id: p for p in old.policies}
        new_policies = {p.id: p for p in component.policies}
        for pid in old_policies.keys() - new_policies.keys():
            self.policy_removed.emit(component.id, pid)
        for pid, policy in new_policies.items():
            if pid not in old_policies:
                self.policy_added.emit(component.id, pid)
            elif old_policies[pid] != policy:
                self.policy_changed.emit(component.id, pid)
        self._announce_edit()

    def move_components(self, design_id: uuid.UUID, positions: dict[uuid.UUID, Position]) -> None:
        """Mutator: set the positions of several components at once."""
        design = self._show(design_id)
        for i, c in enumerate(design.components):
            if c.id in positions:
                design.components[i] = c.model_copy(update={"position": positions[c.id]})
        self._invalidate()
        self.components_moved.emit(list(positions))
        self._announce_edit()

    # -- link mutators --------------------------------------------------------
    def insert_link(self, design_id: uuid.UUID, link: Link, index: int | None = None) -> None:
        """Mutator: add a link (at ``index`` to restore an order)."""
        design = self._show(design_id)
        link = design.resolve(link)
        design.adopt(link)
        design.links.insert(len(design.links) if index is None else index, link)
        self._invalidate()
        self.link_added.emit(link.id)
        self._announce_edit()

    def remove_link(self, design_id: uuid.UUID, link_id: uuid.UUID) -> tuple[Link, int]:
        """Mutator: remove a link; returns it with its index for undo."""
        design = self._show(design_id)
        index = self._link_index(design, link_id)
        link = design.links.pop(index)
        self._invalidate()
        self._drop_from_selection([link_id])
        self.link_removed.emit(link_id)
        self._announce_edit()
        return link, index

    def replace_link(self, design_id: uuid.UUID, link: Link) -> None:
        """Mutator: replace a link by an edited copy (same id)."""
        design = self._show(design_id)
        link = design.resolve(link)
        design.adopt(link)
        design.links[self._link_index(design, link.id)] = link
        self._invalidate()
        self.link_changed.emit(link.id)
        self._announce_edit()

    # -- experiment and fault mutators ---------------------------------------
    def insert_experiment(self, design_id: uuid.UUID, experiment: Experiment, index: int | None = None) -> None:
        """Mutator: add an experiment and make it current."""
        design = self._show(design_id)
        self._invalidate()
        experiment = design.resolve(experiment)
        design.experiments.insert(len(design.experiments) if index is None else index, experiment)
        self.experiment_added.emit(experiment.id)
        self.set_current_experiment(experiment.id)
        self._announce_edit()

    def remove_experiment(self, design_id: uuid.UUID, experiment_id: uuid.UUID) -> tuple[Experiment, int]:
        """Mutator: remove an experiment; returns it with its index for undo."""
        design = self._show(design_id)
        self._invalidate()
        index = self._experiment_index(design, experiment_id)
        experiment = design.experiments.pop(index)
        self.experiment_removed.emit(experiment_id)
        if self._experiment_id == experiment_id:
            self.set_current_experiment(self._first_experiment_id())
        self._announce_edit()
        return experiment, index

    def replace_experiment(self, design_id: uuid.UUID, experiment: Experiment) -> None:
        """Mutator: replace an experiment by an edited copy; announces fault changes too."""
        design = self._show(design_id)
        self._invalidate()
        index = self._experiment_index(design, experiment.id)
        old = design.experiments[index]
        experiment = design.resolve(experiment)
        design.experiments[index] = experiment
        self.experiment_changed.emit(experiment.id)
        old_faults = {f.id: f for f in old.faults}
        new_faults = {f.id: f for f in experiment.faults}
        for fid in old_faults.keys() - new_faults.keys():
            self.fault_removed.emit(experiment.id, fid)
        for fid, fault in new_faults.items():
            if fid not in old_faults:
                self.fault_added.emit(experiment.id, fid)
            elif old_faults[fid] != fault:
                self.fault_changed.emit(experiment.id, fid)
        self._announce_edit()

    # -- selection and the current experiment (view state, not undoable) -----
    @property
    def selection(self) -> list[uuid.UUID]:
        """Selected component and link ids, in the order they were selected."""
        return list(self._selection)

    def set_selection(self, ids: Iterable[uuid.UUID]) -> None:
        """Select these ids (unknown ones are dropped); announced only when it changes."""
        ids = [i for i in dict.fromkeys(ids) if i in self._lookup()]
        if ids != self._selection:
            self._selection = ids
            self._announce_selection()

    def _drop_from_selection(self, ids: list[uuid.UUID]) -> None:
        gone = set(ids)  # a list looked through for each selected item: a bulk delete was quadratic
        if not gone.isdisjoint(self._selection):
            self._selection = [i for i in self._selection if i not in gone]
            self._announce_selection()

    def selected_components(self) -> list:
        """The selected components (links left out)."""
        return [self.component(i) for i in self._selection if self.kind_of(i) == "component"]

    @property
    def current_experiment(self) -> Experiment | None:
        """The experiment whose faults the panes show and the canvas badges, if any."""
        if self._experiment_id is None:
            return None
        try:
            return self.experiment(self._experiment_id)
        except KeyError:
            return None

    def set_current_experiment(self, experiment_id: uuid.UUID | None) -> None:
        """Choose the current experiment (not an edit: no undo step)."""
        if experiment_id != self._experiment_id:
            self._experiment_id = experiment_id
            self.current_experiment_changed.emit(experiment_id)

    def _first_experiment_id(self) -> uuid.UUID | None:
        design = self.design
        return design.experiments[0].id if design.experiments else None


def new_project() -> Project:
    """An empty project with one empty design."""
    return Project(name="Untitled project", designs=[Design(name="Design 1")])


def design_snapshot(design: Design) -> Design:
    """A copy of ``design`` that later edits of it cannot reach, sharing its immutable parts.

    Edits change only the design and its three lists in place, so those are copied. Links are
    copied too (a link's fields are shared): a link names its ends through the design that holds
    it, and the copy's links must name them as the copy has them, not as the edited design does.
    """
    links = [link.model_copy() for link in design.links]
    copy = design.model_copy(update={"components": list(design.components), "links": links,
                                     "experiments": list(design.experiments)})
    copy.adopt(*links)
    return copy
