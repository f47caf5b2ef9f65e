"""What an import or export tells its user: errors, and the notes of its preview."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from engine.model import Design

NoteKind = Literal["mapped", "not_understood", "differs", "ignored", "warning"]

NOTE_HEADINGS: dict[str, str] = {
    "mapped": "What maps to what",
    "not_understood": "Not understood (left out)",
    "differs": "Modelled differently in Faultline",
    "ignored": "No effect on a simulation (left out)",
    "warning": "Settings that lie",
}


class InteropError(ValueError):
    """A file cannot be imported or a design cannot be exported; says what and where."""

    def __init__(self, message: str, where: str = ""):
        self.where = where
        self.message = message
        super().__init__(f"{where}: {message}" if where else message)


@dataclass(frozen=True)
class Note:
    """One line of a preview: ``where`` is ``file:line`` (or a component), ``text`` the finding."""

    kind: NoteKind
    text: str
    where: str = ""

    def __str__(self) -> str:
        return f"{self.where}: {self.text}" if self.where else self.text


@dataclass(frozen=True)
class Target:
    """A call a policy guards: ``caller -> callee``."""

    caller: str
    callee: str

    def __str__(self) -> str:
        return f"{self.caller} -> {self.callee}"


@dataclass
class ImportResult:
    """A design with the imported settings applied, and everything its preview shows."""

    design: Design
    notes: list[Note] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)   # instances the user must map to a call
    formats: list[str] = field(default_factory=list)
    mapped_names: set[str] = field(default_factory=set)  # the user's mappings that were used

    def add(self, kind: NoteKind, text: str, where: str = "") -> None:
        note = Note(kind, text, where)
        if note not in self.notes:
            self.notes.append(note)

    def of_kind(self, kind: NoteKind) -> list[Note]:
        return [n for n in self.notes if n.kind == kind]


@dataclass
class ExportResult:
    """The text written in another tool's format, and what that format cannot say."""

    text: str
    notes: list[str] = field(default_factory=list)
    warnings: list[Note] = field(default_factory=list)   # settings that lie, found before writing


def preview_text(notes: list[Note], unmapped: Sequence[str] = ()) -> str:
    """The preview as plain text, grouped by heading, as the CLI prints it and the dialog shows it."""
    lines: list[str] = []
    for kind, heading in NOTE_HEADINGS.items():
        group = [n for n in notes if n.kind == kind]
        if group:
            lines.append(f"{heading}:")
            lines += [f"  {n}" for n in group]
    if unmapped:
        lines.append("Not mapped to a call (give INSTANCE=CALLER->CALLEE):")
        lines += [f"  {name}" for name in unmapped]
    return "\n".join(lines)
