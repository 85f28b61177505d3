"""A reminder to send someone away (WeChat/SMS): core's `messages.compose`, shown ready to copy."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
)

from ...core import views
from ...core.errors import InputError


class MessageDialog(QDialog):
    def __init__(self, ws, pid: str, canvasser: str, parent=None):
        super().__init__(parent)
        self.ws, self.pid, self.canvasser = ws, pid, canvasser
        self.setWindowTitle("缴费提醒文字")
        self.resize(520, 360)
        lay = QVBoxLayout(self)
        self.household = QCheckBox("包括本户其他未缴费的人")
        self.household.toggled.connect(lambda _: self.compose())
        lay.addWidget(self.household)
        self.text = QPlainTextEdit()
        lay.addWidget(self.text, 1)
        self.error = QLabel("")
        self.error.setStyleSheet("color: #b3261e;")
        self.error.setWordWrap(True)
        lay.addWidget(self.error)
        row = QHBoxLayout()
        self.copy_button = QPushButton("复制文字")
        self.copy_button.clicked.connect(self.copy)
        close = QPushButton("关闭")
        close.clicked.connect(self.accept)
        row.addStretch(1)
        row.addWidget(self.copy_button)
        row.addWidget(close)
        lay.addLayout(row)
        self.compose()

    def compose(self) -> None:
        try:
            res = views.message(self.ws, self.pid, household=self.household.isChecked(), by=self.canvasser or None)
        except InputError as exc:
            self.text.setPlainText("")
            self.error.setText(str(exc))
            self.copy_button.setEnabled(False)
            return
        self.error.setText("")
        self.text.setPlainText(res["text"])
        self.copy_button.setEnabled(True)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.text.toPlainText())
        self.copy_button.setText("已复制")
