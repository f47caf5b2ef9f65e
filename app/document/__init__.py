"""The open project in memory: designs, selection, undo commands and the signals views follow.

Qt-free of widgets (an import-linter contract keeps QtWidgets out).
"""
from .document import ProjectDocument, new_project
from .editor import FAULT_CLASSES, POLICY_CLASSES, DocumentEditor, kind_label
from .model_edit import EditRejected, FieldError

__all__ = [
    "DocumentEditor",
    "EditRejected",
    "FAULT_CLASSES",
    "FieldError",
    "POLICY_CLASSES",
    "ProjectDocument",
    "kind_label",
    "new_project",
]
