"""Backups: the daily copies kept for this workspace, back up now, restore one (core's `backup`)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
)

from ...core import views
from .. import operations

FILE_ROLE = Qt.ItemDataRole.UserRole + 1


class BackupDialog(QDialog):
    def __init__(self, ws, runner, parent=None):
        super().__init__(parent)
        self.ws = ws
        self.runner = runner
        self.window_ = parent
        self.setWindowTitle("备份与恢复")
        self.resize(560, 420)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(f"程序每天自动备份一次，保留最近 {views.backups_kept()} 天。备份位置："))
        where = QLineEdit(str(views.backup_folder(ws)))  # a long path scrolls in its box: the dialog fits the screen
        where.setReadOnly(True)
        lay.addWidget(where)
        self.list = QListWidget()
        lay.addWidget(self.list, 1)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        lay.addWidget(self.message)
        row = QHBoxLayout()
        now = QPushButton("立即备份")
        now.clicked.connect(self.backup_now)
        restore = QPushButton("用所选备份恢复…")
        restore.clicked.connect(lambda: self.restore_selected())
        other = QPushButton("从其他文件恢复…")
        other.clicked.connect(self.restore_other)
        close = QPushButton("关闭")
        close.clicked.connect(self.accept)
        for b in (now, restore, other):
            row.addWidget(b)
        row.addStretch(1)
        row.addWidget(close)
        lay.addLayout(row)
        self.reload()

    def reload(self) -> None:
        self.list.clear()
        for b in views.backups(self.ws):
            item = QListWidgetItem(f"{b['name']}    {b['saved_at'].replace('T', ' ')}    {b['size'] // 1024} KB")
            item.setData(FILE_ROLE, b["file"])
            self.list.addItem(item)

    def backup_now(self):
        return operations.backup_now(self.runner, self,
                                     success=lambda p: (self.message.setText(f"已备份到 {p}"), self.reload()),
                                     failure=lambda e: self.message.setText(f"备份失败：{e}"))

    def restore_other(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "选择备份文件", str(views.backup_folder(self.ws)),
                                              "工作区 (*.db);;所有文件 (*)")
        if name:
            self.restore_selected(name)

    def restore_selected(self, source: str | None = None) -> dict | None:
        if source is None:
            item = self.list.currentItem()
            if item is None:
                self.message.setText("请先选择一个备份")
                return None
            source = item.data(FILE_ROLE)
        answer = QMessageBox.question(self, "恢复工作区", f"用 {Path(source).name} 替换当前工作区？\n"
                                      "当前文件会先另存一份，之后的修改可以从那里找回。")
        if answer != QMessageBox.StandardButton.Yes:
            return None
        self.message.setText("正在恢复…")
        # an operation on the worker; a refusal (another workspace's backup, a damaged file, the file
        # busy) is said here and nothing changes; done, the window opens the restored file again
        return self.window_.restore_from(source, success=lambda _res: self.accept(),
                                         failure=lambda exc: self.message.setText(str(exc)))
