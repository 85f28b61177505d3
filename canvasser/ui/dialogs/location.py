"""Before a workspace opens: one on a USB stick or a network share, or in a folder that cannot be
written, is offered a copy on the laptop to work in (core `location`: SQLite's locking is unsafe on a
share, a stick can be pulled out mid-write, and a read-only folder cannot take a single visit)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMessageBox, QWidget

from ...core.storage import location
from ...core.storage.store import WorkspaceError


def where_to_work(path: Path, parent: QWidget | None = None) -> Path:
    """The file to open: `path` itself, or the laptop's copy if the user asks for one. Raises
    WorkspaceError (saying what to do) if the workspace cannot be worked on where it is and the user
    declines the copy."""
    why = location.problem(path)
    where = "" if why or not path.exists() else location.kind(path)
    if not why and where in ("", "local"):
        return path
    target = location.local_copy_path(path)
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("工作区的位置")
    if why:
        box.setText(why)
    else:
        box.setText(f"这个工作区在{location.KIND_NAMES[where]}上：{path}\n"
                    + ("网络共享上多人同时打开会损坏数据。" if where == "network" else "U 盘中途拔出会损坏数据。")
                    + "建议复制到本机后在本机上使用，交换数据用数据包。")
    box.setInformativeText(f"复制到：{target}")
    copy_b = box.addButton("复制到本机并打开", QMessageBox.ButtonRole.AcceptRole)
    stay_b = None if why else box.addButton("仍在原位置打开", QMessageBox.ButtonRole.RejectRole)
    if why:
        box.addButton("取消", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(copy_b)
    box.exec()
    clicked = box.clickedButton()
    if clicked is copy_b:
        return location.copy_to_local(path, target)
    if stay_b is not None and clicked is stay_b:
        return path
    raise WorkspaceError(why or "未打开工作区")
