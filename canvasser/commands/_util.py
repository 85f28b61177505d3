"""Small helpers shared by the command modules."""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from ..core.errors import InputError
from ..core.storage import atrest, failures, location
from ..core.storage.opening import open_workspace
from ..core.storage.store import Workspace, WorkspaceError


def open_ws(path: str | Path, *, create: bool = True, look: bool = False) -> Workspace:
    """Open a workspace; a missing file for a read-only command is bad input (exit 2). `look`: the
    command only reads (search, report, check ...): in a read-only folder it still runs, and a write
    there would say why it cannot (failures.READ_ONLY)."""
    if not create and not Path(path).exists():
        raise InputError(f"找不到工作区文件：{path}")
    if why := location.problem(path):  # a read-only folder, a path Windows cannot open: what to do
        if not (look and Path(path).is_file() and why == location.read_only_place(path)):
            raise InputError(why)
        return open_workspace(path, create=False, look_only=True)
    try:
        ws = open_workspace(path)
    except WorkspaceError as exc:
        # a full disk: SQLite cannot make its -shm file; a file with nothing waiting in its WAL can
        # still be looked at as it is (search, reports), and a write says the disk is full
        if look and str(exc) == failures.DISK_FULL and not _wal_pending(Path(path)):
            return open_workspace(path, create=False, look_only=True)
        raise
    show_recovery_code(ws)
    return ws


def _wal_pending(path: Path) -> bool:
    wal = Path(f"{path}-wal")
    return wal.exists() and wal.stat().st_size > 0


@contextlib.contextmanager
def new_or_existing(path: str | Path) -> Iterator[Workspace]:
    """A workspace for a command that may create it (import-roster): if the file is new and the
    command fails, nothing is left behind (no empty workspace, no key file, no recovery code shown)."""
    path = Path(path)
    if path.exists() and path.stat().st_size > 0:
        with open_ws(path) as ws:
            yield ws
        return
    if why := location.problem(path):
        raise InputError(why)
    before = {p for p in (path, *_companions(path)) if p.exists()}
    ws = open_workspace(path)
    kept = atrest.escrow_path(path)
    try:
        yield ws
    except BaseException:
        ws.close()
        for p in (path, *_companions(path), kept):
            if p is not None and p not in before:
                with contextlib.suppress(OSError):
                    p.unlink()
        atrest.forget(path)
        raise
    ws.close()
    show_recovery_code(ws)


def _companions(path: Path) -> list[Path]:
    return [Path(f"{path}{s}") for s in ("-wal", "-shm", "-journal", atrest.SUFFIX, atrest.SUFFIX + ".lock")]


def export_password(args) -> str | None:
    """The open password for an export holding full IDs (`--password-file`), or None."""
    from ..core.storage.secretfile import read_secret

    path = getattr(args, "password_file", None)
    return read_secret(path, "密码") if path else None


def show_recovery_code(ws: Workspace) -> None:
    """A new workspace's recovery code, shown once (on stderr, so --json output stays one object)."""
    if ws.recovery_code:
        sys.stderr.write(f"新工作区已加密。恢复码（只显示这一次，请抄下或打印后妥善保管；忘记口令时用它设新口令）："
                         f"{ws.recovery_code}\n")


def progress_printer(what: str):
    """A progress callback that writes one updating line to stderr (never personal data)."""
    last = [0.0]

    def cb(done: int, message: str = "") -> bool:
        now = time.monotonic()
        if now - last[0] > 0.5 and sys.stderr.isatty():
            sys.stderr.write(f"\r{what}：{message or done}   ")
            sys.stderr.flush()
            last[0] = now
        return True

    return cb
