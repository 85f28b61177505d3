"""Small helpers shared by the command modules."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from ..core.errors import InputError
from ..core.storage import location
from ..core.storage.store import Workspace


def open_ws(path: str | Path, *, create: bool = True) -> Workspace:
    """Open a workspace; a missing file for a read-only command is bad input (exit 2)."""
    if not create and not Path(path).exists():
        raise InputError(f"找不到工作区文件：{path}")
    if why := location.problem(path):  # a read-only folder, a path Windows cannot open: what to do
        raise InputError(why)
    ws = Workspace(path)
    show_recovery_code(ws)
    return ws


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
