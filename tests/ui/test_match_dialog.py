"""The department-list screen: compare without writing, accept the exact matches, confirm or reject each
proposed one, save the report, withdraw the list."""

from __future__ import annotations

import openpyxl
from PySide6.QtCore import Qt

from canvasser.core.storage.integrity import check


def write_list(ws, path, exact: int = 3, proposed: int = 2):
    people = ws.query("SELECT pid, name, birth, village FROM persons WHERE categories = '' AND active = 1 "
                      "ORDER BY pid LIMIT ?", (exact + proposed,))
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.append(["某某县2026年11月城乡低保对象花名册"])
    sheet.append(["序号", "户主姓名", "成员姓名", "证件号码", "出生年月", "所属村居"])
    for n, p in enumerate(people, 1):
        ident = f"{p['pid'][:6]} {p['pid'][6:]}" if n <= exact else ""
        sheet.append([n, p["name"], p["name"], ident, p["birth"], p["village"]])
    wb.save(path)
    return people[:exact], people[exact:]


def categories(ws, pid: str) -> str:
    return ws.scalar("SELECT categories FROM persons WHERE pid=?", (pid,))


def test_match_screen_compares_then_accepts_and_reviews_each_proposal(window, ws, qtbot, tmp_path):
    exact, proposed = write_list(ws, tmp_path / "低保.xlsx")
    dlg = window.open_match()
    dlg.kind.setCurrentIndex(dlg.kind.findData("低保"))
    assert dlg.set_file(tmp_path / "低保.xlsx")
    events = ws.event_count()
    qtbot.mouseClick(dlg.start_button, Qt.MouseButton.LeftButton)  # compare only
    assert ws.event_count() == events and dlg.matched.rowCount() == 3 and dlg.proposed.rowCount() == 2
    assert "还没有写入" in dlg.summary.text() and dlg.accept_exact.isEnabled()
    qtbot.mouseClick(dlg.accept_exact, Qt.MouseButton.LeftButton)
    assert all(categories(ws, p["pid"]) == "低保对象" for p in exact)
    assert all(categories(ws, p["pid"]) == "" for p in proposed)  # never applied unreviewed
    assert dlg.proposed.rowCount() == 2 and dlg.confirm_button.isEnabled()
    first = dlg.pending[0]["pid"]
    dlg.proposed.selectRow(0)
    qtbot.mouseClick(dlg.confirm_button, Qt.MouseButton.LeftButton)
    assert categories(ws, first) == "低保对象" and dlg.proposed.rowCount() == 1
    second = dlg.pending[0]["pid"]
    dlg.proposed.selectRow(0)
    qtbot.mouseClick(dlg.reject_button, Qt.MouseButton.LeftButton)
    assert categories(ws, second) == "" and dlg.proposed.rowCount() == 0
    out = dlg.save_report(str(tmp_path / "结果.xlsx"))
    assert "已匹配" in openpyxl.load_workbook(out).sheetnames
    qtbot.mouseClick(dlg.withdraw_button, Qt.MouseButton.LeftButton)
    assert all(categories(ws, p["pid"]) == "" for p in [*exact, *proposed])
    assert "已撤回" in dlg.summary.text() and check(ws)["ok"]
