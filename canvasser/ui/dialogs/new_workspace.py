"""新建工作区: three kinds, each said plainly before the user picks one.

村 — from the township's setup package (list, rules and keys: it syncs from the start);
单机 — an empty workspace to import a list into at once, which can join the township later (sync
dialog → 加入乡镇…, every visit kept); 乡镇 — the township clerk's, which makes the villages' setup
packages. A new file is not yet anyone's window, so it is created here, before the window opens."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...core.storage.opening import name_village, open_workspace
from ...paths import data_dir

KINDS = (
    ("village", "村工作区（用乡镇发来的配置包）",
     "乡镇已经发来配置包（.ccpkg）时选这个：名单、缴费标准和密钥都在包里，建好就能和乡镇交换数据。"),
    ("standalone", "单机工作区（以后可加入乡镇）",
     "还没有配置包时选这个：自己导入医保局的名单就能走访、打印通知单。以后收到乡镇的配置包，"
     "在“同步”里点“加入乡镇…”，以前记录的走访全部保留，下次导出时交给乡镇。"),
    ("township", "乡镇工作区（乡镇专干用）",
     "乡镇（街道）专干汇总全乡镇时选这个：导入全乡镇名单，为各村生成配置包，接收各村的数据包。村里不要选。"),
)


class NewWorkspaceDialog(QDialog):
    """Which kind of workspace: each button says what that kind is for."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("新建工作区")
        self.setMinimumWidth(560)
        self.kind = ""
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("一个工作区保存一个村（或一个乡镇）的全部数据。请选择要新建哪一种："))
        self.buttons: dict[str, QPushButton] = {}
        for kind, title, text in KINDS:
            b = QPushButton(title)
            b.setMinimumHeight(36)
            b.setStyleSheet("QPushButton { font-size: 14px; font-weight: bold; text-align: left; padding-left: 8px; }")
            b.clicked.connect(lambda _=False, k=kind: self._pick(k))
            note = QLabel(text)
            note.setWordWrap(True)
            note.setStyleSheet("color: #444; margin-left: 12px; margin-bottom: 8px;")
            lay.addWidget(b)
            lay.addWidget(note)
            self.buttons[kind] = b
        cancel = QPushButton("取消")
        cancel.clicked.connect(self.reject)
        lay.addWidget(cancel)

    def _pick(self, kind: str) -> None:
        self.kind = kind
        self.accept()


def _ask_file(parent: QWidget | None, default: str) -> Path | None:
    name, _ = QFileDialog.getSaveFileName(parent, "新工作区保存为", str(data_dir() / default), "工作区 (*.db)")
    if not name:
        return None
    return Path(name if name.endswith(".db") else name + ".db")


def create(parent: QWidget | None, kind: str) -> Path | None:
    """Make the chosen kind of workspace; its path, or None if the user cancels or it fails (said)."""
    if kind == "village":
        return village_from_setup(parent)
    if kind == "township":
        town, ok = QInputDialog.getText(parent, "乡镇工作区", "乡镇（街道）名称：")
        if not ok or not town.strip():
            return None
    else:  # the village's name is confirmed here, not taken from whatever the list says
        village, ok = QInputDialog.getText(parent, "单机工作区", "本村（社区）的名称，例如 青石村（印在通知单的落款上）：")
        if not ok or not village.strip():
            return None
    path = _ask_file(parent, "乡镇.db" if kind == "township" else f"{village.strip()}.db")
    if path is None:
        return None
    if path.exists():
        QMessageBox.warning(parent, "无法新建工作区", f"{path.name} 已经存在。请换一个名字，或用“打开其他工作区”打开它。")
        return None
    from ..lock import ensure_unlocked  # the new file is made encrypted, under the passphrase asked now

    if not ensure_unlocked(path, parent):
        return None
    try:
        with open_workspace(path) as ws:
            if kind == "township":
                from ...core import sync

                sync.init_township(ws, town.strip())
            else:
                name_village(ws, village)
    except Exception as exc:  # noqa: BLE001 — shown to the user
        QMessageBox.warning(parent, "无法新建工作区", str(exc))
        return None
    return path


def new_workspace(parent: QWidget | None = None) -> Path | None:
    """Ask which kind, then create it (the window then opens the new file)."""
    dlg = NewWorkspaceDialog(parent)
    if parent is not None:
        parent.new_dialog = dlg  # type: ignore[attr-defined] — tests and screenshots reach it
    if dlg.exec() != QDialog.DialogCode.Accepted:
        return None
    return create(parent, dlg.kind)


def village_from_setup(parent: QWidget | None = None) -> Path | None:
    """A village workspace from the township's setup package (core `sync.init_village`)."""
    from PySide6.QtWidgets import QInputDialog, QLineEdit

    from ...core import sync
    from ..folders import last_folder, remember

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
    from ..lock import new_passphrase  # the new workspace is encrypted under the passphrase set now

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
