"""The Faultline desktop application (PySide6) and its command line."""
