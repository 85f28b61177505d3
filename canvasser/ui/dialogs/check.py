"""Integrity check: replay every event into a scratch copy and compare (core's `integrity.check`)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout

from .. import operations


class CheckDialog(QDialog):
    def __init__(self, ws, runner, parent=None):
        super().__init__(parent)
        self.ws = ws
        self.runner = runner
        self.check_result: dict | None = None
        self.setWindowTitle("完整性检查")
        self.setMinimumWidth(460)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("把全部记录从头重放一遍，结果必须与当前数据完全一致。"))
        self.outcome = QLabel("正在检查…")
        self.outcome.setWordWrap(True)
        self.outcome.setStyleSheet("font-size: 15px;")
        lay.addWidget(self.outcome)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        lay.addWidget(buttons)

    def start(self):
        return operations.check(self.runner, self, success=self._done, failure=self._failed)

    def _done(self, res: dict) -> None:
        self.check_result = res
        if res["ok"]:
            self.outcome.setText(f"<span style='color:#1b7f3b'>检查通过</span>：{res['events']} 条记录重放后与当前数据一致。")
        else:
            self.outcome.setText(f"<span style='color:#b3261e'>检查未通过</span>：{'、'.join(res['differs']) or '记录序号'}"
                                 f"与重放结果不一致。请先备份工作区，再联系技术人员。")

    def _failed(self, exc: BaseException) -> None:
        self.outcome.setText(f"<span style='color:#b3261e'>检查失败：{exc}</span>")
