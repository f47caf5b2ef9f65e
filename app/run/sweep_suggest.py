"""The "Suggest fixes" window: standard mitigations tried on the current design, ranked.

The search (``engine.explore.suggest``) runs on a Python thread and reports
through queued signals only; Stop ends it after the candidate under way. Each
ranked candidate shows its objectives met, attainment with its interval, cost
and every change in words with its parameter paths; the selected one is set beside the design as
it is, objective by objective (better, worse), since a fix ranked first for the objectives it meets
may attain another less than the design did; "Apply This Fix" puts it
into the design as one undo step through the ``apply`` callback, but only into
the design it was found for: a fix is a whole changed copy of that design, and
the ranking measured it alone, not on top of later edits or another fix.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QItemSelectionModel, Qt, SignalInstance
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from app.document.document import design_snapshot
from engine.explore.suggest import Suggestions, suggest
from engine.model import Design, DesignError, counted, parse_options

from .plot_style import esc
from .sweep_common import (
    NO_FAULTS,
    BackgroundSearchDialog,
    FollowedDuration,
    add_spin,
    fill_table,
    fit_dialog,
    objective_names,
)
from .verdicts import percent

CHANGED_SINCE = ("the design has changed since these fixes were found: "
                 "undo those changes or find fixes again.")
COST_TIP = ("What the fix runs: instances x workers (or connections) summed over the components; "
            "of fixes that do as well, the cheaper ranks first")


def candidate_lines(found: Suggestions) -> list[list[str]]:
    """One row of cells per ranked candidate: rank, name, objectives met, attainment per
    objective (mean ± 95 % half-width), cost."""
    rows = []
    for rank, candidate in enumerate(found.ranked, start=1):
        cells = [str(rank), candidate.name, f"{candidate.objectives_met}/{len(found.objectives)}"]
        for objective in found.objectives:
            mean, ci = candidate.attainment(objective)
            cells.append(percent(mean) + ("" if ci != ci else f" ± {ci * 100:.2f}"))  # noqa: PLR0124 - NaN
        cells.append(str(candidate.cost))
        rows.append(cells)
    return rows


def as_it_is(found: Suggestions):
    """The candidate that changes nothing (the design the search started from), if it ran."""
    return next((c for c in found.ranked if not c.changes), None)


def against_start(found: Suggestions, candidate, start: str = "as it is") -> list[str]:
    """A line per objective: the candidate's attainment beside the design's as it started, and which
    way it moved. The ranking puts objectives met first, so a fix ranked first may attain another
    objective less than the design did (availability 91 % down to 87 % to meet a latency objective):
    said before it is applied, not found in the next run."""
    first = as_it_is(found)
    if first is None or candidate is first:
        return []
    names = objective_names(found.design)
    lines = []
    for objective in found.objectives:
        was, now = first.attainment(objective)[0], candidate.attainment(objective)[0]
        before, after = percent(was), percent(now)
        way = "the same" if before == after else "better" if now > was else "worse"
        mark = "✔" if candidate.met_share(objective) == 1.0 else "✘"
        lines.append(f"{mark} {names.get(objective, objective)}: {after} with this fix, {before} {start} ({way})")
    return lines


class SuggestDialog(BackgroundSearchDialog):
    """Pick an experiment, run the search, read the ranked fixes, apply one."""

    searching = "search"
    title = "Suggest Fixes"

    def __init__(self, design: Design | Callable[[], Design], parent: QWidget | None = None,
                 apply: Callable[[Design, str], str | None] | None = None,
                 changed: Iterable[SignalInstance] = (), experiment: str | None = None):
        """``experiment``: the one to start on (the run toolbar's), else the design's first."""
        super().__init__(design, parent, changed)
        self._apply = apply
        self.found: Suggestions | None = None
        self.searched: Design | None = None  # a copy of the design as the last search started from it
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.experiment = QComboBox()
        self.experiment.addItems([*(e.name for e in self.design.experiments), NO_FAULTS])
        if experiment is not None and self.experiment.findText(experiment) >= 0:
            self.experiment.setCurrentText(experiment)
        form.addRow("Experiment", self.experiment)
        self.bare = QCheckBox("Start without the design's resilience policies")
        self.bare.setChecked(not any(c.policies for c in self.design.components))
        form.addRow("", self.bare)
        self.replications = add_spin(form, "Replications", 1, 100, 3)
        self.duration = add_spin(form, "Duration", 1, 10_000_000, 180, " s")
        self.followed = FollowedDuration(self.duration, lambda: self.design)
        self.experiment.currentTextChanged.connect(lambda _name: self.followed.follow([self._experiment()]))
        self.followed.follow([self._experiment()])
        layout.addLayout(form)
        self.add_run_row(layout, "Find Fixes")
        self.table = QTableWidget(0, 0)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.itemSelectionChanged.connect(self._show_changes)
        layout.addWidget(self.table, 2)
        # When no fix meets an objective: the best any reached and what stands in the way.
        self.out_of_reach = QLabel()
        self.out_of_reach.setObjectName("outOfReach")
        self.out_of_reach.setWordWrap(True)
        self.out_of_reach.hide()
        layout.addWidget(self.out_of_reach)
        # Before the changes: what applying the selected fix does to each objective, against the design now.
        self.against = QLabel()
        self.against.setObjectName("againstTheDesign")
        self.against.setWordWrap(True)
        self.against.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.against)
        self.changes = QPlainTextEdit()
        self.changes.setReadOnly(True)
        layout.addWidget(self.changes, 1)
        bottom = QDialogButtonBox()
        self.apply_button = bottom.addButton("Apply This Fix", QDialogButtonBox.ButtonRole.ActionRole)
        self.apply_button.setEnabled(False)
        self.apply_button.clicked.connect(lambda: self.apply_selected())
        self.apply_button.setVisible(apply is not None)
        bottom.addButton(QDialogButtonBox.StandardButton.Close).clicked.connect(self.close)
        layout.addWidget(bottom)
        fit_dialog(self, 820, 640)

    def _experiment(self) -> str | None:
        name = self.experiment.currentText()
        return None if name == NO_FAULTS else name

    def follow_design(self) -> None:
        """List the experiments the design has now, the chosen one staying chosen while it is there."""
        chosen = self.experiment.currentText()
        self.experiment.blockSignals(True)
        self.experiment.clear()
        self.experiment.addItems([*(e.name for e in self.design.experiments), NO_FAULTS])
        self.experiment.setCurrentIndex(max(self.experiment.findText(chosen), 0))
        self.experiment.blockSignals(False)
        self.followed.follow([self._experiment()])

    def start(self) -> None:
        """Check the options (problems are shown) and search on a thread."""
        if self._thread is not None:
            return
        experiment = self._experiment()
        try:
            options = parse_options({"duration": float(self.duration.value())})
        except DesignError as exc:
            self.status.setText(str(exc))
            return
        self.found = None
        self.table.setRowCount(0)
        self.out_of_reach.hide()
        self.changes.clear()
        self.apply_button.setEnabled(False)
        self.status.setText("measuring the design without faults, then trying each candidate…")
        # a copy: the search's thread reads it while the user goes on editing
        self.searched = design_snapshot(self.design)
        self.launch(self._work, (self.searched, experiment, options, self.replications.value(),
                                 self.bare.isChecked()), "suggest")

    def _work(self, design, experiment, options, replications, bare) -> Suggestions:
        return suggest(design, experiment, options, replications=replications, stop=self._stop,
                       start_without_resilience=bare, on_progress=self.progressed.emit)

    def show_outcome(self, outcome: Suggestions) -> None:
        # Stop ends the search after the candidate under way; what ran is ranked.
        self.found = outcome
        names = objective_names(outcome.design)
        heads = ["#", "candidate", "objectives met", *(names.get(o, o) for o in outcome.objectives), "cost"]
        tips = {3 + k: f"attainment of {names.get(o, o)} (the share of requests that meet it): mean ± 95 % half-width "
                       f"over the replications ({o})" for k, o in enumerate(outcome.objectives)}
        tips[len(heads) - 1] = COST_TIP
        lines = candidate_lines(outcome)
        fill_table(self.table, heads, lines, words=(1,), stretch=1, head_tips=tips)
        meeting = sum(1 for c in outcome.ranked if c.meets_all)
        stopped = " (stopped)" if self._stop.is_set() else ""
        every = "every replication" if outcome.replications == 1 else f"all {outcome.replications} replications"
        # "met": one verb for one candidate and for several
        left_out = f"; {outcome.left_out}" if outcome.left_out else ""
        self.status.setText(f"{counted(outcome.tried, 'candidate')} tried{stopped}; "
                            f"{counted(meeting, 'candidate')} met every objective in {every}{left_out}")
        why = outcome.out_of_reach()
        self.out_of_reach.setText("\n".join(why))
        self.out_of_reach.setVisible(bool(why))
        if lines:
            # not selectRow: it reads the keyboard modifiers held at the moment
            flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
            self.table.selectionModel().select(self.table.model().index(0, 0), flags)

    def _selected(self):
        rows = {index.row() for index in self.table.selectedIndexes()}
        if self.found is None or len(rows) != 1:
            return None
        return self.found.ranked[rows.pop()]

    def _against(self, candidate) -> str:
        """The selected candidate beside the design it would change, or where that design ranks."""
        if candidate is None or self.found is None:
            return ""
        start, first = self._start(), as_it_is(self.found)
        if first is None:
            return ""
        if candidate is first:
            # A fix ranked below it would make things worse.
            return f"The design {start}: it ranks {self.found.ranked.index(first) + 1} of {len(self.found.ranked)}."
        return "<br>".join(esc(line) for line in against_start(self.found, candidate, start))

    def _start(self) -> str:
        """The design the search started from, in words: as it is, or without its policies."""
        bare = self.found is not None and self.searched is not None and self.found.design != self.searched
        return "without its policies" if bare else "as it is"

    def _show_changes(self) -> None:
        candidate = self._selected()
        self.changes.setPlainText(candidate.describe() if candidate else "")
        self.against.setText(self._against(candidate))
        self.apply_button.setEnabled(self._apply is not None and candidate is not None and bool(candidate.changes))

    def apply_selected(self) -> None:
        """Put the selected candidate's changes into the design, as one undo step."""
        candidate = self._selected()
        if candidate is None or self.found is None or self._apply is None or not candidate.changes:
            return
        if self.design != self.searched:
            # the fix would put back what the design was when the search started
            self.status.setText(f"not applied: {CHANGED_SINCE}")
            return
        if self.found.design != self.searched:
            # the search started from the design without its policies: the fix is that design plus its changes
            text = f"Apply fix: no resilience policies, then {candidate.name}"
        else:
            text = f"Apply fix: {candidate.name}"
        refusal = self._apply(candidate.design, text)
        self.status.setText(f"not applied: {refusal}" if refusal else f"applied {candidate.name} (Undo takes it back)")
