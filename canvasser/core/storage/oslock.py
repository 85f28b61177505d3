"""OS file locks: held by one process at a time, released by the OS when the process dies.

Used where two programs may change the same small file at the same moment (a passphrase change and
a colleague's wrong try both rewrite a workspace's key sidecar) and where a sweep must tell a
temporary file that is being written from one a killed run left behind.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

if os.name == "nt":  # pragma: no cover - Windows
    import msvcrt

    def _try(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False

    def _release(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def _try(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False

    def _release(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


class Busy(OSError):
    """Another process held the lock longer than we waited."""


@contextlib.contextmanager
def held(path: str | Path, timeout: float = 30.0) -> Iterator[None]:
    """Hold the lock on `path` (created if missing) for the block; waits up to `timeout` seconds."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + timeout
        while not _try(fd):
            if time.monotonic() > deadline:
                raise Busy(f"{Path(path).name} 正被另一个程序使用")
            time.sleep(0.02)
        try:
            yield
        finally:
            _release(fd)
    finally:
        os.close(fd)


def free(path: str | Path) -> bool:
    """Whether nobody holds the lock on an existing file `path` (it can be taken, and is let go at once).
    On Windows: whether no process has the file open at all (`claimed` holds it open there)."""
    if os.name == "nt":  # pragma: no cover - Windows
        return _unopened(path)
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError:
        return False
    try:
        if not _try(fd):
            return False
        _release(fd)
        return True
    finally:
        os.close(fd)


def _unopened(path: str | Path) -> bool:  # pragma: no cover - Windows
    """Windows: the file opens with no sharing at all, so no handle on it is open anywhere (a killed
    process's handles are closed by the system)."""
    import _winapi

    try:
        handle = _winapi.CreateFile(str(path), _winapi.GENERIC_READ, 0, 0, _winapi.OPEN_EXISTING, 0, 0)
    except OSError:  # a sharing violation (someone has it open), or gone
        return False
    _winapi.CloseHandle(handle)
    return True


@contextlib.contextmanager
def claimed(path: str | Path) -> Iterator[None]:
    """Hold the lock on a temporary file while it is being written (created if missing), so that a
    sweep at the next start (`free`) leaves it alone; a killed writer's lock goes with its process.
    On Windows the claim is an open handle, not a byte lock (Windows' byte locks are mandatory and
    would stop SQLite writing the file): it shares reading and writing, so the writer still opens the
    file, and `free` sees it open. The claim ends before the file is renamed (Windows renames no file
    that is open)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if os.name != "nt":
            _try(fd)
        yield
    finally:
        if os.name != "nt":
            with contextlib.suppress(OSError):
                _release(fd)
        os.close(fd)
