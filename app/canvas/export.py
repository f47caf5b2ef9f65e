"""The design as a picture: PNG at print resolution and SVG, cropped to what is drawn.

The scene's own bounds are useless for a picture: they include panning margins
and the link overview, which spans the whole scene. Pictures are cropped to the
node bodies and links, and rendered at no less than the canvas's 100 % so that
component names stay readable.
"""
from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, QSize
from PySide6.QtGui import QImage, QImageWriter, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QGraphicsItem

MARGIN = 24.0  # scene units around the drawing
PRINT_SCALE = 2.0  # pixels per scene unit: about 200 dpi for a design printed at its on-screen size
MAX_SIDE = 6000  # pixels: a huge design is scaled down to this, but never below 100 %


def picture_rect(scene) -> QRectF:
    """The part of ``scene`` worth a picture: its components and links, with a margin."""
    rect = scene.drawing_rect()
    if rect.isNull():
        return QRectF()
    return rect.adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN)


def picture_scale(rect: QRectF, scale: float = PRINT_SCALE) -> float:
    """Pixels per scene unit: ``scale`` unless that passes ``MAX_SIDE``, and never below 1."""
    longest = max(rect.width(), rect.height(), 1.0)
    return max(1.0, min(scale, MAX_SIDE / longest))


def render_image(scene, scale: float = PRINT_SCALE, colours=None) -> QImage | None:
    """The design as an image (health colours and badges as on the canvas); None if it is empty.
    ``colours``: the canvas colours to draw in (the report's are always light), else the scene's."""
    rect = picture_rect(scene)
    if rect.isNull():
        return None
    own = scene.colours
    if colours is not None and colours is not own:
        # Items only repaint from the event loop, which does not run before the colours are back.
        scene.set_colours(colours)
        try:
            return render_image(scene, scale)
        finally:
            scene.set_colours(own)
    factor = picture_scale(rect, scale)
    image = QImage(QSize(max(1, round(rect.width() * factor)), max(1, round(rect.height() * factor))),
                   QImage.Format.Format_ARGB32)
    image.fill(scene.colours.background)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    _render(scene, painter, QRectF(0, 0, image.width(), image.height()), rect)
    painter.end()
    return image


def render_png(scene, scale: float = PRINT_SCALE, colours=None) -> bytes | None:
    """``render_image`` as PNG bytes."""
    image = render_image(scene, scale, colours)
    return None if image is None else png_bytes(image)


def png_bytes(image: QImage) -> bytes:
    """An image as the bytes of a PNG file."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    # QImageWriter rather than QImage.save, whose format argument the bindings type as bytes but accept as str.
    QImageWriter(buffer, QByteArray(b"PNG")).write(image)
    buffer.close()
    return bytes(data.data())


def render_svg(scene, title: str = "") -> bytes | None:
    """The design as SVG: vector shapes and real text, so names stay sharp and searchable."""
    rect = picture_rect(scene)
    if rect.isNull():
        return None
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    generator = QSvgGenerator()
    generator.setOutputDevice(buffer)
    generator.setSize(QSize(round(rect.width()), round(rect.height())))
    generator.setViewBox(QRectF(0, 0, rect.width(), rect.height()))
    generator.setTitle(title or "Faultline design")
    generator.setDescription("Drawn by Faultline")
    # The screen's resolution, so that text sized in points keeps its size beside the shapes.
    views = scene.views()
    generator.setResolution(views[0].logicalDpiX() if views else 96)
    painter = QPainter(generator)
    painter.fillRect(QRectF(0, 0, rect.width(), rect.height()), scene.colours.background)
    _render(scene, painter, QRectF(0, 0, rect.width(), rect.height()), rect)
    painter.end()
    buffer.close()
    return bytes(data.data())


def render_picture(scene, kind: str, title: str = "") -> bytes:
    """The design as an SVG (``kind`` "svg") or PNG picture; ValueError when there is nothing to draw."""
    data = render_svg(scene, title) if kind == "svg" else render_png(scene)
    if data is None:
        raise ValueError("the design is empty: there is nothing to draw")
    return data


def _render(scene, painter: QPainter, target: QRectF, source: QRectF) -> None:
    # The selection outline belongs to the editor, not to a picture someone else reads.
    selected = scene.selectedItems()
    # Cached items would reach an SVG as bitmaps, their names as pixels rather than text.
    cached = [(item, item.cacheMode()) for item in scene.items()
              if item.cacheMode() != QGraphicsItem.CacheMode.NoCache]
    blocked = scene.signalsBlocked()
    scene.blockSignals(True)
    scene.drawing_picture = True
    try:
        for item in selected:
            item.setSelected(False)
        for item, _mode in cached:
            item.setCacheMode(QGraphicsItem.CacheMode.NoCache)
        scene.render(painter, target, source)
    finally:
        for item, mode in cached:
            item.setCacheMode(mode)
        for item in selected:
            item.setSelected(True)
        scene.drawing_picture = False
        scene.blockSignals(blocked)
