"""Before an export that holds full ID numbers: say so, and offer an open password.

The password makes an Excel/WPS-compatible encrypted xlsx (core `xlsxlock`); without one the file
is plain, for a computer that never leaves the office.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from ...core import views
from .passphrase import typed_twice


class ExportPasswordDialog(QDialog):
    """`password` is the chosen open password, or None for a plain file (after accept)."""

    def __init__(self, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.password: str | None = None
        self.setWindowTitle(title)
        self.setMinimumWidth(460)
        lay = QVBoxLayout(self)
        info = QLabel("这个文件含有完整的身份证号码、姓名和电话。通过微信、U 盘等外传时，请设置打开密码"
                      "（Excel、WPS 打开时需输入；密码请另行告知对方）。")
        info.setWordWrap(True)
        lay.addWidget(info)
        self.first, self.second, self.error = typed_twice(lay, "打开密码")
        buttons = QDialogButtonBox()
        self.protect_button = buttons.addButton("设密码并导出", QDialogButtonBox.ButtonRole.AcceptRole)
        self.plain_button = buttons.addButton("不设密码导出", QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.protect_button.clicked.connect(self._protect)
        self.plain_button.clicked.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)

    def _protect(self) -> None:
        a, b = self.first.text(), self.second.text()
        if len(a) < views.min_password():
            self.error.setText(f"密码至少要 {views.min_password()} 个字符")
        elif a != b:
            self.error.setText("两次输入的密码不一样")
        else:
            self.password = a
            self.accept()
