"""People the list gets wrong: edit a person's details, add someone the list lacks, move someone to
another household, mark someone as having left (core `people`). Every change is an event with its
author; nothing is deleted.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from ...core import person_fields, views
from ...core.text import ids, names
from .. import operations
from ..screen import scrolling

# the fields a cadre edits here, with their labels (core/person_fields.py; a household move changes the rest)
EDIT_FIELDS = tuple((f.name, f.edit_label or f.label) for f in sorted(person_fields.FIELDS, key=lambda f: f.edit_at)
                    if f.editable == person_fields.EDIT)


def _error_label() -> QLabel:
    label = QLabel("")
    label.setStyleSheet("color: #b3261e; font-weight: bold;")
    label.setWordWrap(True)
    return label


def _submit(dialog: QDialog, op, *args, **kwargs) -> bool:
    """Run an operation on the worker; the dialog closes once it is written, or shows why not.
    True when it is already written (the tests' runner runs it at once)."""
    written: list[bool] = []

    def done(result) -> None:
        written.append(True)
        dialog.result_value = result  # type: ignore[attr-defined]
        dialog.accept()

    def failed(exc: BaseException) -> None:
        dialog.error.setText(str(exc))  # type: ignore[attr-defined]

    op(dialog.runner, *args, success=done, failure=failed, **kwargs)  # type: ignore[attr-defined]
    return bool(written)


class PersonDialog(QDialog):
    """Edit one person; also move them to another household or mark them as having left."""

    def __init__(self, ws, runner, pid: str, author: str = "", parent=None):
        super().__init__(parent)
        self.ws, self.runner, self.pid, self.author = ws, runner, pid, author
        self.person = views.person(ws, pid)
        self.changed: dict = {}
        self.setWindowTitle(f"修改人员信息 — {self.person['name']}（{ids.mask(pid)}）")
        self.setMinimumWidth(520)
        lay = QVBoxLayout(self)
        form = QFormLayout()
        self.edits: dict[str, QLineEdit] = {}
        for key, label in EDIT_FIELDS:
            edit = QLineEdit(str(self.person.get(key) or ""))
            self.edits[key] = edit
            form.addRow(label, edit)
        lay.addWidget(scrolling(form), 1)  # scrolls on a short screen (150%, 特大)

        move = QGroupBox("调到其他户")
        mrow = QHBoxLayout(move)
        self.move_to = QLineEdit()
        self.move_to.setPlaceholderText("目标户编号")
        self.move_button = QPushButton("调户")
        self.move_button.clicked.connect(self.move)
        mrow.addWidget(self.move_to, 1)
        mrow.addWidget(self.move_button)
        lay.addWidget(move)

        left = QGroupBox("离开名单（记为走访结果，不删除）")
        lrow = QHBoxLayout(left)
        self.left_reason = QComboBox()
        for code in views.left_reasons():
            self.left_reason.addItem(views.OUTCOMES[code][0], code)
        self.left_note = QLineEdit()
        self.left_note.setPlaceholderText("说明，例如 迁往成都市")
        self.left_button = QPushButton("标记离开")
        self.left_button.clicked.connect(self.mark_left)
        lrow.addWidget(self.left_reason)
        lrow.addWidget(self.left_note, 1)
        lrow.addWidget(self.left_button)
        lay.addWidget(left)

        self.error = _error_label()
        lay.addWidget(self.error)
        buttons = QDialogButtonBox()
        buttons.addButton("保存修改", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)

    def accept(self) -> None:
        if isinstance(getattr(self, "result_value", None), dict):
            self.changed.update(self.result_value)
        super().accept()

    def save(self) -> bool:
        changes = {k: e.text().strip() for k, e in self.edits.items()}
        return _submit(self, operations.update_person, self.pid, changes, by=self.author)

    def move(self) -> bool:
        target = self.move_to.text().strip()
        if not target:
            self.error.setText("请填写目标户编号")
            return False
        return _submit(self, operations.move_person, self.pid, target, by=self.author)

    def mark_left(self) -> bool:
        return _submit(self, operations.mark_left, self.pid, self.left_reason.currentData(), by=self.author,
                       note=self.left_note.text())


class AddPersonDialog(QDialog):
    """Someone the bureau's list lacks (a newborn, someone who moved in), added to a household."""

    def __init__(self, ws, runner, author: str = "", household: dict | None = None, parent=None):
        super().__init__(parent)
        self.ws, self.runner, self.author = ws, runner, author
        self.added = ""
        household = household or {}
        self.setWindowTitle("新增名单外人员")
        self.setMinimumWidth(480)
        lay = QVBoxLayout(self)
        form = QFormLayout()
        self.id_edit = QLineEdit()
        self.id_edit.setPlaceholderText("18位身份证号")
        self.name_edit = QLineEdit()
        self.household = QLineEdit(household.get("hid", ""))
        self.household.setPlaceholderText("不填则按户主姓名和地址新建一户")
        self.grp = QLineEdit(household.get("grp", ""))
        self.relation = QLineEdit()
        self.relation.setPlaceholderText("例如 子、孙女")
        self.address = QLineEdit(household.get("address", ""))
        self.phone = QLineEdit()
        self.categories = QLineEdit()
        self.reason = QComboBox()
        self.reason.addItems(["新生儿", "迁入", "新增"])
        for label, w in (("身份证号", self.id_edit), ("姓名", self.name_edit), ("户编号", self.household),
                         ("组", self.grp), ("与户主关系", self.relation), ("地址", self.address), ("电话", self.phone),
                         ("人员类别", self.categories), ("来源", self.reason)):
            form.addRow(label, w)
        lay.addLayout(form)
        self.error = _error_label()
        lay.addWidget(self.error)
        self.name_edit.textChanged.connect(lambda text: self.error.setText(names.warning(names.fold(text.strip()))))
        buttons = QDialogButtonBox()
        buttons.addButton("新增", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)

    def accept(self) -> None:
        self.added = getattr(self, "result_value", "") or ""
        super().accept()

    def save(self) -> bool:
        return _submit(self, operations.add_person, self.id_edit.text(), self.name_edit.text(),
                       grp=self.grp.text().strip(), household=self.household.text().strip(),
                       relation=self.relation.text().strip(), address=self.address.text().strip(),
                       phone=self.phone.text().strip(), categories=self.categories.text().strip(), by=self.author,
                       reason=self.reason.currentText())
