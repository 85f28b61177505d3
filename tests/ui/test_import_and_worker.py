"""The import screen (preview, rejected rows, paid list) and the serial worker (order, threads, cancel)."""

from __future__ import annotations

import csv
import threading

import openpyxl
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QPushButton

from canvasser.core.errors import Cancelled
from canvasser.core.lists.roster import import_roster
from canvasser.core.storage.opening import open_workspace
from canvasser.core.text.ids import check_digit
from canvasser.ui.dialogs.import_roster import ImportDialog
from canvasser.ui.dialogs.paid_import import PaidImportDialog
from canvasser.ui.worker import DbWorker, ImmediateRunner, Job, run_with_progress


def test_import_screen_previews_mapping_and_shows_rejected_rows(window, sample_list, qtbot, tmp_path):
    before = window.model.rowCount()
    dlg = window.open_import()
    assert dlg.set_file(sample_list)
    mapped = {dlg.mapping.item(r, 0).text(): dlg.mapping.cellWidget(r, 1).currentText()
              for r in range(dlg.mapping.rowCount())}
    assert mapped["公民身份号码"] == "公民身份号码" and mapped["姓名"] == "姓名" and mapped["联系电话"] == "联系电话"
    assert "表头在第 3 行" in dlg.info.text()
    assert dlg.start_button.isEnabled()
    dlg.start()
    assert dlg.import_result is not None and dlg.import_result.imported + dlg.import_result.updated == 855
    assert dlg.rejected.rowCount() == 3
    rows = {dlg.rejected.item(r, 1).text(): dlg.rejected.item(r, 2).text() for r in range(3)}
    assert set(rows) == {"5", "12", "20"}
    assert "校验位" in rows["5"] and "姓名" in rows["12"] and "位数" in rows["20"]
    assert "有 3 行未导入" in dlg.summary.text()
    now = before + dlg.import_result.imported
    assert window.model.rowCount() == now
    assert window.tree.topLevelItem(0).text(1).endswith(f"/{now}")


def test_assigning_an_unknown_column_in_the_preview_becomes_an_override(app, qtbot, tmp_path):
    body = "51032119850612301"
    pid = body + check_digit(body)
    path = tmp_path / "odd.csv"
    path.write_text(f"姓名,身份证号,手机\n张三,{pid},13912345678\n", encoding="utf-8")
    ws = open_workspace(tmp_path / "empty.db")
    dlg = ImportDialog(ws, ImmediateRunner(ws))
    qtbot.addWidget(dlg)
    assert dlg.set_file(path)
    headers = [dlg.mapping.item(r, 0).text() for r in range(dlg.mapping.rowCount())]
    combo: QComboBox = dlg.mapping.cellWidget(headers.index("手机"), 1)
    assert combo.currentData() == ""
    combo.setCurrentIndex(combo.findData("phone"))
    assert dlg.overrides() == {"手机": "phone"}
    assert dlg.table.mapping["phone"] == headers.index("手机")
    dlg.start()
    assert dlg.import_result.imported == 1
    assert ws.scalar("SELECT phone FROM persons WHERE pid=?", (pid,)) == "13912345678"
    ws.close()


def test_paid_list_screen_marks_people_paid(window, ws, qtbot, tmp_path):
    pids = [r["pid"] for r in ws.query("SELECT pid FROM persons WHERE status != 'paid_official' LIMIT 2")]
    path = tmp_path / "paid.xlsx"
    wb = openpyxl.Workbook()
    sh = wb.active
    sh.append(["序号", "姓名", "身份证号码", "缴费金额", "缴费日期"])
    sh.append([1, "某人", pids[0], 400, "2026-11-20"])
    sh.append([2, "某人", pids[1], 400, "2026-11-21"])
    sh.append([3, "外村人", "11010519491231002X", 400, "2026-11-21"])
    wb.save(path)
    dlg = window.open_paid_import()
    assert isinstance(dlg, PaidImportDialog)
    assert dlg.set_file(path)
    dlg.start()
    assert dlg.import_result.matched == 2
    assert dlg.rejected.rowCount() == 1  # the person from another village
    for pid in pids:
        assert ws.scalar("SELECT status FROM persons WHERE pid=?", (pid,)) == "paid_official"
    window.select_person(pids[0])
    assert window.detail.status.text() == "已缴费(医保局确认)"


def test_worker_runs_jobs_in_order_on_its_own_thread_and_connection(app, qtbot, ws):
    worker = DbWorker(ws.path)
    try:
        seen: list = []
        main = threading.get_ident()
        for i in range(3):
            worker.submit(Job(lambda w, _p, i=i: (i, threading.get_ident(), w is ws,
                                                   w.scalar("SELECT count(*) FROM persons")),
                              success=seen.append))
        qtbot.waitUntil(lambda: len(seen) == 3, timeout=10000)
        assert [s[0] for s in seen] == [0, 1, 2]
        assert all(s[1] != main and s[2] is False for s in seen)
        assert {s[3] for s in seen} == {ws.scalar("SELECT count(*) FROM persons")}
        errors: list = []
        worker.submit(Job(lambda w, _p: w.scalar("SELECT nope FROM persons"), failure=errors.append))
        qtbot.waitUntil(lambda: bool(errors), timeout=10000)
        assert "nope" in str(errors[0])
    finally:
        worker.shutdown()


def _big_list(path, n: int) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["姓名", "公民身份号码", "村（社区）", "村民小组"])
        for i in range(n):
            body = f"5103{(i // 1000) % 100:02d}19{60 + i % 40:02d}0{1 + i % 9}{10 + i % 18:02d}{i % 1000:03d}"
            w.writerow([f"测试{i}", body + check_digit(body), "大河村", f"{i % 8 + 1}组"])


def _cancel_on_the_worker(qtbot, worker: DbWorker, path, *, once_written: bool = False) -> list:
    """Import `path` on the real worker and, when the import reports progress (once a chunk is
    written, if `once_written`), press Cancel in its progress dialog; returns how the job ended."""
    started, release = threading.Event(), threading.Event()
    outcome: list = []

    def job(w, progress):
        def gate(n, msg):
            if n or not once_written:
                started.set()
                release.wait(10)
            return progress(n, msg)
        return import_roster(w, path, progress=gate)

    try:
        j = run_with_progress(worker, None, "正在导入名单…", job, success=outcome.append, failure=outcome.append)
        qtbot.waitUntil(started.is_set, timeout=20000)
        cancel = j.dialog.findChild(QPushButton)
        assert j.dialog.isVisible() and cancel.text() == "取消"
        qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
        assert j.cancel.is_set()
        release.set()
        qtbot.waitUntil(lambda: bool(outcome), timeout=20000)
    finally:
        release.set()
    return outcome


def test_cancelling_a_long_import_rolls_it_back(app, qtbot, ws, tmp_path):
    """Start a long import on the real worker, press Cancel in the progress dialog: nothing is kept."""
    path = tmp_path / "big.csv"
    _big_list(path, 12000)
    before = ws.scalar("SELECT count(*) FROM persons")
    events = ws.event_count()
    worker = DbWorker(ws.path)
    try:
        outcome = _cancel_on_the_worker(qtbot, worker, path)
    finally:
        worker.shutdown()
    assert isinstance(outcome[0], Cancelled)
    assert ws.scalar("SELECT count(*) FROM persons") == before
    assert ws.event_count() == events


def test_window_and_worker_both_write_under_one_origin(window, ws, qtbot, sample_list):
    """The window's visits and an import all run on the worker, in order, under one origin: no seq clash."""
    worker = DbWorker(ws.path)
    window.runner = worker
    try:
        first = ws.scalar("SELECT pid FROM persons WHERE status='' LIMIT 1")
        window.select_person(first)
        dlg = window.open_visit_dialog()
        dlg.choose("not_home")
        dlg.save()  # queued on the worker, ahead of the import
        qtbot.waitUntil(lambda: not dlg.isVisible(), timeout=30000)
        assert ws.scalar("SELECT status FROM persons WHERE pid=?", (first,)) == "not_home"
        outcome: list = []
        run_with_progress(worker, window, "导入", lambda w, p: import_roster(w, sample_list, progress=p),
                          success=outcome.append, failure=outcome.append)
        qtbot.waitUntil(lambda: bool(outcome), timeout=30000)
        assert not isinstance(outcome[0], Exception), outcome[0]
        second = ws.scalar("SELECT pid FROM persons WHERE status='' AND pid != ? LIMIT 1", (first,))
        window.select_person(second)
        dlg = window.open_visit_dialog()
        dlg.choose("refused")
        dlg.save()
        qtbot.waitUntil(lambda: not dlg.isVisible(), timeout=30000)
        assert dlg.error.text() == ""
        assert ws.scalar("SELECT status FROM persons WHERE pid=?", (second,)) == "refused"
        origin = ws.origin
        seqs = [r[0] for r in ws.conn.execute("SELECT seq FROM events WHERE origin=? ORDER BY seq", (origin,))]
        assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))
    finally:
        worker.shutdown()


def test_a_big_list_read_in_a_second_process_imports_and_cancels_from_the_window(app, qtbot, ws, tmp_path,
                                                                                    monkeypatch):
    """A list big enough to be read in a second process (the threshold lowered here): imported on
    the real worker thread, and a Cancel pressed while the reader works stops it, keeping nothing."""
    import multiprocessing

    from canvasser.core.lists import roster
    monkeypatch.setattr(roster, "BACKGROUND_FILE", 0)
    path = tmp_path / "big.csv"
    _big_list(path, 3000)
    before = ws.scalar("SELECT count(*) FROM persons")
    worker = DbWorker(ws.path)
    outcome: list = []
    try:
        run_with_progress(worker, None, "正在导入名单…", lambda w, p: import_roster(w, path, progress=p),
                          success=outcome.append, failure=outcome.append)
        qtbot.waitUntil(lambda: bool(outcome), timeout=30000)
        assert not isinstance(outcome[0], Exception), outcome[0]
        assert outcome[0].imported == 3000
        assert ws.scalar("SELECT count(*) FROM persons") == before + 3000
        _big_list(path, 12000)
        events = ws.event_count()
        outcome = _cancel_on_the_worker(qtbot, worker, path, once_written=True)
    finally:
        worker.shutdown()
    assert isinstance(outcome[0], Cancelled)
    assert ws.event_count() == events
    assert multiprocessing.active_children() == []


def test_a_paid_list_picked_as_the_unenrolled_list_is_asked_about(app, qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox
    body = "51032119850612301"
    pid = body + check_digit(body)
    path = tmp_path / "已缴费.csv"
    path.write_text(f"姓名,身份证号,缴费金额,缴费日期\n张三,{pid},400,2026-11-20\n", encoding="utf-8")
    ws = open_workspace(tmp_path / "empty.db")
    dlg = ImportDialog(ws, ImmediateRunner(ws))
    qtbot.addWidget(dlg)
    asked: list[str] = []
    monkeypatch.setattr(QMessageBox, "question", lambda _p, _t, text, *a: asked.append(text) or QMessageBox.StandardButton.No)
    assert dlg.set_file(path)
    dlg.start()
    assert "已缴费名单" in asked[0] and "--" not in asked[0] and dlg.import_result is None
    assert ws.scalar("SELECT count(*) FROM persons") == 0
    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.Yes)
    dlg.start()
    assert dlg.import_result.imported == 1
    ws.close()
