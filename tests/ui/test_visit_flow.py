"""Recording a visit through the window: the table, the detail panel and the progress all change."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from canvasser.core.rules.campaign import OUTCOMES
from canvasser.ui.people_model import COLUMNS

CANVASSER = "李书记"  # the window fixture works as this canvasser

STATUS_COL = [c.key for c in COLUMNS].index("status")


def _not_visited(ws) -> str:
    return ws.scalar("SELECT pid FROM persons WHERE status='' ORDER BY household, pid LIMIT 1")


def _cell(window, pid: str, col: int) -> str:
    row = window.model.row_of(pid)
    assert row >= 0
    return window.model.index(row, col).data()


def test_record_visit_with_number_key_updates_table_detail_and_progress(window, ws, qtbot):
    pid = _not_visited(ws)
    window.select_person(pid)
    assert window.current_pid() == pid
    assert _cell(window, pid, STATUS_COL) == "未走访"
    done_before = ws.scalar("SELECT count(*) FROM persons WHERE status IN ('paid_on_site','paid_self','via_school',"
                            "'paid_official','employee_insurance','insured_elsewhere','duplicate','dead','military',"
                            "'prison','moved_out')")
    assert f"<b>{done_before}</b>" in window.strip.figures.text()

    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dlg = window.visit_dialog
    assert dlg is not None and dlg.isVisible()
    qtbot.keyClick(dlg, Qt.Key.Key_1)
    assert dlg.outcome() == "paid_on_site"
    dlg.note.setText("儿子代缴")
    qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)

    assert not dlg.isVisible()
    assert _cell(window, pid, STATUS_COL) == OUTCOMES["paid_on_site"][0]
    assert window.detail.pid == pid
    assert window.detail.status.text() == OUTCOMES["paid_on_site"][0]
    assert "儿子代缴" in window.detail.history.toPlainText()
    assert f"<b>{done_before + 1}</b>" in window.strip.figures.text()
    row = ws.one("SELECT author, outcome, note, via FROM visits WHERE pid=?", (pid,))
    assert row == {"author": CANVASSER, "outcome": "paid_on_site", "note": "儿子代缴", "via": "入户"}


def test_promised_visit_carries_its_date_and_refusal_its_reason(window, ws, qtbot):
    pid = _not_visited(ws)
    window.select_person(pid)
    dlg = window.open_visit_dialog()
    qtbot.keyClick(dlg, Qt.Key.Key_3)
    assert dlg.outcome() == "promised" and dlg.promised.isEnabled() and not dlg.reason.isEnabled()
    dlg.choose_channel("电话")
    dlg.save()
    v = ws.one("SELECT outcome, promised, via FROM visits WHERE pid=?", (pid,))
    assert v["outcome"] == "promised" and len(v["promised"]) == 10 and v["via"] == "电话"

    dlg = window.open_visit_dialog()
    dlg.choose("refused")
    dlg.reason.setCurrentText("经济困难")
    dlg.save()
    assert ws.scalar("SELECT last_reason FROM persons WHERE pid=?", (pid,)) == "经济困难"
    assert "原因：经济困难" in window.detail.history.toPlainText()


def test_bad_input_stays_in_the_dialog_and_writes_nothing(window, ws, qtbot, tmp_path):
    pid = _not_visited(ws)
    window.select_person(pid)
    dlg = window.open_visit_dialog()
    dlg.save()  # no outcome chosen
    assert "请先选择走访结果" in dlg.error.text()
    dlg.choose("not_home")
    dlg.photos = [str(tmp_path / "missing.jpg")]
    dlg.save()
    assert "找不到证明材料文件" in dlg.error.text()
    assert dlg.isVisible()
    assert ws.scalar("SELECT count(*) FROM visits WHERE pid=?", (pid,)) == 0


def test_evidence_photo_is_picked_and_stored(window, ws, qtbot, tmp_path, monkeypatch):
    photo = tmp_path / "receipt.png"
    img = QImage(40, 30, QImage.Format.Format_RGB32)
    img.fill(0x336699)
    assert img.save(str(photo))
    monkeypatch.setattr("canvasser.ui.visit_dialog.QFileDialog.getOpenFileNames",
                        lambda *a, **k: ([str(photo)], ""))
    pid = _not_visited(ws)
    window.select_person(pid)
    dlg = window.open_visit_dialog()
    dlg.choose("paid_self")
    qtbot.mouseClick(dlg.photo_button, Qt.MouseButton.LeftButton)
    assert "receipt.png" in dlg.photo_label.text()
    dlg.save()
    photos = json.loads(ws.scalar("SELECT photos FROM visits WHERE pid=?", (pid,)))
    assert len(photos) == 1 and photos[0].endswith(".png")
    assert "证明材料 1 份" in window.detail.history.toPlainText()


def test_undo_last_visit_voids_it_and_restores_the_status(window, ws, qtbot):
    pid = _not_visited(ws)
    window.select_person(pid)
    dlg = window.open_visit_dialog()
    dlg.choose("not_home")
    dlg.save()
    assert _cell(window, pid, STATUS_COL) == OUTCOMES["not_home"][0]
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert _cell(window, pid, STATUS_COL) == "未走访"
    assert ws.one("SELECT voided, void_reason FROM visits WHERE pid=?", (pid,)) == {"voided": 1, "void_reason": "撤销"}
    voider = ws.scalar("SELECT author FROM events WHERE kind='visit.voided' ORDER BY hlc DESC LIMIT 1")
    assert voider == CANVASSER
    assert "已撤销" in window.statusBar().currentMessage()


def test_phone_click_copies_the_number(window, ws, qtbot):
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QPushButton

    pid, phone = ws.one("SELECT pid, phone FROM persons WHERE phone != '' LIMIT 1").values()
    window.select_person(pid)
    buttons = [b for b in window.detail.findChildren(QPushButton) if b.text() == phone]
    assert buttons
    qtbot.mouseClick(buttons[0], Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == phone


def test_canvasser_profile_is_added_and_chosen(app, ws, qtbot):
    from canvasser.ui.dialogs.canvassers import CanvasserDialog
    from canvasser.ui.worker import ImmediateRunner

    dlg = CanvasserDialog(ws, ImmediateRunner(ws), "")
    qtbot.addWidget(dlg)
    dlg.add()
    assert "请填写姓名" in dlg.error.text()
    dlg.new_name.setText("赵会计")
    dlg.new_phone.setText("13908159999")
    dlg.add()
    assert ws.one("SELECT phone FROM canvassers WHERE name='赵会计'") == {"phone": "13908159999"}
    dlg.accept_choice()
    assert dlg.chosen == "赵会计"


def test_a_canvasser_who_left_is_stopped_and_added_back(app, ws, qtbot):
    from canvasser.core.storage import integrity
    from canvasser.core.views import canvassers as profiles
    from canvasser.ui.dialogs.canvassers import CanvasserDialog
    from canvasser.ui.worker import ImmediateRunner

    dlg = CanvasserDialog(ws, ImmediateRunner(ws), "")
    qtbot.addWidget(dlg)
    dlg.new_name.setText("钱文书")
    dlg.add()
    assert dlg.list.currentItem().data(Qt.ItemDataRole.UserRole + 1) == "钱文书"
    dlg.stop_selected()
    assert "钱文书" not in [p["name"] for p in profiles(ws)]
    assert ws.scalar("SELECT active FROM canvassers WHERE name='钱文书'") == 0  # kept, with its history
    dlg.new_name.setText("钱文书")
    dlg.add()
    assert "钱文书" in [p["name"] for p in profiles(ws)]
    assert integrity.check(ws)["ok"]


def test_edit_add_and_mark_left_through_the_person_screens(window, ws, qtbot):
    from canvasser.core.text.ids import check_digit

    pid = ws.scalar("SELECT pid FROM persons WHERE status='' AND active=1 LIMIT 1")
    window.select_person(pid)
    dlg = window.open_person()
    dlg.edits["phone"].setText("13800001111")
    dlg.edits["note"].setText("在成都打工")
    assert dlg.save()
    assert ws.one("SELECT phone, note FROM persons WHERE pid=?", (pid,)) == {"phone": "13800001111", "note": "在成都打工"}
    assert "13800001111" in [b.text() for b in window.detail.findChildren(type(window.detail.copy_id))]

    hid = ws.scalar("SELECT household FROM persons WHERE pid=?", (pid,))
    dlg = window.open_add_person()
    assert dlg.household.text() == hid
    body = "51032120260101001"
    dlg.id_edit.setText(body + check_digit(body))
    dlg.save()
    assert "姓名不能为空" in dlg.error.text()
    dlg.name_edit.setText("新宝宝")
    dlg.relation.setText("孙子")
    assert dlg.save()
    new = ws.one("SELECT household, source FROM persons WHERE pid=?", (body + check_digit(body),))
    assert new == {"household": hid, "source": "新生儿"}
    assert window.detail.pid == body + check_digit(body)

    window.select_person(pid)
    dlg = window.open_person()
    dlg.left_reason.setCurrentIndex(dlg.left_reason.findData("moved_out"))
    assert dlg.mark_left()
    row = ws.one("SELECT active, left_reason, status FROM persons WHERE pid=?", (pid,))
    assert row == {"active": 0, "left_reason": "moved_out", "status": "moved_out"}
    assert "已离开名单" in window.detail.fields["basic"].text()


def test_ctrl_n_digit_enter_records_the_visit_even_with_an_outcome_button_focused(window, ws, qtbot):
    """Three keys after the person is selected; Return saves, it does not re-click the focused button."""
    pid = _not_visited(ws)
    window.select_person(pid)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dlg = window.visit_dialog
    dlg.outcome_buttons["not_home"].setFocus()  # where a click on an outcome leaves the focus
    qtbot.keyClick(dlg, Qt.Key.Key_1)
    qtbot.keyClick(dlg.focusWidget() or dlg, Qt.Key.Key_Return)
    assert not dlg.isVisible()
    assert ws.one("SELECT outcome FROM visits WHERE pid=?", (pid,)) == {"outcome": "paid_on_site"}

    other = ws.scalar("SELECT pid FROM persons WHERE status='' AND pid<>? ORDER BY household, pid LIMIT 1", (pid,))
    window.select_person(other)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dlg = window.visit_dialog
    qtbot.keyClick(dlg, Qt.Key.Key_2)
    qtbot.keyClick(dlg.focusWidget() or dlg, Qt.Key.Key_Escape)
    assert not dlg.isVisible()
    assert ws.scalar("SELECT count(*) FROM visits WHERE pid=?", (other,)) == 0


def test_a_new_workspace_offers_the_canvassers_of_this_computer(app, ws, qtbot, tmp_path):
    from canvasser.core.storage.opening import open_workspace
    from canvasser.core.views import canvassers as profiles
    from canvasser.ui.dialogs.canvassers import ELSEWHERE_ROLE, NAME_ROLE, CanvasserDialog
    from canvasser.ui.worker import ImmediateRunner

    dlg = CanvasserDialog(ws, ImmediateRunner(ws), "")
    qtbot.addWidget(dlg)
    dlg.new_name.setText("孙组长")
    dlg.new_phone.setText("13908150001")
    dlg.add()
    fresh = open_workspace(tmp_path / "新村.db")
    dlg2 = CanvasserDialog(fresh, ImmediateRunner(fresh), "")
    qtbot.addWidget(dlg2)
    items = {dlg2.list.item(i).data(NAME_ROLE): dlg2.list.item(i) for i in range(dlg2.list.count())}
    assert "孙组长" in items and items["孙组长"].data(ELSEWHERE_ROLE)
    dlg2.list.setCurrentItem(items["孙组长"])
    dlg2.accept_choice()
    assert dlg2.chosen == "孙组长"
    assert {"name": "孙组长", "phone": "13908150001"} in [{k: p[k] for k in ("name", "phone")} for p in profiles(fresh)]
    fresh.close()
