"""待审核: the records the township held from the villages' packages, one line each, to accept or reject.

Core decides what is held and why (`sync.scope`): records about people outside the sending village,
records about a person two villages created (waiting for the assignment in 待核对, which adopts the
chosen village's records by itself), and changes only the township makes (settings, a new year, an
official payment: refused at once, never adoptable). This screen lists them with the village that
sent each, whom it is about and why it was held, and writes the clerk's decision through one
operation; the next return package tells each village what was not adopted.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from ...core import views
from ...core.text import ids
from .. import operations

ID_ROLE = Qt.ItemDataRole.UserRole + 1
COLUMNS = ("村（社区）", "人员", "身份证号", "记录", "原因", "暂存时间", "处理")


class HeldDialog(QDialog):
    decided = Signal(dict)

    def __init__(self, ws, runner, parent=None):
        super().__init__(parent)
        self.ws = ws  # the window's read-only connection: decisions are written by an operation
        self.runner = runner
        self.last: dict | None = None
        below, me = ws.tier.below.label, ws.tier.label  # 村/乡镇 at a township, 乡镇/县 at a county
        self.setWindowTitle(f"待审核：{below}里数据包中暂存的记录")
        self.resize(980, 520)
        lay = QVBoxLayout(self)
        intro = QLabel(f"这些记录随{below}里的数据包送来，但没有采用：别的{below}的人员、两个{below}都报了的人员（在“待核对重复建档”里"
                       f"确定归属后，归属{below}的记录自动采用），以及只能由{me}决定的事项（设置、新年度、医保局确认缴费，"
                       f"一律不采用）。采用或拒绝后，下一次回传包会告诉该{below}哪些记录没有采用、为什么。")
        intro.setWordWrap(True)
        lay.addWidget(intro)
        self.show_all = QCheckBox("也显示已处理的记录")
        self.show_all.toggled.connect(lambda _: self.load())
        lay.addWidget(self.show_all)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([f"{below}（发来的）" if c == COLUMNS[0] and below != "村" else c
                                              for c in COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        lay.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.accept_button = QPushButton("采用所选")
        self.accept_button.clicked.connect(lambda: self.decide(True))
        self.reject_button = QPushButton("拒绝所选")
        self.reject_button.clicked.connect(lambda: self.decide(False))
        close = QPushButton("关闭")
        close.clicked.connect(self.accept)
        buttons.addWidget(self.accept_button)
        buttons.addWidget(self.reject_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        lay.addLayout(buttons)
        self.result = QLabel("")
        self.result.setWordWrap(True)
        lay.addWidget(self.result)
        self.load()

    def load(self) -> int:
        rows = views.held_records(self.ws, decided=self.show_all.isChecked())
        self.table.setRowCount(len(rows))
        for r, h in enumerate(rows):
            values = (h["village"], h["name"], ids.mask(h["id"]) if h["id"] else "", h["what"], h["reason"],
                      h["held_at"].replace("T", " ")[:16], h["state"])
            for c, text in enumerate(values):
                item = QTableWidgetItem(text)
                item.setData(ID_ROLE, h["event_id"] if not h["decision"] else "")
                if c == 4:
                    item.setToolTip(text)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        open_rows = sum(1 for h in rows if not h["decision"])
        for b in (self.accept_button, self.reject_button):
            b.setEnabled(bool(open_rows))
        if not rows:
            self.result.setText("没有待审核的记录。")
        return len(rows)

    def selected_ids(self) -> list[str]:
        rows = sorted({i.row() for i in self.table.selectedIndexes()})
        return [eid for eid in (self.table.item(r, 0).data(ID_ROLE) for r in rows) if eid]

    def decide(self, accept: bool, event_ids: list[str] | None = None) -> dict | None:
        event_ids = self.selected_ids() if event_ids is None else event_ids
        if not event_ids:
            self.result.setText("请先选择要处理的记录（已处理的记录不能再改）")
            return None
        out: list = []

        def done(res: dict) -> None:
            out.append(res)
            self.last = res
            if res["accepted"]:
                text = f"已采用 {res['events']} 条记录，新增 {res['applied']} 条"
                if res["still_held"]:
                    text += f"；其中 {res['still_held']} 条仍超出该{self.ws.tier.below.label}范围，继续暂存"
            else:
                text = f"已拒绝 {res['events']} 条记录（保留备查，回传包会告诉该村）"
            self.result.setText(text + "。")
            self.decided.emit(res)
            self.load()

        def failed(exc: BaseException) -> None:
            self.result.setText(f"<span style='color:#b3261e'>{exc}</span>")

        operations.decide_held(self.runner, event_ids, accept, success=done, failure=failed)
        return out[0] if out else None
