"""Which workspace to open: an existing file, a new one, a village from the township's setup package,
or the demo village. Used at start (`app`) and by the window's 打开其他工作区 (`main_window`)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from ..paths import data_dir
from .dialogs.new_workspace import village_from_setup  # (a village from the township's setup package)


def demo_path() -> Path:
    """The demo village in the data folder, created if missing."""
    path = data_dir() / "demo.db"
    if not path.exists():
        from ..core.demo import make_demo  # imports the roster reader (openpyxl): only when needed

        path.parent.mkdir(parents=True, exist_ok=True)
        make_demo(path)
    return path


def choose_workspace_file(parent: QWidget | None = None) -> Path | None:
    """Ask for a workspace: open an existing one, create a new one, or open the demo village."""
    box = QMessageBox(parent)
    box.setWindowTitle("选择工作区")
    box.setText("请选择要打开的工作区（一个工作区保存一个村或一个乡镇的全部数据）。")
    open_b = box.addButton("打开已有工作区…", QMessageBox.ButtonRole.AcceptRole)
    new_b = box.addButton("新建工作区…", QMessageBox.ButtonRole.ActionRole)
    setup_b = box.addButton("用乡镇配置包新建村工作区…", QMessageBox.ButtonRole.ActionRole)
    demo_b = box.addButton("打开演示村", QMessageBox.ButtonRole.ActionRole)
    box.addButton("取消", QMessageBox.ButtonRole.RejectRole)
    box.exec()
    clicked = box.clickedButton()
    start = str(data_dir())
    if clicked is open_b:
        name, _ = QFileDialog.getOpenFileName(parent, "打开工作区", start, "工作区 (*.db *.sqlite);;所有文件 (*)")
        return Path(name) if name else None
    if clicked is new_b:
        from .dialogs.new_workspace import new_workspace

        return new_workspace(parent)
    if clicked is setup_b:
        return village_from_setup(parent)
    if clicked is demo_b:
        return demo_path()
    return None
