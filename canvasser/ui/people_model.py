"""The people table's model: the ordered row ids of a search, rows fetched lazily in blocks.

Anki's browser table pattern: the model holds only the ids (an `array('q')` of SQLite rowids, 8 bytes
a person), sorts and filters in SQL, and reads the visible rows a block at a time into a small
cache. No proxy model; the view uses a fixed row height, so a million rows scroll like ten.
"""

from __future__ import annotations

import datetime as dt
from array import array
from dataclasses import dataclass

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor

from ..core import clock, outcomes, views
from ..core.text import ids
from ..core.views import STATUS_LABELS, Campaign, PeopleFilter, Workspace, previous_label
from .worker import Job


@dataclass(frozen=True)
class Column:
    key: str  # a field of `views.ROW_FIELDS`, sorted by `views.order_by(key)`
    title: str
    width: int


COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", 70),
    Column("village", "村", 70),
    Column("sex", "性别", 34),
    Column("age", "年龄", 38),
    Column("pid", "身份证尾号", 82),
    Column("grp", "组", 46),
    Column("relation", "关系", 48),
    Column("phone", "电话", 100),
    Column("categories", "人员类别", 96),
    Column("status", "状态", 112),
    Column("last_visit_at", "最近走访", 80),
    Column("last_visit_by", "走访人", 64),
    Column("prev_outcome", "去年结果", 80),
)
DEFAULT_ORDER = views.DEFAULT_ORDER
_AT = {name: i for i, name in enumerate(views.ROW_FIELDS)}  # a cell's place in a row tuple
PID_ROLE = Qt.ItemDataRole.UserRole + 1

STATUS_COLOURS = {"done": "#1b7f3b", "official": "#0b5cad", outcomes.WAIT: "#b26a00", outcomes.ALARM: "#b3261e",
                  "none": "#6b6b6b", "other": "#7a4b00"}


def status_colour(status: str, camp: Campaign) -> str:
    """Blue: the bureau confirmed; green: done; grey: not visited; a promise and a refusal stand out."""
    o = outcomes.of(status)
    if o is outcomes.OFFICIAL:
        return STATUS_COLOURS["official"]
    if status in camp.done_set:
        return STATUS_COLOURS["done"]
    if o is outcomes.NOT_VISITED:
        return STATUS_COLOURS["none"]
    return STATUS_COLOURS.get(o.tone if o is not None else "", STATUS_COLOURS["other"])


class PeopleModel(QAbstractTableModel):
    BLOCK = 200
    CACHE_LIMIT = 4000
    FIRST_PAGE = 500
    REST_DELAY_MS = 80

    completed = Signal(int)  # the full ordered list of a large search has arrived: its size

    def __init__(self, ws: Workspace, parent=None, runner=None):
        super().__init__(parent)
        self.ws = ws
        self.runner = runner
        self.filter = PeopleFilter()
        self.order = DEFAULT_ORDER
        self.campaign: Campaign = views.campaign(ws)
        self._ids = array("q")
        self._rows: dict[int, tuple] = {}
        self._today = clock.today()
        self._generation = 0
        self._pending = None
        self.complete = True
        self.mask_ids = True

    # ---- searching -----------------------------------------------------------------------------
    def search(self, flt: PeopleFilter | None = None) -> int:
        """Run the search in SQL and keep only the ordered rowids; returns how many rows are shown.

        A small result is fetched in order at once. A large one (a million people, a broad filter)
        shows its first page straight away, read in rowid order (no sort, no row lookups), while
        the worker reads the whole ordered list; `completed` fires when it replaces the page.
        """
        if flt is not None:
            self.filter = flt
        self.campaign = views.campaign(self.ws)
        q = views.PeopleQuery.of(self.filter, self.campaign, self.order, ws=self.ws)
        self._generation += 1
        if self._pending is not None:
            self._pending.cancel.set()  # a newer search supersedes it (skipped if not started)
            self._pending = None
        if self.runner is None:
            self._show(views.ordered_ids(self.ws, q), complete=True)
            return len(self._ids)
        first = views.first_ids(self.ws, q, self.FIRST_PAGE + 1)
        if len(first) <= self.FIRST_PAGE:
            self._show(views.sort_ids(self.ws, q, first), complete=True)
            return len(self._ids)
        self._show(array("q", first[:self.FIRST_PAGE]), complete=False)
        generation = self._generation
        if getattr(self.runner, "immediate", False):
            self._fetch_rest(generation, q)
        else:  # let the first page paint before the worker starts competing for the interpreter
            QTimer.singleShot(self.REST_DELAY_MS, lambda: self._fetch_rest(generation, q))
        return len(self._ids)

    def _fetch_rest(self, generation: int, q: views.PeopleQuery) -> None:
        if generation != self._generation:
            return  # typed again: a newer search is on its way
        self._pending = self.runner.submit(Job(lambda ws, _p: views.ordered_ids(ws, q),
                                               success=lambda ids: self._arrived(generation, ids),
                                               label="搜索"))

    def _show(self, ids: array, *, complete: bool) -> None:
        self.beginResetModel()
        self._ids = ids
        self._rows.clear()
        self._today = clock.today()
        self.complete = complete
        self.endResetModel()

    def _arrived(self, generation: int, ids: array) -> None:
        if generation != self._generation:
            return  # the user searched again meanwhile
        self._pending = None
        self._show(ids, complete=True)
        self.completed.emit(len(ids))

    def refresh(self) -> int:
        """Search again after a change (a visit moves people between filters, rowids change)."""
        return self.search()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = COLUMNS[column].key if 0 <= column < len(COLUMNS) else None
        self.order = views.order_by(key, order == Qt.SortOrder.DescendingOrder)
        self.search()

    # ---- rows ----------------------------------------------------------------------------------
    def _row(self, r: int) -> tuple | None:
        if r < 0 or r >= len(self._ids):
            return None
        rid = self._ids[r]
        row = self._rows.get(rid)
        if row is None:
            self._fetch_block(r)
            row = self._rows.get(rid)
        return row

    def _fetch_block(self, r: int) -> None:
        if len(self._rows) > self.CACHE_LIMIT:
            self._rows.clear()
        start = max(0, r - self.BLOCK // 4)
        block = [rid for rid in self._ids[start:start + self.BLOCK] if rid not in self._rows]
        if not block:
            return
        for row in views.rows_for(self.ws, block):
            self._rows[row[0]] = row
        for rid in block:  # a row deleted meanwhile shows empty rather than refetching forever
            self._rows.setdefault(rid, (rid,) + ("",) * (len(views.ROW_FIELDS) - 1))

    def pid_at(self, r: int) -> str:
        row = self._row(r)
        return row[_AT["pid"]] if row else ""

    def row_of(self, pid: str) -> int:
        return views.position(self.ws, self._ids, pid)

    # ---- Qt model interface --------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section].title
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ForegroundRole, PID_ROLE,
                        Qt.ItemDataRole.ToolTipRole):
            return None
        row = self._row(index.row())
        if row is None:
            return None
        if role == PID_ROLE:
            return row[_AT["pid"]]
        key = COLUMNS[index.column()].key
        if role == Qt.ItemDataRole.ForegroundRole:
            if key == "status":
                return QBrush(QColor(status_colour(row[_AT["status"]], self.campaign)))
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            return row[_AT["categories"]] if key == "categories" and row[_AT["categories"]] else None
        return self._cell(row, key)

    def _cell(self, row: tuple, key: str) -> str:
        if key == "age":
            return _age(row[_AT["birth"]], self._today)
        value = row[_AT[key]] if key in _AT else ""
        if key == "pid":  # the tail is what cadres read out and search by; the detail shows it whole
            return f"…{value[-6:]}" if self.mask_ids else value
        if key == "categories":
            return value.replace(",", "、")
        if key == "status":
            return STATUS_LABELS.get(value, value)
        if key == "last_visit_at":
            return value[:10]
        if key == "prev_outcome":
            return previous_label(value)
        return value


def _age(birth: str, today: dt.date) -> str:
    try:
        b = dt.date.fromisoformat(birth)
    except (TypeError, ValueError):
        return ""
    return str(ids.age_on(b, today))
