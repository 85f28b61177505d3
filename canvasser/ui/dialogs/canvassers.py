"""Who is working: pick a canvasser profile at start (several cadres share a laptop), or add one."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
)

from ...core import views
from ...core.store import Workspace
from .. import operations

NAME_ROLE = Qt.ItemDataRole.UserRole + 1


class CanvasserDialog(QDialog):
    """Lists the `canvassers` profiles; "add" makes one through `visits.ensure_canvasser`."""

    def __init__(self, ws: Workspace, runner, current: str = "", parent=None):
        super().__init__(parent)
        self.ws, self.runner = ws, runner
        self.chosen = current
        clerk = ws.mode == "township"
        self.setWindowTitle("选择乡镇工作人员" if clerk else "选择走访人")
        self.setMinimumWidth(380)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("现在是哪位乡镇工作人员在操作？每项处理（接收、核对、回传）都会记下操作人。" if clerk
                             else "现在是谁在走访？每条记录都会记下走访人。"))
        self.list = QListWidget()
        self.list.setMinimumHeight(160)
        self.list.itemDoubleClicked.connect(lambda _: self.accept_choice())
        lay.addWidget(self.list)
        self.stop_button = QPushButton("停用所选走访人")
        self.stop_button.setToolTip("不再出现在这个名单中（例如已离开工作组）；已有的走访记录保留。再次添加同名即恢复。")
        self.stop_button.clicked.connect(self.stop_selected)
        lay.addWidget(self.stop_button, 0, Qt.AlignmentFlag.AlignRight)

        box = QGroupBox("添加新走访人")
        form = QFormLayout(box)
        self.new_name = QLineEdit()
        self.new_name.setPlaceholderText("姓名，例如 王主任")
        self.new_phone = QLineEdit()
        self.new_phone.setPlaceholderText("手机号（印在缴费通知单上）")
        form.addRow("姓名", self.new_name)
        form.addRow("电话", self.new_phone)
        self.add_button = QPushButton("添加")
        self.add_button.clicked.connect(self.add)
        form.addRow("", self.add_button)
        lay.addWidget(box)
        self.error = QLabel("")
        self.error.setStyleSheet("color: #b3261e;")
        lay.addWidget(self.error)

        buttons = QDialogButtonBox()
        self.ok = buttons.addButton("开始工作", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept_choice)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.reload()

    def reload(self, select: str | None = None) -> None:
        self.list.clear()
        want = select or self.chosen
        for p in views.canvassers(self.ws):
            item = QListWidgetItem(f"{p['name']}    {p['phone']}")
            item.setData(NAME_ROLE, p["name"])
            self.list.addItem(item)
            if p["name"] == want:
                self.list.setCurrentItem(item)
        if self.list.currentItem() is None and self.list.count():
            self.list.setCurrentRow(0)

    def add(self) -> None:
        name, phone = self.new_name.text().strip(), self.new_phone.text().strip()
        if not name:
            self.error.setText("请填写姓名")
            return

        def done(_res) -> None:
            self.error.setText("")
            self.new_name.clear()
            self.new_phone.clear()
            self.reload(select=name)

        operations.add_canvasser(self.runner, name, phone, success=done, failure=self._failed)

    def _failed(self, exc: BaseException) -> None:
        self.error.setText(str(exc))

    def stop_selected(self) -> None:
        item = self.list.currentItem()
        if item is None:
            self.error.setText("请先选择要停用的走访人")
            return
        name = item.data(NAME_ROLE)

        def done(_res) -> None:
            if self.chosen == name:
                self.chosen = ""
            self.error.setText("")
            self.reload()

        operations.stop_canvasser(self.runner, name, success=done, failure=self._failed)

    def accept_choice(self) -> None:
        item = self.list.currentItem()
        if item is None:
            self.error.setText("请先选择或添加一位走访人")
            return
        self.chosen = item.data(NAME_ROLE)
        self.accept()
