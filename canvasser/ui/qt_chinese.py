"""Qt's own words and dates in Chinese, even where the translations PySide6 ships fall short.

`qtbase_zh_CN.qm` predates a few of Qt 6's strings (the file dialog's "&Look in:", "Files of &type:",
the file list's "Folder"), so a cadre saw half-English dialogs; those few are translated here. Dates
in Qt's own file dialog follow the system locale (LC_TIME on Linux), not `QLocale.setDefault`: where
the system is not Chinese, LC_TIME is set to Chinese before Qt reads it (dates only; nothing else
about the system changes)."""

from __future__ import annotations

import os
import sys

from PySide6.QtCore import QEvent, QObject, QTranslator
from PySide6.QtWidgets import QFileDialog, QTreeView

MISSING = {
    "&Look in:": "查找范围(&L)：",
    "Files of &type:": "文件类型(&T)：",
    "Folder": "文件夹",
    "File Folder": "文件夹",
    "Drive": "驱动器",
    "Computer": "计算机",
    "Sidebar": "侧边栏",
    "Files": "文件",
    "Show hidden files": "显示隐藏文件",
}


class FallbackTranslator(QTranslator):
    """Answers only for the few strings Qt's own Chinese translation lacks (installed before it, so
    Qt's translation is asked first)."""

    def translate(self, context, source, disambiguation=None, n=-1):  # noqa: ARG002 — Qt's signature
        return MISSING.get(source, "")

    def isEmpty(self) -> bool:  # noqa: N802 — Qt's name
        return False


def chinese_dates() -> None:
    """Before the QApplication exists: the system locale's dates in Chinese form on Linux."""
    if sys.platform.startswith("win") or sys.platform == "darwin":
        return  # the system's own settings decide there
    if os.environ.get("LC_ALL") and not os.environ["LC_ALL"].startswith("zh"):
        return  # the user chose one locale for everything: respected
    if not (os.environ.get("LC_TIME") or os.environ.get("LANG") or "").startswith("zh"):
        os.environ["LC_TIME"] = "zh_CN.UTF-8"


class RoomyFileDialogs(QObject):
    """Qt's own file dialog opens at about 600 px, cutting the date column ("2026/1…") and long
    filters; every file dialog is shown at least 880 × 540 where the screen has the room."""

    SIZE = (880, 540)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 — Qt's name
        if event.type() == QEvent.Type.Show and isinstance(obj, QFileDialog):
            from .screen import usable

            room = usable(obj)  # never larger than the screen (1366×768 at 150% is 910×512)
            w, h = min(self.SIZE[0], room.width()), min(self.SIZE[1], room.height())
            if obj.width() < w or obj.height() < h:
                obj.resize(max(obj.width(), w), max(obj.height(), h))
            for view in obj.findChildren(QTreeView):  # the details view: name wide, the date whole
                header = view.header()
                if header.count() >= 4:
                    need = view.fontMetrics().horizontalAdvance("2026/11/29 03:21") + 24
                    header.resizeSection(3, max(header.sectionSize(3), need))
                    header.resizeSection(0, max(header.sectionSize(0), 320))
        return False


def roomy_file_dialogs(app) -> None:
    app._roomy_file_dialogs = RoomyFileDialogs(app)  # kept alive with the app
    app.installEventFilter(app._roomy_file_dialogs)
