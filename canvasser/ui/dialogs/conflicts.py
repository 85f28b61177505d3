"""The 待核对 queue's own screen (township): people the same ID was created for by two villages,
both versions side by side with their full details, and one button per village to say where the
person belongs (core `sync.versions` / `sync.resolve_conflict`: the chosen version wins whole)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from ...core import views
from ...core.errors import InputError
from .. import operations
from ..textsize import emphasise
from ..worker import show_failure

PID_ROLE = Qt.ItemDataRole.UserRole + 1


class ConflictsDialog(QDialog):
    resolved = Signal(str)

    def __init__(self, ws, runner, author: str = "", parent=None):
        super().__init__(parent)
        self.ws = ws  # the window's read-only connection: the choice is written by an operation
        self.runner = runner
        self.author = author
        self.current: dict | None = None
        self.setWindowTitle("待核对：重复建档")
        self.resize(820, 480)
        lay = QVBoxLayout(self)
        why = QLabel("同一身份证号被两个村分别新增。核对两边的信息后，点“归属…”确定此人属于哪个村："
                     "该村的版本（户、与户主关系、组）整体生效，另一个村的记录保留在历史中。")
        why.setWordWrap(True)
        lay.addWidget(why)
        body = QHBoxLayout()
        self.list = QListWidget()
        self.list.setMaximumWidth(220)
        self.list.currentItemChanged.connect(lambda cur, _prev: self.show_person(cur.data(PID_ROLE) if cur else None))
        body.addWidget(self.list)
        right = QVBoxLayout()
        self.title = QLabel("")
        emphasise(self.title, 1.1, bold=True)
        right.addWidget(self.title)
        self.table = QTableWidget(0, 0)
        self.table.verticalHeader().setDefaultSectionSize(24)
        right.addWidget(self.table, 1)
        self.buttons = QHBoxLayout()
        right.addLayout(self.buttons)
        body.addLayout(right, 1)
        lay.addLayout(body, 1)
        self.result = QLabel("")
        self.result.setWordWrap(True)
        lay.addWidget(self.result)
        close = QPushButton("关闭")
        close.clicked.connect(self.accept)
        lay.addWidget(close, 0, Qt.AlignmentFlag.AlignRight)
        self.load()

    def load(self) -> int:
        self.list.clear()
        items = views.conflicts(self.ws)
        for c in items:
            item = QListWidgetItem(f"{c['name']}  {c['masked_id']}\n{'、'.join(c['villages'])}")
            item.setData(PID_ROLE, c["id"])
            self.list.addItem(item)
        if items:
            self.list.setCurrentRow(0)
        else:
            self.show_person(None)
        return len(items)

    def _clear_buttons(self) -> None:
        while self.buttons.count():
            w = self.buttons.takeAt(0).widget()
            if w is not None:
                w.deleteLater()

    def show_person(self, pid: str | None) -> None:
        self._clear_buttons()
        if not pid:
            self.current = None
            self.title.setText("没有待核对的人员。")
            self.table.setRowCount(0)
            self.table.setColumnCount(0)
            return
        self.current = views.versions(self.ws, pid)
        SHOWN, SHOWN_LABELS = views.conflict_fields()  # noqa: N806 (the fields compared, and their words)
        vs = self.current["versions"]
        self.title.setText(f"身份证号 {self.current['id']}")
        self.table.setColumnCount(len(vs))
        self.table.setHorizontalHeaderLabels([f"{v['village']}的版本" for v in vs])
        rows = [*SHOWN, "created", "visits"]
        self.table.setRowCount(len(rows))
        self.table.setVerticalHeaderLabels([SHOWN_LABELS.get(r, {"created": "新增人/时间", "visits": "该村走访次数"}
                                                             .get(r, r)) for r in rows])
        for c, v in enumerate(vs):
            values = [str(v["fields"].get(k, "")) for k in SHOWN]
            waiting = f"（其中 {v['visits_waiting']} 次暂存，归属该村后采用）" if v.get("visits_waiting") else ""
            values += [f"{v['created_by']} {v['created_at'].replace('T', ' ')[:16]}".strip(), f"{v['visits']}{waiting}"]
            for r, text in enumerate(values):
                item = QTableWidgetItem(text)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                if text != (str(vs[0]["fields"].get(rows[r], "")) if r < len(SHOWN) else text):
                    item.setBackground(Qt.GlobalColor.yellow)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        for v in vs:  # (at a county a place is 乡镇/村: two townships may each have a 杨柳村)
            place = v.get("place") or v["village"]
            b = QPushButton(f"归属{place}")
            b.clicked.connect(lambda _=False, name=place: self.resolve(name))
            self.buttons.addWidget(b)
        self.buttons.addStretch(1)

    def resolve(self, village: str) -> None:
        if self.current is None:
            return
        pid = self.current["id"]

        def done(res) -> None:
            self.result.setText(views.assignment_line(res))
            self.resolved.emit(pid)
            self.load()

        def failed(exc: BaseException) -> None:
            if not isinstance(exc, InputError):
                show_failure(exc)
                return
            self.result.setText(f"<span style='color:#b3261e'>{exc}</span>")

        operations.resolve_conflict(self.runner, pid, village, by=self.author, success=done, failure=failed)
