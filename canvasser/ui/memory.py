"""What this computer remembers for the user between sessions (the GUI's settings: the last
workspace, who worked here, the folders used, 字号), and the demo's sandbox, in which nothing is
remembered. A leaf of the window's modules: it imports none of them."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

from ..paths import settings_file

APP_NAME = "canvasser"


def settings() -> QSettings:
    """The GUI's settings: an ini file in the data folder in portable mode (a laptop's registry
    must not keep a USB stick's last workspace), else the system store."""
    path = settings_file()
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        return QSettings(str(path), QSettings.Format.IniFormat)
    return QSettings(APP_NAME, APP_NAME)


_SANDBOX = {"on": False}


def sandbox(on: bool) -> None:
    """The demo village is a sandbox: while it is open, nothing of it is remembered on this computer
    (its made-up canvassers, the folders used, the last workspace), and it is offered nothing
    remembered from the real ones. Set by `open_window` for each workspace it opens."""
    _SANDBOX["on"] = bool(on)


def remembering() -> bool:
    """Whether what the user does now may be remembered for later (False in the demo's sandbox)."""
    return not _SANDBOX["on"]


def remember_workspace(path: str | Path) -> None:
    if remembering():
        settings().setValue("last_workspace", str(Path(path).resolve()))


def last_workspace() -> Path | None:
    value = settings().value("last_workspace", "")
    return Path(str(value)) if value and Path(str(value)).exists() else None


__all__ = ["APP_NAME", "settings", "sandbox", "remembering", "remember_workspace", "last_workspace"]
