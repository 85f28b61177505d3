"""Which workspace to open: an existing file, a new one, a village from the township's setup package,
or the demo village. Used at start (`app`) and by the window's 打开其他工作区 (`main_window`)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from ..paths import data_dir


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


def village_from_setup(parent: QWidget | None = None) -> Path | None:
    """A village workspace from the township's setup package (core `sync.init_village`)."""
    from PySide6.QtWidgets import QInputDialog, QLineEdit

    from ..core import sync
    from .folders import last_folder, remember

    setup, _ = QFileDialog.getOpenFileName(parent, "选择乡镇发来的配置包", str(last_folder("packages")), "配置包 (*.ccpkg)")
    if not setup:
        return None
    remember("packages", setup)
    name, _ = QFileDialog.getSaveFileName(parent, "新工作区保存为", str(data_dir() / "本村.db"), "工作区 (*.db)")
    if not name:
        return None
    code, ok = QInputDialog.getText(parent, "配置包口令", "乡镇告知的口令（没有则不填）：", QLineEdit.EchoMode.Normal, "")
    if not ok:
        return None
    path = Path(name if name.endswith(".db") else name + ".db")
    from .lock import new_passphrase  # the new workspace is encrypted under the passphrase set now

    passphrase = new_passphrase(parent)
    if not passphrase:
        return None
    try:
        res = sync.init_village(path, setup, code=code.strip() or None, passphrase=passphrase)
    except Exception as exc:  # noqa: BLE001 — shown to the user; nothing was created
        QMessageBox.warning(parent, "无法建立工作区", str(exc))
        return None
    QMessageBox.information(parent, "已建立村工作区",
                            f"{res['township']} — {res['village']}：{res['people']} 人。\n"
                            f"乡镇密钥指纹 {res['township_fingerprint']}，请与乡镇核对。")
    return path
