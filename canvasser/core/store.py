"""The workspace under its first name, for scripts (DESIGN §8): `Workspace(path)` opens a workspace
file the way the commands do — the key from CANVASSER_PASSPHRASE or this computer's wraps, an old plain
file converted first. The app itself opens through `storage.opening`; this name stays so that a
script written against the flat core of earlier releases keeps working."""
from __future__ import annotations

from pathlib import Path

from .storage import store
from .storage.opening import open_workspace


def Workspace(path: str | Path, *, passphrase: str | None = None, create: bool = False) -> store.Workspace:  # noqa: N802 (the old class name)
    """An open workspace (close it, or use it in a `with`)."""
    return open_workspace(path, create=create, passphrase=passphrase)
