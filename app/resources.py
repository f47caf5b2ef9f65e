"""Where bundled resources live, and icons drawn from the SVGs in resources/icons."""
from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

from PySide6.QtCore import QByteArray, QObject, QSize, Qt
from PySide6.QtGui import QAction, QColor, QGuiApplication, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QAbstractButton

from engine.model import COMPONENT_CLASSES


def resources_dir() -> Path:
    """resources/ beside the sources, or inside a PyInstaller bundle."""
    base = Path(getattr(sys, "_MEIPASS", Path(__file__).resolve().parent.parent))
    return base / "resources"


ICONS = resources_dir() / "icons"
EXAMPLES = resources_dir() / "examples"

def _render(svg: bytes, size: int, ratio: float = 1.0) -> QPixmap:
    renderer = QSvgRenderer(QByteArray(svg))
    pixmap = QPixmap(QSize(int(size * ratio), int(size * ratio)))
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    renderer.render(painter)
    painter.end()
    pixmap.setDevicePixelRatio(ratio)
    return pixmap


def _svg(name: str, colour: str | None = None) -> bytes:
    data = (ICONS / f"{name}.svg").read_bytes()
    if colour:
        data = data.replace(b"currentColor", colour.encode())
    return data


@cache
def _icon(name: str, colour: str | None, disabled: str | None = None) -> QIcon:
    svg = _svg(name, colour)
    icon = QIcon()
    for size in (16, 20, 24, 32, 48):
        icon.addPixmap(_render(svg, size, 2.0))
    if disabled:
        # Qt's automatic greying keeps a light icon light on a dark theme; say it explicitly.
        faded = _svg(name, disabled)
        for size in (16, 20, 24, 32, 48):
            icon.addPixmap(_render(faded, size, 2.0), QIcon.Mode.Disabled)
    return icon


def icon(name: str) -> QIcon:
    """A toolbar or menu icon, drawn in the palette's text colour so it reads in light and dark."""
    app = QGuiApplication.instance()
    if not isinstance(app, QGuiApplication):  # no application yet, or one without a GUI
        return _icon(name, "#333333")
    palette = app.palette()
    colour = palette.windowText().color().name()
    disabled = palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText).name()
    return _icon(name, colour, disabled)


THEMED_ICON = "themedIcon"  # the dynamic property naming a button's or action's palette-tinted icon


def set_themed_icon(target: QAbstractButton | QAction, name: str) -> None:
    """Give a button or action the icon ``name`` tinted for the current palette; ``retint_icons``
    redraws it after a theme switch."""
    target.setProperty(THEMED_ICON, name)
    target.setIcon(icon(name))


def retint_icons(root: QObject) -> None:
    """Redraw the themed icons of the buttons and actions under ``root`` in the palette's colours."""
    targets: list[QAbstractButton | QAction] = [*root.findChildren(QAbstractButton), *root.findChildren(QAction)]
    for target in targets:
        name = target.property(THEMED_ICON)
        if name:
            target.setIcon(icon(name))


def clear_icon_cache() -> None:
    """Forget tinted icons after a palette change."""
    _icon.cache_clear()
    kind_pixmap.cache_clear()


@cache
def kind_pixmap(kind: str, size: int, ratio: float = 2.0) -> QPixmap:
    """A component kind's icon (its class's ``icon``) at ``size`` logical pixels (cached)."""
    return _render(_svg(COMPONENT_CLASSES[kind].icon), size, ratio)


def kind_icon(kind: str) -> QIcon:
    """A component kind's icon at the usual sizes."""
    icon_ = QIcon()
    for size in (16, 24, 32, 48):
        icon_.addPixmap(kind_pixmap(kind, size))
    return icon_


def kind_colour(kind: str) -> QColor:
    """A component kind's hue (its class's ``colour``): its icon, node stripe and palette entry agree."""
    return QColor(COMPONENT_CLASSES[kind].colour if kind in COMPONENT_CLASSES else "#777777")


def app_icon() -> QIcon:
    """Faultline's window icon."""
    icon_ = QIcon()
    for size in (16, 32, 48, 64, 128, 256):
        icon_.addPixmap(_render(_svg("faultline"), size))
    return icon_
