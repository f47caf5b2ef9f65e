"""Keeping runs in the project from the window: keep the shown run, delete or rename a kept one.

``KeptRuns`` is mixed into ``RunUi``. Each change is an undo step of the document, so the Runs
panel and whether the shown run is kept follow the document's ``runs_changed``, never the action
that asked: an undo or redo from the Edit menu changes them just as the action did.
"""
from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from .saved import RunGroup, group_runs, saved_runs_of

if TYPE_CHECKING:
    from ..document import ProjectDocument
    from .dashboard import Dashboard
    from .runs_panel import RunsPanel
    from .session import RunSession


class KeptRuns:
    """The run side's kept runs (a mixin: ``RunUi`` provides the window and the rest)."""

    if TYPE_CHECKING:
        window: Any
        doc: ProjectDocument
        dashboard: Dashboard
        runs_panel: RunsPanel
        session: RunSession | None

        def _update_actions(self, *_args) -> None: ...
        def _status(self, text: str) -> None: ...

    # The kept groups as last shown; None: another project, whose runs are not changes of these.
    _kept_ids: set[str] | None = None

    def refresh_runs(self) -> None:
        """Show the project's kept runs. The shown run is kept exactly while its group is among them:
        an undone delete keeps it again, an undone keep leaves it not kept."""
        groups = group_runs(self.doc.runs)
        ids = {g.id for g in groups}
        before, self._kept_ids = self._kept_ids, ids
        self.runs_panel.set_groups(groups)
        if before is None:
            return
        session = self.session
        if session is not None and session.done:
            shown = str(session.group_id)
            # Only a change of its own group: a run reopened from a group whose id is no run id
            # (files from elsewhere) was never found among them, and is kept all the same.
            if (shown in ids) != (shown in before):
                session.saved = shown in ids
        appeared = ids - before
        if len(appeared) == 1:  # kept, or brought back by an undo: show where it is
            self.runs_panel.select(next(iter(appeared)))
        self.dashboard.mark_kept()
        self._update_actions()

    def keep_run(self) -> RunGroup | None:
        """Keep the shown run in the project (saved with it by File > Save)."""
        session = self.session
        if session is None or not session.done or session.saved or not session.results():
            return None
        first = next(iter(session.results().values()))
        try:
            design_id = uuid.UUID(str(first.meta.get("design_id")))
        except ValueError:
            design_id = self.doc.design.id
        self.doc.keep_runs(saved_runs_of(session, design_id), name=session.title())
        self._status("Run kept in the project; save the project to store it in the file.")
        return next((g for g in self.runs_panel.groups if g.id == str(session.group_id)), None)

    def delete_group(self, group: RunGroup) -> bool:
        """Delete a kept run, every variant of a comparison at once. Nothing is asked first: it is
        an undo step, and the status bar says so. False if the project no longer held it."""
        ids = {r.id for r in group.runs}
        if not any(r.id in ids for r in self.doc.runs):
            return False
        self.doc.remove_runs(ids, name=group.label)
        self._status(f"Deleted kept run “{group.label}” — Edit > Undo brings it back")
        return True

    def rename_group(self, group: RunGroup, label: str) -> None:
        """Give a kept run (every variant of a comparison) a name of the user's choosing."""
        several = len(group.runs) > 1
        labels = {}
        for run in group.runs:
            suffix = run.label.rsplit(" — ", 1)[1] if several and " — " in run.label else ""
            labels[run.id] = f"{label} — {suffix}" if suffix else label
        self.doc.relabel_runs(labels, name=group.label)
        self.runs_panel.select(group.id)
