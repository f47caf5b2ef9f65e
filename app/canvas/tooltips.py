"""Canvas items whose tooltips are built when asked for, not whenever what they describe changes."""
from __future__ import annotations

from PySide6.QtWidgets import QGraphicsItem


class LazyToolTipItem(QGraphicsItem):
    """An item that says its tooltip is out of date (``tooltip_changed``) and builds its text
    (``_tooltip_text``) only when someone reads it.

    During a run every step of the time slider gives each of a thousand nodes and links new
    figures; building every tooltip's text took a sixth of the step, and a user reads one tooltip
    at a time. Qt's C++ reads an item's tooltip without going through ``toolTip``, so the scene
    brings the items under the pointer up to date (``refresh_tooltip``) before it shows one.
    """

    _tooltip_stale = True

    def tooltip_changed(self) -> None:
        self._tooltip_stale = True

    def refresh_tooltip(self) -> None:
        if self._tooltip_stale:
            self._tooltip_stale = False
            self.setToolTip(self._tooltip_text())

    def toolTip(self) -> str:
        self.refresh_tooltip()
        return super().toolTip()

    def _tooltip_text(self) -> str:
        raise NotImplementedError
