import os

# Must be set before any QApplication exists: without a display Qt would abort
# the whole pytest process instead of failing one test.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
