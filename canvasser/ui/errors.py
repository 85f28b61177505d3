"""An error no code expected: said to the user in Chinese, kept in the log, and the window stays open.

`sys.excepthook` is where Qt hands an exception raised in a slot (a click, a timer, a job's callback).
Python's own hook would print it to a console a cadre never sees and, in a bundle without a console,
nothing at all. Here it becomes a non-modal message box; the window keeps running, and nothing was
half written (every change to a workspace is one transaction). The traceback goes to
`<data folder>/logs/errors.log` with any long run of digits masked: an ID number or a phone in an
error's text never reaches the log.
"""

from __future__ import annotations

import re
import sys
import time
import traceback

from ..paths import data_dir

SHOWN: list[str] = []  # the errors shown, newest last (tests read it)
_OPEN: list = []  # the boxes on screen (a box with no window to belong to is kept alive here)
_DIGITS = re.compile(r"\d{7,}[\dXx]?")


def masked(text: str) -> str:
    """Long runs of digits (an ID number, a phone) kept only by their last four."""
    return _DIGITS.sub(lambda m: "*" * (len(m.group()) - 4) + m.group()[-4:], text)


def log(text: str) -> None:
    try:
        folder = data_dir() / "logs"
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / "errors.log", "a", encoding="utf-8") as f:
            f.write(f"==== {time.strftime('%Y-%m-%d %H:%M:%S')}\n{masked(text)}\n")  # (the wall clock, as events)
    except OSError:
        pass  # a full or read-only disk: the box below still says it


def show_unexpected(exc_type, exc, tb) -> None:
    """The window's sys.excepthook."""
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    log("".join(traceback.format_exception(exc_type, exc, tb)))
    what = f"{exc_type.__name__}: {exc}" if str(exc) else exc_type.__name__
    SHOWN.append(what)
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication, QMessageBox

    if QApplication.instance() is None:
        sys.__excepthook__(exc_type, exc, tb)
        return
    box = QMessageBox(QMessageBox.Icon.Warning, "程序出错了",
                      "刚才的操作没有完成，程序可以继续使用：工作区的每一次修改都是完整的一步，出错的这一步没有写入。\n"
                      "如果反复出现，请把下面的错误告诉技术人员（详细记录在数据文件夹的 logs/errors.log）。",
                      QMessageBox.StandardButton.Ok, QApplication.activeWindow())
    box.setInformativeText(masked(what)[:500])  # (it may be read out to someone else: no ID, no phone)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setModal(False)
    if box.parent() is None:  # no window to belong to: Python alone would hold it, kept until closed
        _OPEN.append(box)
        box.finished.connect(lambda _r, b=box: _OPEN.remove(b) if b in _OPEN else None)
    box.show()


def install() -> None:
    sys.excepthook = show_unexpected
