"""What the window settles before anything is printed (read through `views.before_print` and
`views.unlisted_students`: core `notices.firstprint`, `notices.data`, `notices.students`):

- a contact phone: the canvasser's, else the village committee's; with neither, the clerk types the
  committee's phone (kept for the next prints) or nothing is printed;
- the first print of a coverage year: the amounts the papers will carry (standard, subsidies,
  deadline, hotline, channels, code) shown once for confirmation; "有误" prints nothing;
- letters to parents: school-age people no list names as students are offered for the cadre to
  confirm (ticked: 在校学生, and a letter), never written to as students unasked.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core import views
from .. import operations as ops
from ..worker import Job

CONTACT = ("notice_household", "notices", "leaflet", "letter")  # papers that print whom to call


class ContactPhoneDialog(QDialog):
    """No phone to print: the village committee's, typed once (checked like the hotline)."""

    def __init__(self, village: str, canvasser: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle("联系电话")
        self.setMinimumWidth(440)
        lay = QVBoxLayout(self)
        who = f"走访人“{canvasser}”没有登记电话" if canvasser else "没有选择走访人"
        self.text = QLabel(f"通知单、明白纸和信上要印一个联系电话，群众有事能找到人。{who}。<br>"
                           f"请填写{village or '本村（社区）'}委员会的联系电话（以后打印都会印上，可在打印时更改）：")
        self.text.setWordWrap(True)
        lay.addWidget(self.text)
        self.phone = QLineEdit()
        self.phone.setPlaceholderText("例如 0816-1234567 或 13812345678")
        lay.addWidget(self.phone)
        self.error = QLabel("")
        self.error.setStyleSheet("color:#b3261e")
        lay.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("保存并继续")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("不打印")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)

    def _accept(self) -> None:
        if not self.phone.text().strip():
            self.error.setText("请填写电话：没有联系电话不能打印")
            return
        self.accept()


class AmountsDialog(QDialog):
    """This year's first print: what the papers will say, for a yes or a no."""

    def __init__(self, year: int, lines: list[tuple[str, str]], parent=None):
        super().__init__(parent)
        self.setWindowTitle(f"{year}年度第一次打印：请核对金额")
        self.setMinimumWidth(560)
        lay = QVBoxLayout(self)
        head = QLabel(f"这是本工作区{year}年度第一次打印。以下金额和缴费方式将印在通知单、明白纸和信上，"
                      "请对照县医保局的文件核对。每年只问一次（设置改了会再问）。")
        head.setWordWrap(True)
        lay.addWidget(head)
        grid = QGridLayout()
        box = QWidget()
        box.setLayout(grid)
        for i, (label, value) in enumerate(lines):
            a, b = QLabel(label + "："), QLabel(value)
            b.setWordWrap(True)
            b.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(a, i, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(b, i, 1)
        lay.addWidget(box)
        buttons = QDialogButtonBox()
        self.ok_button = buttons.addButton("金额无误，继续打印", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("有误，不打印（到“设置”中修改）", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)


def prepare_print(window, key: str, then: Callable[[], object]) -> Job:
    """Read the facts on the worker, ask what is missing in turn, then `then()`; a "no" anywhere
    prints nothing and says so in the status bar."""
    canvasser = window.output_context().canvasser

    def stop(message: str) -> None:
        window.statusBar().showMessage(message, 8000)

    def amounts(facts: dict) -> None:
        if not facts["due"]:
            then()
            return
        dlg = AmountsDialog(facts["year"], facts["lines"], window)
        window.amounts_dialog = dlg

        def answered(result: int) -> None:
            if result != QDialog.DialogCode.Accepted:
                return stop("没有确认本年度金额，未打印。请在“设置”中核对后再打印。")
            ops.confirm_amounts(window.runner, by=canvasser, success=lambda _r: then())

        dlg.finished.connect(answered)
        dlg.open()

    def phone(facts: dict) -> None:
        if key not in CONTACT or facts["phone"]:
            amounts(facts)
            return
        dlg = ContactPhoneDialog(facts["village"], canvasser, window)
        window.phone_dialog = dlg

        def answered(result: int) -> None:
            if result != QDialog.DialogCode.Accepted:
                return stop("没有联系电话，未打印。")
            ops.set_village_phone(window.runner, facts["village"], dlg.phone.text().strip(),
                                  success=lambda _r: amounts(facts))

        dlg.finished.connect(answered)
        dlg.open()

    return window.runner.submit(Job(lambda ws, _p: views.before_print(ws, canvasser), success=phone,
                                    label="打印前检查"))


class StudentsDialog(QDialog):
    """School-age people with no list naming them as students: tick those who are."""

    def __init__(self, people: list[dict], parent=None):
        super().__init__(parent)
        self.people = people
        self.setWindowTitle("确认学生")
        self.setMinimumWidth(480)
        lay = QVBoxLayout(self)
        text = QLabel(f"以下 {len(people)} 人在上学年龄，但名单、教育部门名单里都不是学生，信不会写给他们。"
                      "确认是在校学生的请打勾（人员类别加“在校学生”，并给家长写信）：")
        text.setWordWrap(True)
        lay.addWidget(text)
        self.list = QListWidget()
        for p in people:
            item = QListWidgetItem(f"{p['name']}　{p['age']}岁　{p['group']}　{p['head']}户")
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.list.addItem(item)
        lay.addWidget(self.list)
        self.rest_not = QCheckBox("没打勾的人不是学生，以后不再询问")
        lay.addWidget(self.rest_not)
        buttons = QDialogButtonBox()
        self.ok_button = buttons.addButton("继续打印", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)

    def answer(self) -> tuple[list[str], list[str]]:
        """(confirmed students, declined) IDs; declined only when the box says so."""
        ticked = [self.list.item(i).checkState() == Qt.CheckState.Checked for i in range(self.list.count())]
        yes = [p["id"] for p, t in zip(self.people, ticked) if t]
        no = [p["id"] for p, t in zip(self.people, ticked) if not t] if self.rest_not.isChecked() else []
        return yes, no


def ask_students(window, ctx, then: Callable[[], object]) -> Job:
    """Before letters: offer the scope's unlisted school-age people to the cadre, then `then()`."""

    def found(people: list[dict]) -> None:
        if not people:
            then()
            return
        dlg = StudentsDialog(people, window)
        window.students_dialog = dlg

        def answered(result: int) -> None:
            if result != QDialog.DialogCode.Accepted:
                return
            yes, no = dlg.answer()
            if yes or no:
                ops.settle_students(window.runner, yes, no, by=ctx.canvasser, success=lambda _r: then())
            else:
                then()

        dlg.finished.connect(answered)
        dlg.open()

    return window.runner.submit(Job(lambda ws, _p: views.unlisted_students(ws, ctx.chosen), success=found,
                                    label="学龄人员"))
