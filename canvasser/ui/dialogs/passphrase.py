"""Passphrase dialogs: unlocking a workspace (at open and after the idle lock), and choosing a new one.

Wrong tries are slowed by the core (`atrest`): after a few, the field is disabled for the wait the
core names, counting down, and the window never freezes. The data is never locked away for good.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from ...core.storage import atrest


class PassphraseDialog(QDialog):
    """Asks for the workspace's passphrase until it opens the data key (or the user cancels)."""

    def __init__(self, db_path: str | Path, parent: QWidget | None = None, *, locked: bool = False,
                 cancel: bool = True):
        super().__init__(parent)
        self.db_path = Path(db_path)
        self.key: bytes | None = None
        self.setWindowTitle("工作区已锁定" if locked else "输入工作区口令")
        self.setMinimumWidth(420)
        lay = QVBoxLayout(self)
        why = ("长时间没有操作，窗口已锁定，数据已隐藏。输入口令继续（未保存的填写内容仍在）。" if locked
               else f"“{self.db_path.name}”已加密，请输入口令。")
        self.info = QLabel(why)
        self.info.setWordWrap(True)
        lay.addWidget(self.info)
        self.field = QLineEdit()
        self.field.setEchoMode(QLineEdit.EchoMode.Password)
        self.field.setPlaceholderText("口令")
        lay.addWidget(self.field)
        self.error = QLabel("")
        self.error.setStyleSheet("color:#b3261e")
        self.error.setWordWrap(True)
        lay.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("解锁" if locked else "打开")
        if cancel:
            self.buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.try_unlock)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self._left = 0
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._count_down)
        self._hold_if_needed()

    def _hold_if_needed(self) -> None:
        try:
            wait = atrest.KeyFile.load(self.db_path).wait_before_try()
        except Exception:  # noqa: BLE001 — a missing sidecar shows at the try itself
            wait = 0.0
        if wait > 0:
            self._left = int(wait + 0.999)
            self.field.setEnabled(False)
            self.buttons.setEnabled(False)
            self._tick.start()
            self._count_down(first=True)

    def _count_down(self, first: bool = False) -> None:
        if not first:
            self._left -= 1
        if self._left > 0:
            self.error.setText(f"口令不对，已输错多次，请等 {self._left} 秒再试。")
            return
        self._tick.stop()
        self.error.setText("")
        self.field.setEnabled(True)
        self.buttons.setEnabled(True)
        self.field.setFocus()

    def try_unlock(self) -> None:
        if not self.field.isEnabled():
            return
        try:
            self.key = atrest.unlock(self.db_path, self.field.text(), sleep=lambda _s: None)  # waited above
        except atrest.PassphraseError:
            self.field.clear()
            self.error.setText("口令不对。忘记口令：村工作区请找乡镇要恢复包，单机工作区用建立时打印的恢复码。")
            self._hold_if_needed()
            return
        except Exception as exc:  # noqa: BLE001 — e.g. the sidecar is missing: say so, stay open
            self.error.setText(str(exc))
            return
        self.accept()


def typed_twice(lay: QVBoxLayout, label: str) -> tuple[QLineEdit, QLineEdit, QLabel]:
    """A secret typed twice (hidden), and the red line that says what is wrong with it."""
    form = QFormLayout()
    first, second = QLineEdit(), QLineEdit()
    for f in (first, second):
        f.setEchoMode(QLineEdit.EchoMode.Password)
    form.addRow(label, first)
    form.addRow("再输入一次", second)
    lay.addLayout(form)
    error = QLabel("")
    error.setStyleSheet("color:#b3261e")
    lay.addWidget(error)
    return first, second, error


class NewPassphraseDialog(QDialog):
    """A new passphrase, typed twice (a new workspace, or an old plain one being encrypted)."""

    def __init__(self, parent: QWidget | None = None, *, converting: bool = False):
        super().__init__(parent)
        self.passphrase = ""
        self.setWindowTitle("设置工作区口令")
        self.setMinimumWidth(440)
        lay = QVBoxLayout(self)
        text = ("这个工作区还没有加密。设置口令后，程序会把它转成加密文件（电脑丢失也不会泄露居民信息）。"
                if converting else "工作区将加密保存。请设置口令（至少 6 个字符），打开工作区时需要输入。")
        info = QLabel(text)
        info.setWordWrap(True)
        lay.addWidget(info)
        self.first, self.second, self.error = typed_twice(lay, "口令")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("确定")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)

    def _check(self) -> None:
        a, b = self.first.text(), self.second.text()
        if len(a.strip()) < atrest.MIN_PASSPHRASE:
            self.error.setText(f"口令至少要 {atrest.MIN_PASSPHRASE} 个字符")
        elif a != b:
            self.error.setText("两次输入的口令不一样")
        else:
            self.passphrase = a
            self.accept()


def show_recovery_code(parent: QWidget | None, code: str) -> None:
    """The one-time recovery code of a new workspace: shown once, to write down or print."""
    box = QMessageBox(parent)
    box.setWindowTitle("恢复码（只显示这一次）")
    box.setTextFormat(Qt.TextFormat.RichText)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.setText(f"请抄下或打印这个恢复码，和电脑分开保管。忘记口令时用它设置新口令：<br><br>"
                f"<b style='font-size:16pt'>{code}</b><br><br>它不会再显示。")
    box.exec()


def ask(parent: QWidget | None, make: Callable[[], QDialog]) -> QDialog | None:
    dlg = make()
    return dlg if dlg.exec() == QDialog.DialogCode.Accepted else None
