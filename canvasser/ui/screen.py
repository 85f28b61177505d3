"""The window and its dialogs fit the screen they open on.

Village laptops are 1366×768 or 1280×720, often at 125% or 150% scaling (Windows' default on many
14-inch laptops): at 150% a 1366×768 screen is 910×512 for the window, less the taskbar. So the
main window opens maximised on such a screen (at the available size where no window manager does
it), or at 1366×768 on a larger one; its panels scroll or wrap rather than set a minimum size
(`MIN_WINDOW` is what it needs at most); and every dialog is kept inside the screen when shown.

`usable` is the available area in the window's own (logical) pixels, rounded down so that it is no
larger than the screen in device pixels either (911 logical pixels at 150% would be 1367 device
pixels on a 1366-pixel screen): what `gui --screenshot` renders is the size the window takes there.
A headless render (Qt's offscreen platform told of no screen) has no screen to fit: it renders the
1366×768 the window is designed for.
"""

from __future__ import annotations

import math
import os

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QSize
from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import QApplication, QDialog, QFrame, QLayout, QScrollArea, QWidget

LAPTOP = QSize(1366, 768)        # the size the window is designed for, where the screen has room
MIN_WINDOW = QSize(760, 400)     # the most the main window may need (1366×768 at 150% with a taskbar: 910×480)
TITLE_BAR = 34                   # a window manager's title bar, in logical pixels, before it is known


def screen_of(widget: QWidget | None = None) -> QScreen:
    screen = widget.screen() if widget is not None else None
    return screen or QGuiApplication.primaryScreen()


def headless() -> bool:
    """Qt's offscreen platform with no screen described to it (`QT_QPA_PLATFORM=offscreen`, no
    `configfile`): a render with nobody's screen behind it, whose made-up 800×800 is no laptop."""
    spec = os.environ.get("QT_QPA_PLATFORM", "")
    return QGuiApplication.platformName() == "offscreen" and "configfile" not in spec


def usable(widget: QWidget | None = None) -> QRect:
    """The screen's available area in logical pixels, no larger in device pixels than the screen;
    a headless render (no screen) gets the laptop the window is designed for."""
    if headless():
        return QRect(QPoint(0, 0), LAPTOP)
    screen = screen_of(widget)
    area = screen.availableGeometry()
    dpr = screen.devicePixelRatio() or 1.0
    w = math.floor(math.floor(area.width() * dpr) / dpr)
    h = math.floor(math.floor(area.height() * dpr) / dpr)
    return QRect(area.x(), area.y(), w, h)


def small_screen(widget: QWidget | None = None) -> bool:
    """No larger than the laptop the window is designed for: open maximised there."""
    area = usable(widget)
    return area.width() <= LAPTOP.width() + 40 or area.height() <= LAPTOP.height() + 40


def place_main_window(window: QWidget) -> bool:
    """Size the main window for its screen; True when it should be shown maximised."""
    area = usable(window)
    size = LAPTOP.boundedTo(area.size())
    window.resize(size)
    window.move(area.x() + (area.width() - size.width()) // 2, area.y() + (area.height() - size.height()) // 2)
    return small_screen(window)


def decoration(widget: QWidget) -> QSize:
    """The title bar and borders the window manager adds (guessed before it has framed the window)."""
    extra = widget.frameGeometry().size() - widget.size()
    if extra.height() <= 0 and QGuiApplication.platformName() not in ("offscreen", "minimal"):
        return QSize(8, TITLE_BAR)
    return QSize(max(0, extra.width()), max(0, extra.height()))


def fit(widget: QWidget) -> None:
    """Keep a top-level widget inside the available area, its title bar included: no larger, and
    moved back onto it."""
    area = usable(widget)
    room = area.size() - decoration(widget)
    if widget.width() > room.width() or widget.height() > room.height():  # QWidget's own: a dialog may
        QWidget.resize(widget, min(widget.width(), room.width()), min(widget.height(), room.height()))
    frame = widget.frameGeometry()  # have a method of that name (PersonDialog.move moves a person)
    x = min(max(frame.x(), area.x()), max(area.x(), area.right() - frame.width() + 1))
    y = min(max(frame.y(), area.y()), max(area.y(), area.bottom() - frame.height() + 1))
    if (x, y) != (frame.x(), frame.y()):
        QWidget.move(widget, x, y)


def bounded(widget: QWidget, width: int, height: int) -> None:
    """`widget.resize(width, height)`, but no larger than its screen's available area."""
    area = usable(widget)
    QWidget.resize(widget, min(width, area.width()), min(height, area.height()))


def scrolling(content: QWidget | QLayout, min_height: int = 90) -> QScrollArea:
    """A dialog's form that scrolls where the screen is short (1366×768 at 150%, 特大 text), at
    full height where there is room (a scroll area's size hint is its content's)."""
    if isinstance(content, QLayout):
        holder = QWidget()
        holder.setLayout(content)
        content = holder
    area = QScrollArea()
    area.setWidget(content)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setMinimumHeight(min_height)
    return area


class FitDialogs(QObject):
    """Every dialog, message box and file dialog is kept inside the screen when it is shown."""

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 — Qt's name
        if event.type() == QEvent.Type.Show and isinstance(obj, QDialog) and obj.isWindow():
            fit(obj)
        return False


def fit_dialogs(app: QApplication) -> None:
    if getattr(app, "_fit_dialogs", None) is None:
        app._fit_dialogs = FitDialogs(app)  # type: ignore[attr-defined] — kept alive with the app
        app.installEventFilter(app._fit_dialogs)  # type: ignore[attr-defined]


__all__ = ["LAPTOP", "MIN_WINDOW", "usable", "small_screen", "place_main_window", "fit", "bounded", "fit_dialogs",
           "scrolling"]
