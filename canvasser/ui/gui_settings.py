"""The window's settings on this computer (not in any workspace): the last workspace, who worked here,
the folders file dialogs start in. An ini file in the data folder in portable mode (a laptop's
registry must not keep a USB stick's last workspace), else the system's store."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from ..paths import settings_file

APP_NAME = "canvasser"


def settings() -> QSettings:
    path = settings_file()
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        return QSettings(str(path), QSettings.Format.IniFormat)
    return QSettings(APP_NAME, APP_NAME)
