"""Whether another process on this machine is still running, on POSIX and on Windows.

The store asks this about the writer of a recovery copy (is the Faultline
that owns it still open?) and of a temporary file beside a project (is its
save still under way?). Answering "no" for a live process would offer or
delete another window's work, so every doubt answers "alive".

POSIX has a harmless probe, signal 0. Windows has none (``os.kill``
terminates), so there the process is opened for a query and its exit code
read: ``STILL_ACTIVE`` while it runs.
"""
from __future__ import annotations

import os
from typing import Protocol

PROCESS_QUERY_LIMITED_INFORMATION = 0x1000
STILL_ACTIVE = 259
ERROR_ACCESS_DENIED = 5
ERROR_INVALID_PARAMETER = 87  # what OpenProcess answers for a pid no process has
_ON_WINDOWS = os.name == "nt"


class WindowsProcesses(Protocol):
    """The three calls of the Windows API the check needs (injected in tests)."""

    def open(self, pid: int) -> tuple[int | None, int]:
        """(process handle or None, the error code when None)."""

    def exit_code(self, handle: int) -> int | None:
        """The process's exit code, STILL_ACTIVE while it runs; None if it cannot be read."""

    def close(self, handle: int) -> None:
        """Release the handle."""


class _Kernel32:
    """``WindowsProcesses`` through ctypes and kernel32.dll."""

    def __init__(self) -> None:
        import ctypes
        from ctypes import wintypes

        self._ctypes = ctypes
        self._dll = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
        self._dll.OpenProcess.argtypes = (wintypes.DWORD, wintypes.BOOL, wintypes.DWORD)
        self._dll.OpenProcess.restype = wintypes.HANDLE
        self._dll.GetExitCodeProcess.argtypes = (wintypes.HANDLE, ctypes.POINTER(wintypes.DWORD))
        self._dll.GetExitCodeProcess.restype = wintypes.BOOL
        self._dll.CloseHandle.argtypes = (wintypes.HANDLE,)
        self._dll.CloseHandle.restype = wintypes.BOOL
        self._dword = wintypes.DWORD

    def open(self, pid: int) -> tuple[int | None, int]:
        handle = self._dll.OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, False, pid)
        return (handle, 0) if handle else (None, self._ctypes.get_last_error())  # type: ignore[attr-defined]

    def exit_code(self, handle: int) -> int | None:
        code = self._dword()
        return code.value if self._dll.GetExitCodeProcess(handle, self._ctypes.byref(code)) else None

    def close(self, handle: int) -> None:
        self._dll.CloseHandle(handle)


def windows_process_alive(pid: int, api: WindowsProcesses) -> bool:
    """Whether process ``pid`` runs, asked through the Windows API ``api``."""
    handle, error = api.open(pid)
    if handle is None:
        # Only "no such process" is an answer; access denied means it exists and belongs to someone else.
        return error != ERROR_INVALID_PARAMETER
    try:
        code = api.exit_code(handle)
        return code is None or code == STILL_ACTIVE
    finally:
        api.close(handle)


def posix_process_alive(pid: int) -> bool:
    """Whether process ``pid`` runs, by the harmless signal 0."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return True
    return True


def process_alive(pid: int, windows_api: WindowsProcesses | None = None) -> bool:
    """Whether a process with this id runs on this machine (this process included)."""
    if isinstance(pid, bool) or not isinstance(pid, int) or not 0 < pid < 2**31:
        return False
    if windows_api is None and _ON_WINDOWS:
        windows_api = _Kernel32()
    if windows_api is not None:
        return windows_process_alive(pid, windows_api)
    return posix_process_alive(pid)
