"""One window per workspace file: a second window on the same file would keep its own view of the
list and its own undo history while both write; it is refused with a message instead.

The lock is an OS lock on a small file beside the workspace (`<file>.lock`), held while the window
is open and released by the OS if the program dies, so a crash never leaves the file locked.
"""

from __future__ import annotations

import os
from pathlib import Path

from . import files
from .store import WorkspaceError

if os.name == "nt":  # pragma: no cover - Windows
    import msvcrt

    def _lock(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)

    def _unlock(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


class WindowLock:
    """Held by the window that has a workspace open; `acquire` raises WorkspaceError if another has it."""

    def __init__(self, db: str | Path):
        self.path = Path(f"{files.real_path(db)}.lock")
        self.fd: int | None = None

    def acquire(self) -> WindowLock:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            _lock(fd)
        except OSError as exc:
            os.close(fd)
            raise WorkspaceError(f"这个工作区（{self.path.stem}）已经在另一个窗口中打开。"
                                 "请切换到那个窗口继续工作；同一个文件不能同时在两个窗口里修改。") from exc
        self.fd = fd
        return self

    def release(self) -> None:
        if self.fd is not None:
            try:
                _unlock(self.fd)
            finally:
                os.close(self.fd)
                self.fd = None
