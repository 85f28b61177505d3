"""The village → group → household tree on the left (a county's: township → village → group →
household), each with done/total.

Villages and groups come from one GROUP BY (computed on the worker); households are read only when
a group is opened, so a million-person township still shows its tree at once.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QHeaderView, QTreeWidget, QTreeWidgetItem

from ..core import views
from ..core.tiers import Tier, split_label, unit_label
from ..core.views import Workspace, group_key

SCOPE_ROLE = Qt.ItemDataRole.UserRole + 1
LOADED_ROLE = Qt.ItemDataRole.UserRole + 2


def _count_text(done: int, total: int) -> str:
    return f"{done}/{total}"


class PlaceTree(QTreeWidget):
    """Emits scope_changed(village, grp, household) — None meaning "any" — when a node is chosen."""

    scope_changed = Signal(object, object, object)

    def __init__(self, ws: Workspace, parent=None):
        super().__init__(parent)
        self.ws = ws
        self.setColumnCount(2)
        self.setHeaderLabels(["乡镇 / 村 / 组 / 户" if ws.tier is Tier.COUNTY else "村 / 组 / 户", "完成/总数"])
        self.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.header().setStretchLastSection(False)
        self.setUniformRowHeights(True)
        self.setAlternatingRowColors(False)
        self.itemExpanded.connect(self._load_households)
        self.currentItemChanged.connect(self._on_current)
        self._suppress = False
        self._rows: list[dict] = []

    def set_counts(self, rows: list[dict]) -> None:
        """Rebuild the villages and groups from tree_counts(), keeping the selection and open groups."""
        pending = [r for r in rows if r.get("pending")]  # 待核对: in the whole, in no village
        rows = sorted((r for r in rows if not r.get("pending")), key=lambda r: (r["village"], group_key(r["grp"])))
        self._rows = rows
        current = self.current_scope()
        expanded = {self._scope(it) for it in self._walk() if it.isExpanded()}
        self._suppress = True
        self.clear()
        total = sum(r["total"] for r in (*rows, *pending))
        done = sum(r["done"] or 0 for r in (*rows, *pending))
        root = QTreeWidgetItem(["全部", _count_text(done, total)])
        if pending:
            waiting = sum(r["total"] for r in pending)
            root.setToolTip(0, f"含待核对 {waiting} 人（两个村都报了此人，乡镇确定归属前不计入任何村）")
            root.setToolTip(1, root.toolTip(0))
        root.setData(0, SCOPE_ROLE, (None, None, None))
        bold = QFont(self.font())
        bold.setBold(True)
        root.setFont(0, bold)
        self.addTopLevelItem(root)
        villages: dict[str, QTreeWidgetItem] = {}
        towns: dict[str, QTreeWidgetItem] = {}  # a county's: township → its villages
        vsum: dict[str, list[int]] = {}
        tsum: dict[str, list[int]] = {}
        for r in rows:
            v = r["village"] or "（未注明村）"
            vsum.setdefault(v, [0, 0])
            vsum[v][0] += r["done"] or 0
            vsum[v][1] += r["total"]
            if "township" in r:
                tsum.setdefault(r["township"], [0, 0])
                tsum[r["township"]][0] += r["done"] or 0
                tsum[r["township"]][1] += r["total"]
        for r in rows:
            v = r["village"]
            if v not in villages:
                d, t = vsum[v or "（未注明村）"]
                parent = root
                if "township" in r:  # a county: the village (named with its township) under its township
                    town = r["township"]
                    if town not in towns:
                        td, tt = tsum[town]
                        towns[town] = QTreeWidgetItem([town or "（未注明乡镇）", _count_text(td, tt)])
                        towns[town].setData(0, SCOPE_ROLE, (unit_label(town, ""), None, None))
                        root.addChild(towns[town])
                    parent = towns[town]
                item = QTreeWidgetItem([split_label(v)[1] if "township" in r else v or "（未注明村）",
                                        _count_text(d, t)])
                item.setData(0, SCOPE_ROLE, (v, None, None))
                parent.addChild(item)
                villages[v] = item
            g = QTreeWidgetItem([r["grp"] or "（未分组）", _count_text(r["done"] or 0, r["total"])])
            g.setData(0, SCOPE_ROLE, (v, r["grp"], None))
            if r["done"] == r["total"] and r["total"]:
                g.setForeground(1, QBrush(QColor("#1b7f3b")))
            g.setChildIndicatorPolicy(QTreeWidgetItem.ChildIndicatorPolicy.ShowIndicator)
            villages[v].addChild(g)
        root.setExpanded(True)
        for item in villages.values():
            item.setExpanded(len(villages) <= 3)
        for item in towns.values():
            item.setExpanded(len(towns) <= 3)
        for it in list(self._walk()):
            if self._scope(it) in expanded and it is not root:
                it.setExpanded(True)
        self._suppress = False
        self.select_scope(*current) if current else self.setCurrentItem(root)

    def _walk(self):
        stack = [self.topLevelItem(i) for i in range(self.topLevelItemCount())]
        while stack:
            it = stack.pop()
            yield it
            stack.extend(it.child(i) for i in range(it.childCount()))

    @staticmethod
    def _scope(item: QTreeWidgetItem) -> tuple:
        return tuple(item.data(0, SCOPE_ROLE) or (None, None, None))

    def current_scope(self) -> tuple | None:
        it = self.currentItem()
        return self._scope(it) if it else None

    def select_scope(self, village, grp, household) -> None:
        want = (village, grp, household)
        if household is not None:
            for it in list(self._walk()):
                if self._scope(it) == (village, grp, None):
                    it.setExpanded(True)
        for it in self._walk():
            if self._scope(it) == want:
                self.setCurrentItem(it)
                return

    def _load_households(self, item: QTreeWidgetItem) -> None:
        village, grp, household = self._scope(item)
        if grp is None or household is not None or item.data(0, LOADED_ROLE):
            return
        item.setData(0, LOADED_ROLE, True)
        for h in views.household_counts(self.ws, village, grp):
            child = QTreeWidgetItem([f"{h['head'] or '户'}（{h['hid'][-5:]}）", _count_text(h["done"] or 0, h["total"])])
            child.setData(0, SCOPE_ROLE, (village, grp, h["hid"]))
            if h["done"] == h["total"]:
                child.setForeground(1, QBrush(QColor("#1b7f3b")))
            item.addChild(child)
        if item.childCount() == 0:
            item.setChildIndicatorPolicy(QTreeWidgetItem.ChildIndicatorPolicy.DontShowIndicator)

    def _on_current(self, current: QTreeWidgetItem | None, _previous) -> None:
        if self._suppress or current is None:
            return
        self.scope_changed.emit(*self._scope(current))
