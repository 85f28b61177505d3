"""Editing the texts of leaflets (明白纸) and letters to parents (core `notices.templates`).

Core checks that an edited text parses and uses only known placeholders; a bad one is shown here and
nothing is stored. The edited copy lives in the workspace; "restore" brings back the bundled text.
"""

from __future__ import annotations

import html

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
)

from ...core import views
from .. import operations

NAMES = {"leaflet": "明白纸", "letter": "致家长的一封信"}

SOURCES = {"workspace": "（本工作区修改过的文字）", "township": "（乡镇下发的文字）", "builtin": "（程序自带的文字）"}


class TemplateDialog(QDialog):
    def __init__(self, ws, runner, parent=None):
        super().__init__(parent)
        self.ws, self.runner = ws, runner
        self.setWindowTitle("编辑明白纸、信件的文字")
        self.resize(760, 600)
        lay = QVBoxLayout(self)
        row = QHBoxLayout()
        self.name = QComboBox()
        for n in views.templates(ws):
            self.name.addItem(NAMES.get(n, n), n)
        self.name.currentIndexChanged.connect(lambda _: self.load())
        self.source = QLabel("")
        row.addWidget(QLabel("模板："))
        row.addWidget(self.name)
        row.addWidget(self.source, 1)
        lay.addLayout(row)
        fields = "  ".join(f"{{{k}}} {v}" for k, v in list(views.template_fields().items())[:12])
        hint = QLabel(f"可用的占位符（打印时自动填写）：{fields} …")
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #666;")
        lay.addWidget(hint)
        self.text = QPlainTextEdit()
        lay.addWidget(self.text, 1)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        lay.addWidget(self.message)
        buttons = QHBoxLayout()
        self.save_button = QPushButton("保存")
        self.save_button.clicked.connect(self.save)
        self.reset_button = QPushButton("恢复自带文字")
        self.reset_button.clicked.connect(self.reset)
        close = QPushButton("关闭")
        close.clicked.connect(self.accept)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.reset_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        lay.addLayout(buttons)
        self.load()

    def current(self) -> str:
        return self.name.currentData()

    def load(self) -> None:
        text, source = views.template(self.ws, self.current())
        self.text.setPlainText(text)
        self.source.setText(SOURCES.get(source, "（程序自带的文字）"))
        self.message.setText("")

    def save(self) -> bool:
        """Save on the worker; True once saved (at once with the tests' runner)."""
        saved: list[bool] = []

        def done(_blocks) -> None:
            saved.append(True)
            self.load()
            self.message.setText("已保存，下次打印时使用；各村收到乡镇的回传包后也用这份文字。"
                                 if self.ws.tier.coordinates else "已保存，下次打印时使用。")

        operations.save_template(self.runner, self.current(), self.text.toPlainText(), success=done,
                                 failure=self._failed)
        return bool(saved)

    def _failed(self, exc: BaseException) -> None:
        self.message.setText(f"<span style='color:#b3261e'>{html.escape(str(exc))}</span>")

    def reset(self) -> None:
        def done(_res) -> None:
            self.load()
            self.message.setText("已恢复乡镇下发的文字。" if self.source.text() == SOURCES["township"]
                                 else "已恢复程序自带的文字。")

        operations.reset_template(self.runner, self.current(), success=done)
