"""A cadre's whole first day in the window, by keys and clicks, counting the user's actions.

New standalone workspace (its recovery code printed and copied) → import the bureau's list → find a
person by pinyin initials → Ctrl+N, 1, Enter → one group's notices (pages = that group's
households, read back from the PDF) → join the township with its setup package → export → the
township (a core Workspace) receives the visit. Then the day the passphrase is forgotten: 忘记口令
with the recovery code, and (a village) with the township's recovery package.

Every window and dialog on the way must fit the screen: the same tests run again in a child process
on a 1366×768 screen at 150% scaling (910×512 for the window), where they check it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QFileDialog, QInputDialog

from canvasser.core import sync
from canvasser.core.lists import roster
from canvasser.core.storage import atrest
from canvasser.core.storage.opening import open_workspace
from canvasser.core.storage.store import Workspace
from canvasser.core.text import pinyin
from canvasser.ui.dialogs.import_roster import ImportDialog
from canvasser.ui.dialogs.new_workspace import new_workspace
from canvasser.ui.dialogs.passphrase import PassphraseDialog, RecoverDialog, RecoveryCodeDialog
from canvasser.ui.lock import ensure_unlocked
from canvasser.ui.main_window import MainWindow
from canvasser.ui.screen import usable
from canvasser.ui.worker import ImmediateRunner
from tests.fixtures import CHILD_ENCODING, rows, write_xlsx
from tests.pdfread import pages_of, pdftext

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
        if text.isascii():
            self.qtbot.keyClicks(widget, text)
        else:  # Chinese comes through the input method, committed at once (QTest types ASCII only)
            widget.insert(text)

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


def fits(widget) -> None:
    """On the screen it is shown on: its minimum size and its frame inside the available area."""
    QApplication.processEvents()
    room = usable(widget)
    need = widget.minimumSizeHint().expandedTo(widget.minimumSize())
    assert need.width() <= room.width() and need.height() <= room.height(), (type(widget).__name__, need, room)
    frame = widget.frameGeometry()
    assert room.contains(frame.topLeft()) and room.contains(frame.bottomRight()), (type(widget).__name__, frame, room)


def _open(qtbot, path) -> tuple[MainWindow, Workspace]:
    """As the app opens a workspace (here with jobs run at once), waiting until the window is active."""
    ws = open_workspace(path)
    window = MainWindow(ws, canvasser=CADRE, runner=ImmediateRunner(ws))
    qtbot.addWidget(window)
    window.showMaximized() if window.maximise else window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    fits(window)
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
        fits(dlg)
        said.append(" ".join(w.text() for w in dlg.findChildren(type(dlg.buttons["standalone"]))))
        user.click(dlg.buttons["standalone"])

    codes: list[str] = []
    sheet = tmp_path / "恢复码.pdf"

    def keep_the_recovery_code() -> None:  # a new workspace is encrypted: its code is shown once
        box = QApplication.activeModalWidget()
        if not isinstance(box, RecoveryCodeDialog):
            QTimer.singleShot(20, keep_the_recovery_code)
            return
        fits(box)
        codes.append(box.code)
        user.file_chosen(monkeypatch, "getSaveFileName", sheet)
        user.click(box.print_button)  # a one-page PDF to print and keep
        user.click(box.copy_button)
        assert QGuiApplication.clipboard().text() == box.code
        assert not box.close_button.isEnabled()  # closed once the cadre says it is kept
        user.click(box.kept)
        user.click(box.close_button)

    user.actions += 1  # the village's name, typed when the workspace is made (not taken from the list)
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("青石村", True))
    QTimer.singleShot(0, pick_standalone)
    QTimer.singleShot(20, keep_the_recovery_code)
    assert new_workspace(None) == path
    code = codes[0]
    assert re.fullmatch(r"([2-9A-HJKMNP-TV-Z]{5}-){4}[2-9A-HJKMNP-TV-Z]{5}", code), code  # no I L O U 0 1
    assert pages_of(sheet) == 1 and code in pdftext(sheet)
    assert "单机工作区（以后可加入乡镇）" in said[0] and "村工作区（用乡镇发来的配置包）" in said[0]
    window, ws = _open(qtbot, path)
    assert ws.mode == "standalone" and window.model.rowCount() == 0 and ws.meta("village") == "青石村"
    assert window.windowTitle() == "我的村.db" or "青石村" in window.windowTitle()

    # 2. import: Ctrl+I, choose the file, 开始导入
    user.key(window, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    dlg = next(d for d in window.findChildren(ImportDialog) if d.isVisible())
    fits(dlg)
    user.file_chosen(monkeypatch, "getOpenFileName", src)
    user.click(next(b for b in dlg.findChildren(type(dlg.start_button)) if b.text() == "选择文件…"))
    user.click(dlg.start_button)
    assert dlg.import_result.imported == len(people)
    assert not dlg.start_button.isEnabled()  # done: not offered twice
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
    fits(visit)
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
    # the first print: a phone to print (the cadre's profile has none: the committee's, typed once),
    # and this year's amounts shown for confirmation
    phone = window.phone_dialog
    assert phone.isVisible()
    user.type(phone.phone, "0816-1234567")
    user.key(phone.phone, Qt.Key.Key_Return)
    assert window.amounts_dialog.isVisible()
    user.click(window.amounts_dialog.ok_button)
    scope = window.scope_dialog
    fits(scope)
    assert f"{group}</b>：{len(households)} 户，{len(households)} 页" in scope.text.text()
    user.click(scope.print_button)
    qtbot.waitUntil(out.exists, timeout=20000)
    assert pages_of(out) == len(households) == window.last_output[2].households

    # the township: its own list, one setup package for this village (made by the township clerk)
    town = open_workspace(tmp_path / "乡镇.db")
    sync.init_township(town, "某某镇")
    roster.import_roster(town, src)
    sync.make_setup_package(town, "青石村", tmp_path / "青石村_配置包.ccpkg", code=CODE)

    # 6. join: 同步 → 加入乡镇…, choose the package, type its code
    user.file_chosen(monkeypatch, "getOpenFileName", tmp_path / "青石村_配置包.ccpkg")
    user.actions += 1  # typing the code
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: (CODE, True))
    with qtbot.waitSignal(window.switch_requested, timeout=20000) as reopened:
        user.menu(window, "加入乡镇")
        sync_dlg = window.sync_dialog
        fits(sync_dlg)
        assert "已加入 某某镇" in sync_dlg.result_label.text() and sync_dlg.last["pending"] > 0
        user.click(next(b for b in sync_dlg.findChildren(type(sync_dlg.join_button)) if b.text() == "关闭"))
    assert reopened.args == [str(path)]
    window.close()
    ws.close()

    # the app reopens the workspace (app._switch): now a village that can export
    window, ws = _open(qtbot, path)
    assert ws.mode == "village"
    assert not any(a.text() == "加入乡镇…" for a in window.findChildren(type(window.act_record)))
    assert "走访还没交给乡镇" in window.strip.unsent.text()

    # 7. 同步 → 导出数据包…, and the township receives the earlier visit
    up = tmp_path / "青石村_上报.ccpkg"
    user.file_chosen(monkeypatch, "getSaveFileName", up)
    user.menu(window, "导出数据包")
    sync_dlg = window.sync_dialog
    assert not sync_dlg.township_button.isVisible() and not sync_dlg.join_button.isVisible()
    assert up.exists() and sync_dlg.last["events"] > 0
    sync_dlg.accept()
    assert window.strip.unsent.text() == "1 条走访已导出，等乡镇确认"
    sync.receive_packages(town, [up])
    assert town.scalar("SELECT status FROM persons WHERE pid=?", (pid,)) == "paid_on_site"
    town.close()
    window.close()
    ws.close()
    print(f"first day: {user.actions} user actions")
    # 30, plus the village's name (1), three to print and copy the recovery code, and what the year's
    # first print asks once (issue 29): the committee's phone typed and entered, the amounts confirmed
    assert user.actions <= 30 + 1 + 3 + 3, user.actions


def _forget_and_recover(qtbot, user: User, path: Path, fill) -> list:
    """The passphrase is forgotten: the unlock dialog (a wrong try first), 忘记口令…, `fill(dialog)`;
    returns what the dialogs said, once ensure_unlocked has opened the workspace with the new one."""
    seen: list = []
    failed: list = []

    def in_recover() -> None:
        dlg = QApplication.activeModalWidget()
        if not isinstance(dlg, RecoverDialog):
            QTimer.singleShot(20, in_recover)
            return
        try:
            fits(dlg)
            seen.append(dlg.info.text())
            fill(dlg)
        except BaseException as exc:  # a failed check must not leave two modal dialogs waiting
            failed.append(exc)
            dlg.reject()
            dlg.parent().reject()

    def in_unlock() -> None:
        dlg = QApplication.activeModalWidget()
        if not isinstance(dlg, PassphraseDialog):
            QTimer.singleShot(20, in_unlock)
            return
        fits(dlg)
        user.type(dlg.field, "wrong guess")
        user.key(dlg.field, Qt.Key.Key_Return)
        seen.append(dlg.error.text())
        QTimer.singleShot(0, in_recover)
        user.click(dlg.forgot_button)

    QTimer.singleShot(0, in_unlock)
    opened = ensure_unlocked(path)
    if failed:
        raise failed[0]
    assert opened
    return seen


def test_a_forgotten_passphrase_is_set_again_in_the_window(qtbot, app, tmp_path, monkeypatch):
    """忘记口令 in the unlock dialog: a standalone workspace with its recovery code (typed as a
    person types it), a village with the township's recovery package and the code told by phone."""
    monkeypatch.delenv("CANVASSER_PASSPHRASE")  # a person at the keyboard, nothing given
    user = User(qtbot)
    people = rows(seed=22, households=8, village="青石村")
    src = write_xlsx(tmp_path / "名单.xlsx", people)
    alone = tmp_path / "单机.db"
    with open_workspace(alone, passphrase="原来的口令 2026") as ws:
        code = ws.recovery_code
        roster.import_roster(ws, src)
    atrest.forget(alone)

    def with_the_code(dlg: RecoverDialog) -> None:
        assert not dlg.mode.isVisible() and not dlg.package_row.isVisible()
        user.type(dlg.code, code.lower().replace("-", " "))  # case and separators do not matter
        user.type(dlg.first, "新的口令 2026")
        user.type(dlg.second, "新的口令 2026")
        user.click(dlg.ok)

    said = _forget_and_recover(qtbot, user, alone, with_the_code)
    assert "忘记口令" in said[0] and "恢复码" in said[1]
    atrest.forget(alone)
    with pytest.raises(atrest.PassphraseError):
        open_workspace(alone, passphrase="原来的口令 2026")
    with open_workspace(alone, passphrase="新的口令 2026") as ws:
        assert ws.scalar("SELECT count(*) FROM persons") == len(people)

    # a village: its key is kept by the township, which answers with a recovery package
    town = open_workspace(tmp_path / "乡镇.db", passphrase="乡镇的口令 2026")
    sync.init_township(town, "某某镇")
    roster.import_roster(town, src)
    sync.make_setup_package(town, "青石村", tmp_path / "配置包.ccpkg", code=CODE)
    village = tmp_path / "青石村.db"
    sync.init_village(village, tmp_path / "配置包.ccpkg", code=CODE, passphrase="村里的口令 2026")
    atrest.forget(village)
    stick = tmp_path / "U盘"
    stick.mkdir()
    from canvasser.ui.dialogs.sync import SyncDialog

    def with_the_package(dlg: RecoverDialog) -> None:
        assert dlg.way() == "package" and dlg.package_row.isVisible()
        user.actions += 1  # the USB stick chosen in the folder dialog
        monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(stick))
        user.click(dlg.keys_button)  # the key file to the township on a USB stick
        keys = stick / "青石村.db.keys"
        assert keys.exists() and "已复制" in dlg.info.text()
        clerk = SyncDialog(town, ImmediateRunner(town))  # at the township, in its sync dialog
        qtbot.addWidget(clerk)
        clerk.show()
        assert clerk.recovery_button.isVisible()
        res = clerk.make_recovery(keys, stick / "青石村_恢复包.json")
        assert res["code"] in clerk.result_label.text()
        assert res["code"] not in (stick / "青石村_恢复包.json").read_text(encoding="utf-8")
        user.file_chosen(monkeypatch, "getOpenFileName", stick / "青石村_恢复包.json")
        user.click(next(b for b in dlg.findChildren(type(dlg.ok)) if b.text() == "选择恢复包…"))
        user.type(dlg.code, res["code"])  # told by phone
        user.type(dlg.first, "村里的新口令")
        user.type(dlg.second, "村里的新口令")
        user.click(dlg.ok)

    said = _forget_and_recover(qtbot, user, village, with_the_package)
    assert "乡镇" in said[1] and "青石村.db.keys" in said[1]
    atrest.forget(village)
    with open_workspace(village, passphrase="村里的新口令") as ws:
        assert ws.mode == "village" and ws.scalar("SELECT count(*) FROM persons") == len(people)
    town.close()
    print(f"recovery: {user.actions} user actions; screen {usable().width()}×{usable().height()} "
          f"at {QApplication.primaryScreen().devicePixelRatio():g}")


@pytest.mark.skipif(bool(os.environ.get("CANVASSER_TEST_SCREEN")), reason="this is the run at another scale")
def test_the_first_day_again_at_150_percent_on_a_1366x768_laptop(tmp_path):
    """Windows' 150% on a 14-inch 1366×768 laptop leaves the window 910×512: the first day and the
    recovery, every dialog and the window inside it (each checked by `fits`), at 标准 and 特大 text,
    and the screenshot no larger than the screen (test_screen_fit)."""
    env = dict(os.environ, CANVASSER_TEST_SCREEN="1366x768@1.5")
    env.pop("QT_QPA_PLATFORM", None)
    env.pop("QT_SCALE_FACTOR", None)
    r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider", "--basetemp", str(tmp_path),
                        f"{__file__}::test_first_day_from_an_empty_workspace_to_the_townships_package",
                        f"{__file__}::test_a_forgotten_passphrase_is_set_again_in_the_window",
                        str(Path(__file__).with_name("test_screen_fit.py"))],
                       capture_output=True, encoding=CHILD_ENCODING, errors="replace", timeout=600, env=env,
                       cwd=Path(__file__).resolve().parents[2])
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-2000:]
    assert " failed" not in r.stdout and re.search(r"\b[67] passed", r.stdout), r.stdout[-2000:]
    assert "screen 910×512 at 1.5" in r.stdout and "screenshot 1365×768 on 1366×768" in r.stdout, r.stdout[-2000:]
