"""A cadre's whole first day in the window, by keys and clicks, counting the user's actions.

New standalone workspace → import the bureau's list → find a person by pinyin initials → Ctrl+N, 1,
Enter → one group's notices (pages = that group's households, read back from the PDF) → join the
township with its setup package → export → the township (a core Workspace) receives the visit."""

from __future__ import annotations

import subprocess
from collections import Counter

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QInputDialog

from canvasser.core import sync
from canvasser.core.lists import roster
from canvasser.core.storage.store import Workspace
from canvasser.core.text import pinyin
from canvasser.ui.dialogs.import_roster import ImportDialog
from canvasser.ui.dialogs.new_workspace import new_workspace
from canvasser.ui.main_window import MainWindow
from canvasser.ui.worker import ImmediateRunner
from tests.fixtures import rows, write_xlsx

CODE = "QS7K-2M9P-XT4D-8RWA"
CADRE = "李书记"


class User:
    """Presses keys and clicks as a cadre does, and counts each action."""

    def __init__(self, qtbot):
        self.qtbot = qtbot
        self.actions = 0

    def key(self, widget, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
        self.actions += 1
        top = widget.window()  # keys go to the active window: wait for it as the user would
        top.activateWindow()
        self.qtbot.waitUntil(lambda: QApplication.activeWindow() is top, timeout=3000)
        self.qtbot.keyClick(widget, key, modifier)

    def type(self, widget, text: str) -> None:
        self.actions += 1  # typing a word is one action
        self.qtbot.keyClicks(widget, text)

    def click(self, button) -> None:
        self.actions += 1
        self.qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    def menu(self, window, text: str) -> None:
        """A menu item, as the mouse picks it (two clicks: the menu, the item)."""
        self.actions += 2
        action = next(a for a in window.findChildren(type(window.act_record)) if a.text().startswith(text))
        action.trigger()

    def file_chosen(self, monkeypatch, name: str, path) -> None:
        """The user picks or names a file in Qt's file dialog (one action)."""
        self.actions += 1
        monkeypatch.setattr(QFileDialog, name, lambda *a, **k: (str(path) if not isinstance(path, list) else
                                                                [str(p) for p in path], ""))


def _pages(pdf) -> int:
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, encoding="utf-8").stdout
    return int(next(line.split()[-1] for line in out.splitlines() if line.startswith("Pages:")))


def _open(qtbot, path) -> tuple[MainWindow, Workspace]:
    """As the app opens a workspace (here with jobs run at once), waiting until the window is active."""
    ws = Workspace(path)
    window = MainWindow(ws, canvasser=CADRE, runner=ImmediateRunner(ws))
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    return window, ws


def test_first_day_from_an_empty_workspace_to_the_townships_package(qtbot, app, tmp_path, monkeypatch):
    user = User(qtbot)
    people = rows(seed=21, households=30, village="青石村")
    stick = tmp_path / "U盘"
    stick.mkdir()
    src = write_xlsx(stick / "青石村未参保名单.xlsx", people)

    # 1. 新建工作区 → 单机 (said what it is for), named in the save dialog
    path = tmp_path / "我的村.db"
    user.file_chosen(monkeypatch, "getSaveFileName", path)
    said: list[str] = []

    def pick_standalone() -> None:
        dlg = QApplication.activeModalWidget()
        said.append(" ".join(w.text() for w in dlg.findChildren(type(dlg.buttons["standalone"]))))
        user.click(dlg.buttons["standalone"])

    codes: list[str] = []

    def write_down_the_recovery_code() -> None:  # a new workspace is encrypted: its code is shown once
        box = QApplication.activeModalWidget()
        if box is None or "恢复码" not in box.windowTitle():
            QTimer.singleShot(20, write_down_the_recovery_code)
            return
        codes.append(box.text())
        user.click(box.buttons()[0])

    QTimer.singleShot(0, pick_standalone)
    QTimer.singleShot(20, write_down_the_recovery_code)
    assert new_workspace(None) == path
    assert codes and "恢复码" in codes[0]
    assert "单机工作区（以后可加入乡镇）" in said[0] and "村工作区（用乡镇发来的配置包）" in said[0]
    window, ws = _open(qtbot, path)
    assert ws.mode == "standalone" and window.model.rowCount() == 0

    # 2. import: Ctrl+I, choose the file, 开始导入
    user.key(window, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    dlg = next(d for d in window.findChildren(ImportDialog) if d.isVisible())
    user.file_chosen(monkeypatch, "getOpenFileName", src)
    user.click(next(b for b in dlg.findChildren(type(dlg.start_button)) if b.text() == "选择文件…"))
    user.click(dlg.start_button)
    assert dlg.import_result.imported == len(people)
    user.click(next(b for b in dlg.findChildren(type(dlg.start_button)) if b.text() == "关闭"))
    assert window.model.rowCount() == len(people)
    assert window.table.verticalScrollBar().value() == 0

    # 3. search by pinyin initials: a name whose initials are its own
    initials = Counter(pinyin.keys(p["姓名"])[0] for p in people)
    person = next(p for p in people if initials[pinyin.keys(p["姓名"])[0]] == 1)
    pid = person["公民身份号码"]
    user.key(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    user.type(window.search_box, pinyin.keys(person["姓名"])[0])
    user.key(window.search_box, Qt.Key.Key_Return)
    assert window.model.rowCount() == 1 and window.current_pid() == pid

    # 4. the visit: Ctrl+N, 1, Enter — three actions after the person is selected
    before = user.actions
    user.key(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    visit = window.visit_dialog
    user.key(visit, Qt.Key.Key_1)
    user.key(visit.focusWidget() or visit, Qt.Key.Key_Return)
    assert user.actions - before <= 3
    assert not visit.isVisible() and window.detail.status.text() == "当场协助缴费"
    assert ws.scalar("SELECT status FROM persons WHERE pid=?", (pid,)) == "paid_on_site"

    # 5. notices for one group (not the visited person's): select it in the tree, print, read back
    window.search_box.clear()
    group = sorted({p["村民小组"] for p in people} - {person["村民小组"]})[0]
    households = {p["户编号"] for p in people if p["村民小组"] == group}
    window.tree.select_scope("青石村", group, None)
    user.actions += 1  # the click on the group in the tree
    out = tmp_path / "七组通知单.pdf"
    window.channel_checked = True  # the payment channel prompt has its own test
    user.file_chosen(monkeypatch, "getSaveFileName", out)
    user.menu(window, "打印缴费通知单")
    scope = window.scope_dialog
    assert f"{group}</b>：{len(households)} 户，{len(households)} 页" in scope.text.text()
    user.click(scope.print_button)
    qtbot.waitUntil(out.exists, timeout=20000)
    assert _pages(out) == len(households) == window.last_output[2].households

    # the township: its own list, one setup package for this village (made by the township clerk)
    town = Workspace(tmp_path / "乡镇.db")
    sync.init_township(town, "某某镇")
    roster.import_roster(town, src)
    sync.make_setup_package(town, "青石村", tmp_path / "青石村_配置包.ccpkg", code=CODE)

    # 6. join: 同步 → 加入乡镇…, choose the package, type its code
    user.menu(window, "同步")
    sync_dlg = window.findChildren(type(window.open_sync()))[-1]
    assert sync_dlg.join_button.isVisible() and "未启用同步" in sync_dlg.info.text()
    user.file_chosen(monkeypatch, "getOpenFileName", tmp_path / "青石村_配置包.ccpkg")
    user.actions += 1  # typing the code
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: (CODE, True))
    with qtbot.waitSignal(window.switch_requested, timeout=20000) as reopened:
        user.click(sync_dlg.join_button)
        assert "已加入 某某镇" in sync_dlg.result_label.text() and sync_dlg.last["pending"] > 0
        user.click(next(b for b in sync_dlg.findChildren(type(sync_dlg.join_button)) if b.text() == "关闭"))
    assert reopened.args == [str(path)]
    window.close()
    ws.close()

    # the app reopens the workspace (app._switch): now a village that can export
    window, ws = _open(qtbot, path)
    assert ws.mode == "village"
    sync_dlg = window.open_sync()
    user.actions += 2
    assert sync_dlg.export_button.isEnabled() and not sync_dlg.township_button.isVisible()
    assert not sync_dlg.join_button.isVisible()

    # 7. export, and the township receives the earlier visit
    up = tmp_path / "青石村_上报.ccpkg"
    user.file_chosen(monkeypatch, "getSaveFileName", up)
    user.click(sync_dlg.export_button)
    assert up.exists() and sync_dlg.last["events"] > 0
    sync.receive_packages(town, [up])
    assert town.scalar("SELECT status FROM persons WHERE pid=?", (pid,)) == "paid_on_site"
    town.close()
    window.close()
    ws.close()
    print(f"first day: {user.actions} user actions")
    assert user.actions <= 30, user.actions
