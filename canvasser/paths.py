"""Where the app's files are: bundled resources, and the user's data folder.

Resources live in `resources/` beside the package, both in a checkout and in the pyinstaller
bundle (which keeps the same relative layout), so one lookup works frozen and unfrozen.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def resources_dir() -> Path:
    candidates = [PACKAGE_DIR.parent / "resources"]
    if getattr(sys, "frozen", False):
        candidates.insert(0, Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent)) / "resources")
    for c in candidates:
        if c.is_dir():
            return c
    return candidates[-1]


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


def app_dir() -> Path:
    """The folder holding the executable (frozen) or the checkout (unfrozen)."""
    if getattr(sys, "frozen", False):
        return Path(sys.executable).resolve().parent
    return PACKAGE_DIR.parent


def portable() -> bool:
    """Portable mode (a `portable.txt` beside the app, e.g. on a USB stick): everything stays beside it."""
    return (app_dir() / "portable.txt").exists()


def settings_file() -> Path | None:
    """Where the GUI keeps its settings when they must not go to the system store (the Windows
    registry): in portable mode, and when CANVASSER_DATA names a data folder. None: system store."""
    if portable() or os.environ.get("CANVASSER_DATA"):
        return data_dir() / "settings.ini"
    return None


def data_dir() -> Path:
    """Workspaces, backups and logs: beside the app in portable mode, else the user's data folder."""
    if portable():
        return app_dir() / "data"
    if os.environ.get("CANVASSER_DATA"):
        return Path(os.environ["CANVASSER_DATA"])
    if sys.platform == "win32":
        # %LOCALAPPDATA%, not the roaming %APPDATA%: a domain profile would copy workspaces and backups
        # (hundreds of MB) to the server at every logon and logoff, and a workspace belongs to this laptop
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share"))
    return base / "canvasser"


def exports_dir(workspace: Path) -> Path:
    """Where files the user did not ask for go (e.g. a list's rejected rows): one known folder per
    workspace under the data folder's `导出/`, never beside the bureau's file (a read-only USB stick,
    a shared folder). The window shows it with an "打开文件夹" button."""
    from .core.storage.files import safe_name

    return data_dir() / "导出" / safe_name(Path(workspace).stem, "工作区")
