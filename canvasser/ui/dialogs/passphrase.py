"""Passphrase dialogs: unlocking a workspace (at open and after the idle lock), choosing a new one,
a forgotten one (忘记口令…), and the new workspace's recovery code.

Wrong tries are slowed by the core (`atrest`): after a few, the field is disabled for the wait the
core names, counting down, and the window never freezes. The data is never locked away for good:
忘记口令 takes the workspace's own recovery code (standalone, township) or the township's recovery
package and the code told with it (a village), and sets a new passphrase (core `sync.recovery`).
The recovery code of a new workspace is shown once, large, with 复制 and 打印 (a one-page PDF,
core `recovery_sheet`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...core.storage import atrest
from ..textsize import emphasise


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
        self.forgot_button = self.buttons.addButton("忘记口令…", QDialogButtonBox.ButtonRole.ResetRole)
        self.forgot_button.setAutoDefault(False)
        self.forgot_button.setToolTip("用恢复码（单机、乡镇工作区）或乡镇的恢复包（村工作区）设置新口令")
        self.forgot_button.clicked.connect(self.forgot)
        if cancel:
            self.buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.try_unlock)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self.recover_dialog: RecoverDialog | None = None
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

    def forgot(self) -> bool:
        """忘记口令: recover with the code or the township's package; opens with the new passphrase."""
        try:
            dlg = RecoverDialog(self.db_path, self)
        except Exception as exc:  # noqa: BLE001 — e.g. the sidecar is missing: say so here
            self.error.setText(str(exc))
            return False
        self.recover_dialog = dlg
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return False
        self.key = atrest.remembered(self.db_path)
        self.accept()
        return True

    def try_unlock(self) -> None:
        if not self.field.isEnabled():
            return
        try:
            self.key = atrest.unlock(self.db_path, self.field.text(), sleep=lambda _s: None)  # waited above
        except atrest.PassphraseError:
            self.field.clear()
            self.error.setText("口令不对。忘记口令请点“忘记口令…”：单机工作区用建立时抄下或打印的恢复码，"
                               "村工作区用乡镇的恢复包。")
            self.adjustSize()  # the wrapped message whole
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


class RecoveryCodeDialog(QDialog):
    """The one-time recovery code of a new workspace: shown once, large, to copy down, copy or print."""

    def __init__(self, parent: QWidget | None, code: str, workspace: str | Path = "", place: str = ""):
        super().__init__(parent)
        self.code = code
        self.workspace = Path(workspace) if workspace else None
        self.place = place
        self.printed: Path | None = None
        self.setWindowTitle("恢复码（只显示这一次）")
        lay = QVBoxLayout(self)
        info = QLabel("请抄下或打印这个恢复码，和电脑分开保管。忘记口令时，在输入口令的窗口点“忘记口令…”，"
                      "用它设置新口令。它不会再显示。")
        info.setWordWrap(True)
        lay.addWidget(info)
        self.code_label = QLabel(code)
        self.code_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.code_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.code_label.setStyleSheet("padding: 10px; border: 1px solid #999; background: white; "
                                      "font-family: 'DejaVu Sans Mono', Consolas, 'Courier New', monospace;")
        emphasise(self.code_label, 1.8, bold=True)
        lay.addWidget(self.code_label)
        lay.addWidget(QLabel("字母和数字不会看错：没有 I、L、O、U，也没有 0 和 1。输入时不分大小写，短横可以不输。"))
        row = QHBoxLayout()
        self.copy_button = QPushButton("复制")
        self.copy_button.clicked.connect(self.copy)
        self.print_button = QPushButton("打印（保存为一页 PDF）…")
        self.print_button.clicked.connect(lambda: self.print_sheet())
        self.open_button = QPushButton("打开 PDF 去打印")
        self.open_button.setVisible(False)
        self.open_button.clicked.connect(self.open_sheet)
        for b in (self.copy_button, self.print_button, self.open_button):
            b.setAutoDefault(False)
            row.addWidget(b)
        row.addStretch(1)
        lay.addLayout(row)
        self.said = QLabel("")
        self.said.setWordWrap(True)
        lay.addWidget(self.said)
        self.kept = QCheckBox("我已抄下或打印了恢复码")
        self.kept.toggled.connect(lambda on: self.close_button.setEnabled(on))
        lay.addWidget(self.kept, 0, Qt.AlignmentFlag.AlignLeft)
        buttons = QDialogButtonBox()
        self.close_button = buttons.addButton("关闭", QDialogButtonBox.ButtonRole.AcceptRole)
        self.close_button.setEnabled(False)
        buttons.accepted.connect(self.accept)
        lay.addWidget(buttons)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.code)
        self.said.setText("已复制。粘贴到纸上打印或抄写后，请清空剪贴板，不要发到微信群。")

    def print_sheet(self, out: str | Path | None = None) -> Path | None:
        """The code on one page (PDF), saved where the user says; then 打开 to print it."""
        from ...core.outputs import recovery_sheet
        from ..folders import last_folder, remember

        name = self.workspace.stem if self.workspace else "工作区"
        if out is None:
            chosen, _ = QFileDialog.getSaveFileName(self, "恢复码保存为", str(last_folder("outputs") / f"恢复码-{name}.pdf"),
                                                    "PDF (*.pdf)")
            if not chosen:
                return None
            remember("outputs", chosen)
            out = chosen if chosen.lower().endswith(".pdf") else chosen + ".pdf"
        try:
            self.printed = recovery_sheet.write(out, self.code, workspace=self.workspace.name if self.workspace else "",
                                                place=self.place)
        except Exception as exc:  # noqa: BLE001 — shown: a full disk, a file open elsewhere
            self.said.setText(f"<span style='color:#b3261e'>没有保存：{exc}</span>")
            return None
        self.said.setText(f"已保存 {self.printed.name}（{self.printed.parent}）。打开后打印一份，和电脑分开保管。")
        self.open_button.setVisible(True)
        return self.printed

    def open_sheet(self) -> bool:
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        return self.printed is not None and QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.printed)))


def show_recovery_code(parent: QWidget | None, code: str, workspace: str | Path = "") -> None:
    """The one-time recovery code of a new workspace: shown once, to write down or print."""
    RecoveryCodeDialog(parent, code, workspace).exec()


class RecoverDialog(QDialog):
    """忘记口令: a new passphrase from the recovery code (standalone, township) or from the township's
    recovery package and its code (a village); core `sync.recovery.recover` checks and sets it."""

    def __init__(self, db_path: str | Path, parent: QWidget | None = None):
        super().__init__(parent)
        from ...core.sync.recovery import ways

        self.db_path = Path(db_path)
        self.ways = ways(self.db_path)
        self.package: Path | None = None
        self.setWindowTitle("忘记口令 — 设置新口令")
        self.setMinimumWidth(480)
        lay = QVBoxLayout(self)
        self.mode = QComboBox()
        if self.ways["code"]:
            self.mode.addItem("用建立工作区时的恢复码", "code")
        if self.ways["package"]:
            self.mode.addItem("用乡镇发来的恢复包（村工作区）", "package")
        self.mode.setVisible(self.mode.count() > 1)
        lay.addWidget(self.mode)
        self.info = QLabel("")
        self.info.setWordWrap(True)
        self.info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.info)
        self.keys_button = QPushButton("复制密钥文件到U盘…")
        self.keys_button.setToolTip("把本工作区的密钥文件交给乡镇：它本身打不开工作区，乡镇用它生成恢复包")
        self.keys_button.clicked.connect(lambda: self.copy_keys())
        self.package_row = QWidget()
        prow = QHBoxLayout(self.package_row)
        prow.setContentsMargins(0, 0, 0, 0)
        self.package_edit = QLineEdit()
        self.package_edit.setReadOnly(True)
        self.package_edit.setPlaceholderText("乡镇发来的恢复包（.json）")
        pick = QPushButton("选择恢复包…")
        pick.setAutoDefault(False)
        pick.clicked.connect(lambda: self.pick_package())
        prow.addWidget(self.package_edit, 1)
        prow.addWidget(pick)
        top = QVBoxLayout()
        top.addWidget(self.keys_button, 0, Qt.AlignmentFlag.AlignLeft)
        top.addWidget(self.package_row)
        lay.addLayout(top)
        form = QFormLayout()
        self.code = QLineEdit()
        self.code.setPlaceholderText("例如 7KQ2M-XT4DA-8RWNH-3FZPE-K9GVC（大小写、短横都可以）")
        form.addRow("恢复码", self.code)
        lay.addLayout(form)
        self.first, self.second, self.error = typed_twice(lay, "新口令")
        self.error.setWordWrap(True)
        self.buttons = QDialogButtonBox()
        self.ok = self.buttons.addButton("设置新口令", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.recover)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self.mode.currentIndexChanged.connect(lambda _: self._show_mode())
        self._left = 0
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._count_down)
        self._show_mode()
        self._hold_if_needed()
        self.code.setFocus()

    def way(self) -> str:
        return self.mode.currentData() or ""

    def _show_mode(self) -> None:
        village = self.way() == "package"
        self.keys_button.setVisible(village)
        self.package_row.setVisible(village)
        keys = Path(self.ways["keys"])
        if village:
            self.info.setText(f"村工作区的口令由乡镇帮助找回：① 点“复制密钥文件到U盘”，把 {keys.name} 交给乡镇专干"
                              f"（这个文件本身打不开工作区）；② 乡镇给您恢复包，并用电话告诉您恢复码；"
                              f"③ 在下面选择恢复包，输入恢复码，设置新口令。")
        elif self.way() == "code":
            self.info.setText("输入建立工作区时抄下或打印的恢复码（5 组，每组 5 个字母或数字），再设置新口令。"
                              "工作区里的数据不会改动。")
        else:
            self.info.setText(f"这个工作区没有恢复码，也没有交乡镇保管的密钥（{keys.name}），无法找回口令。")
            self.ok.setEnabled(False)

    def _hold_if_needed(self) -> None:
        try:
            wait = atrest.KeyFile.load(self.db_path).wait_before_try()
        except Exception:  # noqa: BLE001 — shown at the try itself
            wait = 0.0
        if wait > 0:
            self._left = int(wait + 0.999)
            self.ok.setEnabled(False)
            self._tick.start()
            self._count_down(first=True)

    def _count_down(self, first: bool = False) -> None:
        if not first:
            self._left -= 1
        if self._left > 0:
            self.error.setText(f"恢复码已输错多次，请等 {self._left} 秒再试。")
            return
        self._tick.stop()
        self.error.setText("")
        self.ok.setEnabled(True)

    def pick_package(self, path: str | Path | None = None) -> Path | None:
        from ..folders import last_folder, remember

        if path is None:
            chosen, _ = QFileDialog.getOpenFileName(self, "选择乡镇发来的恢复包", str(last_folder("packages")),
                                                    "恢复包 (*.json);;所有文件 (*)")
            if not chosen:
                return None
            remember("packages", chosen)
            path = chosen
        self.package = Path(path)
        self.package_edit.setText(str(self.package))
        return self.package

    def copy_keys(self, folder: str | Path | None = None) -> Path | None:
        """A copy of the sidecar for the township (a USB stick): it opens nothing by itself."""
        import shutil

        from ..folders import last_folder, remember

        if folder is None:
            folder = QFileDialog.getExistingDirectory(self, "密钥文件复制到哪里（U盘）", str(last_folder("packages")))
            if not folder:
                return None
            remember("packages", folder)
        keys = Path(self.ways["keys"])
        try:
            target = Path(shutil.copy2(keys, Path(folder) / keys.name))
        except OSError as exc:
            self.error.setText(f"没有复制：{exc}")
            return None
        self.error.setText("")
        self.info.setText(self.info.text() + f"<br><b>已复制到 {target}</b>，请交给乡镇。")
        return target

    def recover(self) -> bool:
        from ...core.storage import recoverycode
        from ...core.sync.recovery import recover

        if not self.ok.isEnabled():
            return False
        code, new = self.code.text(), self.first.text()
        if why := recoverycode.problem(code):
            self.error.setText(why)
            return False
        if self.way() == "package" and self.package is None:
            self.error.setText("请先选择乡镇发来的恢复包")
            return False
        if len(new.strip()) < atrest.MIN_PASSPHRASE:
            self.error.setText(f"新口令至少要 {atrest.MIN_PASSPHRASE} 个字符")
            return False
        if new != self.second.text():
            self.error.setText("两次输入的新口令不一样")
            return False
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            recover(self.db_path, code, new, self.package if self.way() == "package" else None, sleep=lambda _s: None)
        except Exception as exc:  # noqa: BLE001 — a wrong code, a foreign package: said, nothing changed
            self.error.setText(str(exc))
            self.adjustSize()
            self.code.selectAll()
            self._hold_if_needed()
            return False
        finally:
            QApplication.restoreOverrideCursor()
        self.accept()
        return True


def ask(parent: QWidget | None, make: Callable[[], QDialog]) -> QDialog | None:
    dlg = make()
    return dlg if dlg.exec() == QDialog.DialogCode.Accepted else None
