"""A row of widgets that wraps onto the next line when the window is narrow, so a row of figures or
filters never makes the window wider than a laptop's screen at 150% scaling or with 特大 text.
Widgets whose horizontal size policy expands (the search box) share what is left of their line.

A widget placing its children itself, not a Python QLayout: PySide6 (6.12) miscounts references
when a Python `QLayout.itemAt` answers None (as every layout must past its last item), and Python
then frees None and aborts.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QRect, QSize
from PySide6.QtWidgets import QSizePolicy, QWidget


class FlowBox(QWidget):
    def __init__(self, parent: QWidget | None = None, spacing: int = 8, margins: tuple[int, int, int, int] = (0, 0, 0, 0)):
        super().__init__(parent)
        self.spacing = spacing
        self.margins = margins
        self.items: list[QWidget] = []
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def add(self, widget: QWidget) -> QWidget:
        widget.setParent(self)
        self.items.append(widget)
        widget.show()
        self._changed()
        return widget

    # ---- sizes ---------------------------------------------------------------------------------
    def _shown(self) -> list[QWidget]:
        return [w for w in self.items if not w.isHidden()]

    def sizeHint(self) -> QSize:  # noqa: N802 — Qt's name
        """Everything on one line (what a wide window shows)."""
        left, top, right, bottom = self.margins
        shown = self._shown()
        w = sum(x.sizeHint().width() for x in shown) + self.spacing * max(0, len(shown) - 1)
        h = max((x.sizeHint().height() for x in shown), default=0)
        return QSize(w + left + right, h + top + bottom)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 — Qt's name
        """The widest single widget on one line: anything wider wraps."""
        left, top, right, bottom = self.margins
        shown = self._shown()
        w = max((max(x.minimumSizeHint().width(), x.minimumWidth()) for x in shown), default=0)
        h = max((x.sizeHint().height() for x in shown), default=0)
        return QSize(w + left + right, h + top + bottom)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 — Qt's name
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 — Qt's name
        return self._arrange(width, move=False)

    # ---- placing -------------------------------------------------------------------------------
    def resizeEvent(self, event) -> None:  # noqa: N802 — Qt's name
        super().resizeEvent(event)
        self._arrange(self.width(), move=True)

    def event(self, event) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:  # a child's size hint changed (new text)
            self._changed()
            return True
        return super().event(event)

    def _changed(self) -> None:
        self.updateGeometry()
        self._arrange(self.width(), move=True)

    def _lines(self, width: int) -> list[list[QWidget]]:
        lines: list[list[QWidget]] = [[]]
        used = 0
        for w in self._shown():
            hint = w.sizeHint().width()
            if lines[-1] and used + self.spacing + hint > width:
                lines.append([])
                used = 0
            used += (self.spacing if lines[-1] else 0) + hint
            lines[-1].append(w)
        return [line for line in lines if line]

    def _arrange(self, width: int, move: bool) -> int:
        left, top, right, bottom = self.margins
        inner = max(1, width - left - right)
        y = top
        for line in self._lines(inner):
            hints = [min(w.sizeHint().width(), inner) for w in line]
            spare = inner - sum(hints) - self.spacing * (len(line) - 1)
            growing = [k for k, w in enumerate(line) if _expands(w)]
            height = max(w.sizeHint().height() for w in line)
            x = left
            for k, w in enumerate(line):
                width_k = hints[k] + (spare // len(growing) if spare > 0 and k in growing else 0)
                width_k = max(width_k, min(w.minimumSizeHint().width(), inner))
                if move:
                    h = w.sizeHint().height()
                    w.setGeometry(QRect(QPoint(x, y + (height - h) // 2), QSize(width_k, h)))
                x += width_k + self.spacing
            y += height + self.spacing
        return (y - self.spacing if y > top else y) + bottom


def _expands(widget: QWidget) -> bool:
    return bool(widget.sizePolicy().horizontalPolicy().value & QSizePolicy.PolicyFlag.ExpandFlag.value)
