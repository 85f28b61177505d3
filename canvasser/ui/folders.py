"""File dialogs start where the user last was (per kind of file: packages, lists, outputs), not in
the home folder every time: a township clerk opens a USB stick's folder a dozen times a day. The
first time, they start in the user's documents (where a downloaded list or a WeChat file is found),
never in the app's data folder.

`open_with_system` hands a file or folder to the system: a PDF to its viewer, where the cadre prints
it (the app draws no print dialog of its own), a folder to the file manager."""

from __future__ import annotations

import os
import sys
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


def open_with_system(path: str | Path) -> bool:
    """Open a file with the program the system opens it with (a PDF in WPS, Edge or another viewer, an
    xlsx in WPS or Excel), or a folder in the file manager; False when nothing could open it (no
    program for PDFs, a file that has gone). On Windows by ShellExecute's "open" (os.startfile), which
    takes the path as it is: a name with # or % in it never passes through a URL."""
    path = Path(path)
    if not path.exists():
        return False
    if sys.platform == "win32":
        try:
            os.startfile(str(path))  # type: ignore[attr-defined]
        except OSError:  # WinError 1155: no program is associated with this kind of file
            return False
        return True
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QDesktopServices

    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
