"""Export what the people table shows (core `people_export.write_people`): the current filter and
order, ID numbers masked or in full as the user chooses, on the worker with a progress dialog."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox

from ...core import clock
from .. import operations
from ..folders import last_folder, remember


def ask_full_ids(parent) -> bool | None:
    """True for full ID numbers, False for masked ones, None if cancelled."""
    box = QMessageBox(parent)
    box.setWindowTitle("导出当前列表")
    box.setText("身份证号怎样导出？\n打码的可以发给村里、张贴核对；完整的只交给乡镇、医保局。")
    masked = box.addButton("打码（5103**********1234）", QMessageBox.ButtonRole.AcceptRole)
    full = box.addButton("完整号码", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("取消", QMessageBox.ButtonRole.RejectRole)
    box.exec()
    if box.clickedButton() is masked:
        return False
    if box.clickedButton() is full:
        return True
    return None


def export_shown(window, out: str | Path | None = None, full_ids: bool | None = None):
    flt = window.current_filter()
    order = window.model.order
    if full_ids is None:
        full_ids = ask_full_ids(window)
        if full_ids is None:
            return None
    if out is None:
        name = f"人员名单_{clock.today().isoformat()}.xlsx"
        chosen, _ = QFileDialog.getSaveFileName(window, "导出当前列表", str(last_folder("outputs") / name),
                                                "Excel (*.xlsx)")
        if not chosen:
            return None
        remember("outputs", chosen)
        out = chosen
    out = Path(out)
    if not out.suffix:
        out = out.with_suffix(".xlsx")

    def done(res: dict) -> None:
        window.last_output = ("people", out, res)
        window.statusBar().showMessage(f"已导出 {res['rows']} 人：{out.name}", 6000)

    def failed(exc: BaseException) -> None:
        window.statusBar().showMessage(f"导出失败：{exc}", 8000)

    return operations.export_people(window.runner, window, flt, out, full_ids=full_ids, order=order, success=done,
                                    failure=failed)
