"""The toolbar's find box (Ctrl+F): a component or a link by name, selected and brought into view.

Links are offered and matched by the name the rest of the window gives them (``web -> db``,
``Design.link_name``). What the box accepts, in order:

- a component's exact name;
- text with an arrow (``->`` or ``→``): the caller's part before it, the callee's after, each a
  case-insensitive part of the name and either side may be empty ("web ->" is the link out of
  web, when there is one);
- otherwise the one component whose name contains the text;
- failing any such component, two or more words as caller then callee ("web db"), split at any
  space, since component names may hold spaces themselves.

Several candidates are a miss, as for components, unless exactly one of them names both ends in
full ("api -> db" while "api -> db-replica" exists too).
"""
from __future__ import annotations

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtGui import QFocusEvent
from PySide6.QtWidgets import QCompleter, QGraphicsView, QLineEdit

from engine.model import Component, Design, Link

from .canvas import CanvasScene
from .document import ProjectDocument


def _ends(text: str) -> tuple[str, str] | None:
    """The caller's and callee's parts of text written with one arrow, lower case; None without."""
    parts = text.replace("→", "->").split("->")
    if len(parts) != 2:
        return None
    return parts[0].strip().lower(), parts[1].strip().lower()


def _links_between(design: Design, ends: list[tuple[str, str]]) -> list[Link]:
    """The links whose caller's and callee's names hold one of the ``ends`` pairs; of several, the
    one naming both ends in full if only one does."""
    names = design.names()
    named = [(link, design.name_of(link.source, names).lower(), design.name_of(link.target, names).lower())
             for link in design.links]
    found = [(link, (source, target) in ends) for link, source, target in named
             if any(caller in source and callee in target for caller, callee in ends)]
    whole = [link for link, exact in found if exact]
    return whole if len(found) > 1 and len(whole) == 1 else [link for link, _ in found]


def find_in(design: Design, text: str) -> Component | Link | list:
    """The component or link ``text`` names (see the module's notes), or a list of the several it
    could mean (empty for none)."""
    text = text.strip()
    if not text:
        return []
    component = design.find_component(text)
    if component is not None:
        return component
    ends = _ends(text)
    if ends is not None:
        links = _links_between(design, [ends])
        return links[0] if len(links) == 1 else links
    components = [c for c in design.components if text.lower() in c.name.lower()]
    if components:
        return components[0] if len(components) == 1 else components
    words = text.lower().split()
    links = _links_between(design, [(" ".join(words[:i]), " ".join(words[i:])) for i in range(1, len(words))])
    return links[0] if len(links) == 1 else links


class FindBox(QLineEdit):
    """Type part of a name, Enter: the component or link is selected and centred in the view."""

    message = Signal(str)  # why nothing was found, for the status bar

    def __init__(self, document: ProjectDocument, scene: CanvasScene, view: QGraphicsView, parent=None):
        super().__init__(parent)
        self._doc, self._scene, self._view = document, scene, view
        self.setObjectName("findBox")
        self.setPlaceholderText("Find component or link…")
        self.setClearButtonEnabled(True)
        self.setMaximumWidth(220)
        self.setToolTip("Type a component's name, or a link's as caller -> callee (\"web -> db\", \"web db\"), "
                        "and press Enter to select it and bring it into view.")
        completer = QCompleter([], self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.setCompleter(completer)
        self.returnPressed.connect(lambda: self.go_to(self.text()))
        completer.activated.connect(self.go_to)
        # The names are gathered when the box is used, not after every edit: a design of thousands
        # of links would otherwise pay for it on each nudge of a component.
        self._stale = True
        document.edited.connect(self._names_changed)
        document.design_switched.connect(self._names_changed)

    def start(self) -> None:
        """Put the cursor in the box, its text selected for typing over."""
        self.setFocus()
        self.selectAll()
        self._refresh_names()

    def focusInEvent(self, event: QFocusEvent) -> None:
        self._refresh_names()
        super().focusInEvent(event)

    def _names_changed(self, *_args) -> None:
        self._stale = True
        if self.hasFocus():
            self._refresh_names()

    def _refresh_names(self) -> None:
        if not self._stale:
            return
        self._stale = False
        design = self._doc.design
        names = design.names()
        choices = [c.name for c in design.components] + [design.link_name(link, names) for link in design.links]
        completer = self.completer()
        completer.setModel(QStringListModel(sorted(choices, key=str.lower), completer))

    def go_to(self, text: str) -> bool:
        """Select the component or link ``text`` names and centre the view on it; False if it
        names none, or several."""
        text = text.strip()
        found = find_in(self._doc.design, text)
        if isinstance(found, list):
            if text:
                self.message.emit(f"{len(found)} components or links match “{text}”: type more of the name, or pick "
                                  "one from the list." if found else f"No component or link matches “{text}”.")
            return False
        self._doc.set_selection([found.id])
        item = self._scene.link_item(found.id) if isinstance(found, Link) else self._scene.node_item(found.id)
        if item is not None:
            self._view.centerOn(item)
        self._view.setFocus()
        return True
