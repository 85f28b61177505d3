"""File dialogs start where the user last was (per kind of file: packages, lists, outputs), not in
the home folder every time: a township clerk opens a USB stick's folder a dozen times a day. The
first time, they start in the user's documents (where a downloaded list or a WeChat file is found),
never in the app's data folder."""

from __future__ import annotations

from pathlib import Path


def last_folder(kind: str) -> Path:
    from .memory import settings

    value = settings().value(f"folders/{kind}", "")
    path = Path(str(value)) if value else None
    return path if path is not None and path.is_dir() else documents()


def documents() -> Path:
    """The user's documents folder (文档 / Documents), or home where there is none."""
    from PySide6.QtCore import QStandardPaths

    found = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(found) if found and Path(found).is_dir() else Path.home()


def remember(kind: str, chosen: str | Path) -> None:
    """Remember the folder of a chosen file (or the folder itself); not from the demo's sandbox."""
    from .memory import remembering, settings

    if not remembering():
        return
    p = Path(chosen)
    folder = p if p.is_dir() else p.parent
    settings().setValue(f"folders/{kind}", str(folder))
