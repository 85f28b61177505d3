"""A walkthrough of the new year through the window: start it with the new list, see last year's
outcome for a person (table, detail panel, filter), record this year's visit."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction

from canvasser.core.rules.campaign import OUTCOMES
from canvasser.ui.dialogs.new_year import NewYearDialog
from canvasser.ui.people_model import COLUMNS
from tests.fixtures import rows, write_csv

STATUS_COL = [c.key for c in COLUMNS].index("status")
PREV_COL = [c.key for c in COLUMNS].index("prev_outcome")


def _next_year_list(ws, path):
    """The bureau's list for next year: this year's people but one, and two new households."""
    people = [{"姓名": r["name"], "公民身份号码": r["pid"], "性别": r["sex"], "出生日期": r["birth"],
               "人员类别": r["categories"], "乡镇（街道）": r["township"], "村（社区）": r["village"],
               "村民小组": r["grp"], "户编号": r["household"], "与户主关系": r["relation"], "户籍地址": r["address"],
               "联系电话": "", "上年参保状态": r["last_year"]}
              for r in ws.query("SELECT * FROM persons ORDER BY pid")]
    gone = people.pop()
    village = people[0]["村（社区）"]
    newcomers = [dict(p, **{"村（社区）": village}) for p in rows(seed=77, households=2)]
    return write_csv(path, people + newcomers), gone["公民身份号码"], len(newcomers)


def test_start_new_year_see_last_years_outcome_and_record_this_years_visit(window, ws, qtbot, tmp_path):
    refused = ws.scalar("SELECT pid FROM persons WHERE status='refused' ORDER BY pid LIMIT 1")
    refused_count = ws.scalar("SELECT count(*) FROM persons WHERE status='refused'")
    path, gone, new = _next_year_list(ws, tmp_path / "新年度名单.csv")
    action = next(a for a in window.findChildren(QAction) if a.text() == "开始新年度…")
    action.trigger()
    dlg = next(d for d in window.findChildren(NewYearDialog) if d.isVisible())
    assert "2028年度" in dlg.start_button.text()
    assert dlg.settings.rowCount() >= 4 and dlg.settings.item(0, 2).text().startswith("2028")
    assert dlg.set_file(path)
    qtbot.mouseClick(dlg.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dlg.import_result is not None)
    res = dlg.import_result
    assert (res.year, res.new, res.gone) == (2028, new, 1)
    assert "已开始 <b>2028</b> 年度" in dlg.summary.text()
    dlg.accept()

    window.select_person(refused)
    row = window.model.row_of(refused)
    assert window.model.index(row, STATUS_COL).data() == "未走访"
    assert window.model.index(row, PREV_COL).data() == OUTCOMES["refused"][0]
    assert window.detail.fields["previous"].text().startswith("拒绝")
    window.previous_filter.setCurrentIndex(window.previous_filter.findData("refused"))
    assert window.model.rowCount() == refused_count
    window.previous_filter.setCurrentIndex(0)

    window.select_person(refused)
    qtbot.mouseClick(window.detail.record, Qt.MouseButton.LeftButton)  # 记录走访 in the detail panel
    visit = window.visit_dialog
    qtbot.keyClick(visit, Qt.Key.Key_1)
    qtbot.mouseClick(visit.save_button, Qt.MouseButton.LeftButton)
    row = window.model.row_of(refused)
    assert window.model.index(row, STATUS_COL).data() == OUTCOMES["paid_on_site"][0]
    assert window.model.index(row, PREV_COL).data() == OUTCOMES["refused"][0]
    assert ws.scalar("SELECT year FROM visits WHERE pid=? ORDER BY hlc DESC LIMIT 1", (refused,)) == 2028
    assert ws.scalar("SELECT status FROM persons WHERE pid=?", (gone,)) == "not_listed"


def test_dashboard_shows_this_year_against_last(window, ws, tmp_path):
    from canvasser.core.lists import newyear
    path, _, _ = _next_year_list(ws, tmp_path / "新年度名单.csv")
    assert not window.dashboard.year_on_year.isVisibleTo(window.dashboard)
    newyear.start_year(ws, path)
    window.dashboard.refresh()
    text = window.dashboard.year_on_year.text()
    assert "与去年同期" in text and "去年拒绝的" in text
