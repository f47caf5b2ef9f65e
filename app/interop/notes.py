"""What an import or export tells its user: errors, and the notes of its preview."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from engine.model import Design

NoteKind = Literal["mapped", "not_understood", "differs", "ignored", "warning"]
# Where the user maps a name to the call it guards: the CLI's --map option, or the dialog's table.
MappedIn = Literal["command line", "table"]

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
    unmapped: str = ""   # the name the user must map to a call for these settings to apply

    def __str__(self) -> str:
        return self.shown()

    def shown(self, mapped_in: MappedIn = "command line") -> str:
        """The line, telling how to map its name in the words of the front end the user has before them."""
        text = f"{self.text}: {how_to_map(self.unmapped, mapped_in)}" if self.unmapped else self.text
        return f"{self.where}: {text}" if self.where else text


def how_to_map(name: str, mapped_in: MappedIn) -> str:
    """How to map ``name`` (or, given "", each name not mapped) to the call it guards."""
    if mapped_in == "table":
        return "pick the call it guards in the table above" if name else "pick the call each guards in the table above"
    return f"map it with {name}=CALLER->CALLEE" if name else "give --map INSTANCE=CALLER->CALLEE"


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

    def add_unmapped(self, name: str, text: str, where: str = "") -> None:
        """``name``'s settings guard no call of the design: the user must map it (``text`` says whose)."""
        if name not in self.unmapped:
            self.unmapped.append(name)
        note = Note("not_understood", text, where, unmapped=name)
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


def preview_text(notes: list[Note], unmapped: Sequence[str] = (), mapped_in: MappedIn = "command line") -> str:
    """The preview as plain text, grouped by heading, as the CLI prints it and the dialog shows it."""
    lines: list[str] = []
    for kind, heading in NOTE_HEADINGS.items():
        group = [n for n in notes if n.kind == kind]
        if group:
            lines.append(f"{heading}:")
            lines += [f"  {n.shown(mapped_in)}" for n in group]
    if unmapped:
        lines.append(f"Not mapped to a call ({how_to_map('', mapped_in)}):")
        lines += [f"  {name}" for name in unmapped]
    return "\n".join(lines)


def nothing_applies(files: Sequence[str], design: str, result: ImportResult, mapped_in: MappedIn) -> str:
    """Why importing ``files`` into ``design`` would change nothing, and what would make it apply."""
    named = ", ".join(files)
    if result.of_kind("mapped"):
        return f'"{design}" already has the settings of {named} that apply to it: importing would change nothing.'
    hint = f": {how_to_map('', mapped_in)}" if result.unmapped else ""
    return f'Nothing in {named} maps to a call of "{design}", so importing would change nothing{hint}.'


def no_equivalent(call: str, what: str, tool: str, instead: str = "") -> str:
    """The note an export writes for a setting its format cannot hold, in the same words in every format."""
    return f"{call}: {what} has no {tool} equivalent; left out" + (f" ({instead})" if instead else "")


def jitter_words(retry) -> str:
    """A retry policy's jitter in words: "no jitter", "full jitter", "randomized jitter of ±50 %"."""
    if retry.jitter == "none":
        return "no jitter"
    if retry.jitter == "randomized":
        return f"randomized jitter of ±{retry.randomization_factor * 100:g} %"
    return f"{retry.jitter} jitter"
