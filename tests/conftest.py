import os

# Must be set before any QApplication exists: without a display Qt would abort
# the whole pytest process instead of failing one test.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402  (after the platform is chosen)


@pytest.fixture
def restore_look(qapp):
    """The application's style, palette and style sheet as they were, after a test that sets a theme."""
    old_palette, old_sheet, old_style = qapp.palette(), qapp.styleSheet(), qapp.style().name()
    yield qapp
    qapp.setStyle(old_style)
    qapp.setPalette(old_palette)
    qapp.setStyleSheet(old_sheet)
