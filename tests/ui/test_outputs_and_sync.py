"""Screens over the other core operations: exports, printing, messages, sync between township and village."""

from __future__ import annotations

import shutil

import openpyxl
from PySide6.QtWidgets import QFileDialog, QLabel

from canvasser.core import sync
from canvasser.core.rules import visits
from canvasser.core.storage.opening import open_workspace
from canvasser.core.text import ids
from canvasser.ui.main_window import MainWindow
from canvasser.ui.worker import ImmediateRunner
from tests.pdfread import pdftext


def test_ledger_export_writes_the_workbook(window, tmp_path, monkeypatch):
    out = tmp_path / "out" / "台账.xlsx"
    out.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    from tests.ui.test_lock import answer_export_dialog

    answer_export_dialog(None)  # "不设密码导出"
    window.run_output("ledger")
    key, path, res = window.last_output
    assert key == "ledger" and path == out and out.exists()
    assert sum(res["sheets"].values()) > 0
    assert window.done_dialog.isVisible() and "台账已导出" in window.done_dialog.text.text()
    assert len(openpyxl.load_workbook(out, read_only=True).sheetnames) == sum(len(v) for v in res["parts"].values())


def test_daily_report_pdf_and_feedback_sheet(window, tmp_path):
    window.run_output("report", tmp_path / "日报.pdf")
    assert window.last_output[2]["total"] > 0 and (tmp_path / "日报.pdf").read_bytes()[:4] == b"%PDF"
    window.run_output("feedback", tmp_path / "反馈.xlsx")
    assert window.last_output[2]["rows"] > 0 and (tmp_path / "反馈.xlsx").exists()


def test_household_notice_prints_masked_ids_only(window, ws, tmp_path):
    pid = ws.scalar("SELECT pid FROM persons WHERE status='' AND categories LIKE '%低保%' LIMIT 1")
    window.select_person(pid)
    out = tmp_path / "notice.pdf"
    window.run_output("notice_household", out)
    res = window.last_output[2]
    assert not isinstance(res, Exception), res
    assert res.households == 1 and res.pages >= 1
    text = pdftext(out)
    assert ids.mask(pid) in text and pid not in text and "低保" not in text


def test_household_notice_without_selection_says_what_to_do(window, tmp_path):
    window.detail.show_person("")
    window.run_output("notice_household", tmp_path / "n.pdf")
    assert "请先在表格中选择" in str(window.last_output[2])
    assert not (tmp_path / "n.pdf").exists()


def test_visit_sheet_for_the_selected_group(window, ws, tmp_path):
    grp = ws.scalar("SELECT grp FROM persons WHERE status='' LIMIT 1")
    window.tree.select_scope(ws.meta("village"), grp, None)
    window.run_output("visit_sheet", tmp_path / "sheet.pdf")
    res = window.last_output[2]
    assert res.extra["groups"] == 1 and res.households > 0


def test_reminder_message_is_composed_and_copied(window, ws, qtbot):
    from PySide6.QtGui import QGuiApplication

    pid = ws.scalar("SELECT pid FROM persons WHERE status='migrant_informed' LIMIT 1") or \
        ws.scalar("SELECT pid FROM persons WHERE status='' LIMIT 1")
    window.select_person(pid)
    assert window.detail.message_button.isVisible()
    dlg = window.open_message()
    name = ws.scalar("SELECT name FROM persons WHERE pid=?", (pid,))
    assert name in dlg.text.toPlainText()
    dlg.copy()
    assert QGuiApplication.clipboard().text() == dlg.text.toPlainText()


def test_standalone_workspace_has_sync_disabled(window):
    dlg = window.open_sync()
    assert "未启用同步" in dlg.info.text()
    assert not dlg.export_button.isEnabled()


def test_village_exports_and_township_receives(app, qtbot, tmp_path, demo_template):
    town_path = tmp_path / "town.db"
    shutil.copy(demo_template, town_path)
    town = open_workspace(town_path)
    sync.init_township(town, "某某镇")
    setup = sync.make_setup_package(town, "青石村", tmp_path / "setup.ccpkg")
    sync.init_village(tmp_path / "village.db", tmp_path / "setup.ccpkg", code=setup.get("code"))
    village = open_workspace(tmp_path / "village.db")
    pid = village.scalar("SELECT pid FROM persons WHERE status='' LIMIT 1")
    visits.record_visit(village, pid, "paid_on_site", by="王主任")

    vw = MainWindow(village, canvasser="王主任", runner=ImmediateRunner(village))
    qtbot.addWidget(vw)
    assert vw.strip.unsent.text() == "1 条走访还没交给乡镇（同步 → 导出数据包）"  # the cadre's words, not 861 events
    dlg = vw.open_sync()
    assert "<b>1</b>" in dlg.pending.text() or "<b>2</b>" in dlg.pending.text()
    pkg = tmp_path / "to_town.ccpkg"
    dlg.export(pkg)
    assert pkg.exists() and dlg.last["events"] >= 1
    dlg.accept()  # closing the sync dialog refreshes the banner: sent, not yet confirmed (not a failure)
    assert vw.strip.unsent.text() == "1 条走访已导出，等乡镇确认" and "#0b5cad" in vw.strip.unsent.styleSheet()

    tw = MainWindow(town, canvasser="乡镇专干", runner=ImmediateRunner(town))
    qtbot.addWidget(tw)
    tdlg = tw.open_sync()
    assert tdlg.village.currentData() == "青石村"
    tdlg.receive(pkg)
    assert tdlg.last["applied"] >= 1 and "新增" in tdlg.result_label.text()
    assert town.scalar("SELECT status FROM persons WHERE pid=?", (pid,)) == "paid_on_site"
    tw.select_person(pid)
    assert tw.detail.status.text() == "当场协助缴费"
    tdlg.receive(pkg)
    assert "以前已经接收过" in tdlg.result_label.text() or tdlg.last.get("applied") == 0
    back = tmp_path / "to_village.ccpkg"  # the township's return package carries its acknowledgement
    sync.export_package(town, back, village="青石村")
    vdlg = vw.open_sync()
    vdlg.receive(back)
    vdlg.accept()
    assert vw.strip.unsent.text() == "乡镇已确认收到全部走访" and "#1b7f3b" in vw.strip.unsent.styleSheet()
    bad = tmp_path / "bad.ccpkg"
    bad.write_bytes(b"not a package")
    tdlg.receive(bad)
    assert "error" in tdlg.last
    village.close()
    town.close()


def test_township_setup_packages_and_the_review_queue(app, qtbot, tmp_path, demo_template, monkeypatch):
    """Standalone → township, setup packages for two villages, the same new person added by both
    villages lands in the township's review queue and is resolved on the sync screen."""
    from PySide6.QtWidgets import QMessageBox

    from canvasser.core.rules import people
    from canvasser.core.text.ids import check_digit

    town_path = tmp_path / "town.db"
    shutil.copy(demo_template, town_path)
    town = open_workspace(town_path)
    body = "51032119900101123"
    people.add_person(town, body + check_digit(body), "白河人", village="白河村", grp="一组")
    tw = MainWindow(town, canvasser="乡镇专干", runner=ImmediateRunner(town))
    qtbot.addWidget(tw)
    dlg = tw.open_sync()
    assert dlg.township_button.isVisibleTo(dlg) and not dlg.setup_button.isVisibleTo(dlg)
    assert dlg.become_township("某某镇")["township"] == "某某镇"
    assert town.mode == "township" and dlg.setup_button.isVisibleTo(dlg)
    codes = {}
    for name, village in (("qs", "青石村"), ("bh", "白河村")):
        dlg.make_setup(village, tmp_path / f"{name}.ccpkg")
        codes[name] = dlg.last["code"]  # made by the program, shown for the clerk to phone
        assert codes[name] in dlg.result_label.text()
    assert (tmp_path / "qs.ccpkg").exists() and dlg.last["village"] == "白河村"
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    assert dlg.make_setup("白河村", tmp_path / "bh2.ccpkg") is None  # asks before replacing the keys

    newborn = "51032120260301002"
    newborn += check_digit(newborn)
    packages = []
    for name, setup in (("qs", "qs.ccpkg"), ("bh", "bh.ccpkg")):
        sync.init_village(tmp_path / f"{name}.db", tmp_path / setup, code=codes[name])
        with open_workspace(tmp_path / f"{name}.db") as v:
            people.add_person(v, newborn, "新生儿", grp="一组", by="村干部")
            sync.export_package(v, tmp_path / f"{name}-out.ccpkg")
        packages.append(tmp_path / f"{name}-out.ccpkg")
    for pkg in packages:
        dlg.receive(pkg)
    assert dlg.conflicts.isVisibleTo(dlg) and dlg.conflicts.rowCount() == 1
    dlg.conflicts.cellWidget(0, 3).setCurrentText("白河村")
    assert dlg.resolve_selected(0)["village"] == "白河村"
    assert town.scalar("SELECT village FROM persons WHERE pid=?", (newborn,)) == "白河村"
    assert dlg.conflicts.rowCount() == 0
    town.close()


def test_template_editor_saves_checks_and_restores(window, ws, tmp_path):
    dlg = window.open_templates()
    assert dlg.current() == "leaflet" and "（程序自带的文字）" == dlg.source.text()
    original = dlg.text.toPlainText()
    dlg.text.setPlainText("= 致全村群众\n请于 {deadline} 前缴费。\n")
    assert dlg.save()
    assert "本工作区" in dlg.source.text()
    window.run_output("leaflet", tmp_path / "leaflet.pdf")
    text = pdftext(tmp_path / "leaflet.pdf")
    assert "致全村群众" in text
    dlg.text.setPlainText("请于 {no_such_field} 前缴费")
    assert not dlg.save()
    assert "no_such_field" in dlg.message.text()
    dlg.reset()
    assert dlg.text.toPlainText() == original


def test_first_notices_ask_for_the_payment_channel_once(window, ws, tmp_path, monkeypatch, qtbot):
    import qrcode

    from canvasser.core.rules import campaign

    png = tmp_path / "code.png"  # an ASCII path: keyClicks types it
    qrcode.make("https://county.example.invalid/pay").save(png)
    out = tmp_path / "n.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    window.run_output("notices")
    dlg = window.channel_dialog
    assert dlg.isVisible()
    qtbot.keyClicks(dlg.image, str(png))
    dlg.caption.setText("微信扫码缴费（县医保局缴费码）")  # typed through an input method
    dlg.accept()
    # the year's first print: the amounts and the new payment code are shown for confirmation
    qtbot.waitUntil(lambda: getattr(window, "amounts_dialog", None) is not None, timeout=20000)
    shown = [label.text() for label in window.amounts_dialog.findChildren(QLabel)]
    assert "印县医保局提供的缴费码图片（微信扫码缴费（县医保局缴费码））" in shown and "400元/人" in shown
    window.amounts_dialog.ok_button.click()
    qtbot.waitUntil(lambda: getattr(window, "scope_dialog", None) is not None, timeout=20000)
    window.scope_dialog.print_button.click()  # the scope is said before printing
    qtbot.waitUntil(lambda: out.exists(), timeout=20000)
    values = campaign.load(ws).values
    assert values["payment_image"].startswith("data:image/png") and values["payment_caption"].startswith("微信")
    window.channel_dialog = None
    window.run_output("notices")  # asked once: straight to printing
    assert window.channel_dialog is None
