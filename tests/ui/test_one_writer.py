"""The window reads on a read-only connection and writes only through operations on the worker; a
failed operation is shown; the history reads the same in the window and on the command line."""

from __future__ import annotations

import subprocess
import sys

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

from canvasser.core.errors import InputError
from canvasser.core.rules import visits
from canvasser.core.storage.sqlcipher import sqlite3
from canvasser.ui import worker as worker_mod
from canvasser.ui.worker import Job
from tests.fixtures import CHILD_ENCODING


def test_a_write_on_the_windows_connection_fails_loudly(window, ws):
    pid = ws.scalar("SELECT pid FROM persons WHERE status='' LIMIT 1")
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        visits.record_visit(window.ws, pid, "not_home", by="李书记")
    assert ws.scalar("SELECT status FROM persons WHERE pid=?", (pid,)) == ""


def test_an_operation_without_a_failure_handler_shows_its_error(window, qtbot):
    before = len(worker_mod.FAILURES)

    def broken(_ws, _p):
        raise InputError("身份证号校验位不对")

    window.runner.submit(Job(broken, label="坏任务"))
    assert worker_mod.FAILURES[before:] == ["身份证号校验位不对"]
    boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
    assert any("身份证号校验位不对" in b.text() for b in boxes)
    for b in boxes:
        b.close()


def test_a_real_worker_shows_the_error_of_an_operation_without_a_handler(app, ws, qtbot):
    from canvasser.ui.worker import DbWorker

    before = len(worker_mod.FAILURES)
    w = DbWorker(ws.path)
    try:
        w.submit(Job(lambda _ws, _p: 1 / 0, label="坏任务"))
        qtbot.waitUntil(lambda: len(worker_mod.FAILURES) > before, timeout=10000)
    finally:
        w.shutdown()
    assert "division by zero" in worker_mod.FAILURES[-1]


def test_history_reads_the_same_in_the_window_and_from_the_command_line(window, ws, qtbot):
    pid = ws.scalar("SELECT pid FROM persons WHERE status='' LIMIT 1")
    window.select_person(pid)
    dlg = window.open_visit_dialog()
    dlg.choose("refused")
    dlg.note.setText("嫌贵")
    dlg.save()
    assert not dlg.isVisible()
    window.undo_last()
    shown = window.detail.history.toPlainText()
    out = subprocess.run([sys.executable, "-m", "canvasser", "history", "--db", str(ws.path), "--id", pid],
                         capture_output=True, encoding=CHILD_ENCODING, timeout=120, check=True).stdout
    assert "拒绝" in out and "备注：嫌贵" in out and "作废一条走访" in out and "（已作废）" in out
    assert "=" not in out  # no raw key=value
    for line in out.strip().splitlines():  # each line's words are the window's words
        when, kind, rest = line.split("  ", 2)
        text = rest.rsplit(" — ", 1)[0].replace("（已作废）", "")
        assert when in shown and kind in shown and text in shown, line
