"""Light and dark looks: a Fusion palette for the widgets and matching colours for the canvas."""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QToolButton

THEMES = ("system", "light", "dark")


@dataclass(frozen=True)
class CanvasColours:
    """Colours the canvas paints with; chosen per theme, not read from QPalette at paint time."""

    background: QColor
    grid_minor: QColor
    grid_major: QColor
    node_fill: QColor
    node_border: QColor
    node_text: QColor
    node_subtext: QColor
    selection: QColor
    link: QColor
    link_label_bg: QColor
    ok: QColor
    warn: QColor
    bad: QColor
    fault: QColor
    policy: QColor
    dark: bool


LIGHT_CANVAS = CanvasColours(
    background=QColor("#f6f7f9"), grid_minor=QColor("#e7e9ed"), grid_major=QColor("#d6dae0"),
    node_fill=QColor("#ffffff"), node_border=QColor("#b9bec7"), node_text=QColor("#1d2430"),
    node_subtext=QColor("#5b6472"), selection=QColor("#2f6fe4"), link=QColor("#6b7380"),
    link_label_bg=QColor(246, 247, 249, 220), ok=QColor("#2e9d4f"), warn=QColor("#d98a00"),
    bad=QColor("#d3362d"), fault=QColor("#d3362d"), policy=QColor("#2f6fe4"), dark=False,
)
DARK_CANVAS = CanvasColours(
    background=QColor("#1b1e23"), grid_minor=QColor("#23272e"), grid_major=QColor("#2d323a"),
    node_fill=QColor("#2a2f37"), node_border=QColor("#4a515c"), node_text=QColor("#e8eaed"),
    node_subtext=QColor("#a3aab5"), selection=QColor("#5b9bff"), link=QColor("#8f98a6"),
    link_label_bg=QColor(27, 30, 35, 220), ok=QColor("#48c072"), warn=QColor("#f0a929"),
    bad=QColor("#ff5a4f"), fault=QColor("#ff6b5e"), policy=QColor("#6ea8ff"), dark=True,
)


def show_menu_arrow(button: QToolButton) -> None:
    """Give a button that opens a menu an arrow after its word, in its text's colour.

    Fusion's own is a few pixels in the button's corner: disabled on a dark window it read as "_".
    The style sheet hides that one for buttons marked so (``menuArrow``).
    """
    button.setProperty("menuArrow", True)
    button.setText(f"{button.text()} ▾")


def system_prefers_dark() -> bool:
    """Whether the desktop asks for a dark look."""
    hints = QGuiApplication.styleHints()
    scheme = hints.colorScheme() if hasattr(hints, "colorScheme") else Qt.ColorScheme.Unknown
    if scheme == Qt.ColorScheme.Dark:
        return True
    if scheme == Qt.ColorScheme.Light:
        return False
    # Unknown (e.g. a bare X server): judge by the platform's own window colour.
    return QGuiApplication.palette().window().color().lightness() < 128


def unfocused_selection(dark: bool) -> tuple[QColor, QColor]:
    """Background and text of the current item of the component palette while it has not the focus.

    A greyer blue than the focused selection, so the list being typed in stands out, and dark
    enough for white text at 5:1 or more (the dark theme's accent takes dark text). The
    QPalettes keep the accent in their Inactive group: the style sheet fills checked boxes with the
    active highlight even in an inactive window, and what Fusion draws is meant to match them.
    """
    return QColor("#45669c" if dark else "#4a6fa8"), QColor("#ffffff")


SELECTED_TEXT_DARK = QColor("#0e1116")  # the dark theme's text on its accent; check-dark.svg draws in it


def light_palette() -> QPalette:
    """The light Fusion palette."""
    p = QPalette()
    base, window, text = QColor("#ffffff"), QColor("#eef0f3"), QColor("#1d2430")
    accent = QColor("#2f6fe4")
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        p.setColor(group, QPalette.ColorRole.Window, window)
        p.setColor(group, QPalette.ColorRole.WindowText, text)
        p.setColor(group, QPalette.ColorRole.Base, base)
        p.setColor(group, QPalette.ColorRole.AlternateBase, QColor("#f5f6f8"))
        p.setColor(group, QPalette.ColorRole.Text, text)
        p.setColor(group, QPalette.ColorRole.Button, QColor("#f7f8fa"))
        p.setColor(group, QPalette.ColorRole.ButtonText, text)
        p.setColor(group, QPalette.ColorRole.Highlight, accent)
        p.setColor(group, QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
        p.setColor(group, QPalette.ColorRole.ToolTipBase, QColor("#ffffff"))
        p.setColor(group, QPalette.ColorRole.ToolTipText, text)
        p.setColor(group, QPalette.ColorRole.PlaceholderText, QColor("#8a92a0"))
        p.setColor(group, QPalette.ColorRole.Link, accent)
        p.setColor(group, QPalette.ColorRole.Mid, QColor("#c4c9d1"))
        p.setColor(group, QPalette.ColorRole.Dark, QColor("#9aa1ad"))
        p.setColor(group, QPalette.ColorRole.Light, QColor("#ffffff"))
        p.setColor(group, QPalette.ColorRole.Midlight, QColor("#e3e6ea"))
    for role, colour in ((QPalette.ColorRole.WindowText, "#9aa1ad"), (QPalette.ColorRole.Text, "#9aa1ad"),
                         (QPalette.ColorRole.ButtonText, "#9aa1ad")):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor(colour))
    return p


def dark_palette() -> QPalette:
    """The dark Fusion palette."""
    p = QPalette()
    base, window, text = QColor("#1f2228"), QColor("#2a2e35"), QColor("#e8eaed")
    accent = QColor("#4d8dff")
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        p.setColor(group, QPalette.ColorRole.Window, window)
        p.setColor(group, QPalette.ColorRole.WindowText, text)
        p.setColor(group, QPalette.ColorRole.Base, base)
        p.setColor(group, QPalette.ColorRole.AlternateBase, QColor("#262a30"))
        p.setColor(group, QPalette.ColorRole.Text, text)
        p.setColor(group, QPalette.ColorRole.Button, QColor("#343941"))
        p.setColor(group, QPalette.ColorRole.ButtonText, text)
        p.setColor(group, QPalette.ColorRole.Highlight, accent)
        # Dark on the accent, 5.9:1, where white read 3.2:1. A darker accent for white text would
        # bring the focus frames and checked boxes it draws down to 2.5:1 on the buttons and window.
        p.setColor(group, QPalette.ColorRole.HighlightedText, SELECTED_TEXT_DARK)
        p.setColor(group, QPalette.ColorRole.ToolTipBase, QColor("#2a2e35"))
        p.setColor(group, QPalette.ColorRole.ToolTipText, text)
        p.setColor(group, QPalette.ColorRole.PlaceholderText, QColor("#7d8591"))
        p.setColor(group, QPalette.ColorRole.Link, accent)
        p.setColor(group, QPalette.ColorRole.BrightText, QColor("#ff6b5e"))
        p.setColor(group, QPalette.ColorRole.Mid, QColor("#454b55"))
        p.setColor(group, QPalette.ColorRole.Dark, QColor("#16181c"))
        p.setColor(group, QPalette.ColorRole.Light, QColor("#4a505a"))
        p.setColor(group, QPalette.ColorRole.Midlight, QColor("#3a4048"))
        p.setColor(group, QPalette.ColorRole.Shadow, QColor("#0e0f12"))
    for role, colour in ((QPalette.ColorRole.WindowText, "#6d7580"), (QPalette.ColorRole.Text, "#6d7580"),
                         (QPalette.ColorRole.ButtonText, "#6d7580"), (QPalette.ColorRole.Base, "#24272d"),
                         (QPalette.ColorRole.Button, "#2d3138")):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor(colour))
    return p


def palette(look: str) -> QPalette:
    """The palette of 'light' or 'dark'."""
    return dark_palette() if look == "dark" else light_palette()


def resolve(theme: str) -> str:
    """'light' or 'dark' for a theme setting ('system' follows the desktop)."""
    if theme == "system":
        return "dark" if system_prefers_dark() else "light"
    return theme if theme in ("light", "dark") else "light"


def apply_theme(app: QApplication, theme: str) -> CanvasColours:
    """Give the application the chosen look; returns the canvas colours that go with it."""
    from .resources import clear_icon_cache

    look = resolve(theme)
    app.setStyle("Fusion")
    app.setPalette(palette(look))
    app.setStyleSheet(stylesheet(look))
    clear_icon_cache()
    return canvas_colours(look)


def canvas_colours(look: str) -> CanvasColours:
    """The canvas colours of 'light' or 'dark'."""
    return DARK_CANVAS if look == "dark" else LIGHT_CANVAS


def current_canvas_colours() -> CanvasColours:
    """The canvas colours that match the application's current palette."""
    app = QGuiApplication.instance()
    dark = isinstance(app, QGuiApplication) and app.palette().window().color().lightness() < 128
    return DARK_CANVAS if dark else LIGHT_CANVAS


_TOKENS = {
    "light": {"@error": "#c62f26", "@secondary": "#5b6472", "@warning": "#7a4a00", "@warning_bg": "#fff6e0",
              "@warning_border": "#f0d79a",
              "@error_bg": "#fde8e6", "@error_border": "#e6a39d", "@dock_title": "#e3e6ea", "@hover": "#e3e8f0"},
    "dark": {"@error": "#ff7a70", "@secondary": "#a3aab5", "@warning": "#f5c46a", "@warning_bg": "#3a3122",
             "@warning_border": "#6b5528",
             "@error_bg": "#3a2220", "@error_border": "#7a3a34", "@dock_title": "#23272d", "@hover": "#363c45"},
}


def secondary_text(dark: bool) -> str:
    """The quieter text colour of the style sheet's ``secondary`` labels, for text drawn outside it
    (a note painted in a plot)."""
    return _TOKENS["dark" if dark else "light"]["@secondary"]


def stylesheet(look: str) -> str:
    """The application style sheet with the colours of ``look`` ('light' or 'dark')."""
    from .resources import resources_dir

    style_dir = resources_dir() / "style"
    text = (style_dir / "app.qss").read_text(encoding="utf-8")
    text = text.replace("@style_dir", style_dir.as_posix()).replace("@look", look)
    # A style sheet's palette(...) is the active colour even on a disabled widget: the disabled
    # one comes from the palette here, so that it stays written once.
    disabled = palette(look).color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text).name()
    tokens = {**_TOKENS[look], "@disabled_text": disabled}
    # Longest tokens first so that @warning does not eat @warning_bg.
    for token, value in sorted(tokens.items(), key=lambda kv: -len(kv[0])):
        text = text.replace(token, value)
    return text
