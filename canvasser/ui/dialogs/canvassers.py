"""Who is working: pick a canvasser profile at start (several cadres share a laptop), or add one.

The names and phones used on this computer are remembered (the GUI's settings), so a new workspace
offers them instead of asking for the work group again from empty; nobody is chosen for the user
in a workspace where nobody worked yet. The demo village remembers and is offered nothing (its
canvassers are made up). Enter never drops what was typed: a name typed in 添加 is added and chosen."""

from __future__ import annotations

import json

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
from ...core.views import Workspace
from .. import operations

NAME_ROLE = Qt.ItemDataRole.UserRole + 1
PHONE_ROLE = Qt.ItemDataRole.UserRole + 2
ELSEWHERE_ROLE = Qt.ItemDataRole.UserRole + 3  # known on this computer, not yet in this workspace
KEYS = {False: "canvassers/known", True: "clerks/known"}  # a township's clerks are no canvassers


def remembered(clerk: bool = False) -> dict[str, str]:
    """Name → phone of everyone who worked on this computer, in any workspace (none in the demo)."""
    from ..memory import remembering, settings

    if not remembering():
        return {}
    try:
        value = json.loads(str(settings().value(KEYS[clerk], "") or "{}"))
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def remember(people: dict[str, str], clerk: bool = False, forget: str = "") -> None:
    from ..memory import remembering, settings

    if not remembering():  # the demo's made-up people stay in the demo
        return
    known = remembered(clerk)
    known.update({n: p or known.get(n, "") for n, p in people.items() if n})
    known.pop(forget, None)
    settings().setValue(KEYS[clerk], json.dumps(known, ensure_ascii=False))


class CanvasserDialog(QDialog):
    """Lists the `canvassers` profiles; "add" makes one through `visits.ensure_canvasser`."""

    def __init__(self, ws: Workspace, runner, current: str = "", parent=None):
        super().__init__(parent)
        self.ws, self.runner = ws, runner
        self.chosen = current
        clerk = self.clerk = ws.tier.coordinates
        self.setWindowTitle("选择乡镇工作人员" if clerk else "选择走访人")
        self.setMinimumWidth(380)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("现在是哪位乡镇工作人员在操作？每项处理（接收、核对、回传）都会记下操作人。" if clerk
                             else "现在是谁在走访？每条记录都会记下走访人。"))
        self.list = QListWidget()
        self.list.setMinimumHeight(110)
        self.list.itemDoubleClicked.connect(lambda _: self.accept_choice())
        lay.addWidget(self.list)
        who = "工作人员" if clerk else "走访人"
        self.stop_button = QPushButton(f"停用所选{who}")
        self.stop_button.setToolTip("不再出现在这个名单中（例如已离开工作组）；已有的记录保留。再次添加同名即恢复。")
        self.stop_button.clicked.connect(self.stop_selected)
        lay.addWidget(self.stop_button, 0, Qt.AlignmentFlag.AlignRight)

        box = QGroupBox(f"添加{who}（填好后按 Enter 即以此人开始工作）")
        form = QFormLayout(box)
        self.new_name = QLineEdit()
        self.new_name.setPlaceholderText("姓名，例如 王干事" if clerk else "姓名，例如 王主任")
        self.new_phone = QLineEdit()
        self.new_phone.setPlaceholderText("手机号（选填）" if clerk else "手机号（印在缴费通知单上）")
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
        here = views.canvassers(self.ws)
        remember({p["name"]: p["phone"] for p in here}, self.clerk)
        names = {p["name"] for p in here}
        elsewhere = [{"name": n, "phone": ph, "elsewhere": True} for n, ph in sorted(remembered(self.clerk).items())
                     if n not in names]
        for p in [*here, *elsewhere]:
            note = "    （本机其他工作区用过，选中即加入）" if p.get("elsewhere") else ""
            item = QListWidgetItem(f"{p['name']}    {p['phone']}{note}")
            item.setData(NAME_ROLE, p["name"])
            item.setData(PHONE_ROLE, p["phone"])
            item.setData(ELSEWHERE_ROLE, bool(p.get("elsewhere")))
            if p.get("elsewhere"):
                item.setForeground(Qt.GlobalColor.darkGray)
            self.list.addItem(item)
            if p["name"] == want:
                self.list.setCurrentItem(item)
        if self.list.currentItem() is None and self.list.count() and self.ws.meta("demo") == "1":
            self.list.setCurrentRow(0)  # the demo offers its first made-up canvasser; elsewhere nobody is preselected
        (self.list if self.list.currentItem() is not None else self.new_name).setFocus()

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
            self.error.setText(f"请先选择要停用的{'工作人员' if self.clerk else '走访人'}")
            return
        name = item.data(NAME_ROLE)

        def done(_res) -> None:
            if self.chosen == name:
                self.chosen = ""
            remember({}, self.clerk, forget=name)  # left the work group: not offered elsewhere either
            self.error.setText("")
            self.reload()

        operations.stop_canvasser(self.runner, name, success=done, failure=self._failed)

    def accept_choice(self) -> None:
        """开始工作 (or Enter): the person typed in 添加 if any (added first), else the one selected."""
        name, phone = self.new_name.text().strip(), self.new_phone.text().strip()
        if name or phone:
            if not name:
                self.error.setText("请填写姓名")
                self.new_name.setFocus()
                return

            def added(_res) -> None:
                self.new_name.clear()
                self.new_phone.clear()
                self.chosen = name
                self.accept()

            operations.add_canvasser(self.runner, name, phone, success=added, failure=self._failed)
            return
        item = self.list.currentItem()
        if item is None or not item.isSelected():  # a list given focus has a current row nobody chose
            self.error.setText(f"请先选择或添加一位{'工作人员' if self.clerk else '走访人'}")
            return
        name = item.data(NAME_ROLE)
        if item.data(ELSEWHERE_ROLE):  # known on this computer: becomes this workspace's profile first
            def added(_res) -> None:
                self.chosen = name
                self.accept()

            operations.add_canvasser(self.runner, name, item.data(PHONE_ROLE) or "", success=added,
                                     failure=self._failed)
            return
        self.chosen = name
        self.accept()
