"""Where the store keeps per-user files (recent files, recovery copies)."""
from __future__ import annotations

from pathlib import Path

import platformdirs

APP_NAME = "Faultline"


def user_data_dir() -> Path:
    """The user's data directory for Faultline, as the platform defines it (not created here)."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
