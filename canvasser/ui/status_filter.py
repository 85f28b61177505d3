"""Several statuses at once in the people filter (e.g. 无人在家 + 联系不上 + 拒绝): a button with a
menu of checkable statuses beside the single-status box; the keys go to `PeopleFilter.statuses`."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QMenu, QToolButton

from ..core.views import STATUS_FILTERS, STATUS_LABELS


class MultiStatusButton(QToolButton):
    changed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.menu_ = QMenu(self)
        self.actions_: dict[str, object] = {}
        for key, label in STATUS_FILTERS.items():
            if not key:
                continue
            a = self.menu_.addAction(label)
            a.setCheckable(True)
            a.toggled.connect(lambda _on: self._changed())
            self.actions_[key] = a
        self.menu_.addSeparator()
        self.menu_.addAction("清除多选", self.clear)
        self.setMenu(self.menu_)
        self._label()

    def checked(self) -> tuple[str, ...]:
        return tuple(k for k, a in self.actions_.items() if a.isChecked())

    def set_checked(self, keys) -> None:
        for k, a in self.actions_.items():
            a.blockSignals(True)
            a.setChecked(k in keys)
            a.blockSignals(False)
        self._changed()

    def clear(self) -> None:
        self.set_checked(())

    def _label(self) -> None:
        keys = self.checked()
        self.setText(f"多选状态（{len(keys)}）" if keys else "多选状态")
        self.setToolTip("、".join(STATUS_FILTERS[k] for k in keys) if keys else "同时筛选几种状态（任一即显示）")

    def _changed(self) -> None:
        self._label()
        self.changed.emit()


def status_width(widget) -> int:
    """Pixels the longest status name needs in `widget`'s font ("已自行缴费(待核实)" never cut)."""
    from PySide6.QtGui import QFontMetrics

    fm = QFontMetrics(widget.font())
    return max(fm.horizontalAdvance(label) for label in STATUS_LABELS.values()) + 24
