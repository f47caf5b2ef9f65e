"""Rich text cut with an ellipsis where its room ends, for one-line titles that must give way.

Qt clips rich text without a sign (and elides only plain text): a title cut
there reads as a different word ("Error rate by outcom"). Cutting the text
document itself keeps the bold design name and the burn plot's coloured key.
"""
from __future__ import annotations

import math

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QFontMetricsF, QTextCursor, QTextDocument
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

ELLIPSIS = "…"


def cut_to_width(doc: QTextDocument, width: float) -> bool:
    """Cut the one-line ``doc`` so that it, margins included, fits ``width``, ending in an ellipsis.
    Returns whether it had to be cut."""
    if doc.size().width() <= width + 0.5:
        return False
    margin = doc.documentMargin()
    cursor = QTextCursor(doc)
    cursor.movePosition(QTextCursor.MoveOperation.End)
    ellipsis = QFontMetricsF(cursor.charFormat().font()).horizontalAdvance(ELLIPSIS)
    at = doc.documentLayout().hitTest(QPointF(max(margin, width - margin - ellipsis), margin + 1.0),
                                      Qt.HitTestAccuracy.FuzzyHit)
    at = max(0, at)
    while True:
        cursor.setPosition(at)
        cursor.movePosition(QTextCursor.MoveOperation.End, QTextCursor.MoveMode.KeepAnchor)
        cursor.insertText(ELLIPSIS)
        if at == 0 or doc.size().width() <= width + 0.5:
            return True
        at -= 1  # the hit landed on a letter that crosses the edge


class FittedLabel(QLabel):
    """A one-line rich-text label that asks for no width and shows, when too narrow, a shorter form
    of its text (``set_forms``) or its text cut with an ellipsis, the whole of it in the tooltip
    (unless ``own_tooltip``: the owner sets it). ``text()`` is the whole text."""

    def __init__(self, parent: QWidget | None = None, own_tooltip: bool = False) -> None:
        super().__init__(parent)
        self._own_tooltip = own_tooltip
        self.setTextFormat(Qt.TextFormat.RichText)
        # Long titles are cut rather than forcing the dock wider than the window.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._full = ""
        self._shorter: tuple[str, ...] = ()
        self._fitted: tuple[str, tuple[str, ...], int] | None = None
        self._whole: tuple[tuple[str, str], int] | None = None  # whole_width()'s text and answer
        self._doc = QTextDocument()
        self._doc.setDocumentMargin(0)

    def setText(self, text: str) -> None:
        self.set_forms([text])

    def set_forms(self, forms: list[str]) -> None:
        """The whole text, then shorter forms of it: the label shows the first that fits whole (the
        last cut if none does); ``text()`` is the first."""
        if (forms[0], tuple(forms[1:])) == (self._full, self._shorter) and self._fitted is not None:
            return
        self._full, self._shorter = forms[0], tuple(forms[1:])
        self._fitted = None
        self._fit()

    def text(self) -> str:
        return self._full

    def shown_text(self) -> str:
        """What the label draws: its text, or the part of it that fits, with an ellipsis."""
        return super().text()

    def whole_width(self) -> int:
        """The width the whole text asks for, margins and frame included."""
        key = (self._full, self.font().key())
        if self._whole is None or self._whole[0] != key:  # asked on every frame of a run
            doc = QTextDocument()
            doc.setDocumentMargin(0)
            doc.setDefaultFont(self.font())
            doc.setHtml(self._full)
            self._whole = (key, math.ceil(doc.idealWidth()))
        return self._whole[1] + 2 * self.margin() + self.width() - self.contentsRect().width()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        room = self.contentsRect().width() - 2 * self.margin()
        key = (self._full, self._shorter, room)
        if key == self._fitted:
            return
        self._fitted = key
        doc = self._doc
        doc.setDefaultFont(self.font())
        doc.setHtml(self._full)
        whole = doc.toPlainText()
        chosen = self._full
        for form in self._shorter:
            if room <= 0 or doc.size().width() <= room + 0.5:
                break
            chosen = form
            doc.setHtml(form)
        cut = room > 0 and cut_to_width(doc, room)
        super().setText(doc.toHtml() if cut else chosen)
        if not self._own_tooltip:
            self.setToolTip(whole if cut or chosen != self._full else "")



def place_title(title: FittedLabel, row: QHBoxLayout, own_line: QHBoxLayout, width: int) -> None:
    """``title`` at the start of ``row`` (buttons) when it fits there whole in ``width``, else alone
    on ``own_line``: at 1280 the dashboard's buttons left "Three-ti…" of a comparison's title."""
    taken = 0
    for i in range(row.count()):
        item = row.itemAt(i)
        widget = item.widget() if item is not None else None
        if item is not None and widget is not None and widget is not title and not widget.isHidden():
            taken += item.sizeHint().width() + row.spacing()
    alone = title.whole_width() > width - taken
    if alone == (own_line.indexOf(title) >= 0):
        return
    if alone:
        row.removeWidget(title)
        own_line.addWidget(title)
    else:
        own_line.removeWidget(title)
        row.insertWidget(0, title, 1)


class CurrentPageStack(QWidget):
    """Pages shown one at a time, of which only the one shown asks for room.

    A QStackedWidget asks for its largest page's height (word-wrapped pages count with their
    height for its width): the dashboard's words before a run took the plots' minimum height and
    scrolled in a short dock. Hidden, a page takes no room in a layout.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._pages: list[QWidget] = []

    def addWidget(self, page: QWidget) -> None:  # noqa: N802  (QStackedWidget's name)
        page.setVisible(not self._pages)  # the first page is the current one
        self._pages.append(page)
        self._layout.addWidget(page)

    def currentWidget(self) -> QWidget | None:  # noqa: N802
        return next((page for page in self._pages if not page.isHidden()), None)

    def setCurrentWidget(self, current: QWidget) -> None:  # noqa: N802
        for page in self._pages:  # the old page hidden first: never both asking for room
            if page is not current:
                page.hide()
        current.show()


class LegendLabel(QLabel):
    """A legend of entries that takes one line where they fit, shortening entries (the last first,
    or in the order given) to their short forms until they do, then to their shortest (an entry may
    have a third form), and wraps only when even those do not fit. ``text()`` is the whole legend,
    as exports carry it; the tooltip holds it while any entry is shortened."""

    def __init__(self, separator: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._separator = separator
        self._entries: list[tuple[str, ...]] = []
        self._order: list[int] = []
        self._fitted: tuple | None = None
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setWordWrap(True)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._doc = QTextDocument()
        self._doc.setDocumentMargin(0)

    def set_entries(self, entries: list[tuple[str, ...]], order: list[int] | None = None) -> None:
        """``order``: the entries' indexes in the order they give way to their short forms (by
        default the last first)."""
        order = list(reversed(range(len(entries)))) if order is None else order
        if entries == self._entries and order == self._order and self._fitted is not None:
            return
        self._entries = list(entries)
        self._order = order
        self._fitted = None
        self._fit()

    def text(self) -> str:
        return self._separator.join(forms[0] for forms in self._entries)

    def shown_text(self) -> str:
        """What the label draws: the entries in the forms that fit."""
        return super().text()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()

    def _width(self, html: str) -> float:
        self._doc.setDefaultFont(self.font())
        self._doc.setHtml(html)
        return self._doc.idealWidth()

    def _fit(self) -> None:
        room = self.contentsRect().width() - 2 * self.margin()
        key = (tuple(self._entries), tuple(self._order), room, self.font().key())
        if key == self._fitted:
            return
        self._fitted = key
        forms = [entry[0] for entry in self._entries]
        shorter = [(level, i) for level in range(1, max((len(e) for e in self._entries), default=1))
                   for i in self._order if len(self._entries[i]) > level]
        for level, i in shorter:
            if room <= 0 or self._width(self._separator.join(forms)) <= room:
                break
            forms[i] = self._entries[i][level]
        shown = self._separator.join(forms)
        super().setText(shown)
        self.setToolTip(self.text() if shown != self.text() else "")
