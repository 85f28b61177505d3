"""字号: the window's text size (标准 / 大 / 特大), for those who do not change the system's scaling.

The choice is this computer's (the GUI's settings, not the workspace's) and applies at once: the
application font changes, and every label or button drawn larger than the text around it (a
person's name, the progress figures) is registered here with its ratio to the text, so it grows
with it instead of keeping a fixed pixel size.
"""

from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QWidget

SIZES = {"标准": 10.0, "大": 12.5, "特大": 15.0}  # points: 100%, 125%, 150% of the standard text
DEFAULT = "标准"
KEY = "ui/text_size"
_RATIO = "canvasser_text_ratio"
_BOLD = "canvasser_text_bold"


def current() -> str:
    from .memory import settings

    value = str(settings().value(KEY, DEFAULT) or DEFAULT)
    return value if value in SIZES else DEFAULT


def points(name: str | None = None) -> float:
    return SIZES.get(name or current(), SIZES[DEFAULT])


def emphasise(widget: QWidget, ratio: float = 1.0, bold: bool = False) -> QWidget:
    """Draw `widget`'s text at `ratio` times the window's text size (bold if asked), now and later."""
    widget.setProperty(_RATIO, float(ratio))
    widget.setProperty(_BOLD, bool(bold))
    _apply(widget, QApplication.font().pointSizeF())
    return widget


def _apply(widget: QWidget, base: float) -> None:
    font = QFont(widget.font())
    font.setPointSizeF(max(1.0, base * float(widget.property(_RATIO))))
    font.setBold(bool(widget.property(_BOLD)))
    widget.setFont(font)


def apply(app: QApplication, name: str | None = None, *, save: bool = False) -> str:
    """Set the text size for the whole application (and remember it when `save`)."""
    name = name if name in SIZES else current()
    font = QFont(app.font())
    font.setPointSizeF(points(name))
    app.setFont(font)
    for w in app.allWidgets():
        if w.property(_RATIO) is not None:
            _apply(w, font.pointSizeF())
    if save:
        from .memory import settings

        settings().setValue(KEY, name)
    return name
