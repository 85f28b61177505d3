"""Before anything is printed from the window: this year's amounts confirmed once, a contact phone,
school-age people offered to the cadre before letters; default file names that say what they
cover and never replace an earlier print; a failed print names no file."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QLabel

from canvasser.core.outputs.notices import firstprint, students
from tests.pdfread import pdftext


def _text(pdf) -> str:
    return re.sub(r"\s+", "", pdftext(pdf))


def _save_to(monkeypatch, out, seen: list | None = None):
    def pick(_parent, _title, suggested, _filter):
        if seen is not None:
            seen.append(suggested)
        return str(out), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", pick)


def _print_scope(window, qtbot) -> None:
    """The scope dialog that says what will print: print it."""
    qtbot.waitUntil(lambda: getattr(window, "scope_dialog", None) is not None, timeout=20000)
    window.scope_dialog.print_button.click()
    window.scope_dialog = None


def test_the_years_first_print_shows_the_amounts_once(window, ws, tmp_path, monkeypatch, qtbot):
    out = tmp_path / "leaflet.pdf"
    _save_to(monkeypatch, out)
    window.run_output("leaflet")
    dlg = window.amounts_dialog
    qtbot.waitUntil(dlg.isVisible)
    shown = [label.text() for label in dlg.findChildren(QLabel)]
    assert "400元/人" in shown and "资助360元，个人缴40元" in shown and "12393" in shown
    assert any("2026年12月31日" in t for t in shown)
    dlg.reject()  # 有误: nothing printed, and it is said
    assert not out.exists() and "没有确认本年度金额" in window.statusBar().currentMessage()
    assert firstprint.due(ws)
    window.amounts_dialog = None
    window.run_output("leaflet")
    qtbot.mouseClick(window.amounts_dialog.ok_button, Qt.MouseButton.LeftButton)
    _print_scope(window, qtbot)
    qtbot.waitUntil(out.exists, timeout=20000)
    assert not firstprint.due(ws)
    window.amounts_dialog = None
    out.unlink()
    window.run_output("leaflet")  # asked once a year: straight to printing
    _print_scope(window, qtbot)
    qtbot.waitUntil(out.exists, timeout=20000)
    assert window.amounts_dialog is None


def test_no_contact_phone_no_print_until_one_is_given(window, ws, tmp_path, monkeypatch, qtbot):
    firstprint.confirm(ws)
    window.canvasser = ""  # nobody chosen: no canvasser's phone to print
    out = tmp_path / "letter.pdf"
    _save_to(monkeypatch, out)
    window.run_output("leaflet")
    dlg = window.phone_dialog
    qtbot.waitUntil(dlg.isVisible)
    dlg.phone.setText("")
    dlg._accept()  # nothing typed: stays open, says why
    assert dlg.isVisible() and "不能打印" in dlg.error.text()
    qtbot.keyClicks(dlg.phone, "0816-1234567")
    qtbot.keyClick(dlg.phone, Qt.Key.Key_Return)  # Enter saves and continues
    _print_scope(window, qtbot)
    qtbot.waitUntil(out.exists, timeout=20000)
    assert "0816-1234567" in _text(out)
    window.phone_dialog = None
    window.run_output("leaflet")  # remembered: not asked again
    assert window.phone_dialog is None
    _print_scope(window, qtbot)


def test_letters_offer_school_age_people_to_the_cadre(window, ws, tmp_path, monkeypatch, qtbot):
    firstprint.confirm(ws)
    unlisted = students.unlisted_in(ws)
    assert len(unlisted) >= 2  # the demo village has children no list calls students
    first, second = unlisted[0], unlisted[1]
    window.tree.select_scope(None, None, None)
    out = tmp_path / "letters.pdf"
    _save_to(monkeypatch, out)
    window.run_output("letter")
    _print_scope(window, qtbot)
    dlg = window.students_dialog
    qtbot.waitUntil(dlg.isVisible)
    assert dlg.list.count() == len(unlisted) and first["name"] in dlg.list.item(0).text()
    dlg.list.item(0).setCheckState(Qt.CheckState.Checked)  # this one is a student
    dlg.rest_not.setChecked(True)  # the others are not
    qtbot.mouseClick(dlg.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(out.exists, timeout=20000)
    text = _text(out)
    assert f"{first['name']}同学家长" in text or f"、{first['name']}同学家长" in text or f"{first['name']}、" in text
    assert f"{second['name']}同学家长" not in text
    assert "在校学生" in ws.scalar("SELECT categories FROM persons WHERE pid=?", (first["id"],))
    assert students.unlisted_in(ws) == []  # confirmed or declined: nobody is asked twice


def test_default_names_say_the_scope_and_never_replace_an_earlier_print(window, ws, tmp_path, monkeypatch, qtbot):
    firstprint.confirm(ws)
    grp = ws.scalar("SELECT grp FROM persons WHERE status='' GROUP BY grp ORDER BY count(*) DESC LIMIT 1")
    village = ws.meta("village")
    window.tree.select_scope(village, grp, None)
    seen: list[str] = []
    out = tmp_path / "a.pdf"
    _save_to(monkeypatch, out, seen)
    monkeypatch.setattr("canvasser.ui.dialogs.outputs.last_folder", lambda _kind: tmp_path)
    window.run_output("visit_sheet")
    _print_scope(window, qtbot)
    qtbot.waitUntil(out.exists, timeout=20000)
    import datetime as dt

    today = dt.date.today().isoformat()
    assert seen[-1] == str(tmp_path / f"入户走访登记表_{village}{grp}_{today}.pdf")
    (tmp_path / f"入户走访登记表_{village}{grp}_{today}.pdf").write_bytes(b"an earlier print")
    window.run_output("visit_sheet")
    _print_scope(window, qtbot)
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=20000)
    assert seen[-1] == str(tmp_path / f"入户走访登记表_{village}{grp}_{today}(2).pdf")  # the earlier one kept


def test_a_print_that_fails_names_no_file(window, ws, tmp_path, monkeypatch, qtbot):
    firstprint.confirm(ws)
    out = tmp_path / "leaflet.pdf"
    _save_to(monkeypatch, out)
    window.channel_checked = True  # the payment channel prompt has its own test
    from canvasser.core.errors import InputError

    def refuse(*_a, **_k):
        raise InputError("只有逐户打印的信（含[学生名单]的模板）才能指定户")

    for job in ("notices", "leaflet", "visit_sheet"):  # (the prints' operations)
        monkeypatch.setattr(f"canvasser.ui.operations.{job}", refuse)
    window.run_output("notice_household")
    qtbot.waitUntil(lambda: getattr(window, "done_dialog", None) is not None, timeout=20000)
    said = window.done_dialog.text.text()
    assert "只有逐户打印的信" in said and "文件：" not in said and str(out) not in said
    assert not out.exists()
