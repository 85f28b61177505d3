"""The window and encryption at rest: passphrase at open (slowed on wrong tries), the idle lock that
hides the data and keeps a half-filled visit form, and the export dialog's open password."""

from __future__ import annotations

import os

import openpyxl
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog

from canvasser.core.lists.roster import import_roster
from canvasser.core.storage import atrest
from canvasser.core.storage.opening import open_workspace
from tests.fixtures import open_protected, rows, write_xlsx

PHRASE = os.environ["CANVASSER_PASSPHRASE"]


def _active(kind):
    w = QApplication.activeModalWidget()
    return w if isinstance(w, kind) else None


def answer_export_dialog(password: str | None) -> None:
    """When the export's password dialog shows, set `password` (or choose no password)."""
    from canvasser.ui.dialogs.export_password import ExportPasswordDialog

    def answer() -> None:
        dlg = _active(ExportPasswordDialog)
        if dlg is None:
            QTimer.singleShot(20, answer)
            return
        if password is None:
            dlg.plain_button.click()
        else:
            dlg.first.setText(password)
            dlg.second.setText(password)
            dlg.protect_button.click()

    QTimer.singleShot(0, answer)


@pytest.fixture
def secret_ws(tmp_path):
    path = tmp_path / "加密村.db"
    ws = open_workspace(path)
    import_roster(ws, write_xlsx(tmp_path / "l.xlsx", rows(households=12)))
    yield ws
    ws.close()


@pytest.fixture
def secret_window(qtbot, app, secret_ws):
    from canvasser.ui.main_window import MainWindow
    from canvasser.ui.worker import ImmediateRunner

    w = MainWindow(secret_ws, canvasser="李书记", runner=ImmediateRunner(secret_ws))
    qtbot.addWidget(w)
    w.show()
    yield w
    if w.idle_lock is not None:
        w.idle_lock.stop()


def test_idle_lock_hides_the_data_and_keeps_a_half_filled_visit_form(secret_window, secret_ws, qtbot):
    window = secret_window
    assert window.idle_lock is not None  # an encrypted workspace locks; default from the campaign
    assert window.idle_lock.timer.interval() == 15 * 60_000
    pid = secret_ws.scalar("SELECT pid FROM persons LIMIT 1")
    window.select_person(pid)
    dlg = window.open_visit_dialog()
    qtbot.keyClick(dlg, Qt.Key.Key_3)  # 承诺缴费
    dlg.note.insert("下周一来交")  # typed through the input method (QTest types ASCII only)
    window.idle_lock.set_minutes(0.3 / 60)  # 0.3 s
    qtbot.waitUntil(lambda: window.idle_lock.is_locked, timeout=3000)
    lock = window.idle_lock.dialog
    assert lock.isVisible() and QApplication.activeModalWidget() is lock
    covers = window.idle_lock.covers
    assert {c.target for c in covers} >= {window, dlg} and all(c.isVisible() for c in covers)
    assert all(c.geometry() == c.target.rect() for c in covers)  # the data is under an opaque panel
    assert dlg.isVisible()  # not closed: what was typed stays
    # a wrong passphrase keeps it locked; the right one opens
    lock.field.insert("错误的口令呀")
    qtbot.keyClick(lock.field, Qt.Key.Key_Return)
    assert window.idle_lock.is_locked and "口令不对" in lock.error.text()
    lock.field.insert(PHRASE)
    qtbot.keyClick(lock.field, Qt.Key.Key_Return)
    assert not window.idle_lock.is_locked
    qtbot.waitUntil(lambda: not any(c.isVisible() for c in covers), timeout=2000)
    assert dlg.isVisible() and dlg.outcome() == "promised" and dlg.note.text() == "下周一来交"
    qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    assert secret_ws.one("SELECT outcome, note FROM visits WHERE pid=?", (pid,)) == {
        "outcome": "promised", "note": "下周一来交"}


def test_a_changed_idle_time_applies_at_once(secret_window, qtbot):
    """征缴设置 → 无操作自动锁定: the window's lock follows the saved value without reopening."""
    window = secret_window
    dlg = window.open_settings()
    dlg.widgets["lock_minutes"].setValue(3)
    dlg.save()
    assert window.idle_lock.timer.interval() == 3 * 60_000 and window.idle_lock.timer.isActive()


def test_a_demo_workspace_does_not_lock(window):
    assert window.ws.key is None and window.idle_lock is None


def test_the_passphrase_dialog_refuses_the_wrong_one_and_slows_repeated_tries(secret_ws, qtbot):
    from canvasser.ui.dialogs.passphrase import PassphraseDialog

    path = secret_ws.path
    atrest.forget(path)
    dlg = PassphraseDialog(path)
    qtbot.addWidget(dlg)
    for _ in range(atrest.FREE_TRIES):
        dlg.field.setText("错误的口令呀")
        dlg.try_unlock()
        assert dlg.result() != QDialog.DialogCode.Accepted and "口令不对" in dlg.error.text()
    assert not dlg.field.isEnabled() and "请等 1 秒" in dlg.error.text()  # slowed, not locked for good
    qtbot.waitUntil(dlg.field.isEnabled, timeout=3000)
    dlg.field.setText(PHRASE)
    dlg.try_unlock()
    assert dlg.result() == QDialog.DialogCode.Accepted and dlg.key == secret_ws.key
    assert atrest.remembered(path) == secret_ws.key


def test_opening_asks_for_the_passphrase_when_none_is_given(secret_ws, qtbot, monkeypatch):
    from canvasser.ui.dialogs.passphrase import PassphraseDialog
    from canvasser.ui.lock import ensure_unlocked

    path = secret_ws.path
    atrest.forget(path)
    monkeypatch.delenv("CANVASSER_PASSPHRASE")

    def type_it() -> None:
        dlg = _active(PassphraseDialog)
        if dlg is None:
            QTimer.singleShot(20, type_it)
            return
        dlg.field.insert(PHRASE)
        qtbot.keyClick(dlg.field, Qt.Key.Key_Return)

    QTimer.singleShot(0, type_it)
    assert ensure_unlocked(path)
    assert open_workspace(path).scalar("SELECT count(*) FROM persons") > 0  # the worker's open needs no prompt


def test_the_export_dialog_offers_an_open_password(secret_window, tmp_path, monkeypatch):
    out = tmp_path / "台账.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    answer_export_dialog("台账密码2027")
    secret_window.run_output("ledger")
    assert secret_window.last_output[0] == "ledger" and out.read_bytes()[:4] == bytes.fromhex("D0CF11E0")
    book = openpyxl.load_workbook(open_protected(out, "台账密码2027"))
    assert len(book.sheetnames) == sum(len(v) for v in secret_window.last_output[2]["parts"].values())


def test_the_import_screen_protects_the_rejected_rows_file(window, sample_list, tmp_path, monkeypatch, qtbot):
    dlg = window.open_import()
    assert dlg.set_file(sample_list)
    dlg.start()
    assert not dlg.import_result.rejects_file  # kept in the workspace, no file anywhere yet
    assert dlg.export_button.isVisible()
    dlg.rejects_password.setText("错行密码2027")
    out = tmp_path / "错行.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    qtbot.mouseClick(dlg.export_button, Qt.MouseButton.LeftButton)
    rejects = dlg.rejects_file
    assert rejects == str(out) and open(rejects, "rb").read(8) == bytes.fromhex("D0CF11E0A1B11AE1")
    assert dlg.folder_button.isVisible()
    book = openpyxl.load_workbook(open_protected(rejects, "错行密码2027"))
    assert book.active.max_row == 4  # header and the three bad rows
